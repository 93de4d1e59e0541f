//! 党建规划: an organization's annual plan (年度计划, one year) or its plan over three to five
//! years (三至五年规划). Each target reads a source of the indicator source registry
//! ([`super::indicator::SOURCES`]) for the organization's subtree, so its progress is computed
//! from what the platform holds, never typed; a plan has dated milestones besides. The
//! organization drafts and submits its plan, the superior approves it or returns it with a reason.
//!
//! The registry's `funding` and `reported` sources belong to a campaign (funding put into it,
//! values reported for its indicators), so a plan, which has no campaign, cannot read them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::indicator::{fmt_milli, parse_milli, Source, SOURCES};
use super::text;
use crate::FieldErrors;

crate::labelled_enum! {
    /// How long a plan runs.
    PlanKind {
        Annual = "annual", "年度计划";
        MultiYear = "multi_year", "三至五年规划";
    }
}

crate::labelled_enum! {
    /// Where a plan stands: drafted, submitted to the superior, approved, or returned to be
    /// changed and submitted again.
    PlanStatus {
        Draft = "draft", "草稿";
        Submitted = "submitted", "待审核";
        Approved = "approved", "已批准";
        Returned = "returned", "已退回";
    }
}

impl PlanStatus {
    /// The organization may still change it (a draft, or returned to it).
    pub fn editable(self) -> bool {
        matches!(self, PlanStatus::Draft | PlanStatus::Returned)
    }
    /// It waits for the superior's decision.
    pub fn reviewable(self) -> bool {
        self == PlanStatus::Submitted
    }
}

/// The years a multi-year plan spans, inclusive.
pub const MULTI_YEARS: std::ops::RangeInclusive<i32> = 3..=5;
/// The most targets and milestones a plan holds.
pub const MAX_TARGETS: usize = 30;
pub const MAX_MILESTONES: usize = 50;

/// The registry sources a plan's target may read: every computed source that needs no campaign.
pub fn sources() -> impl Iterator<Item = &'static Source> {
    SOURCES.iter().filter(|s| needs_no_campaign(s.code))
}

/// Sources measured for any organization as of any date; `funding`, `reported`,
/// `task_completion` (a campaign's tasks) and `innovation_list` (a participant's list of a
/// campaign) are counted within a campaign only.
pub fn needs_no_campaign(code: &str) -> bool {
    !matches!(code, "funding" | "reported" | "task_completion" | "innovation_list")
}

/// A target as typed: one a line in the plan form, `名称|来源|参数|目标值|完成期限|措施|责任人`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TargetInput {
    pub label: String,
    pub source: String,
    #[serde(default)]
    pub param: String,
    pub target: String,
    pub due_on: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub responsible: String,
}

/// A plan as typed in the form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PlanInput {
    pub kind: String,
    pub title: String,
    pub from_year: String,
    /// Empty for an annual plan (the same year).
    #[serde(default)]
    pub to_year: String,
    pub targets: Vec<TargetInput>,
    /// One a line: `2026-06-30 完成村级服务站改造`.
    #[serde(default)]
    pub milestones: String,
}

/// A checked target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanTarget {
    pub label: String,
    /// The registry source's code.
    pub source: String,
    pub param: String,
    /// In the source's unit, in thousandths (95 % = 95000).
    pub target_milli: i64,
    pub due_on: NaiveDate,
    pub measures: String,
    pub responsible: String,
}

/// A checked milestone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Milestone {
    pub due_on: NaiveDate,
    pub content: String,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidPlan {
    pub kind: PlanKind,
    pub title: String,
    pub from_year: i32,
    pub to_year: i32,
    pub targets: Vec<PlanTarget>,
    pub milestones: Vec<Milestone>,
}

impl ValidPlan {
    /// `2026—2028年`, `2026年`.
    pub fn years(&self) -> String {
        years(self.from_year, self.to_year)
    }
}

/// `2026年`, `2026—2030年`.
pub fn years(from: i32, to: i32) -> String {
    if from == to {
        format!("{from}年")
    } else {
        format!("{from}—{to}年")
    }
}

/// Split the target lines of the form (`|` or tab separated) into their fields.
pub fn targets_from_lines(lines: &str) -> Vec<TargetInput> {
    lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let p: Vec<String> = l.split(['|', '\t']).map(|s| s.trim().to_string()).collect();
            let g = |i: usize| p.get(i).cloned().unwrap_or_default();
            TargetInput {
                label: g(0),
                source: g(1),
                param: g(2),
                target: g(3),
                due_on: g(4),
                measures: g(5),
                responsible: g(6),
            }
        })
        .collect()
}

/// A target written back as one line of the form.
pub fn target_line(t: &PlanTarget) -> String {
    let src = super::indicator::source(&t.source);
    let param = src
        .and_then(|s| s.param)
        .and_then(|(_, allowed)| allowed.iter().find(|(c, _)| *c == t.param))
        .map_or(t.param.as_str(), |(_, l)| *l);
    format!(
        "{}|{}|{}|{}|{}|{}|{}",
        t.label,
        src.map_or(t.source.as_str(), |s| s.label),
        param,
        fmt_milli(t.target_milli),
        t.due_on,
        t.measures,
        t.responsible
    )
    .trim_end_matches('|')
    .to_string()
}

fn year(e: &mut FieldErrors, field: &'static str, s: &str) -> Option<i32> {
    let s = s.trim();
    if s.is_empty() {
        e.push(field, "必填");
        return None;
    }
    match s.trim_end_matches('年').parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Some(y),
        _ => {
            e.push(field, format!("“{s}”应为 2000 至 2100 的年份"));
            None
        }
    }
}

impl PlanInput {
    pub fn validate(&self) -> Result<ValidPlan, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = PlanKind::parse(&self.kind);
        if kind.is_none() {
            e.push("规划类型", format!("应为 {}", PlanKind::labels()));
        }
        let title = text(&mut e, "规划名称", &self.title, true, 100);
        let from_year = year(&mut e, "起始年度", &self.from_year);
        let to_year = match (kind, self.to_year.trim().is_empty()) {
            (Some(PlanKind::Annual), true) => from_year,
            _ => year(&mut e, "截止年度", &self.to_year),
        };
        if let (Some(k), Some(f), Some(t)) = (kind, from_year, to_year) {
            let span = t - f + 1;
            match k {
                PlanKind::Annual if f != t => e.push("截止年度", format!("年度计划只含一个年度，截止年度应为 {f}")),
                PlanKind::MultiYear if t < f => e.push("截止年度", format!("{t} 早于起始年度 {f}")),
                PlanKind::MultiYear if !MULTI_YEARS.contains(&span) => {
                    e.push("截止年度", format!("三至五年规划应跨 3 至 5 个年度（{} 共 {span} 个年度）", years(f, t)))
                }
                _ => {}
            }
        }
        let span = match (from_year, to_year) {
            (Some(f), Some(t)) if f <= t => Some((
                NaiveDate::from_ymd_opt(f, 1, 1).expect("1 January"),
                NaiveDate::from_ymd_opt(t, 12, 31).expect("31 December"),
            )),
            _ => None,
        };
        let targets = check_targets(&mut e, &self.targets, span);
        let milestones = check_milestones(&mut e, &self.milestones, span);
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ValidPlan {
            kind: kind.expect("checked"),
            title,
            from_year: from_year.expect("checked"),
            to_year: to_year.expect("checked"),
            targets,
            milestones,
        })
    }
}

fn check_targets(e: &mut FieldErrors, input: &[TargetInput], span: Option<(NaiveDate, NaiveDate)>) -> Vec<PlanTarget> {
    const FIELD: &str = "规划目标";
    if input.is_empty() {
        e.push(FIELD, "至少一项目标");
    }
    if input.len() > MAX_TARGETS {
        e.push(FIELD, format!("不超过 {MAX_TARGETS} 项目标"));
    }
    let allowed = || sources().map(|s| s.label).collect::<Vec<_>>().join("、");
    let mut out = Vec::new();
    for (i, x) in input.iter().enumerate() {
        let n = i + 1;
        let mut bad = |m: String| e.push(FIELD, format!("第 {n} 项：{m}"));
        let label = crate::member::normalize_text(&x.label);
        if label.is_empty() || label.chars().count() > 60 || crate::text::has_control(&x.label) {
            bad("名称必填，不超过 60 个字".into());
        }
        let wanted = x.source.trim();
        let Some(src) = SOURCES.iter().find(|s| s.code == wanted || s.label == wanted) else {
            bad(format!("指标来源“{wanted}”不在指标来源目录中（可选：{}）", allowed()));
            continue;
        };
        if !needs_no_campaign(src.code) {
            bad(format!(
                "指标来源“{}”只在创建活动中计算（{}），党建规划不能使用；可选：{}",
                src.label,
                if src.code == "funding" { "按活动登记的投入经费" } else { "按活动的填报与审核" },
                allowed()
            ));
            continue;
        }
        let param = x.param.trim();
        let param = match src.param {
            Some((what, choices)) => match choices.iter().find(|(c, l)| *c == param || *l == param) {
                Some((c, _)) => c.to_string(),
                None => {
                    bad(format!(
                        "{what}“{param}”应为 {}",
                        choices.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("、")
                    ));
                    String::new()
                }
            },
            None if param.is_empty() => String::new(),
            None => {
                bad(format!("指标来源“{}”不带参数（填了“{param}”）", src.label));
                String::new()
            }
        };
        let target_milli = match parse_milli(&x.target) {
            Some(t) if t >= 0 && !(src.unit == "%" && t > 100_000) => t,
            _ if src.unit == "%" => {
                bad(format!("目标值“{}”应为 0 至 100 的百分数", x.target.trim()));
                0
            }
            _ => {
                bad(format!("目标值“{}”应为不小于 0 的数", x.target.trim()));
                0
            }
        };
        let due_on = match crate::dates::parse_date(x.due_on.trim()) {
            _ if x.due_on.trim().is_empty() => {
                bad("完成期限必填".into());
                None
            }
            Ok(d) => match span {
                Some((from, to)) if d < from || d > to => {
                    bad(format!("完成期限 {d} 不在规划期（{} 至 {}）内", from, to));
                    None
                }
                _ => Some(d),
            },
            Err(m) => {
                bad(format!("完成期限“{}”不是有效日期（{m}）", x.due_on.trim()));
                None
            }
        };
        let measures = crate::member::normalize_text(&x.measures);
        if measures.chars().count() > 200 || crate::text::has_control(&x.measures) {
            bad("措施不超过 200 个字".into());
        }
        let responsible = crate::member::normalize_text(&x.responsible);
        if responsible.chars().count() > 60 || crate::text::has_control(&x.responsible) {
            bad("责任人不超过 60 个字".into());
        }
        if let Some(due_on) = due_on {
            out.push(PlanTarget {
                label,
                source: src.code.to_string(),
                param,
                target_milli,
                due_on,
                measures,
                responsible,
            });
        }
    }
    out
}

fn check_milestones(e: &mut FieldErrors, lines: &str, span: Option<(NaiveDate, NaiveDate)>) -> Vec<Milestone> {
    const FIELD: &str = "里程碑";
    let mut out = Vec::new();
    let lines: Vec<(usize, &str)> = lines.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).collect();
    if lines.len() > MAX_MILESTONES {
        e.push(FIELD, format!("不超过 {MAX_MILESTONES} 项"));
    }
    for (i, line) in lines {
        let n = i + 1;
        let line = line.trim();
        let (date, content) = match line.split_once([' ', '\t', '\u{3000}', '|']) {
            Some((d, c)) => (d.trim(), c.trim()),
            None => (line, ""),
        };
        let due_on = match crate::dates::parse_date(date) {
            Ok(d) => d,
            Err(_) => {
                e.push(FIELD, format!("第 {n} 行：应写作“日期 内容”，如“2026-06-30 完成村级服务站改造”"));
                continue;
            }
        };
        if let Some((from, to)) = span {
            if due_on < from || due_on > to {
                e.push(FIELD, format!("第 {n} 行：{due_on} 不在规划期（{from} 至 {to}）内"));
            }
        }
        let content = crate::member::normalize_text(content);
        if content.is_empty() || content.chars().count() > 200 || crate::text::has_control(line) {
            e.push(FIELD, format!("第 {n} 行：内容必填，不超过 200 个字"));
            continue;
        }
        out.push(Milestone { due_on, content });
    }
    out.sort_by_key(|m| m.due_on);
    out
}

crate::labelled_enum! {
    /// Where a target stands on a day.
    Standing {
        Reached = "reached", "已达成";
        OnTrack = "open", "推进中";
        Overdue = "overdue", "逾期未达成";
    }
}

/// Where a target stands on `today` given the value measured then (in the source's unit): reached
/// (at or above the target, or at or below it for a source where lower is better), still open
/// before its due date, or overdue.
pub fn standing(
    higher_is_better: bool,
    target_milli: i64,
    value: f64,
    due_on: NaiveDate,
    today: NaiveDate,
) -> Standing {
    let v = (value * 1000.0).round() as i64;
    let reached = if higher_is_better { v >= target_milli } else { v <= target_milli };
    match (reached, today > due_on) {
        (true, _) => Standing::Reached,
        (false, false) => Standing::OnTrack,
        (false, true) => Standing::Overdue,
    }
}

/// How far towards the target the value is, in whole percent (capped at 100); `None` for a source
/// where lower is better (a ceiling is met or not).
pub fn percent_of_target(higher_is_better: bool, target_milli: i64, value: f64) -> Option<i64> {
    if !higher_is_better {
        return None;
    }
    if target_milli <= 0 {
        return Some(100);
    }
    Some(((value * 1000.0 / target_milli as f64) * 100.0).floor().clamp(0.0, 100.0) as i64)
}

/// Does a plan of these years cover `today`'s year?
pub fn covers(from_year: i64, to_year: i64, today: NaiveDate) -> bool {
    (from_year..=to_year).contains(&(today.year() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn input(kind: &str, from: &str, to: &str, lines: &str) -> PlanInput {
        PlanInput {
            kind: kind.into(),
            title: "甲县党建工作规划".into(),
            from_year: from.into(),
            to_year: to.into(),
            targets: targets_from_lines(lines),
            milestones: "2026-06-30 完成村级服务站改造\n2026-03-31 制定实施方案".into(),
        }
    }

    const GOOD: &str =
        "村级服务站覆盖率|服务阵地覆盖率|村（社区）党员群众综合服务站|95|2026-12-31|整合村级活动场所|组织科\n\
                        组织生活完成率|life_completion||90%|2026-12-31\n\
                        示范点|demo_sites|县级|3|2026-10-31";

    #[test]
    fn an_annual_plan_is_one_year_and_reads_the_registry() {
        let v = input("annual", "2026", "", GOOD).validate().unwrap();
        assert_eq!((v.kind, v.from_year, v.to_year), (PlanKind::Annual, 2026, 2026));
        assert_eq!(v.years(), "2026年");
        assert_eq!(v.targets.len(), 3);
        assert_eq!(
            (v.targets[0].source.as_str(), v.targets[0].param.as_str()),
            ("facility_coverage", "service_station")
        );
        assert_eq!(v.targets[0].target_milli, 95_000);
        assert_eq!((v.targets[1].target_milli, v.targets[1].param.as_str()), (90_000, ""));
        assert_eq!(v.targets[2].param, "county");
        // milestones in date order
        assert_eq!(v.milestones[0].content, "制定实施方案");
        // a line written back reads the same
        let again = targets_from_lines(&v.targets.iter().map(target_line).collect::<Vec<_>>().join("\n"));
        let v2 = PlanInput { targets: again, ..input("annual", "2026", "", "") }.validate().unwrap();
        assert_eq!(v2.targets, v.targets);

        let e = input("annual", "2026", "2027", GOOD).validate().unwrap_err();
        assert!(e.has("截止年度") && e.to_string().contains("年度计划只含一个年度"), "{e}");
    }

    #[test]
    fn a_multi_year_plan_spans_three_to_five_years() {
        let lines = "覆盖率|facility_coverage|service_center|100|2028-12-31";
        let ok = |to: &str| input("multi_year", "2026", to, lines).validate();
        assert!(ok("2028").is_ok() && ok("2030").is_ok());
        for to in ["2027", "2031", "2025", ""] {
            let e = ok(to).unwrap_err();
            assert!(e.has("截止年度"), "{to}: {e}");
        }
        assert!(ok("2027").unwrap_err().to_string().contains("共 2 个年度"));
        assert_eq!(ok("2030").unwrap().years(), "2026—2030年");
    }

    #[test]
    fn campaign_sources_are_refused_naming_the_field() {
        let e = input("annual", "2026", "", "经费|投入经费||10|2026-12-31\n办结率|reported||95|2026-12-31")
            .validate()
            .unwrap_err();
        assert_eq!(e.0.len(), 2, "{e}");
        assert!(e.0.iter().all(|x| x.field == "规划目标"));
        assert!(e.0[0].message.starts_with("第 1 项：指标来源“投入经费”只在创建活动中计算"), "{e}");
        assert!(e.0[1].message.starts_with("第 2 项：指标来源“填报指标”只在创建活动中计算"), "{e}");
        assert!(e.0[0].message.contains("组织生活完成率"), "names what may be chosen");
        assert!(!sources().any(|s| s.code == "funding" || s.code == "reported"));
        assert_eq!(sources().count(), 5);
    }

    #[test]
    fn every_problem_names_its_field() {
        let p = PlanInput {
            kind: "decade".into(),
            title: " ".into(),
            from_year: "26".into(),
            to_year: String::new(),
            targets: vec![],
            milestones: "明年 完成\n2026-02-30 x".into(),
        };
        let e = p.validate().unwrap_err();
        for f in ["规划类型", "规划名称", "起始年度", "截止年度", "规划目标", "里程碑"] {
            assert!(e.has(f), "{f}: {e}");
        }
        let bad = "|nowhere||1|2026-12-31\n\
                   服务中心|facility_coverage|卫生室|50|2026-12-31\n\
                   完成率|life_completion||120|2026-12-31\n\
                   问题|life_findings|x|1|2027-01-01\n\
                   轮训|training_coverage||80|";
        let e = input("annual", "2026", "", bad).validate().unwrap_err();
        let t = e.to_string();
        for m in [
            "第 1 项：指标来源“nowhere”不在指标来源目录中",
            "第 2 项：阵地类型“卫生室”",
            "第 3 项：目标值“120”应为 0 至 100 的百分数",
            "第 4 项：指标来源“组织生活问题数”不带参数",
            "第 4 项：完成期限 2027-01-01 不在规划期（2026-01-01 至 2026-12-31）内",
            "第 5 项：完成期限必填",
        ] {
            assert!(t.contains(m), "{m}: {t}");
        }
        let e = PlanInput { milestones: "2027-01-01 超出".into(), ..input("annual", "2026", "", GOOD) }
            .validate()
            .unwrap_err();
        assert!(e.has("里程碑") && e.to_string().contains("不在规划期"), "{e}");
    }

    #[test]
    fn a_target_is_reached_open_or_overdue() {
        let due = d(2026, 12, 31);
        assert_eq!(standing(true, 90_000, 92.5, due, d(2026, 6, 1)), Standing::Reached);
        assert_eq!(standing(true, 90_000, 80.0, due, d(2026, 6, 1)), Standing::OnTrack);
        assert_eq!(standing(true, 90_000, 80.0, due, d(2027, 1, 1)), Standing::Overdue);
        assert_eq!(standing(true, 90_000, 89.9996, due, due), Standing::Reached, "rounded to thousandths");
        // findings: a ceiling
        assert_eq!(standing(false, 1_000, 0.5, due, d(2027, 1, 1)), Standing::Reached);
        assert_eq!(standing(false, 1_000, 1.5, due, d(2026, 1, 1)), Standing::OnTrack);
        assert_eq!(percent_of_target(true, 90_000, 45.0), Some(50));
        assert_eq!(percent_of_target(true, 90_000, 99.0), Some(100));
        assert_eq!(percent_of_target(true, 0, 0.0), Some(100));
        assert_eq!(percent_of_target(false, 1_000, 0.5), None);
    }

    #[test]
    fn statuses_say_what_may_be_done() {
        assert!(PlanStatus::Draft.editable() && PlanStatus::Returned.editable());
        assert!(!PlanStatus::Submitted.editable() && !PlanStatus::Approved.editable());
        assert!(PlanStatus::Submitted.reviewable() && !PlanStatus::Approved.reviewable());
        assert!(covers(2026, 2028, d(2027, 5, 1)) && !covers(2026, 2026, d(2027, 1, 1)));
    }
}
