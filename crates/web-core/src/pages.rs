//! What every capability's pages share. Each handler first resolves the caller (the extractor redirects to the login page
//! without a session), asks it for the scope of the permission it needs, and reads only through
//! that scope: records outside it answer 404.
//!
//! Forms: every form struct is `#[serde(default)]` with string fields, so a request never fails
//! to parse before the handler has checked access; the handler validates and shows every problem
//! beside its field, keeping what the user typed.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::rules::Severity;

use crate::error_page;

pub fn render<T: Template>(t: &T) -> Response {
    // most pages are 10–100 KB: start big enough not to copy the page several times as it grows
    let mut s = String::with_capacity(T::SIZE_HINT.max(32 * 1024));
    match t.render_into(&mut s) {
        Ok(()) => Html(s).into_response(),
        Err(e) => {
            crate::error::log_internal("页面生成失败", &e);
            render_failed()
        }
    }
}

/// The organization a page with `?org=` is about: the given one through `scope` (the scope of
/// `perm`; not found outside it), or the caller's first top organization for `perm` when none is
/// given. A top organization of the caller's view is already known and needs no read.
pub async fn org_param(
    s: &crate::Shared,
    caller: &crate::Caller,
    perm: crate::access::Perm,
    _scope: &store::Scope,
    org: &str,
) -> Result<store::Visible<domain::org::Org>, service::ServiceError> {
    let id = match org.trim() {
        "" => None,
        o => Some(o.parse::<i64>().map_err(|_| service::ServiceError::NotFound("党组织"))?),
    };
    service::org::chosen(&s.store, caller, perm, id).await
}

/// The answer when a page cannot be rendered.
pub fn render_failed() -> Response {
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "页面出错",
        &crate::error::internal_message("页面生成失败，请稍后再试。"),
    )
}

pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub struct FindingRow {
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub rule_id: &'static str,
    pub source: String,
    pub org_id: i64,
    pub org_name: String,
    pub message: String,
}

pub fn sev_code(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Percent-encode a query-string value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
