//! The top bar's search (`GET /search?q=`): members by name, by the full ID number or by its
//! last 4–6 characters ([`service::member::search`], audited when an ID search finds someone),
//! and organizations by name ([`service::org::pick`]), each in the caller's scope, masked like
//! the roster, 20 a page, each linking to its page. A role that may see organizations but not the
//! roster (党员) finds organizations only.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use service::member::MemberFound;
use service::org::{OrgPick, PickOf};
use service::ServiceError;
use store::member::MemberSearch;

use crate::access::Perm;
use crate::pages::{render, urlencode};
use crate::picker::chain;
use crate::{Caller, Crumb, Nav, Shared};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    /// The page of members and of organizations.
    mp: String,
    op: String,
}

struct MemberRow {
    id: i64,
    name: String,
    id_number: String,
    sex: &'static str,
    status: &'static str,
    current: bool,
    org: String,
    branch: String,
}

struct OrgRow {
    id: i64,
    name: String,
    kind: &'static str,
    parents: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    q: String,
    error: String,
    /// What the members were searched by, in words.
    by: &'static str,
    may_members: bool,
    members: Option<MemberFound>,
    member_rows: Vec<MemberRow>,
    orgs: Option<OrgPick>,
    org_rows: Vec<OrgRow>,
    member_prev: String,
    member_next: String,
    org_prev: String,
    org_next: String,
}

fn page_no(s: &str) -> i64 {
    crate::paging::asked(s)
}

/// The search box's form: sent by POST, so an ID number typed into it is in no URL (and so in no
/// proxy's access log or browser history); the results' further pages are links with the query.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchForm {
    csrf: String,
    q: String,
}

/// POST /search: the search box (top bar, results page), CSRF-checked.
pub async fn search_post(State(s): State<Shared>, caller: Caller, Form(f): Form<SearchForm>) -> Response {
    if !caller.has(Perm::ReadMembers) && !caller.has(Perm::ReadOrgs) {
        return caller.forbidden(Perm::ReadOrgs);
    }
    if let Err(r) = caller.check_csrf(&f.csrf) {
        return r;
    }
    answer(&s, &caller, SearchQuery { q: f.q, ..Default::default() }).await
}

/// GET /search?q=: the results page (its further pages, a link to a search).
pub async fn search(State(s): State<Shared>, caller: Caller, Query(q): Query<SearchQuery>) -> Response {
    answer(&s, &caller, q).await
}

async fn answer(s: &Shared, caller: &Caller, q: SearchQuery) -> Response {
    let may_members = caller.has(Perm::ReadMembers);
    let may_orgs = caller.has(Perm::ReadOrgs);
    if !may_members && !may_orgs {
        return caller.forbidden(Perm::ReadOrgs);
    }
    let text: String = q.q.trim().chars().take(60).collect();
    let (mp, op) = (page_no(&q.mp), page_no(&q.op));
    let mut page = SearchPage {
        nav: caller.nav("search").crumbs(vec![Crumb::new("", "查找")]),
        q: text.clone(),
        error: String::new(),
        by: "",
        may_members,
        members: None,
        member_rows: Vec::new(),
        orgs: None,
        org_rows: Vec::new(),
        member_prev: String::new(),
        member_next: String::new(),
        org_prev: String::new(),
        org_next: String::new(),
    };
    if text.is_empty() {
        return render(&page);
    }
    let kind = service::member::search_kind(&text);
    page.by = match &kind {
        Ok(MemberSearch::Name(_)) => "姓名",
        Ok(MemberSearch::IdNumber(_)) => "完整身份证号",
        Ok(MemberSearch::IdTail(_)) => "身份证号末位",
        Err(_) => "",
    };
    // a full ID number goes into no link (it finds one member, or a few former ones: one page)
    let linkable = !matches!(kind, Ok(MemberSearch::IdNumber(_)));
    let link = |mp: i64, op: i64| {
        if linkable {
            format!("/search?q={}&mp={mp}&op={op}", urlencode(&text))
        } else {
            String::new()
        }
    };
    if may_members {
        match crate::paging::within(mp, |p| service::member::search(&s.store, caller, &text, p)).await {
            Ok(found) => {
                page.member_rows = found
                    .hits
                    .iter()
                    .map(|h| MemberRow {
                        id: h.member.id,
                        name: h.member.name.clone(),
                        id_number: domain::mask::id_number(&h.member.id_number),
                        sex: h.member.sex.label(),
                        status: h.member.status.label(),
                        current: h.member.status == domain::member::Status::Normal,
                        org: h.org_name.clone(),
                        branch: h.branch_name.clone().unwrap_or_default(),
                    })
                    .collect();
                if found.page > 1 {
                    page.member_prev = link(found.page - 1, op);
                }
                if found.page < found.pages {
                    page.member_next = link(found.page + 1, op);
                }
                page.members = Some(found);
            }
            Err(ServiceError::Invalid(errs)) => {
                page.error = errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            }
            Err(e) => return caller.fail(e),
        }
    }
    // organizations by name; ID digits name no organization
    if may_orgs && matches!(kind, Ok(MemberSearch::Name(_))) {
        let read = |p| service::org::pick(&s.store, caller, Perm::ReadOrgs, &text, PickOf::Any, p);
        match crate::paging::within(op, read).await {
            Ok(found) => {
                page.org_rows = found
                    .items
                    .iter()
                    .map(|p| OrgRow {
                        id: p.org.id,
                        name: p.org.name.clone(),
                        kind: p.org.kind.label(),
                        parents: chain(&p.parents),
                    })
                    .collect();
                if found.page > 1 {
                    page.org_prev = link(mp, found.page - 1);
                }
                if found.page < found.pages {
                    page.org_next = link(mp, found.page + 1);
                }
                page.orgs = Some(found);
            }
            Err(e) => return caller.fail(e),
        }
    } else if !may_members {
        if let Err(m) = kind {
            page.error = m;
        } else {
            page.error = "请输入党组织名称中的字".into();
        }
    }
    let mut res = render(&page);
    if !page.error.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}
