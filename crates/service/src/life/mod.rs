//! Organization life: the use cases of records (read, submit, review). The window a compliance
//! figure is for and the completion rate are pure and live in `domain::life`
//! ([`domain::life::Window`], [`domain::life::rate`]), used by the pages, the API and the
//! workbook alike.

pub mod records;
