//! The use cases of dangjian, one function each, between the store and the surfaces that call
//! them (pages, the JSON API, the command line). Every function takes the caller's [`Ctx`],
//! checks the permission first, validates, calls the store and returns a typed result or a
//! [`ServiceError`]. A rule that decides who may do what, or what a figure means, is written here
//! (or, when it is pure, in `domain`) once, and the pages and the API both call it.

pub mod account;
pub mod audit;
pub mod campaign;
pub mod contact_person;
mod ctx;
mod error;
pub mod exchange;
pub mod first_secretary;
pub mod grading;
pub mod home;
pub mod life;
pub mod member;
pub mod message;
pub mod org;
pub mod personal;
pub mod statistics;
pub mod survey;
pub mod weak_and_lax;

pub use ctx::Ctx;
pub use domain::access::Perm;
pub use error::{ServiceError, ServiceResult};
