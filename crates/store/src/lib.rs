//! dangjian storage: one data-access layer over SQLite (embedded default) and PostgreSQL.
//!
//! SQL is written once with `$1` placeholders and runs on both backends (SQLite reads them as
//! `?1`). Every repository function that reads or writes business data takes a [`Scope`], so an
//! unscoped query does not compile. Every multi-row change runs in one transaction; on SQLite
//! writes go through a single writer connection with `BEGIN IMMEDIATE`.

pub mod account;
pub mod audit;
pub mod baseline;
pub mod campaign;
pub mod contact_person;
pub mod db;
pub mod error;
mod figures;
pub mod first_secretary;
pub mod generation;
pub mod grading;
pub mod import_job;
pub mod kept;
pub mod life;
pub mod life_bulk;
pub mod listen;
pub mod member;
pub mod message;
pub mod officer;
pub mod org;
pub mod org_bulk;
pub mod pg_grants;
pub mod progress;
pub mod rollup;
pub mod scope;
pub mod statistics;
pub mod survey;
pub mod testing;
pub mod weak_and_lax;

pub use db::{Backend, Store, Tx, Val};
pub use error::{StoreError, StoreResult};
pub use progress::{NoProgress, Progress};
pub use scope::{Actor, Scope, Visible};
