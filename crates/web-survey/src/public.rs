//! The residents' pages, without an account: `/s` (type a code) and `/s/{code}` (the
//! questionnaire of the survey the code was printed for). Built for a phone: one column, large
//! targets, no script. What protects them:
//!
//! - **CSRF** as for the sign-in form: a double-submit token, in a short-lived cookie and in the
//!   form, compared on submit.
//! - **Rate limit** per client address ([`web_core::ratelimit`]): every request to these pages
//!   counts toward a generous limit, and a code that does not exist counts toward a strict one,
//!   so guessing codes is slowed to a few dozen tries per address an hour.
//! - **One answer per code**: the store claims the code and writes the answer in one transaction.

use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::survey::{AnswerErrors, Questionnaire, Window};
use serde::Deserialize;
use service::survey::AnswerError;
use service::ServiceError;
use web_core::auth::{cookie, same, PeerIp};
use web_core::pages::today;
use web_core::ratelimit::Limiter;
use web_core::Shared;

use crate::pages::{item_views, personal_value, ItemView};

const CSRF_COOKIE: &str = "dj_survey_csrf";

/// The limits of the public pages, kept per application.
pub struct PublicLimits {
    /// Every request from one address: 120 in 10 minutes (a village hall behind one address).
    pub all: Limiter,
    /// Codes that do not exist, from one address: 20 in an hour.
    pub misses: Limiter,
}

impl Default for PublicLimits {
    fn default() -> Self {
        PublicLimits {
            all: Limiter::new(120, Duration::from_secs(600)),
            misses: Limiter::new(20, Duration::from_secs(3600)),
        }
    }
}

#[derive(Template)]
#[template(path = "survey/public.html")]
struct PublicPage {
    /// `entry`, `form`, `done`, `closed`, `used`, `busy`, `missing`.
    state: &'static str,
    message: String,
    title: String,
    org_name: String,
    q: Option<Questionnaire>,
    items: Vec<ItemView>,
    personal: String,
    personal_error: Option<String>,
    code: String,
    csrf: String,
}

impl PublicPage {
    fn state(state: &'static str, message: impl Into<String>) -> PublicPage {
        PublicPage {
            state,
            message: message.into(),
            title: String::new(),
            org_name: String::new(),
            q: None,
            items: Vec::new(),
            personal: String::new(),
            personal_error: None,
            code: String::new(),
            csrf: String::new(),
        }
    }
}

fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn respond(s: &Shared, p: PublicPage, status: StatusCode) -> Response {
    let csrf = p.csrf.clone();
    let body = p.render().unwrap_or_default();
    let mut r = (status, Html(body)).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    if !csrf.is_empty() {
        let c = format!(
            "{CSRF_COOKIE}={csrf}; Path=/s; HttpOnly; SameSite=Lax; Max-Age=7200{}",
            if s.secure_cookies { "; Secure" } else { "" }
        );
        if let Ok(v) = c.parse() {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

fn busy(s: &Shared) -> Response {
    let mut r = respond(s, PublicPage::state("busy", "访问过于频繁，请稍后再试。"), StatusCode::TOO_MANY_REQUESTS);
    r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("600"));
    r
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryQuery {
    code: String,
}

/// `GET /s?code=`: the form to type a code; with a code, on to its questionnaire.
pub async fn entry(State(s): State<Shared>, PeerIp(ip): PeerIp, Query(q): Query<EntryQuery>) -> Response {
    if !s.kept.get::<PublicLimits>().all.allow(&ip, Instant::now()) {
        return busy(&s);
    }
    let code = q.code.trim();
    if code.is_empty() {
        return respond(&s, PublicPage::state("entry", ""), StatusCode::OK);
    }
    match domain::survey::normalize_code(code) {
        Some(c) => Redirect::to(&format!("/s/{c}")).into_response(),
        None => {
            let mut p =
                PublicPage::state("entry", "答题码应为 12 位字母和数字（如 ABCD-EFGH-JKMN），请核对后重新输入。");
            p.code = code.chars().take(30).collect();
            respond(&s, p, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// What a code opens, answered as a page when it opens no form.
async fn open(s: &Shared, ip: &str, code: &str) -> Result<store::survey::CodeView, Response> {
    let limits = s.kept.get::<PublicLimits>();
    if !limits.all.allow(ip, Instant::now()) {
        return Err(busy(s));
    }
    let found = match service::survey::by_code(&s.store, code).await {
        Ok(f) => f,
        Err(_) => {
            return Err(respond(
                s,
                PublicPage::state("missing", "系统繁忙，请稍后再试。"),
                StatusCode::SERVICE_UNAVAILABLE,
            ))
        }
    };
    let Some(v) = found else {
        if !limits.misses.allow(ip, Instant::now()) {
            return Err(busy(s));
        }
        let mut p = PublicPage::state("entry", "没有这个答题码，请核对后重新输入。");
        p.code = code.chars().take(30).collect();
        return Err(respond(s, p, StatusCode::NOT_FOUND));
    };
    let title = v.survey.title.clone();
    let closed = |state, m: String| {
        let mut p = PublicPage::state(state, m);
        p.title = title.clone();
        p.org_name = v.org_name.clone();
        p
    };
    if v.used_at.is_some() {
        return Err(respond(
            s,
            closed("used", "该答题码已经使用过，每个答题码只能答一次。感谢您的参与！".into()),
            StatusCode::CONFLICT,
        ));
    }
    match v.survey.window(today()) {
        Window::Open => Ok(v),
        Window::NotYet => Err(respond(
            s,
            closed("closed", format!("本次测评未开始，将于 {} 开始，请届时再来。", v.survey.opens_on)),
            StatusCode::OK,
        )),
        Window::Closed => Err(respond(
            s,
            closed("closed", format!("本次测评已结束（截止 {}），感谢您的关注。", v.survey.closes_on)),
            StatusCode::OK,
        )),
    }
}

fn form(
    s: &Shared,
    v: &store::survey::CodeView,
    code: &str,
    pairs: &[(String, String)],
    errs: &AnswerErrors,
    message: String,
    status: StatusCode,
) -> Response {
    let q = v.survey.questionnaire();
    let p = PublicPage {
        state: "form",
        message,
        title: q.title.clone(),
        org_name: v.org_name.clone(),
        items: item_views(&q, pairs, errs),
        personal: personal_value(pairs),
        personal_error: errs.personal.clone(),
        q: Some(q),
        code: code.to_string(),
        csrf: random_token(),
    };
    respond(s, p, status)
}

/// `GET /s/{code}`: the questionnaire of the code's survey, or why it cannot be answered.
pub async fn page_get(s: Shared, ip: String, code: String) -> Response {
    match open(&s, &ip, &code).await {
        Ok(v) => form(&s, &v, &code, &[], &AnswerErrors::default(), String::new(), StatusCode::OK),
        Err(r) => r,
    }
}

pub async fn page(State(s): State<Shared>, PeerIp(ip): PeerIp, Path(code): Path<String>) -> Response {
    page_get(s, ip, code).await
}

/// `POST /s/{code}`: the answer. Checked item by item (the form comes back with what was typed
/// and each problem beside its item), then the code is claimed and the answer kept at once.
pub async fn answer(
    State(s): State<Shared>,
    PeerIp(ip): PeerIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let v = match open(&s, &ip, &code).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let sent = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    let expected = cookie(&headers, CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, sent) {
        return form(
            &s,
            &v,
            &code,
            &pairs,
            &AnswerErrors::default(),
            "页面已过期，请核对您的选择后再次提交。".into(),
            StatusCode::FORBIDDEN,
        );
    }
    match service::survey::answer_with_code(&s.store, &code, &pairs, today()).await {
        Ok(_) => {
            let mut p = PublicPage::state("done", "答卷已提交，感谢您的参与！");
            p.title = v.survey.title.clone();
            p.org_name = v.org_name.clone();
            let mut r = respond(&s, p, StatusCode::OK);
            let c = format!("{CSRF_COOKIE}=; Path=/s; HttpOnly; SameSite=Lax; Max-Age=0");
            if let Ok(h) = c.parse() {
                r.headers_mut().append(header::SET_COOKIE, h);
            }
            r
        }
        Err(AnswerError::Invalid(errs)) => {
            let n = errs.items.len() + usize::from(errs.personal.is_some());
            form(
                &s,
                &v,
                &code,
                &pairs,
                &errs,
                format!("有 {n} 处需要修改，请看标红的题目。"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(AnswerError::Service(ServiceError::Refused(m))) => {
            let mut p = PublicPage::state("used", m);
            p.title = v.survey.title.clone();
            respond(&s, p, StatusCode::CONFLICT)
        }
        Err(AnswerError::Service(ServiceError::NotFound(_))) => {
            respond(&s, PublicPage::state("entry", "没有这个答题码，请核对后重新输入。"), StatusCode::NOT_FOUND)
        }
        Err(_) => respond(&s, PublicPage::state("missing", "系统繁忙，请稍后再试。"), StatusCode::SERVICE_UNAVAILABLE),
    }
}
