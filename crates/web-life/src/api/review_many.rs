//! Bulk review: many submitted records accepted, or returned, together.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::input::{self, Fields, Given};
use web_core::api::{ApiCaller, ApiFieldError};
use web_core::tri;
use web_core::Shared;

/// One record of a bulk review.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LifeReviewItem {
    /// 会议记录 ID.
    id: i64,
    /// 退回原因 of this record (when returning; overrides the common `reason`).
    reason: Option<String>,
}

/// A bulk review as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LifeReviewManyIn {
    /// `true` accepts every record, `false` returns every record to its organization.
    accept: bool,
    /// The records (at most 500), each waiting for the caller's review.
    records: Vec<LifeReviewItem>,
    /// 退回原因 for every record without one of its own (when returning, each record needs one).
    reason: Option<String>,
}

/// The outcome of a bulk review.
#[derive(Serialize, ToSchema)]
pub struct LifeReviewManyOut {
    /// How many records were accepted or returned.
    reviewed: usize,
    /// `true`: accepted; `false`: returned.
    accept: bool,
    /// Their ids.
    ids: Vec<i64>,
}

/// 批量审核会议记录 / Review many records at once
///
/// The superior organization accepts, or returns with a reason, many submitted records in one
/// transaction, each audited on its own. Every record is checked as in a single review; if one
/// is outside the caller's scope (404), not the caller's to review (403, naming it), not waiting
/// for review (409, naming it) or returned without a reason (422, naming it), the whole request is
/// refused and nothing is written.
#[utoipa::path(
    post, path = "/api/v1/life/records/review", operation_id = "reviewLifeRecords", tag = "life",
    request_body = LifeReviewManyIn,
    responses(
        (status = 200, description = "Every record accepted or returned", body = LifeReviewManyOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn review_many(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::ReviewLife));
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let accept = match f.flag("accept", "审核结论") {
        Given::Value(v) => Some(v),
        Given::Bad => None,
        Given::Absent | Given::Null => {
            f.errors.push(ApiFieldError::new("审核结论", "不能为空：accept 为 true（通过）或 false（退回）"));
            None
        }
    };
    let common = f.text("reason", "退回原因").value().unwrap_or_default();
    let records = f.list("records", "会议记录", |r| {
        let id = match r.int("id", "记录 ID") {
            Given::Value(v) => Some(v),
            Given::Bad => None,
            _ => {
                r.errors.push(ApiFieldError::new("记录 ID", "不能为空"));
                None
            }
        };
        let reason = r.text("reason", "退回原因").value().unwrap_or_default();
        id.map(|id| (id, reason))
    });
    let items: Vec<(i64, String)> = match records {
        Given::Value(v) if !v.is_empty() => v,
        Given::Bad => Vec::new(),
        _ => {
            f.errors.push(ApiFieldError::new("会议记录", "请至少给出一条待审核的记录"));
            Vec::new()
        }
    };
    tri!(f.check(&["审核结论", "会议记录", "退回原因"]));
    let Some(accept) = accept else { return caller.not_found() };
    let items: Vec<(i64, String)> =
        items.into_iter().map(|(id, r)| (id, if r.trim().is_empty() { common.clone() } else { r })).collect();
    match service::life::records::review_many(&s.store, &caller, &items, accept).await {
        Ok(n) => web_core::api::json(
            StatusCode::OK,
            &LifeReviewManyOut { reviewed: n, accept, ids: items.iter().map(|i| i.0).collect() },
        ),
        Err(e) => caller.service_fail(e),
    }
}
