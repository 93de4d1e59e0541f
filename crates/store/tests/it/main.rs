//! The integration tests of this crate, one module per area, linked as one test binary so a
//! change builds one test binary rather than one per file.

mod accounts;
mod audit;
mod concurrency;
mod conformance;
mod generation;
mod life_scenarios;
mod officers;
mod pg_grants;
mod schema;
mod tree_moves;
