//! 党员名册 and 党员详情; create, edit, status changes; 我的信息.

use axum::routing::get;

use web_core::routes::{Routes, Target};

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/members", Target::OrgQuery, get(members))
        .add("GET", "/members/{id}", Target::Member, get(member))
        .add("GET", "/members/{id}/print", Target::Member, get(member_card))
        .add("GET,POST", "/members/{id}/edit", Target::Member, get(edit_page).post(edit_post))
        .add("GET,POST", "/members/{id}/status", Target::Member, get(status_page).post(status_post))
        .add("GET,POST", "/orgs/{id}/members/new", Target::Org, get(new_page).post(new_post))
        .add("GET", "/me", Target::None, get(me))
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

mod detail;
mod form;
mod list;
mod me;
mod status;

pub use detail::*;
pub use form::*;
pub use list::*;
pub use me::*;
pub use status::*;
