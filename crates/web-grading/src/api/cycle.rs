//! `/api/v1/grading/cycles`: the grading cycles the caller sees, one page at a time, through the
//! same use case as the page (查看分类定级 first, then the caller's scope).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::{check, doc, json, ApiCaller, Params};
use web_core::routes::{Routes, Target};
use web_core::{tri, Shared};

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/grading/cycles", Target::None, get(cycles)).add(
        "GET",
        "/api/v1/grading/cycles/{id}",
        Target::GradingCycle,
        get(cycle),
    )
}

/// A grading cycle as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct CycleOut {
    pub id: i64,
    /// The organization that opened it (its subtree is graded).
    pub org_id: i64,
    pub org_name: String,
    pub year: i64,
    pub title: String,
    pub scheme_id: i64,
    pub scheme_version_id: i64,
    pub catalogue_version_id: i64,
    /// The step labels in order.
    pub steps: Vec<String>,
    pub publicity_on: Option<NaiveDate>,
    pub publicity_end_on: Option<NaiveDate>,
    pub computed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn cycle_out(c: &store::grading::Cycle) -> CycleOut {
    CycleOut {
        id: c.id,
        org_id: c.org_id,
        org_name: c.org_name.clone(),
        year: c.year,
        title: c.title.clone(),
        scheme_id: c.scheme_id,
        scheme_version_id: c.scheme_version_id,
        catalogue_version_id: c.catalogue_version_id,
        steps: c.steps().into_iter().map(|s| s.label).collect(),
        publicity_on: c.publicity_on,
        publicity_end_on: c.publicity_end_on,
        computed_at: c.computed_at,
        created_at: c.created_at,
    }
}

/// One page of grading cycles.
#[derive(Serialize, ToSchema)]
pub struct CycleList {
    pub items: Vec<CycleOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of the cycles.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CycleListParams {
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 分类定级工作列表 / Grading cycles
///
/// The grading cycles opened over or within the caller's scope, newest first.
#[utoipa::path(
    get, path = "/api/v1/grading/cycles", operation_id = "grading_cycles", tag = "grading",
    params(CycleListParams),
    responses(
        (status = 200, description = "One page of grading cycles", body = CycleList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn cycles(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadGrading));
    let mut errs = Vec::new();
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    match service::grading::cycles(&s.store, &caller, per_page, (page - 1) * per_page).await {
        Ok((rows, total)) => {
            json(StatusCode::OK, &CycleList { items: rows.iter().map(cycle_out).collect(), total, page, per_page })
        }
        Err(e) => caller.service_fail(e),
    }
}

/// An organization's entry in a cycle as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// open, returned, graded, publicity or final.
    pub state: String,
    /// The index of the step the entry stands at.
    pub step: i64,
    /// The computed total in thousandths of a point.
    pub computed_milli: Option<i64>,
    /// The grade's code in the cycle's scheme.
    pub grade: Option<String>,
    /// Why the grade is lower than the score alone gives (the rules that lowered it).
    pub lowered_why: String,
    pub is_final: bool,
    /// The version to send back with a score.
    pub version: i64,
}

/// A cycle with how many entries stand in each state, and one page of its entries.
#[derive(Serialize, ToSchema)]
pub struct CycleDetail {
    pub cycle: CycleOut,
    /// (state or grade code, count) as the caller sees them.
    pub counts: Vec<(String, i64)>,
    pub warnings: Vec<String>,
    pub entries: Vec<EntryOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of one cycle.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CycleParams {
    /// Only entries of this grade (its code in the scheme).
    grade: Option<String>,
    /// Page number of the entries, from 1.
    page: Option<i64>,
    /// Entries per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 定级工作 / One grading cycle
///
/// A cycle with its state counts and one page of the entries of the caller's subtree.
#[utoipa::path(
    get, path = "/api/v1/grading/cycles/{id}", operation_id = "grading_cycle", tag = "grading",
    params(("id" = i64, Path, description = "The cycle"), CycleParams),
    responses(
        (status = 200, description = "The cycle and one page of its entries", body = CycleDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn cycle(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>, q: Params) -> Response {
    tri!(caller.require(Perm::ReadGrading));
    let mut errs = Vec::new();
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let view = match service::grading::cycle(&s.store, &caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.service_fail(e),
    };
    let grade = q.get("grade").trim().to_string();
    let f = store::grading::EntryFilter { state: None, grade: (!grade.is_empty()).then_some(grade) };
    match service::grading::entries(&s.store, &caller, id, &f, per_page, (page - 1) * per_page).await {
        Ok((rows, total)) => json(
            StatusCode::OK,
            &CycleDetail {
                cycle: cycle_out(&view.cycle),
                counts: view.counts,
                warnings: view.cycle.warning_lines().into_iter().map(str::to_string).collect(),
                entries: rows
                    .into_iter()
                    .map(|e| EntryOut {
                        id: e.id,
                        org_id: e.org_id,
                        org_name: e.org_name,
                        state: e.state,
                        step: e.step,
                        computed_milli: e.computed_milli,
                        grade: e.grade,
                        lowered_why: e.lowered_why,
                        is_final: e.is_final,
                        version: e.version,
                    })
                    .collect(),
                total,
                page,
                per_page,
            },
        ),
        Err(e) => caller.service_fail(e),
    }
}
