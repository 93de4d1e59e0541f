//! 创建活动: campaigns (服务型、创新型党组织创建, 基层组织建设年, 机关党建 …) with their leadership
//! groups, documents and funding; their standards of indicators read from the indicator source
//! registry; values organizations report; dispatch rounds (调度) with their printed report,
//! workbook and on-site meetings; demonstration sites (示范点) and training classes (培训班);
//! `/api/v1/campaigns`.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
pub mod pages;

use axum::routing::{get as g, post as p};
use web_core::routes::{Routes, Target};

/// The pages and API routes of campaigns.
pub fn routes(r: Routes) -> Routes {
    pages::routes(r)
        .add("GET", "/api/v1/campaigns", Target::None, g(api::list))
        .add("GET", "/api/v1/campaigns/indicator-sources", Target::None, g(api::sources))
        .add("GET", "/api/v1/campaigns/{id}", Target::Campaign, g(api::show))
        .add("POST", "/api/v1/campaigns/{id}/rounds", Target::Campaign, p(api::compute))
        .add("GET", "/api/v1/campaigns/rounds/{id}", Target::DispatchRound, g(api::round))
        .add("POST", "/api/v1/campaigns/rounds/{id}/publish", Target::DispatchRound, p(api::publish))
}

/// The campaign operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::sources, api::show, api::compute, api::round, api::publish))]
pub struct Doc;
