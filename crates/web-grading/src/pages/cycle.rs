//! 分类定级 cycles: the cycles over or within the caller's scope, newest first, one page at a
//! time, each with its year, organization, steps and publicity window.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use web_core::pages::render;
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

const PER_PAGE: i64 = 50;

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/grading", Target::None, get(list)).add("GET", "/grading/{id}", Target::GradingCycle, get(show))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: String,
}

/// One cycle as the list shows it.
struct Row {
    cycle: store::grading::Cycle,
    /// The cycle's steps in order.
    steps: String,
    publicity: String,
}

#[derive(Template)]
#[template(path = "grading/cycles.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
}

fn row(c: store::grading::Cycle) -> Row {
    let steps = c.steps().into_iter().map(|s| s.label).collect::<Vec<_>>().join(" → ");
    let publicity = match (c.publicity_on, c.publicity_end_on) {
        (Some(a), Some(b)) => format!("{a} 至 {b}"),
        _ => "未公示".into(),
    };
    Row { cycle: c, steps, publicity }
}

/// `GET /grading`: the grading cycles the caller sees.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let read = |p: i64| service::grading::cycles(&s.store, &caller, PER_PAGE, (p - 1) * PER_PAGE);
    let ((rows, total), page) =
        match web_core::paging::within_total(web_core::paging::asked(&q.page), PER_PAGE, |x| x.1, read).await {
            Ok(x) => x,
            Err(e) => return caller.fail(e),
        };
    render(&ListPage {
        nav: caller.nav("grading").crumbs(vec![Crumb::new("", "分类定级")]),
        rows: rows.into_iter().map(row).collect(),
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    page: String,
    grade: String,
}

/// One entry as the cycle's table shows it.
struct EntryRow {
    org_name: String,
    state: &'static str,
    total: String,
    grade: String,
    lowered: String,
}

#[derive(Template)]
#[template(path = "grading/cycle.html")]
struct ShowPage {
    nav: Nav,
    cycle: store::grading::Cycle,
    steps: Vec<String>,
    publicity: String,
    counts: Vec<(String, i64)>,
    /// The scheme's grades (code, label) for the filter.
    grades: Vec<(String, String)>,
    grade: String,
    rows: Vec<EntryRow>,
    total: i64,
    page: i64,
    pages: i64,
}

/// `GET /grading/{id}`: a cycle with its steps, how many entries stand in each state and grade,
/// and the entries of the caller's subtree (filtered by grade), one page at a time.
pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let view = match service::grading::cycle(&s.store, &caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let grade = q.grade.trim().to_string();
    let filter = store::grading::EntryFilter { state: None, grade: (!grade.is_empty()).then(|| grade.clone()) };
    let read = |p: i64| service::grading::entries(&s.store, &caller, id, &filter, PER_PAGE, (p - 1) * PER_PAGE);
    let ((entries, total), page) =
        match web_core::paging::within_total(web_core::paging::asked(&q.page), PER_PAGE, |x| x.1, read).await {
            Ok(x) => x,
            Err(e) => return caller.fail(e),
        };
    let scheme = &view.scheme;
    let rows = entries
        .into_iter()
        .map(|e| EntryRow {
            state: e.state().label(),
            total: e.computed_milli.map_or_else(|| "—".into(), |m| format!("{:.1}", m as f64 / 1000.0)),
            grade: e.grade.as_deref().map_or_else(|| "—".into(), |g| scheme.label(g)),
            lowered: if e.lowered_by.is_empty() { String::new() } else { e.lowered_why.clone() },
            org_name: e.org_name,
        })
        .collect();
    let counts = view
        .counts
        .iter()
        .map(|(k, n)| {
            let label =
                domain::grading::EntryState::from_code(k).map_or_else(|| scheme.label(k), |s| s.label().to_string());
            (label, *n)
        })
        .collect();
    let c = &view.cycle;
    render(&ShowPage {
        nav: caller.nav("grading").crumbs(vec![Crumb::new("/grading", "分类定级"), Crumb::new("", &c.title)]),
        steps: c.steps().into_iter().map(|s| s.label).collect(),
        publicity: row(c.clone()).publicity,
        counts,
        grades: scheme.bands.iter().map(|b| (b.code.clone(), b.label.clone())).collect(),
        grade,
        rows,
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
        cycle: view.cycle,
    })
}
