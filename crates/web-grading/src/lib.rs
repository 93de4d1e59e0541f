//! 分类定级: the grading cycles of a subtree with their entries and grades (`/api/v1/grading`), and
//! what follows from it: weak-and-lax organizations (软弱涣散) from identification to 销号 and a year
//! of 跟踪问效 (`/api/v1/weak-and-lax`).

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
pub mod pages;

use web_core::routes::Routes;

/// The pages and API routes of grading's parts.
pub fn routes(r: Routes) -> Routes {
    let r = pages::routes(r);
    api::routes(r)
}

/// The grading operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    api::cycle::cycles,
    api::cycle::cycle,
    api::entry::entry,
    api::entry::put_scores,
    api::entry::transitions,
    api::weak::list,
    api::weak::create,
    api::weak::propose,
    api::weak::show,
    api::weak::transition,
    api::weak::add_item,
    api::weak::report_item,
    api::weak::decide_item
))]
pub struct Doc;
