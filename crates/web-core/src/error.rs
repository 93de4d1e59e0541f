//! The error policy of the web application, in one place.
//!
//! * **What the user reads.** A use case's [`ServiceError`] becomes one answer here: missing and
//!   outside the caller's scope are the same 404 ("not found" and "not yours" cannot be told
//!   apart); a role without the permission is 403 naming the permission, a permission held but
//!   not for this record 403 saying who may; invalid input 422 naming each field in Chinese; a
//!   state that refuses the operation 409 with what to do. Pages show an error page in Chinese,
//!   the API answers RFC 9457 problem+json.
//! * **Internal errors** (the database, a page that cannot be drawn) reveal nothing of the system
//!   to the user: a calm sentence and the request's id, which the user can quote. They are
//!   logged once, here, with that id and the error's detail; never with personal data (the
//!   store's errors carry no bound values, and no handler logs input).
//! * **Every request is logged once** when it ends ([`log_requests`]): method, the matched route
//!   (not the path or the query string, which may hold names and numbers), status, latency, the
//!   request id and the signed-in account's id. The id is also sent back as `X-Request-Id`. The
//!   format is the operator's choice (`dangjian serve --log-format json|text`).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use service::ServiceError;

use crate::caller::Surface;
use crate::{error_page, problem};

/// What the log knows about the request being answered.
struct RequestInfo {
    id: String,
    /// The signed-in account, once resolved (0: none).
    account: AtomicI64,
}

tokio::task_local! {
    static REQUEST: Arc<RequestInfo>;
}

/// A new request id: a prefix chosen when the process starts, and a counter (short, unique
/// within the process and across restarts in practice, cheap to make).
fn next_id() -> String {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(rand::random::<u32>);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix:08x}-{n:x}")
}

/// The id of the request being answered (none outside a request, as in tests that call a
/// handler directly).
pub fn request_id() -> Option<String> {
    REQUEST.try_with(|r| r.id.clone()).ok()
}

/// Note the signed-in account of the request being answered, for its log line.
pub fn note_account(id: i64) {
    let _ = REQUEST.try_with(|r| r.account.store(id, Ordering::Relaxed));
}

/// Log an internal error once, with the request's id. `what` says what failed, in the product's
/// words; `detail` is the error itself (never input or personal data).
pub fn log_internal(what: &str, detail: &dyn std::fmt::Display) {
    let id = request_id().unwrap_or_default();
    tracing::error!(request_id = %id, error = %detail, "{what}");
}

/// The sentence an internal error shows, with the id to quote.
pub fn internal_message(sentence: &str) -> String {
    match request_id() {
        Some(id) => format!("{sentence}如问题持续，请将错误编号 {id} 告知系统管理员。"),
        None => sentence.to_string(),
    }
}

/// The answer to a failed use case on `surface`.
pub fn answer(surface: Surface, e: ServiceError) -> Response {
    let (status, title, msg) = match &e {
        ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "无权访问", e.to_string()),
        ServiceError::Denied(_) => (StatusCode::FORBIDDEN, "无权办理", e.to_string()),
        ServiceError::NotFound(_) => {
            (StatusCode::NOT_FOUND, "页面不存在", "您要找的记录不存在，或不在您的管理范围内。".to_string())
        }
        ServiceError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "填写有误", e.to_string()),
        ServiceError::Refused(_) => (StatusCode::CONFLICT, "无法完成", e.to_string()),
        ServiceError::Stale(_) => (StatusCode::CONFLICT, "已被他人修改", e.to_string()),
        ServiceError::Internal(inner) => {
            log_internal("请求失败：读写数据出错", inner);
            (StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", internal_message("读取数据时出错，请稍后再试。"))
        }
    };
    match surface {
        Surface::Page => error_page(status, title, &msg),
        Surface::Api => problem(status, title, &msg),
    }
}

/// The request log: one line per request when it ends, and the request id on the response.
pub async fn log_requests(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let info = Arc::new(RequestInfo { id: next_id(), account: AtomicI64::new(0) });
    let mut res = REQUEST.scope(info.clone(), next.run(req)).await;
    let status = res.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let account = info.account.load(Ordering::Relaxed);
    let route = route.as_deref().unwrap_or("（无匹配路由）");
    if status >= 500 {
        tracing::warn!(%method, route, status, latency_ms, request_id = %info.id, account, "request");
    } else {
        tracing::info!(%method, route, status, latency_ms, request_id = %info.id, account, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&info.id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// The framework's own refusals (a path id that is not a number, a malformed form or query, a
/// wrong method, a body too large) come as English plain text. Answer them as every other error:
/// a Chinese error page, or problem+json on the API, with the same status.
pub async fn plain_rejections(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    // a refusal of the framework's: plain text, or no body at all (a wrong method)
    let plain = match res.headers().get(axum::http::header::CONTENT_TYPE) {
        None => true,
        Some(v) => v.to_str().is_ok_and(|v| v.starts_with("text/plain")),
    };
    if !status.is_client_error() || !plain {
        return res;
    }
    let (title, detail) = rejection_text(status);
    let mut out = if api { crate::problem(status, title, detail) } else { crate::error_page(status, title, detail) };
    for (k, v) in res.headers() {
        if k == axum::http::header::ALLOW {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

/// What the user reads for a refusal of the framework's, by status.
pub fn rejection_text(status: axum::http::StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        404 => ("页面不存在", "您访问的地址不存在，请从菜单进入。"),
        405 => ("请求方式不支持", "该地址不支持这种请求方式，请从页面上的按钮或链接操作。"),
        413 => ("内容过大", "上传的内容超过了允许的大小，请缩小文件后重试。"),
        415 => ("内容类型不支持", "请求的内容类型不受支持：表单请用页面提交，接口请按文档发送 JSON 或文件。"),
        422 => ("内容无效", "提交的内容格式不正确，请检查后重试。"),
        _ => ("请求无效", "地址或参数格式不正确（例如编号应为数字），请检查后重试。"),
    }
}
