//! The pages of grading's parts: grading cycles (`cycle`, opened by `open`), an organization's
//! scoring sheet (`entry`), 晋位升级 (`progress`), schemes and catalogues (`scheme`), weak-and-lax
//! organizations (`weak`), first secretaries and party-building instructors (`first_secretary`)
//! and branches' contact persons (`contact`).

pub mod contact;
pub mod cycle;
pub mod entry;
pub mod first_secretary;
pub mod open;
pub mod progress;
pub mod scheme;
pub mod weak;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use domain::org::Org;
use domain::FieldErrors;
use service::ServiceError;
use store::Visible;
use web_core::access::Perm;
use web_core::pages::org_param;
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::Routes;
use web_core::{Caller, Shared};

pub fn routes(r: Routes) -> Routes {
    let r = scheme::routes(open::routes(progress::routes(entry::routes(r))));
    contact::routes(first_secretary::routes(weak::routes(cycle::routes(r))))
}

/// The organization a subtree's page is of (`?org=`, the caller's top when none), read with
/// `perm`; an organization out of scope is answered as not found.
pub(crate) async fn page_org(s: &Shared, caller: &Caller, perm: Perm, raw: &str) -> Result<Visible<Org>, Response> {
    let scope = caller.require(perm)?;
    org_param(s, caller, perm, &scope, raw).await.map_err(|e| caller.fail(e))
}

/// The organization picker of a page about a subtree, submitting on choice. Organizations are
/// picked among those the caller may see; the use case refuses what its permission does not cover.
pub(crate) async fn list_picker(s: &Shared, caller: &Caller, org: &Visible<Org>, action: &str) -> OrgPicker {
    OrgPicker::new(s, caller, Purpose::Orgs, "org", "党组织", Some(org), action).await.submitting()
}

pub(crate) use web_core::paging::paged;

/// A moment as shown (China time, to the minute).
pub(crate) fn at(t: &DateTime<Utc>) -> String {
    let off = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    t.with_timezone(&off).format("%Y-%m-%d %H:%M").to_string()
}

/// What a refused or invalid use case leaves for the page shown again: the field problems, a
/// refusal, and the status; anything else is answered as the error it is.
pub(crate) fn problems(
    caller: &Caller,
    e: ServiceError,
) -> Result<(FieldErrors, Option<String>, StatusCode), Response> {
    match e {
        ServiceError::Invalid(e) => Ok((e, None, StatusCode::UNPROCESSABLE_ENTITY)),
        ServiceError::Refused(m) => Ok((FieldErrors::default(), Some(m), StatusCode::CONFLICT)),
        ServiceError::Stale(w) => {
            Ok((FieldErrors::default(), Some(ServiceError::Stale(w).to_string()), StatusCode::CONFLICT))
        }
        e => Err(caller.fail(e)),
    }
}

/// Field problems as lines (`字段：问题`).
pub(crate) fn lines(e: &FieldErrors) -> Vec<String> {
    e.0.iter().map(|x| format!("{}：{}", x.field, x.message)).collect()
}
