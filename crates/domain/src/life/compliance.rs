//! The compliance engine.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::org::OrgKind;
use crate::rules::Severity;

use super::*;

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
    /// The terms of its 书记 (班子成员), for the secretary's own yearly 党课 (LIFE-06S).
    pub secretaries: Vec<crate::officer::Term>,
}

/// What the engine needs to know about one record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFacts {
    pub id: i64,
    pub org_id: i64,
    /// The organization's path (a secretary's 党课 counts anywhere in the subtree, LIFE-06S).
    pub path: String,
    pub types: Vec<String>,
    pub title: String,
    pub held_on: NaiveDate,
    pub created_on: NaiveDate,
    pub status: RecordStatus,
    pub quorum_ok: Option<bool>,
    pub has_minutes: bool,
    pub has_attendance: bool,
    /// Both the start and the end time are recorded (REC-04).
    pub has_times: bool,
    /// The agenda is recorded (REC-09).
    pub has_agenda: bool,
    /// Files kept with the record: the 签到表, photos, the signed minutes (REC-13).
    pub attachments: i64,
    /// 所属年度: the year a yearly meeting counts for (LIFE-18); `None` for the year it was held.
    pub belongs_to_year: Option<i32>,
    /// The member who gave a 党课, when known.
    pub lecturer_member_id: Option<i64>,
}

impl RecordFacts {
    /// Does the record count in this period: a yearly period by its 所属年度, any other by the
    /// date it was held.
    pub fn falls_in(&self, p: &Period) -> bool {
        match (p.kind, self.belongs_to_year) {
            (PeriodKind::Year, Some(y)) => y == p.start.year(),
            _ => p.contains(self.held_on),
        }
    }
}

/// Is a type's requirement, for this organization, the 书记's own 党课 (LIFE-06S: 党委（党组）书记
/// ≥1 党课 per year)? It is for a type that needs a lecturer, in a 基层党委, 党总支 or 党组: an
/// obligation of the person, met by a 党课 that secretary gave anywhere in the organization's
/// subtree (for a 党组, which has no subtree of its own, in the subtree of the organization it
/// sits under), judged against the 书记 of the lecture's date.
pub fn secretary_lecture(t: &LifeType, kind: OrgKind) -> bool {
    t.lecturer && (kind.is_committee() || matches!(kind, OrgKind::GeneralBranch | OrgKind::LeadingGroup))
}

/// Where a secretary's 党课 counts for an organization (see [`secretary_lecture`]).
fn lecture_root(o: &OrgLife) -> &str {
    if o.kind == OrgKind::LeadingGroup {
        crate::path::parent(&o.path).unwrap_or(&o.path)
    } else {
        &o.path
    }
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
    /// The period is over and not enough was held (for a yearly period: the 所属年度 window at
    /// the start of the next year has closed as well, LIFE-18).
    Missing,
    /// The period is running and not enough is held yet (a yearly one until its window closes).
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
    NoTimes,
    NoAgenda,
    NoAttachment,
}

impl FindingKind {
    pub const ALL: [FindingKind; 10] = [
        FindingKind::Missing,
        FindingKind::NoQuorum,
        FindingKind::Incomplete,
        FindingKind::NoTimes,
        FindingKind::NoAgenda,
        FindingKind::NoAttachment,
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
            FindingKind::NoTimes => "no_times",
            FindingKind::NoAgenda => "no_agenda",
            FindingKind::NoAttachment => "no_attachment",
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
            FindingKind::NoTimes => "未记录起止时间",
            FindingKind::NoAgenda => "未记录议程",
            FindingKind::NoAttachment => "未上传签到表等附件",
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

/// Judge organizations over `[from, to]` as of `as_of` (periods ending before `as_of` are over;
/// a yearly period once the 所属年度 window of `windows` at the start of the next year has closed
/// too, LIFE-18). `records` may hold records of other organizations and dates; they are ignored.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    orgs: &[OrgLife],
    records: &[RecordFacts],
    rules: &[LifeRule],
    windows: &[YearWindow],
    types: &[LifeType],
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: Params,
) -> Vec<OrgCompliance> {
    let records: Vec<&RecordFacts> = records.iter().collect();
    evaluate_refs(orgs, &records, rules, windows, types, from, to, as_of, params)
}

/// [`evaluate`] of records held elsewhere: what a kept evaluation brought up to date judges again
/// (only the organizations whose facts changed, against all the records of the subtree).
#[allow(clippy::too_many_arguments)]
pub fn evaluate_refs(
    orgs: &[OrgLife],
    records: &[&RecordFacts],
    rules: &[LifeRule],
    windows: &[YearWindow],
    types: &[LifeType],
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: Params,
) -> Vec<OrgCompliance> {
    // only what the organizations judged need: their records, and the 党课 of their 书记s
    let judged: std::collections::HashSet<i64> = orgs.iter().map(|o| o.id).collect();
    let secretaries: std::collections::HashSet<i64> =
        orgs.iter().flat_map(|o| o.secretaries.iter().map(|t| t.member_id)).collect();
    let mut by_org: HashMap<i64, Vec<&RecordFacts>> = HashMap::new();
    for r in records.iter().copied().filter(|r| judged.contains(&r.org_id)) {
        by_org.entry(r.org_id).or_default().push(r);
    }
    for v in by_org.values_mut() {
        v.sort_by_key(|r| (r.held_on, r.id));
    }
    let periods: Vec<(PeriodKind, Vec<Period>)> =
        PeriodKind::ALL.iter().map(|k| (*k, Period::covering(*k, from, to))).collect();
    let mut sorted_types: Vec<&LifeType> = types.iter().collect();
    sorted_types.sort_by_key(|t| (t.sort, t.code.clone()));
    // the 党课 each member gave, for the secretaries' own lectures (LIFE-06S)
    let mut lectures: HashMap<i64, Vec<&RecordFacts>> = HashMap::new();
    for r in records.iter().copied() {
        if let Some(m) = r.lecturer_member_id.filter(|m| secretaries.contains(m)) {
            lectures.entry(m).or_default().push(r);
        }
    }
    // in date order, whatever order the records came in
    for v in lectures.values_mut() {
        v.sort_by_key(|r| (r.held_on, r.id));
    }
    let empty = Vec::new();
    orgs.iter()
        .map(|o| {
            let recs = by_org.get(&o.id).unwrap_or(&empty);
            judge(o, recs, &lectures, rules, windows, &sorted_types, &periods, from, to, as_of, params)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn judge(
    o: &OrgLife,
    recs: &[&RecordFacts],
    lectures: &HashMap<i64, Vec<&RecordFacts>>,
    rules: &[LifeRule],
    windows: &[YearWindow],
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
    // the last day each year's yearly meetings may be held (LIFE-18), once per year
    let mut closes: HashMap<i32, NaiveDate> = HashMap::new();
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
                let by_secretary = secretary_lecture(t, o.kind) && !o.secretaries.is_empty();
                if by_secretary {
                    secretary_lectures(o, t, p, lectures, recs, &mut counted, &mut excluded);
                } else {
                    // a yearly period counts by 所属年度, so a record held early the next year
                    // (outside the range) may count here
                    let pool: &[&RecordFacts] = if p.kind == PeriodKind::Year { recs } else { &in_range };
                    for r in pool.iter().filter(|r| r.falls_in(p) && r.types.iter().any(|c| c == &t.code)) {
                        match exclusion(r, t) {
                            None => counted.push(*r),
                            Some(why) => excluded.push(evidence_of(r, why)),
                        }
                    }
                }
                let exists_all_period =
                    o.founded_on.is_none_or(|f| f <= p.start) && o.dissolved_on.is_none_or(|d| d > p.end);
                let held = counted.len() as i64;
                // a yearly meeting may still be held, and count for its year, until the window at
                // the start of the next year closes: before that the year is not missed yet
                let last_day = if p.kind == PeriodKind::Year {
                    *closes.entry(p.start.year()).or_insert_with(|| year_closes(windows, &o.path, p.start.year()))
                } else {
                    p.end
                };
                let state = if !exists_all_period {
                    CellState::Exempt
                } else if held >= rule.min {
                    CellState::Met
                } else if last_day < as_of {
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
                        message: if secretary_lecture(t, o.kind) {
                            let who = secretaries_in(o, p);
                            format!(
                                "{}{}书记{}应讲{}至少 {} 次，{}",
                                p.label(),
                                o.kind.label(),
                                if who.is_empty() { "（未登记班子成员）".to_string() } else { who },
                                t.label,
                                rule.min,
                                if held == 0 { "未见记录".to_string() } else { format!("仅 {held} 次") }
                            )
                        } else {
                            format!(
                                "{}{}应召开{}至少 {} 次，{}",
                                p.label(),
                                if rule.org_name.is_some() { "按本地规定" } else { "" },
                                t.label,
                                rule.min,
                                if held == 0 { "未见记录".to_string() } else { format!("仅 {held} 次") }
                            )
                        },
                        evidence: Evidence {
                            requirement: format!(
                                "{}：{}{}（{} 起施行）",
                                rule.rule_id,
                                rule.describe(),
                                rule.org_name.as_deref().map(|n| format!("，{n}规定")).unwrap_or_default(),
                                rule.valid_from
                            ),
                            counted: counted
                                .iter()
                                .map(|r| evidence_of(r, if by_secretary { "书记本人授课，计入" } else { "计入" }))
                                .collect(),
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
        if !r.has_times {
            let (source, sev) = param_rule("REC-04", r.held_on);
            findings.push(record_finding(
                o,
                r,
                FindingKind::NoTimes,
                "REC-04",
                source,
                sev,
                format!("{} {}“{}”未记录开始、结束时间", r.held_on, label, r.title),
                "会议记录应有日期与开始、结束时间".into(),
            ));
        }
        if !r.has_agenda {
            let (source, sev) = param_rule("REC-09", r.held_on);
            findings.push(record_finding(
                o,
                r,
                FindingKind::NoAgenda,
                "REC-09",
                source,
                sev,
                format!("{} {}“{}”未记录议程", r.held_on, label, r.title),
                "会议记录应有议程或议题".into(),
            ));
        }
        if r.attachments == 0 {
            let (source, sev) = param_rule("REC-13", r.held_on);
            findings.push(record_finding(
                o,
                r,
                FindingKind::NoAttachment,
                "REC-13",
                source,
                sev,
                format!("{} {}“{}”未上传签到表、照片等附件", r.held_on, label, r.title),
                "会议记录应有主持人、记录人签名和签到表、照片等附件（上传签字的记录页、签到表或现场照片）".into(),
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

/// The 党课 the organization's 书记 gave in a period, anywhere in the subtree where they count:
/// each of them counts when its lecturer was the 书记 on its date; the organization's own 党课
/// given by someone else are shown as not counted, with why.
fn secretary_lectures<'a>(
    o: &OrgLife,
    t: &LifeType,
    p: &Period,
    lectures: &HashMap<i64, Vec<&'a RecordFacts>>,
    own: &[&'a RecordFacts],
    counted: &mut Vec<&'a RecordFacts>,
    excluded: &mut Vec<EvidenceRecord>,
) {
    let root = lecture_root(o);
    let mut seen = std::collections::HashSet::new();
    for term in &o.secretaries {
        for r in lectures.get(&term.member_id).into_iter().flatten() {
            if r.falls_in(p)
                && r.types.iter().any(|c| c == &t.code)
                && crate::path::is_within(&r.path, root)
                && crate::officer::secretary_on(&o.secretaries, r.held_on)
                    .is_some_and(|s| s.member_id == term.member_id)
                && seen.insert(r.id)
            {
                match exclusion(r, t) {
                    None => counted.push(*r),
                    Some(why) => excluded.push(evidence_of(r, why)),
                }
            }
        }
    }
    for r in own.iter().filter(|r| r.falls_in(p) && r.types.iter().any(|c| c == &t.code) && !seen.contains(&r.id)) {
        let note = match crate::officer::secretary_on(&o.secretaries, r.held_on) {
            Some(s) => format!("授课人不是当日书记{}，不计入 (LIFE-06S)", s.name),
            None => "当日未登记书记，不计入 (LIFE-06S)".to_string(),
        };
        excluded.push(evidence_of(r, note));
    }
    counted.sort_by_key(|r| (r.held_on, r.id));
}

/// `张三` or `张三、李四`: the 书记 in post at some time of a period.
fn secretaries_in(o: &OrgLife, p: &Period) -> String {
    let mut names: Vec<&str> = Vec::new();
    for s in o.secretaries.iter().filter(|s| s.overlaps(p.start, Some(p.end))) {
        if !names.contains(&s.name.as_str()) {
            names.push(&s.name);
        }
    }
    names.join("、")
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
    // the record is shown where it stands: under the records not counted when it held without
    // quorum (the finding then says it is not counted), under the counted ones otherwise
    let (counted, excluded) = if r.quorum_ok == Some(false) {
        (vec![], vec![evidence_of(r, "到会人数未超过应到半数，不计入召开次数")])
    } else {
        (vec![evidence_of(r, "计入召开次数")], vec![])
    };
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
        evidence: Evidence { requirement: format!("{rule_id}：{requirement}"), counted, excluded },
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

/// Met share of due periods as a fraction, `None` when nothing fell due.
pub fn rate(due: i64, met: i64) -> Option<f64> {
    (due > 0).then(|| met as f64 / due as f64)
}

/// The same share as a percentage rounded to one decimal (`66.7`), as the API reports it.
pub fn rate_percent(due: i64, met: i64) -> Option<f64> {
    (due > 0).then(|| (met as f64 * 1000.0 / due as f64).round() / 10.0)
}
