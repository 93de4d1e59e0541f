//! The roster on a date.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::{check, json, ApiCaller, Params};
use web_core::pages::today;
use web_core::tri;
use web_core::Shared;

use super::*;

/// One member on the roster of a date.
#[derive(Serialize, ToSchema)]
pub struct LifeRosterEntry {
    pub member_id: i64,
    pub name: String,
    /// A full member on that date (预备党员 attend but do not vote).
    pub voter: bool,
    /// Holds a committee post (attends 支部委员会会议).
    pub committee: bool,
}

/// Who belonged to an organization (with its 党小组) on a date.
#[derive(Serialize, ToSchema)]
pub struct LifeRoster {
    pub org_id: i64,
    pub org_name: String,
    pub date: NaiveDate,
    /// Members on that date.
    pub total: i64,
    /// Of those, with a vote.
    pub voters: i64,
    /// Of those, committee members.
    pub committee: i64,
    pub members: Vec<LifeRosterEntry>,
}

/// The date of a roster.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RosterParams {
    /// The meeting's date (default: today).
    date: Option<NaiveDate>,
}

/// 会议当日名册 / The roster on a date
///
/// The members of an organization (and its 党小组) on a date — names, ids and the voter and
/// committee flags only — so a client can fill a record's attendance.
#[utoipa::path(
    get, path = "/api/v1/orgs/{id}/roster", operation_id = "orgRoster", tag = "life",
    params(("id" = i64, Path, description = "党组织 ID"), RosterParams),
    responses(
        (status = 200, description = "The roster", body = LifeRoster),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn roster(
    State(s): State<Shared>,
    caller: ApiCaller,
    id: Result<Path<i64>, PathRejection>,
    q: Params,
) -> Response {
    tri!(caller.require(Perm::RecordLife));
    let Ok(Path(id)) = id else { return caller.not_found() };
    let org = match caller.ctx.org(&s.store, Perm::RecordLife, id).await {
        Ok((_, o)) => o,
        Err(e) => return caller.fail(e),
    };
    let mut errs = Vec::new();
    let date = q_date(&q, "date", &mut errs).unwrap_or_else(today);
    tri!(check(errs));
    match service::life::roster::on(&s.store, &caller, &org, date).await {
        Ok(entries) => json(
            StatusCode::OK,
            &LifeRoster {
                org_id: org.id,
                org_name: org.name.clone(),
                date,
                total: entries.len() as i64,
                voters: entries.iter().filter(|e| e.voter).count() as i64,
                committee: entries.iter().filter(|e| e.committee).count() as i64,
                members: entries
                    .into_iter()
                    .map(|e| LifeRosterEntry {
                        member_id: e.member_id,
                        name: e.name,
                        voter: e.voter,
                        committee: e.committee,
                    })
                    .collect(),
            },
        ),
        Err(e) => caller.fail(e),
    }
}
