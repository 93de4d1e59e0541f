//! 消息: the message centre. `/messages` lists the caller's stored messages (a record returned to
//! their organization, a record waiting for their review, what other capabilities post), newest
//! first, 50 a page, all or only the unread, each linking to where it is handled; above them the
//! reminders computed as the page is viewed (records waiting for review, meetings falling due this
//! month, terms ending within 90 days, the daily job's findings). Reading one (opening it, or
//! 标为已读) and 全部标为已读 are posts with the session's CSRF token, audited.
//!
//! Every account has a message box (the route is for everyone signed in); what it holds is read
//! through the caller's scope, so another's message, or one about an organization outside the
//! scope, answers 404 and is never counted.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use web_core::pages::{render, today};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

/// The pages of the message centre.
pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/messages", Target::None, get(inbox)).add("POST", "/messages/read", Target::None, post(read)).add(
        "POST",
        "/messages/read-all",
        Target::None,
        post(read_all),
    )
}

const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxQuery {
    /// `unread`: only the unread ones.
    show: String,
    page: String,
    /// After 全部标为已读: how many.
    marked: String,
}

struct Row {
    id: i64,
    kind: &'static str,
    kind_code: &'static str,
    title: String,
    body: String,
    org_name: String,
    link: String,
    at: String,
    read: bool,
}

struct Due {
    org_id: i64,
    org_name: String,
    type_label: String,
    period: String,
    end: String,
    held: i64,
    min: i64,
    rule_id: String,
}

struct Term {
    id: i64,
    name: String,
    term_end: String,
    days: i64,
}

#[derive(Template)]
#[template(path = "messages/inbox.html")]
struct InboxPage {
    nav: Nav,
    unread_only: bool,
    rows: Vec<Row>,
    total: i64,
    unread: i64,
    page: i64,
    pages: i64,
    page_link: String,
    marked: Option<i64>,
    to_review: Vec<(i64, String, i64)>,
    due: Vec<Due>,
    terms: Vec<Term>,
    terms_total: i64,
    /// First secretaries' terms ending: (posting, name and kind, ends on, days left).
    postings: Vec<(i64, String, String, i64)>,
    postings_total: i64,
    findings: Vec<service::message::FindingCount>,
    findings_total: i64,
    has_reminders: bool,
}

/// A moment as shown (China time, to the minute).
fn at(t: &DateTime<Utc>) -> String {
    let off = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    t.with_timezone(&off).format("%Y-%m-%d %H:%M").to_string()
}

async fn inbox(State(s): State<Shared>, caller: Caller, Query(q): Query<InboxQuery>) -> Response {
    let unread_only = q.show == "unread";
    let page_no = web_core::paging::asked(&q.page);
    let read = |p| service::message::inbox(&s.store, &caller, unread_only, p, PER_PAGE);
    let page = match web_core::paging::within(page_no, read).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let unread = match service::message::unread_count(&s.store, &caller).await {
        Ok(n) => n,
        Err(e) => return caller.fail(e),
    };
    let now = today();
    let rem = match service::message::reminders(&s.store, &caller, now).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    let rows = page
        .items
        .iter()
        .map(|m| {
            let kind = m.kind().unwrap_or(service::message::Kind::Notice);
            Row {
                id: m.id,
                kind: kind.label(),
                kind_code: kind.code(),
                title: m.title.clone(),
                body: m.body.clone(),
                org_name: m.org_name.clone(),
                link: m.link.clone(),
                at: at(&m.created_at),
                read: m.is_read(),
            }
        })
        .collect();
    let findings_total = rem.findings_total();
    let to_review: Vec<(i64, String, i64)> = rem.to_review.iter().filter(|r| r.2 > 0).cloned().collect();
    let has_reminders = !to_review.is_empty()
        || !rem.due.is_empty()
        || rem.terms_total > 0
        || rem.postings_total > 0
        || findings_total > 0;
    let due = rem
        .due
        .iter()
        .map(|d| Due {
            org_id: d.org_id,
            org_name: d.org_name.clone(),
            type_label: d.type_label.clone(),
            period: d.period.clone(),
            end: d.end.to_string(),
            held: d.held,
            min: d.min,
            rule_id: d.rule_id.clone(),
        })
        .collect();
    let terms = rem
        .terms
        .iter()
        .map(|t| Term {
            id: t.id,
            name: t.name.clone(),
            term_end: t.term_end.to_string(),
            days: (t.term_end - now).num_days(),
        })
        .collect();
    let postings = rem
        .postings
        .iter()
        .map(|p| {
            (p.id, format!("{}（{}）", p.name, p.kind_label()), p.ends_on.to_string(), (p.ends_on - now).num_days())
        })
        .collect();
    render(&InboxPage {
        nav: caller.nav("messages").crumbs(vec![Crumb::new("", "消息")]),
        unread_only,
        rows,
        total: page.total,
        unread,
        page: page.page,
        pages: page.pages(),
        page_link: if unread_only { "/messages?show=unread".into() } else { "/messages?show=all".into() },
        marked: q.marked.parse().ok(),
        to_review,
        due,
        terms,
        terms_total: rem.terms_total,
        postings,
        postings_total: rem.postings_total,
        findings: rem.findings,
        findings_total,
        has_reminders,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReadForm {
    csrf: String,
    /// The message.
    id: String,
    /// `1`: open it (follow its link) once marked read.
    open: String,
    /// Where to come back to (`unread` keeps the unread view).
    show: String,
}

/// Mark one message read; with `open`, go on to where it is handled.
async fn read(State(s): State<Shared>, caller: Caller, Form(f): Form<ReadForm>) -> Response {
    web_core::tri!(caller.check_csrf(&f.csrf));
    let Ok(id) = f.id.trim().parse::<i64>() else {
        return web_core::error_page(StatusCode::UNPROCESSABLE_ENTITY, "请求无效", "没有指明要标为已读的消息。");
    };
    if f.open == "1" {
        return match service::message::open(&s.store, &caller, id).await {
            Ok(link) => Redirect::to(&link).into_response(),
            Err(e) => caller.fail(e),
        };
    }
    match service::message::mark_read(&s.store, &caller, &[id]).await {
        Ok(_) => Redirect::to(if f.show == "unread" { "/messages?show=unread" } else { "/messages" }).into_response(),
        Err(e) => caller.fail(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

/// Mark every message of the caller read.
async fn read_all(State(s): State<Shared>, caller: Caller, Form(f): Form<CsrfForm>) -> Response {
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::message::mark_all_read(&s.store, &caller).await {
        Ok(n) => Redirect::to(&format!("/messages?marked={n}")).into_response(),
        Err(e) => caller.fail(e),
    }
}
