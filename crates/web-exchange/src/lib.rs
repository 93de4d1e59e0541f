//! Import and export (数据导入导出): upload, dry-run report, commit, error workbook, export of a
//! subtree; `/api/v1/import` and `/api/v1/export`.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
mod pages;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use web_core::api::MAX_IMPORT_BYTES;
use web_core::routes::{Routes, Target};

/// The pages and API routes of import and export.
pub fn routes(r: Routes) -> Routes {
    pages::routes(r)
        .add("POST", "/api/v1/import", Target::None, post(api::import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .add("GET", "/api/v1/export", Target::OrgQuery, get(api::export))
}

/// The import and export operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::import, api::export))]
pub struct Doc;
