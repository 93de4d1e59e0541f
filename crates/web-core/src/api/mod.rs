//! `/api/v1`: JSON for orgs, members, import, export, statistics and findings, with bearer API
//! tokens scoped like their user, problem+json errors with a Chinese `detail`, and an OpenAPI
//! document generated from the code at `/api/v1/openapi.json`.
//!
//! * **Authentication**: `Authorization: Bearer dj_…` only ([`ApiCaller`]). The API never reads
//!   the session cookie, so a browser cannot be tricked into calling it with the user's
//!   credentials: there is nothing for a cross-site request to ride on, and no CSRF token is
//!   needed. A token acts as its account with exactly the scope and permissions the account has
//!   on the pages (the same [`crate::auth::resolve`]), re-read on every request, so a revoked
//!   grant or token takes effect at once.
//! * **Access**: the caller is checked before anything else is looked at. A role without the
//!   permission gets 403, a record outside the caller's scope 404 (the same answer as a missing
//!   one). Request bodies are taken as raw bytes and parsed only after the access check and the
//!   scoped read, so a malformed body never reveals anything to a caller who may not write.
//! * **Errors** are RFC 9457 `application/problem+json` with a Chinese `detail`; validation
//!   problems (422) carry `errors: [{field, message}]` with the field's Chinese label.
//! * **Personal data**: ID numbers and phones are masked unless the request says `unmask=true`
//!   and the caller holds 查看个人敏感信息 where the record lives; each unmasked read is written to
//!   the audit trail (without the values) before the data leaves.

// handlers answer early with a finished `Response`, as the pages do
#![allow(clippy::result_large_err)]

pub mod doc;
pub mod input;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Perm;
use crate::caller::{Caller, Surface};
use crate::Shared;

/// Largest import file accepted (the whole body is held in memory, then written to a temporary
/// file for the import engine).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The caller

/// The caller of an API request, authenticated by its bearer token.
///
/// * No, malformed, unknown or revoked token, or a disabled account: 401 problem+json with
///   `WWW-Authenticate: Bearer`.
/// * The account's password was set by an administrator (a temporary password after creation or a
///   reset): 403 until its owner signs in on the web and chooses one. A reset is the moment an
///   administrator takes the credentials back, so the tokens wait for the owner too. A password
///   that has merely **expired by age** does not stop the API: the token is a credential of its
///   own (shown once, revocable, its last use recorded), and machine integrations should not stop
///   every password period.
///
/// A token is made in a signed-in session that passed the second factor where the role needs one;
/// requests made with it do not ask again.
///
/// The audit trail records writes made through a token with the token's number beside the role
/// (`党组织管理员（API 令牌 #3）`).
pub struct ApiCaller(pub Caller);

impl std::ops::Deref for ApiCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

/// 401 with the challenge RFC 6750 asks for.
pub fn unauthorized(token_given: bool) -> Response {
    let detail = if token_given {
        "API 令牌无效、已被撤销，或所属账号已停用。请在“账号安全”中重新创建令牌。"
    } else {
        "缺少 API 令牌：请在请求头中提供 Authorization: Bearer dj_…（令牌可在“账号安全”中创建）。"
    };
    let mut res = crate::problem(StatusCode::UNAUTHORIZED, "未认证", detail);
    let challenge =
        if token_given { "Bearer realm=\"dangjian\", error=\"invalid_token\"" } else { "Bearer realm=\"dangjian\"" };
    res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    res
}

/// The token of an `Authorization: Bearer …` header (the scheme is case-insensitive).
pub fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<Shared> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &Shared) -> Result<Self, Self::Rejection> {
        let given = parts.headers.contains_key(header::AUTHORIZATION);
        let Some(token) = bearer(parts) else { return Err(unauthorized(given)) };
        let now = chrono::Utc::now();
        let (t, account) = match store::account::resolve_api_token(&s.store, token, now).await {
            Ok(Some(found)) => found,
            Ok(None) => return Err(unauthorized(true)),
            Err(_) => return Err(crate::auth::busy(Surface::Api)),
        };
        if account.must_change_password {
            return Err(crate::problem(
                StatusCode::FORBIDDEN,
                "需要修改密码",
                "账号的密码由管理员设置或重置，须由本人登录网页修改密码后，API 令牌才能使用。",
            ));
        }
        let crate::auth::PeerIp(ip) = match crate::auth::PeerIp::from_request_parts(parts, s).await {
            Ok(ip) => ip,
            Err(never) => match never {},
        };
        let mut caller = crate::auth::resolve(s, account.id, ip, None, String::new(), Surface::Api).await?;
        caller.actor.role = format!("{}（API 令牌 #{}）", caller.actor.role, t.id);
        // the union scope was made with the actor before the note: make it again
        caller.scope = caller.narrow(caller.scope.roots().to_vec());
        Ok(ApiCaller(caller))
    }
}

impl ApiCaller {
    /// The scope in which the caller holds every one of `perms` through one grant (for an import,
    /// which needs 导入导出 and the right to write what the file holds).
    pub fn scope_for_all(&self, perms: &[Perm]) -> store::Scope {
        self.0.ctx.scope_for_all(perms)
    }

    /// The top organization a request without `org` works on: the caller's only top organization
    /// for `perm`; with several, the caller must say which (422).
    pub fn default_org(&self, perm: Perm) -> Result<store::Visible<domain::org::Org>, Response> {
        let mut roots = self.roots_for(perm);
        match roots.len() {
            0 => Err(self.not_found()),
            1 => store::Visible::within(&self.scope_for(perm), roots.remove(0)).ok_or_else(|| self.not_found()),
            _ => {
                let names: Vec<String> = roots.iter().map(|o| format!("{}（{}）", o.name, o.id)).collect();
                Err(invalid(vec![ApiFieldError::new(
                    "org",
                    format!("您管理多个党组织，请用 org 参数指明：{}", names.join("、")),
                )]))
            }
        }
    }

    /// A store error as the API answers it ([`Caller::fail`], with an API's wording for 404).
    pub fn fail(&self, e: impl Into<service::ServiceError>) -> Response {
        match e.into() {
            service::ServiceError::NotFound(_) => {
                crate::problem(StatusCode::NOT_FOUND, "不存在", "请求的记录不存在，或不在您的管理范围内。")
            }
            e => self.0.fail(e),
        }
    }

    /// 404: missing or outside the scope (the same answer).
    pub fn not_found(&self) -> Response {
        self.fail(store::StoreError::NotFound("记录"))
    }

    /// A store error as the API answers it: invalid input is 422 with its fields.
    pub fn store_fail(&self, e: impl Into<service::ServiceError>) -> Response {
        self.service_fail(e.into())
    }

    /// A use case's error, with invalid input as 422 listing each field.
    pub fn service_fail(&self, e: service::ServiceError) -> Response {
        match e {
            service::ServiceError::Invalid(fe) => {
                invalid(fe.0.iter().map(|e| ApiFieldError::new(e.field, &e.message)).collect())
            }
            e => self.fail(e),
        }
    }

    /// Write an unmasked read to the audit trail (without the values) before the data leaves;
    /// when the record cannot be written, neither is the data.
    pub async fn audit_personal(
        &self,
        s: &Shared,
        _scope: &store::Scope,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), Response> {
        service::personal::record_read(&s.store, self, action, target, detail).await.map_err(|e| self.fail(e))
    }

    /// May the caller see personal data unmasked at `path`, having asked for it? Asking without
    /// the permission there is 403.
    pub fn unmask_at(&self, asked: bool, path: &str) -> Result<bool, Response> {
        service::personal::unmask(self, asked, path, service::personal::WhenDenied::Refuse).map_err(|e| self.fail(e))
    }
}

// ---------------------------------------------------------------------------------------------
// Query strings

/// The query string as (key, value) pairs, the last one winning. Never fails, so a malformed
/// query cannot answer before the access check; handlers parse the values themselves.
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let pairs = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();
        Ok(Params(pairs))
    }
}

impl Params {
    /// The trimmed value of `key`; empty when absent.
    pub fn get(&self, key: &str) -> &str {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim()).unwrap_or("")
    }

    /// An optional id parameter.
    pub fn id(&self, key: &'static str, errs: &mut Vec<ApiFieldError>) -> Option<i64> {
        let v = self.get(key);
        if v.is_empty() {
            return None;
        }
        match v.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errs.push(ApiFieldError::new(key, format!("“{v}”不是有效的编号，应为正整数")));
                None
            }
        }
    }

    /// A yes/no switch (`true`/`false`, `1`/`0`, `yes`/`no`); `default` when absent.
    pub fn flag(&self, key: &'static str, default: bool, errs: &mut Vec<ApiFieldError>) -> bool {
        match self.get(key).to_ascii_lowercase().as_str() {
            "" => default,
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            v => {
                errs.push(ApiFieldError::new(key, format!("“{v}”无效，应为 true 或 false")));
                default
            }
        }
    }

    /// `page` (from 1) and `per_page` (1 to [`MAX_PER_PAGE`], default [`DEFAULT_PER_PAGE`]).
    pub fn paging(&self, errs: &mut Vec<ApiFieldError>) -> (i64, i64) {
        let num = |key: &'static str, default: i64, max: i64, errs: &mut Vec<ApiFieldError>| {
            let v = self.get(key);
            if v.is_empty() {
                return default;
            }
            match v.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    errs.push(ApiFieldError::new(key, format!("“{v}”无效，应为 1 到 {max} 之间的整数")));
                    default
                }
            }
        };
        (num("page", 1, 1_000_000, errs), num("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, errs))
    }
}

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 200;

/// The items of one page of a list kept in memory.
pub fn page_of<T>(items: Vec<T>, page: i64, per_page: i64) -> Vec<T> {
    let start = ((page - 1) * per_page) as usize;
    items.into_iter().skip(start).take(per_page as usize).collect()
}

// ---------------------------------------------------------------------------------------------
// Errors

/// An error as RFC 9457 problem details (`application/problem+json`).
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[schema(example = "about:blank")]
    pub r#type: String,
    /// A short Chinese title.
    #[schema(example = "无权访问")]
    pub title: String,
    /// The HTTP status.
    #[schema(example = 403)]
    pub status: u16,
    /// What happened and what to do about it, in Chinese.
    #[schema(example = "您的角色没有“维护党组织”权限。如需办理，请联系安全管理员授权。")]
    pub detail: String,
    /// The request's id (also in the `X-Request-Id` header), to quote when reporting a problem.
    #[schema(example = "3f9a2c1d-1b")]
    pub request_id: Option<String>,
}

/// A 422 answer: problem details with every problem of the request, each naming its field.
#[derive(Serialize, ToSchema)]
pub struct ValidationProblem {
    #[schema(example = "about:blank")]
    pub r#type: String,
    #[schema(example = "填写有误")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    /// All problems joined in one sentence.
    #[schema(example = "姓名：不能为空；入党日期：不能为空")]
    pub detail: String,
    pub errors: Vec<ApiFieldError>,
    /// The request's id (also in the `X-Request-Id` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One problem with one field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiFieldError {
    /// The field's Chinese label (`公民身份号码`), or the parameter's name for query parameters
    /// and unknown fields.
    #[schema(example = "公民身份号码")]
    pub field: String,
    #[schema(example = "校验码不正确")]
    pub message: String,
}

impl ApiFieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiFieldError { field: field.into(), message: message.into() }
    }
}

/// 422 problem+json listing every problem.
pub fn invalid(errors: Vec<ApiFieldError>) -> Response {
    let detail = errors.iter().map(|e| format!("{}：{}", e.field, e.message)).collect::<Vec<_>>().join("；");
    let body = ValidationProblem {
        r#type: "about:blank".into(),
        title: "填写有误".into(),
        status: 422,
        detail,
        errors,
        request_id: crate::error::request_id(),
    };
    let text = serde_json::to_string(&body).unwrap_or_default();
    (StatusCode::UNPROCESSABLE_ENTITY, [(header::CONTENT_TYPE, "application/problem+json")], text).into_response()
}

/// 200 with a JSON body.
pub fn json<T: Serialize>(status: StatusCode, v: &T) -> Response {
    match serde_json::to_string(v) {
        Ok(text) => (status, [(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(_) => crate::problem(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "生成响应时出错，请稍后再试。"),
    }
}

/// Fail with 422 when query parameters were bad.
pub fn check(errs: Vec<ApiFieldError>) -> Result<(), Response> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(invalid(errs))
    }
}

/// Ask for personal data unmasked.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct UnmaskParams {
    /// Show ID numbers and phones in full. Needs 查看个人敏感信息 where the record lives (403
    /// otherwise); each such read is recorded in the audit trail, without the values.
    unmask: Option<bool>,
}
