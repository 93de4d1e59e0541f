//! The organization tree and an organization's pages (组织树, 党组织详情, create, edit, move,
//! dissolve) and `/api/v1/orgs`.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
mod pages;

use axum::routing::get;
use web_core::routes::{Routes, Target};

pub use api::ORG_FIELDS;

/// The pages and API routes of organizations.
pub fn routes(r: Routes) -> Routes {
    use axum::routing::get as g;
    pages::routes(r)
        .add("GET,POST", "/api/v1/orgs", Target::None, g(api::list).post(api::create))
        .add("GET,PATCH", "/api/v1/orgs/{id}", Target::Org, g(api::show).patch(api::update))
        .add("GET", "/api/v1/orgs/{id}/findings", Target::Org, get(api::findings))
        .add("GET", "/api/v1/orgs/{id}/stats", Target::Org, get(api::stats))
        .add("GET", "/api/v1/orgs/{id}/officers", Target::Org, get(api::officers))
}

/// The organization operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::show, api::create, api::update, api::findings, api::stats, api::officers))]
pub struct Doc;
