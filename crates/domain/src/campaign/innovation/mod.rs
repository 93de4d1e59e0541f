//! 创新型党组织创建: innovation lists (创新清单), innovation updates (创新动态) and projects
//! under project-based management (项目化管理).
//!
//! - **Lists.** An organization taking part submits its list for a year: items with a goal,
//!   measures, an owner, dated milestones (one a line, `2026-06-30 完成试点`) and a status. It
//!   keeps the list current (statuses, milestones) through the year; from 1 January of the next
//!   year the list is closed and stays as it stood.
//! - **Updates.** One or more per period of the campaign's cadence: a month (`2026-03`) or a
//!   quarter (`2026-Q1`).
//! - **Findings.** What the supervision of speech 001 found (创新清单内容简单应付、创新动态没有及时
//!   上报), as dated rule data (`data/rules/innovation.csv`, INNO-01 … INNO-05, local practice):
//!   no list for a year by its deadline, a perfunctory list (fewer items than required, items
//!   without measures or milestones), updates late. A 组织部 sets local versions for its subtree;
//!   the nearest ancestor's version in force wins. Each rule is judged under the version in force
//!   on the date of what it judges: the deadline under the version of 1 January of the list's year,
//!   a list's content under the version of the day it was submitted, an update under the version of
//!   the period's last day.
//! - **Projects.** A project stands at a stage, proposal → approval → implementation → mid-term
//!   review → acceptance, and moves only through the gate into the next stage ([`decide`]): a
//!   gate is recorded with its reviewers, a score and passed or failed; it cannot be skipped nor
//!   held again once passed. A failed gate keeps the project where it stands (it is reworked and
//!   reviewed again), except the approval gate: a proposal that fails it is not approved (未立项)
//!   and the project ends there.

use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::split_list;
use crate::dates::last_day_of_month;
use crate::error::FieldErrors;
use crate::labelled_enum;
use crate::member::normalize_text;

const CSV: &str = include_str!("../../../../../data/rules/innovation.csv");

labelled_enum! {
    /// What a rule checks.
    Kind {
        ListDue = "list_due", "清单提交期限";
        MinItems = "min_items", "清单最少条目数";
        ItemMeasures = "item_measures", "条目须有措施";
        ItemMilestones = "item_milestones", "条目须有里程碑";
        UpdateGrace = "update_grace", "动态报送期限";
    }
}

/// One version of one rule, shipped (no organization) or local (for an organization's subtree),
/// from `valid_from` (inclusive) to `valid_to` (exclusive).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// The database id of a local version; the shipped versions have none.
    pub id: Option<i64>,
    pub rule_id: String,
    pub kind: Kind,
    /// [`Kind::ListDue`]: month and day as `MMDD` (331 = 3 月 31 日); [`Kind::MinItems`]: items;
    /// [`Kind::ItemMeasures`], [`Kind::ItemMilestones`]: 1 required, 0 lifted;
    /// [`Kind::UpdateGrace`]: days after the period's end.
    pub value: i64,
    pub org_id: Option<i64>,
    pub org_path: Option<String>,
    pub org_name: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    pub article: String,
    pub confidence: String,
}

impl Rule {
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && self.valid_to.is_none_or(|t| on < t)
    }
    /// Does the version apply to the organization at `path` (shipped, or set at or above it)?
    pub fn applies_to(&self, path: &str) -> bool {
        self.org_path.as_deref().is_none_or(|p| crate::path::is_within(path, p))
    }
    pub fn citation(&self) -> String {
        if self.article.is_empty() || self.article == "—" {
            self.source.clone()
        } else {
            format!("{} {}", self.source, self.article)
        }
    }
    /// The value in words: `每年 3 月 31 日前`, `不少于 3 项`, `要求`, `期末后 10 天内`.
    pub fn value_text(&self) -> String {
        value_text(self.kind, self.value)
    }
    /// Who the version is for: `全国预设` or the organization's name with `及下级`.
    pub fn applies_text(&self) -> String {
        match &self.org_name {
            Some(n) => format!("{n}及下级"),
            None => "预设（全部党组织）".into(),
        }
    }
}

/// A rule's value in words.
pub fn value_text(kind: Kind, value: i64) -> String {
    match kind {
        Kind::ListDue => format!("每年 {} 月 {} 日前提交", value / 100, value % 100),
        Kind::MinItems => format!("不少于 {value} 项"),
        Kind::ItemMeasures | Kind::ItemMilestones if value == 0 => "不作要求".into(),
        Kind::ItemMeasures => "每一条目须写明措施".into(),
        Kind::ItemMilestones => "每一条目须有里程碑".into(),
        Kind::UpdateGrace => format!("每期结束后 {value} 天内报送"),
    }
}

/// Is `value` allowed for `kind`? A Chinese message when not.
pub fn check_value(kind: Kind, value: i64) -> Result<(), String> {
    let ok = match kind {
        Kind::ListDue => {
            let (m, d) = (value / 100, value % 100);
            (1..=12).contains(&m) && d >= 1 && d <= last_day_of_month(2001, m as u32) as i64
        }
        Kind::MinItems => (1..=30).contains(&value),
        Kind::ItemMeasures | Kind::ItemMilestones => value == 0 || value == 1,
        Kind::UpdateGrace => (0..=90).contains(&value),
    };
    if ok {
        return Ok(());
    }
    Err(match kind {
        Kind::ListDue => "应为月日，如 03-31（2 月 29 日不可用）".into(),
        Kind::MinItems => "应为 1 至 30 的整数".into(),
        Kind::ItemMeasures | Kind::ItemMilestones => "应为 1（要求）或 0（不作要求）".into(),
        Kind::UpdateGrace => "应为 0 至 90 的天数".into(),
    })
}

/// A rule's value as typed in the form: `03-31` (or `3月31日`, `0331`) for the deadline, `是`/`否`
/// or 1/0 for the requirements, an integer otherwise.
pub fn parse_value(kind: Kind, s: &str) -> Result<i64, String> {
    let s = normalize_text(s);
    if s.is_empty() {
        return Err("必填".into());
    }
    let v = match kind {
        Kind::ListDue => {
            let t = s.trim_end_matches('日').replace(['月', '/', '.'], "-");
            let parts: Vec<&str> = t.split('-').collect();
            match parts.as_slice() {
                [m, d] => match (m.parse::<i64>(), d.parse::<i64>()) {
                    (Ok(m), Ok(d)) if (0..100).contains(&d) => m * 100 + d,
                    _ => return Err(format!("“{s}”应为月日，如 03-31")),
                },
                [md] if md.len() == 4 || md.len() == 3 => {
                    md.parse::<i64>().map_err(|_| format!("“{s}”应为月日，如 03-31"))?
                }
                _ => return Err(format!("“{s}”应为月日，如 03-31")),
            }
        }
        Kind::ItemMeasures | Kind::ItemMilestones => match s.as_str() {
            "1" | "是" | "要求" => 1,
            "0" | "否" | "不作要求" => 0,
            _ => return Err(format!("“{s}”应为 1（要求）或 0（不作要求）")),
        },
        Kind::MinItems | Kind::UpdateGrace => s.parse::<i64>().map_err(|_| format!("“{s}”不是整数"))?,
    };
    check_value(kind, v).map(|_| v)
}

/// Parse a rules file (the shipped format).
pub fn parse_rules(data: &str) -> Result<Vec<Rule>, String> {
    let mut out = Vec::new();
    let lines = data.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()).skip(1);
    for (n, line) in lines {
        let f: Vec<&str> = line.split(',').collect();
        let at = |m: &str| format!("第 {} 行：{m}", n + 1);
        if f.len() != 8 {
            return Err(at("应有 8 列"));
        }
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| at(&e.to_string()));
        let kind = Kind::from_code(f[1]).ok_or_else(|| at("rule 无效"))?;
        let value: i64 = f[2].parse().map_err(|_| at("value 无效"))?;
        check_value(kind, value).map_err(|m| at(&format!("value {m}")))?;
        out.push(Rule {
            id: None,
            rule_id: f[0].to_string(),
            kind,
            value,
            org_id: None,
            org_path: None,
            org_name: None,
            valid_from: date(f[3])?,
            valid_to: if f[4].is_empty() { None } else { Some(date(f[4])?) },
            source: f[5].to_string(),
            article: f[6].to_string(),
            confidence: f[7].to_string(),
        });
    }
    Ok(out)
}

/// The shipped preset (local practice: a 组织部 sets its own versions).
pub fn shipped() -> &'static [Rule] {
    static R: OnceLock<Vec<Rule>> = OnceLock::new();
    R.get_or_init(|| parse_rules(CSV).expect("data/rules/innovation.csv is valid (tested)"))
}

/// The rule id and kind of each rule, in order (INNO-01 …).
pub fn rule_ids() -> Vec<(&'static str, Kind)> {
    let mut out: Vec<(&'static str, Kind)> = Vec::new();
    for r in shipped() {
        if !out.iter().any(|(id, _)| *id == r.rule_id) {
            out.push((r.rule_id.as_str(), r.kind));
        }
    }
    out
}

/// The version of `kind` that applies to the organization at `path` on `on`: among the versions in
/// force that apply to it, the nearest ancestor's (the deepest organization), then the latest to
/// come into force; the shipped version where no local one applies.
pub fn rule_for<'a>(rules: &'a [Rule], kind: Kind, path: &str, on: NaiveDate) -> Option<&'a Rule> {
    rules
        .iter()
        .filter(|r| r.kind == kind && r.in_force(on) && r.applies_to(path))
        .max_by_key(|r| (r.org_path.as_deref().map_or(0, str::len), r.valid_from))
}

/// The versions that apply to the organization at `path` on `on`, one per rule, in rule order.
pub fn in_force<'a>(rules: &'a [Rule], path: &str, on: NaiveDate) -> Vec<&'a Rule> {
    Kind::ALL.iter().filter_map(|k| rule_for(rules, *k, path, on)).collect()
}

/// A local version as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RuleInput {
    pub rule_id: String,
    pub value: String,
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: String,
    pub source: String,
}

/// A checked local version (the organization is checked by the store, in the caller's scope).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidRule {
    pub rule_id: String,
    pub kind: Kind,
    pub value: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
}

impl RuleInput {
    pub fn validate(&self) -> Result<ValidRule, FieldErrors> {
        let mut e = FieldErrors::default();
        let id = self.rule_id.trim();
        let kind = rule_ids().into_iter().find(|(r, k)| *r == id || k.code() == id || k.label() == id).map(|x| x.1);
        if kind.is_none() {
            e.push(
                "规则",
                format!(
                    "应为 {}",
                    rule_ids().iter().map(|(r, k)| format!("{r} {}", k.label())).collect::<Vec<_>>().join("、")
                ),
            );
        }
        let value = kind.and_then(|k| parse_value(k, &self.value).map_err(|m| e.push("规则值", m)).ok());
        let from = super::date(&mut e, "生效日期", &self.valid_from);
        let to = if self.valid_to.trim().is_empty() {
            None
        } else {
            match crate::dates::parse_date(&self.valid_to) {
                Ok(t) if from.is_some_and(|f| t <= f) => {
                    e.push("失效日期", format!("{t} 应晚于生效日期"));
                    None
                }
                Ok(t) => Some(t),
                Err(m) => {
                    e.push("失效日期", m);
                    None
                }
            }
        };
        let source = crate::text::required(&self.source, "依据", 200, &mut e);
        match (kind, value, from) {
            (Some(kind), Some(value), Some(valid_from)) if e.is_empty() => {
                let rule_id = rule_ids().into_iter().find(|(_, k)| *k == kind).map(|x| x.0).unwrap_or_default();
                Ok(ValidRule { rule_id: rule_id.to_string(), kind, value, valid_from, valid_to: to, source })
            }
            _ => Err(e),
        }
    }
}

// ----- the list deadline -----

/// The deadline of the list for `year` for the organization at `path` (INNO-01 in force on 1
/// January of the year); for the year a campaign starts after that day, the campaign's start plus
/// the days from 1 January to the deadline, so the first year gives the same time to prepare.
pub fn list_deadline(rules: &[Rule], path: &str, year: i32, starts_on: NaiveDate) -> Option<NaiveDate> {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let r = rule_for(rules, Kind::ListDue, path, jan1)?;
    let (m, d) = ((r.value / 100) as u32, (r.value % 100) as u32);
    let due = NaiveDate::from_ymd_opt(year, m, d.min(last_day_of_month(year, m)))?;
    if starts_on > due && starts_on.year() == year {
        Some(starts_on + (due - jan1))
    } else {
        Some(due)
    }
}

// ----- periods of the update cadence -----

labelled_enum! {
    /// How often an organization of the campaign reports an innovation update.
    Cadence {
        Month = "month", "每月";
        Quarter = "quarter", "每季度";
    }
}

/// One reporting period: `2026-03` (a month) or `2026-Q1` (a quarter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub key: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];

impl Period {
    /// `2026年3月`, `2026年第一季度`.
    pub fn label(&self) -> String {
        if self.key.contains('Q') {
            let q = (self.start.month0() / 3) as usize;
            format!("{}年第{}季度", self.start.year(), QUARTERS[q])
        } else {
            format!("{}年{}月", self.start.year(), self.start.month())
        }
    }
}

impl Cadence {
    /// The period containing `d`.
    pub fn period_of(self, d: NaiveDate) -> Period {
        let y = d.year();
        match self {
            Cadence::Month => month(y, d.month()),
            Cadence::Quarter => quarter(y, d.month0() / 3 + 1),
        }
    }

    /// A period as typed: `2026-03`, `2026-3`, `2026年3月` for months; `2026-Q1`, `2026Q1`,
    /// `2026年第一季度`, `2026年1季度` for quarters. A Chinese message when it is not one of this
    /// cadence.
    pub fn parse_period(self, s: &str) -> Result<Period, String> {
        let t = normalize_text(s).to_uppercase();
        if t.is_empty() {
            return Err("必填".into());
        }
        let example = match self {
            Cadence::Month => "按月报送，应写作 2026-03",
            Cadence::Quarter => "按季度报送，应写作 2026-Q1",
        };
        let bad = || format!("“{}”不是有效的报送期间（{example}）", s.trim());
        let year_of = |y: &str| y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
        match self {
            Cadence::Month => {
                let u = t.trim_end_matches('月').replace(['年', '/', '.'], "-");
                let (y, m) = u.split_once('-').ok_or_else(bad)?;
                let y = year_of(y).ok_or_else(bad)?;
                let m = m.parse::<u32>().ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?;
                Ok(month(y, m))
            }
            Cadence::Quarter => {
                let u =
                    t.replace("年", "-").replace("季度", "").replace('第', "Q").replace("-Q", "Q").replace('-', "Q");
                let (y, q) = u.split_once('Q').ok_or_else(bad)?;
                let y = year_of(y).ok_or_else(bad)?;
                let q = match q.trim_start_matches('Q') {
                    "1" | "一" => 1,
                    "2" | "二" => 2,
                    "3" | "三" => 3,
                    "4" | "四" => 4,
                    _ => return Err(bad()),
                };
                Ok(quarter(y, q))
            }
        }
    }

    /// Every period overlapping `from` … `to` (inclusive), in order.
    pub fn periods(self, from: NaiveDate, to: NaiveDate) -> Vec<Period> {
        let mut out = Vec::new();
        if to < from {
            return out;
        }
        let mut p = self.period_of(from);
        while p.start <= to {
            let next = p.end + Duration::days(1);
            out.push(p);
            p = self.period_of(next);
        }
        out
    }
}

fn month(y: i32, m: u32) -> Period {
    let start = NaiveDate::from_ymd_opt(y, m, 1).expect("a month");
    let end = NaiveDate::from_ymd_opt(y, m, last_day_of_month(y, m)).expect("a month's last day");
    Period { key: format!("{y}-{m:02}"), start, end }
}

fn quarter(y: i32, q: u32) -> Period {
    let start = NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1).expect("a quarter");
    let m = q * 3;
    let end = NaiveDate::from_ymd_opt(y, m, last_day_of_month(y, m)).expect("a quarter's last day");
    Period { key: format!("{y}-Q{q}"), start, end }
}

// ----- lists and their items -----

labelled_enum! {
    /// Where an item of a list stands.
    ItemStatus {
        Planned = "planned", "未开始";
        Ongoing = "ongoing", "推进中";
        Done = "done", "已完成";
        Dropped = "dropped", "已终止";
    }
}

/// A dated milestone of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    pub on: NaiveDate,
    pub content: String,
}

/// Milestones written one a line as stored (`2026-06-30 完成试点`).
pub fn milestones_text(ms: &[Milestone]) -> String {
    ms.iter().map(|m| format!("{} {}", m.on, m.content)).collect::<Vec<_>>().join("\n")
}

/// Read milestones written one a line, a date and what is due by it (`2026-06-30 完成试点`),
/// each within the list's `year`; blank lines are skipped. Every line at fault is named.
pub fn parse_milestones(text: &str, year: i32) -> Result<Vec<Milestone>, Vec<String>> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        let n = i + 1;
        let (date, content) = match line.split_once([' ', '\t', '\u{3000}']) {
            Some((d, c)) => (d, normalize_text(c)),
            None => (line, String::new()),
        };
        let on = match crate::dates::parse_date(date) {
            Ok(d) => d,
            Err(m) => {
                errs.push(format!("第 {n} 行“{date}”不是有效日期（{m}），应写作“2026-06-30 完成试点”"));
                continue;
            }
        };
        if on.year() != year {
            errs.push(format!("第 {n} 行的日期 {on} 不在清单年度 {year} 年内"));
        }
        if content.is_empty() {
            errs.push(format!("第 {n} 行缺少里程碑内容，应写作“{on} 完成试点”"));
        } else if content.chars().count() > 100 {
            errs.push(format!("第 {n} 行的内容超过 100 个字"));
        } else if crate::text::has_control(&content) {
            errs.push(format!("第 {n} 行含有控制字符"));
        }
        out.push(Milestone { on, content });
    }
    if out.len() > 24 {
        errs.push(format!("共 {} 个，不超过 24 个", out.len()));
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// One item as typed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ItemInput {
    pub title: String,
    #[serde(default)]
    pub goal: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub owner: String,
    /// One a line: `2026-06-30 完成试点`.
    #[serde(default)]
    pub milestones: String,
    #[serde(default)]
    pub status: String,
}

impl ItemInput {
    /// Nothing typed (the status alone does not count): a blank row of the form, skipped.
    pub fn is_blank(&self) -> bool {
        [&self.title, &self.goal, &self.measures, &self.owner, &self.milestones].iter().all(|s| s.trim().is_empty())
    }
}

/// A list as typed: the year and its items (blank rows skipped).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ListInput {
    pub year: String,
    pub items: Vec<ItemInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidItem {
    pub title: String,
    pub goal: String,
    pub measures: String,
    pub owner: String,
    pub milestones: Vec<Milestone>,
    pub status: ItemStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidList {
    pub year: i32,
    pub items: Vec<ValidItem>,
}

/// At most this many items in a list.
pub const MAX_ITEMS: usize = 30;

impl ListInput {
    /// Check the list, every problem naming its field (and its item: `第 2 项：…`). Measures and
    /// milestones may be left empty here: a list without them is saved and found perfunctory
    /// (INNO-03, INNO-04), so that an organization is told rather than stopped.
    pub fn validate(&self) -> Result<ValidList, FieldErrors> {
        let mut e = FieldErrors::default();
        let year = match self.year.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Some(y),
            _ => {
                e.push("年度", format!("“{}”应为 2000 至 2100 的年份", self.year.trim()));
                None
            }
        };
        let rows: Vec<&ItemInput> = self.items.iter().filter(|i| !i.is_blank()).collect();
        if rows.is_empty() {
            e.push("清单条目", "至少填写一项");
        }
        if rows.len() > MAX_ITEMS {
            e.push("清单条目", format!("共 {} 项，不超过 {MAX_ITEMS} 项", rows.len()));
        }
        let mut items = Vec::new();
        for (i, x) in rows.iter().enumerate() {
            let n = i + 1;
            let mut sub = FieldErrors::default();
            let title = crate::text::required(&x.title, "条目名称", 60, &mut sub);
            let goal = crate::text::optional(&Some(x.goal.clone()), "目标", 500, &mut sub).unwrap_or_default();
            let measures = crate::text::optional(&Some(x.measures.clone()), "措施", 1000, &mut sub).unwrap_or_default();
            let owner = crate::text::optional(&Some(x.owner.clone()), "责任人", 60, &mut sub).unwrap_or_default();
            let status =
                if x.status.trim().is_empty() { Some(ItemStatus::Planned) } else { ItemStatus::parse(&x.status) };
            if status.is_none() {
                sub.push("状态", format!("应为 {}", ItemStatus::labels()));
            }
            let milestones = match year {
                Some(y) => parse_milestones(&x.milestones, y).unwrap_or_else(|ms| {
                    for m in ms {
                        sub.push("里程碑", m);
                    }
                    Vec::new()
                }),
                None => Vec::new(),
            };
            for f in sub.0 {
                e.push(f.field, format!("第 {n} 项：{}", f.message));
            }
            items.push(ValidItem {
                title,
                goal,
                measures,
                owner,
                milestones,
                status: status.unwrap_or(ItemStatus::Planned),
            });
        }
        match year {
            Some(year) if e.is_empty() => Ok(ValidList { year, items }),
            _ => Err(e),
        }
    }
}

// ----- findings -----

/// What the findings read of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts {
    pub title: String,
    pub has_measures: bool,
    pub milestones: usize,
}

/// What the findings read of one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFacts {
    pub year: i32,
    pub submitted_on: NaiveDate,
    pub items: Vec<ItemFacts>,
}

/// One organization taking part, with its lists and updates (period key, date reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub org_id: i64,
    pub name: String,
    pub path: String,
    pub lists: Vec<ListFacts>,
    pub updates: Vec<(String, NaiveDate)>,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule_id: String,
    pub kind: Kind,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    /// The year (`2026`) or period (`2026-Q1`) it is about.
    pub subject: String,
    /// What is wrong, for the reader: `2026 年创新清单只有 2 项，少于 3 项`.
    pub detail: String,
    pub citation: String,
    pub confidence: String,
}

impl Finding {
    /// `清单未按期提交`, `清单内容简单应付`, `动态未及时报送`.
    pub fn label(&self) -> &'static str {
        match self.kind {
            Kind::ListDue => "清单未按期提交",
            Kind::MinItems | Kind::ItemMeasures | Kind::ItemMilestones => "清单内容简单应付",
            Kind::UpdateGrace => "动态未及时报送",
        }
    }
}

/// The ways a list is perfunctory under the versions in force on the day it was submitted
/// (INNO-02 too few items, INNO-03 items without measures, INNO-04 items without milestones):
/// (rule, what is wrong). Empty: the list is not perfunctory.
pub fn perfunctory<'a>(list: &ListFacts, rules: &'a [Rule], path: &str) -> Vec<(&'a Rule, String)> {
    let on = list.submitted_on;
    let y = list.year;
    let mut out = Vec::new();
    if let Some(r) = rule_for(rules, Kind::MinItems, path, on) {
        if (list.items.len() as i64) < r.value {
            out.push((r, format!("{y} 年创新清单只有 {} 项，少于 {} 项", list.items.len(), r.value)));
        }
    }
    let names = |v: Vec<&ItemFacts>| {
        let shown: Vec<String> = v.iter().take(5).map(|i| format!("“{}”", i.title)).collect();
        let more = if v.len() > 5 { format!("等 {} 项", v.len()) } else { String::new() };
        format!("{}{more}", shown.join("、"))
    };
    if let Some(r) = rule_for(rules, Kind::ItemMeasures, path, on).filter(|r| r.value != 0) {
        let bare: Vec<&ItemFacts> = list.items.iter().filter(|i| !i.has_measures).collect();
        if !bare.is_empty() {
            out.push((r, format!("{y} 年创新清单中{}未写明措施", names(bare))));
        }
    }
    if let Some(r) = rule_for(rules, Kind::ItemMilestones, path, on).filter(|r| r.value != 0) {
        let bare: Vec<&ItemFacts> = list.items.iter().filter(|i| i.milestones == 0).collect();
        if !bare.is_empty() {
            out.push((r, format!("{y} 年创新清单中{}没有里程碑", names(bare))));
        }
    }
    out
}

/// A campaign as the findings see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignSpan {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub cadence: Cadence,
}

/// The findings of the organizations taking part as of `on`, in tree order, then by rule and by
/// year or period:
/// - INNO-01: a year whose deadline has passed without a list submitted by it (`未提交` when
///   there is none by `on`, `逾期提交` when it came later);
/// - INNO-02 … INNO-04: a list submitted by `on` that is perfunctory ([`perfunctory`]);
/// - INNO-05: a period of the cadence that ended more than the grace days before `on` without an
///   update reported within them (`未报送`, or `逾期报送` with the day it came).
///
/// Only what falls within the campaign counts: the years and periods from its start to its end
/// (or to `on`).
pub fn judge(orgs: &[OrgFacts], rules: &[Rule], span: CampaignSpan, on: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    if on < span.starts_on {
        return out;
    }
    let last = span.ends_on.min(on);
    for o in orgs {
        let mut found = |r: &Rule, subject: String, detail: String| {
            out.push(Finding {
                rule_id: r.rule_id.clone(),
                kind: r.kind,
                org_id: o.org_id,
                org_name: o.name.clone(),
                org_path: o.path.clone(),
                subject,
                detail,
                citation: r.citation(),
                confidence: r.confidence.clone(),
            })
        };
        for year in span.starts_on.year()..=last.year() {
            let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
            let Some(due) = list_deadline(rules, &o.path, year, span.starts_on) else { continue };
            let Some(rule) = rule_for(rules, Kind::ListDue, &o.path, jan1) else { continue };
            let list = o.lists.iter().find(|l| l.year == year && l.submitted_on <= on);
            if due < on && due <= span.ends_on {
                match list {
                    None => found(rule, year.to_string(), format!("{year} 年创新清单未提交（期限 {due}）")),
                    Some(l) if l.submitted_on > due => found(
                        rule,
                        year.to_string(),
                        format!("{year} 年创新清单逾期提交（{} 提交，期限 {due}）", l.submitted_on),
                    ),
                    Some(_) => {}
                }
            }
            if let Some(l) = list {
                for (r, detail) in perfunctory(l, rules, &o.path) {
                    found(r, year.to_string(), detail);
                }
            }
        }
        for p in span.cadence.periods(span.starts_on, last) {
            let Some(r) = rule_for(rules, Kind::UpdateGrace, &o.path, p.end) else { continue };
            let due = p.end + Duration::days(r.value);
            if on <= due {
                continue;
            }
            let first = o.updates.iter().filter(|(k, d)| *k == p.key && *d <= on).map(|(_, d)| *d).min();
            match first {
                None => found(r, p.key.clone(), format!("{}创新动态未报送（报送期限 {due}）", p.label())),
                Some(d) if d > due => {
                    found(r, p.key.clone(), format!("{}创新动态逾期报送（{d} 报送，期限 {due}）", p.label()))
                }
                Some(_) => {}
            }
        }
    }
    out.sort_by(|a, b| (&a.org_path, &a.rule_id, &a.subject).cmp(&(&b.org_path, &b.rule_id, &b.subject)));
    out
}

/// Does the organization have a list for `year` submitted by `on` that is not perfunctory? (What
/// the indicator source `innovation_list` counts.)
pub fn qualifies(lists: &[ListFacts], rules: &[Rule], path: &str, year: i32, on: NaiveDate) -> bool {
    lists.iter().any(|l| l.year == year && l.submitted_on <= on && perfunctory(l, rules, path).is_empty())
}

// ----- projects -----

labelled_enum! {
    /// Where a project stands. Each stage after the proposal is reached through its gate.
    Stage {
        Proposal = "proposal", "申报";
        Approval = "approval", "立项";
        Implementation = "implementation", "实施";
        MidTerm = "mid_term", "中期评估";
        Acceptance = "acceptance", "验收";
        Rejected = "rejected", "未立项";
    }
}

/// The stages in order (the rejected end aside).
pub const STAGES: [Stage; 5] =
    [Stage::Proposal, Stage::Approval, Stage::Implementation, Stage::MidTerm, Stage::Acceptance];

impl Stage {
    /// The gate leading into this stage: `立项评审`, `实施启动`, `中期评估`, `结项验收`.
    pub fn gate_label(self) -> &'static str {
        match self {
            Stage::Proposal => "申报",
            Stage::Approval => "立项评审",
            Stage::Implementation => "实施启动",
            Stage::MidTerm => "中期评估",
            Stage::Acceptance => "结项验收",
            Stage::Rejected => "未立项",
        }
    }
    /// Where the project stands, in words: `已立项，待实施启动`.
    pub fn standing(self) -> &'static str {
        match self {
            Stage::Proposal => "已申报，待立项评审",
            Stage::Approval => "已立项，待实施启动",
            Stage::Implementation => "实施中，待中期评估",
            Stage::MidTerm => "已通过中期评估，待结项验收",
            Stage::Acceptance => "已通过结项验收",
            Stage::Rejected => "未通过立项评审，未予立项",
        }
    }
    fn rank(self) -> usize {
        STAGES.iter().position(|s| *s == self).unwrap_or(usize::MAX)
    }
    /// The next gate, `None` at the end (accepted or rejected).
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Rejected | Stage::Acceptance => None,
            s => STAGES.get(s.rank() + 1).copied(),
        }
    }
}

/// A gate held on a project at `stage`: the stage it stands at afterwards, or why the gate cannot
/// be held. Only the next gate may be held (none skipped, none held again once passed); passing
/// moves the project into the gate's stage; failing keeps it where it stands, except at approval,
/// where a failed proposal is not approved and the project ends.
pub fn decide(stage: Stage, gate: Stage, passed: bool) -> Result<Stage, String> {
    let Some(next) = stage.next() else {
        return Err(format!("项目{}，不能再评审", stage.standing()));
    };
    if gate == Stage::Proposal || gate == Stage::Rejected {
        return Err(format!("“{}”不是评审环节", gate.label()));
    }
    if gate.rank() <= stage.rank() {
        return Err(format!("项目已通过{}，不能重复评审", gate.gate_label()));
    }
    if gate != next {
        return Err(format!("项目须先通过{}，不能跳过", next.gate_label()));
    }
    Ok(match (passed, gate) {
        (true, g) => g,
        (false, Stage::Approval) => Stage::Rejected,
        (false, _) => stage,
    })
}

/// A project as proposed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ProjectInput {
    pub title: String,
    #[serde(default)]
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidProject {
    pub title: String,
    pub summary: String,
}

impl ProjectInput {
    pub fn validate(&self) -> Result<ValidProject, FieldErrors> {
        let mut e = FieldErrors::default();
        let title = crate::text::required(&self.title, "项目名称", 100, &mut e);
        let summary = crate::text::optional(&Some(self.summary.clone()), "项目简介", 2000, &mut e).unwrap_or_default();
        e.into_result(ValidProject { title, summary })
    }
}

/// A gate's decision as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct GateInput {
    /// The stage the gate leads into (`approval` …, or its gate label).
    pub gate: String,
    /// Names separated by 、 , ; or new lines.
    pub reviewers: String,
    pub score: String,
    /// `passed` or `failed` (通过 / 不通过).
    pub result: String,
    #[serde(default)]
    pub note: String,
    pub decided_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidGate {
    pub gate: Stage,
    pub reviewers: Vec<String>,
    pub score: i64,
    pub passed: bool,
    pub note: String,
    pub decided_on: NaiveDate,
}

impl ValidGate {
    pub fn reviewers_text(&self) -> String {
        self.reviewers.join("、")
    }
}

impl GateInput {
    /// Check the decision; `today` bounds its date. A gate not passed must say why.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidGate, FieldErrors> {
        let mut e = FieldErrors::default();
        let g = self.gate.trim();
        let gate = STAGES[1..].iter().copied().find(|s| s.code() == g || s.gate_label() == g || s.label() == g);
        if gate.is_none() {
            e.push(
                "评审环节",
                format!("应为 {}", STAGES[1..].iter().map(|s| s.gate_label()).collect::<Vec<_>>().join("、")),
            );
        }
        let reviewers = split_list(&self.reviewers);
        if reviewers.is_empty() {
            e.push("评审人", "至少一名");
        } else if reviewers.len() > 15 {
            e.push("评审人", format!("共 {} 名，不超过 15 名", reviewers.len()));
        } else if let Some(r) = reviewers.iter().find(|r| r.chars().count() > 30) {
            e.push("评审人", format!("“{r}”超过 30 个字"));
        }
        let score = super::int(&mut e, "评分", &self.score, 0, 100, None);
        let passed = match self.result.trim() {
            "passed" | "通过" | "1" => Some(true),
            "failed" | "不通过" | "0" => Some(false),
            _ => {
                e.push("评审结论", "应为 通过 或 不通过");
                None
            }
        };
        let note = crate::text::optional(&Some(self.note.clone()), "评审意见", 1000, &mut e).unwrap_or_default();
        if passed == Some(false) && note.is_empty() {
            e.push("评审意见", "未通过时须写明意见");
        }
        let decided_on = super::date(&mut e, "评审日期", &self.decided_on);
        if let Some(d) = decided_on.filter(|d| *d > today) {
            e.push("评审日期", format!("{d} 晚于今天"));
        }
        match (gate, score, passed, decided_on) {
            (Some(gate), Some(score), Some(passed), Some(decided_on)) if e.is_empty() => {
                Ok(ValidGate { gate, reviewers, score, passed, note, decided_on })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
