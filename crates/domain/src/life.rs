//! Organization life (三会一课 and the rest): the types of meeting, the frequency rules as dated
//! data, the checks made when a record is entered, and the compliance engine that judges any
//! subtree for any period (RULES.md LIFE and REC).
//!
//! Everything here is pure: the store hands in the organizations, the records and the roster, and
//! gets back verdicts that say which rule, which period and which records they rest on.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::Serialize;

use crate::error::FieldErrors;
use crate::org::OrgKind;
use crate::rules::Severity;

// ---------------------------------------------------------------------------------------------
// Types of organization life
// ---------------------------------------------------------------------------------------------

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

const TYPES_CSV: &str = include_str!("../../../data/rules/life_types.csv");
const RULES_CSV: &str = include_str!("../../../data/rules/life.csv");

fn data_lines(data: &str) -> impl Iterator<Item = (usize, &str)> {
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

// ---------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Month => "每月",
            PeriodKind::Quarter => "每季度",
            PeriodKind::Year => "每年",
        }
    }
}

/// One calendar period (RULES: periods are calendar months, quarters and years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];

impl Period {
    /// The period of `kind` that contains `d`.
    pub fn containing(kind: PeriodKind, d: NaiveDate) -> Period {
        let (y, m) = (d.year(), d.month());
        let (m0, months) = match kind {
            PeriodKind::Month => (m, 1),
            PeriodKind::Quarter => ((m - 1) / 3 * 3 + 1, 3),
            PeriodKind::Year => (1, 12),
        };
        let start = NaiveDate::from_ymd_opt(y, m0, 1).expect("valid month start");
        let end = crate::dates::add_months(start, months).pred_opt().expect("a day before");
        Period { kind, start, end }
    }
    /// Every period of `kind` that overlaps `[from, to]`.
    pub fn covering(kind: PeriodKind, from: NaiveDate, to: NaiveDate) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = Period::containing(kind, from);
        while p.start <= to {
            out.push(p);
            p = Period::containing(kind, p.end.succ_opt().expect("a next day"));
        }
        out
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
    /// `2026-03`, `2026-Q1`, `2026`.
    pub fn key(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}-{:02}", self.start.year(), self.start.month()),
            PeriodKind::Quarter => format!("{}-Q{}", self.start.year(), (self.start.month() - 1) / 3 + 1),
            PeriodKind::Year => format!("{}", self.start.year()),
        }
    }
    /// `2026年3月`, `2026年第一季度`, `2026年`.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.start.year(), self.start.month()),
            PeriodKind::Quarter => {
                format!("{}年第{}季度", self.start.year(), QUARTERS[((self.start.month() - 1) / 3) as usize])
            }
            PeriodKind::Year => format!("{}年", self.start.year()),
        }
    }
    /// Parse a key made by [`Period::key`].
    pub fn parse_key(s: &str) -> Option<Period> {
        let s = s.trim();
        if let Some((y, q)) = s.split_once("-Q") {
            let (y, q): (i32, u32) = (y.parse().ok()?, q.parse().ok()?);
            if !(1..=4).contains(&q) {
                return None;
            }
            return Some(Period::containing(PeriodKind::Quarter, NaiveDate::from_ymd_opt(y, q * 3 - 2, 1)?));
        }
        if let Some((y, m)) = s.split_once('-') {
            let d = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
            return Some(Period::containing(PeriodKind::Month, d));
        }
        let y: i32 = s.parse().ok()?;
        Some(Period::containing(PeriodKind::Year, NaiveDate::from_ymd_opt(y, 1, 1)?))
    }
}

// ---------------------------------------------------------------------------------------------
// Frequency rules
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Records: what is entered and the checks made on entry
// ---------------------------------------------------------------------------------------------

/// Review state of a record: draft → submitted → accepted, or returned with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Draft,
    Submitted,
    Accepted,
    Returned,
}

impl RecordStatus {
    pub const ALL: [RecordStatus; 4] =
        [RecordStatus::Draft, RecordStatus::Submitted, RecordStatus::Accepted, RecordStatus::Returned];
    pub fn code(self) -> &'static str {
        match self {
            RecordStatus::Draft => "draft",
            RecordStatus::Submitted => "submitted",
            RecordStatus::Accepted => "accepted",
            RecordStatus::Returned => "returned",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            RecordStatus::Draft => "草稿",
            RecordStatus::Submitted => "待审核",
            RecordStatus::Accepted => "已审核",
            RecordStatus::Returned => "已退回",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    /// May the organization still edit it?
    pub fn editable(self) -> bool {
        matches!(self, RecordStatus::Draft | RecordStatus::Returned)
    }
}

/// Attendance of one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attend {
    Present,
    Leave,
    Absent,
}

impl Attend {
    pub const ALL: [Attend; 3] = [Attend::Present, Attend::Leave, Attend::Absent];
    pub fn code(self) -> &'static str {
        match self {
            Attend::Present => "present",
            Attend::Leave => "leave",
            Attend::Absent => "absent",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Attend::Present => "出席",
            Attend::Leave => "请假",
            Attend::Absent => "缺席",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
}

/// A member of the organization on the meeting's date, as the store computed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterEntry {
    pub member_id: i64,
    pub name: String,
    /// A full member on that date (预备党员 attend but do not vote, REC-08).
    pub voter: bool,
    /// Holds a committee post.
    pub committee: bool,
}

/// Attendance as entered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttendanceInput {
    pub member_id: i64,
    /// `present`/`leave`/`absent` or 出席/请假/缺席.
    pub status: String,
    pub reason: String,
}

/// A resolution as entered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResolutionInput {
    pub text: String,
    pub yes: String,
    pub no: String,
    pub abstain: String,
    /// 举手 or 无记名投票.
    pub method: String,
    /// What the record declares (通过/未通过); checked against the votes when given.
    pub declared: Option<bool>,
}

/// A record as entered (text as typed, so a form can be shown again unchanged).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordInput {
    pub types: Vec<String>,
    pub title: String,
    pub held_on: String,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub lecturer: String,
    pub agenda: String,
    pub minutes: String,
    pub observers: String,
    pub attendance: Vec<AttendanceInput>,
    /// For types without a roster: numbers by hand.
    pub expected: String,
    pub present: String,
    pub leave: String,
    pub absent: String,
    pub resolutions: Vec<ResolutionInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attendance {
    pub member_id: i64,
    pub name: String,
    pub voter: bool,
    pub status: Attend,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub expected: i64,
    pub present: i64,
    pub leave: i64,
    pub absent: i64,
    pub voters_expected: i64,
    pub voters_present: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    pub text: String,
    pub voters_expected: i64,
    pub yes: i64,
    pub no: i64,
    pub abstain: i64,
    pub method: String,
    pub passed: bool,
}

/// A record that passed the entry checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidRecord {
    pub types: Vec<String>,
    pub title: String,
    pub held_on: NaiveDate,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub lecturer: Option<String>,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    pub observers: Option<String>,
    pub attendance: Vec<Attendance>,
    pub counts: Counts,
    /// `None` when no type of the record has a quorum rule.
    pub quorum_ok: Option<bool>,
    pub resolutions: Vec<Resolution>,
    /// Problems that do not stop saving (held without quorum), each naming its rule.
    pub warnings: Vec<String>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn count(raw: &str, field: &'static str, errs: &mut FieldErrors) -> i64 {
    let t = raw.trim();
    if t.is_empty() {
        return 0;
    }
    match t.parse::<i64>() {
        Ok(n) if (0..=100_000).contains(&n) => n,
        _ => {
            errs.push(field, format!("“{t}”不是有效的人数"));
            0
        }
    }
}

fn time(raw: &str, field: &'static str, errs: &mut FieldErrors) -> Option<NaiveTime> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    match NaiveTime::parse_from_str(t, "%H:%M") {
        Ok(v) => Some(v),
        Err(_) => {
            errs.push(field, format!("“{t}”不是有效的时间，应为 时:分，如 14:30"));
            None
        }
    }
}

/// Check a record on entry against its types, the organization's roster on the meeting's date
/// and the rules (REC-03…REC-11, LIFE-02, LIFE-04). Every problem is reported, each naming its
/// field and, where a rule decides it, the rule.
pub fn validate(
    input: &RecordInput,
    types: &[LifeType],
    roster: &[RosterEntry],
    today: NaiveDate,
) -> Result<ValidRecord, FieldErrors> {
    let mut errs = FieldErrors::default();
    let mut codes: Vec<String> = Vec::new();
    for c in &input.types {
        let c = c.trim();
        if c.is_empty() || codes.iter().any(|x| x == c) {
            continue;
        }
        if type_of(types, c).is_none() {
            errs.push("会议类型", format!("未知的会议类型“{c}”"));
        } else {
            codes.push(c.to_string());
        }
    }
    if codes.is_empty() && !errs.has("会议类型") {
        errs.push("会议类型", "请选择会议类型 (REC-02)");
    }
    let my_types: Vec<&LifeType> = codes.iter().filter_map(|c| type_of(types, c)).collect();
    let title = input.title.trim();
    if title.is_empty() {
        errs.push("会议主题", "请填写会议名称或主题 (REC-03)");
    } else if title.chars().count() > 200 {
        errs.push("会议主题", "不能超过 200 字");
    }
    let held_on = match crate::dates::parse_date(&input.held_on) {
        Ok(d) if d > today => {
            errs.push("会议日期", format!("{d} 晚于今天，只能登记已召开的会议 (REC-04)"));
            None
        }
        Ok(d) if d.year() < 2000 => {
            errs.push("会议日期", format!("{d} 过早"));
            None
        }
        Ok(d) => Some(d),
        Err(e) if input.held_on.trim().is_empty() => {
            let _ = e;
            errs.push("会议日期", "请填写会议日期 (REC-04)");
            None
        }
        Err(e) => {
            errs.push("会议日期", e);
            None
        }
    };
    let start = time(&input.start_time, "开始时间", &mut errs);
    let end = time(&input.end_time, "结束时间", &mut errs);
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            errs.push("结束时间", "应晚于开始时间");
        }
    }
    for (v, field, rule) in
        [(&input.place, "地点", "REC-05"), (&input.host, "主持人", "REC-06"), (&input.recorder, "记录人", "REC-07")]
    {
        if v.trim().is_empty() {
            errs.push(field, format!("请填写{field} ({rule})"));
        } else if v.trim().chars().count() > 100 {
            errs.push(field, "不能超过 100 字");
        }
    }
    let lecturer = opt(&input.lecturer);
    if my_types.iter().any(|t| t.lecturer) && lecturer.is_none() {
        errs.push("授课人", "党课须填写授课人 (REC-10)");
    }

    // attendance: an organization without members of its own (a 党委's 党课) enters numbers by hand
    let kind = match roster_kind(types, &codes) {
        RosterKind::Branch | RosterKind::Committee if roster.is_empty() && input.attendance.is_empty() => {
            RosterKind::None
        }
        k => k,
    };
    let expected_roster: Vec<&RosterEntry> = match kind {
        RosterKind::Branch => roster.iter().collect(),
        RosterKind::Committee => roster.iter().filter(|r| r.committee).collect(),
        RosterKind::None => vec![],
    };
    let mut attendance = Vec::new();
    let mut counts = Counts::default();
    if kind == RosterKind::None {
        counts.expected = count(&input.expected, "应到人数", &mut errs);
        counts.present = count(&input.present, "实到人数", &mut errs);
        counts.leave = count(&input.leave, "请假人数", &mut errs);
        counts.absent = count(&input.absent, "缺席人数", &mut errs);
        if counts.present + counts.leave + counts.absent > counts.expected {
            errs.push("实到人数", "实到、请假、缺席人数之和超过应到人数 (REC-08)");
        }
        counts.voters_expected = counts.expected;
        counts.voters_present = counts.present;
    } else if !input.attendance.is_empty() {
        let by_id: HashMap<i64, &RosterEntry> = expected_roster.iter().map(|r| (r.member_id, *r)).collect();
        let mut seen = std::collections::HashSet::new();
        let mut strangers = Vec::new();
        let mut no_reason = Vec::new();
        for a in &input.attendance {
            let Some(r) = by_id.get(&a.member_id) else {
                strangers.push(a.member_id);
                continue;
            };
            if !seen.insert(a.member_id) {
                continue;
            }
            let Some(status) = Attend::from_code(a.status.trim()) else {
                errs.push("出席情况", format!("{} 的出席情况“{}”无效，应为 出席、请假 或 缺席", r.name, a.status));
                continue;
            };
            let reason = a.reason.trim().to_string();
            if status != Attend::Present && reason.is_empty() {
                no_reason.push(r.name.clone());
            }
            attendance.push(Attendance {
                member_id: r.member_id,
                name: r.name.clone(),
                voter: r.voter,
                status,
                reason: if status == Attend::Present { String::new() } else { reason },
            });
        }
        if !strangers.is_empty() {
            let what = match kind {
                RosterKind::Committee => "支部委员",
                _ => "本组织党员",
            };
            errs.push(
                "出席情况",
                format!(
                    "{} 名登记人员在 {} 不是{what}，参会人员须为会议当日{what} (REC-08)",
                    strangers.len(),
                    held_on.map(|d| d.to_string()).unwrap_or_default()
                ),
            );
        }
        let missing: Vec<&str> =
            expected_roster.iter().filter(|r| !seen.contains(&r.member_id)).map(|r| r.name.as_str()).collect();
        if !missing.is_empty() && strangers.is_empty() {
            let shown: Vec<&str> = missing.iter().take(5).copied().collect();
            errs.push(
                "出席情况",
                format!(
                    "应到人员 {}{} 未登记出席情况 (REC-08)",
                    shown.join("、"),
                    if missing.len() > 5 { format!(" 等 {} 人", missing.len()) } else { String::new() }
                ),
            );
        }
        if !no_reason.is_empty() {
            let shown: Vec<&str> = no_reason.iter().take(5).map(String::as_str).collect();
            errs.push("出席情况", format!("请假或缺席须注明原因：{} (REC-08)", shown.join("、")));
        }
        counts.expected = expected_roster.len() as i64;
        counts.voters_expected = expected_roster.iter().filter(|r| r.voter).count() as i64;
        for a in &attendance {
            match a.status {
                Attend::Present => {
                    counts.present += 1;
                    if a.voter {
                        counts.voters_present += 1;
                    }
                }
                Attend::Leave => counts.leave += 1,
                Attend::Absent => counts.absent += 1,
            }
        }
    } else {
        // attendance not entered: the record is incomplete (a finding), the roster still counts
        counts.expected = expected_roster.len() as i64;
        counts.voters_expected = expected_roster.iter().filter(|r| r.voter).count() as i64;
    }

    // quorum: the strictest of the record's types
    let mut warnings = Vec::new();
    let mut quorum_ok = None;
    let mut quorum_rule = "";
    for t in &my_types {
        let (ok, msg) = match t.quorum {
            Quorum::None => continue,
            Quorum::Voters => (
                counts.voters_present * 2 > counts.voters_expected,
                format!(
                    "{}：到会有表决权党员 {} 名，未超过应到有表决权党员 {} 名的半数 ({})",
                    t.label, counts.voters_present, counts.voters_expected, t.rule
                ),
            ),
            Quorum::All => (
                counts.present * 2 > counts.expected,
                format!(
                    "{}：到会 {} 名，未超过应到 {} 名的半数 ({})",
                    t.label, counts.present, counts.expected, t.rule
                ),
            ),
        };
        if !input.attendance.is_empty() || kind == RosterKind::None {
            if !ok {
                warnings.push(format!("{msg}，会议不符合法定人数"));
                quorum_rule = if quorum_rule.is_empty() { &t.rule } else { quorum_rule };
            }
            quorum_ok = Some(quorum_ok.unwrap_or(true) && ok);
        }
    }

    // resolutions
    let mut resolutions = Vec::new();
    let votes_allowed = my_types.iter().any(|t| t.votes);
    for (i, r) in input.resolutions.iter().enumerate() {
        let text = r.text.trim();
        let blank = text.is_empty() && r.yes.trim().is_empty() && r.no.trim().is_empty() && r.abstain.trim().is_empty();
        if blank {
            continue;
        }
        let n = i + 1;
        if !votes_allowed {
            errs.push("决议", format!("第 {n} 项：{}不作表决", codes_label(types, &codes)));
            continue;
        }
        if text.is_empty() {
            errs.push("决议", format!("第 {n} 项：请填写决议内容"));
        }
        let mut e = FieldErrors::default();
        let yes = count(&r.yes, "决议", &mut e);
        let no = count(&r.no, "决议", &mut e);
        let abstain = count(&r.abstain, "决议", &mut e);
        if !e.is_empty() {
            errs.push("决议", format!("第 {n} 项：票数应为非负整数"));
            continue;
        }
        let voters_present = if kind == RosterKind::Committee { counts.present } else { counts.voters_present };
        let voters_expected = if kind == RosterKind::Committee { counts.expected } else { counts.voters_expected };
        if quorum_ok == Some(false) {
            errs.push(
                "决议",
                format!(
                    "第 {n} 项：到会人数未超过应到半数，不能进行表决 ({})",
                    if quorum_rule.is_empty() { "LIFE-02" } else { quorum_rule }
                ),
            );
            continue;
        }
        if yes + no + abstain > voters_present {
            errs.push(
                "决议",
                format!(
                    "第 {n} 项：赞成、反对、弃权合计 {} 票，超过到会有表决权人数 {voters_present}",
                    yes + no + abstain
                ),
            );
            continue;
        }
        let passed = yes * 2 > voters_expected;
        if r.declared == Some(true) && !passed {
            errs.push(
                "决议",
                format!(
                    "第 {n} 项：赞成 {yes} 票，未超过应到会有表决权党员 {voters_expected} 名的半数，不能通过 (LIFE-02)"
                ),
            );
            continue;
        }
        let method = match r.method.trim() {
            "" | "举手" | "举手表决" => "举手表决",
            "无记名" | "无记名投票" => "无记名投票",
            other => {
                errs.push("决议", format!("第 {n} 项：表决方式“{other}”无效，应为 举手表决 或 无记名投票 (REC-11)"));
                continue;
            }
        };
        resolutions.push(Resolution {
            text: text.to_string(),
            voters_expected,
            yes,
            no,
            abstain,
            method: method.to_string(),
            passed,
        });
    }
    for (v, field, max) in
        [(&input.agenda, "议程", 2_000), (&input.minutes, "会议纪要", 20_000), (&input.observers, "列席人员", 500)]
    {
        if v.trim().chars().count() > max {
            errs.push(field, format!("不能超过 {max} 字"));
        }
    }
    let held_on = match held_on {
        Some(d) if errs.is_empty() => d,
        _ => return Err(errs),
    };
    errs.into_result(ValidRecord {
        types: codes,
        title: title.to_string(),
        held_on,
        start_time: start.map(|t| t.format("%H:%M").to_string()),
        end_time: end.map(|t| t.format("%H:%M").to_string()),
        place: input.place.trim().to_string(),
        host: input.host.trim().to_string(),
        recorder: input.recorder.trim().to_string(),
        lecturer,
        agenda: opt(&input.agenda),
        minutes: opt(&input.minutes),
        observers: opt(&input.observers),
        attendance,
        counts,
        quorum_ok,
        resolutions,
        warnings,
    })
}

/// `支部党员大会、主题党日`.
pub fn codes_label(types: &[LifeType], codes: &[String]) -> String {
    codes.iter().map(|c| type_of(types, c).map_or(c.as_str(), |t| t.label.as_str())).collect::<Vec<_>>().join("、")
}

// ---------------------------------------------------------------------------------------------
// The compliance engine
// ---------------------------------------------------------------------------------------------

/// What the engine needs to know about one organization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgLife {
    pub id: i64,
    pub path: String,
    pub name: String,
    pub kind: OrgKind,
    pub has_committee: bool,
    pub founded_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    /// For a 党组: its members' party-building work division is recorded.
    pub has_division: bool,
}

/// What the engine needs to know about one record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFacts {
    pub id: i64,
    pub org_id: i64,
    pub types: Vec<String>,
    pub title: String,
    pub held_on: NaiveDate,
    pub created_on: NaiveDate,
    pub status: RecordStatus,
    pub quorum_ok: Option<bool>,
    pub has_minutes: bool,
    pub has_attendance: bool,
}

/// Engine parameters, from the rules in force (LIFE-14, REC-15, REC-16) unless configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Params {
    pub silent_days: i64,
    pub entry_grace_days: i64,
    pub review_days: i64,
}

impl Params {
    /// The shipped values in force on `on`.
    pub fn in_force(on: NaiveDate) -> Params {
        let v = |id: &str, d: i64| crate::rules::in_force(id, on).map_or(d, |r| r.value);
        Params { silent_days: v("LIFE-14", 30), entry_grace_days: v("REC-15", 10), review_days: v("REC-16", 30) }
    }
}

/// How one period stands for one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellState {
    /// Enough held.
    Met,
    /// The period is over and not enough was held.
    Missing,
    /// The period is running and not enough is held yet.
    Open,
    /// The period has not begun.
    Upcoming,
    /// The organization did not exist for the whole period.
    Exempt,
}

impl CellState {
    pub fn label(self) -> &'static str {
        match self {
            CellState::Met => "已召开",
            CellState::Missing => "未召开",
            CellState::Open => "待召开",
            CellState::Upcoming => "未到期",
            CellState::Exempt => "不适用",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            CellState::Met => "met",
            CellState::Missing => "missing",
            CellState::Open => "open",
            CellState::Upcoming => "upcoming",
            CellState::Exempt => "exempt",
        }
    }
}

/// One period of one type for one organization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub period: Period,
    pub key: String,
    pub label: String,
    pub rule_id: String,
    pub min: i64,
    pub held: i64,
    pub state: CellState,
    /// The records counted.
    pub records: Vec<i64>,
}

/// One type's periods for one organization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeLine {
    pub type_code: String,
    pub label: String,
    pub cells: Vec<Cell>,
    /// Periods that fell due (over, or met already).
    pub due: i64,
    /// Of those, met.
    pub met: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Missing,
    NoQuorum,
    Incomplete,
    Unreviewed,
    Late,
    Silent,
    NoDivision,
}

impl FindingKind {
    pub const ALL: [FindingKind; 7] = [
        FindingKind::Missing,
        FindingKind::NoQuorum,
        FindingKind::Incomplete,
        FindingKind::Unreviewed,
        FindingKind::Late,
        FindingKind::Silent,
        FindingKind::NoDivision,
    ];
    pub fn code(self) -> &'static str {
        match self {
            FindingKind::Missing => "missing",
            FindingKind::NoQuorum => "no_quorum",
            FindingKind::Incomplete => "incomplete",
            FindingKind::Unreviewed => "unreviewed",
            FindingKind::Late => "late",
            FindingKind::Silent => "silent",
            FindingKind::NoDivision => "no_division",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Missing => "未按期召开",
            FindingKind::NoQuorum => "未达法定人数",
            FindingKind::Incomplete => "记录不完整",
            FindingKind::Unreviewed => "记录未审核",
            FindingKind::Late => "逾期录入",
            FindingKind::Silent => "静默组织",
            FindingKind::NoDivision => "党建工作分工未记录",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// A record cited as evidence, with why it was or was not counted.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct EvidenceRecord {
    pub id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    pub note: String,
}

/// Why a finding was made.
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
pub struct Evidence {
    /// The rule as applied: `每季度至少 1 次`, a threshold, …
    pub requirement: String,
    pub counted: Vec<EvidenceRecord>,
    pub excluded: Vec<EvidenceRecord>,
}

/// One finding, explainable: the rule (ID and source), the period, the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub org_id: i64,
    pub kind: FindingKind,
    pub rule_id: String,
    pub source: String,
    pub severity: Severity,
    pub type_code: Option<String>,
    pub period_key: Option<String>,
    pub period_label: Option<String>,
    pub record_id: Option<i64>,
    pub message: String,
    pub evidence: Evidence,
}

/// The verdict for one organization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgCompliance {
    pub org_id: i64,
    pub lines: Vec<TypeLine>,
    pub findings: Vec<Finding>,
    pub due: i64,
    pub met: i64,
    /// Meetings counted in the range.
    pub held: i64,
    pub last_activity: Option<NaiveDate>,
}

impl OrgCompliance {
    /// Met share of due periods, 0–100, `None` when nothing fell due.
    pub fn rate(&self) -> Option<f64> {
        (self.due > 0).then(|| self.met as f64 * 100.0 / self.due as f64)
    }
}

fn evidence_of(r: &RecordFacts, note: impl Into<String>) -> EvidenceRecord {
    EvidenceRecord { id: r.id, held_on: r.held_on, title: r.title.clone(), note: note.into() }
}

fn param_rule(id: &str, on: NaiveDate) -> (String, Severity) {
    crate::rules::in_force(id, on).map_or_else(
        || (String::new(), Severity::Warning),
        |v| {
            (
                if v.article.is_empty() || v.article == "—" {
                    v.source.to_string()
                } else {
                    format!("{} {}", v.source, v.article)
                },
                v.severity,
            )
        },
    )
}

/// Why a record does not count toward a type's frequency, if it does not.
fn exclusion(r: &RecordFacts, t: &LifeType) -> Option<String> {
    if r.status == RecordStatus::Returned {
        return Some("记录已被上级退回，不计入".into());
    }
    if t.quorum != Quorum::None && r.quorum_ok == Some(false) {
        return Some(format!("到会人数未超过应到半数 ({})，不计入", t.rule));
    }
    None
}

/// Judge organizations over `[from, to]` as of `as_of` (periods ending before `as_of` are over).
/// `records` may hold records of other organizations and dates; they are ignored.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    orgs: &[OrgLife],
    records: &[RecordFacts],
    rules: &[LifeRule],
    types: &[LifeType],
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: Params,
) -> Vec<OrgCompliance> {
    let mut by_org: HashMap<i64, Vec<&RecordFacts>> = HashMap::new();
    for r in records {
        by_org.entry(r.org_id).or_default().push(r);
    }
    for v in by_org.values_mut() {
        v.sort_by_key(|r| (r.held_on, r.id));
    }
    let periods: Vec<(PeriodKind, Vec<Period>)> =
        PeriodKind::ALL.iter().map(|k| (*k, Period::covering(*k, from, to))).collect();
    let mut sorted_types: Vec<&LifeType> = types.iter().collect();
    sorted_types.sort_by_key(|t| (t.sort, t.code.clone()));
    let empty = Vec::new();
    orgs.iter()
        .map(|o| {
            let recs = by_org.get(&o.id).unwrap_or(&empty);
            judge(o, recs, rules, &sorted_types, &periods, from, to, as_of, params)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn judge(
    o: &OrgLife,
    recs: &[&RecordFacts],
    rules: &[LifeRule],
    types: &[&LifeType],
    periods: &[(PeriodKind, Vec<Period>)],
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: Params,
) -> OrgCompliance {
    let mut lines = Vec::new();
    let mut findings = Vec::new();
    let in_range: Vec<&RecordFacts> = recs.iter().copied().filter(|r| from <= r.held_on && r.held_on <= to).collect();
    for t in types {
        let mut cells = Vec::new();
        for (kind, ps) in periods {
            for p in ps {
                let Some(rule) = rule_for(rules, &t.code, &o.path, o.kind, o.has_committee, p.start) else {
                    continue;
                };
                if rule.period != *kind || rule.min <= 0 {
                    continue;
                }
                let mut counted = Vec::new();
                let mut excluded = Vec::new();
                for r in in_range.iter().filter(|r| p.contains(r.held_on) && r.types.iter().any(|c| c == &t.code)) {
                    match exclusion(r, t) {
                        None => counted.push(*r),
                        Some(why) => excluded.push(evidence_of(r, why)),
                    }
                }
                let exists_all_period =
                    o.founded_on.is_none_or(|f| f <= p.start) && o.dissolved_on.is_none_or(|d| d > p.end);
                let held = counted.len() as i64;
                let state = if !exists_all_period {
                    CellState::Exempt
                } else if held >= rule.min {
                    CellState::Met
                } else if p.end < as_of {
                    CellState::Missing
                } else if p.start <= as_of {
                    CellState::Open
                } else {
                    CellState::Upcoming
                };
                if state == CellState::Missing {
                    findings.push(Finding {
                        org_id: o.id,
                        kind: FindingKind::Missing,
                        rule_id: rule.rule_id.clone(),
                        source: rule.citation(),
                        severity: rule.severity,
                        type_code: Some(t.code.clone()),
                        period_key: Some(p.key()),
                        period_label: Some(p.label()),
                        record_id: None,
                        message: format!(
                            "{}{}应召开{}至少 {} 次，{}",
                            p.label(),
                            if rule.org_name.is_some() { "按本地规定" } else { "" },
                            t.label,
                            rule.min,
                            if held == 0 { "未见记录".to_string() } else { format!("仅 {held} 次") }
                        ),
                        evidence: Evidence {
                            requirement: format!(
                                "{}：{}{}（{} 起施行）",
                                rule.rule_id,
                                rule.describe(),
                                rule.org_name.as_deref().map(|n| format!("，{n}规定")).unwrap_or_default(),
                                rule.valid_from
                            ),
                            counted: counted.iter().map(|r| evidence_of(r, "计入")).collect(),
                            excluded,
                        },
                    });
                }
                cells.push(Cell {
                    key: p.key(),
                    label: p.label(),
                    period: *p,
                    rule_id: rule.rule_id.clone(),
                    min: rule.min,
                    held,
                    state,
                    records: counted.iter().map(|r| r.id).collect(),
                });
            }
        }
        if cells.is_empty() {
            continue;
        }
        cells.sort_by_key(|c| (c.period.start, c.period.kind));
        let due = cells.iter().filter(|c| matches!(c.state, CellState::Met | CellState::Missing)).count() as i64;
        let met = cells.iter().filter(|c| c.state == CellState::Met).count() as i64;
        lines.push(TypeLine { type_code: t.code.clone(), label: t.label.clone(), cells, due, met });
    }

    // record-level findings
    for r in &in_range {
        let label = r
            .types
            .iter()
            .map(|c| types.iter().find(|t| &t.code == c).map_or(c.as_str(), |t| t.label.as_str()))
            .collect::<Vec<_>>()
            .join("、");
        if r.status == RecordStatus::Returned {
            continue;
        }
        if r.quorum_ok == Some(false) {
            let t =
                r.types.iter().filter_map(|c| types.iter().find(|t| &t.code == c)).find(|t| t.quorum != Quorum::None);
            let rule = t.map_or("LIFE-02".to_string(), |t| t.rule.clone());
            let source = if rule == "LIFE-04" {
                "《中国共产党支部工作条例（试行）》 第十二条"
            } else {
                "《中国共产党支部工作条例（试行）》 第十一条"
            };
            findings.push(record_finding(
                o,
                r,
                FindingKind::NoQuorum,
                &rule,
                source.to_string(),
                Severity::Error,
                format!("{} {}“{}”到会人数未超过应到半数，不计入召开次数", r.held_on, label, r.title),
                "到会人数须超过应到人数的半数".into(),
            ));
        }
        if !r.has_minutes {
            let (source, sev) = param_rule("REC-10", r.held_on);
            findings.push(record_finding(
                o,
                r,
                FindingKind::Incomplete,
                "REC-10",
                source,
                sev,
                format!("{} {}“{}”缺少会议纪要", r.held_on, label, r.title),
                "会议记录应有主要内容（发言摘要、党课授课人与题目）".into(),
            ));
        }
        let has_roster =
            r.types.iter().filter_map(|c| types.iter().find(|t| &t.code == c)).any(|t| t.roster != RosterKind::None);
        if has_roster && !r.has_attendance {
            let (source, sev) = param_rule("REC-08", r.held_on);
            findings.push(record_finding(
                o,
                r,
                FindingKind::Incomplete,
                "REC-08",
                source,
                sev,
                format!("{} {}“{}”未登记出席情况", r.held_on, label, r.title),
                "会议记录应有应到、实到、缺席人员及原因".into(),
            ));
        }
        if matches!(r.status, RecordStatus::Draft | RecordStatus::Submitted)
            && (as_of - r.held_on).num_days() > params.review_days
        {
            let (source, sev) = param_rule("REC-16", as_of);
            let what = if r.status == RecordStatus::Draft {
                "仍是草稿，未提交上级审核"
            } else {
                "已提交，上级尚未审核"
            };
            findings.push(record_finding(
                o,
                r,
                FindingKind::Unreviewed,
                "REC-16",
                source,
                sev,
                format!("{} {}“{}”{}（会后已 {} 天）", r.held_on, label, r.title, what, (as_of - r.held_on).num_days()),
                format!("会后 {} 天内应完成提交与审核", params.review_days),
            ));
        }
        let lag = (r.created_on - r.held_on).num_days();
        if lag > params.entry_grace_days {
            let (source, sev) = param_rule("REC-15", r.held_on);
            findings.push(record_finding(
                o,
                r,
                FindingKind::Late,
                "REC-15",
                source,
                sev,
                format!("{} {}“{}”在会后 {lag} 天（{}）才录入", r.held_on, label, r.title, r.created_on),
                format!("会后 {} 天内录入", params.entry_grace_days),
            ));
        }
    }

    // silence: branches with no recorded activity for silent_days up to the end of the range
    let last_activity = recs
        .iter()
        .filter(|r| r.status != RecordStatus::Returned && r.held_on <= to.min(as_of))
        .map(|r| r.held_on)
        .max();
    let judge_day = to.min(as_of);
    let since = judge_day - chrono::Duration::days(params.silent_days);
    if o.kind.is_branch()
        && o.founded_on.is_none_or(|f| f <= since)
        && o.dissolved_on.is_none_or(|d| d > judge_day)
        && last_activity.is_none_or(|d| d <= since)
    {
        let (source, sev) = param_rule("LIFE-14", judge_day);
        let last =
            recs.iter().filter(|r| Some(r.held_on) == last_activity).map(|r| evidence_of(r, "最近一次活动")).collect();
        findings.push(Finding {
            org_id: o.id,
            kind: FindingKind::Silent,
            rule_id: "LIFE-14".into(),
            source,
            severity: sev,
            type_code: None,
            period_key: None,
            period_label: Some(format!("{since} 至 {judge_day}")),
            record_id: None,
            message: match last_activity {
                Some(d) => format!("自 {d} 以来 {} 天无组织生活记录", (judge_day - d).num_days()),
                None => "没有任何组织生活记录".to_string(),
            },
            evidence: Evidence {
                requirement: format!("LIFE-14：连续 {} 天无组织生活记录即为静默组织", params.silent_days),
                counted: last,
                excluded: vec![],
            },
        });
    }
    if o.kind == OrgKind::LeadingGroup && !o.has_division && o.dissolved_on.is_none() {
        let (source, sev) = param_rule("LIFE-15", judge_day);
        findings.push(Finding {
            org_id: o.id,
            kind: FindingKind::NoDivision,
            rule_id: "LIFE-15".into(),
            source,
            severity: sev,
            type_code: None,
            period_key: None,
            period_label: None,
            record_id: None,
            message: "党组成员党建工作分工未记录".into(),
            evidence: Evidence {
                requirement: "LIFE-15：党组应明确并记录成员的党建工作分工".into(),
                ..Default::default()
            },
        });
    }
    let due = lines.iter().map(|l| l.due).sum();
    let met = lines.iter().map(|l| l.met).sum();
    let held = in_range.iter().filter(|r| r.status != RecordStatus::Returned).count() as i64;
    OrgCompliance { org_id: o.id, lines, findings, due, met, held, last_activity }
}

#[allow(clippy::too_many_arguments)]
fn record_finding(
    o: &OrgLife,
    r: &RecordFacts,
    kind: FindingKind,
    rule_id: &str,
    source: String,
    severity: Severity,
    message: String,
    requirement: String,
) -> Finding {
    let p = Period::containing(PeriodKind::Month, r.held_on);
    Finding {
        org_id: o.id,
        kind,
        rule_id: rule_id.to_string(),
        source,
        severity,
        type_code: r.types.first().cloned(),
        period_key: Some(p.key()),
        period_label: Some(p.label()),
        record_id: Some(r.id),
        message,
        evidence: Evidence {
            requirement: format!("{rule_id}：{requirement}"),
            counted: vec![evidence_of(r, "")],
            excluded: vec![],
        },
    }
}

/// What falls due for an organization around a date: each type's period that contains `on`,
/// with how it stands (the calendar and the to-dos).
pub fn due_on(c: &OrgCompliance, on: NaiveDate) -> Vec<(&TypeLine, &Cell)> {
    let mut out = Vec::new();
    for l in &c.lines {
        for cell in &l.cells {
            if cell.period.contains(on) {
                out.push((l, cell));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
