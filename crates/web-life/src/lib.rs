//! Organization life (组织生活): records of 三会一课 and the rest, their review, the types and dated
//! frequency rules, 党组 work divisions, compliance, the calendar and the findings; `/api/v1/life`.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
pub mod pages;

use axum::routing::{get as g, post as p};
use web_core::routes::{Routes, Target};

pub use api::{CHILDREN_ONLY_ABOVE, LIFE_FIELDS};

/// The pages and API routes of organization life.
pub fn routes(r: Routes) -> Routes {
    pages::routes(r)
        .add("GET", "/api/v1/orgs/{id}/roster", Target::Org, g(api::roster))
        .add("GET", "/api/v1/life/records", Target::OrgQuery, g(api::list))
        .add("POST", "/api/v1/life/records", Target::None, p(api::create))
        .add("POST", "/api/v1/life/records/review", Target::None, p(api::review_many))
        .add("GET,PUT", "/api/v1/life/records/{id}", Target::LifeRecord, g(api::show).put(api::update))
        .add("POST", "/api/v1/life/records/{id}/submit", Target::LifeRecord, p(api::submit))
        .add("POST", "/api/v1/life/records/{id}/review", Target::LifeRecord, p(api::review))
        .add("GET", "/api/v1/life/types", Target::None, g(api::types))
        .add("GET", "/api/v1/life/rules", Target::None, g(api::rules))
        .add("GET", "/api/v1/life/findings", Target::OrgQuery, g(api::findings))
        .add("GET", "/api/v1/life/compliance", Target::OrgQuery, g(api::compliance))
}

/// The organization-life operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    api::list,
    api::show,
    api::create,
    api::update,
    api::submit,
    api::review,
    api::review_many,
    api::roster,
    api::types,
    api::rules,
    api::findings,
    api::compliance
))]
pub struct Doc;
