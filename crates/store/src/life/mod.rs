//! Organization life: records of meetings (三会一课 and the rest) with their attendance,
//! resolutions and attachments, the superior's review, 党组 work divisions, local types and rule
//! versions, the roster of an organization on a past date, and the compliance engine's inputs and
//! daily job (the verdicts themselves are `domain::life`).
//!
//! Scope: a record belongs to its organization; reading or writing it needs the organization in
//! the caller's scope. Reviewing needs the organization's *superior* in scope (review runs
//! 支部 → 党委 → 组织部), so nobody accepts their own organization's records.

pub(crate) mod attachments;
mod compliance;
mod divisions;
mod kept;
mod records;
mod roster;
mod types;

pub use attachments::*;
pub use compliance::*;
pub use divisions::*;
pub use records::*;
pub use roster::*;
pub use types::*;
