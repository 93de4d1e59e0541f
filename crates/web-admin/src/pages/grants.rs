//! 授权确认: the business officer's page of pending business grants. A 安全管理员 proposes a
//! business role (`admin.rs`); it takes effect only when a 组织部管理员 or 党组织管理员 whose scope
//! covers the organization confirms it here, or is sent back with a reason. Never for the officer's
//! own account (those are not listed, and refused if posted). The rules are in
//! `service::account`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Form;
use serde::Deserialize;
use service::ServiceError;

use super::account::{china, confirmed, Errs};
use super::render;
use web_core::access::Perm;
use web_core::routes::{Routes, Target};
use web_core::tri;
use web_core::{Caller, Crumb, Nav, Shared};

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET,POST", "/admin/grants/pending", Target::None, get(list).post(decide))
}

pub struct Row {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    org: String,
    proposed_by: String,
    proposed_at: String,
}

#[derive(Template)]
#[template(path = "admin/grants_pending.html")]
struct Page {
    nav: Nav,
    notice: Option<&'static str>,
    problem: Option<String>,
    errs: Errs,
    /// Problems not about the reason field, shown above the list.
    other_errs: Vec<String>,
    /// The request the problem is about, so its reason stays typed.
    request: i64,
    reason: String,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    ok: String,
}

async fn view(
    s: &Shared,
    caller: &Caller,
    status: StatusCode,
    notice: Option<&'static str>,
    problem: Option<String>,
    errs: Errs,
    f: &DecideForm,
) -> Response {
    let pending = match service::account::pending_grants(&s.store, caller).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let rows = pending
        .into_iter()
        .map(|r| Row {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: r.role.label(),
            org: r.org_name.unwrap_or_default(),
            proposed_by: r.proposed_by_name,
            proposed_at: china(r.proposed_at),
        })
        .collect();
    let page = Page {
        nav: caller.nav("grants").crumbs(vec![Crumb::new("", "授权确认")]),
        notice,
        problem,
        other_errs: errs.others(&["退回理由"]),
        errs,
        request: f.request.trim().parse().unwrap_or(0),
        reason: f.reason.clone(),
        rows,
    };
    let mut r = render(&page);
    *r.status_mut() = status;
    r
}

pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    tri!(caller.require(Perm::ConfirmGrants));
    let notice = match q.ok.as_str() {
        "confirmed" => Some("已确认，该授权立即生效。"),
        "rejected" => Some("已退回该授权申请，安全管理员可在账号页看到理由。"),
        _ => None,
    };
    view(&s, &caller, StatusCode::OK, notice, None, Errs::default(), &DecideForm::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    csrf: String,
    request: String,
    /// `confirm` or `reject`.
    decision: String,
    reason: String,
    confirm: String,
}

pub async fn decide(State(s): State<Shared>, caller: Caller, Form(f): Form<DecideForm>) -> Response {
    tri!(caller.require(Perm::ConfirmGrants));
    tri!(caller.check_csrf(&f.csrf));
    let un = StatusCode::UNPROCESSABLE_ENTITY;
    let mut errs = Errs::default();
    let id: i64 = f.request.trim().parse().unwrap_or(0);
    if id <= 0 {
        errs.push("授权申请", "请在列表中选择要处理的授权申请");
    }
    match f.decision.as_str() {
        "confirm" if !confirmed(&f.confirm) => errs.push("确认", "确认授权前请勾选“确认”：确认后该账号立即获得此权限"),
        "confirm" | "reject" => {}
        _ => errs.push("处理方式", "请选择“确认生效”或“退回”"),
    }
    if !errs.is_empty() {
        return view(&s, &caller, un, None, None, errs, &f).await;
    }
    let result = if f.decision == "confirm" {
        service::account::confirm_grant(&s.store, &caller, id).await
    } else {
        service::account::reject_grant(&s.store, &caller, id, &f.reason).await
    };
    match result {
        Ok(()) => {
            let ok = if f.decision == "confirm" { "confirmed" } else { "rejected" };
            Redirect::to(&format!("/admin/grants/pending?ok={ok}")).into_response()
        }
        Err(ServiceError::Invalid(e)) => view(&s, &caller, un, None, None, e.into(), &f).await,
        Err(ServiceError::Refused(m)) => view(&s, &caller, StatusCode::CONFLICT, None, Some(m), errs, &f).await,
        Err(e) => caller.fail(e),
    }
}
