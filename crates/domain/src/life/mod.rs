//! Organization life (三会一课 and the rest): the types of meeting, the frequency rules as dated
//! data, the checks made when a record is entered, and the compliance engine that judges any
//! subtree for any period (RULES.md LIFE and REC).
//!
//! Everything here is pure: the store hands in the organizations, the records and the roster, and
//! gets back verdicts that say which rule, which period and which records they rest on.

mod compliance;
mod periods;
mod records;
mod rules;
mod types;

pub use compliance::*;
pub use periods::*;
pub use records::*;
pub use rules::*;
pub use types::*;

#[cfg(test)]
mod tests;
