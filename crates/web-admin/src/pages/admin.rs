//! 安全管理员: accounts and grants (账号与授权). The 审计管理员's audit viewer is in `audit.rs`,
//! the 系统管理员's status page in `system.rs`; each needs its own permission, so the three
//! administrators of 三员分立 cannot reach each other's pages.
//!
//! Business grants take two people: the 安全管理员 proposes them here (not for an account he
//! created), they show as 待确认 until a business officer confirms them on `/admin/grants/pending`
//! (`grants.rs`); see `service::account` for the reasoning.
//!
//! The security admin sees no business data. Two narrow exceptions, both for granting:
//! - choosing the organization of a business grant searches organization names across the whole
//!   tree (see [`org_hits`]): names and their chain of parents only, no members, no figures;
//! - linking an account to its member looks up one exact ID number (see
//!   [`store::account::find_member_for_link`]): the answer is only "found or not", the name masked
//!   (`张**`) and whether that member already has an account, and every lookup is audited. That
//!   is enough to confirm the right person with them without opening the roll to browsing.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use chrono::Utc;
use domain::account::Role;
use serde::Deserialize;
use service::account::Proposed;
use service::ServiceError;
use store::account::{AccountFilter, AccountWithGrants, MemberLink, NewAccount, RequestStatus};

use super::account::{china, confirmed, Errs, TokenRow};
use super::{render, urlencode};
use web_core::access::Perm;
use web_core::routes::{Routes, Target};
use web_core::tri;
use web_core::{Caller, Crumb, Nav, Shared};

const PER_PAGE: i64 = 50;

pub(crate) fn routes(r: Routes) -> Routes {
    let r = r
        .add("GET", "/admin/accounts", Target::None, get(list))
        .add("GET,POST", "/admin/accounts/new", Target::None, get(new_page).post(create))
        .add("GET", "/admin/accounts/{id}", Target::Account, get(detail))
        .add("POST", "/admin/accounts/{id}/grant", Target::Account, post(grant))
        .add("POST", "/admin/accounts/{id}/revoke", Target::Account, post(revoke))
        .add("POST", "/admin/accounts/{id}/disable", Target::Account, post(disable))
        .add("POST", "/admin/accounts/{id}/enable", Target::Account, post(enable))
        .add("POST", "/admin/accounts/{id}/reset-password", Target::Account, post(reset_password))
        .add("POST", "/admin/accounts/{id}/reset-totp", Target::Account, post(reset_totp))
        .add("POST", "/admin/accounts/{id}/revoke-token", Target::Account, post(revoke_token));
    let r = super::grants::routes(r);
    let r = super::audit::routes(r);
    super::system::routes(r)
}

fn with_status(status: StatusCode, mut r: Response) -> Response {
    *r.status_mut() = status;
    r
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    role: String,
    page: String,
}

pub struct ListRow {
    id: i64,
    username: String,
    display_name: String,
    roles: String,
    /// Business grants proposed and not yet confirmed (no effect).
    pending: i64,
    disabled: bool,
    temporary: bool,
    has_totp: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct ListPage {
    nav: Nav,
    q: String,
    role: String,
    roles: Vec<(&'static str, &'static str)>,
    rows: Vec<ListRow>,
    total: i64,
    page: i64,
    pages: i64,
    base_link: String,
    /// Lockouts of the last day: (time, what was locked, from where).
    lockouts: Vec<(String, String, String)>,
}

fn role_choices() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.code(), r.label())).collect()
}

pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    tri!(caller.require(Perm::ManageAccounts));
    let filter = AccountFilter { q: Some(q.q.clone()), role: Role::from_code(&q.role) };
    let page = web_core::paging::asked(&q.page);
    let read = |p| service::account::search_accounts(&s.store, &caller, &filter, p, PER_PAGE);
    let (found, pending) = match web_core::paging::within(page, read).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let lockouts = service::account::recent_lockouts(&s.store, &caller, Utc::now() - chrono::Duration::days(1))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|l| {
            let what = match (&l.kind, &l.username) {
                (store::account::LockKind::Address, _) => "该地址对所有账号暂停登录".to_string(),
                (_, Some(u)) => format!("账号 {u} 暂停登录（各地址）"),
                (_, None) => "账号暂停登录".to_string(),
            };
            (china(l.at), what, l.ip.unwrap_or_else(|| "未知".into()))
        })
        .collect();
    let rows = found
        .items
        .iter()
        .map(|a| ListRow {
            pending: pending.get(&a.account.id).copied().unwrap_or(0),
            id: a.account.id,
            username: a.account.username.clone(),
            display_name: a.account.display_name.clone(),
            roles: if a.grants.is_empty() { "无".into() } else { a.roles_text() },
            disabled: a.account.is_disabled,
            temporary: a.account.must_change_password,
            has_totp: a.account.has_totp,
            created: china(a.account.created_at)[..10].to_string(),
        })
        .collect();
    let role = filter.role.map(|r| r.code().to_string()).unwrap_or_default();
    render(&ListPage {
        nav: caller.nav("accounts").crumbs(vec![Crumb::new("", "账号与授权")]),
        base_link: format!("/admin/accounts?q={}&role={}", urlencode(&q.q), urlencode(&role)),
        q: q.q,
        role,
        roles: role_choices(),
        rows,
        total: found.total,
        page: found.page,
        pages: found.pages(),
        lockouts,
    })
}

// ---------------------------------------------------------------------------------------------
// New account

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    csrf: String,
    /// `lookup` (check the ID number) or `create`.
    action: String,
    username: String,
    display_name: String,
    id_number: String,
}

#[derive(Template)]
#[template(path = "admin/account_new.html")]
struct NewPage {
    nav: Nav,
    f: NewForm,
    errs: Errs,
    problem: Option<String>,
    /// The result of an ID number lookup.
    link: Option<MemberLink>,
}

fn new_crumbs(caller: &Caller) -> Nav {
    caller.nav("accounts").crumbs(vec![Crumb::new("/admin/accounts", "账号与授权"), Crumb::new("", "新建账号")])
}

pub async fn new_page(State(_s): State<Shared>, caller: Caller) -> Response {
    tri!(caller.require(Perm::ManageAccounts));
    render(&NewPage {
        nav: new_crumbs(&caller),
        f: NewForm::default(),
        errs: Errs::default(),
        problem: None,
        link: None,
    })
}

/// Check the ID number typed and look its member up: `Ok(None)` when none was typed.
async fn lookup(s: &Shared, caller: &Caller, raw: &str, errs: &mut Errs) -> Result<Option<MemberLink>, Response> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let number = match domain::idcard::parse(raw, super::today()) {
        Ok(n) => n.number,
        Err(m) => {
            errs.push("党员身份号码", m);
            return Ok(None);
        }
    };
    match service::account::find_member_for_link(&s.store, caller, &number).await {
        Ok(Some(l)) => {
            if l.has_account {
                errs.push("党员身份号码", "该党员已有账号，一名党员只能关联一个账号");
            }
            Ok(Some(l))
        }
        Ok(None) => {
            errs.push("党员身份号码", "党员名册中没有该号码的在册党员，请核对");
            Ok(None)
        }
        Err(e) => Err(caller.fail(e)),
    }
}

pub async fn create(State(s): State<Shared>, caller: Caller, Form(f): Form<NewForm>) -> Response {
    tri!(caller.require(Perm::ManageAccounts));
    tri!(caller.check_csrf(&f.csrf));
    let mut errs = Errs::default();
    let link = tri!(lookup(&s, &caller, &f.id_number, &mut errs).await);
    let un = StatusCode::UNPROCESSABLE_ENTITY;
    if f.action != "create" {
        // the lookup only: show what was found beside the field
        let status = if errs.is_empty() && f.action == "lookup" { StatusCode::OK } else { un };
        let problem = (f.action != "lookup").then(|| "请选择“查找党员”或“创建账号”。".to_string());
        return with_status(status, render(&NewPage { nav: new_crumbs(&caller), f, errs, problem, link }));
    }
    let username = domain::account::normalize_username(&f.username);
    if let Err(m) = domain::account::check_username(&username) {
        errs.push("用户名", m);
    }
    if f.display_name.trim().is_empty() {
        errs.push("姓名", "请填写姓名");
    }
    if !errs.is_empty() {
        return with_status(un, render(&NewPage { nav: new_crumbs(&caller), f, errs, problem: None, link }));
    }
    let new = NewAccount {
        username,
        display_name: f.display_name.clone(),
        password: String::new(),
        member_id: link.as_ref().map(|l| l.member_id),
        must_change_password: true,
        grants: vec![],
        // he sees the initial password: someone else must propose its business roles
        created_by: Some(caller.account.account.id),
    };
    match service::account::create_account(&s.store, &caller, new, &s.policy).await {
        Ok((a, password)) => {
            let x = Extra { shown_password: Some(password), created: true, ..Default::default() };
            detail_view(&s, &caller, a, StatusCode::OK, x).await
        }
        Err(ServiceError::Invalid(e)) => {
            with_status(un, render(&NewPage { nav: new_crumbs(&caller), f, errs: e.into(), problem: None, link }))
        }
        Err(ServiceError::Refused(m)) => with_status(
            StatusCode::CONFLICT,
            render(&NewPage { nav: new_crumbs(&caller), f, errs, problem: Some(m), link }),
        ),
        Err(ServiceError::NotFound(_)) => {
            errs.push("党员身份号码", "该党员已不在册，请核对");
            with_status(un, render(&NewPage { nav: new_crumbs(&caller), f, errs, problem: None, link: None }))
        }
        Err(e) => caller.fail(e),
    }
}

// ---------------------------------------------------------------------------------------------
// One account

/// A pending or decided request for a business grant, on the account page.
pub struct RequestRow {
    id: i64,
    role: &'static str,
    org: String,
    pending: bool,
    status: &'static str,
    proposed_by: String,
    proposed_at: String,
    decided_by: String,
    reason: String,
}

pub struct GrantRow {
    role_code: &'static str,
    role: &'static str,
    org_id: i64,
    org: String,
    dissolved: bool,
    since: String,
}

#[derive(Template)]
#[template(path = "admin/account_detail.html")]
struct DetailPage {
    nav: Nav,
    notice: Option<&'static str>,
    problem: Option<String>,
    id: i64,
    username: String,
    display_name: String,
    disabled: bool,
    temporary: bool,
    has_totp: bool,
    totp_required: bool,
    linked_member: bool,
    password_changed: String,
    created: String,
    sessions: i64,
    grants: Vec<GrantRow>,
    requests: Vec<RequestRow>,
    /// The caller created this account, so may not propose its business roles.
    created_by_caller: bool,
    tokens: Vec<TokenRow>,
    is_self: bool,
    roles: Vec<(&'static str, &'static str, bool)>,
    grant_role: String,
    grant_org: i64,
    org_q: String,
    org_hits: Vec<(i64, String)>,
    grant_problem: Option<String>,
    errs: Errs,
    /// A password just generated (new account or reset), shown this once.
    shown_password: Option<String>,
    created_now: bool,
}

/// What a request adds to the detail page.
#[derive(Default)]
struct Extra {
    notice: Option<&'static str>,
    problem: Option<String>,
    grant_role: String,
    grant_org: i64,
    org_q: String,
    grant_problem: Option<String>,
    errs: Errs,
    shown_password: Option<String>,
    created: bool,
}

fn notice_text(ok: &str) -> Option<&'static str> {
    Some(match ok {
        "granted" => "已授权。对方下次打开页面时生效。",
        "proposed" => "已提交授权申请，状态为“待确认”：须由该党组织或其上级的组织部管理员、党组织管理员确认后才生效。",
        "withdrawn" => "已撤回该授权申请。",
        "revoked" => "已撤销该授权，立即生效。",
        "disabled" => "账号已停用，其所有登录已退出，API 令牌同时失效。",
        "enabled" => "账号已启用。",
        "totp_reset" => "两步验证已重置。对方下次登录时须重新绑定验证器（若其角色要求）。",
        "token_revoked" => "API 令牌已撤销。",
        _ => return None,
    })
}

async fn detail_view(s: &Shared, caller: &Caller, a: AccountWithGrants, status: StatusCode, x: Extra) -> Response {
    let id = a.account.id;
    let view = match service::account::account(&s.store, caller, id, Utc::now(), &s.limits).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let (sessions, tokens, created_by_caller) = (view.live_sessions, view.tokens, view.created_by_caller);
    let grants = a
        .grants
        .iter()
        .map(|g| GrantRow {
            role_code: g.role.code(),
            role: g.role.label(),
            org_id: g.org_id.unwrap_or(0),
            org: g.org_name.clone().unwrap_or_default(),
            dissolved: g.org_dissolved_on.is_some(),
            since: china(g.created_at)[..10].to_string(),
        })
        .collect();
    let requests = view
        .requests
        .into_iter()
        .map(|r| RequestRow {
            id: r.id,
            role: r.role.label(),
            org: r.org_name.unwrap_or_default(),
            pending: r.status == RequestStatus::Pending,
            status: r.status.label(),
            proposed_by: r.proposed_by_name,
            proposed_at: china(r.proposed_at),
            decided_by: r.decided_by_name.unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
        })
        .collect();
    let org_hits = service::account::grant_orgs(&s.store, caller, &x.org_q).await;
    let page = DetailPage {
        nav: caller
            .nav("accounts")
            .crumbs(vec![Crumb::new("/admin/accounts", "账号与授权"), Crumb::new("", a.account.display_name.clone())]),
        notice: x.notice,
        problem: x.problem,
        id,
        username: a.account.username.clone(),
        display_name: a.account.display_name.clone(),
        disabled: a.account.is_disabled,
        temporary: a.account.must_change_password,
        has_totp: a.account.has_totp,
        totp_required: a.requires_totp(),
        linked_member: a.account.member_id.is_some(),
        password_changed: china(a.account.password_changed_at),
        created: china(a.account.created_at),
        sessions,
        grants,
        requests,
        created_by_caller,
        tokens: tokens.iter().map(TokenRow::from).collect(),
        is_self: id == caller.account.account.id,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label(), r.needs_org())).collect(),
        grant_role: x.grant_role,
        grant_org: x.grant_org,
        org_q: x.org_q,
        org_hits,
        grant_problem: x.grant_problem,
        errs: x.errs,
        shown_password: x.shown_password,
        created_now: x.created,
    };
    with_status(status, render(&page))
}

/// The account `{id}` for a security admin: 403 for anyone else, 404 when there is none.
async fn load(s: &Shared, caller: &Caller, id: i64) -> Result<AccountWithGrants, Response> {
    caller.require(Perm::ManageAccounts)?;
    service::account::account_with_grants(&s.store, caller, id).await.map_err(|e| caller.fail(e))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    ok: String,
    org_q: String,
    role: String,
}

pub async fn detail(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Response {
    let a = tri!(load(&s, &caller, id).await);
    let x = Extra { notice: notice_text(&q.ok), org_q: q.org_q, grant_role: q.role, ..Default::default() };
    detail_view(&s, &caller, a, StatusCode::OK, x).await
}

const SELF_REFUSED: &str =
    "不能修改自己账号的授权或状态：安全管理员的权限须由另一名安全管理员管理。修改自己的密码请到“账号安全”。";

fn done(id: i64, ok: &str) -> Response {
    Redirect::to(&format!("/admin/accounts/{id}?ok={ok}")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GrantForm {
    csrf: String,
    role: String,
    org: String,
    org_q: String,
    confirm: String,
}

pub async fn grant(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Form(f): Form<GrantForm>) -> Response {
    let a = tri!(load(&s, &caller, id).await);
    tri!(caller.check_csrf(&f.csrf));
    let mut x = Extra { grant_role: f.role.clone(), org_q: f.org_q.clone(), ..Default::default() };
    x.grant_org = f.org.trim().parse().unwrap_or(0);
    if id == caller.account.account.id {
        x.problem = Some(SELF_REFUSED.into());
        return detail_view(&s, &caller, a, StatusCode::FORBIDDEN, x).await;
    }
    let role = Role::from_code(f.role.trim());
    match role {
        None => x.errs.push("角色", "请选择要授予的角色"),
        Some(r) if r.needs_org() && x.grant_org == 0 => {
            x.errs.push("党组织", format!("“{}”须指定党组织：请先按名称搜索，再选择一个", r.label()))
        }
        _ => {}
    }
    if !confirmed(&f.confirm) {
        x.errs.push("确认授权", "请勾选确认");
    }
    let Some(role) = role.filter(|_| x.errs.is_empty()) else {
        return detail_view(&s, &caller, a, StatusCode::UNPROCESSABLE_ENTITY, x).await;
    };
    let org = role.needs_org().then_some(x.grant_org);
    match service::account::propose_grant(&s.store, &caller, id, role, org).await {
        Ok(Proposed::Granted) => done(id, "granted"),
        Ok(Proposed::Pending(_)) => done(id, "proposed"),
        Err(ServiceError::Refused(m)) => {
            x.grant_problem = Some(m);
            detail_view(&s, &caller, a, StatusCode::CONFLICT, x).await
        }
        Err(ServiceError::NotFound(what)) if what != "账号" => {
            let m = if what == "党员" {
                "关联的党员已不在册"
            } else {
                "该党组织不存在或已撤销，请重新搜索"
            };
            x.errs.push("党组织", m);
            detail_view(&s, &caller, a, StatusCode::UNPROCESSABLE_ENTITY, x).await
        }
        Err(e) => caller.fail(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevokeForm {
    csrf: String,
    /// A pending request to withdraw (instead of a grant in effect to revoke).
    request: String,
    role: String,
    org: String,
    confirm: String,
}

pub async fn revoke(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<RevokeForm>,
) -> Response {
    let a = tri!(load(&s, &caller, id).await);
    tri!(caller.check_csrf(&f.csrf));
    if id == caller.account.account.id {
        let x = Extra { problem: Some(SELF_REFUSED.into()), ..Default::default() };
        return detail_view(&s, &caller, a, StatusCode::FORBIDDEN, x).await;
    }
    if !f.request.trim().is_empty() {
        if !confirmed(&f.confirm) {
            let x = Extra {
                problem: Some("撤回申请前请在该行勾选“确认”。".into()), ..Default::default()
            };
            return detail_view(&s, &caller, a, StatusCode::UNPROCESSABLE_ENTITY, x).await;
        }
        let request: i64 = f.request.trim().parse().unwrap_or(0);
        return match service::account::withdraw_request(&s.store, &caller, id, request).await {
            Ok(()) => done(id, "withdrawn"),
            Err(ServiceError::Refused(m)) => {
                detail_view(&s, &caller, a, StatusCode::CONFLICT, Extra { problem: Some(m), ..Default::default() })
                    .await
            }
            Err(e) => caller.fail(e),
        };
    }
    let org: i64 = f.org.trim().parse().unwrap_or(0);
    let held = Role::from_code(f.role.trim())
        .filter(|r| a.grants.iter().any(|g| g.role == *r && g.org_id.unwrap_or(0) == org));
    let Some(role) = held else {
        let x = Extra {
            problem: Some("该账号没有这项授权（可能已被撤销），请刷新页面。".into()),
            ..Default::default()
        };
        return detail_view(&s, &caller, a, StatusCode::UNPROCESSABLE_ENTITY, x).await;
    };
    if !confirmed(&f.confirm) {
        let x =
            Extra { problem: Some("撤销授权前请在该行勾选“确认”。".into()), ..Default::default() };
        return detail_view(&s, &caller, a, StatusCode::UNPROCESSABLE_ENTITY, x).await;
    }
    match service::account::revoke_grant(&s.store, &caller, id, role, (org != 0).then_some(org)).await {
        Ok(()) => done(id, "revoked"),
        Err(e) => caller.fail(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    csrf: String,
    confirm: String,
    /// For revoke-token: the token's id.
    token: String,
}

/// The common start of the account actions: the account, CSRF, not one's own, confirmed.
async fn action_start(
    s: &Shared,
    caller: &Caller,
    id: i64,
    f: &ConfirmForm,
    what: &str,
) -> Result<AccountWithGrants, Response> {
    let a = load(s, caller, id).await?;
    caller.check_csrf(&f.csrf)?;
    if id == caller.account.account.id {
        let x = Extra { problem: Some(SELF_REFUSED.into()), ..Default::default() };
        return Err(detail_view(s, caller, a, StatusCode::FORBIDDEN, x).await);
    }
    if !confirmed(&f.confirm) {
        let x = Extra { problem: Some(format!("{what}前请勾选“确认”。")), ..Default::default() };
        return Err(detail_view(s, caller, a, StatusCode::UNPROCESSABLE_ENTITY, x).await);
    }
    Ok(a)
}

pub async fn disable(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    tri!(action_start(&s, &caller, id, &f, "停用账号").await);
    match service::account::disable_account(&s.store, &caller, id).await {
        Ok(_) => done(id, "disabled"),
        Err(e) => caller.fail(e),
    }
}

pub async fn enable(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    tri!(action_start(&s, &caller, id, &f, "启用账号").await);
    match service::account::enable_account(&s.store, &caller, id).await {
        Ok(()) => done(id, "enabled"),
        Err(e) => caller.fail(e),
    }
}

/// A new temporary password, shown once; every session of the account ends, and its business
/// grants wait for an officer's confirmation again (the administrator has seen the password).
pub async fn reset_password(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    tri!(action_start(&s, &caller, id, &f, "重置密码").await);
    let (password, suspended) = match service::account::reset_password(&s.store, &caller, id, &s.policy).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let a = match service::account::account_with_grants(&s.store, &caller, id).await {
        Ok(a) => a,
        Err(e) => return caller.fail(e),
    };
    let notice = (!suspended.is_empty()).then_some(
        "该账号的业务授权已转为“待确认”：须由党组织的组织部管理员或党组织管理员与本人核实后重新确认才生效。",
    );
    let x = Extra { shown_password: Some(password), notice, ..Default::default() };
    detail_view(&s, &caller, a, StatusCode::OK, x).await
}

pub async fn reset_totp(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    tri!(action_start(&s, &caller, id, &f, "重置两步验证").await);
    match service::account::reset_totp(&s.store, &caller, id).await {
        Ok(()) => done(id, "totp_reset"),
        Err(e) => caller.fail(e),
    }
}

/// Revoke one of the account's API tokens (a token of another account answers 404).
pub async fn revoke_token(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    tri!(action_start(&s, &caller, id, &f, "撤销令牌").await);
    let token: i64 = f.token.trim().parse().unwrap_or(0);
    match service::account::revoke_token_of(&s.store, &caller, id, token).await {
        Ok(()) => done(id, "token_revoked"),
        Err(e) => caller.fail(e),
    }
}
