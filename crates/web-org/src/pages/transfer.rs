//! Move.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::org::Org;
use serde::Deserialize;
use service::ServiceError;
use web_core::access::Perm;
use web_core::pages::render;
use web_core::Shared;
use web_core::{Caller, Nav};

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveQuery {
    /// The new parent picked with the organization picker's page (without JavaScript).
    to: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    /// The destination parent's id.
    to: String,
    confirm: String,
}

#[derive(Template)]
#[template(path = "org/move.html")]
struct MovePage {
    nav: Nav,
    id: i64,
    name: String,
    kind: &'static str,
    parent_name: String,
    /// The one organization picker, for the new parent (field `to`).
    picker: web_core::picker::OrgPicker,
    error: Option<String>,
    refusal: Option<String>,
    /// The confirmation step: (destination id, destination name, sub-organizations, members).
    confirm: Option<(i64, String, i64, i64)>,
}

/// Why `dest` cannot take `o` (checked before the confirmation; the store checks again).
fn move_refusal(o: &Org, dest: &Org) -> Option<String> {
    if domain::path::is_within(&dest.path, &o.path) {
        Some("不能转移到它自己或它的下级党组织之下".into())
    } else if o.parent_id == Some(dest.id) {
        Some("已经是它的上级党组织".into())
    } else if !dest.kind.allows_child(o.kind) {
        Some(format!("{}下不能设立{}", dest.kind.label(), o.kind.label()))
    } else {
        None
    }
}

async fn parent_name(s: &Shared, caller: &Caller, o: &Org) -> String {
    let Some(p) = o.parent_id else { return "（无）".into() };
    service::org::names(&s.store, caller, Perm::ReadOrgs, &[p])
        .await
        .ok()
        .and_then(|m| m.get(&p).cloned())
        .unwrap_or_else(|| "（您的管理范围以外）".into())
}

async fn move_view(
    s: &Shared,
    caller: &Caller,
    o: &Org,
    error: Option<String>,
    refusal: Option<String>,
    confirm: Option<(i64, String, i64, i64)>,
) -> Response {
    let trail = org_trail(s, caller, o, "转移").await;
    let picker = web_core::picker::OrgPicker::new(
        s,
        caller,
        web_core::picker::Purpose::EditOrgs,
        "to",
        "新的上级党组织（您的管理范围内）",
        None,
        &format!("/orgs/{}/move", o.id),
    )
    .await
    .hint("输入名称中的字词查找，每个结果都显示其上级；选定后先确认，再转移。");
    render(&MovePage {
        nav: caller.nav("orgs").crumbs(trail),
        id: o.id,
        name: o.name.clone(),
        kind: o.kind.label(),
        parent_name: parent_name(s, caller, o).await,
        picker,
        error,
        refusal,
        confirm,
    })
}

/// The confirmation of a move to `to` (what moves, from where to where), or why it cannot be.
async fn preview(s: &Shared, caller: &Caller, o: &Org, to: i64) -> Result<(i64, String, i64, i64), Response> {
    let dest = service::org::get(&s.store, caller, Perm::EditOrgs, to).await.map_err(|e| caller.fail(e))?;
    if let Some(r) = move_refusal(o, &dest) {
        let msg = format!("不能转移到“{}”：{r}", dest.name);
        let view = move_view(s, caller, o, Some(msg), None, None).await;
        return Err(with_status(view, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let (orgs, members) = service::org::move_preview(&s.store, caller, o.id).await.map_err(|e| caller.fail(e))?;
    Ok((dest.id, dest.name.clone(), orgs - 1, members))
}

pub async fn move_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MoveQuery>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let refusal = top_of_grant(&caller, &o).then(|| TOP_OF_GRANT.to_string());
    // back from the picker's page: the confirmation of the organization picked (moves nothing)
    let confirm = match (q.to.trim().parse::<i64>(), &refusal) {
        (Ok(to), None) => Some(web_core::tri!(preview(&s, &caller, &o, to).await)),
        _ => None,
    };
    move_view(&s, &caller, &o, None, refusal, confirm).await
}

pub async fn move_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let view = |error: Option<String>, refusal: Option<String>, confirm, status| {
        let (s, caller, o) = (&s, &caller, &o);
        async move { with_status(move_view(s, caller, o, error, refusal, confirm).await, status) }
    };
    if top_of_grant(&caller, &o) {
        return view(None, Some(TOP_OF_GRANT.into()), None, StatusCode::CONFLICT).await;
    }
    let Ok(to) = f.to.trim().parse::<i64>() else {
        return view(Some("请先搜索并选择新的上级党组织".into()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let confirmation = web_core::tri!(preview(&s, &caller, &o, to).await);
    if f.confirm != "yes" {
        return view(None, None, Some(confirmation), StatusCode::OK).await;
    }
    match service::org::move_subtree(&s.store, &caller, id, to).await {
        Ok(_) => Redirect::to(&format!("/orgs/{id}?ok=moved")).into_response(),
        Err(ServiceError::Refused(m)) => view(None, Some(m), None, StatusCode::CONFLICT).await,
        Err(e) => caller.fail(e),
    }
}
