//! The `/api/v1` handlers of grading's parts: grading cycles (`cycle`, `/api/v1/grading`),
//! weak-and-lax organizations (`weak`), first secretaries and contact persons
//! (`first_secretary`).

pub mod cycle;
pub mod entry;
pub mod first_secretary;
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
        .add("GET", "/api/v1/first-secretaries", Target::OrgQuery, g(first_secretary::list))
        .add("POST", "/api/v1/first-secretaries", Target::None, p(first_secretary::create))
        .add("GET", "/api/v1/first-secretaries/{id}", Target::FirstSecretary, g(first_secretary::show))
        .add("POST", "/api/v1/first-secretaries/{id}/logs", Target::FirstSecretary, p(first_secretary::add_log))
        .add("POST", "/api/v1/first-secretaries/{id}/days", Target::FirstSecretary, p(first_secretary::set_days))
        .add("POST", "/api/v1/first-secretaries/{id}/assessments", Target::FirstSecretary, p(first_secretary::assess))
        .add("GET", "/api/v1/contact-persons", Target::OrgQuery, g(first_secretary::contacts))
        .add("POST", "/api/v1/contact-persons", Target::None, p(first_secretary::assign))
}
