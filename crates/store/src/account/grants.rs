//! Accounts and grants.

use crate::args;
use crate::db::{now, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use domain::account::{self as rules, PasswordPolicy, Role};
use domain::FieldErrors;
use serde_json::{json, Value};
use std::fmt;

use super::*;

/// A new account. `Debug` leaves the password out.
#[derive(Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// The member this account belongs to (required for the 党员 role).
    pub member_id: Option<i64>,
    /// The password was generated or set by an administrator: the user must change it.
    pub must_change_password: bool,
    /// Roles to grant at once, with their organizations for business roles. They take effect at
    /// once, so business roles are accepted here only from the command line on the server and the
    /// demo (`created_by` is `None`); an administrator on the pages creates the account without
    /// them and another administrator proposes them ([`propose_grant`]).
    pub grants: Vec<(Role, Option<i64>)>,
    /// The administrator account that creates it (`None`: the command line on the server, or the
    /// demo). That administrator may not propose business roles for it.
    pub created_by: Option<i64>,
}

impl fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("password", &"［不显示］")
            .field("member_id", &self.member_id)
            .field("must_change_password", &self.must_change_password)
            .field("grants", &self.grants)
            .field("created_by", &self.created_by)
            .finish()
    }
}

pub(super) fn grant_json(role: Role, org_id: Option<i64>) -> Value {
    json!({ "role": role.code(), "role_label": role.label(), "org_id": org_id })
}

/// Check one grant against the database (organization, member link, not held already).
pub(super) async fn check_grant(
    tx: &mut Tx,
    account_id: i64,
    member_id: Option<i64>,
    role: Role,
    org_id: Option<i64>,
) -> StoreResult<()> {
    match (role.needs_org(), org_id) {
        (true, None) => {
            return Err(StoreError::Refused(format!(
                "授予“{}”须指定党组织（该角色管理所指定党组织及其下级）",
                role.label()
            )));
        }
        (true, Some(org)) => {
            let n = tx
                .x()
                .scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM org WHERE id = $1 AND dissolved_on IS NULL", &args![org])
                .await?;
            if n == 0 {
                return Err(StoreError::NotFound("党组织"));
            }
        }
        (false, Some(_)) => {
            return Err(StoreError::Refused(format!("“{}”不按党组织授予，请去掉党组织", role.label())));
        }
        (false, None) => {}
    }
    if role == Role::Member && member_id.is_none() {
        return Err(StoreError::Refused("授予“党员”角色前，须先把账号关联到党员名册中的本人".into()));
    }
    let dup = tx
        .x()
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM account_grant WHERE account_id = $1 AND role = $2 AND COALESCE(org_id, 0) = $3",
            &args![account_id, role.code(), org_id.unwrap_or(0)],
        )
        .await?;
    if dup > 0 {
        return Err(StoreError::Refused(format!("该账号已有此授权：{}", role.label())));
    }
    Ok(())
}

/// Check one grant (see [`check_grant`]) and put it in effect; `request_id` is the confirmed
/// request it comes from (`None` at the command line and in the demo).
pub(super) async fn insert_grant(
    tx: &mut Tx,
    account_id: i64,
    member_id: Option<i64>,
    role: Role,
    org_id: Option<i64>,
    request_id: Option<i64>,
) -> StoreResult<()> {
    check_grant(tx, account_id, member_id, role, org_id).await?;
    tx.x()
        .execute(
            "INSERT INTO account_grant (account_id, role, org_id, created_at, request_id) VALUES ($1, $2, $3, $4, $5)",
            &args![account_id, role.code(), org_id, now(), request_id],
        )
        .await?;
    Ok(())
}

/// Create an account (with its first grants, all or nothing). The username is lower-cased and must
/// be 3–32 of `a-z 0-9 _ . -`; the password must satisfy `policy`.
pub async fn create_account(
    store: &Store,
    scope: &Scope,
    new: &NewAccount,
    policy: &PasswordPolicy,
) -> StoreResult<AccountWithGrants> {
    let username = rules::normalize_username(&new.username);
    let display_name = new.display_name.trim().to_string();
    let mut errs = FieldErrors::default();
    if let Err(e) = rules::check_username(&username) {
        errs.push("用户名", e);
    }
    match display_name.chars().count() {
        0 => errs.push("姓名", "请填写姓名"),
        n if n > 50 => errs.push("姓名", format!("姓名不能超过 50 个字符（现在 {n} 个）")),
        _ => {}
    }
    if let Err(problems) = policy.check(&new.password, &username) {
        errs.0.extend(policy_errors("密码", problems).0);
    }
    if !errs.is_empty() {
        return Err(errs.into());
    }
    let roles: Vec<Role> = new.grants.iter().map(|g| g.0).collect();
    rules::check_role_combination(&roles).map_err(StoreError::Refused)?;
    if let (Some(_), Some(r)) = (new.created_by, roles.iter().find(|r| !r.is_admin_triad())) {
        return Err(StoreError::Refused(format!(
            "新建账号时不能直接授予业务角色“{}”：业务授权须由另一名安全管理员申请、再由党组织的组织部管理员或党组织管理员确认后生效",
            r.label()
        )));
    }
    let hash = hash_password(&new.password).await?;

    let mut tx = store.begin().await?;
    if fetch_row_by_username(tx.x(), &username).await?.is_some() {
        return Err(invalid("用户名", format!("用户名“{username}”已被使用，请换一个")));
    }
    if let Some(mid) = new.member_id {
        check_member_free(&mut tx, mid, None).await?;
    }
    let t = now();
    let (id,): (i64,) = tx
        .x()
        .fetch_one(
            "INSERT INTO account (username, display_name, password_hash, member_id, is_disabled, has_temporary_password, \
             password_changed_at, has_totp, created_at, updated_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $7, $9) RETURNING id",
            &args![
                username.clone(),
                display_name.clone(),
                hash,
                new.member_id,
                false,
                new.must_change_password,
                t,
                false,
                new.created_by
            ],
        )
        .await
        .map_err(|e| match e {
            // a concurrent creation of the same name or for the same member won the race
            e if e.is_unique_violation() => {
                StoreError::Refused(format!("用户名“{username}”已被使用，或该党员已有账号，请核对后重试"))
            }
            e => e,
        })?;
    for (role, org) in &new.grants {
        insert_grant(&mut tx, id, new.member_id, *role, *org, None).await?;
    }
    let detail = json!({ "after": {
        "username": username,
        "display_name": display_name,
        "member_id": new.member_id,
        "must_change_password": new.must_change_password,
        "created_by": new.created_by,
        "grants": new.grants.iter().map(|(r, o)| grant_json(*r, *o)).collect::<Vec<_>>(),
    }});
    crate::audit::record(&mut tx, scope, "account.create", &format!("account:{id}"), "ok", detail).await?;
    tx.commit().await?;
    get_account_with_grants(store, id).await
}

/// The member exists, is current and has no other account.
async fn check_member_free(tx: &mut Tx, member_id: i64, except_account: Option<i64>) -> StoreResult<()> {
    let n = tx
        .x()
        .scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM member WHERE id = $1 AND status = 'normal'", &args![member_id])
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound("党员"));
    }
    let taken = tx
        .x()
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM account WHERE member_id = $1 AND id <> $2",
            &args![member_id, except_account.unwrap_or(-1)],
        )
        .await?;
    if taken > 0 {
        return Err(StoreError::Refused("该党员已有账号，一名党员只能关联一个账号".into()));
    }
    Ok(())
}

/// Grant a role, in effect at once. Business roles need an active organization; 党员 needs the
/// account linked to a member; the combination must keep the separation of duties
/// ([`domain::account::check_role_combination`]).
///
/// For a business role this is one person's decision, so it is for the command line on the server
/// (the bootstrap of the first officer, audited as the operator) and the demo only; the pages
/// propose business roles ([`propose_grant`]) for an officer to confirm ([`confirm_grant`]).
pub async fn grant_role(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    role: Role,
    org_id: Option<i64>,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let mut roles: Vec<Role> = grants_of(tx.x(), account_id).await?.iter().map(|g| g.role).collect();
    roles.push(role);
    rules::check_role_combination(&roles).map_err(StoreError::Refused)?;
    insert_grant(&mut tx, account_id, row.member_id, role, org_id, None).await?;
    let detail = json!({ "username": row.username, "grant": grant_json(role, org_id) });
    crate::audit::record(&mut tx, scope, "account.grant", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await
}

/// Withdraw a role (for business roles, the one on `org_id`).
pub async fn revoke_role(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    role: Role,
    org_id: Option<i64>,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let n = tx
        .x()
        .execute(
            "DELETE FROM account_grant WHERE account_id = $1 AND role = $2 AND COALESCE(org_id, 0) = $3",
            &args![account_id, role.code(), org_id.unwrap_or(0)],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound("该授权"));
    }
    let detail = json!({ "username": row.username, "grant": grant_json(role, org_id) });
    crate::audit::record(&mut tx, scope, "account.revoke", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await
}

/// Disable an account and end all its sessions; returns how many sessions were ended. Its API
/// tokens stop working too (they are refused while the account is disabled).
pub async fn disable_account(store: &Store, scope: &Scope, account_id: i64) -> StoreResult<u64> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let t = now();
    tx.x()
        .execute("UPDATE account SET is_disabled = $1, updated_at = $2 WHERE id = $3", &args![true, t, account_id])
        .await?;
    let ended = end_all_in(&mut tx, account_id, t).await?;
    let detail = json!({
        "username": row.username,
        "is_disabled": { "before": row.is_disabled, "after": true },
        "sessions_ended": ended,
    });
    crate::audit::record(&mut tx, scope, "account.disable", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Enable a disabled account again.
pub async fn enable_account(store: &Store, scope: &Scope, account_id: i64) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    tx.x()
        .execute("UPDATE account SET is_disabled = $1, updated_at = $2 WHERE id = $3", &args![false, now(), account_id])
        .await?;
    let detail = json!({ "username": row.username, "is_disabled": { "before": row.is_disabled, "after": false } });
    crate::audit::record(&mut tx, scope, "account.enable", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await
}

/// Set a new password (checked against `policy`; it may not be the current one). Clears
/// "must change password", restarts the expiry clock and ends all the account's sessions, so a
/// password reset throws out whoever knew the old one (the web layer signs the user in afresh).
pub async fn set_password(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    password: &str,
    policy: &PasswordPolicy,
) -> StoreResult<()> {
    let row = fetch_row(store.read(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    policy.check(password, &row.username).map_err(|p| policy_errors("新密码", p))?;
    if verify_password(password, &row.password_hash).await {
        return Err(invalid("新密码", "新密码不能与当前密码相同"));
    }
    write_password(store, scope, &row, password, None, "account.password").await.map(|_| ())
}

/// Store a new password hash, end every session of the account and record it, in one
/// transaction. `reset_by` is the administrator resetting it: the password is then temporary,
/// and the account's business grants are suspended into pending requests in his name (see
/// [`reset_password`]); returns them.
pub(crate) async fn write_password(
    store: &Store,
    scope: &Scope,
    row: &AccountRow,
    password: &str,
    reset_by: Option<i64>,
    action: &str,
) -> StoreResult<Vec<Grant>> {
    let temporary = reset_by.is_some();
    let hash = hash_password(password).await?;
    let mut tx = store.begin().await?;
    let t = now();
    let n = tx
        .x()
        .execute(
            "UPDATE account SET password_hash = $1, has_temporary_password = $2, password_changed_at = $3, updated_at = $3 \
             WHERE id = $4",
            &args![hash, temporary, t, row.id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound("账号"));
    }
    let ended = end_all_in(&mut tx, row.id, t).await?;
    let suspended = match reset_by {
        Some(admin) => suspend_business_grants(&mut tx, row.id, admin).await?,
        None => Vec::new(),
    };
    let detail = json!({
        "username": row.username,
        "password": if temporary { "reset" } else { "changed" },
        "must_change_password": { "before": row.has_temporary_password, "after": temporary },
        "sessions_ended": ended,
        "grants_suspended": suspended.iter().map(|g| grant_json(g.role, g.org_id)).collect::<Vec<_>>(),
    });
    crate::audit::record(&mut tx, scope, action, &format!("account:{}", row.id), "ok", detail).await?;
    tx.commit().await?;
    Ok(suspended)
}

/// A user changing their own password: the current one must be right.
pub async fn change_password(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    current: &str,
    new_password: &str,
    policy: &PasswordPolicy,
) -> StoreResult<()> {
    let row = fetch_row(store.read(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if !verify_password(current, &row.password_hash).await {
        crate::audit::record_now(
            store,
            scope,
            "account.password",
            &format!("account:{account_id}"),
            "invalid",
            json!({
                "username": row.username, "reason": "current password wrong"
            }),
        )
        .await?;
        return Err(invalid("当前密码", "当前密码不正确"));
    }
    set_password(store, scope, account_id, new_password, policy).await
}
