//! Frequency rules.

use std::sync::OnceLock;

use chrono::NaiveDate;
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
