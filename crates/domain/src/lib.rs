//! dangjian domain: types, validation and rules. Pure: no I/O, no async, no SQL.
//!
//! Each capability is a module of the same name in every crate that has something to say about it
//! (`org`, `member`, …), so a newcomer finds a capability by its name in every layer.

pub mod access;
pub mod account;
pub mod audit;
pub mod campaign;
pub mod contact_person;
pub mod dates;
pub mod error;
pub mod first_secretary;
pub mod grading;
pub mod idcard;
pub mod life;
pub mod mask;
pub mod member;
pub mod message;
pub mod officer;
pub mod org;
pub mod path;
pub mod region;
pub mod rules;
pub mod survey;
pub mod text;
pub mod weak_and_lax;

pub use error::{FieldError, FieldErrors};
