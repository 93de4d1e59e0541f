//! Sign-in, sessions and CSRF.
//!
//! The session id lives in an HttpOnly, SameSite=Lax cookie (Secure under TLS); the server keeps
//! the session (store::account) with an idle and an absolute timeout, and a new id is issued at
//! every login. Every state-changing request carries a CSRF token in a form field: the session's
//! token once signed in, and before sign-in a double-submit token bound to a short-lived cookie.

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use rand::Rng;
use serde::Deserialize;
use store::Scope;

pub use crate::caller::{Caller, Surface};
use crate::{error_page, Shared};
use domain::account::Role;

pub const SESSION_COOKIE: &str = "dj_session";
const LOGIN_CSRF_COOKIE: &str = "dj_login_csrf";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

fn random_token() -> String {
    let mut b = [0u8; 24];
    rand::thread_rng().fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Constant-time comparison for tokens.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &Shared) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/login").into_response();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let now = chrono::Utc::now();
        let (session, generations) = match store::account::touch_session_with(&s.store, &token, now, &s.limits).await {
            Ok(Some((sess, g))) if !sess.is_totp_pending => (sess, g),
            Ok(Some(_)) => return Err(Redirect::to("/login/totp").into_response()),
            Ok(None) => return Err(to_login()),
            Err(_) => return Err(busy(Surface::Page)),
        };
        let focus = cookie(&parts.headers, FOCUS_COOKIE).and_then(|v| v.parse().ok());
        let mut caller =
            resolve(s, session.account_id, peer_ip(parts), focus, session.csrf_token.clone(), Surface::Page).await?;
        caller.generations = Some(generations);
        // the top bar's unread count: one indexed count, for page views only (a form's post
        // answers with a redirect and shows no top bar); a failure only hides the count
        if parts.method == axum::http::Method::GET {
            caller.unread = service::message::unread_count(&s.store, &caller).await.unwrap_or(0);
        }
        // a temporary or expired password is changed before anything else
        let path = parts.uri.path();
        if caller.account.account.needs_password_change(&s.policy, now) && !PASSWORD_EXEMPT.contains(&path) {
            return Err(Redirect::to("/account/password").into_response());
        }
        Ok(caller)
    }
}

/// Pages an account whose password must change may still reach.
const PASSWORD_EXEMPT: &[&str] = &["/account/password", "/logout"];

/// The chosen focus of the scope switcher (an organization id); ignored when outside the scope.
pub const FOCUS_COOKIE: &str = "dj_focus";

pub fn busy(surface: Surface) -> Response {
    match surface {
        Surface::Page => error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
        Surface::Api => crate::problem(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "系统繁忙，请稍后再试。"),
    }
}

/// What is resolved about an account for a request, kept for [`CALLER_TTL`] so that a page does
/// not re-read the account, its grants and its roots every time. The session itself (ended,
/// timed out, account disabled) is checked on every request, so disabling an account takes
/// effect at once; a grant change takes effect within the TTL.
#[derive(Clone)]
pub struct Resolved {
    account: store::account::AccountWithGrants,
    grants: Vec<(Role, String)>,
    own_member: Option<(i64, i64)>,
    all_roots: Vec<domain::org::Org>,
    focus: Option<domain::org::Org>,
    union: Vec<String>,
    at: std::time::Instant,
}

/// How long a resolved caller is reused.
pub const CALLER_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Resolved callers by (account, focus).
#[derive(Default)]
pub struct CallerCache(std::sync::Mutex<std::collections::HashMap<(i64, Option<i64>), Resolved>>);

impl CallerCache {
    fn get(&self, key: (i64, Option<i64>)) -> Option<Resolved> {
        let map = self.0.lock().ok()?;
        map.get(&key).filter(|r| r.at.elapsed() < CALLER_TTL).cloned()
    }
    fn put(&self, key: (i64, Option<i64>), r: Resolved) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() > 10_000 {
                map.retain(|_, v| v.at.elapsed() < CALLER_TTL);
            }
            map.insert(key, r);
        }
    }
    /// Forget everything (after a change to accounts or grants made in this process).
    pub fn clear(&self) {
        if let Ok(mut map) = self.0.lock() {
            map.clear();
        }
    }
}

async fn resolve_fresh(s: &Shared, account_id: i64, focus: Option<i64>) -> store::StoreResult<Resolved> {
    let account = store::account::get_account_with_grants(&s.store, account_id).await?;
    let roles = account.roles();
    let mut grants: Vec<(Role, String)> = Vec::new();
    if !account.account.is_disabled {
        for g in &account.grants {
            if g.role.needs_org() && g.org_dissolved_on.is_none() {
                if let Some(p) = &g.org_path {
                    grants.push((g.role, p.clone()));
                }
            }
        }
    }
    let mut own_member = None;
    if let (true, Some(mid), false) =
        (roles.contains(&Role::Member), account.account.member_id, account.account.is_disabled)
    {
        if let Ok(m) = store::member::get(&s.store, &Scope::all(), mid).await {
            if m.status.is_current() {
                grants.push((Role::Member, m.path.clone()));
                own_member = Some((m.id, m.org_id));
            }
        }
    }
    let union_scope =
        if grants.is_empty() { Scope::none() } else { Scope::subtrees(grants.iter().map(|(_, p)| p.clone())) };
    let all_roots = if grants.is_empty() { Vec::new() } else { store::org::roots(&s.store, &union_scope).await? };
    let focus = match focus {
        Some(id) if !grants.is_empty() => store::org::get(&s.store, &union_scope, id).await.ok(),
        _ => None,
    };
    Ok(Resolved {
        account,
        grants,
        own_member,
        all_roots,
        focus,
        union: union_scope.roots().to_vec(),
        at: std::time::Instant::now(),
    })
}

/// The caller of account `account_id`: its grants, the scope of each permission and its roots.
pub async fn resolve(
    s: &Shared,
    account_id: i64,
    ip: String,
    focus: Option<i64>,
    csrf: String,
    surface: Surface,
) -> Result<Caller, Response> {
    crate::error::note_account(account_id);
    let key = (account_id, focus);
    let r = match s.callers.get(key) {
        Some(r) => r,
        None => {
            let r = resolve_fresh(s, account_id, focus).await.map_err(|e| {
                crate::error::log_internal("读取账号与授权失败", &e);
                busy(surface)
            })?;
            s.callers.put(key, r.clone());
            r
        }
    };
    let roles = r.account.roles();
    let role = domain::account::highest(&roles).map_or("无角色", |r| r.label());
    let mut actor = store::Actor::new(r.account.account.username.clone(), role);
    actor.source_ip = Some(ip);
    let mut ctx = service::Ctx {
        account: r.account,
        roles,
        grants: r.grants,
        own_member: r.own_member,
        actor,
        focus: r.focus,
        all_roots: r.all_roots,
        roots: Vec::new(),
        scope: Scope::none(),
        generations: None,
    };
    ctx.scope = ctx.narrow(r.union);
    ctx.roots = match &ctx.focus {
        Some(f) => vec![f.clone()],
        None => ctx.all_roots.clone(),
    };
    let caller = Caller { ctx, csrf, surface, unread: 0 };
    Ok(caller)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    username: String,
    error: Option<String>,
}

fn login_form(s: &Shared, username: String, error: Option<String>, status: StatusCode) -> Response {
    let csrf = random_token();
    let body = LoginPage { csrf: csrf.clone(), username, error }.render().unwrap_or_default();
    let mut res = (status, Html(body)).into_response();
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(1800), s.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn login_page(State(s): State<Shared>) -> Response {
    login_form(&s, String::new(), None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
}

fn peer_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The client's address (from the connection; "unknown" in in-process tests).
pub struct PeerIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PeerIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerIp(peer_ip(parts)))
    }
}

fn with_cookie(mut res: Response, c: String) -> Response {
    if let Ok(v) = c.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn login(
    State(s): State<Shared>,
    PeerIp(ip): PeerIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, &f.csrf) {
        return login_form(&s, f.username, Some("页面已过期，请重新登录。".into()), StatusCode::FORBIDDEN);
    }
    let now = chrono::Utc::now();
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
    let outcome =
        match store::account::verify_login(&s.store, &f.username, &f.password, Some(&ip), now, &s.login_limits).await {
            Ok(o) => o,
            Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
        };
    use store::account::LoginOutcome;
    let (account, pending) = match outcome {
        LoginOutcome::Ok { account, needs_totp, must_enrol_totp } => (account, needs_totp || must_enrol_totp),
        // the same answer whether or not the account exists
        LoginOutcome::Invalid => {
            return login_form(&s, f.username, Some("用户名或密码错误。".into()), StatusCode::UNAUTHORIZED);
        }
        LoginOutcome::Locked { until } => {
            let local = until + chrono::Duration::hours(8);
            let msg = format!("登录失败次数过多，请于 {} 后再试。", local.format("%H:%M"));
            return login_form(&s, f.username, Some(msg), StatusCode::TOO_MANY_REQUESTS);
        }
        LoginOutcome::Disabled => {
            return login_form(&s, f.username, Some("账号已停用，请联系安全管理员。".into()), StatusCode::FORBIDDEN);
        }
    };
    let mut actor = store::Actor::new(account.username.clone(), "登录");
    actor.source_ip = Some(ip.clone());
    let scope = Scope::none().acting_as(actor);
    let new = match store::account::create_session(
        &s.store,
        &scope,
        account.id,
        Some(&ip),
        agent.as_deref(),
        now,
        &s.limits,
        pending,
    )
    .await
    {
        Ok(n) => n,
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
    };
    let next = if pending { "/login/totp" } else { "/" };
    let res =
        with_cookie(Redirect::to(next).into_response(), set_cookie(SESSION_COOKIE, &new.token, None, s.secure_cookies));
    with_cookie(res, set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), s.secure_cookies))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(State(s): State<Shared>, caller: Caller, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    if !same(&caller.csrf, &f.csrf) {
        return error_page(StatusCode::FORBIDDEN, "请求无效", "页面已过期，请返回后重试。");
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let _ = store::account::end_session(&s.store, &caller.scope, &token).await;
    }
    with_cookie(Redirect::to("/login").into_response(), set_cookie(SESSION_COOKIE, "", Some(0), s.secure_cookies))
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    csrf: String,
    error: Option<String>,
    /// Enrolling: the secret in groups of four, the otpauth URI and its QR code (SVG).
    enrol: Option<(String, String)>,
    qr: String,
    codes: Vec<String>,
}

impl TotpPage {
    fn new(csrf: &str, error: Option<String>, enrol: Option<(String, String)>, codes: Vec<String>) -> TotpPage {
        let qr = enrol.as_ref().map(|(_, uri)| crate::qr::svg(uri)).unwrap_or_default();
        let enrol = enrol.map(|(secret, uri)| (grouped(&secret), uri));
        TotpPage { csrf: csrf.to_string(), error, enrol, qr, codes }
    }
}

/// A secret in groups of four, as authenticator apps show it.
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// The enrolment of `account_id` waiting for its first code: the same key until it is confirmed,
/// so a reload or a mistyped code does not change what the phone was given.
async fn pending_enrolment(s: &Shared, account_id: i64) -> Option<(String, String)> {
    store::account::pending_totp_enrolment(&s.store, account_id)
        .await
        .ok()
        .flatten()
        .map(|e| (e.secret_base32.clone(), e.uri.clone()))
}

/// The pending (password-only) session behind the cookie, if any.
async fn pending(s: &Shared, headers: &HeaderMap) -> Option<(String, store::account::Session)> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let sess = store::account::touch_session(&s.store, &token, chrono::Utc::now(), &s.limits).await.ok()??;
    sess.is_totp_pending.then_some((token, sess))
}

/// The second factor: a TOTP code or a recovery code; an account whose roles require it and that
/// has none enrols first (secret shown once, confirmed with a code, recovery codes shown once).
pub async fn totp_page(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let Some((_, sess)) = pending(&s, &headers).await else { return Redirect::to("/login").into_response() };
    let acc = match store::account::get_account_with_grants(&s.store, sess.account_id).await {
        Ok(a) => a,
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
    };
    let enrol = if acc.account.has_totp {
        None
    } else if let Some(pending) = pending_enrolment(&s, acc.account.id).await {
        Some(pending)
    } else {
        let scope = Scope::none().acting_as(store::Actor::new(acc.account.username.clone(), "登录"));
        match store::account::begin_totp_enrolment(&s.store, &scope, acc.account.id).await {
            Ok(e) => Some((e.secret_base32.clone(), e.uri.clone())),
            Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
        }
    };
    let body = TotpPage::new(&sess.csrf_token, None, enrol, vec![]).render().unwrap_or_default();
    Html(body).into_response()
}

#[derive(Deserialize)]
pub struct TotpForm {
    csrf: String,
    code: String,
}

pub async fn totp(State(s): State<Shared>, headers: HeaderMap, Form(f): Form<TotpForm>) -> Response {
    let Some((token, sess)) = pending(&s, &headers).await else { return Redirect::to("/login").into_response() };
    if !same(&sess.csrf_token, &f.csrf) {
        return error_page(StatusCode::FORBIDDEN, "请求无效", "页面已过期，请重新登录。");
    }
    let acc = match store::account::get_account_with_grants(&s.store, sess.account_id).await {
        Ok(a) => a,
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
    };
    let mut actor = store::Actor::new(acc.account.username.clone(), "登录");
    actor.source_ip = sess.ip.clone();
    let scope = Scope::none().acting_as(actor);
    let now = chrono::Utc::now();
    let code = f.code.trim().to_string();
    let mut codes = vec![];
    if acc.account.has_totp {
        use store::account::SecondFactorOutcome;
        match store::account::verify_totp_or_recovery(&s.store, &scope, acc.account.id, &code, now, &s.login_limits)
            .await
        {
            Ok(SecondFactorOutcome::Ok { .. }) => {}
            Ok(SecondFactorOutcome::Invalid) => {
                return totp_error(&sess, "动态口令不正确，请重新输入。", None, StatusCode::UNAUTHORIZED)
            }
            Ok(SecondFactorOutcome::Locked { .. }) => {
                return totp_error(&sess, "失败次数过多，请稍后再试。", None, StatusCode::TOO_MANY_REQUESTS)
            }
            Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
        }
    } else {
        match store::account::confirm_totp(&s.store, &scope, acc.account.id, &code, now).await {
            Ok(c) => codes = c,
            Err(e @ (store::StoreError::Refused(_) | store::StoreError::Invalid(_))) => {
                // the key stays on the page: a mistyped code must not hide what the phone needs
                let enrol = pending_enrolment(&s, acc.account.id).await;
                return totp_error(&sess, &e.to_string(), enrol, StatusCode::UNAUTHORIZED);
            }
            Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
        }
    }
    let new = match store::account::promote_session(&s.store, &scope, &token, now, &s.limits).await {
        Ok(Some(n)) => n,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "系统繁忙", "请稍后再试。"),
    };
    let res = if codes.is_empty() {
        Redirect::to("/").into_response()
    } else {
        let body = TotpPage::new(&new.csrf_token, None, None, codes).render().unwrap_or_default();
        Html(body).into_response()
    };
    with_cookie(res, set_cookie(SESSION_COOKIE, &new.token, None, s.secure_cookies))
}

fn totp_error(
    sess: &store::account::Session,
    msg: &str,
    enrol: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    let body = TotpPage::new(&sess.csrf_token, Some(msg.to_string()), enrol, vec![]).render().unwrap_or_default();
    (status, Html(body)).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ScopeForm {
    csrf: String,
    /// The organization to focus on; empty for the whole scope.
    org: String,
    /// Where to go back to (a local path).
    back: String,
}

/// `back` when it is a path on this site, else `None`. Browsers read a backslash as a slash, so
/// `/\evil.example` is another site just as `//evil.example` is: both are refused, as is a path
/// with a control character or a backslash anywhere.
pub fn same_site_path(back: &str) -> Option<&str> {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(|c| c.is_control());
    ok.then_some(back)
}

/// The scope switcher: narrow every view to one organization of the caller's scope (kept in a
/// cookie and checked against the scope on every request), or widen it again.
pub async fn switch_scope(State(s): State<Shared>, caller: Caller, Form(f): Form<ScopeForm>) -> Response {
    if let Err(r) = caller.check_csrf(&f.csrf) {
        return r;
    }
    let back = same_site_path(&f.back).unwrap_or("/");
    let org = f.org.trim();
    if org.is_empty() {
        return with_cookie(
            Redirect::to(back).into_response(),
            set_cookie(FOCUS_COOKIE, "", Some(0), s.secure_cookies),
        );
    }
    let Ok(id) = org.parse::<i64>() else { return caller.not_found() };
    let union = Scope::subtrees(caller.grants.iter().map(|(_, p)| p.clone()));
    match store::org::get(&s.store, &union, id).await {
        Ok(o) => with_cookie(
            Redirect::to(back).into_response(),
            set_cookie(FOCUS_COOKIE, &o.id.to_string(), None, s.secure_cookies),
        ),
        Err(e) => caller.fail(e),
    }
}

#[cfg(test)]
mod same_site_tests {
    use super::same_site_path;

    #[test]
    fn only_paths_of_this_site_are_followed_back() {
        for ok in ["/", "/members?org=3", "/life/records/7#top"] {
            assert_eq!(same_site_path(ok), Some(ok));
        }
        for bad in ["//evil.example", "/\\evil.example", "\\/evil.example", "https://evil.example", "evil", "", "/a\nb"]
        {
            assert_eq!(same_site_path(bad), None, "{bad:?}");
        }
    }
}
