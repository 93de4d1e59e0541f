//! 账号安全: the signed-in user's own password, second factor, recovery codes, sessions and API
//! tokens. Every signed-in user reaches these pages (no permission needed: they are about the
//! caller's own account only); every change is audited by the store function that makes it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use chrono::{DateTime, Duration, Utc};
use domain::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use store::account::ApiToken;

use super::render;
use web_core::routes::{Routes, Target};
use web_core::tri;
use web_core::{Caller, Crumb, Nav, Shared};

// ---------------------------------------------------------------------------------------------
// Helpers shared by the security and administration pages

/// Field problems to show beside their fields: (field label, message).
#[derive(Default)]
pub(crate) struct Errs(pub Vec<(&'static str, String)>);

impl Errs {
    pub fn push(&mut self, field: &'static str, msg: impl Into<String>) {
        self.0.push((field, msg.into()));
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| *f == field)
    }
    /// The messages for one field, each naming it ("新密码：至少需要 8 个字符").
    pub fn list(&self, field: &str) -> Vec<String> {
        self.0.iter().filter(|(f, _)| *f == field).map(|(f, m)| format!("{f}：{m}")).collect()
    }
    /// Problems with none of these fields (shown above the form).
    pub fn others(&self, fields: &[&str]) -> Vec<String> {
        self.0.iter().filter(|(f, _)| !fields.contains(f)).map(|(f, m)| format!("{f}：{m}")).collect()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<FieldErrors> for Errs {
    fn from(e: FieldErrors) -> Self {
        Errs(e.0.into_iter().map(|e| (e.field, e.message)).collect())
    }
}

/// A time as users read it: China time (UTC+8), to the minute.
pub(crate) fn china(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

/// A user agent shortened for a table cell.
pub(crate) fn short_agent(ua: Option<&str>) -> String {
    let Some(ua) = ua else { return "未知".into() };
    let device =
        if ua.contains("Mobile") || ua.contains("Android") || ua.contains("iPhone") { "手机" } else { "电脑" };
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/", "curl/"]
        .iter()
        .find(|b| ua.contains(*b))
        .map(|b| b.trim_end_matches('/'))
        .unwrap_or("浏览器");
    let browser = if browser == "Edg" { "Edge" } else { browser };
    format!("{device} · {browser}")
}

/// Is this form field a "yes" (a ticked confirmation checkbox)?
pub(crate) fn confirmed(v: &str) -> bool {
    v == "yes"
}

/// The session cookie for a new session (same attributes as at sign-in).
fn session_cookie(token: &str, secure: bool) -> String {
    let mut c = format!("{}={token}; Path=/; HttpOnly; SameSite=Lax", web_core::auth::SESSION_COOKIE);
    if secure {
        c.push_str("; Secure");
    }
    c
}

fn with_status(status: StatusCode, r: Response) -> Response {
    let mut r = r;
    *r.status_mut() = status;
    r
}

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/account", Target::None, get(page))
        .add("GET,POST", "/account/password", Target::None, get(password_page).post(password_change))
        .add("GET,POST", "/account/totp", Target::None, get(totp_page).post(totp_post))
        .add("POST", "/account/recovery", Target::None, post(recovery))
        .add("POST", "/account/tokens", Target::None, post(token_create))
        .add("POST", "/account/tokens/{id}/revoke", Target::Token, post(token_revoke))
        .add("POST", "/account/sessions/end-others", Target::None, post(end_others))
}

// ---------------------------------------------------------------------------------------------
// 账号安全

pub struct SessionRow {
    started: String,
    last_seen: String,
    ip: String,
    agent: String,
    agent_full: String,
    current: bool,
}

pub struct TokenRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) created: String,
    pub(crate) last_used: String,
    pub(crate) revoked: Option<String>,
}

impl From<&ApiToken> for TokenRow {
    fn from(t: &ApiToken) -> Self {
        TokenRow {
            id: t.id,
            name: t.name.clone(),
            created: china(t.created_at),
            last_used: t.last_used_at.map(china).unwrap_or_else(|| "从未使用".into()),
            revoked: t.revoked_at.map(china),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountPage {
    nav: Nav,
    notice: Option<&'static str>,
    problem: Option<String>,
    username: String,
    display_name: String,
    roles_text: String,
    policy_text: String,
    changed: String,
    age_days: i64,
    /// When the password expires under the policy, and how many days are left.
    expiry: Option<(String, i64)>,
    temporary: bool,
    has_totp: bool,
    totp_required: bool,
    recovery_left: i64,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    token_name: String,
    errs: Errs,
    /// A token just created: (name, token), shown this once.
    new_token: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OkQuery {
    ok: String,
}

fn notice_text(ok: &str) -> Option<&'static str> {
    Some(match ok {
        "password" => "密码已修改。其他设备上的登录已全部退出。",
        "totp_on" => "两步验证已启用。",
        "totp_off" => "两步验证已关闭。",
        "token_revoked" => "API 令牌已撤销，使用它的程序将无法再访问。",
        "ended" => "其他设备上的登录已全部退出。",
        _ => return None,
    })
}

/// What a request adds to the account page.
#[derive(Default)]
struct Extra {
    notice: Option<&'static str>,
    problem: Option<String>,
    token_name: String,
    errs: Errs,
    new_token: Option<(String, String)>,
}

/// The account page, with what the request adds.
async fn account_page(s: &Shared, caller: &Caller, headers: &HeaderMap, x: Extra) -> Response {
    let a = &caller.account.account;
    let now = Utc::now();
    let security = match service::account::own_security(&s.store, caller, now, &s.limits).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let (sessions, tokens, recovery_left) = (security.sessions, security.tokens, security.recovery_left);
    let current = web_core::auth::cookie(headers, web_core::auth::SESSION_COOKIE)
        .map(|t| service::account::session_reference(&t));
    let sessions = sessions
        .iter()
        .map(|x| SessionRow {
            started: china(x.created_at),
            last_seen: china(x.last_seen_at),
            ip: x.ip.clone().unwrap_or_else(|| "未知".into()),
            agent: short_agent(x.user_agent.as_deref()),
            agent_full: x.user_agent.clone().unwrap_or_default(),
            current: current.as_deref() == Some(x.reference.as_str()),
        })
        .collect();
    let expiry = s.policy.expiry_days().map(|d| {
        let at = a.password_changed_at + Duration::days(i64::from(d));
        (china(at)[..10].to_string(), (at - now).num_days())
    });
    let page = AccountPage {
        nav: caller.nav("account").crumbs(vec![Crumb::new("", "账号安全")]),
        notice: x.notice,
        problem: x.problem,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        roles_text: if caller.account.grants.is_empty() { "无".into() } else { caller.account.roles_text() },
        policy_text: s.policy.describe(),
        changed: china(a.password_changed_at),
        age_days: (now - a.password_changed_at).num_days(),
        expiry,
        temporary: a.must_change_password,
        has_totp: a.has_totp,
        totp_required: caller.account.requires_totp(),
        recovery_left,
        sessions,
        tokens: tokens.iter().map(TokenRow::from).collect(),
        token_name: x.token_name,
        errs: x.errs,
        new_token: x.new_token,
    };
    render(&page)
}

pub async fn page(State(s): State<Shared>, caller: Caller, headers: HeaderMap, Query(q): Query<OkQuery>) -> Response {
    account_page(&s, &caller, &headers, Extra { notice: notice_text(&q.ok), ..Default::default() }).await
}

// ---------------------------------------------------------------------------------------------
// Password

#[derive(Template)]
#[template(path = "admin/account_password.html")]
struct PasswordPage {
    nav: Nav,
    /// Why the change is required before anything else, if it is.
    reason: Option<String>,
    policy_text: String,
    errs: Errs,
}

fn forced_reason(s: &Shared, caller: &Caller) -> Option<String> {
    let a = &caller.account.account;
    if a.must_change_password {
        Some("您正在使用管理员设置的临时密码。为了账号安全，请先设置您自己的新密码，然后才能使用其他功能。".into())
    } else if s.policy.is_expired(a.password_changed_at, Utc::now()) {
        let days = s.policy.expiry_days().unwrap_or(0);
        Some(format!(
            "您的密码已使用超过 {days} 天（上次修改于 {}），按等级保护要求须定期更换。请先设置新密码，然后才能使用其他功能。",
            china(a.password_changed_at)
        ))
    } else {
        None
    }
}

fn password_form(s: &Shared, caller: &Caller, errs: Errs) -> Response {
    let status = if errs.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = PasswordPage {
        nav: caller.nav("account").crumbs(vec![Crumb::new("/account", "账号安全"), Crumb::new("", "修改密码")]),
        reason: forced_reason(s, caller),
        policy_text: s.policy.describe(),
        errs,
    };
    with_status(status, render(&page))
}

pub async fn password_page(State(s): State<Shared>, caller: Caller) -> Response {
    password_form(&s, &caller, Errs::default())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    repeat: String,
}

/// Change the caller's password. The store ends every session of the account; the caller gets a
/// new one at once (a new session id after a privilege-relevant change), so only this browser
/// stays signed in.
pub async fn password_change(
    State(s): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    tri!(caller.check_csrf(&f.csrf));
    let a = &caller.account.account;
    let mut errs = Errs::default();
    if f.current.is_empty() {
        errs.push("当前密码", "请输入当前密码");
    }
    if f.new.is_empty() {
        errs.push("新密码", "请输入新密码");
    } else if let Err(problems) = s.policy.check(&f.new, &a.username) {
        for p in problems {
            errs.push("新密码", p);
        }
    }
    if f.repeat != f.new {
        errs.push("确认新密码", "两次输入的新密码不一致");
    }
    if !errs.is_empty() {
        return password_form(&s, &caller, errs);
    }
    let forced = forced_reason(&s, &caller).is_some();
    match service::account::change_own_password(&s.store, &caller, &f.current, &f.new, &s.policy).await {
        Ok(()) => {}
        Err(ServiceError::Invalid(e)) => return password_form(&s, &caller, e.into()),
        Err(e) => return caller.fail(e),
    }
    let ip = caller.actor.source_ip.clone();
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let new =
        match service::account::new_own_session(&s.store, &caller, ip.as_deref(), agent, Utc::now(), &s.limits).await {
            Ok(n) => n,
            // the password is changed; signing in again is all that is left
            Err(_) => return Redirect::to("/login").into_response(),
        };
    let to = if forced { "/" } else { "/account?ok=password" };
    let mut res = Redirect::to(to).into_response();
    if let Ok(v) = session_cookie(&new.token, s.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

// ---------------------------------------------------------------------------------------------
// Second factor

#[derive(Template)]
#[template(path = "admin/account_totp.html")]
struct TotpPage {
    nav: Nav,
    has_totp: bool,
    required: bool,
    recovery_left: i64,
    /// An enrolment in progress: (secret, otpauth URI), and the URI as a QR code (SVG).
    enrol: Option<(String, String)>,
    qr: String,
    /// Recovery codes just issued, shown this once.
    codes: Vec<String>,
    problem: Option<String>,
    errs: Errs,
}

async fn totp_view(
    s: &Shared,
    caller: &Caller,
    status: StatusCode,
    enrol: Option<(String, String)>,
    codes: Vec<String>,
    problem: Option<String>,
    errs: Errs,
) -> Response {
    // re-read: the page may follow a change made in this request
    let security = match service::account::own_security(&s.store, caller, Utc::now(), &s.limits).await {
        Ok(a) => a,
        Err(e) => return caller.fail(e),
    };
    let (account, recovery_left) = (security.account, security.recovery_left);
    let qr = enrol.as_ref().map(|(_, uri)| web_core::qr::svg(uri)).unwrap_or_default();
    // the secret in groups of four, as authenticator apps show it
    let enrol = enrol.map(|(secret, uri)| {
        let groups: Vec<String> =
            secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        (groups.join(" "), uri)
    });
    let page = TotpPage {
        nav: caller.nav("account").crumbs(vec![Crumb::new("/account", "账号安全"), Crumb::new("", "两步验证")]),
        has_totp: account.account.has_totp,
        required: account.requires_totp(),
        recovery_left,
        enrol,
        qr,
        codes,
        problem,
        errs,
    };
    with_status(status, render(&page))
}

pub async fn totp_page(State(s): State<Shared>, caller: Caller) -> Response {
    totp_view(&s, &caller, StatusCode::OK, None, vec![], None, Errs::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TotpForm {
    csrf: String,
    /// `begin`, `confirm` or `disable`.
    action: String,
    code: String,
    password: String,
    confirm: String,
}

pub async fn totp_post(State(s): State<Shared>, caller: Caller, Form(f): Form<TotpForm>) -> Response {
    tri!(caller.check_csrf(&f.csrf));
    let un = StatusCode::UNPROCESSABLE_ENTITY;
    match f.action.as_str() {
        // the key waiting for its first code stays until confirmed: a reload shows the same one
        "begin" => match service::account::begin_own_totp(&s.store, &caller).await {
            Ok(e) => {
                totp_view(
                    &s,
                    &caller,
                    StatusCode::OK,
                    Some((e.secret_base32.clone(), e.uri.clone())),
                    vec![],
                    None,
                    Errs::default(),
                )
                .await
            }
            Err(ServiceError::Refused(m)) => {
                totp_view(&s, &caller, StatusCode::CONFLICT, None, vec![], Some(m), Errs::default()).await
            }
            Err(e) => caller.fail(e),
        },
        "confirm" => {
            let pending = || async {
                service::account::pending_own_totp(&s.store, &caller)
                    .await
                    .ok()
                    .flatten()
                    .map(|e| (e.secret_base32.clone(), e.uri.clone()))
            };
            let code: String = f.code.chars().filter(|c| !c.is_whitespace()).collect();
            if code.is_empty() {
                let mut errs = Errs::default();
                errs.push("验证码", "请输入验证器显示的 6 位数字");
                return totp_view(&s, &caller, un, pending().await, vec![], None, errs).await;
            }
            match service::account::confirm_own_totp(&s.store, &caller, &code, Utc::now()).await {
                Ok(codes) => totp_view(&s, &caller, StatusCode::OK, None, codes, None, Errs::default()).await,
                Err(ServiceError::Invalid(e)) => {
                    totp_view(&s, &caller, un, pending().await, vec![], None, e.into()).await
                }
                Err(ServiceError::Refused(m)) => {
                    totp_view(&s, &caller, StatusCode::CONFLICT, None, vec![], Some(m), Errs::default()).await
                }
                Err(e) => caller.fail(e),
            }
        }
        "disable" => {
            let mut errs = Errs::default();
            if f.password.is_empty() {
                errs.push("当前密码", "请输入当前密码以确认是您本人操作");
            }
            if !confirmed(&f.confirm) {
                errs.push("确认关闭", "请勾选确认关闭两步验证");
            }
            if !errs.is_empty() {
                return totp_view(&s, &caller, un, None, vec![], None, errs).await;
            }
            match service::account::disable_own_totp(&s.store, &caller, &f.password).await {
                Ok(()) => Redirect::to("/account?ok=totp_off").into_response(),
                Err(ServiceError::Invalid(e)) => totp_view(&s, &caller, un, None, vec![], None, e.into()).await,
                Err(ServiceError::Refused(m)) => {
                    totp_view(&s, &caller, StatusCode::CONFLICT, None, vec![], Some(m), Errs::default()).await
                }
                Err(e) => caller.fail(e),
            }
        }
        _ => totp_view(&s, &caller, un, None, vec![], Some("请选择要进行的操作。".into()), Errs::default()).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    csrf: String,
    confirm: String,
}

/// New recovery codes (the old ones stop working), shown once.
pub async fn recovery(State(s): State<Shared>, caller: Caller, Form(f): Form<ConfirmForm>) -> Response {
    tri!(caller.check_csrf(&f.csrf));
    let un = StatusCode::UNPROCESSABLE_ENTITY;
    if !confirmed(&f.confirm) {
        let mut errs = Errs::default();
        errs.push("确认", "请勾选确认：重新生成后，原有的恢复码全部作废");
        return totp_view(&s, &caller, un, None, vec![], None, errs).await;
    }
    match service::account::regenerate_own_recovery_codes(&s.store, &caller).await {
        Ok(codes) => totp_view(&s, &caller, StatusCode::OK, None, codes, None, Errs::default()).await,
        Err(ServiceError::Refused(m)) => {
            totp_view(&s, &caller, StatusCode::CONFLICT, None, vec![], Some(m), Errs::default()).await
        }
        Err(e) => caller.fail(e),
    }
}

// ---------------------------------------------------------------------------------------------
// API tokens and sessions

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

/// Create an API token acting as the caller (the API resolves it to the caller's scope); the
/// token is shown once.
pub async fn token_create(
    State(s): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Response {
    tri!(caller.check_csrf(&f.csrf));
    match service::account::create_own_token(&s.store, &caller, &f.name, Utc::now()).await {
        Ok((t, token)) => {
            account_page(&s, &caller, &headers, Extra { new_token: Some((t.name, token)), ..Default::default() }).await
        }
        Err(ServiceError::Invalid(e)) => with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            account_page(&s, &caller, &headers, Extra { token_name: f.name, errs: e.into(), ..Default::default() })
                .await,
        ),
        Err(ServiceError::Refused(m)) => with_status(
            StatusCode::CONFLICT,
            account_page(&s, &caller, &headers, Extra { problem: Some(m), token_name: f.name, ..Default::default() })
                .await,
        ),
        Err(e) => caller.fail(e),
    }
}

/// Revoke one of the caller's own tokens; anyone else's token id answers 404.
pub async fn token_revoke(
    State(s): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    Path(token_id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    let own = match service::account::own_tokens(&s.store, &caller).await {
        Ok(v) => v.into_iter().find(|t| t.id == token_id),
        Err(e) => return caller.fail(e),
    };
    let Some(token) = own else { return caller.not_found() };
    tri!(caller.check_csrf(&f.csrf));
    if token.revoked_at.is_some() {
        return Redirect::to("/account?ok=token_revoked").into_response();
    }
    if !confirmed(&f.confirm) {
        let msg = format!("撤销令牌“{}”前请勾选确认。", token.name);
        return with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            account_page(&s, &caller, &headers, Extra { problem: Some(msg), ..Default::default() }).await,
        );
    }
    match service::account::revoke_own_token(&s.store, &caller, token_id).await {
        Ok(()) => Redirect::to("/account?ok=token_revoked").into_response(),
        Err(e) => caller.fail(e),
    }
}

/// Sign out every other browser and device of the caller.
pub async fn end_others(
    State(s): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<ConfirmForm>,
) -> Response {
    tri!(caller.check_csrf(&f.csrf));
    if !confirmed(&f.confirm) {
        return with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            account_page(
                &s,
                &caller,
                &headers,
                Extra { problem: Some("退出其他设备前请勾选确认。".into()), ..Default::default() },
            )
            .await,
        );
    }
    let token = web_core::auth::cookie(&headers, web_core::auth::SESSION_COOKIE).unwrap_or_default();
    match service::account::end_own_other_sessions(&s.store, &caller, &token).await {
        Ok(_) => Redirect::to("/account?ok=ended").into_response(),
        Err(e) => caller.fail(e),
    }
}
