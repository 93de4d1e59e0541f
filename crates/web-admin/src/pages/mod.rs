//! The pages of this crate, and what they share.

pub mod account;
pub mod admin;
pub mod audit;
pub mod grants;
pub mod system;

pub use web_core::pages::{render, today, urlencode};
