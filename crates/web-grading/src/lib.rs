//! 分类定级: the grading cycles of a subtree with their entries and grades; `/api/v1/grading`.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
pub mod pages;

use web_core::routes::Routes;

/// The pages and API routes of grading.
pub fn routes(r: Routes) -> Routes {
    api::routes(pages::routes(r))
}

/// The grading operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::cycle::cycles, api::cycle::cycle))]
pub struct Doc;
