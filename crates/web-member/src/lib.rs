//! The member roster (党员名册): list, detail, create, edit, status changes, the member's own page,
//! and `/api/v1/members`.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
mod pages;

use axum::routing::get;
use web_core::routes::{Routes, Target};

pub use api::MEMBER_FIELDS;

/// The pages and API routes of members.
pub fn routes(r: Routes) -> Routes {
    pages::routes(r).add("GET,POST", "/api/v1/members", Target::None, get(api::list).post(api::create)).add(
        "GET,PATCH",
        "/api/v1/members/{id}",
        Target::Member,
        get(api::show).patch(api::update),
    )
}

/// The member operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::show, api::create, api::update))]
pub struct Doc;
