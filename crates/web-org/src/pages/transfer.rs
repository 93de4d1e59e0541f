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
    q: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    /// The destination parent's id.
    to: String,
    confirm: String,
    q: String,
}

pub struct Destination {
    id: i64,
    name: String,
    kind: &'static str,
    parent: String,
    /// Why it cannot take this organization, if it cannot.
    refusal: Option<String>,
}

#[derive(Template)]
#[template(path = "org/move.html")]
struct MovePage {
    nav: Nav,
    id: i64,
    name: String,
    kind: &'static str,
    parent_name: String,
    q: String,
    results: Vec<Destination>,
    truncated: bool,
    error: Option<String>,
    refusal: Option<String>,
    /// The confirmation step: (destination id, destination name, sub-organizations, members).
    confirm: Option<(i64, String, i64, i64)>,
}

const MOVE_RESULTS: usize = 50;

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
    service::org::names(&s.store, &caller, Perm::ReadOrgs, &[p])
        .await
        .ok()
        .and_then(|m| m.get(&p).cloned())
        .unwrap_or_else(|| "（您的管理范围以外）".into())
}

#[allow(clippy::too_many_arguments)]
async fn move_view(
    s: &Shared,
    caller: &Caller,
    o: &Org,
    q: &str,
    error: Option<String>,
    refusal: Option<String>,
    confirm: Option<(i64, String, i64, i64)>,
) -> Result<Response, Response> {
    let q = domain::member::normalize_text(q);
    let mut results = Vec::new();
    let mut truncated = false;
    if !q.is_empty() && refusal.is_none() && confirm.is_none() {
        let mut found = Vec::new();
        for root in caller.roots_for(Perm::EditOrgs) {
            found.extend(
                service::org::search(&s.store, &caller, Perm::EditOrgs, root.id, &q, MOVE_RESULTS as i64 + 1)
                    .await
                    .map_err(|e| caller.fail(e))?,
            );
        }
        truncated = found.len() > MOVE_RESULTS;
        found.truncate(MOVE_RESULTS);
        let pids: Vec<i64> = found.iter().filter_map(|d| d.parent_id).collect();
        let names = service::org::names(&s.store, &caller, Perm::ReadOrgs, &pids).await.unwrap_or_default();
        results = found
            .iter()
            .map(|d| Destination {
                id: d.id,
                name: d.name.clone(),
                kind: d.kind.label(),
                parent: d.parent_id.and_then(|p| names.get(&p).cloned()).unwrap_or_default(),
                refusal: move_refusal(o, d),
            })
            .collect();
        // the possible destinations first
        results.sort_by_key(|d: &Destination| d.refusal.is_some());
    }
    let trail = org_trail(s, caller, o, "转移").await;
    Ok(render(&MovePage {
        nav: caller.nav("orgs").crumbs(trail),
        id: o.id,
        name: o.name.clone(),
        kind: o.kind.label(),
        parent_name: parent_name(s, caller, o).await,
        q,
        results,
        truncated,
        error,
        refusal,
        confirm,
    }))
}

pub async fn move_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MoveQuery>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let refusal = top_of_grant(&caller, &o).then(|| TOP_OF_GRANT.to_string());
    match move_view(&s, &caller, &o, &q.q, None, refusal, None).await {
        Ok(r) | Err(r) => r,
    }
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
        let (s, caller, o, q) = (&s, &caller, &o, f.q.clone());
        async move {
            match move_view(s, caller, o, &q, error, refusal, confirm).await {
                Ok(r) => with_status(r, status),
                Err(r) => r,
            }
        }
    };
    if top_of_grant(&caller, &o) {
        return view(None, Some(TOP_OF_GRANT.into()), None, StatusCode::CONFLICT).await;
    }
    let Ok(to) = f.to.trim().parse::<i64>() else {
        return view(Some("请先搜索并选择新的上级党组织".into()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let dest = match service::org::get(&s.store, &caller, Perm::EditOrgs, to).await {
        Ok(d) => d,
        Err(e) => return caller.fail(e),
    };
    if let Some(r) = move_refusal(&o, &dest) {
        let msg = format!("不能转移到“{}”：{r}", dest.name);
        return view(Some(msg), None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if f.confirm != "yes" {
        let (orgs, members) = match service::org::move_preview(&s.store, &caller, id).await {
            Ok(p) => p,
            Err(e) => return caller.fail(e),
        };
        return view(None, None, Some((dest.id, dest.name.clone(), orgs - 1, members)), StatusCode::OK).await;
    }
    match service::org::move_subtree(&s.store, &caller, id, dest.id).await {
        Ok(_) => Redirect::to(&format!("/orgs/{id}?ok=moved")).into_response(),
        Err(ServiceError::Refused(m)) => view(None, Some(m), None, StatusCode::CONFLICT).await,
        Err(e) => caller.fail(e),
    }
}
