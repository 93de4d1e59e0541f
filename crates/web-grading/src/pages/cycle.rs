//! 分类定级 cycles: the cycles over or within the caller's scope, newest first, one page at a
//! time, each with its year, organization, steps and publicity window.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use web_core::pages::render;
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

const PER_PAGE: i64 = 50;

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/grading", Target::None, get(list))
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
