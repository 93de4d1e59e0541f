//! 创建活动: campaigns and what they hold. A campaign is issued by an organization, takes part
//! over the organizations a number of levels below it or over a chosen set, has a leadership
//! group, documents and funding, and a standard of weighted indicators read from the indicator
//! source registry ([`indicator`]); dispatch rounds ([`round`]) freeze everyone's standing at a
//! date. Demonstration sites and training classes ([`site`], [`training`]) are counted by the
//! registry's sources; secondment nominations ([`secondment`]) are checked against dated
//! conditions, among them the statutory retirement age ([`retirement`]). Tasks ([`task`]) are
//! pushed down to organizations and their progress reported up, accepted or returned.
//! Organizations' annual and multi-year party-building plans ([`plan`]) set targets that read the
//! same registry. Innovation lists, updates and projects ([`innovation`]) are judged by dated rules
//! and counted by the registry.

pub mod indicator;
pub mod innovation;
pub mod plan;
pub mod retirement;
pub mod round;
pub mod secondment;
pub mod site;
pub mod task;
pub mod training;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;

crate::labelled_enum! {
    /// The kinds of campaign the speeches name; `Custom` is a kind the 组织部 names itself.
    Kind {
        Service = "service", "服务型党组织创建";
        Innovation = "innovation", "创新型党组织创建";
        FoundationYear = "foundation_year", "基层组织建设年";
        Organs = "organs", "机关党建";
        Custom = "custom", "自定义";
    }
}

crate::labelled_enum! {
    /// Who takes part: the organizations a number of levels below the issuer, or a chosen set.
    TakesPart {
        Level = "level", "下级党组织";
        Chosen = "chosen", "指定党组织";
    }
}

crate::labelled_enum! {
    /// A place in the 领导小组.
    LeaderRole {
        Leader = "leader", "组长";
        Deputy = "deputy", "副组长";
        Member = "member", "成员";
        Department = "department", "成员单位";
    }
}

/// A campaign as typed in a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CampaignInput {
    pub name: String,
    pub kind: String,
    /// The name of a kind the 组织部 defines (kind 自定义).
    #[serde(default)]
    pub kind_label: String,
    #[serde(default)]
    pub theme: String,
    /// Core ideas, separated by 、 , ; or new lines (服务、创新、整合).
    #[serde(default)]
    pub ideas: String,
    pub starts_on: String,
    pub ends_on: String,
    pub takes_part: String,
    /// Levels below the issuer (1 = its direct subordinates).
    #[serde(default)]
    pub depth: String,
    /// Leaders and laggards named by each round.
    #[serde(default)]
    pub name_top: String,
}

/// A checked campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidCampaign {
    pub name: String,
    pub kind: Kind,
    pub kind_label: String,
    pub theme: String,
    pub ideas: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub takes_part: TakesPart,
    pub depth: Option<i64>,
    pub name_top: i64,
}

impl ValidCampaign {
    pub fn ideas_text(&self) -> String {
        self.ideas.join("、")
    }
}

/// Split a list typed with 、 , ， ; ； or new lines.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；', '\n']).map(clean).filter(|p| !p.is_empty()).collect()
}

pub(crate) fn date(e: &mut FieldErrors, field: &'static str, s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        e.push(field, "必填");
        return None;
    }
    match crate::dates::parse_date(s) {
        Ok(d) => Some(d),
        Err(m) => {
            e.push(field, format!("“{s}”不是有效日期（{m}），应为 2026-03-01 这样的格式"));
            None
        }
    }
}

pub(crate) fn int(
    e: &mut FieldErrors,
    field: &'static str,
    s: &str,
    min: i64,
    max: i64,
    default: Option<i64>,
) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        if default.is_none() {
            e.push(field, "必填");
        }
        return default;
    }
    match s.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            e.push(field, format!("应为 {min} 至 {max} 的整数"));
            None
        }
    }
}

/// Free text cleaned as everywhere ([`crate::text`]); empty allowed unless `required`.
pub(crate) fn text(e: &mut FieldErrors, field: &'static str, s: &str, required: bool, max: usize) -> String {
    if required {
        crate::text::required(s, field, max, e)
    } else {
        crate::text::optional(&Some(s.to_string()), field, max, e).unwrap_or_default()
    }
}

fn clean(s: &str) -> String {
    crate::member::normalize_text(s)
}

impl CampaignInput {
    pub fn validate(&self) -> Result<ValidCampaign, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text(&mut e, "活动名称", &self.name, true, 100);
        let kind = match Kind::parse(&self.kind) {
            Some(k) => Some(k),
            None => {
                e.push("活动类型", format!("应为 {}", Kind::labels()));
                None
            }
        };
        let mut kind_label = text(&mut e, "类型名称", &self.kind_label, false, 40);
        match kind {
            Some(Kind::Custom) if kind_label.is_empty() => e.push("类型名称", "自定义类型须填写类型名称"),
            Some(k) if k != Kind::Custom => kind_label = k.label().to_string(),
            _ => {}
        }
        let theme = text(&mut e, "主题", &self.theme, false, 200);
        let ideas = split_list(&self.ideas);
        if ideas.len() > 20 {
            e.push("核心理念", "不超过 20 项");
        }
        let starts_on = date(&mut e, "开始日期", &self.starts_on);
        let ends_on = date(&mut e, "结束日期", &self.ends_on);
        if let (Some(s), Some(t)) = (starts_on, ends_on) {
            if t < s {
                e.push("结束日期", format!("{t} 早于开始日期 {s}"));
            }
        }
        let takes_part = match TakesPart::parse(&self.takes_part) {
            Some(t) => Some(t),
            None => {
                e.push("参与范围", format!("应为 {}", TakesPart::labels()));
                None
            }
        };
        let depth = match takes_part {
            Some(TakesPart::Level) => int(&mut e, "参与层级", &self.depth, 1, 6, None),
            _ => None,
        };
        let name_top = int(&mut e, "通报先进后进数", &self.name_top, 1, 50, Some(3));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ValidCampaign {
            name,
            kind: kind.unwrap(),
            kind_label,
            theme,
            ideas,
            starts_on: starts_on.unwrap(),
            ends_on: ends_on.unwrap(),
            takes_part: takes_part.unwrap(),
            depth,
            name_top: name_top.unwrap_or(3),
        })
    }
}

/// One entry of the leadership group as typed: `组长|张三|市委书记` lines, or form fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leader {
    pub role: LeaderRole,
    pub name: String,
    pub post: String,
}

/// Read a leadership group written one entry a line: `组长 张三 市委副书记`, `成员单位 市委宣传部`
/// (role, name, post separated by spaces, tabs or |). Exactly one 组长.
pub fn parse_leaders(text: &str) -> Result<Vec<Leader>, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let parts: Vec<&str> = line.split(['|', '\t', ' ', '\u{3000}']).filter(|p| !p.trim().is_empty()).collect();
        if parts.is_empty() {
            continue;
        }
        let Some(role) = LeaderRole::parse(parts[0]) else {
            e.push("领导小组", format!("第 {} 行：“{}”应为 {}", i + 1, parts[0], LeaderRole::labels()));
            continue;
        };
        let Some(name) = parts.get(1).map(|s| clean(s)) else {
            e.push("领导小组", format!("第 {} 行：缺少姓名或单位名称", i + 1));
            continue;
        };
        if name.chars().count() > 60 {
            e.push("领导小组", format!("第 {} 行：名称不超过 60 个字", i + 1));
        }
        let post = clean(&parts[2..].join(" "));
        out.push(Leader { role, name, post });
    }
    let leaders = out.iter().filter(|l| l.role == LeaderRole::Leader).count();
    if !out.is_empty() && leaders != 1 {
        e.push("领导小组", format!("须有且只有一名组长（现有 {leaders} 名）"));
    }
    e.into_result(out)
}

/// Funding as typed: organization, year and amount in yuan (万 accepted: `200万`).
pub fn parse_amount(e: &mut FieldErrors, field: &'static str, s: &str) -> Option<i64> {
    let s = s.trim().replace([',', '，'], "");
    let (num, factor) = match s.strip_suffix("万元").or_else(|| s.strip_suffix('万')) {
        Some(n) => (n.trim().to_string(), 10_000.0),
        None => (s.trim_end_matches('元').trim().to_string(), 1.0),
    };
    match num.parse::<f64>() {
        Ok(v) if v > 0.0 && v * factor < 1e13 => Some((v * factor).round() as i64),
        _ => {
            e.push(field, format!("“{s}”不是有效金额，应为正数（元），如 2000000 或 200万"));
            None
        }
    }
}

/// Yuan shown as 万元 with up to two decimals where large (`200万元`, `3,500元`).
pub fn yuan(v: i64) -> String {
    if v.abs() >= 10_000 {
        let w = v as f64 / 10_000.0;
        let s = format!("{w:.2}");
        format!("{}万元", s.trim_end_matches('0').trim_end_matches('.'))
    } else {
        format!("{v}元")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CampaignInput {
        CampaignInput {
            name: "服务型党组织创建".into(),
            kind: "service".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            takes_part: "level".into(),
            depth: "1".into(),
            ideas: "服务、创新，整合".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_campaign_is_checked_field_by_field() {
        let v = input().validate().unwrap();
        assert_eq!(v.ideas, ["服务", "创新", "整合"]);
        assert_eq!(v.kind_label, "服务型党组织创建");
        assert_eq!(v.name_top, 3);
        let mut bad = input();
        bad.ends_on = "2025-12-31".into();
        bad.kind = "custom".into();
        bad.depth = "0".into();
        let e = bad.validate().unwrap_err();
        assert!(e.has("结束日期") && e.has("类型名称") && e.has("参与层级"), "{e:?}");
    }

    #[test]
    fn a_leadership_group_has_one_leader() {
        let g = parse_leaders("组长 王某 市委副书记、组织部部长\n副组长|李某|组织部常务副部长\n成员单位 市委宣传部\n")
            .unwrap();
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].post, "市委副书记、组织部部长");
        assert_eq!(g[2].role, LeaderRole::Department);
        assert!(parse_leaders("副组长 李某 部长").unwrap_err().has("领导小组"));
        assert!(parse_leaders("主任 李某").unwrap_err().has("领导小组"));
    }

    #[test]
    fn amounts_read_wan() {
        let mut e = FieldErrors::default();
        assert_eq!(parse_amount(&mut e, "金额", "200万"), Some(2_000_000));
        assert_eq!(parse_amount(&mut e, "金额", "3,500"), Some(3500));
        assert!(e.is_empty());
        assert_eq!(parse_amount(&mut e, "金额", "-1"), None);
        assert!(e.has("金额"));
        assert_eq!(yuan(2_000_000), "200万元");
        assert_eq!(yuan(2_345_600), "234.56万元");
    }
}
