//! Organization life: the use cases of records (read, enter, change, submit, review), their
//! attachments, and the types and rules. The window a compliance
//! figure is for and the completion rate are pure and live in `domain::life`
//! ([`domain::life::Window`], [`domain::life::rate`]), used by the pages, the API and the
//! workbook alike.

pub mod attachments;
pub mod divisions;
pub mod records;
pub mod rules;
