//! Structural rules (RULES.md ORG, TERM) as dated, versioned data, and the findings they produce.
//!
//! The parameters live in `data/rules/structure.csv`: each row is one version of one rule, in force
//! from `valid_from` until `valid_to` (exclusive), with its source, article and confidence grade. A
//! check on a date uses the version in force on that date (DATE-05).

use chrono::NaiveDate;
use serde::Serialize;
use std::sync::OnceLock;

use crate::org::{OrgKind, Sector};

/// TERM-01: the constitution's range is 3 to 5 years.
pub const TERM_MAX_YEARS: i32 = 5;
/// TERM-04: postponement generally at most one year.
pub const TERM_MAX_SHIFT_YEARS: i32 = 1;

/// TERM-02: default term lengths.
pub fn default_term_years(kind: OrgKind, sector: Sector) -> i32 {
    if matches!(sector, Sector::Rural | Sector::Community) {
        return 5;
    }
    match kind {
        OrgKind::LocalCommittee | OrgKind::Committee | OrgKind::WorkingCommittee | OrgKind::OrgansCommittee => 5,
        _ => 3,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => return None,
        })
    }
    pub fn holds(self, lhs: i64, rhs: i64) -> bool {
        match self {
            Op::Lt => lhs < rhs,
            Op::Le => lhs <= rhs,
            Op::Gt => lhs > rhs,
            Op::Ge => lhs >= rhs,
        }
    }
}

/// One version of one rule parameter.
#[derive(Debug, Clone)]
pub struct RuleVersion {
    pub rule_id: &'static str,
    pub param: &'static str,
    pub op: Op,
    pub value: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub severity: Severity,
    pub source: &'static str,
    pub article: &'static str,
    pub confidence: &'static str,
}

const DATA: &str = include_str!("../../../data/rules/structure.csv");
const LIFE_PARAMS: &str = include_str!("../../../data/rules/life_params.csv");

/// Every shipped rule version.
pub fn versions() -> &'static [RuleVersion] {
    static V: OnceLock<Vec<RuleVersion>> = OnceLock::new();
    V.get_or_init(|| {
        let mut v = parse_versions(DATA).expect("data/rules/structure.csv is valid (tested)");
        v.extend(parse_versions(LIFE_PARAMS).expect("data/rules/life_params.csv is valid (tested)"));
        v
    })
}

fn parse_versions(data: &'static str) -> Result<Vec<RuleVersion>, String> {
    let mut out = Vec::new();
    for (n, line) in data.lines().enumerate().filter(|(_, l)| !l.starts_with('#')).skip(1) {
        let f: Vec<&'static str> = line.split(',').collect();
        if f.len() != 10 {
            return Err(format!("line {}: expected 10 fields", n + 1));
        }
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("line {}: {e}", n + 1));
        out.push(RuleVersion {
            rule_id: f[0],
            param: f[1],
            op: Op::parse(f[2]).ok_or(format!("line {}: bad op", n + 1))?,
            value: f[3].parse().map_err(|_| format!("line {}: bad value", n + 1))?,
            valid_from: date(f[4])?,
            valid_to: if f[5].is_empty() { None } else { Some(date(f[5])?) },
            severity: match f[6] {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                _ => return Err(format!("line {}: bad severity", n + 1)),
            },
            source: f[7],
            article: f[8],
            confidence: f[9],
        });
    }
    Ok(out)
}

/// The version of `rule_id` in force on `on`, if any.
pub fn in_force(rule_id: &str, on: NaiveDate) -> Option<&'static RuleVersion> {
    versions().iter().find(|v| v.rule_id == rule_id && v.valid_from <= on && v.valid_to.is_none_or(|t| on < t))
}

/// What the structural checks need to know about one organization.
#[derive(Debug, Clone)]
pub struct OrgFacts {
    pub kind: OrgKind,
    pub has_committee: bool,
    pub term_end: Option<NaiveDate>,
    /// Current full members directly in this organization (for a branch: including its 党小组).
    pub full_members: i64,
    /// All current members in the subtree.
    pub subtree_members: i64,
}

/// A structural finding, with the rule that produced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule_id: &'static str,
    pub severity: Severity,
    pub message: String,
    pub source: String,
}

fn finding(v: &RuleVersion, message: String) -> Finding {
    Finding { rule_id: v.rule_id, severity: v.severity, message, source: format!("{} {}", v.source, v.article) }
}

/// Evaluate the structural rules for one organization on a date.
pub fn check_structure(f: &OrgFacts, on: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    if f.kind.is_branch() {
        if let Some(v) = in_force("ORG-01", on) {
            if v.op.holds(f.full_members, v.value) {
                out.push(finding(
                    v,
                    format!("正式党员仅 {} 名，少于 {} 名，不符合单独成立党支部的条件", f.full_members, v.value),
                ));
            }
        }
        if let Some(v) = in_force("ORG-05", on) {
            if v.op.holds(f.full_members, v.value) && !f.has_committee {
                out.push(finding(v, format!("正式党员 {} 名，达到 {} 名，应设立支部委员会", f.full_members, v.value)));
            }
        }
        if let Some(v) = in_force("ORG-02", on) {
            if v.op.holds(f.subtree_members, v.value) {
                out.push(finding(v, format!("党员 {} 名，超过 {} 名，一般应分设党支部", f.subtree_members, v.value)));
            }
        }
    }
    if f.kind == OrgKind::Committee {
        if let Some(v) = in_force("ORG-06", on) {
            if v.op.holds(f.subtree_members, v.value) {
                out.push(finding(
                    v,
                    format!("党员 {} 名，不足 {} 名设立党委，需经上级党组织批准", f.subtree_members, v.value),
                ));
            }
        }
    }
    if f.kind == OrgKind::GeneralBranch {
        if let Some(v) = in_force("ORG-07", on) {
            if v.op.holds(f.subtree_members, v.value) {
                out.push(finding(
                    v,
                    format!("党员 {} 名，不足 {} 名设立党总支，需经上级党组织批准", f.subtree_members, v.value),
                ));
            }
        }
    }
    if f.kind.is_grassroots() {
        if let Some(end) = f.term_end {
            let days = (end - on).num_days();
            if let Some(v) = in_force("TERM-04", on).filter(|v| v.op.holds(-days, v.value)) {
                out.push(finding(v, format!("本届任期已于 {end} 届满 {} 天，应按期换届", -days)));
            } else if let Some(v) = in_force("TERM-05", on).filter(|v| days >= 0 && v.op.holds(days, v.value)) {
                out.push(finding(v, format!("本届任期将于 {end} 届满（还有 {days} 天），请准备换届")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn branch(full: i64, total: i64, committee: bool) -> OrgFacts {
        OrgFacts {
            kind: OrgKind::Branch,
            has_committee: committee,
            term_end: None,
            full_members: full,
            subtree_members: total,
        }
    }
    fn ids(v: &[Finding]) -> Vec<&str> {
        v.iter().map(|f| f.rule_id).collect()
    }
    const ON: &str = "2026-11-21";

    #[test]
    fn shipped_rules_parse() {
        assert!(versions().len() >= 7);
        assert!(in_force("ORG-01", d(ON)).is_some());
        // before the 支部条例 took effect, its rules were not in force (DATE-05)
        assert!(in_force("ORG-01", d("2010-01-01")).is_none());
    }

    /// ORG-01: fewer than 3 full members (3 is enough).
    #[test]
    fn org_01_too_few_full_members() {
        assert_eq!(ids(&check_structure(&branch(2, 4, false), d(ON))), vec!["ORG-01"]);
        assert!(check_structure(&branch(3, 3, false), d(ON)).is_empty());
    }

    /// ORG-05: 7 or more full members need a committee.
    #[test]
    fn org_05_committee() {
        assert_eq!(ids(&check_structure(&branch(7, 8, false), d(ON))), vec!["ORG-05"]);
        assert!(check_structure(&branch(7, 8, true), d(ON)).is_empty());
        assert!(check_structure(&branch(6, 9, false), d(ON)).is_empty());
    }

    /// ORG-02: more than 50 members (50 is fine).
    #[test]
    fn org_02_too_large() {
        assert!(check_structure(&branch(45, 50, true), d(ON)).is_empty());
        assert_eq!(ids(&check_structure(&branch(45, 51, true), d(ON))), vec!["ORG-02"]);
    }

    /// ORG-06 / ORG-07: committees and general branches below their thresholds.
    #[test]
    fn org_06_07_thresholds() {
        let mut f = OrgFacts {
            kind: OrgKind::Committee,
            has_committee: true,
            term_end: None,
            full_members: 0,
            subtree_members: 99,
        };
        assert_eq!(ids(&check_structure(&f, d(ON))), vec!["ORG-06"]);
        f.subtree_members = 100;
        assert!(check_structure(&f, d(ON)).is_empty());
        f.kind = OrgKind::GeneralBranch;
        f.subtree_members = 49;
        assert_eq!(ids(&check_structure(&f, d(ON))), vec!["ORG-07"]);
    }

    /// TERM-04 / TERM-05: term ended is an error, ending within 90 days a warning.
    #[test]
    fn term_reminders() {
        let mut f = branch(5, 5, false);
        f.term_end = Some(d("2026-11-20"));
        let v = check_structure(&f, d(ON));
        assert_eq!(ids(&v), vec!["TERM-04"]);
        assert_eq!(v[0].severity, Severity::Error);
        f.term_end = Some(d("2027-02-19")); // 90 days ahead
        assert_eq!(ids(&check_structure(&f, d(ON))), vec!["TERM-05"]);
        f.term_end = Some(d("2027-02-20")); // 91 days ahead
        assert!(check_structure(&f, d(ON)).is_empty());
        f.term_end = Some(d(ON)); // ends today: reminder, not overdue
        assert_eq!(ids(&check_structure(&f, d(ON))), vec!["TERM-05"]);
    }
}
