//! 分类定级: the grading cycles of a subtree with their entries and grades (`/api/v1/grading`), and
//! what follows from it: weak-and-lax organizations (软弱涣散) from identification to 销号 and a year
//! of 跟踪问效 (`/api/v1/weak-and-lax`); first secretaries and party-building instructors
//! (`/api/v1/first-secretaries`) and branches' contact persons (`/api/v1/contact-persons`).

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
    api::weak::decide_item,
    api::first_secretary::list,
    api::first_secretary::create,
    api::first_secretary::show,
    api::first_secretary::add_log,
    api::first_secretary::set_days,
    api::first_secretary::assess,
    api::first_secretary::contacts,
    api::first_secretary::assign
))]
pub struct Doc;
