//! Records: what is entered and the checks made on entry.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::Serialize;

use crate::error::FieldErrors;

use super::*;

/// A meeting record's fields (the keys of the API and of the audit trail's details) with their
/// labels.
pub const RECORD_FIELDS: &[(&str, &str)] = &[
    ("types", "会议类型"),
    ("title", "会议主题"),
    ("held_on", "会议日期"),
    ("start_time", "开始时间"),
    ("end_time", "结束时间"),
    ("place", "地点"),
    ("host", "主持人"),
    ("recorder", "记录人"),
    ("lecturer", "授课人"),
    ("lecturer_member_id", "授课人"),
    ("belongs_to_year", "所属年度"),
    ("agenda", "议程"),
    ("minutes", "会议纪要"),
    ("observers", "列席人员"),
    ("attendance", "出席情况"),
    ("expected", "应到人数"),
    ("present", "实到人数"),
    ("leave", "请假人数"),
    ("absent", "缺席人数"),
    ("resolutions", "决议"),
];

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
    /// The member who gave a 党课 (a member id), chosen from the roster or the officers; blank:
    /// matched by the lecturer's name among the officers and the roster of the date.
    pub lecturer_member_id: String,
    /// 所属年度; blank: by the window in force (LIFE-18).
    pub belongs_to_year: String,
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
    /// The version of the record this edit was made on (see `crate::org::Org::version`); `None`:
    /// whatever is stored.
    pub version: Option<i64>,
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
    /// Resolved by the store (see [`RecordInput::lecturer_member_id`]).
    pub lecturer_member_id: Option<i64>,
    /// Resolved by the store with the window in force ([`resolve_year`]).
    pub belongs_to_year: Option<i32>,
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

/// Is `d` a meeting date the entry checks accept (not after `today`, not before 2000, REC-04)? A
/// roster is read for such a date only.
pub fn usable_date(d: NaiveDate, today: NaiveDate) -> bool {
    d <= today && d.year() >= 2000
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
    // a lecturer chosen as a member is named by the store from that member's record
    if my_types.iter().any(|t| t.lecturer) && lecturer.is_none() && input.lecturer_member_id.trim().is_empty() {
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
                    "{} 名登记人员在{} 不是{what}，参会人员须为会议当日{what} (REC-08)",
                    strangers.len(),
                    held_on.map_or_else(|| "会议当日".to_string(), |d| format!(" {d}"))
                ),
            );
        }
        let missing: Vec<&str> =
            expected_roster.iter().filter(|r| !seen.contains(&r.member_id)).map(|r| r.name.as_str()).collect();
        if !missing.is_empty() && strangers.is_empty() {
            let missing: Vec<String> = missing.iter().map(|s| s.to_string()).collect();
            errs.push("出席情况", format!("应到人员 {} 未登记出席情况 (REC-08)", names_cut(&missing, 5)));
        }
        if !no_reason.is_empty() {
            errs.push("出席情况", format!("请假或缺席须注明原因：{} (REC-08)", names_cut(&no_reason, 5)));
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
        lecturer_member_id: None,
        belongs_to_year: None,
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

/// Names joined with `、`, the first `max` of them when there are more, then how many in all:
/// `张三、李四……等 11 人`, so a cut list never reads as the whole list.
pub fn names_cut(names: &[String], max: usize) -> String {
    if names.len() <= max {
        names.join("、")
    } else {
        format!("{}……等 {} 人", names[..max].join("、"), names.len())
    }
}

/// `支部党员大会、主题党日`.
pub fn codes_label(types: &[LifeType], codes: &[String]) -> String {
    codes.iter().map(|c| type_of(types, c).map_or(c.as_str(), |t| t.label.as_str())).collect::<Vec<_>>().join("、")
}

/// The organization whose officers review the records of the organization at `path`: its
/// superior (支部 → 党委 → 组织部). Nobody reviews their own organization's records, and a top
/// organization's records have no reviewer in the tree.
pub fn reviewer_path(path: &str) -> Option<&str> {
    crate::path::parent(path)
}
