//! Organization life: the use cases of records (list, read, enter, change, submit, review), their
//! attachments and rosters, the types and rules, 党组 work divisions, and the compliance views
//! (the table of a subtree, its workbook, an organization's card and calendar, the daily job's
//! findings). Pages and the API call the same functions here, so a rule that decides what a
//! reader sees is written once. The window a compliance figure is for and the completion rate
//! are pure and live in `domain::life` ([`domain::life::Window`], [`domain::life::rate`]), used
//! by the pages, the API and the workbook alike.

pub mod attachments;
pub mod compliance;
pub mod divisions;
pub mod records;
pub mod roster;
pub mod rules;
