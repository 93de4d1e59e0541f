//! Types of organization life.

use std::sync::OnceLock;

use serde::Serialize;

use crate::org::OrgKind;

/// Whose attendance a meeting of a type records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterKind {
    /// Every member of the organization (for a branch: including its 党小组) on the date.
    Branch,
    /// The branch committee: members whose 党内职务 is a committee post.
    Committee,
    /// No roster (谈心谈话, leadership-group meetings): numbers are entered by hand.
    None,
}

impl RosterKind {
    pub fn code(self) -> &'static str {
        match self {
            RosterKind::Branch => "branch",
            RosterKind::Committee => "committee",
            RosterKind::None => "none",
        }
    }
    /// Whose attendance it records, in words.
    pub fn label(self) -> &'static str {
        match self {
            RosterKind::Branch => "本组织全体党员",
            RosterKind::Committee => "支部委员",
            RosterKind::None => "不按名册（手工填写人数）",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Some(match s {
            "branch" => RosterKind::Branch,
            "committee" => RosterKind::Committee,
            "none" => RosterKind::None,
            _ => return None,
        })
    }
    fn width(self) -> u8 {
        match self {
            RosterKind::Branch => 2,
            RosterKind::Committee => 1,
            RosterKind::None => 0,
        }
    }
}

/// The quorum a type of meeting needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quorum {
    /// More than half of the members with a vote (full members) present (LIFE-02).
    Voters,
    /// More than half of those who should attend present (LIFE-04, 支委会).
    All,
    None,
}

impl Quorum {
    pub fn code(self) -> &'static str {
        match self {
            Quorum::Voters => "voters",
            Quorum::All => "all",
            Quorum::None => "none",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Some(match s {
            "voters" => Quorum::Voters,
            "all" => Quorum::All,
            "none" => Quorum::None,
            _ => return None,
        })
    }
}

/// A type of organization life. The shipped list is `data/rules/life_types.csv`; a deployment
/// adds local types in the database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifeType {
    pub code: String,
    pub label: String,
    pub roster: RosterKind,
    pub quorum: Quorum,
    /// Resolutions may be voted on.
    pub votes: bool,
    /// A lecturer (授课人) is required.
    pub lecturer: bool,
    pub sort: i64,
    /// The rule the quorum check cites.
    pub rule: String,
    /// Added by this deployment (not shipped).
    pub local: bool,
}

const TYPES_CSV: &str = include_str!("../../../../data/rules/life_types.csv");
pub(crate) const RULES_CSV: &str = include_str!("../../../../data/rules/life.csv");

pub(crate) fn data_lines(data: &str) -> impl Iterator<Item = (usize, &str)> {
    data.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()).skip(1)
}

/// Parse a types file (the shipped format).
pub fn parse_types(data: &str) -> Result<Vec<LifeType>, String> {
    let mut out = Vec::new();
    for (n, line) in data_lines(data) {
        let f: Vec<&str> = line.split(',').collect();
        let at = |m: &str| format!("第 {} 行：{m}", n + 1);
        if f.len() != 8 {
            return Err(at("应有 8 列"));
        }
        out.push(LifeType {
            code: f[0].to_string(),
            label: f[1].to_string(),
            roster: RosterKind::from_code(f[2]).ok_or_else(|| at("roster 无效"))?,
            quorum: Quorum::from_code(f[3]).ok_or_else(|| at("quorum 无效"))?,
            votes: f[4] == "1",
            lecturer: f[5] == "1",
            sort: f[6].parse().map_err(|_| at("sort 无效"))?,
            rule: f[7].to_string(),
            local: false,
        });
    }
    Ok(out)
}

/// The shipped types.
pub fn shipped_types() -> &'static [LifeType] {
    static T: OnceLock<Vec<LifeType>> = OnceLock::new();
    T.get_or_init(|| parse_types(TYPES_CSV).expect("data/rules/life_types.csv is valid (tested)"))
}

/// A type code: lower-case ASCII letters, digits and `_`, 2 to 40 characters.
pub fn valid_type_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && code.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Find a type by code.
pub fn type_of<'a>(types: &'a [LifeType], code: &str) -> Option<&'a LifeType> {
    types.iter().find(|t| t.code == code)
}

/// The roster a record of these types takes its attendance from: the widest of its types.
pub fn roster_kind(types: &[LifeType], codes: &[String]) -> RosterKind {
    codes
        .iter()
        .filter_map(|c| type_of(types, c))
        .map(|t| t.roster)
        .max_by_key(|r| r.width())
        .unwrap_or(RosterKind::None)
}

/// Does an organization of this kind record organization life of its own? Branches and 党小组,
/// grassroots committees and 党总支, and 党组 do; a 地方党委 (市委、县委) records through them.
pub fn records_life(kind: OrgKind) -> bool {
    kind.holds_members() || kind.is_grassroots() || kind == OrgKind::LeadingGroup
}

/// Is this 党内职务 a seat on the branch committee?
pub fn is_committee_post(post: &str) -> bool {
    let p = post.trim();
    p.contains("书记") || p.contains("委员")
}
