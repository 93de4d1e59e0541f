//! The core of the dangjian web application: the caller and its permissions, sign-in, sessions
//! and CSRF, the route table, the layout and error pages, security headers, the embedded assets,
//! and what every capability's pages and API share (form fields, charts, problem+json, input
//! parsing, the OpenAPI building blocks). The capabilities' own pages and `/api/v1` handlers live
//! in the `web-<capability>` crates; the `web` crate assembles them. Every page reads through the
//! caller's [`store::Scope`]; records outside it answer 404.

/// Unwrap a `Result<T, Response>`, returning the response from the handler on `Err`.
#[macro_export]
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

pub mod access;
pub mod api;
pub mod auth;
pub mod caller;
pub mod charts;
pub mod error;
pub mod form;
pub use store::kept;
pub mod pages;
pub mod paging;
pub mod picker;
pub mod qr;
pub mod ratelimit;
pub mod routes;
pub mod search;

pub use caller::{Caller, Crumb, Nav, Surface};
pub use routes::{RouteSpec, Target};

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

/// Shared state of the application.
#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    pub limits: store::account::SessionLimits,
    pub login_limits: store::account::LoginLimits,
    /// Mark cookies `Secure` (when served behind TLS).
    pub secure_cookies: bool,
    /// The password policy profile (MLPS or ASVS) new passwords are checked against, and whose
    /// expiry forces a change at sign-in.
    pub policy: domain::account::PasswordPolicy,
    /// Callers resolved in the last moments (see [`auth::CallerCache`]).
    pub callers: Arc<auth::CallerCache>,
    /// What the capabilities keep for the life of the application (their page caches), each
    /// made on first use (see [`kept::Kept`]).
    pub kept: Arc<kept::Kept>,
}

impl AppState {
    /// A state with the default limits and policy, cookies not `Secure`.
    pub fn new(store: store::Store) -> Self {
        AppState {
            store,
            limits: Default::default(),
            login_limits: Default::default(),
            secure_cookies: false,
            policy: Default::default(),
            callers: Default::default(),
            kept: Default::default(),
        }
    }
}

pub type Shared = Arc<AppState>;

const CSS: &str = include_str!("../assets/app.css");

/// The routes of the core: liveness, the stylesheet, sign-in and sign-out, the scope switcher,
/// the organization picker (its script and its matches), the top bar's search, and the meeting
/// record form's script.
pub fn routes(r: routes::Routes) -> routes::Routes {
    r.add("GET", "/healthz", Target::None, get(healthz))
        .add("GET", "/assets/app.css", Target::None, get(css))
        .add("GET,POST", "/login", Target::None, get(auth::login_page).post(auth::login))
        .add("GET,POST", "/login/totp", Target::None, get(auth::totp_page).post(auth::totp))
        .add("POST", "/logout", Target::None, post(auth::logout))
        .add("POST", "/scope", Target::None, post(auth::switch_scope))
        .add("GET", "/assets/picker.js", Target::None, get(picker::script))
        .add("GET", "/assets/life-form.js", Target::None, get(life_form_script))
        .add("GET", "/orgs/pick", Target::None, get(picker::pick))
        .add("GET,POST", "/search", Target::None, get(search::search).post(search::search_post))
}

const LIFE_FORM_SCRIPT: &str = include_str!("../assets/life-form.js");

/// GET /assets/life-form.js: the meeting record form's script (our own, no third-party code): the
/// attendance block follows the meeting's date and types, 全部出席 in place. The form works
/// without it.
async fn life_form_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")],
        LIFE_FORM_SCRIPT,
    )
        .into_response()
}

/// An application of the given routes: the fallback 404, the layers every response passes
/// through (security headers, forgetting resolved callers after writes) and the state.
pub fn router(state: AppState, table: routes::Routes) -> Router {
    let state = Arc::new(state);
    table
        .router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), forget_callers_after_writes))
        .layer(middleware::from_fn(error::plain_rejections))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(error::log_requests))
        .with_state(state)
}

/// Any write in this process may change what a caller resolves to (grants, account state, the
/// paths of moved organizations): forget the resolved callers after every state-changing request.
async fn forget_callers_after_writes(State(s): State<Shared>, req: axum::extract::Request, next: Next) -> Response {
    let write = !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let res = next.run(req).await;
    if write {
        s.callers.clear();
    }
    res
}

/// An error of the JSON API as RFC 9457 problem+json, with a Chinese `detail` and the request's
/// id (`request_id`, also in the `X-Request-Id` header) to quote.
pub fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if let Some(id) = error::request_id() {
        body["request_id"] = id.into();
    }
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
}

/// Liveness and readiness: answers "ok" when the database answers a `SELECT 1`, 503 otherwise.
async fn healthz(State(s): State<Shared>) -> Response {
    match s.store.ping().await {
        Ok(()) => "ok".into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], CSS).into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return problem(StatusCode::NOT_FOUND, "不存在", "请求的资源不存在，或不在您的管理范围内。");
    }
    error_page(StatusCode::NOT_FOUND, "页面不存在", "您要找的页面不存在，或不在您的管理范围内。")
}

/// A full error page.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    #[derive(askama::Template)]
    #[template(path = "error.html")]
    struct ErrorPage<'a> {
        title: &'a str,
        message: &'a str,
        request_id: Option<String>,
    }
    let page = ErrorPage { title, message, request_id: error::request_id() };
    let body = askama::Template::render(&page).unwrap_or_else(|_| message.to_string());
    (status, Html(body)).into_response()
}

/// Security headers on every response: a CSP with no inline script, frame denial, nosniff, a
/// strict referrer policy.
async fn security_headers(req: axum::extract::Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}
