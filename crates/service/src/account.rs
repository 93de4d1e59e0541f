//! Grants: two people for every business grant, one for every reduction.
//!
//! - A 安全管理员 proposes a role for an account ([`propose_grant`]). An administrator role (系统管理员,
//!   安全管理员, 审计管理员) carries no business data and takes effect at once; a business role
//!   (组织部管理员, 党组织管理员, 党务工作者, 党员) waits as 待确认. The administrator who created the
//!   account may not propose business roles for it: he saw its initial password.
//! - A business officer (组织部管理员 or 党组织管理员, [`Perm::ConfirmGrants`]) whose scope covers the
//!   organization sees the pending requests ([`pending_grants`]) and confirms ([`confirm_grant`])
//!   or rejects them with a reason ([`reject_grant`]) — never for their own account.
//! - Revoking a grant or withdrawing a request takes one 安全管理员 and is immediate
//!   ([`revoke_grant`], [`withdraw_request`]).
//! - The first officer of a new installation is granted at the command line on the server
//!   ([`bootstrap_grant`]), the one way to put a business grant in effect without a second person;
//!   the audit trail names the operator.
//!
//! Why the creator may still see the initial password: someone has to hand it over, and there is
//! no other channel (no mail, no SMS). It is shown once, it must be changed at the first sign-in,
//! and by itself it opens an account that sees nothing: business data needs a second
//! administrator's proposal and a business officer's confirmation, both recorded with names.

use domain::access::Perm;
use domain::account::Role;
use store::account::{self as acc, GrantRequest};
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

/// What a proposal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proposed {
    /// An administrator role: in effect at once.
    Granted,
    /// A business role: request `id`, waiting for an officer.
    Pending(i64),
}

const NOT_SELF: &str =
    "不能修改自己账号的授权：安全管理员的权限须由另一名安全管理员管理，业务授权须由他人申请、党组织确认。";

/// Propose `role` (on `org_id` for roles granted on an organization) for the account
/// `account_id`.
pub async fn propose_grant(
    store: &Store,
    ctx: &Ctx,
    account_id: i64,
    role: Role,
    org_id: Option<i64>,
) -> ServiceResult<Proposed> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    if account_id == ctx.account.account.id {
        return Err(ServiceError::Denied(NOT_SELF.into()));
    }
    if role.is_admin_triad() {
        acc::grant_role(store, &scope, account_id, role, org_id).await?;
        return Ok(Proposed::Granted);
    }
    let id = acc::propose_grant(store, &scope, ctx.account.account.id, account_id, role, org_id).await?;
    Ok(Proposed::Pending(id))
}

/// The pending requests the caller may decide: organizations in their scope of
/// [`Perm::ConfirmGrants`], their own account's left out (someone else decides those).
pub async fn pending_grants(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<GrantRequest>> {
    let scope = ctx.require(Perm::ConfirmGrants)?;
    let me = ctx.account.account.id;
    Ok(acc::pending_grants(store, &scope).await?.into_iter().filter(|r| r.account_id != me).collect())
}

/// The request `id` as the caller may decide it: not found outside their scope, denied for their
/// own account.
async fn decidable(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<store::Scope> {
    let scope = ctx.require(Perm::ConfirmGrants)?;
    let r = acc::grant_request(store, id).await?;
    if !r.org_path.as_deref().is_some_and(|p| scope.contains(p)) {
        return Err(ServiceError::NotFound("授权申请"));
    }
    if r.account_id == ctx.account.account.id {
        return Err(ServiceError::Denied(
            "不能确认或退回给自己账号的授权：须由上级党组织或另一名组织部管理员、党组织管理员办理。".into(),
        ));
    }
    Ok(scope)
}

/// Confirm the pending request `id`: the grant takes effect.
pub async fn confirm_grant(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<()> {
    let scope = decidable(store, ctx, id).await?;
    Ok(acc::confirm_grant(store, &scope, ctx.account.account.id, id).await?)
}

/// Reject the pending request `id`, with a reason.
pub async fn reject_grant(store: &Store, ctx: &Ctx, id: i64, reason: &str) -> ServiceResult<()> {
    let scope = decidable(store, ctx, id).await?;
    Ok(acc::reject_grant(store, &scope, ctx.account.account.id, id, reason).await?)
}

/// Revoke a grant in effect: immediate, one 安全管理员 suffices (it only reduces access).
pub async fn revoke_grant(
    store: &Store,
    ctx: &Ctx,
    account_id: i64,
    role: Role,
    org_id: Option<i64>,
) -> ServiceResult<()> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    if account_id == ctx.account.account.id {
        return Err(ServiceError::Denied(NOT_SELF.into()));
    }
    Ok(acc::revoke_role(store, &scope, account_id, role, org_id).await?)
}

/// Withdraw a pending request of the account `account_id`: immediate, one 安全管理员 suffices.
pub async fn withdraw_request(store: &Store, ctx: &Ctx, account_id: i64, id: i64) -> ServiceResult<()> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    if account_id == ctx.account.account.id {
        return Err(ServiceError::Denied(NOT_SELF.into()));
    }
    Ok(acc::withdraw_request(store, &scope, ctx.account.account.id, account_id, id).await?)
}

/// Is this the operator at the command line on the server ([`Ctx::operator`]), not a signed-in
/// account? Accounts have positive ids; the operator's context has none and the whole tree.
fn is_operator(ctx: &Ctx) -> bool {
    ctx.account.account.id == 0 && ctx.scope.is_all()
}

/// Grant a role at the command line on the server, in effect at once: how the first officer of an
/// installation is made. Whoever can run the server's command line can change the database
/// anyway; the audit trail names them (`cli:<login name>`).
pub async fn bootstrap_grant(
    store: &Store,
    ctx: &Ctx,
    account_id: i64,
    role: Role,
    org_id: Option<i64>,
) -> ServiceResult<()> {
    if !is_operator(ctx) {
        return Err(ServiceError::Denied("直接生效的授权只能在服务器上用命令行办理（dangjian user grant）。".into()));
    }
    Ok(acc::grant_role(store, &ctx.scope, account_id, role, org_id).await?)
}

/// Revoke a role at the command line on the server.
pub async fn bootstrap_revoke(
    store: &Store,
    ctx: &Ctx,
    account_id: i64,
    role: Role,
    org_id: Option<i64>,
) -> ServiceResult<()> {
    if !is_operator(ctx) {
        return Err(ServiceError::Denied("该操作只能在服务器上用命令行办理。".into()));
    }
    Ok(acc::revoke_role(store, &ctx.scope, account_id, role, org_id).await?)
}

// ---------------------------------------------------------------------------------------------
// The 安全管理员's work on accounts: each needs 账号与授权管理 and is audited by the store.

use chrono::{DateTime, Utc};
use domain::account::PasswordPolicy;
use store::account::{
    AccountFilter, AccountWithGrants, ApiToken, Grant, MemberLink, NewAccount, SessionInfo, SessionLimits,
    TotpEnrolment,
};
use store::member::Page;

/// One page of accounts matching `f`, with how many grant requests of each wait for an officer.
pub async fn search_accounts(
    store: &Store,
    ctx: &Ctx,
    f: &AccountFilter,
    page: i64,
    per_page: i64,
) -> ServiceResult<(Page<AccountWithGrants>, std::collections::BTreeMap<i64, i64>)> {
    ctx.require(Perm::ManageAccounts)?;
    let found = acc::search_accounts(store, f, page, per_page).await?;
    let pending = acc::pending_per_account(store).await?;
    Ok((found, pending))
}

/// Whether an ID number names a member an account may be linked to: only "found or not" and the
/// name masked, so the 安全管理员 learns nothing of the roster.
pub async fn find_member_for_link(store: &Store, ctx: &Ctx, id_number: &str) -> ServiceResult<Option<MemberLink>> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    Ok(acc::find_member_for_link(store, &scope, id_number).await?)
}

/// Create an account with a random initial password that the policy accepts, to be changed at the
/// first sign-in; the password is returned once, to show to the creator.
pub async fn create_account(
    store: &Store,
    ctx: &Ctx,
    new: NewAccount,
    policy: &PasswordPolicy,
) -> ServiceResult<(AccountWithGrants, String)> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    let password = acc::random_password(policy, &new.username);
    let new = NewAccount { password: password.clone(), ..new };
    Ok((acc::create_account(store, &scope, &new, policy).await?, password))
}

/// An account as the 安全管理员 manages it.
pub struct AccountView {
    pub account: AccountWithGrants,
    pub live_sessions: i64,
    pub tokens: Vec<ApiToken>,
    pub requests: Vec<GrantRequest>,
    /// Did the caller create this account (and so may not propose business roles for it)?
    pub created_by_caller: bool,
}

/// The account `id` with its sessions, API tokens and grant requests.
pub async fn account(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> ServiceResult<AccountView> {
    ctx.require(Perm::ManageAccounts)?;
    let account = acc::get_account_with_grants(store, id).await?;
    let live_sessions = acc::count_live_sessions(store, id, now, limits).await.unwrap_or(0);
    let tokens = acc::list_api_tokens(store, id).await?;
    let requests = acc::requests_of(store, id).await?;
    let created_by_caller = acc::created_by(store, id).await? == Some(ctx.account.account.id);
    Ok(AccountView { account, live_sessions, tokens, requests, created_by_caller })
}

/// The account `id` with its grants (for a form about it).
pub async fn account_with_grants(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<AccountWithGrants> {
    ctx.require(Perm::ManageAccounts)?;
    Ok(acc::get_account_with_grants(store, id).await?)
}

/// Disable an account: its sessions and tokens end at once. Returns how many sessions ended.
pub async fn disable_account(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<u64> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    Ok(acc::disable_account(store, &scope, id).await?)
}

/// Enable a disabled account again.
pub async fn enable_account(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<()> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    Ok(acc::enable_account(store, &scope, id).await?)
}

/// Reset an account's password to a random one (shown once, to be changed at the next sign-in);
/// its business grants go back to 待确认 (returned), so a reset does not open business data to the
/// administrator who knows the new password.
pub async fn reset_password(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    policy: &PasswordPolicy,
) -> ServiceResult<(String, Vec<Grant>)> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    Ok(acc::reset_password(store, &scope, ctx.account.account.id, id, policy).await?)
}

/// Remove an account's second factor (a lost phone): it enrols again at the next sign-in.
pub async fn reset_totp(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<()> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    Ok(acc::reset_totp(store, &scope, id).await?)
}

/// Revoke another account's API token.
pub async fn revoke_token_of(store: &Store, ctx: &Ctx, account_id: i64, token_id: i64) -> ServiceResult<()> {
    let scope = ctx.require(Perm::ManageAccounts)?;
    Ok(acc::revoke_api_token(store, &scope, account_id, token_id).await?)
}

// ---------------------------------------------------------------------------------------------
// One's own account (账号安全): every account, whatever its role, and only its own. The store
// records each change in the audit trail under the caller's name.

/// The caller's own account: its sessions, API tokens and recovery codes left.
pub struct Security {
    pub account: AccountWithGrants,
    pub sessions: Vec<SessionInfo>,
    pub tokens: Vec<ApiToken>,
    pub recovery_left: i64,
}

/// Read the caller's [`Security`].
pub async fn own_security(
    store: &Store,
    ctx: &Ctx,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> ServiceResult<Security> {
    let id = ctx.account.account.id;
    let account = acc::get_account_with_grants(store, id).await?;
    let sessions = acc::live_sessions(store, id, now, limits).await?;
    let tokens = acc::list_api_tokens(store, id).await?;
    let recovery_left =
        if account.account.has_totp { acc::recovery_codes_left(store, id).await.unwrap_or(0) } else { 0 };
    Ok(Security { account, sessions, tokens, recovery_left })
}

/// How many recovery codes the caller has left.
pub async fn own_recovery_codes_left(store: &Store, ctx: &Ctx) -> ServiceResult<i64> {
    Ok(acc::recovery_codes_left(store, ctx.account.account.id).await?)
}

/// Change the caller's password (the current one required), by the password policy.
pub async fn change_own_password(
    store: &Store,
    ctx: &Ctx,
    current: &str,
    new: &str,
    policy: &PasswordPolicy,
) -> ServiceResult<()> {
    Ok(acc::change_password(store, &ctx.scope, ctx.account.account.id, current, new, policy).await?)
}

/// A new session for the caller (after a password change every other session has ended).
pub async fn new_own_session(
    store: &Store,
    ctx: &Ctx,
    ip: Option<&str>,
    agent: Option<&str>,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> ServiceResult<store::account::NewSession> {
    Ok(acc::create_session(store, &ctx.scope, ctx.account.account.id, ip, agent, now, limits, false).await?)
}

/// Start (or continue) enrolling the caller's second factor: the pending key stays until
/// confirmed, so a reload shows the same key.
pub async fn begin_own_totp(store: &Store, ctx: &Ctx) -> ServiceResult<TotpEnrolment> {
    let id = ctx.account.account.id;
    if let Some(pending) = acc::pending_totp_enrolment(store, id).await? {
        return Ok(pending);
    }
    Ok(acc::begin_totp_enrolment(store, &ctx.scope, id).await?)
}

/// The caller's enrolment waiting for its first code, if any.
pub async fn pending_own_totp(store: &Store, ctx: &Ctx) -> ServiceResult<Option<TotpEnrolment>> {
    Ok(acc::pending_totp_enrolment(store, ctx.account.account.id).await?)
}

/// Confirm the caller's enrolment with a code from the authenticator: the recovery codes, once.
pub async fn confirm_own_totp(store: &Store, ctx: &Ctx, code: &str, now: DateTime<Utc>) -> ServiceResult<Vec<String>> {
    Ok(acc::confirm_totp(store, &ctx.scope, ctx.account.account.id, code, now).await?)
}

/// Turn the caller's second factor off (the password required).
pub async fn disable_own_totp(store: &Store, ctx: &Ctx, password: &str) -> ServiceResult<()> {
    Ok(acc::disable_totp(store, &ctx.scope, ctx.account.account.id, password).await?)
}

/// New recovery codes for the caller, the old ones void.
pub async fn regenerate_own_recovery_codes(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<String>> {
    Ok(acc::regenerate_recovery_codes(store, &ctx.scope, ctx.account.account.id).await?)
}

/// A new API token of the caller's: the token itself is returned once.
pub async fn create_own_token(
    store: &Store,
    ctx: &Ctx,
    name: &str,
    now: DateTime<Utc>,
) -> ServiceResult<(ApiToken, String)> {
    Ok(acc::create_api_token(store, &ctx.scope, ctx.account.account.id, name, now).await?)
}

/// The caller's API tokens.
pub async fn own_tokens(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<ApiToken>> {
    Ok(acc::list_api_tokens(store, ctx.account.account.id).await?)
}

/// Revoke one of the caller's API tokens.
pub async fn revoke_own_token(store: &Store, ctx: &Ctx, token_id: i64) -> ServiceResult<()> {
    Ok(acc::revoke_api_token(store, &ctx.scope, ctx.account.account.id, token_id).await?)
}

/// End every session of the caller's but the one with `keep_token`. Returns how many ended.
pub async fn end_own_other_sessions(store: &Store, ctx: &Ctx, keep_token: &str) -> ServiceResult<u64> {
    Ok(acc::end_other_sessions(store, &ctx.scope, ctx.account.account.id, keep_token).await?)
}

/// Organizations whose name contains `q` (at most 20), each named with its chain of ancestors:
/// how a 安全管理员 names the organization of a business grant he proposes.
///
/// He holds no business scope, yet proposing 党组织管理员 on 某县委 means naming that organization:
/// this one lookup reads the whole tree, and returns organization names and their ancestors' names
/// only (no members, no figures), for this purpose only.
pub async fn grant_orgs(store: &Store, ctx: &Ctx, q: &str) -> Vec<(i64, String)> {
    let q = q.trim();
    if q.is_empty() || ctx.require(Perm::ManageAccounts).is_err() {
        return vec![];
    }
    let all = store::Scope::all().acting_as(ctx.actor.clone());
    let mut hits = Vec::new();
    for root in store::org::roots(store, &all).await.unwrap_or_default() {
        let left = 20 - hits.len() as i64;
        if left <= 0 {
            break;
        }
        for o in store::org::search(store, &all, root.id, q, left).await.unwrap_or_default() {
            let mut chain: Vec<String> = store::org::ancestors(store, &all, o.id)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.name)
                .collect();
            chain.push(o.name.clone());
            hits.push((o.id, chain.join(" › ")));
        }
    }
    hits
}

/// How a session is named on the account page (a short digest of its token, never the token).
pub fn session_reference(token: &str) -> String {
    acc::session_reference(token)
}

/// Names locked everywhere and addresses stopped for every name since `since` (the notice on the
/// 安全管理员's account list: someone may be guessing passwords).
pub async fn recent_lockouts(store: &Store, ctx: &Ctx, since: DateTime<Utc>) -> ServiceResult<Vec<acc::Lockout>> {
    ctx.require(Perm::ManageAccounts)?;
    Ok(acc::recent_lockouts(store, since).await?)
}
