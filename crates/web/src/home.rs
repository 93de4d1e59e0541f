//! 工作台: the caller's to-dos and key figures of their scope.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use store::rollup::Counts;

use web_core::access::Perm;
use web_core::pages::{render, sev_code, today, FindingRow};
use web_core::Shared;
use web_core::{Caller, Nav};
use web_life::pages::compliance::{stored_explained, Explained};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    nav: Nav,
    counts: Counts,
    grassroots: usize,
    findings: Vec<FindingRow>,
    findings_total: usize,
    /// Officers see figures and to-dos of their scope; 党员 and the administrator triad see
    /// their own entry points.
    business: bool,
    /// The organization-life to-dos of the daily job, for callers who read organization life.
    life: Option<LifeTodos>,
    /// Messages and reminders (待办 of the message centre), for accounts with business grants.
    messages: Option<MessageCard>,
    /// Open surveys the member has not answered yet: (id, title, close date).
    surveys: Vec<(i64, String, chrono::NaiveDate)>,
}

/// The 工作台's counts of the message centre.
struct MessageCard {
    unread: i64,
    /// (top organization id, name, records waiting for review)
    to_review: Vec<(i64, String, i64)>,
    to_review_total: i64,
    due: usize,
    terms: i64,
}

/// The stored findings of the caller's organization(s): counts per kind and the first few.
pub struct LifeTodos {
    org_id: i64,
    org_name: String,
    total: i64,
    /// (code, label, count)
    counts: Vec<(&'static str, &'static str, i64)>,
    items: Vec<Explained>,
    last_run: Option<String>,
}

/// To-dos shown on the home page.
const TODOS: i64 = 8;

async fn life_todos(s: &Shared, caller: &Caller) -> Result<Option<LifeTodos>, service::ServiceError> {
    let Some(t) = service::home::life_todos(&s.store, caller, TODOS).await? else { return Ok(None) };
    let (first_id, first_name) = t.first;
    Ok(Some(LifeTodos {
        org_id: first_id,
        org_name: if t.roots > 1 { format!("{} 等 {} 个组织", first_name, t.roots) } else { first_name },
        total: t.counts.iter().map(|c| c.2).sum(),
        counts: t.counts,
        items: t.items.iter().map(stored_explained).collect(),
        last_run: t.last_run.map(|d| d.to_string()),
    }))
}

pub async fn home(State(s): State<Shared>, caller: Caller) -> Response {
    let business = caller.has(Perm::Stats);
    let service::home::Overview { counts, grassroots, findings: all } =
        match service::home::overview(&s.store, &caller, today()).await {
            Ok(o) => o,
            Err(e) => return caller.fail(e),
        };
    let findings_total = all.len();
    let findings = all
        .into_iter()
        .take(20)
        .map(|f| FindingRow {
            severity: f.finding.severity.label(),
            severity_code: sev_code(f.finding.severity),
            rule_id: f.finding.rule_id,
            source: f.finding.source,
            org_id: f.org_id,
            org_name: f.org_name,
            message: f.finding.message,
        })
        .collect();
    let life = match life_todos(&s, &caller).await {
        Ok(l) => l,
        Err(e) => return caller.fail(e),
    };
    let messages = match service::home::message_todos(&s.store, &caller, today()).await {
        Ok(m) => m.map(|m| MessageCard {
            unread: m.unread,
            to_review_total: m.reminders.to_review_total(),
            to_review: m.reminders.to_review.into_iter().filter(|r| r.2 > 0).collect(),
            due: m.reminders.due.len(),
            terms: m.reminders.terms_total,
        }),
        Err(e) => return caller.fail(e),
    };
    let surveys = match service::survey::todos(&s.store, &caller, today()).await {
        Ok(v) => v.into_iter().map(|x| (x.id, x.title, x.closes_on)).collect(),
        Err(e) => return caller.fail(e),
    };
    render(&Home {
        nav: caller.nav("home"),
        counts,
        grassroots,
        findings,
        findings_total,
        business,
        life,
        messages,
        surveys,
    })
}
