//! 党籍变更.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::member::Member;
use domain::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use store::member::StatusChange;
use web_core::access::Perm;
use web_core::form::{attach_errors, opt_date, with_status, Field};
use web_core::pages::{render, today};
use web_core::Shared;
use web_core::{Caller, Nav};

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    csrf: String,
    change: String,
    date: String,
    reason: String,
    confirm: String,
}

#[derive(Template)]
#[template(path = "member/status.html")]
struct StatusPage {
    nav: Nav,
    id: i64,
    name: String,
    summary: Vec<(&'static str, String)>,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
    open: bool,
}

async fn status_view(
    s: &Shared,
    caller: &Caller,
    m: &Member,
    f: &StatusForm,
    errs: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let changes = StatusChange::open_to(m);
    let org_name = org_name_of(s, caller, Perm::ReadOrgs, m.org_id).await;
    let summary = vec![
        ("姓名", m.name.clone()),
        ("公民身份号码", domain::mask::id_number(&m.id_number)),
        ("所在党组织", org_name),
        ("人员类别", m.category.label().to_string()),
        ("入党日期", m.join_date.to_string()),
        ("党籍状态", format!("{}{}", m.status.label(), m.status_date.map(|d| format!("（{d}）")).unwrap_or_default())),
    ];
    let default_change = changes.first().map(|c| c.code()).unwrap_or_default();
    let mut fields = vec![
        Field::select(
            "change",
            "办理事项",
            if f.change.is_empty() { default_change } else { &f.change },
            changes.iter().map(|c| (c.code().to_string(), c.label().to_string())).collect(),
        )
        .req(),
        Field::new("date", "日期", "date", &f.date).req().hint("转正为转正日期（预备期满之日），其他为批准或发生之日"),
        Field::new("reason", "原因", "textarea", &f.reason)
            .req()
            .wide()
            .hint("写明办理依据，如：经××党委某年某月某日会议批准；转出写明转往的党组织"),
        Field::new("confirm", "确认办理", "check", &f.confirm).wide().hint("我已核对以上信息；办理后记入操作记录"),
    ];
    let others = attach_errors(&mut fields, errs);
    let trail = member_trail(s, caller, m, "党籍变更").await;
    render(&StatusPage {
        nav: caller.nav("members").crumbs(trail),
        id: m.id,
        name: m.name.clone(),
        summary,
        fields,
        others,
        refusal,
        open: !changes.is_empty(),
    })
}

pub async fn status_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    web_core::tri!(caller.require(Perm::EditMembers));
    let m = match service::member::get(&s.store, &caller, Perm::EditMembers, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    let f = StatusForm { date: today().to_string(), ..Default::default() };
    status_view(&s, &caller, &m, &f, &FieldErrors::default(), None).await
}

pub async fn status_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::EditMembers));
    let m = match service::member::get(&s.store, &caller, Perm::EditMembers, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    let mut errs = FieldErrors::default();
    let change = StatusChange::from_code(&f.change);
    if change.is_none() {
        errs.push("办理事项", "请选择要办理的事项");
    }
    let date = if f.date.trim().is_empty() {
        errs.push("日期", "不能为空");
        None
    } else {
        opt_date(&f.date, "日期", &mut errs)
    };
    if f.reason.trim().is_empty() {
        errs.push("原因", "不能为空，请写明办理依据");
    }
    if date.is_some_and(|d| d > today()) {
        errs.push("日期", "不能晚于今天");
    }
    if f.confirm != "1" && f.confirm != "yes" {
        errs.push("确认办理", "请核对后勾选");
    }
    let (Some(change), Some(date), true) = (change, date, errs.is_empty()) else {
        let r = status_view(&s, &caller, &m, &f, &errs, None).await;
        return with_status(r, StatusCode::UNPROCESSABLE_ENTITY);
    };
    match service::member::change_status(&s.store, &caller, id, change, date, &f.reason, today()).await {
        Ok(_) => Redirect::to(&format!("/members/{id}?ok=status")).into_response(),
        Err(ServiceError::Invalid(mut e)) => {
            for fe in e.0.iter_mut() {
                if matches!(fe.field, "转正日期" | "状态日期") {
                    fe.message = format!("{}{}", if fe.field == "转正日期" { "转正日期" } else { "" }, fe.message);
                    fe.field = "日期";
                }
            }
            let r = status_view(&s, &caller, &m, &f, &e, None).await;
            with_status(r, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(ServiceError::Refused(r)) => {
            let r = status_view(&s, &caller, &m, &f, &FieldErrors::default(), Some(r)).await;
            with_status(r, StatusCode::CONFLICT)
        }
        Err(e) => caller.fail(e),
    }
}
