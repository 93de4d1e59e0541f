//! The organization-life pages: records and their form, the types and rules, compliance.

pub mod compliance;
mod record;
mod rules;

use web_core::routes::Routes;

/// Every organization-life page route.
pub(crate) fn routes(r: Routes) -> Routes {
    let r = rules::routes(r);
    let r = record::routes(r);
    compliance::routes(r)
}
