//! 测评: surveys issued over an organization's subtree to members and residents — the list, issuing
//! one from a preset questionnaire, its tally per target organization with the satisfaction rate
//! and coverage, residents' one-time codes printed as QR codes on an A4 sheet, free-text answers;
//! members answering signed in; residents answering at `/s/{code}` without an account;
//! `/api/v1/surveys`.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
pub mod pages;
pub mod public;

use axum::routing::{get, post};
use web_core::routes::{Routes, Target};

/// The pages and API routes of surveys.
pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/surveys", Target::OrgQuery, get(pages::list))
        .add("GET,POST", "/surveys/new", Target::OrgQuery, get(pages::new_page).post(pages::create))
        .add("GET", "/surveys/mine", Target::None, get(pages::mine))
        .add("GET", "/surveys/{id}", Target::Survey, get(pages::show))
        .add("GET,POST", "/surveys/{id}/edit", Target::Survey, get(pages::edit_page).post(pages::update))
        .add("POST", "/surveys/{id}/bases", Target::Survey, post(pages::bases))
        .add("POST", "/surveys/{id}/codes", Target::Survey, post(pages::codes))
        .add("GET", "/surveys/{id}/texts", Target::Survey, get(pages::texts))
        .add("GET,POST", "/surveys/{id}/answer", Target::Survey, get(pages::answer_page).post(pages::answer))
        // a resident's answer: no account, a one-time code
        .add("GET", "/s", Target::None, get(public::entry))
        .add("GET,POST", "/s/{code}", Target::None, get(public::page).post(public::answer))
        .add("GET", "/api/v1/surveys", Target::OrgQuery, get(api::list))
        .add("GET", "/api/v1/surveys/{id}", Target::Survey, get(api::show))
        .add("GET", "/api/v1/surveys/{id}/tally", Target::Survey, get(api::tally))
}

/// The survey operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::show, api::tally))]
pub struct Doc;
