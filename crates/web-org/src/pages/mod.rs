//! 组织树 and 党组织详情; create, edit, move, dissolve.

use axum::routing::get;

use web_core::form::*;
use web_core::routes::{Routes, Target};

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/orgs", Target::OrgQuery, get(orgs))
        .add("GET", "/orgs/{id}", Target::Org, get(org))
        .add("GET,POST", "/orgs/{id}/new", Target::Org, get(new_page).post(new_post))
        .add("GET,POST", "/orgs/{id}/edit", Target::Org, get(edit_page).post(edit_post))
        .add("GET,POST", "/orgs/{id}/move", Target::Org, get(move_page).post(move_post))
        .add("GET,POST", "/orgs/{id}/dissolve", Target::Org, get(dissolve_page).post(dissolve_post))
        .add("GET,POST", "/orgs/{id}/officers", Target::Org, get(officers_page).post(officer_add))
        .add("POST", "/orgs/{id}/officers/end", Target::Org, axum::routing::post(officer_end))
        .add("GET,POST", "/orgs/{id}/officers/correct", Target::Org, get(officer_correct_page).post(officer_correct))
}

mod detail;
mod dissolve;
mod form;
mod officers;
mod transfer;
mod tree;

pub use detail::*;
pub use dissolve::*;
pub use form::*;
pub use officers::*;
pub use transfer::*;
pub use tree::*;
