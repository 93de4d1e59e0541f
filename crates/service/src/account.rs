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
