//! 党员名册 and 党员详情; create, edit, status changes.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use store::member::MemberFilter;
use store::StoreError;

use super::{render, urlencode};
use crate::access::Perm;
use crate::routes::Routes;
use crate::Shared;
use crate::{Caller, Nav};

#[derive(Deserialize)]
pub struct MembersQuery {
    org: Option<i64>,
    name: Option<String>,
    category: Option<String>,
    page: Option<i64>,
}

pub struct MemberRow {
    name: String,
    sex: &'static str,
    id_number: String,
    category: &'static str,
    join_date: String,
    phone: String,
    org_id: i64,
    org_name: String,
}

#[derive(Template)]
#[template(path = "members.html")]
struct Members {
    nav: Nav,
    org_id: i64,
    org_name: String,
    name: String,
    category: String,
    rows: Vec<MemberRow>,
    total: i64,
    page: i64,
    pages: i64,
    base_link: String,
}

const PER_PAGE: i64 = 50;

pub async fn members(State(s): State<Shared>, caller: Caller, Query(q): Query<MembersQuery>) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadMembers));
    let org = match q.org {
        Some(id) => store::org::get(&s.store, &scope, id).await,
        None => caller.roots_for(Perm::ReadMembers).into_iter().next().ok_or(StoreError::NotFound("党组织")),
    };
    let org = match org {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let category = q.category.clone().unwrap_or_default();
    let filter = MemberFilter {
        name: q.name.clone(),
        category: domain::member::Category::from_code(&category),
        ..Default::default()
    };
    let page = match store::member::list(&s.store, &scope, org.id, &filter, q.page.unwrap_or(1), PER_PAGE).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let ids: Vec<i64> = page.items.iter().map(|m| m.org_id).collect();
    let names = store::org::names(&s.store, &scope, &ids).await.unwrap_or_default();
    let mut rows = Vec::with_capacity(page.items.len());
    for m in &page.items {
        rows.push(MemberRow {
            name: m.name.clone(),
            sex: m.sex.label(),
            id_number: domain::mask::id_number(&m.id_number),
            category: m.category.label(),
            join_date: m.join_date.to_string(),
            phone: m.phone.as_deref().map(domain::mask::phone).unwrap_or_default(),
            org_id: m.org_id,
            org_name: names.get(&m.org_id).cloned().unwrap_or_default(),
        });
    }
    let name = q.name.clone().unwrap_or_default();
    let base_link = format!("/members?org={}&name={}&category={}", org.id, urlencode(&name), urlencode(&category));
    let trail = vec![crate::Crumb::new("/members", "党员名册"), crate::Crumb::new("", org.name.clone())];
    render(&Members {
        nav: caller.nav("members").crumbs(trail),
        org_id: org.id,
        org_name: org.name,
        name,
        category,
        pages: page.pages(),
        total: page.total,
        page: page.page,
        rows,
        base_link,
    })
}

pub(super) fn routes(r: Routes) -> Routes {
    r
}
