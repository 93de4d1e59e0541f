//! The `/api/v1` handlers of grading's parts: grading cycles (`cycle`, `/api/v1/grading`) and
//! weak-and-lax organizations (`weak`).

pub mod cycle;
pub mod entry;
pub mod weak;

use axum::routing::{get as g, post as p};
use web_core::routes::{Routes, Target};

pub fn routes(r: Routes) -> Routes {
    entry::routes(cycle::routes(r))
        .add("GET", "/api/v1/weak-and-lax", Target::OrgQuery, g(weak::list))
        .add("POST", "/api/v1/weak-and-lax", Target::None, p(weak::create))
        .add("POST", "/api/v1/weak-and-lax/proposals", Target::None, p(weak::propose))
        .add("GET", "/api/v1/weak-and-lax/{id}", Target::WeakAndLax, g(weak::show))
        .add("POST", "/api/v1/weak-and-lax/{id}/transition", Target::WeakAndLax, p(weak::transition))
        .add("POST", "/api/v1/weak-and-lax/{id}/items", Target::WeakAndLax, p(weak::add_item))
        .add("POST", "/api/v1/weak-and-lax/{id}/items/report", Target::WeakAndLax, p(weak::report_item))
        .add("POST", "/api/v1/weak-and-lax/{id}/items/decide", Target::WeakAndLax, p(weak::decide_item))
}
