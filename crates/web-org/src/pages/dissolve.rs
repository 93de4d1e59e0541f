//! Dissolve.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::org::Org;
use domain::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use web_core::access::Perm;
use web_core::pages::{render, today};
use web_core::Shared;
use web_core::{Caller, Nav};

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DissolveForm {
    csrf: String,
    date: String,
    /// The organization's name, typed to confirm.
    name: String,
}

#[derive(Template)]
#[template(path = "org/dissolve.html")]
struct DissolvePage {
    nav: Nav,
    id: i64,
    name: String,
    children: usize,
    members: i64,
    refusal: Option<String>,
    fields: Vec<Field>,
}

async fn dissolve_view(
    s: &Shared,
    caller: &Caller,
    o: &Org,
    form: &DissolveForm,
    errs: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let nodes = service::org::subtree(&s.store, caller, Perm::EditOrgs, o.id, Some(1)).await;
    let (children, members) = match nodes {
        Ok(n) => (n.len().saturating_sub(1), n.first().map_or(0, |r| r.counts.total)),
        Err(e) => return caller.fail(e),
    };
    let mut fields = vec![
        Field::new("date", "撤销日期", "date", &form.date).req(),
        Field::new("name", "确认名称", "text", &form.name).req().hint(format!("请输入组织全称“{}”以确认撤销", o.name)),
    ];
    let others = attach_errors(&mut fields, errs);
    let refusal = refusal.or_else(|| (!others.is_empty()).then(|| others.join("；")));
    let trail = org_trail(s, caller, o, "撤销").await;
    render(&DissolvePage {
        nav: caller.nav("orgs").crumbs(trail),
        id: o.id,
        name: o.name.clone(),
        children,
        members,
        refusal,
        fields,
    })
}

pub async fn dissolve_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let refusal = top_of_grant(&caller, &o).then(|| TOP_OF_GRANT.to_string());
    let form = DissolveForm { date: today().to_string(), ..Default::default() };
    dissolve_view(&s, &caller, &o, &form, &FieldErrors::default(), refusal).await
}

pub async fn dissolve_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<DissolveForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    if top_of_grant(&caller, &o) {
        let r = dissolve_view(&s, &caller, &o, &f, &FieldErrors::default(), Some(TOP_OF_GRANT.into())).await;
        return with_status(r, StatusCode::CONFLICT);
    }
    let mut errs = FieldErrors::default();
    let today = today();
    let date = if f.date.trim().is_empty() {
        errs.push("撤销日期", "不能为空");
        None
    } else {
        opt_date(&f.date, "撤销日期", &mut errs)
    };
    if let Some(d) = date {
        if d > today {
            errs.push("撤销日期", "不能晚于今天");
        }
        if o.founded_on.is_some_and(|f| d < f) {
            errs.push("撤销日期", "不能早于成立日期");
        }
    }
    if domain::member::normalize_text(&f.name) != o.name {
        errs.push("确认名称", format!("与组织全称“{}”不一致", o.name));
    }
    let (Some(date), true) = (date, errs.is_empty()) else {
        let r = dissolve_view(&s, &caller, &o, &f, &errs, None).await;
        return with_status(r, StatusCode::UNPROCESSABLE_ENTITY);
    };
    match service::org::dissolve(&s.store, &caller, id, date).await {
        Ok(()) => {
            let back = match o.parent_id {
                Some(p) if service::org::get(&s.store, &caller, Perm::ReadOrgs, p).await.is_ok() => {
                    format!("/orgs/{p}?ok=dissolved")
                }
                _ => "/orgs".to_string(),
            };
            Redirect::to(&back).into_response()
        }
        Err(ServiceError::Refused(m)) => {
            let r = dissolve_view(&s, &caller, &o, &f, &FieldErrors::default(), Some(m)).await;
            with_status(r, StatusCode::CONFLICT)
        }
        Err(e) => caller.fail(e),
    }
}
