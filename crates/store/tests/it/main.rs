//! The integration tests of this crate, one module per area, linked as one test binary so a
//! change builds one test binary rather than one per file.

mod accounts;
mod audit;
mod campaign;
mod campaign_innovation;
mod campaign_secondment_plan;
mod campaign_task;
mod concurrency;
mod conformance;
mod contact_person;
mod first_secretary;
mod generation;
mod grading;
mod grant_requests;
mod life_scenarios;
mod messages;
mod officers;
mod pg_grants;
mod schema;
mod search;
mod sessions_kept;
mod survey;
mod tree_moves;
mod weak_and_lax;
