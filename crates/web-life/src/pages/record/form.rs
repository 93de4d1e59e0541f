//! The record form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use domain::life::{self as dl, LifeType, RecordInput, RecordStatus, RosterKind};
use domain::org::Org;
use domain::FieldErrors;
use service::ServiceError;
use std::collections::HashMap;
use store::life::{Record, RecordFull};
use store::Visible;
use web_core::access::Perm;
use web_core::form::{with_status, Field};
use web_core::pages::{render, today};
use web_core::{Caller, Crumb, Nav, Shared};

use super::*;

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
    /// The version of the record the form was filled from: a save on an older one is refused.
    version: String,
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
    lecturer_member_id: String,
    belongs_to_year: String,
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
                "version" => f.version = v,
                "held_on" => f.held_on = v,
                "start_time" => f.start_time = v,
                "end_time" => f.end_time = v,
                "place" => f.place = v,
                "host" => f.host = v,
                "recorder" => f.recorder = v,
                "lecturer" => f.lecturer = v,
                "lecturer_member_id" => f.lecturer_member_id = v,
                "belongs_to_year" => f.belongs_to_year = v,
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
            lecturer_member_id: r.lecturer_member_id.map(|i| i.to_string()).unwrap_or_default(),
            belongs_to_year: r.belongs_to_year.map(|y| y.to_string()).unwrap_or_default(),
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
            version: r.version.to_string(),
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
            lecturer_member_id: self.lecturer_member_id.clone(),
            belongs_to_year: self.belongs_to_year.clone(),
            version: self.version.trim().parse().ok(),
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

/// The attendance block of the form: the roster of a date for the kind of the chosen types, each
/// with the status and reason typed so far, or the numbers by hand for types without a roster.
/// Rendered inside the form, and alone for the form's script when the meeting's date or types
/// change (`GET /orgs/{id}/life/attendance`).
#[derive(Template)]
#[template(path = "life/attendance_partial.html")]
pub struct AttendanceBlock {
    roster_kind: &'static str,
    roster_title: &'static str,
    roster_on: String,
    rows: Vec<AttRow>,
    voters: usize,
    att_error: Option<String>,
    count_fields: Vec<Field>,
    attend_options: Vec<(&'static str, &'static str)>,
}

impl AttendanceBlock {
    fn new(kind: RosterKind, roster_on: Option<NaiveDate>, rows: Vec<AttRow>, count_fields: Vec<Field>) -> Self {
        AttendanceBlock {
            roster_kind: kind.code(),
            roster_title: roster_title(kind),
            roster_on: roster_on.map(|d| d.to_string()).unwrap_or_default(),
            voters: rows.iter().filter(|r| r.voter).count(),
            rows,
            att_error: None,
            count_fields,
            attend_options: dl::Attend::ALL.iter().map(|a| (a.code(), a.label())).collect(),
        }
    }
}

fn roster_title(kind: RosterKind) -> &'static str {
    match kind {
        RosterKind::Branch => "本组织党员（含党小组）",
        RosterKind::Committee => "支部委员会成员",
        RosterKind::None => "不按名册，填写人数",
    }
}

/// The fields of a meeting without a roster: the numbers by hand.
fn numbers_by_hand(f: &LifeForm) -> Vec<Field> {
    vec![
        Field::new("expected", "应到人数", "number", &f.expected),
        Field::new("present", "实到人数", "number", &f.present),
        Field::new("leave", "请假人数", "number", &f.leave),
        Field::new("absent", "缺席人数", "number", &f.absent),
    ]
}

/// A notice above the form: what was done (`Done`), or what the user should look at before
/// saving (`Check`).
enum Notice {
    Done(String),
    Check(String),
}

#[derive(Template)]
#[template(path = "life/form.html")]
struct FormPage {
    nav: Nav,
    title: String,
    org_name: String,
    action: String,
    cancel: String,
    notice: Option<String>,
    caution: Option<String>,
    refusal: Option<String>,
    error_count: usize,
    others: Vec<String>,
    /// (code, label, checked)
    type_choices: Vec<(String, String, bool)>,
    types_error: Option<String>,
    fields: Vec<Field>,
    /// The minutes, after the attendance and the resolutions (one field).
    minutes: Vec<Field>,
    /// Where the form's script reads the attendance block of another date or other types.
    attendance_url: String,
    /// The version of the record being edited (empty for a new one).
    version: String,
    att: AttendanceBlock,
    res: Vec<ResRow>,
    res_error: Option<String>,
    method_options: Vec<(&'static str, &'static str)>,
    result_options: Vec<(&'static str, &'static str)>,
}

/// What the form page is about: a new record of an organization, or a stored one.
struct FormCtx<'a> {
    org: &'a Visible<Org>,
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

pub(crate) fn join_errors(errs: &FieldErrors, field: &str) -> Option<String> {
    let v: Vec<&str> = errs.0.iter().filter(|e| e.field == field).map(|e| e.message.as_str()).collect();
    (!v.is_empty()).then(|| v.join("；"))
}

/// The roster of `on` for `kind` (only the committee for a 支委会; nobody for types without a
/// roster or without a date), each with the status and reason typed for them (present by
/// default). `failed`: after a refused save, an absence without its reason is marked.
async fn roster_rows(
    s: &Shared,
    caller: &Caller,
    org: &Visible<Org>,
    kind: RosterKind,
    on: Option<NaiveDate>,
    typed: &[(i64, String, String)],
    failed: bool,
) -> Result<Vec<AttRow>, Response> {
    let roster = match (kind, on) {
        (RosterKind::None, _) | (_, None) => Vec::new(),
        (_, Some(on)) => service::life::roster::on(&s.store, caller, org, on).await.map_err(|e| caller.fail(e))?,
    };
    let typed: HashMap<i64, (&str, &str)> =
        typed.iter().map(|(id, st, reason)| (*id, (st.as_str(), reason.as_str()))).collect();
    Ok(roster
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
        .collect())
}

/// The form page: the fields as typed, the roster of `roster_on` (for the kind of the chosen
/// types) with the statuses typed so far, the resolution rows, each problem beside its field.
#[allow(clippy::too_many_arguments)]
async fn form_view(
    s: &Shared,
    caller: &Caller,
    ctx: &FormCtx<'_>,
    f: &LifeForm,
    types: &[LifeType],
    roster_on: Option<NaiveDate>,
    errs: &FieldErrors,
    refusal: Option<String>,
    notice: Option<Notice>,
) -> Response {
    let kind = display_kind(types, &f.types, ctx.org.kind.holds_members());
    let rows = match roster_rows(s, caller, ctx.org, kind, roster_on, &f.attendance, !errs.is_empty()).await {
        Ok(r) => r,
        Err(r) => return r,
    };

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
        Field::select("lecturer_member_id", "授课人（党员）", &f.lecturer_member_id, {
            // the roster of the date; a 书记 or 委员 of an organization above is matched by name
            let mut o = vec![(String::new(), "按授课人姓名匹配（本组织或上级班子成员、本组织党员）".to_string())];
            o.extend(rows.iter().map(|r| (r.member_id.to_string(), r.name.clone())));
            if !f.lecturer_member_id.is_empty() && !o.iter().any(|x| x.0 == f.lecturer_member_id) {
                o.push((f.lecturer_member_id.clone(), format!("{}（已选）", f.lecturer)));
            }
            o
        })
        .hint("党委（党组）书记讲党课按授课人本人计 (LIFE-06S)"),
        Field::new("belongs_to_year", "所属年度", "number", &f.belongs_to_year)
            .hint("留空：按会议日期；年初窗口内召开的年度会议（组织生活会、民主评议等）计入上一年度 (LIFE-18)"),
        Field::new("observers", "列席人员", "text", &f.observers).hint("非本组织党员的参会人员，如上级联系领导"),
        Field::new("agenda", "议程", "textarea", &f.agenda).wide().hint("逐项列出会议议题"),
    ];
    let mut minutes = vec![Field::new("minutes", "会议纪要", "textarea", &f.minutes)
        .wide()
        .hint("主要内容、发言摘要、遗留问题及落实责任人；党课写明授课题目和要点")];
    let mut count_fields = numbers_by_hand(f);
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
    let mut att = AttendanceBlock::new(kind, roster_on, rows, count_fields);
    att.att_error = join_errors(errs, "出席情况");
    let (notice, caution) = match notice {
        Some(Notice::Done(n)) => (Some(n), None),
        Some(Notice::Check(n)) => (None, Some(n)),
        None => (None, None),
    };
    let page = FormPage {
        nav: caller.nav("life").crumbs(ctx.trail()),
        title: ctx.title(),
        org_name: ctx.org.name.clone(),
        action: ctx.action(),
        cancel: ctx.cancel(),
        notice,
        caution,
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
        attendance_url: format!("/orgs/{}/life/attendance", ctx.org.id),
        version: f.version.clone(),
        att,
        res,
        res_error: (!res_general.is_empty()).then(|| res_general.join("；")),
        method_options: vec![("举手表决", "举手表决"), ("无记名投票", "无记名投票")],
        result_options: vec![("", "按票数"), ("pass", "通过"), ("fail", "未通过")],
    };
    let status =
        if errs.is_empty() && page.refusal.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    with_status(render(&page), status)
}

#[derive(Template)]
#[template(path = "life/pick.html")]
struct PickPage {
    nav: Nav,
    id: i64,
    name: String,
    kind: &'static str,
    picker: web_core::picker::OrgPicker,
}

/// An organization that records nothing itself (a 地方党委): pick, with the one organization
/// picker, the organization below that held the meeting (those that record organization life,
/// found by name, each with its parents).
async fn pick_page(s: &Shared, caller: &Caller, o: &Visible<Org>) -> Response {
    let trail = vec![
        Crumb::new("/life", "会议记录"),
        Crumb::new(format!("/life?org={}", o.id), o.name.clone()),
        Crumb::new("", "登记会议"),
    ];
    let picker = web_core::picker::OrgPicker::new(
        s,
        caller,
        web_core::picker::Purpose::RecordLife,
        "org",
        "召开会议的党组织",
        None,
        "/orgs/{id}/life/new",
    )
    .await
    .submitting();
    render(&PickPage {
        nav: caller.nav("life").crumbs(trail),
        id: o.id,
        name: o.name.clone(),
        kind: o.kind.label(),
        picker,
    })
}

/// `?org=` of the pick page: the organization picked there.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PickedQuery {
    org: String,
}

pub async fn new_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<PickedQuery>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::RecordLife, id).await);
    if !records_life(o.kind) {
        // the pick page's choice: the form of the organization picked (which checks it)
        if let Ok(picked) = q.org.trim().parse::<i64>() {
            return axum::response::Redirect::to(&format!("/orgs/{picked}/life/new")).into_response();
        }
        return pick_page(&s, &caller, &o).await;
    }
    let types = match life_types(&s, &caller).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let on = today();
    let f = LifeForm { held_on: on.to_string(), ..Default::default() };
    let ctx = FormCtx { org: &o, record: None };
    form_view(&s, &caller, &ctx, &f, &types, Some(on), &FieldErrors::default(), None, None).await
}

pub async fn new_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::RecordLife, id).await);
    let f = LifeForm::from_pairs(pairs);
    web_core::tri!(caller.check_csrf(&f.csrf));
    if !records_life(o.kind) {
        return with_status(pick_page(&s, &caller, &o).await, StatusCode::CONFLICT);
    }
    let ctx = FormCtx { org: &o, record: None };
    save(&s, &caller, &ctx, f).await
}

/// A form post: load the roster, add a row, mark everyone present, or save (and perhaps submit).
/// A save reports every problem of the form at once; a save after the meeting's date or types
/// changed lists the roster of the new date and types first (see [`relist`]).
async fn save(s: &Shared, caller: &Caller, ctx: &FormCtx<'_>, mut f: LifeForm) -> Response {
    let types = match life_types(s, caller).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let kind = display_kind(&types, &f.types, ctx.org.kind.holds_members());
    let held_on = domain::dates::parse_date(&f.held_on).ok();
    let usable = held_on.filter(|d| dl::usable_date(*d, today()));
    let shown_on = domain::dates::parse_date(&f.roster_on).ok();
    let mut errs = FieldErrors::default();
    match f.action.as_str() {
        "roster" => {
            let notice = match held_on {
                Some(_) if kind == RosterKind::None => {
                    Some(Notice::Done("所选会议类型不按党员名册登记，请直接填写人数。".to_string()))
                }
                Some(d) if d > today() => {
                    errs.push("会议日期", format!("{d} 晚于今天，只能登记已召开的会议 (REC-04)"));
                    None
                }
                Some(d) => Some(Notice::Done(format!("已载入 {d} 的名册，请登记每人的出席情况。"))),
                None => {
                    errs.push("会议日期", "请先填写有效的会议日期，再载入名册");
                    None
                }
            };
            let on = held_on.filter(|d| *d <= today()).or(shown_on);
            let r = form_view(s, caller, ctx, &f, &types, on, &errs, None, notice).await;
            return if errs.is_empty() { r } else { with_status(r, StatusCode::UNPROCESSABLE_ENTITY) };
        }
        "more_rows" => {
            let n = f.resolutions.len().max(BLANK_RES_ROWS);
            f.resolutions.resize(n, ResForm::default());
            if n < MAX_RES_ROWS {
                f.resolutions.push(ResForm::default());
            }
            let notice = Some(Notice::Done(format!("已增加一行，共 {} 行决议。", f.resolutions.len())));
            return form_view(s, caller, ctx, &f, &types, shown_on.or(held_on), &errs, None, notice).await;
        }
        // 全部出席 without script: everyone on the roster shown is marked present, the rest kept
        "all_present" => {
            for a in f.attendance.iter_mut() {
                a.1 = dl::Attend::Present.code().to_string();
            }
            let notice = Some(Notice::Done(format!(
                "已将名册中的 {} 人全部标为出席；有请假或缺席的，请逐一改选并注明原因。",
                f.attendance.len()
            )));
            return form_view(s, caller, ctx, &f, &types, shown_on.or(usable), &errs, None, notice).await;
        }
        _ => {}
    }
    // the roster on the form must be the one of the entered date and types: when either changed,
    // list the right people first instead of saving
    if let Some(d) = usable {
        let stale = kind.code() != f.roster_kind || (kind != RosterKind::None && Some(d) != shown_on);
        if stale && !f.roster_kind.is_empty() {
            return relist(s, caller, ctx, f, &types, kind, d).await;
        }
    }
    let submit = f.action == "submit";
    let input = f.input();
    // without a usable date nothing can be saved; the other problems are found in the same round,
    // attendance and votes checked against the roster the form shows
    let refused = match usable {
        None => service::life::records::check(&s.store, caller, ctx.org, &input, shown_on).await.err(),
        Some(_) => None,
    };
    let result = match (refused, ctx.record) {
        (Some(e), _) => Err(e),
        (None, None) => {
            service::life::records::create(&s.store, caller, ctx.org.id, &input, submit).await.map(|sv| sv.id)
        }
        (None, Some(r)) => match service::life::records::update(&s.store, caller, r.id, &input).await {
            Ok(sv) if submit => service::life::records::submit(&s.store, caller, sv.id).await.map(|_| sv.id),
            Ok(sv) => Ok(sv.id),
            Err(e) => Err(e),
        },
    };
    let on = usable.or(shown_on);
    match result {
        Ok(id) => Redirect::to(&format!("/life/records/{id}?ok={}", if submit { "submitted" } else { "saved" }))
            .into_response(),
        Err(ServiceError::Invalid(e)) => form_view(s, caller, ctx, &f, &types, on, &e, None, None).await,
        Err(ServiceError::Refused(m)) => {
            let r = form_view(s, caller, ctx, &f, &types, on, &errs, Some(m), None).await;
            with_status(r, StatusCode::CONFLICT)
        }
        // changed by someone else meanwhile: what was typed stays in the form, which now carries
        // the stored version, so saving again (after a look at the record) applies it
        Err(e @ ServiceError::Stale(_)) => {
            let mut kept = f.clone();
            if let Some(r) = ctx.record {
                if let Ok(now) = service::life::records::get(&s.store, caller, r.id).await {
                    kept.version = now.record.version.to_string();
                }
            }
            let m = format!("{e}打开记录页可查看当前内容（另开窗口），核对后再次保存将以您填写的为准。");
            let mut r = form_view(s, caller, ctx, &kept, &types, on, &errs, Some(m), None).await;
            *r.status_mut() = StatusCode::CONFLICT;
            r
        }
        Err(e) => caller.fail(e),
    }
}

/// A save after the meeting's date or types changed (without the form's script, which reloads
/// the roster as they change): nothing is saved; the roster of the new date for the new types is
/// listed, keeping the attendance typed for those still on it, and the rest of the form is
/// checked now so that every other problem shows in the same round. Everything typed stays.
async fn relist(
    s: &Shared,
    caller: &Caller,
    ctx: &FormCtx<'_>,
    mut f: LifeForm,
    types: &[LifeType],
    kind: RosterKind,
    on: NaiveDate,
) -> Response {
    let rows = match roster_rows(s, caller, ctx.org, kind, Some(on), &f.attendance, false).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    f.attendance = rows.iter().map(|r| (r.member_id, r.status.clone(), r.reason.clone())).collect();
    f.roster_on = on.to_string();
    f.roster_kind = kind.code().to_string();
    let errs = match service::life::records::check(&s.store, caller, ctx.org, &f.input(), None).await {
        Ok(_) => FieldErrors::default(),
        Err(ServiceError::Invalid(e)) => e,
        Err(e) => return caller.fail(e),
    };
    let what = match kind {
        RosterKind::None => "所选会议类型不按党员名册登记，请填写应到、实到等人数".to_string(),
        _ => format!("现列出 {on} 的{}，共 {} 人", roster_title(kind), rows.len()),
    };
    let notice = Notice::Check(format!("参会名单已按新的日期/类型更新，请核对后再保存。{what}。"));
    form_view(s, caller, ctx, &f, types, Some(on), &errs, None, Some(notice)).await
}

/// `GET /orgs/{id}/life/attendance?held_on=…&types=…`: the attendance block of the form for
/// another date or other types, for the form's script (it keeps what was typed itself). For
/// those who enter organization life there; a date that is missing, wrong or in the future
/// answers 422 with what to fix.
pub async fn attendance_block(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    axum::extract::Query(pairs): axum::extract::Query<Vec<(String, String)>>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::RecordLife, id).await);
    let types = match life_types(&s, &caller).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let mut f = LifeForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "held_on" => f.held_on = v,
            "types" => f.types.push(v),
            _ => {}
        }
    }
    let Some(on) = domain::dates::parse_date(&f.held_on).ok().filter(|d| dl::usable_date(*d, today())) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            axum::response::Html("<p>会议日期：请填写有效的会议日期（不晚于今天），名册按会议当日列出。</p>"),
        )
            .into_response();
    };
    let kind = display_kind(&types, &f.types, o.kind.holds_members());
    let rows = match roster_rows(&s, &caller, &o, kind, Some(on), &[], false).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut r = render(&AttendanceBlock::new(kind, Some(on), rows, numbers_by_hand(&f)));
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    r
}

/// A record read through the RecordLife scope (404 outside it).
pub(crate) async fn for_recording(s: &Shared, caller: &Caller, id: i64) -> Result<RecordFull, Response> {
    service::life::records::get_for_recording(&s.store, caller, id).await.map_err(|e| caller.fail(e))
}

/// The record's organization when the record may still be edited; otherwise the record page
/// saying why not (409).
async fn editable(s: &Shared, caller: &Caller, full: RecordFull) -> Result<(RecordFull, Visible<Org>), Response> {
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
    let org = service::life::records::organization(&s.store, caller, &full.record).await.map_err(|e| caller.fail(e))?;
    Ok((full, org))
}

pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let full = web_core::tri!(for_recording(&s, &caller, id).await);
    let (full, org) = web_core::tri!(editable(&s, &caller, full).await);
    let types = match life_types(&s, &caller).await {
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
        .map(|r| Notice::Check(format!("上级退回的原因：{r}。修改后请重新提交审核。")));
    form_view(&s, &caller, &ctx, &f, &types, Some(full.record.held_on), &FieldErrors::default(), None, notice).await
}

pub async fn edit_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let full = web_core::tri!(for_recording(&s, &caller, id).await);
    let f = LifeForm::from_pairs(pairs);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let (full, org) = web_core::tri!(editable(&s, &caller, full).await);
    let ctx = FormCtx { org: &org, record: Some(&full.record) };
    save(&s, &caller, &ctx, f).await
}
