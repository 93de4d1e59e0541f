//! The record page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::life::{self as dl, LifeType, RecordStatus, RosterKind};
use serde::Deserialize;
use service::ServiceError;
use store::life::{Record, RecordFull};
use web_core::access::Perm;
use web_core::form::with_status;
use web_core::pages::render;
use web_core::{Caller, Crumb, Nav, Shared};

use super::*;

/// What a failed action on the record page shows beside its form.
#[derive(Default)]
pub(crate) struct Extras {
    pub(crate) action_error: Option<String>,
    pub(crate) upload_error: Option<String>,
    pub(crate) review_error: Option<String>,
    pub(crate) reason: String,
    pub(crate) notice: Option<&'static str>,
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
#[template(path = "life/record.html")]
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

/// What the meeting was: its organization, types, date and time, place, host, recorder, the
/// lecturer of a 党课 and the year it counts for (the record page and the printed record).
fn meeting_facts(r: &Record, types: &[LifeType]) -> Vec<(&'static str, String)> {
    let codes = r.type_codes();
    let time = match (&r.start_time, &r.end_time) {
        (Some(a), Some(b)) => format!("{a}—{b}"),
        (Some(a), None) => format!("{a} 开始"),
        (None, Some(b)) => format!("{b} 结束"),
        (None, None) => "—".into(),
    };
    let mut facts = vec![
        ("党组织", r.org_name.clone()),
        ("会议类型", dl::codes_label(types, &codes)),
        ("会议日期", r.held_on.to_string()),
        ("时间", time),
        ("地点", r.place.clone()),
        ("主持人", r.host.clone()),
        ("记录人", r.recorder.clone()),
    ];
    if r.lecturer.is_some() || codes.iter().any(|c| dl::type_of(types, c).is_some_and(|t| t.lecturer)) {
        let who = match (&r.lecturer, r.lecturer_member_id) {
            (Some(l), Some(id)) => format!("{l}（党员编号 {id}）"),
            _ => or_dash(&r.lecturer),
        };
        facts.push(("授课人", who));
    }
    if let Some(y) = r.belongs_to_year.filter(|y| *y != i64::from(chrono::Datelike::year(&r.held_on))) {
        facts.push(("所属年度", format!("{y} 年度（年初召开的年度会议计入上一年度，LIFE-18）")));
    } else if let Some(y) = r.belongs_to_year {
        facts.push(("所属年度", format!("{y} 年度")));
    }
    facts
}

/// Where the record stands in its review: state, who entered it, submitted, reviewed or returned.
fn review_facts(r: &Record) -> Vec<(&'static str, String)> {
    let state = r.state();
    let mut facts =
        vec![("审核状态", state.label().to_string()), ("登记", format!("{}，{}", r.created_by, r.created_on))];
    if let Some(t) = &r.submitted_at {
        facts.push(("提交审核", at(t)));
    }
    if let (Some(by), Some(t)) = (&r.reviewed_by, &r.reviewed_at) {
        facts.push((if state == RecordStatus::Returned { "退回" } else { "审核" }, format!("{by}，{}", at(t))));
    }
    facts
}

fn res_lines(full: &RecordFull) -> Vec<ResLine> {
    full.resolutions
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
        .collect()
}

pub(crate) async fn record_view(
    s: &Shared,
    caller: &Caller,
    full: RecordFull,
    x: Extras,
    status: StatusCode,
) -> Response {
    let types = match life_types(s, caller).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let r = &full.record;
    let state = r.state();
    let codes = r.type_codes();
    let mut facts = meeting_facts(r, &types);
    facts.push(("列席人员", or_dash(&r.observers)));
    let review_facts = review_facts(r);
    let may_record = caller.can_at(Perm::RecordLife, &r.path);
    let superior_in_scope = service::life::records::may_review(caller, &r.path);
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
        resolutions: res_lines(&full),
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
    web_core::tri!(caller.require(Perm::ReadLife));
    let full = match service::life::records::get(&s.store, &caller, id).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    let x = Extras { notice: ok_notice(&q.ok), ..Default::default() };
    record_view(&s, &caller, full, x, StatusCode::OK).await
}

/// The printed 会议记录 a branch keeps in its archive: one A4 page with every part of the record
/// (REC-01…REC-13) and lines for the host's and the recorder's signatures.
#[derive(Template)]
#[template(path = "life/print.html")]
struct PrintPage {
    nav: Nav,
    id: i64,
    title: String,
    org_name: String,
    /// The facts two to a line, a long one on a line of its own (see [`two_a_line`]).
    facts: Vec<Vec<(&'static str, String)>>,
    agenda: Option<String>,
    minutes: Option<String>,
    /// (label, value) of the attendance: 应到, 实到, 请假, 缺席 with their names and reasons, 列席.
    attendance: Vec<(&'static str, String)>,
    /// A roster-based meeting without its attendance entered (REC-08).
    no_attendance: bool,
    quorum_warnings: Vec<String>,
    resolutions: Vec<ResLine>,
    attachments: String,
    printed_on: String,
    printed_by: String,
}

/// Short facts two to a line, long ones (the subject, the review) on a line of their own: the
/// printed record keeps to one sheet.
fn two_a_line(facts: Vec<(&'static str, String)>) -> Vec<Vec<(&'static str, String)>> {
    let mut rows: Vec<Vec<(&'static str, String)>> = Vec::new();
    let mut half: Option<(&'static str, String)> = None;
    for f in facts {
        if f.1.chars().count() > 14 || matches!(f.0, "会议主题" | "审核状态") {
            rows.extend(half.take().map(|h| vec![h]));
            rows.push(vec![f]);
        } else if let Some(h) = half.take() {
            rows.push(vec![h, f]);
        } else {
            half = Some(f);
        }
    }
    rows.extend(half.map(|h| vec![h]));
    rows
}

/// Names joined with `、`, each with what follows it in brackets (a reason), or `—` for none.
fn names(rows: &[&store::life::AttendanceRow], with_reason: bool) -> String {
    let v: Vec<String> = rows
        .iter()
        .map(|a| match a.reason.as_deref().filter(|r| with_reason && !r.trim().is_empty()) {
            Some(r) => format!("{}（{r}）", a.name),
            None => a.name.clone(),
        })
        .collect();
    v.join("、")
}

/// GET /life/records/{id}/print: the 会议记录 on one A4 page, for everyone who may read the record,
/// as the record page shows it (the reasons for absence only to those who may see them there).
pub async fn record_print(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    web_core::tri!(caller.require(Perm::ReadLife));
    let full = match service::life::records::get(&s.store, &caller, id).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    let types = match life_types(&s, &caller).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let r = &full.record;
    let codes = r.type_codes();
    let mut facts = meeting_facts(r, &types);
    facts.insert(1, ("会议主题", r.title.clone()));
    let review: Vec<String> = review_facts(r).into_iter().skip(1).map(|(k, v)| format!("{k}：{v}")).collect();
    facts.push(("审核状态", format!("{}（{}）", r.state().label(), review.join("；"))));
    let roster_based = !full.attendance.is_empty() || dl::roster_kind(&types, &codes) != RosterKind::None;
    let of = |status: &str| full.attendance.iter().filter(|a| a.status == status).collect::<Vec<_>>();
    let (present, leave, absent) = (of("present"), of("leave"), of("absent"));
    let count_with = |n: i64, list: &[&store::life::AttendanceRow], reasons: bool| {
        if list.is_empty() {
            format!("{n} 人")
        } else {
            format!("{n} 人：{}", names(list, reasons))
        }
    };
    let mut attendance = if roster_based {
        vec![
            ("应到", format!("{} 人（其中有表决权的正式党员 {} 人）", r.expected, r.voters_expected)),
            (
                "实到",
                if present.is_empty() {
                    format!("{} 人（有表决权 {} 人）", r.present, r.voters_present)
                } else {
                    format!("{} 人（有表决权 {} 人）：{}", r.present, r.voters_present, names(&present, false))
                },
            ),
        ]
    } else {
        vec![("应到", format!("{} 人", r.expected)), ("实到", format!("{} 人", r.present))]
    };
    attendance.push(("请假及原因", count_with(r.on_leave, &leave, true)));
    attendance.push(("缺席及原因", count_with(r.absent, &absent, true)));
    attendance.push(("列席人员", or_dash(&r.observers)));
    let trail = vec![
        Crumb::new("/life", "会议记录"),
        Crumb::new(format!("/life?org={}", r.org_id), r.org_name.clone()),
        Crumb::new(format!("/life/records/{}", r.id), r.title.clone()),
        Crumb::new("", "打印"),
    ];
    let page = PrintPage {
        nav: caller.nav("life").crumbs(trail),
        id: r.id,
        title: r.title.clone(),
        org_name: r.org_name.clone(),
        facts: two_a_line(facts),
        agenda: r.agenda.clone().filter(|a| !a.trim().is_empty()),
        minutes: r.minutes.clone().filter(|a| !a.trim().is_empty()),
        attendance,
        no_attendance: roster_based && !r.has_attendance,
        quorum_warnings: quorum_warnings(r, &types),
        resolutions: res_lines(&full),
        attachments: if full.attachments.is_empty() {
            "无".into()
        } else {
            full.attachments.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join("、")
        },
        printed_on: web_core::pages::today().format("%Y年%m月%d日").to_string(),
        printed_by: caller.account.account.display_name.clone(),
    };
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    pub(crate) csrf: String,
    pub(crate) confirm: String,
    decision: String,
    reason: String,
}

pub async fn submit(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    let full = web_core::tri!(for_recording(&s, &caller, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    if f.confirm != "yes" {
        let x = Extras {
            action_error: Some("请在记录页面点击“提交审核”按钮提交。".into()), ..Default::default()
        };
        return record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match service::life::records::submit(&s.store, &caller, id).await {
        Ok(()) => Redirect::to(&format!("/life/records/{id}?ok=submitted")).into_response(),
        Err(ServiceError::Refused(m)) => {
            let x = Extras { action_error: Some(m), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}

pub async fn review(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ReviewLife));
    let full = match service::life::records::get(&s.store, &caller, id).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    if let Err(e) = service::life::records::check_reviewer(&caller, &full.record) {
        return caller.fail(e);
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
    match service::life::records::review(&s.store, &caller, id, accept, &f.reason).await {
        Ok(()) => Redirect::to(&format!("/life/records/{id}?ok={}", if accept { "accepted" } else { "returned" }))
            .into_response(),
        Err(ServiceError::Invalid(e)) => {
            let msg = join_errors(&e, "退回原因").unwrap_or_else(|| e.to_string());
            let x = Extras { review_error: Some(msg), reason: f.reason.clone(), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Refused(m)) => {
            let x = Extras { action_error: Some(m), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}
