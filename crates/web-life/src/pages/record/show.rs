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
    web_core::tri!(caller.require(Perm::ReadLife));
    let full = match service::life::records::get(&s.store, &caller, id).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    let x = Extras { notice: ok_notice(&q.ok), ..Default::default() };
    record_view(&s, &caller, full, x, StatusCode::OK).await
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
