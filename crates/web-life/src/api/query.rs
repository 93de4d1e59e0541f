//! Query parameters.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::life::{LifeType, RecordStatus};
use domain::org::Org;
use serde::Serialize;
use store::life::RecordFilter;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::{check, json, ApiCaller, ApiFieldError, Params};
use web_core::tri;
use web_core::Shared;

use super::*;

pub(crate) fn q_date(q: &Params, key: &'static str, errs: &mut Vec<ApiFieldError>) -> Option<NaiveDate> {
    let v = q.get(key);
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(ApiFieldError::new(key, format!("“{v}”不是有效的日期，应为 YYYY-MM-DD")));
            None
        }
    }
}

/// A type given by code or label, as its code.
pub(crate) fn type_code(types: &[LifeType], v: &str) -> Option<String> {
    let v = v.trim();
    types.iter().find(|t| t.code == v || t.label == v).map(|t| t.code.clone())
}

fn type_choices(types: &[LifeType]) -> String {
    types.iter().map(|t| format!("{}（{}）", t.code, t.label)).collect::<Vec<_>>().join("、")
}

/// The organization of `org` (read through the caller's scope of `perm`), or the caller's only
/// top organization for `perm`.
pub(crate) async fn org_param(
    s: &Shared,
    caller: &ApiCaller,
    id: Option<i64>,
    perm: Perm,
) -> Result<store::Visible<Org>, Response> {
    match id {
        Some(id) => caller.ctx.org(&s.store, perm, id).await.map(|(_, o)| o).map_err(|e| caller.fail(e)),
        None => caller.default_org(perm),
    }
}

/// Query parameters of the record list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RecordListParams {
    /// The organization whose whole subtree is listed; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// Held on or after this date.
    from: Option<NaiveDate>,
    /// Held on or before this date.
    to: Option<NaiveDate>,
    /// 会议类型, by code or label (a record of several types matches each).
    r#type: Option<String>,
    /// 记录状态, by code or label.
    status: Option<String>,
    /// Only records waiting for review by the organization `org` (submitted by an organization
    /// below it).
    to_review: Option<bool>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// One page of records, newest first.
#[derive(Serialize, ToSchema)]
pub struct LifeRecordList {
    /// The organization whose subtree is listed.
    pub org_id: i64,
    pub items: Vec<LifeRecordSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// 会议记录列表 / List organization-life records
///
/// The records of an organization's whole subtree, newest first, one page at a time.
#[utoipa::path(
    get, path = "/api/v1/life/records", operation_id = "listLifeRecords", tag = "life",
    params(RecordListParams),
    responses(
        (status = 200, description = "One page of records", body = LifeRecordList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn list(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadLife));
    let types = tri!(all_types(&s, &caller).await);
    let mut errs = Vec::new();
    let org_id = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    let from = q_date(&q, "from", &mut errs);
    let to = q_date(&q, "to", &mut errs);
    let type_code = match q.get("type") {
        "" => None,
        v => {
            let c = type_code(&types, v);
            if c.is_none() {
                errs.push(ApiFieldError::new("type", format!("“{v}”无效，应为 {}", type_choices(&types))));
            }
            c
        }
    };
    let status = match q.get("status") {
        "" => None,
        v => {
            let st = RecordStatus::ALL.into_iter().find(|k| k.code() == v || k.label() == v);
            if st.is_none() {
                let all = RecordStatus::ALL.iter().map(|k| format!("{}（{}）", k.code(), k.label()));
                errs.push(ApiFieldError::new(
                    "status",
                    format!("“{v}”无效，应为 {}", all.collect::<Vec<_>>().join("、")),
                ));
            }
            st
        }
    };
    let to_review = q.flag("to_review", false, &mut errs);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errs.push(ApiFieldError::new("to", "不能早于 from"));
        }
    }
    tri!(check(errs));
    let org = tri!(org_param(&s, &caller, org_id, Perm::ReadLife).await);
    let filter = RecordFilter { type_code, status, from, to, to_review };
    match service::life::records::list(&s.store, &caller, &org, &filter, page, per_page).await {
        Ok(p) => {
            let items = p.items.iter().map(|r| summary(r, &types)).collect();
            json(StatusCode::OK, &LifeRecordList { org_id: org.id, items, total: p.total, page, per_page })
        }
        Err(e) => caller.fail(e),
    }
}

/// 查看会议记录 / Get a record
///
/// With its attendance, resolutions and attachments, and whether the caller may review it.
#[utoipa::path(
    get, path = "/api/v1/life/records/{id}", operation_id = "getLifeRecord", tag = "life",
    params(("id" = i64, Path, description = "会议记录 ID")),
    responses(
        (status = 200, description = "The record", body = LifeRecord),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn show(State(s): State<Shared>, caller: ApiCaller, id: Result<Path<i64>, PathRejection>) -> Response {
    tri!(caller.require(Perm::ReadLife));
    let types = tri!(all_types(&s, &caller).await);
    let f = tri!(read(&s, &caller, id).await);
    let reviewable = f.reviewable;
    json(StatusCode::OK, &full_out(f, &types, reviewable, Vec::new()))
}
