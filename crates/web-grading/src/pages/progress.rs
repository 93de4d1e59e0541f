//! 晋位升级: how a subtree's final grades moved between two years — the transition matrix with the
//! organizations behind every cell, a chart with its table, those at the bottom both years, and
//! what became of the weak-and-lax organizations whose rectification was accepted.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;
use serde::Deserialize;
use service::grading::grade_progress::Transitions;
use web_core::access::Perm;
use web_core::form::with_status;
use web_core::pages::{render, today};
use web_core::picker::OrgPicker;
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{list_picker, page_org};

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/grading/progress", Target::OrgQuery, get(page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProgressQuery {
    org: String,
    from: String,
    to: String,
    /// A cell to list: `<from label>|<to label>`.
    cell: String,
    /// The page of the cell's list, of those at the bottom twice, of the rectified.
    page: String,
    bpage: String,
    rpage: String,
}

const PER_PAGE: usize = 50;

/// One page of a list kept in memory.
struct Part<T> {
    rows: Vec<T>,
    page: usize,
    pages: usize,
    total: usize,
}

fn part<T>(all: Vec<T>, raw: &str) -> Part<T> {
    let total = all.len();
    let page = web_core::paging::clamp_usize(web_core::paging::asked(raw), total, PER_PAGE);
    let rows = all.into_iter().skip((page - 1) * PER_PAGE).take(PER_PAGE).collect();
    Part { rows, page, pages: web_core::paging::pages(total as i64, PER_PAGE as i64) as usize, total }
}

/// One row of the matrix: the first year's grade, then a count (and the cell's key) per grade of
/// the second year, and the row's total.
struct MatrixRow {
    from: String,
    cells: Vec<(i64, String)>,
    total: i64,
}

struct OrgRow {
    id: i64,
    name: String,
    before: String,
    after: String,
}

struct RectifiedRow {
    weak_id: i64,
    name: String,
    accepted_on: String,
    before: String,
    after: String,
    moved: &'static str,
}

#[derive(Template)]
#[template(path = "grading/progress.html")]
struct ProgressPage {
    nav: Nav,
    picker: OrgPicker,
    org_id: i64,
    org_name: String,
    from: i32,
    to: i32,
    years: Vec<i32>,
    error: Option<String>,
    grades: Vec<String>,
    rows: Vec<MatrixRow>,
    up: i64,
    same: i64,
    down: i64,
    unmatched: i64,
    chart: String,
    /// The cell asked for: its key, title and organizations.
    cell: Option<(String, String, Part<OrgRow>)>,
    bottom_twice: Part<OrgRow>,
    rectified: Part<RectifiedRow>,
}

fn year(raw: &str, default: i32) -> Option<i32> {
    match raw.trim() {
        "" => Some(default),
        y => y.trim_end_matches('年').parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)),
    }
}

/// The query naming a cell (`cell=<from>|<to>`, encoded).
fn cell_query(from: &str, to: &str) -> String {
    serde_urlencoded::to_string([("cell", format!("{from}|{to}"))]).unwrap_or_default()
}

fn matrix_rows(t: &Transitions) -> Vec<MatrixRow> {
    t.matrix
        .grades
        .iter()
        .map(|from| {
            let cells: Vec<(i64, String)> =
                t.matrix.grades.iter().map(|to| (t.matrix.count(from, to), cell_query(from, to))).collect();
            MatrixRow { from: from.clone(), total: cells.iter().map(|c| c.0).sum(), cells }
        })
        .collect()
}

/// `GET /grading/progress`: the transitions of a subtree between two years (the last two by default).
pub async fn page(State(s): State<Shared>, caller: Caller, Query(q): Query<ProgressQuery>) -> Response {
    let org = web_core::tri!(page_org(&s, &caller, Perm::ReadGrading, &q.org).await);
    let this = today().year();
    let to = year(&q.to, this - 1);
    let from = year(&q.from, to.unwrap_or(this - 1) - 1);
    let picker = list_picker(&s, &caller, &org, "/grading/progress").await;
    let nav =
        caller.nav("grading_progress").crumbs(vec![Crumb::new("/grading", "分类定级"), Crumb::new("", "晋位升级")]);
    let years: Vec<i32> = (this - 6..=this).rev().collect();
    let empty = |nav: Nav, picker: OrgPicker, error: String, from: i32, to: i32| ProgressPage {
        nav,
        picker,
        org_id: org.id,
        org_name: org.name.clone(),
        from,
        to,
        years: years.clone(),
        error: Some(error),
        grades: Vec::new(),
        rows: Vec::new(),
        up: 0,
        same: 0,
        down: 0,
        unmatched: 0,
        chart: String::new(),
        cell: None,
        bottom_twice: part(Vec::new(), ""),
        rectified: part(Vec::new(), ""),
    };
    let (Some(from), Some(to)) = (from, to) else {
        let p = empty(nav, picker, "年度：请选择 2000 至 2100 的年份".into(), this - 2, this - 1);
        return with_status(render(&p), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let t = match service::grading::grade_progress::transitions(&s.store, &caller, org.id, from, to).await {
        Ok(t) => t,
        Err(service::ServiceError::Invalid(e)) => {
            let msg = e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("；");
            return with_status(render(&empty(nav, picker, msg, from, to)), StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return caller.fail(e),
    };
    let label = |g: Option<&String>| g.cloned().unwrap_or_else(|| "未定级".into());
    let org_row = |id: i64| {
        let b = t.before.iter().find(|f| f.org_id == id);
        let a = t.after.iter().find(|f| f.org_id == id);
        OrgRow {
            id,
            name: a.or(b).map_or_else(String::new, |f| f.org_name.clone()),
            before: label(b.map(|f| &f.label)),
            after: label(a.map(|f| &f.label)),
        }
    };
    let cell = q.cell.split_once('|').map(|(f, to_label)| {
        let orgs = t.cell(f, to_label).into_iter().map(|(b, _)| org_row(b.org_id)).collect();
        (cell_query(f, to_label), format!("{from}年{f} → {to}年{to_label}"), part(orgs, &q.page))
    });
    let m = &t.matrix;
    let chart = web_core::charts::bars(
        &format!("{from}年至{to}年等次变化"),
        &[("晋位升级".into(), m.up), ("保持".into(), m.same), ("降级".into(), m.down)],
    );
    render(&ProgressPage {
        nav,
        picker,
        org_id: org.id,
        org_name: org.name.clone(),
        from,
        to,
        years,
        error: None,
        grades: m.grades.clone(),
        rows: matrix_rows(&t),
        up: m.up,
        same: m.same,
        down: m.down,
        unmatched: m.unmatched,
        chart,
        cell,
        bottom_twice: part(t.bottom_twice.iter().map(|f| org_row(f.org_id)).collect(), &q.bpage),
        rectified: part(
            t.rectified
                .iter()
                .map(|r| RectifiedRow {
                    weak_id: r.weak_id,
                    name: r.org_name.clone(),
                    accepted_on: r.accepted_on.to_string(),
                    before: label(r.before.as_ref()),
                    after: label(r.after.as_ref()),
                    moved: match r.moved {
                        Some(n) if n > 0 => "晋位升级",
                        Some(0) => "保持",
                        Some(_) => "降级",
                        None => "—",
                    },
                })
                .collect(),
            &q.rpage,
        ),
    })
}
