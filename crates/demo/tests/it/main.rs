//! The integration tests of this crate, one module per area, linked as one test binary so a
//! change builds one test binary rather than one per file.

mod build;
mod campaign;
mod life;
