//! `/api/v1/grading/entries/{id}`: an organization's scoring sheet and an assessor's scores, and
//! `/api/v1/grading/transitions`: 晋位升级 between two years; through the same use cases as the pages.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::input::{bytes, Fields};
use web_core::api::{check, doc, json, ApiCaller, ApiFieldError, Params};
use web_core::routes::{Routes, Target};
use web_core::{tri, Shared};

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/grading/entries/{id}", Target::GradingEntry, get(entry))
        .add("PUT", "/api/v1/grading/entries/{id}/scores", Target::GradingEntry, put(put_scores))
        .add("GET", "/api/v1/grading/transitions", Target::OrgQuery, get(transitions))
}

/// A computed indicator as read when the cycle was graded.
#[derive(Serialize, ToSchema)]
pub struct ComputedOut {
    pub item: String,
    pub label: String,
    /// The registry source it was read from.
    pub source: String,
    pub as_of: NaiveDate,
    pub value: f64,
    pub points_milli: i64,
}

/// One assessor's score of one item.
#[derive(Serialize, ToSchema)]
pub struct ScoreOut {
    pub item: String,
    /// self, superior or panel.
    pub assessor_kind: String,
    pub assessor: String,
    /// Thousandths of a point; a veto is 1 (vetoed) or 0.
    pub points_milli: i64,
    pub note: String,
    /// The version to send back when changing this score.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// An objection raised in publicity.
#[derive(Serialize, ToSchema)]
pub struct ObjectionOut {
    pub id: i64,
    /// Who raised it; none when anonymous (or when the caller is not an assessor).
    pub raised_by: Option<String>,
    pub body: String,
    pub answer: String,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A final grade changed by review.
#[derive(Serialize, ToSchema)]
pub struct ReviewOut {
    pub old_grade: String,
    pub new_grade: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// An organization's scoring sheet.
#[derive(Serialize, ToSchema)]
pub struct EntryDetail {
    pub id: i64,
    pub cycle_id: i64,
    pub year: i64,
    pub org_id: i64,
    pub org_name: String,
    /// open, returned, graded, publicity or final.
    pub state: String,
    /// The step the entry stands at, by label.
    pub step: String,
    pub return_reason: String,
    /// Satisfaction in thousandths (900 = 90 %), and where it came from.
    pub satisfaction_permille: Option<i64>,
    pub satisfaction_source: String,
    pub computed_milli: Option<i64>,
    /// The grade's code in the cycle's scheme, and the grade the score alone gives.
    pub grade: Option<String>,
    pub grade_by_score: Option<String>,
    /// The rules that lowered the grade (GRADE-06 cap, a veto, one step at a time …), and why.
    pub lowered_by: String,
    pub lowered_why: String,
    pub exceptional_reason: String,
    pub last_grade: Option<String>,
    pub is_new: bool,
    pub is_final: bool,
    /// The version to send back when moving the entry's step.
    pub version: i64,
    pub computed: Vec<ComputedOut>,
    /// Every assessor's scores (only for those who may score here; empty otherwise).
    pub scores: Vec<ScoreOut>,
    pub objections: Vec<ObjectionOut>,
    pub reviews: Vec<ReviewOut>,
}

fn detail(sh: service::grading::Sheet) -> EntryDetail {
    let steps = sh.cycle.steps();
    let e = sh.entry;
    EntryDetail {
        id: e.id,
        cycle_id: e.cycle_id,
        year: sh.cycle.year,
        org_id: e.org_id,
        step: steps.get(e.step.max(0) as usize).map(|s| s.label.clone()).unwrap_or_default(),
        state: e.state.clone(),
        return_reason: e.return_reason.clone(),
        satisfaction_permille: e.satisfaction_permille,
        satisfaction_source: e.satisfaction_source.clone(),
        computed_milli: e.computed_milli,
        grade: e.grade.clone(),
        grade_by_score: e.grade_by_score.clone(),
        lowered_by: e.lowered_by.clone(),
        lowered_why: e.lowered_why.clone(),
        exceptional_reason: e.exceptional_reason.clone(),
        last_grade: e.last_grade.clone(),
        is_new: e.is_new,
        is_final: e.is_final,
        version: e.version,
        computed: e
            .computed()
            .into_iter()
            .map(|c| ComputedOut {
                item: c.item,
                label: c.label,
                source: c.source,
                as_of: c.as_of,
                value: c.value,
                points_milli: c.points_milli,
            })
            .collect(),
        org_name: e.org_name,
        scores: sh
            .scores
            .into_iter()
            .map(|s| ScoreOut {
                item: s.item,
                assessor_kind: s.assessor_kind,
                assessor: s.assessor,
                points_milli: s.points_milli,
                note: s.note,
                version: s.version,
                updated_at: s.updated_at,
            })
            .collect(),
        objections: sh
            .objections
            .into_iter()
            .map(|o| ObjectionOut {
                id: o.id,
                raised_by: if o.is_anonymous { None } else { o.raised_by },
                body: o.body,
                answer: o.answer,
                answered_at: o.answered_at,
                created_at: o.created_at,
            })
            .collect(),
        reviews: sh
            .reviews
            .into_iter()
            .map(|r| ReviewOut {
                old_grade: r.old_grade,
                new_grade: r.new_grade,
                reason: r.reason,
                created_by: r.created_by,
                created_at: r.created_at,
            })
            .collect(),
    }
}

/// 评分表 / An organization's scoring sheet
///
/// The entry with its computed indicators (source and as-of date), scores (for assessors),
/// objections and reviews.
#[utoipa::path(
    get, path = "/api/v1/grading/entries/{id}", operation_id = "grading_entry", tag = "grading",
    params(("id" = i64, Path, description = "The entry")),
    responses(
        (status = 200, description = "The scoring sheet", body = EntryDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn entry(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    tri!(caller.require(Perm::ReadGrading));
    match service::grading::sheet(&s.store, &caller, id).await {
        Ok(sh) => json(StatusCode::OK, &detail(sh)),
        Err(e) => caller.service_fail(e),
    }
}

/// One item's score as sent.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ScoreIn {
    /// The catalogue item's code.
    item: String,
    /// Points as a number or text (`89.5`); for a veto item `1` (vetoed) or `0`.
    points: String,
    note: Option<String>,
    /// The version of the caller's score of this item as read: 0 for a first score.
    version: i64,
}

/// An assessor's scores.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ScoresIn {
    /// self, superior or panel (or the label: 支部自评、上级评定、评议组).
    assessor_kind: String,
    items: Vec<ScoreIn>,
}

/// 评分 / Score an organization
///
/// The caller's scores as one assessor, in one transaction. Every item carries the version of the
/// caller's score read (0 for a first score): one changed meanwhile refuses the whole save (409).
#[utoipa::path(
    put, path = "/api/v1/grading/entries/{id}/scores", operation_id = "grading_score", tag = "grading",
    params(("id" = i64, Path, description = "The entry")),
    request_body = ScoresIn,
    responses(
        (status = 200, description = "The scoring sheet after the save", body = EntryDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn put_scores(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::AssessGrading));
    if let Err(e) = service::grading::sheet(&s.store, &caller, id).await {
        return caller.service_fail(e);
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let kind = f.text("assessor_kind", "评分主体");
    let kind =
        f.required(kind, "评分主体", "请用 assessor_kind 指明评分主体（self、superior、panel）").unwrap_or_default();
    let items = f.list("items", "得分", |x| {
        let item = x.text("item", "指标");
        let item = x.required(item, "指标", "请用 item 指明指标代码");
        let points = x.number("points", "得分");
        let points = x.required(points, "得分", "请用 points 填写分数");
        let note = x.text("note", "说明").value().unwrap_or_default();
        let version = x.int("version", "版本");
        let version = x.required(version, "版本", "请带上所读评分的 version（首次评分为 0）");
        Some((item?, points?, note, version?.to_string()))
    });
    let items = f.required(items, "得分", "请用 items 列出各项得分").unwrap_or_default();
    tri!(f.check(&["评分主体", "得分"]));
    match service::grading::score(&s.store, &caller, id, &kind, &items).await {
        Ok(_) => match service::grading::sheet(&s.store, &caller, id).await {
            Ok(sh) => json(StatusCode::OK, &detail(sh)),
            Err(e) => caller.service_fail(e),
        },
        Err(e) => caller.service_fail(e),
    }
}

/// An organization behind a cell of the matrix.
#[derive(Serialize, ToSchema)]
pub struct MovedOut {
    pub org_id: i64,
    pub org_name: String,
    /// The grade labels of the first and the second year.
    pub from: String,
    pub to: String,
}

/// One cell of the transition matrix.
#[derive(Serialize, ToSchema)]
pub struct CellOut {
    pub from: String,
    pub to: String,
    pub count: i64,
}

/// A weak-and-lax organization of the first year whose rectification was accepted.
#[derive(Serialize, ToSchema)]
pub struct RectifiedOut {
    pub org_id: i64,
    pub org_name: String,
    pub accepted_on: NaiveDate,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Positions moved up (negative: down); none when not graded in both years.
    pub moved: Option<i64>,
}

/// How a subtree's final grades moved between two years.
#[derive(Serialize, ToSchema)]
pub struct TransitionsOut {
    pub org_id: i64,
    pub org_name: String,
    pub from_year: i32,
    pub to_year: i32,
    /// The grade labels, best first.
    pub grades: Vec<String>,
    pub cells: Vec<CellOut>,
    pub up: i64,
    pub same: i64,
    pub down: i64,
    /// Graded in only one of the two years.
    pub unmatched: i64,
    /// Every organization graded in both years, with its two grades (the lists behind the cells).
    pub moved: Vec<MovedOut>,
    pub bottom_twice: Vec<MovedOut>,
    pub rectified: Vec<RectifiedOut>,
}

/// Query parameters of the transitions.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TransitionParams {
    /// The subtree's organization (default: the caller's top).
    org: Option<i64>,
    /// The first year (default: the year before `to`).
    from: Option<i32>,
    /// The second year (default: last year).
    to: Option<i32>,
}

/// 晋位升级 / Grade transitions
///
/// The transition matrix of a subtree's final grades between two years, the organizations behind
/// every cell, those at the bottom both years and the grades of rectified weak-and-lax organizations.
#[utoipa::path(
    get, path = "/api/v1/grading/transitions", operation_id = "grading_transitions", tag = "grading",
    params(TransitionParams),
    responses(
        (status = 200, description = "The transitions", body = TransitionsOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn transitions(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    use chrono::Datelike;
    tri!(caller.require(Perm::ReadGrading));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let year = |key: &'static str, default: i32, errs: &mut Vec<ApiFieldError>| match q.get(key) {
        "" => default,
        v => match v.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                errs.push(ApiFieldError::new(key, format!("“{v}”应为 2000 至 2100 的年份")));
                default
            }
        },
    };
    let to = year("to", web_core::pages::today().year() - 1, &mut errs);
    let from = year("from", to - 1, &mut errs);
    tri!(check(errs));
    let org = match org {
        Some(o) => o,
        None => tri!(caller.default_org(Perm::ReadGrading)).id,
    };
    let t = match service::grading::grade_progress::transitions(&s.store, &caller, org, from, to).await {
        Ok(t) => t,
        Err(e) => return caller.service_fail(e),
    };
    let next: std::collections::HashMap<i64, &store::grading::grade_progress::FinalGrade> =
        t.after.iter().map(|f| (f.org_id, f)).collect();
    let moved = t
        .before
        .iter()
        .filter_map(|b| {
            next.get(&b.org_id).map(|a| MovedOut {
                org_id: b.org_id,
                org_name: a.org_name.clone(),
                from: b.label.clone(),
                to: a.label.clone(),
            })
        })
        .collect();
    let before: std::collections::HashMap<i64, &store::grading::grade_progress::FinalGrade> =
        t.before.iter().map(|f| (f.org_id, f)).collect();
    json(
        StatusCode::OK,
        &TransitionsOut {
            org_id: org,
            org_name: t.org_name.clone(),
            from_year: t.from_year,
            to_year: t.to_year,
            grades: t.matrix.grades.clone(),
            cells: t
                .matrix
                .cells
                .iter()
                .map(|((f, to), n)| CellOut { from: f.clone(), to: to.clone(), count: *n })
                .collect(),
            up: t.matrix.up,
            same: t.matrix.same,
            down: t.matrix.down,
            unmatched: t.matrix.unmatched,
            moved,
            bottom_twice: t
                .bottom_twice
                .iter()
                .map(|a| MovedOut {
                    org_id: a.org_id,
                    org_name: a.org_name.clone(),
                    from: before.get(&a.org_id).map_or_else(String::new, |b| b.label.clone()),
                    to: a.label.clone(),
                })
                .collect(),
            rectified: t
                .rectified
                .iter()
                .map(|r| RectifiedOut {
                    org_id: r.org_id,
                    org_name: r.org_name.clone(),
                    accepted_on: r.accepted_on,
                    before: r.before.clone(),
                    after: r.after.clone(),
                    moved: r.moved,
                })
                .collect(),
        },
    )
}
