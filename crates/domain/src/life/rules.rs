//! Frequency rules.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::org::OrgKind;
use crate::rules::Severity;

use super::*;

/// Which organizations a frequency rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    Branch,
    BranchCommittee,
    PartyGroup,
    Committee,
    GeneralBranch,
    LeadingGroup,
}

impl Applies {
    pub const ALL: [Applies; 6] = [
        Applies::Branch,
        Applies::BranchCommittee,
        Applies::PartyGroup,
        Applies::Committee,
        Applies::GeneralBranch,
        Applies::LeadingGroup,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Applies::Branch => "branch",
            Applies::BranchCommittee => "branch_committee",
            Applies::PartyGroup => "party_group",
            Applies::Committee => "committee",
            Applies::GeneralBranch => "general_branch",
            Applies::LeadingGroup => "leading_group",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Applies::Branch => "党支部",
            Applies::BranchCommittee => "设支委会的党支部",
            Applies::PartyGroup => "党小组",
            Applies::Committee => "基层党委",
            Applies::GeneralBranch => "党总支",
            Applies::LeadingGroup => "党组",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }
    pub fn matches(self, kind: OrgKind, has_committee: bool) -> bool {
        match self {
            Applies::Branch => kind.is_branch(),
            Applies::BranchCommittee => kind.is_branch() && has_committee,
            Applies::PartyGroup => kind == OrgKind::PartyGroup,
            Applies::Committee => kind.is_committee(),
            Applies::GeneralBranch => kind == OrgKind::GeneralBranch,
            Applies::LeadingGroup => kind == OrgKind::LeadingGroup,
        }
    }
    /// Parse `branch|party_group`.
    pub fn parse_list(s: &str) -> Option<Vec<Applies>> {
        let v: Option<Vec<Applies>> = s.split('|').map(|p| Applies::from_code(p.trim())).collect();
        v.filter(|v| !v.is_empty())
    }
    pub fn join(list: &[Applies]) -> String {
        list.iter().map(|a| a.code()).collect::<Vec<_>>().join("|")
    }
    pub fn labels(list: &[Applies]) -> String {
        list.iter().map(|a| a.label()).collect::<Vec<_>>().join("、")
    }
}

/// One version of one frequency rule: from `valid_from` (inclusive) to `valid_to` (exclusive),
/// for the organizations it applies to, everywhere (`org_path` empty) or in one subtree (a local
/// override: the version of the nearest ancestor wins).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifeRule {
    /// The database id of a local version; shipped versions have none.
    pub id: Option<i64>,
    pub rule_id: String,
    pub type_code: String,
    pub applies: Vec<Applies>,
    pub period: PeriodKind,
    /// At least this many per period; 0 lifts the requirement.
    pub min: i64,
    pub org_id: Option<i64>,
    pub org_path: Option<String>,
    pub org_name: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub severity: Severity,
    pub source: String,
    pub article: String,
    pub confidence: String,
}

impl LifeRule {
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && self.valid_to.is_none_or(|t| on < t)
    }
    fn covers(&self, path: &str) -> bool {
        self.org_path.as_deref().is_none_or(|p| crate::path::is_within(path, p))
    }
    fn depth(&self) -> usize {
        self.org_path.as_deref().map_or(0, str::len)
    }
    pub fn citation(&self) -> String {
        if self.article.is_empty() || self.article == "—" {
            self.source.clone()
        } else {
            format!("{} {}", self.source, self.article)
        }
    }
    /// `每季度至少 1 次`.
    pub fn describe(&self) -> String {
        if self.min == 0 {
            "不作要求".into()
        } else {
            format!("{}至少 {} 次", self.period.label(), self.min)
        }
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| e.to_string())
}

fn parse_severity(s: &str) -> Option<Severity> {
    Some(match s {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => return None,
    })
}

/// Parse a rules file (the shipped format).
pub fn parse_rules(data: &str) -> Result<Vec<LifeRule>, String> {
    let mut out = Vec::new();
    for (n, line) in data_lines(data) {
        let f: Vec<&str> = line.split(',').collect();
        let at = |m: &str| format!("第 {} 行：{m}", n + 1);
        if f.len() != 11 {
            return Err(at("应有 11 列"));
        }
        out.push(LifeRule {
            id: None,
            rule_id: f[0].to_string(),
            type_code: f[1].to_string(),
            applies: Applies::parse_list(f[2]).ok_or_else(|| at("applies 无效"))?,
            period: PeriodKind::from_code(f[3]).ok_or_else(|| at("period 无效"))?,
            min: f[4].parse().map_err(|_| at("min 无效"))?,
            org_id: None,
            org_path: None,
            org_name: None,
            valid_from: parse_date(f[5]).map_err(|e| at(&e))?,
            valid_to: if f[6].is_empty() { None } else { Some(parse_date(f[6]).map_err(|e| at(&e))?) },
            severity: parse_severity(f[7]).ok_or_else(|| at("severity 无效"))?,
            source: f[8].to_string(),
            article: f[9].to_string(),
            confidence: f[10].to_string(),
        });
    }
    Ok(out)
}

/// The shipped (national) rule versions.
pub fn shipped_rules() -> &'static [LifeRule] {
    static R: OnceLock<Vec<LifeRule>> = OnceLock::new();
    R.get_or_init(|| parse_rules(RULES_CSV).expect("data/rules/life.csv is valid (tested)"))
}

/// The version that governs `type_code` for an organization on a date: among the versions in
/// force that apply to its kind and cover its path, the one of the nearest ancestor.
pub fn rule_for<'a>(
    rules: &'a [LifeRule],
    type_code: &str,
    path: &str,
    kind: OrgKind,
    has_committee: bool,
    on: NaiveDate,
) -> Option<&'a LifeRule> {
    rules
        .iter()
        .filter(|r| {
            r.type_code == type_code
                && r.in_force(on)
                && r.covers(path)
                && r.applies.iter().any(|a| a.matches(kind, has_committee))
        })
        .max_by_key(|r| (r.depth(), r.valid_from))
}

const YEAR_CSV: &str = include_str!("../../../../data/rules/life_year.csv");

/// One version of the 所属年度 window (LIFE-18): a meeting of a yearly type held from 01-01 to
/// `until` (inclusive) of a year counts, unless the record says otherwise, for the previous year —
/// the year whose 组织生活会 or 民主评议 it concludes. Shipped as `data/rules/life_year.csv`; a
/// 组织部 sets a local version for its subtree (the nearest ancestor's version wins), like the
/// frequency rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearWindow {
    /// The database id of a local version; the shipped version has none.
    pub id: Option<i64>,
    pub rule_id: String,
    /// The last day of the window, as month and day.
    pub until_month: u32,
    pub until_day: u32,
    pub org_id: Option<i64>,
    pub org_path: Option<String>,
    pub org_name: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    pub article: String,
    pub confidence: String,
}

impl YearWindow {
    /// `03-31`.
    pub fn until(&self) -> String {
        format!("{:02}-{:02}", self.until_month, self.until_day)
    }
    /// Is `on` within the window of its year?
    pub fn contains(&self, on: NaiveDate) -> bool {
        (on.month(), on.day()) <= (self.until_month, self.until_day)
    }
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && self.valid_to.is_none_or(|t| on < t)
    }
    /// `每年 1 月 1 日至 3 月 31 日召开的年度会议计入上一年度`.
    pub fn describe(&self) -> String {
        format!("每年 1 月 1 日至 {} 月 {} 日召开的年度会议默认计入上一年度", self.until_month, self.until_day)
    }
}

/// Parse `03-31` (a day of the first half of a year: a window longer than that would let a
/// meeting count for a year it hardly belongs to).
pub fn parse_until(s: &str) -> Result<(u32, u32), String> {
    let t = s.trim();
    let bad = || format!("“{t}”不是有效的月-日，应如 03-31，且不晚于 06-30");
    let (m, d) = t.split_once('-').ok_or_else(bad)?;
    let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    NaiveDate::from_ymd_opt(2024, m, d).filter(|_| m <= 6).ok_or_else(bad)?;
    Ok((m, d))
}

/// Parse a window file (the shipped format).
pub fn parse_year_windows(data: &str) -> Result<Vec<YearWindow>, String> {
    let mut out = Vec::new();
    for (n, line) in data_lines(data) {
        let f: Vec<&str> = line.split(',').collect();
        let at = |m: &str| format!("第 {} 行：{m}", n + 1);
        if f.len() != 7 {
            return Err(at("应有 7 列"));
        }
        let (until_month, until_day) = parse_until(f[1]).map_err(|e| at(&e))?;
        out.push(YearWindow {
            id: None,
            rule_id: f[0].to_string(),
            until_month,
            until_day,
            org_id: None,
            org_path: None,
            org_name: None,
            valid_from: parse_date(f[2]).map_err(|e| at(&e))?,
            valid_to: if f[3].is_empty() { None } else { Some(parse_date(f[3]).map_err(|e| at(&e))?) },
            source: f[4].to_string(),
            article: f[5].to_string(),
            confidence: f[6].to_string(),
        });
    }
    Ok(out)
}

/// The shipped window versions.
pub fn shipped_year_windows() -> &'static [YearWindow] {
    static W: OnceLock<Vec<YearWindow>> = OnceLock::new();
    W.get_or_init(|| parse_year_windows(YEAR_CSV).expect("data/rules/life_year.csv is valid (tested)"))
}

/// The window in force for an organization on a date: the version of the nearest ancestor.
pub fn year_window_for<'a>(windows: &'a [YearWindow], path: &str, on: NaiveDate) -> Option<&'a YearWindow> {
    windows
        .iter()
        .filter(|w| w.in_force(on) && w.org_path.as_deref().is_none_or(|p| crate::path::is_within(path, p)))
        .max_by_key(|w| (w.org_path.as_deref().map_or(0, str::len), w.valid_from))
}

/// The last day on which a yearly meeting held for an organization still counts, by default, for
/// `year` (LIFE-18): the last day of the window at the start of the next year, under the version
/// in force on that day; 31 December of `year` itself where no window applies. Until then a
/// yearly period that is not met is still open, not missed.
pub fn year_closes(windows: &[YearWindow], path: &str, year: i32) -> NaiveDate {
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid year");
    // no window reaches past 06-30 (parse_until): walk back from there to the first day inside one
    let mut d = NaiveDate::from_ymd_opt(year + 1, 6, 30).expect("a valid year");
    while d > dec31 {
        if year_window_for(windows, path, d).is_some_and(|w| w.contains(d)) {
            return d;
        }
        d = d.pred_opt().expect("a day before");
    }
    dec31
}

/// The latest [`year_closes`] of `year` anywhere: under the national version or under any local one.
pub fn latest_year_close(windows: &[YearWindow], year: i32) -> NaiveDate {
    std::iter::once("")
        .chain(windows.iter().filter_map(|w| w.org_path.as_deref()))
        .map(|p| year_closes(windows, p, year))
        .max()
        .expect("at least the national path")
}

/// Is a record of these types a yearly one for this organization on its date (a type whose rule
/// in force asks for it once a year)?
pub fn is_yearly(
    rules: &[LifeRule],
    codes: &[String],
    path: &str,
    kind: OrgKind,
    has_committee: bool,
    on: NaiveDate,
) -> bool {
    codes.iter().any(|c| {
        rule_for(rules, c, path, kind, has_committee, on).is_some_and(|r| r.period == PeriodKind::Year && r.min > 0)
    })
}

/// The 所属年度 of a record (REC-04: the date in the period it is counted for). Blank: the
/// previous year for a yearly record held within the window, the year of the meeting otherwise.
/// Given: the year of the meeting, or the previous year for a yearly record held within the
/// window — a later meeting cannot be booked to a year that is long over, nor to a future one.
pub fn resolve_year(
    raw: &str,
    held_on: NaiveDate,
    yearly: bool,
    window: Option<&YearWindow>,
) -> Result<i32, crate::error::FieldErrors> {
    let own = held_on.year();
    let early = yearly && window.is_some_and(|w| w.contains(held_on));
    let t = raw.trim().trim_end_matches("年度").trim_end_matches('年');
    if t.is_empty() {
        return Ok(if early { own - 1 } else { own });
    }
    let mut errs = crate::error::FieldErrors::default();
    match t.parse::<i32>() {
        Ok(y) if y == own => return Ok(y),
        Ok(y) if y == own - 1 && early => return Ok(y),
        Ok(y) if y == own - 1 => errs.push(
            "所属年度",
            match window {
                Some(w) if yearly => format!(
                    "{held_on} 已过 {} 月 {} 日，会议只能计入 {own} 年度 ({})",
                    w.until_month, w.until_day, w.rule_id
                ),
                _ => format!("该会议不是按年度要求的组织生活，只能计入 {own} 年度 (REC-04)"),
            },
        ),
        Ok(y) => errs.push(
            "所属年度",
            format!("{y} 年度无效：{held_on} 召开的会议只能计入 {own} 年度或在年初窗口内计入上一年度 (REC-04)"),
        ),
        Err(_) => errs.push("所属年度", format!("“{}”不是有效的年度", raw.trim())),
    }
    Err(errs)
}
