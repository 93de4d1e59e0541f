//! 会议记录: the records of organization life (三会一课 and the rest). The list of a subtree with
//! its filters and the 待我审核 view; the record form (attendance from the organization's roster
//! on the meeting's date, resolutions with their votes); the record page with its review,
//! submission and attachments.
//!
//! Scope: every read goes through the caller's scope for the permission the page needs (ReadLife
//! to read, RecordLife to enter, change and attach, ReviewLife to review); a record outside it
//! answers 404. Reviewing needs the record's *superior* organization in the ReviewLife scope
//! (review runs 支部 → 党委 → 组织部): a record of the caller's own top organization is seen but
//! not reviewed (403).
//!
//! The form works without script: the roster follows the date only when the user presses
//! 按日期载入名册 (or saves after changing the date or the types, which reloads it instead of
//! saving); 增加一行 adds a resolution row. Everything typed is kept across these round trips.

use std::collections::HashMap;

use askama::Template;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use chrono::{DateTime, NaiveDate, Utc};
use domain::life::{self as dl, LifeType, RecordInput, RecordStatus, RosterKind};
use domain::org::Org;
use domain::FieldErrors;
use serde::Deserialize;
use store::life::{Record, RecordFilter, RecordFull};
use store::{Scope, StoreError};

use super::orgs::{with_status, Field};
use super::{render, today, urlencode};
use crate::access::Perm;
use crate::routes::{Routes, Target};
use crate::{error_page, Caller, Crumb, Nav, Shared};

pub(super) fn routes(r: Routes) -> Routes {
    r.add("GET", "/life", Target::OrgQuery, get(records))
        .add("GET,POST", "/orgs/{id}/life/new", Target::Org, get(new_page).post(new_post))
        .add("GET", "/life/records/{id}", Target::LifeRecord, get(record))
        .add("GET,POST", "/life/records/{id}/edit", Target::LifeRecord, get(edit_page).post(edit_post))
        .add("POST", "/life/records/{id}/submit", Target::LifeRecord, post(submit))
        .add("POST", "/life/records/{id}/review", Target::LifeRecord, post(review))
        .add(
            "POST",
            "/life/records/{id}/attachments",
            Target::LifeRecord,
            post(upload).layer(DefaultBodyLimit::max(store::life::MAX_ATTACHMENT + 1024 * 1024)),
        )
        .add("GET", "/life/attachments/{id}", Target::LifeAttachment, get(download))
        .add("POST", "/life/attachments/{id}/delete", Target::LifeAttachment, post(delete_attachment))
}

/// Does an organization of this kind record its own organization life (the store refuses the
/// others: 地方党委 and the like record nothing themselves)?
pub(super) use domain::life::records_life;

const PER_PAGE: i64 = 50;

fn status_class(s: RecordStatus) -> &'static str {
    match s {
        RecordStatus::Draft => "",
        RecordStatus::Submitted => "sev-info",
        RecordStatus::Accepted => "ok-tag",
        RecordStatus::Returned => "sev-warning",
    }
}

/// A moment as shown (China time, to the minute).
fn at(t: &DateTime<Utc>) -> String {
    let off = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    t.with_timezone(&off).format("%Y-%m-%d %H:%M").to_string()
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "—".into())
}

async fn life_types(s: &Shared) -> Result<Vec<LifeType>, StoreError> {
    store::life::types(&s.store).await
}

// ---------------------------------------------------------------------------------------------
// 会议记录 list

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecordsQuery {
    org: String,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    year: String,
    /// `review`: the 待我审核 view.
    view: String,
    page: String,
}

pub struct RecordRow {
    id: i64,
    held_on: String,
    org_id: i64,
    org_name: String,
    types: String,
    title: String,
    expected: i64,
    present: i64,
    status_label: &'static str,
    status_class: &'static str,
    quorum_fail: bool,
    no_attendance: bool,
}

#[derive(Template)]
#[template(path = "life_records.html")]
struct RecordsPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    q: RecordsQuery,
    type_options: Vec<(String, String)>,
    status_options: Vec<(String, String)>,
    year_options: Vec<(String, String)>,
    to_review: bool,
    can_review: bool,
    review_count: i64,
    can_record: bool,
    rows: Vec<RecordRow>,
    total: i64,
    page: i64,
    pages: i64,
    page_link: String,
    filtered: bool,
    clear_link: String,
}

pub async fn records(State(s): State<Shared>, caller: Caller, Query(q): Query<RecordsQuery>) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadLife));
    let org = match super::org_param(&s, &caller, Perm::ReadLife, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let types = match life_types(&s).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let can_review = caller.scope_for(Perm::ReviewLife).contains(&org.path);
    let to_review = can_review && q.view == "review";
    let type_code = Some(q.kind.trim().to_string()).filter(|k| dl::type_of(&types, k).is_some());
    let status = if to_review { None } else { RecordStatus::from_code(q.status.trim()) };
    let year = q.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
    let filter = RecordFilter {
        type_code: type_code.clone(),
        status,
        from: year.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)),
        to: year.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
        to_review,
    };
    let page_no = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let page = match store::life::list(&s.store, &org, &filter, page_no, PER_PAGE).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let review_count = if can_review && !to_review {
        let f = RecordFilter { to_review: true, ..Default::default() };
        store::life::list(&s.store, &org, &f, 1, 1).await.map(|p| p.total).unwrap_or(0)
    } else {
        page.total
    };
    let rows = page
        .items
        .iter()
        .map(|r| RecordRow {
            id: r.id,
            held_on: r.held_on.to_string(),
            org_id: r.org_id,
            org_name: r.org_name.clone(),
            types: dl::codes_label(&types, &r.type_codes()),
            title: r.title.clone(),
            expected: r.expected,
            present: r.present,
            status_label: r.state().label(),
            status_class: status_class(r.state()),
            quorum_fail: r.quorum_ok == Some(false),
            no_attendance: !r.has_attendance,
        })
        .collect();
    let base = format!("/life?org={}{}", org.id, if to_review { "&view=review" } else { "" });
    let mut filters = base.clone();
    if let Some(t) = &type_code {
        filters.push_str(&format!("&type={}", urlencode(t)));
    }
    if let Some(st) = status {
        filters.push_str(&format!("&status={}", st.code()));
    }
    if let Some(y) = year {
        filters.push_str(&format!("&year={y}"));
    }
    let this_year = chrono::Datelike::year(&today());
    let mut years: Vec<i32> = (this_year - 5..=this_year).rev().collect();
    if let Some(y) = year.filter(|y| !years.contains(y)) {
        years.push(y);
    }
    let trail = vec![Crumb::new("/life", "会议记录"), Crumb::new("", org.name.clone())];
    render(&RecordsPage {
        nav: caller.nav("life").crumbs(trail),
        org_id: org.id,
        org_name: org.name.clone(),
        type_options: std::iter::once((String::new(), "全部类型".to_string()))
            .chain(types.iter().map(|t| (t.code.clone(), t.label.clone())))
            .collect(),
        status_options: std::iter::once((String::new(), "全部状态".to_string()))
            .chain(RecordStatus::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())))
            .collect(),
        year_options: std::iter::once((String::new(), "全部年度".to_string()))
            .chain(years.into_iter().map(|y| (y.to_string(), format!("{y} 年"))))
            .collect(),
        to_review,
        can_review,
        review_count,
        can_record: caller.can_at(Perm::RecordLife, &org.path),
        rows,
        total: page.total,
        page: page.page,
        pages: page.pages(),
        filtered: filters != base,
        page_link: filters,
        clear_link: base,
        q,
    })
}

// ---------------------------------------------------------------------------------------------
// The record form

/// One resolution row as typed.
#[derive(Debug, Clone, Default)]
struct ResForm {
    text: String,
    yes: String,
    no: String,
    abstain: String,
    method: String,
    /// `""` (by the votes), `pass` or `fail`.
    result: String,
}

/// The record form as posted: every field as typed. Attendance rows are `att_{member}` (status)
/// and `reason_{member}`; resolution rows `res{i}_{text|yes|no|abstain|method|result}`.
#[derive(Debug, Clone, Default)]
struct LifeForm {
    csrf: String,
    action: String,
    confirm: String,
    types: Vec<String>,
    title: String,
    held_on: String,
    start_time: String,
    end_time: String,
    place: String,
    host: String,
    recorder: String,
    lecturer: String,
    agenda: String,
    minutes: String,
    observers: String,
    expected: String,
    present: String,
    leave: String,
    absent: String,
    /// (member id, status, reason) in the order posted.
    attendance: Vec<(i64, String, String)>,
    resolutions: Vec<ResForm>,
    /// The date and the kind of the roster the form showed.
    roster_on: String,
    roster_kind: String,
}

/// Most resolution rows a form carries.
const MAX_RES_ROWS: usize = 50;
const BLANK_RES_ROWS: usize = 3;

impl LifeForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = LifeForm::default();
        let mut reasons: HashMap<i64, String> = HashMap::new();
        let mut res: HashMap<usize, ResForm> = HashMap::new();
        let mut res_rows = 0usize;
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "action" => f.action = v,
                "confirm" => f.confirm = v,
                "types" => f.types.push(v),
                "title" => f.title = v,
                "held_on" => f.held_on = v,
                "start_time" => f.start_time = v,
                "end_time" => f.end_time = v,
                "place" => f.place = v,
                "host" => f.host = v,
                "recorder" => f.recorder = v,
                "lecturer" => f.lecturer = v,
                "agenda" => f.agenda = v,
                "minutes" => f.minutes = v,
                "observers" => f.observers = v,
                "expected" => f.expected = v,
                "present" => f.present = v,
                "leave" => f.leave = v,
                "absent" => f.absent = v,
                "roster_on" => f.roster_on = v,
                "roster_kind" => f.roster_kind = v,
                "res_rows" => res_rows = v.trim().parse().unwrap_or(0),
                _ => {
                    if let Some(id) = k.strip_prefix("att_").and_then(|x| x.parse::<i64>().ok()) {
                        if !f.attendance.iter().any(|a| a.0 == id) {
                            f.attendance.push((id, v, String::new()));
                        }
                    } else if let Some(id) = k.strip_prefix("reason_").and_then(|x| x.parse::<i64>().ok()) {
                        reasons.insert(id, v);
                    } else if let Some((i, part)) = k.strip_prefix("res").and_then(|x| x.split_once('_')) {
                        let Ok(i) = i.parse::<usize>() else { continue };
                        if i >= MAX_RES_ROWS {
                            continue;
                        }
                        let r = res.entry(i).or_default();
                        match part {
                            "text" => r.text = v,
                            "yes" => r.yes = v,
                            "no" => r.no = v,
                            "abstain" => r.abstain = v,
                            "method" => r.method = v,
                            "result" => r.result = v,
                            _ => {}
                        }
                    }
                }
            }
        }
        for a in f.attendance.iter_mut() {
            a.2 = reasons.remove(&a.0).unwrap_or_default();
        }
        let n = res.keys().map(|i| i + 1).max().unwrap_or(0).max(res_rows).min(MAX_RES_ROWS);
        f.resolutions = (0..n).map(|i| res.remove(&i).unwrap_or_default()).collect();
        f
    }

    /// The form of a stored record (for editing).
    fn of(full: &RecordFull, types: &[LifeType], holds_members: bool) -> Self {
        let r = &full.record;
        let codes = r.type_codes();
        let mut f = LifeForm {
            types: codes.clone(),
            title: r.title.clone(),
            held_on: r.held_on.to_string(),
            start_time: r.start_time.clone().unwrap_or_default(),
            end_time: r.end_time.clone().unwrap_or_default(),
            place: r.place.clone(),
            host: r.host.clone(),
            recorder: r.recorder.clone(),
            lecturer: r.lecturer.clone().unwrap_or_default(),
            agenda: r.agenda.clone().unwrap_or_default(),
            minutes: r.minutes.clone().unwrap_or_default(),
            observers: r.observers.clone().unwrap_or_default(),
            attendance: full
                .attendance
                .iter()
                .map(|a| (a.member_id, a.status.clone(), a.reason.clone().unwrap_or_default()))
                .collect(),
            resolutions: full
                .resolutions
                .iter()
                .map(|x| ResForm {
                    text: x.text.clone(),
                    yes: x.yes.to_string(),
                    no: x.no.to_string(),
                    abstain: x.abstain.to_string(),
                    method: x.method.clone(),
                    result: String::new(),
                })
                .collect(),
            roster_on: r.held_on.to_string(),
            roster_kind: display_kind(types, &codes, holds_members).code().to_string(),
            ..Default::default()
        };
        if display_kind(types, &codes, holds_members) == RosterKind::None {
            f.expected = r.expected.to_string();
            f.present = r.present.to_string();
            f.leave = r.on_leave.to_string();
            f.absent = r.absent.to_string();
        }
        f
    }

    fn input(&self) -> RecordInput {
        RecordInput {
            types: self.types.clone(),
            title: self.title.clone(),
            held_on: self.held_on.clone(),
            start_time: self.start_time.clone(),
            end_time: self.end_time.clone(),
            place: self.place.clone(),
            host: self.host.clone(),
            recorder: self.recorder.clone(),
            lecturer: self.lecturer.clone(),
            agenda: self.agenda.clone(),
            minutes: self.minutes.clone(),
            observers: self.observers.clone(),
            attendance: self
                .attendance
                .iter()
                .map(|(id, st, reason)| dl::AttendanceInput {
                    member_id: *id,
                    status: st.clone(),
                    reason: reason.clone(),
                })
                .collect(),
            expected: self.expected.clone(),
            present: self.present.clone(),
            leave: self.leave.clone(),
            absent: self.absent.clone(),
            resolutions: self
                .resolutions
                .iter()
                .map(|r| dl::ResolutionInput {
                    text: r.text.clone(),
                    yes: r.yes.clone(),
                    no: r.no.clone(),
                    abstain: r.abstain.clone(),
                    method: r.method.clone(),
                    declared: match r.result.as_str() {
                        "pass" => Some(true),
                        "fail" => Some(false),
                        _ => None,
                    },
                })
                .collect(),
        }
    }
}

/// The roster the form shows for these types: none chosen yet shows the branch's members; an
/// organization that holds no members itself (a 党委, a 党总支) enters numbers by hand.
fn display_kind(types: &[LifeType], codes: &[String], holds_members: bool) -> RosterKind {
    let known: Vec<String> = codes.iter().filter(|c| dl::type_of(types, c).is_some()).cloned().collect();
    if !holds_members {
        RosterKind::None
    } else if known.is_empty() {
        RosterKind::Branch
    } else {
        dl::roster_kind(types, &known)
    }
}

/// One attendance row of the form.
pub struct AttRow {
    member_id: i64,
    name: String,
    voter: bool,
    committee: bool,
    status: String,
    reason: String,
    /// Away without a reason (after a failed save).
    flagged: bool,
}

/// One resolution row of the form.
pub struct ResRow {
    text: String,
    yes: String,
    no: String,
    abstain: String,
    method: String,
    result: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "life_form.html")]
struct FormPage {
    nav: Nav,
    title: String,
    org_name: String,
    action: String,
    cancel: String,
    notice: Option<String>,
    refusal: Option<String>,
    error_count: usize,
    others: Vec<String>,
    /// (code, label, checked)
    type_choices: Vec<(String, String, bool)>,
    types_error: Option<String>,
    fields: Vec<Field>,
    minutes: Field,
    roster_kind: &'static str,
    roster_title: &'static str,
    roster_on: String,
    rows: Vec<AttRow>,
    voters: usize,
    att_error: Option<String>,
    count_fields: Vec<Field>,
    res: Vec<ResRow>,
    res_error: Option<String>,
    attend_options: Vec<(&'static str, &'static str)>,
    method_options: Vec<(&'static str, &'static str)>,
    result_options: Vec<(&'static str, &'static str)>,
}

/// What the form page is about: a new record of an organization, or a stored one.
struct FormCtx<'a> {
    org: &'a Org,
    record: Option<&'a Record>,
}

impl FormCtx<'_> {
    fn action(&self) -> String {
        match self.record {
            Some(r) => format!("/life/records/{}/edit", r.id),
            None => format!("/orgs/{}/life/new", self.org.id),
        }
    }
    fn title(&self) -> String {
        match self.record {
            Some(r) => format!("编辑会议记录“{}”", r.title),
            None => format!("登记会议：{}", self.org.name),
        }
    }
    fn cancel(&self) -> String {
        match self.record {
            Some(r) => format!("/life/records/{}", r.id),
            None => format!("/life?org={}", self.org.id),
        }
    }
    fn trail(&self) -> Vec<Crumb> {
        let mut t = vec![
            Crumb::new("/life", "会议记录"),
            Crumb::new(format!("/life?org={}", self.org.id), self.org.name.clone()),
        ];
        match self.record {
            Some(r) => {
                t.push(Crumb::new(format!("/life/records/{}", r.id), r.title.clone()));
                t.push(Crumb::new("", "编辑"));
            }
            None => t.push(Crumb::new("", "登记会议")),
        }
        t
    }
}

fn join_errors(errs: &FieldErrors, field: &str) -> Option<String> {
    let v: Vec<&str> = errs.0.iter().filter(|e| e.field == field).map(|e| e.message.as_str()).collect();
    (!v.is_empty()).then(|| v.join("；"))
}

/// The form page: the fields as typed, the roster of `roster_on` (for the kind of the chosen
/// types) with the statuses typed so far, the resolution rows, each problem beside its field.
#[allow(clippy::too_many_arguments)]
async fn form_view(
    s: &Shared,
    caller: &Caller,
    scope: &Scope,
    ctx: &FormCtx<'_>,
    f: &LifeForm,
    types: &[LifeType],
    roster_on: Option<NaiveDate>,
    errs: &FieldErrors,
    refusal: Option<String>,
    notice: Option<String>,
) -> Response {
    let kind = display_kind(types, &f.types, ctx.org.kind.holds_members());
    let roster = match (kind, roster_on) {
        (RosterKind::None, _) | (_, None) => Vec::new(),
        (_, Some(on)) => match store::life::roster(&s.store, scope, ctx.org.id, on).await {
            Ok(r) => r,
            Err(e) => return caller.fail(e),
        },
    };
    let typed: HashMap<i64, (&str, &str)> =
        f.attendance.iter().map(|(id, st, reason)| (*id, (st.as_str(), reason.as_str()))).collect();
    let failed = !errs.is_empty();
    let rows: Vec<AttRow> = roster
        .into_iter()
        .filter(|r| kind != RosterKind::Committee || r.committee)
        .map(|r| {
            let (status, reason) = typed
                .get(&r.member_id)
                .map(|(st, re)| {
                    let st = dl::Attend::from_code(st.trim()).map_or("present", dl::Attend::code);
                    (st.to_string(), re.to_string())
                })
                .unwrap_or_else(|| ("present".into(), String::new()));
            AttRow {
                flagged: failed && status != "present" && reason.trim().is_empty(),
                member_id: r.member_id,
                name: r.name,
                voter: r.voter,
                committee: r.committee,
                status,
                reason,
            }
        })
        .collect();
    let voters = rows.iter().filter(|r| r.voter).count();

    let lecture = f.types.iter().any(|c| dl::type_of(types, c).is_some_and(|t| t.lecturer));
    let mut fields = vec![
        Field::new("title", "会议主题", "text", &f.title).req().wide().hint("如：学习贯彻党的二十届四中全会精神"),
        Field::new("held_on", "会议日期", "date", &f.held_on).req(),
        Field::new("start_time", "开始时间", "time", &f.start_time),
        Field::new("end_time", "结束时间", "time", &f.end_time),
        Field::new("place", "地点", "text", &f.place).req().hint("线上召开的写“线上”及所用平台"),
        Field::new("host", "主持人", "text", &f.host).req().hint("一般为书记，或受委托的副书记、委员 (LIFE-12)"),
        Field::new("recorder", "记录人", "text", &f.recorder).req(),
        {
            let l = Field::new("lecturer", "授课人", "text", &f.lecturer).hint("党课须填写");
            if lecture {
                l.req()
            } else {
                l
            }
        },
        Field::new("observers", "列席人员", "text", &f.observers).hint("非本组织党员的参会人员，如上级联系领导"),
        Field::new("agenda", "议程", "textarea", &f.agenda).wide().hint("逐项列出会议议题"),
    ];
    let mut minutes = vec![Field::new("minutes", "会议纪要", "textarea", &f.minutes)
        .wide()
        .hint("主要内容、发言摘要、遗留问题及落实责任人；党课写明授课题目和要点")];
    let mut count_fields = vec![
        Field::new("expected", "应到人数", "number", &f.expected),
        Field::new("present", "实到人数", "number", &f.present),
        Field::new("leave", "请假人数", "number", &f.leave),
        Field::new("absent", "缺席人数", "number", &f.absent),
    ];
    let mut others = Vec::new();
    let special = ["会议类型", "出席情况", "决议"];
    for e in &errs.0 {
        if special.contains(&e.field) {
            continue;
        }
        let target = fields
            .iter_mut()
            .chain(minutes.iter_mut())
            .chain(count_fields.iter_mut().filter(|_| kind == RosterKind::None))
            .find(|fl| fl.label == e.field);
        match target {
            Some(fl) => match &mut fl.error {
                Some(m) => {
                    m.push('；');
                    m.push_str(&e.message);
                }
                None => fl.error = Some(e.message.clone()),
            },
            None => others.push(e.to_string()),
        }
    }
    // resolution problems name their row (第 n 项)
    let mut res: Vec<ResRow> = f
        .resolutions
        .iter()
        .map(|r| ResRow {
            text: r.text.clone(),
            yes: r.yes.clone(),
            no: r.no.clone(),
            abstain: r.abstain.clone(),
            method: if r.method.contains("无记名") { "无记名投票".into() } else { "举手表决".into() },
            result: r.result.clone(),
            error: None,
        })
        .collect();
    while res.len() < BLANK_RES_ROWS {
        res.push(ResRow {
            text: String::new(),
            yes: String::new(),
            no: String::new(),
            abstain: String::new(),
            method: "举手表决".into(),
            result: String::new(),
            error: None,
        });
    }
    let mut res_general = Vec::new();
    for e in errs.0.iter().filter(|e| e.field == "决议") {
        let row = e
            .message
            .strip_prefix("第 ")
            .and_then(|m| m.split_once(' '))
            .and_then(|(n, _)| n.parse::<usize>().ok())
            .filter(|n| (1..=res.len()).contains(n));
        match row {
            Some(n) => {
                let msg = e.message.split_once('：').map_or(e.message.as_str(), |(_, m)| m).to_string();
                let slot = &mut res[n - 1].error;
                match slot {
                    Some(m) => {
                        m.push('；');
                        m.push_str(&msg);
                    }
                    None => *slot = Some(msg),
                }
            }
            None => res_general.push(e.message.clone()),
        }
    }
    let chosen: Vec<&str> = f.types.iter().map(String::as_str).collect();
    let minutes = minutes.pop().expect("the minutes field");
    let page = FormPage {
        nav: caller.nav("life").crumbs(ctx.trail()),
        title: ctx.title(),
        org_name: ctx.org.name.clone(),
        action: ctx.action(),
        cancel: ctx.cancel(),
        notice,
        refusal,
        error_count: errs.0.len(),
        others,
        type_choices: types
            .iter()
            .map(|t| (t.code.clone(), t.label.clone(), chosen.contains(&t.code.as_str())))
            .collect(),
        types_error: join_errors(errs, "会议类型"),
        fields,
        minutes,
        roster_kind: kind.code(),
        roster_title: match kind {
            RosterKind::Branch => "本组织党员（含党小组）",
            RosterKind::Committee => "支部委员会成员",
            RosterKind::None => "不按名册，填写人数",
        },
        roster_on: roster_on.map(|d| d.to_string()).unwrap_or_default(),
        rows,
        voters,
        att_error: join_errors(errs, "出席情况"),
        count_fields,
        res,
        res_error: (!res_general.is_empty()).then(|| res_general.join("；")),
        attend_options: dl::Attend::ALL.iter().map(|a| (a.code(), a.label())).collect(),
        method_options: vec![("举手表决", "举手表决"), ("无记名投票", "无记名投票")],
        result_options: vec![("", "按票数"), ("pass", "通过"), ("fail", "未通过")],
    };
    let status =
        if errs.is_empty() && page.refusal.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    with_status(render(&page), status)
}

#[derive(Template)]
#[template(path = "life_pick.html")]
struct PickPage {
    nav: Nav,
    name: String,
    kind: &'static str,
    orgs: Vec<(i64, String)>,
    more: bool,
}

const PICK_LIMIT: usize = 100;

/// An organization that records nothing itself (a 地方党委): offer those below it that do.
async fn pick_page(s: &Shared, caller: &Caller, scope: &Scope, o: &Org) -> Response {
    let nodes = match store::org::subtree(&s.store, scope, o.id, Some(3)).await {
        Ok(n) => n,
        Err(e) => return caller.fail(e),
    };
    let mut orgs: Vec<(i64, String)> =
        nodes.into_iter().filter(|n| n.depth > 0 && records_life(n.org.kind)).map(|n| (n.org.id, n.org.name)).collect();
    let more = orgs.len() > PICK_LIMIT;
    orgs.truncate(PICK_LIMIT);
    let trail = vec![
        Crumb::new("/life", "会议记录"),
        Crumb::new(format!("/life?org={}", o.id), o.name.clone()),
        Crumb::new("", "登记会议"),
    ];
    render(&PickPage { nav: caller.nav("life").crumbs(trail), name: o.name.clone(), kind: o.kind.label(), orgs, more })
}

pub async fn new_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (scope, o) = crate::tri!(caller.org(&s.store, Perm::RecordLife, id).await);
    if !records_life(o.kind) {
        return pick_page(&s, &caller, &scope, &o).await;
    }
    let types = match life_types(&s).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let on = today();
    let f = LifeForm { held_on: on.to_string(), ..Default::default() };
    let ctx = FormCtx { org: &o, record: None };
    form_view(&s, &caller, &scope, &ctx, &f, &types, Some(on), &FieldErrors::default(), None, None).await
}

pub async fn new_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (scope, o) = crate::tri!(caller.org(&s.store, Perm::RecordLife, id).await);
    let f = LifeForm::from_pairs(pairs);
    crate::tri!(caller.check_csrf(&f.csrf));
    if !records_life(o.kind) {
        return with_status(pick_page(&s, &caller, &scope, &o).await, StatusCode::CONFLICT);
    }
    let ctx = FormCtx { org: &o, record: None };
    save(&s, &caller, &scope, &ctx, f).await
}

/// A form post: load the roster, add a row, or save (and perhaps submit).
async fn save(s: &Shared, caller: &Caller, scope: &Scope, ctx: &FormCtx<'_>, mut f: LifeForm) -> Response {
    let types = match life_types(s).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let kind = display_kind(&types, &f.types, ctx.org.kind.holds_members());
    let held_on = domain::dates::parse_date(&f.held_on).ok();
    let shown_on = domain::dates::parse_date(&f.roster_on).ok();
    let mut errs = FieldErrors::default();
    match f.action.as_str() {
        "roster" => {
            let notice = match held_on {
                Some(_) if kind == RosterKind::None => {
                    Some("所选会议类型不按党员名册登记，请直接填写人数。".to_string())
                }
                Some(d) if d > today() => {
                    errs.push("会议日期", format!("{d} 晚于今天，只能登记已召开的会议 (REC-04)"));
                    None
                }
                Some(d) => Some(format!("已载入 {d} 的名册，请登记每人的出席情况。")),
                None => {
                    errs.push("会议日期", "请先填写有效的会议日期，再载入名册");
                    None
                }
            };
            let on = held_on.filter(|d| *d <= today()).or(shown_on);
            let r = form_view(s, caller, scope, ctx, &f, &types, on, &errs, None, notice).await;
            return if errs.is_empty() { r } else { with_status(r, StatusCode::UNPROCESSABLE_ENTITY) };
        }
        "more_rows" => {
            let n = f.resolutions.len().max(BLANK_RES_ROWS);
            f.resolutions.resize(n, ResForm::default());
            if n < MAX_RES_ROWS {
                f.resolutions.push(ResForm::default());
            }
            let notice = Some(format!("已增加一行，共 {} 行决议。", f.resolutions.len()));
            return form_view(s, caller, scope, ctx, &f, &types, shown_on.or(held_on), &errs, None, notice).await;
        }
        _ => {}
    }
    // the roster on the form must be the one of the entered date and types: when either changed,
    // list the right people again instead of saving
    if let Some(d) = held_on.filter(|d| *d <= today()) {
        let stale = kind.code() != f.roster_kind || (kind != RosterKind::None && Some(d) != shown_on);
        if stale && !f.roster_kind.is_empty() {
            errs.push(
                "出席情况",
                if kind == RosterKind::None {
                    "会议类型已改变：所选类型不按党员名册登记，请填写应到、实到等人数后再保存".to_string()
                } else {
                    format!("会议日期或会议类型已改变，已按 {d} 的名册重新列出应到人员，请核对出席情况后再保存")
                },
            );
            return form_view(s, caller, scope, ctx, &f, &types, Some(d), &errs, None, None).await;
        }
    }
    let submit = f.action == "submit";
    let input = f.input();
    let result = match ctx.record {
        None => store::life::create(&s.store, scope, ctx.org.id, &input, submit).await.map(|sv| sv.id),
        Some(r) => match store::life::update(&s.store, scope, r.id, &input).await {
            Ok(sv) if submit => store::life::submit(&s.store, scope, sv.id).await.map(|_| sv.id),
            Ok(sv) => Ok(sv.id),
            Err(e) => Err(e),
        },
    };
    let on = held_on.filter(|d| *d <= today()).or(shown_on);
    match result {
        Ok(id) => Redirect::to(&format!("/life/records/{id}?ok={}", if submit { "submitted" } else { "saved" }))
            .into_response(),
        Err(StoreError::Invalid(mut e)) => {
            // without a valid date there is no roster to check attendance against: the date's
            // message says what to fix
            if e.has("会议日期") {
                e.0.retain(|x| x.field != "出席情况");
            }
            form_view(s, caller, scope, ctx, &f, &types, on, &e, None, None).await
        }
        Err(StoreError::Refused(m)) => {
            let r = form_view(s, caller, scope, ctx, &f, &types, on, &errs, Some(m), None).await;
            with_status(r, StatusCode::CONFLICT)
        }
        Err(e) => caller.fail(e),
    }
}

/// A record read through the RecordLife scope (404 outside it).
async fn for_recording(s: &Shared, caller: &Caller, id: i64) -> Result<(Scope, RecordFull), Response> {
    let scope = caller.require(Perm::RecordLife)?;
    let full = store::life::get(&s.store, &scope, id).await.map_err(|e| caller.fail(e))?;
    Ok((scope, full))
}

/// The record's organization when the record may still be edited; otherwise the record page
/// saying why not (409).
async fn editable(s: &Shared, caller: &Caller, scope: &Scope, full: RecordFull) -> Result<(RecordFull, Org), Response> {
    if !full.record.state().editable() {
        let msg = format!(
            "这条记录{}，不能修改。{}",
            full.record.state().label(),
            if full.record.state() == RecordStatus::Submitted {
                "如需更正，请联系上级党组织退回后再修改。"
            } else {
                "已审核的记录作为档案保存，不再修改。"
            }
        );
        let extra = Extras { action_error: Some(msg), ..Default::default() };
        return Err(record_view(s, caller, full, extra, StatusCode::CONFLICT).await);
    }
    let org = store::org::get(&s.store, scope, full.record.org_id).await.map_err(|e| caller.fail(e))?;
    Ok((full, org))
}

pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (scope, full) = crate::tri!(for_recording(&s, &caller, id).await);
    let (full, org) = crate::tri!(editable(&s, &caller, &scope, full).await);
    let types = match life_types(&s).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let f = LifeForm::of(&full, &types, org.kind.holds_members());
    let ctx = FormCtx { org: &org, record: Some(&full.record) };
    let notice = full
        .record
        .return_reason
        .as_ref()
        .filter(|_| full.record.state() == RecordStatus::Returned)
        .map(|r| format!("上级退回的原因：{r}。修改后请重新提交审核。"));
    form_view(&s, &caller, &scope, &ctx, &f, &types, Some(full.record.held_on), &FieldErrors::default(), None, notice)
        .await
}

pub async fn edit_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (scope, full) = crate::tri!(for_recording(&s, &caller, id).await);
    let f = LifeForm::from_pairs(pairs);
    crate::tri!(caller.check_csrf(&f.csrf));
    let (full, org) = crate::tri!(editable(&s, &caller, &scope, full).await);
    let ctx = FormCtx { org: &org, record: Some(&full.record) };
    save(&s, &caller, &scope, &ctx, f).await
}

// ---------------------------------------------------------------------------------------------
// The record page

/// What a failed action on the record page shows beside its form.
#[derive(Default)]
struct Extras {
    action_error: Option<String>,
    upload_error: Option<String>,
    review_error: Option<String>,
    reason: String,
    notice: Option<&'static str>,
}

pub struct AttLine {
    name: String,
    voter: bool,
    label: &'static str,
    present: bool,
    reason: String,
}

pub struct ResLine {
    seq: i64,
    text: String,
    voters_expected: i64,
    yes: i64,
    no: i64,
    abstain: i64,
    method: String,
    passed: bool,
}

pub struct AttachLine {
    id: i64,
    name: String,
    size: String,
    kind: &'static str,
    at: String,
    by: String,
}

#[derive(Template)]
#[template(path = "life_record.html")]
struct RecordPage {
    nav: Nav,
    id: i64,
    title: String,
    org_id: i64,
    status_label: &'static str,
    status_class: &'static str,
    facts: Vec<(&'static str, String)>,
    review_facts: Vec<(&'static str, String)>,
    return_reason: Option<String>,
    agenda: Option<String>,
    minutes: Option<String>,
    roster_based: bool,
    has_attendance: bool,
    expected: i64,
    present: i64,
    on_leave: i64,
    absent: i64,
    voters_expected: i64,
    voters_present: i64,
    attendance: Vec<AttLine>,
    away: usize,
    resolutions: Vec<ResLine>,
    attachments: Vec<AttachLine>,
    quorum_warnings: Vec<String>,
    notice: Option<&'static str>,
    action_error: Option<String>,
    upload_error: Option<String>,
    review_error: Option<String>,
    reason: String,
    can_edit: bool,
    can_review: bool,
    /// Submitted, and the caller sees it but reviews elsewhere (its own organization's record).
    awaiting_superior: bool,
}

fn size_label(n: i64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / 1048576.0)
    }
}

fn mime_label(m: &str) -> &'static str {
    match m {
        "image/jpeg" => "照片（JPG）",
        "image/png" => "照片（PNG）",
        "application/pdf" => "PDF 文档",
        m if m.contains("wordprocessingml") => "Word 文档",
        m if m.contains("spreadsheetml") => "Excel 表格",
        m if m.contains("presentationml") => "演示文稿",
        _ => "文件",
    }
}

/// The quorum problems of a stored record, each naming its rule (as the entry check worded them).
fn quorum_warnings(r: &Record, types: &[LifeType]) -> Vec<String> {
    if r.quorum_ok != Some(false) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for t in r.type_codes().iter().filter_map(|c| dl::type_of(types, c)) {
        match t.quorum {
            dl::Quorum::Voters if r.voters_present * 2 <= r.voters_expected => out.push(format!(
                "{}：到会有表决权党员 {} 名，未超过应到有表决权党员 {} 名的半数，会议不符合法定人数 ({})",
                t.label, r.voters_present, r.voters_expected, t.rule
            )),
            dl::Quorum::All if r.present * 2 <= r.expected => out.push(format!(
                "{}：到会 {} 名，未超过应到 {} 名的半数，会议不符合法定人数 ({})",
                t.label, r.present, r.expected, t.rule
            )),
            _ => {}
        }
    }
    if out.is_empty() {
        out.push("到会人数未超过应到人数的半数，会议不符合法定人数 (LIFE-02)".into());
    }
    out
}

fn ok_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "已保存为草稿。核对无误后请提交审核。",
        "submitted" => "已提交上级党组织审核。",
        "accepted" => "已审核通过。",
        "returned" => "已退回，并通知本组织修改。",
        "attached" => "已上传附件。",
        "detached" => "已删除附件。",
        _ => return None,
    })
}

async fn record_view(s: &Shared, caller: &Caller, full: RecordFull, x: Extras, status: StatusCode) -> Response {
    let types = match life_types(s).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let r = &full.record;
    let state = r.state();
    let codes = r.type_codes();
    let time = match (&r.start_time, &r.end_time) {
        (Some(a), Some(b)) => format!("{a}—{b}"),
        (Some(a), None) => format!("{a} 开始"),
        (None, Some(b)) => format!("{b} 结束"),
        (None, None) => "—".into(),
    };
    let mut facts = vec![
        ("党组织", r.org_name.clone()),
        ("会议类型", dl::codes_label(&types, &codes)),
        ("会议日期", r.held_on.to_string()),
        ("时间", time),
        ("地点", r.place.clone()),
        ("主持人", r.host.clone()),
        ("记录人", r.recorder.clone()),
    ];
    if r.lecturer.is_some() || codes.iter().any(|c| dl::type_of(&types, c).is_some_and(|t| t.lecturer)) {
        facts.push(("授课人", or_dash(&r.lecturer)));
    }
    facts.push(("列席人员", or_dash(&r.observers)));
    let mut review_facts =
        vec![("审核状态", state.label().to_string()), ("登记", format!("{}，{}", r.created_by, r.created_on))];
    if let Some(t) = &r.submitted_at {
        review_facts.push(("提交审核", at(t)));
    }
    if let (Some(by), Some(t)) = (&r.reviewed_by, &r.reviewed_at) {
        review_facts.push((if state == RecordStatus::Returned { "退回" } else { "审核" }, format!("{by}，{}", at(t))));
    }
    let may_record = caller.can_at(Perm::RecordLife, &r.path);
    let review_scope = caller.scope_for(Perm::ReviewLife);
    let superior_in_scope = domain::path::parent(&r.path).is_some_and(|p| review_scope.contains(p));
    let can_review = state == RecordStatus::Submitted && superior_in_scope;
    let roster_based = !full.attendance.is_empty() || dl::roster_kind(&types, &codes) != RosterKind::None;
    let attendance: Vec<AttLine> = full
        .attendance
        .iter()
        .map(|a| AttLine {
            name: a.name.clone(),
            voter: a.is_voter,
            label: a.label(),
            present: a.status == "present",
            reason: a.reason.clone().unwrap_or_default(),
        })
        .collect();
    let away = attendance.iter().filter(|a| !a.present).count();
    let trail = vec![
        Crumb::new("/life", "会议记录"),
        Crumb::new(format!("/life?org={}", r.org_id), r.org_name.clone()),
        Crumb::new("", r.title.clone()),
    ];
    let page = RecordPage {
        nav: caller.nav("life").crumbs(trail),
        id: r.id,
        title: r.title.clone(),
        org_id: r.org_id,
        status_label: state.label(),
        status_class: status_class(state),
        facts,
        review_facts,
        return_reason: r.return_reason.clone().filter(|_| state == RecordStatus::Returned),
        agenda: r.agenda.clone().filter(|a| !a.trim().is_empty()),
        minutes: r.minutes.clone().filter(|a| !a.trim().is_empty()),
        roster_based,
        has_attendance: r.has_attendance,
        expected: r.expected,
        present: r.present,
        on_leave: r.on_leave,
        absent: r.absent,
        voters_expected: r.voters_expected,
        voters_present: r.voters_present,
        attendance,
        away,
        resolutions: full
            .resolutions
            .iter()
            .map(|x| ResLine {
                seq: x.seq,
                text: x.text.clone(),
                voters_expected: x.voters_expected,
                yes: x.yes,
                no: x.no,
                abstain: x.abstain,
                method: x.method.clone(),
                passed: x.passed,
            })
            .collect(),
        attachments: full
            .attachments
            .iter()
            .map(|a| AttachLine {
                id: a.id,
                name: a.name.clone(),
                size: size_label(a.size),
                kind: mime_label(&a.mime),
                at: at(&a.created_at),
                by: a.created_by.clone(),
            })
            .collect(),
        quorum_warnings: quorum_warnings(r, &types),
        notice: x.notice,
        action_error: x.action_error,
        upload_error: x.upload_error,
        review_error: x.review_error,
        reason: x.reason,
        can_edit: state.editable() && may_record,
        can_review,
        awaiting_superior: state == RecordStatus::Submitted && !superior_in_scope,
    };
    with_status(render(&page), status)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecordQuery {
    ok: String,
}

pub async fn record(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<RecordQuery>,
) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadLife));
    let full = match store::life::get(&s.store, &scope, id).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    let x = Extras { notice: ok_notice(&q.ok), ..Default::default() };
    record_view(&s, &caller, full, x, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    confirm: String,
    decision: String,
    reason: String,
}

pub async fn submit(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    let (scope, full) = crate::tri!(for_recording(&s, &caller, id).await);
    crate::tri!(caller.check_csrf(&f.csrf));
    if f.confirm != "yes" {
        let x = Extras {
            action_error: Some("请在记录页面点击“提交审核”按钮提交。".into()), ..Default::default()
        };
        return record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match store::life::submit(&s.store, &scope, id).await {
        Ok(()) => Redirect::to(&format!("/life/records/{id}?ok=submitted")).into_response(),
        Err(StoreError::Refused(m)) => {
            let x = Extras { action_error: Some(m), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}

const REVIEWED_ABOVE: &str =
    "会议记录由上级党组织审核：本组织（您管理范围的顶层党组织）的记录请由上级党组织的管理员审核。";

pub async fn review(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReviewLife));
    let full = match store::life::get(&s.store, &scope, id).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    crate::tri!(caller.check_csrf(&f.csrf));
    if !full.reviewable {
        return error_page(StatusCode::FORBIDDEN, "无权审核", REVIEWED_ABOVE);
    }
    let accept = match f.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => {
            let x = Extras {
                review_error: Some("请点击“审核通过”或“退回”".into()),
                reason: f.reason.clone(),
                ..Default::default()
            };
            return record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match store::life::review(&s.store, &scope, id, accept, &f.reason).await {
        Ok(()) => Redirect::to(&format!("/life/records/{id}?ok={}", if accept { "accepted" } else { "returned" }))
            .into_response(),
        Err(StoreError::Invalid(e)) => {
            let msg = join_errors(&e, "退回原因").unwrap_or_else(|| e.to_string());
            let x = Extras { review_error: Some(msg), reason: f.reason.clone(), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(StoreError::Refused(m)) => {
            let x = Extras { action_error: Some(m), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Attachments

struct Upload {
    csrf: String,
    file_name: String,
    content: Option<Vec<u8>>,
    too_large: bool,
}

async fn read_multipart(mut mp: Multipart) -> Result<Upload, String> {
    let mut up = Upload { csrf: String::new(), file_name: String::new(), content: None, too_large: false };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                up.too_large = true;
                break;
            }
            Err(_) => return Err("上传的内容不完整，请重新选择文件上传。".into()),
        };
        match field.name().unwrap_or("") {
            "file" => {
                up.file_name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(b) if b.len() > store::life::MAX_ATTACHMENT => up.too_large = true,
                    Ok(b) => up.content = Some(b.to_vec()),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        up.too_large = true;
                        break;
                    }
                    Err(_) => return Err("上传的内容不完整，请重新选择文件上传。".into()),
                }
            }
            "csrf" => up.csrf = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    Ok(up)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

pub async fn upload(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, req: Request) -> Response {
    let (scope, full) = crate::tri!(for_recording(&s, &caller, id).await);
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let up = if is_multipart {
        let mp = match Multipart::from_request(req, &s).await {
            Ok(mp) => mp,
            Err(_) => {
                return error_page(StatusCode::BAD_REQUEST, "上传失败", "上传的内容无法识别，请重新选择文件上传。")
            }
        };
        match read_multipart(mp).await {
            Ok(up) => up,
            Err(msg) => return error_page(StatusCode::BAD_REQUEST, "上传失败", &msg),
        }
    } else {
        // a plain form (no file at all): answered with the form's problem, never an extractor error
        let csrf = Form::<CsrfOnly>::from_request(req, &s).await.map(|f| f.0.csrf).unwrap_or_default();
        Upload { csrf, file_name: String::new(), content: None, too_large: false }
    };
    crate::tri!(caller.check_csrf(&up.csrf));
    let problem = match (&up.content, up.too_large) {
        (_, true) => Some(format!(
            "“{}”超过 10 MB 的上限，请压缩照片或拆分文件后再上传",
            up.file_name.rsplit(['/', '\\']).next().unwrap_or("")
        )),
        (None, false) => Some("请选择要上传的文件".to_string()),
        (Some(c), false) if c.is_empty() && up.file_name.is_empty() => Some("请选择要上传的文件".to_string()),
        _ => None,
    };
    if let Some(m) = problem {
        let x = Extras { upload_error: Some(m), ..Default::default() };
        return record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let content = up.content.unwrap_or_default();
    match store::life::add_attachment(&s.store, &scope, id, &up.file_name, &content).await {
        Ok(_) => Redirect::to(&format!("/life/records/{id}?ok=attached#attachments")).into_response(),
        Err(StoreError::Invalid(e)) => {
            let msg = e.0.iter().map(|x| x.message.as_str()).collect::<Vec<_>>().join("；");
            let x = Extras { upload_error: Some(msg), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(StoreError::Refused(m)) => {
            let x = Extras { upload_error: Some(m), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}

/// `filename*=UTF-8''…` with an ASCII fallback for old clients.
fn disposition(name: &str) -> String {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{}", urlencode(name))
}

pub async fn download(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadLife));
    let record_id = match store::life::attachment_record(&s.store, &scope, id).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    let (meta, bytes) = match store::life::attachment(&s.store, &scope, record_id, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition(&meta.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

pub async fn delete_attachment(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    let scope = crate::tri!(caller.require(Perm::RecordLife));
    let record_id = match store::life::attachment_record(&s.store, &scope, id).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    crate::tri!(caller.check_csrf(&f.csrf));
    let full = match store::life::get(&s.store, &scope, record_id).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    if f.confirm != "yes" {
        let x = Extras { upload_error: Some("删除附件前请勾选“确认”".into()), ..Default::default() };
        return record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match store::life::delete_attachment(&s.store, &scope, record_id, id).await {
        Ok(()) => Redirect::to(&format!("/life/records/{record_id}?ok=detached#attachments")).into_response(),
        Err(StoreError::Refused(m)) => {
            let x = Extras { upload_error: Some(m), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}
