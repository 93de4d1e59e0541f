//! dangjian web application: server-rendered pages (askama), server-side sessions, CSRF on every
//! state-changing request, security headers, embedded assets. Every page reads through the
//! caller's [`store::Scope`]; records outside it answer 404.

mod auth;
mod pages;

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
}

pub type Shared = Arc<AppState>;

const CSS: &str = include_str!("../assets/app.css");

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/orgs", get(pages::orgs))
        .route("/orgs/{id}", get(pages::org))
        .route("/members", get(pages::members))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/login/totp", get(auth::totp_page).post(auth::totp))
        .route("/logout", post(auth::logout))
        .route("/healthz", get(healthz))
        .route("/assets/app.css", get(css))
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .with_state(Arc::new(state))
}

async fn healthz(State(_s): State<Shared>) -> &'static str {
    "ok"
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], CSS).into_response()
}

async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "页面不存在", "您要找的页面不存在，或不在您的管理范围内。")
}

/// A full error page.
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    #[derive(askama::Template)]
    #[template(path = "error.html")]
    struct ErrorPage<'a> {
        title: &'a str,
        message: &'a str,
    }
    let body = askama::Template::render(&ErrorPage { title, message }).unwrap_or_else(|_| message.to_string());
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
