//! 账号 repository: accounts and role grants, password sign-in with throttling and lockout,
//! server-side sessions, two-factor sign-in (TOTP and recovery codes), API tokens, and the scope
//! an account acts in.
//!
//! Who may call what is the web layer's business: account and grant changes are for 安全管理员, a
//! user may change their own password, second factor and tokens. Functions here take the caller's
//! [`Scope`] only for the audit trail's actor. Every write runs in one transaction with its audit
//! record; no password, TOTP secret, recovery code or token ever goes into a record. Two writes are
//! deliberately not audited because they are heartbeats, not changes: a session's `last_seen_at`
//! and an API token's `last_used_at` (both written at most once a minute).
//!
//! Secrets at rest: passwords as Argon2id PHC strings (default parameters: 19 MiB, 2 passes,
//! OWASP's minimum), session ids, API tokens and recovery codes as SHA-256 (they are random and
//! long, so a fast hash suffices), the TOTP secret as it is (it must be read back to verify codes;
//! see the migration for encrypting it at rest).

use std::collections::BTreeMap;
use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::account::{self as rules, PasswordPolicy, Role};
use domain::FieldErrors;
use rand::distributions::Alphanumeric;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use serde::Serialize;
use serde_json::{json, Value};

use crate::args;
use crate::db::{now, Exec, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::{Actor, Scope};

/// Login throttling: at most `max_failures` failed attempts (wrong password or wrong second
/// factor) per username within `window`, counted since the last successful sign-in; then the name
/// is locked until the oldest of those failures leaves the window. GB/T 22239-2019 8.1.4.1 b
/// (登录失败处理), OWASP ASVS 4.0.3 V2.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    pub max_failures: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    /// 5 failures in 15 minutes.
    fn default() -> Self {
        LoginLimits { max_failures: 5, window: Duration::minutes(15) }
    }
}

/// Session lifetimes (OWASP ASVS 4.0.3 V3.3.2: idle and absolute timeouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Ends a session not used for this long.
    pub idle: Duration,
    /// Ends a session this long after sign-in, used or not.
    pub absolute: Duration,
    /// Lifetime of a session whose second factor is still pending.
    pub second_factor: Duration,
    /// `last_seen_at` is written at most this often (so that every request is not a write).
    pub touch_every: Duration,
}

impl Default for SessionLimits {
    /// Idle 30 minutes, absolute 12 hours, 5 minutes to enter the second factor, touched once a
    /// minute.
    fn default() -> Self {
        SessionLimits {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
            second_factor: Duration::minutes(5),
            touch_every: Duration::minutes(1),
        }
    }
}

/// What the TOTP label in authenticator apps says before the username.
pub const TOTP_ISSUER: &str = "dangjian 基层党建";

/// An account, without its password hash or TOTP secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub member_id: Option<i64>,
    pub is_disabled: bool,
    /// The password was generated or reset by an administrator and must be changed at the next
    /// sign-in (column `has_temporary_password`). See also [`Account::needs_password_change`].
    pub must_change_password: bool,
    pub password_changed_at: DateTime<Utc>,
    /// Two-factor sign-in is switched on.
    pub has_totp: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Account {
    /// Must the user choose a new password before doing anything else: a temporary password, or
    /// one older than the policy allows.
    pub fn needs_password_change(&self, policy: &PasswordPolicy, now: DateTime<Utc>) -> bool {
        self.must_change_password || policy.is_expired(self.password_changed_at, now)
    }
}

const ACCOUNT_COLS: &str =
    "id, username, display_name, password_hash, member_id, is_disabled, has_temporary_password, \
    password_changed_at, totp_secret, totp_last_step, has_totp, created_at, updated_at";

/// A whole account row; never leaves this module (no Debug, so it cannot be logged by accident).
#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    password_hash: String,
    member_id: Option<i64>,
    is_disabled: bool,
    has_temporary_password: bool,
    password_changed_at: DateTime<Utc>,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
    has_totp: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl AccountRow {
    fn account(&self) -> Account {
        Account {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            member_id: self.member_id,
            is_disabled: self.is_disabled,
            must_change_password: self.has_temporary_password,
            password_changed_at: self.password_changed_at,
            has_totp: self.has_totp,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

async fn fetch_row(exec: Exec<'_>, id: i64) -> StoreResult<Option<AccountRow>> {
    exec.fetch_optional(&format!("SELECT {ACCOUNT_COLS} FROM account WHERE id = $1"), &args![id]).await
}

async fn fetch_row_by_username(exec: Exec<'_>, username: &str) -> StoreResult<Option<AccountRow>> {
    exec.fetch_optional(&format!("SELECT {ACCOUNT_COLS} FROM account WHERE username = $1"), &args![username]).await
}

/// One role granted to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    /// The organization whose subtree a business role covers.
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub org_path: Option<String>,
    /// Set when the organization has been dissolved: the grant then covers nothing.
    pub org_dissolved_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    account_id: i64,
    role: String,
    org_id: Option<i64>,
    org_name: Option<String>,
    org_path: Option<String>,
    org_dissolved_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
}

impl GrantRow {
    fn into_grant(self) -> Option<Grant> {
        Some(Grant {
            role: Role::from_code(&self.role)?,
            org_id: self.org_id,
            org_name: self.org_name,
            org_path: self.org_path,
            org_dissolved_on: self.org_dissolved_on,
            created_at: self.created_at,
        })
    }
}

const GRANT_SELECT: &str = "SELECT g.account_id, g.role, g.org_id, o.name AS org_name, o.path AS org_path, \
    o.dissolved_on AS org_dissolved_on, g.created_at FROM account_grant g LEFT JOIN org o ON o.id = g.org_id";

async fn grants_of(exec: Exec<'_>, account_id: i64) -> StoreResult<Vec<Grant>> {
    let rows: Vec<GrantRow> =
        exec.fetch_all(&format!("{GRANT_SELECT} WHERE g.account_id = $1 ORDER BY g.id"), &args![account_id]).await?;
    Ok(rows.into_iter().filter_map(GrantRow::into_grant).collect())
}

/// An account and its roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountWithGrants {
    #[serde(flatten)]
    pub account: Account,
    pub grants: Vec<Grant>,
}

impl AccountWithGrants {
    /// The distinct roles, most powerful first.
    pub fn roles(&self) -> Vec<Role> {
        let mut r: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        r.sort();
        r.dedup();
        r
    }
    /// The most powerful role, as the audit trail names the account's role.
    pub fn highest_role(&self) -> Option<Role> {
        rules::highest(&self.roles())
    }
    /// Must this account sign in with a second factor?
    pub fn requires_totp(&self) -> bool {
        self.grants.iter().any(|g| g.role.requires_totp())
    }
    /// The roles as one line: `党组织管理员（某某党委）、党员`.
    pub fn roles_text(&self) -> String {
        self.grants
            .iter()
            .map(|g| match (&g.org_name, g.org_id) {
                (Some(n), _) => format!("{}（{n}）", g.role.label()),
                (None, Some(id)) => format!("{}（#{id}）", g.role.label()),
                _ => g.role.label().to_string(),
            })
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// An account with its grants, by id.
pub async fn get_account_with_grants(store: &Store, id: i64) -> StoreResult<AccountWithGrants> {
    let row = fetch_row(store.read(), id).await?.ok_or(StoreError::NotFound("账号"))?;
    Ok(AccountWithGrants { account: row.account(), grants: grants_of(store.read(), id).await? })
}

/// An account with its grants, by username (any case).
pub async fn find_account(store: &Store, username: &str) -> StoreResult<AccountWithGrants> {
    let key = rules::normalize_username(username);
    let row = fetch_row_by_username(store.read(), &key).await?.ok_or(StoreError::NotFound("账号"))?;
    Ok(AccountWithGrants { account: row.account(), grants: grants_of(store.read(), row.id).await? })
}

/// Every account with its grants, by username.
pub async fn list_accounts(store: &Store) -> StoreResult<Vec<AccountWithGrants>> {
    let rows: Vec<AccountRow> =
        store.read().fetch_all(&format!("SELECT {ACCOUNT_COLS} FROM account ORDER BY username"), &[]).await?;
    let grants: Vec<GrantRow> = store.read().fetch_all(&format!("{GRANT_SELECT} ORDER BY g.id"), &[]).await?;
    let mut by_account: BTreeMap<i64, Vec<Grant>> = BTreeMap::new();
    for g in grants {
        let id = g.account_id;
        if let Some(g) = g.into_grant() {
            by_account.entry(id).or_default().push(g);
        }
    }
    Ok(rows
        .iter()
        .map(|r| AccountWithGrants { account: r.account(), grants: by_account.remove(&r.id).unwrap_or_default() })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Passwords

/// An Argon2id hash string with the default parameters (salt "dangjian-dummy-salt") that no
/// password matches. It is verified against when the account does not exist or the name is
/// locked, so that the answer takes as long as a real check.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGFuZ2ppYW4tZHVtbXktc2FsdA$3v0q9YrZbW7R1Jm1vJ6pQp2aZKk1d3Qx6B9mX0uQ2tI";

/// Passwords longer than this (in bytes) are not hashed at all (they cannot be valid: the policy
/// allows 128 characters, at most 512 bytes).
const MAX_PASSWORD_BYTES: usize = 1024;

fn hash_blocking(password: &str) -> StoreResult<String> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Refused(format!("无法生成密码盐：{e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Refused(format!("无法计算密码摘要：{e}")))
}

/// How many Argon2 verifications this process has run: lets a test prove that a sign-in for an
/// unknown account costs one verification like any other (no timing side channel), without timing.
pub static ARGON2_VERIFICATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn verify_blocking(password: &str, phc: &str) -> bool {
    ARGON2_VERIFICATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if password.len() > MAX_PASSWORD_BYTES {
        // same work as a real check, and never a match
        let _ = PasswordHash::new(DUMMY_HASH).map(|h| Argon2::default().verify_password(b"", &h));
        return false;
    }
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Argon2 takes tens of milliseconds of CPU: run it off the async workers.
async fn hash_password(password: &str) -> StoreResult<String> {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || hash_blocking(&p))
        .await
        .map_err(|_| StoreError::Refused("密码处理被中断，请重试".into()))?
}

async fn verify_password(password: &str, phc: &str) -> bool {
    let (p, h) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify_blocking(&p, &h)).await.unwrap_or(false)
}

/// A random initial password that satisfies `policy` for `username` (see
/// [`domain::account::generate_password`]).
pub fn random_password(policy: &PasswordPolicy, username: &str) -> String {
    loop {
        let p = rules::generate_password(&mut OsRng);
        if policy.check(&p, username).is_ok() {
            return p;
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(domain::FieldError::new(field, message).into())
}

fn policy_errors(field: &'static str, problems: Vec<String>) -> FieldErrors {
    let mut e = FieldErrors::default();
    for p in problems {
        e.push(field, p);
    }
    e
}

// ---------------------------------------------------------------------------------------------
// Accounts and grants

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
    /// Roles to grant at once, with their organizations for business roles.
    pub grants: Vec<(Role, Option<i64>)>,
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
            .finish()
    }
}

fn grant_json(role: Role, org_id: Option<i64>) -> Value {
    json!({ "role": role.code(), "role_label": role.label(), "org_id": org_id })
}

/// Check one grant against the database (organization, member link) and insert it.
async fn insert_grant(
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
    tx.x()
        .execute(
            "INSERT INTO account_grant (account_id, role, org_id, created_at) VALUES ($1, $2, $3, $4)",
            &args![account_id, role.code(), org_id, now()],
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
             password_changed_at, has_totp, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $7) RETURNING id",
            &args![username.clone(), display_name.clone(), hash, new.member_id, false, new.must_change_password, t, false],
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
        insert_grant(&mut tx, id, new.member_id, *role, *org).await?;
    }
    let detail = json!({ "after": {
        "username": username,
        "display_name": display_name,
        "member_id": new.member_id,
        "must_change_password": new.must_change_password,
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

/// Grant a role. Business roles need an active organization; 党员 needs the account linked to a
/// member; the combination must keep the separation of duties
/// ([`domain::account::check_role_combination`]).
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
    insert_grant(&mut tx, account_id, row.member_id, role, org_id).await?;
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
    write_password(store, scope, &row, password, false, "account.password").await
}

/// Store a new password hash, mark it temporary or not, end every session of the account and
/// record it, in one transaction.
async fn write_password(
    store: &Store,
    scope: &Scope,
    row: &AccountRow,
    password: &str,
    temporary: bool,
    action: &str,
) -> StoreResult<()> {
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
    let detail = json!({
        "username": row.username,
        "password": if temporary { "reset" } else { "changed" },
        "must_change_password": { "before": row.has_temporary_password, "after": temporary },
        "sessions_ended": ended,
    });
    crate::audit::record(&mut tx, scope, action, &format!("account:{}", row.id), "ok", detail).await?;
    tx.commit().await
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

// ---------------------------------------------------------------------------------------------
// Sign-in

/// The answer to a sign-in attempt. A wrong password and an unknown username give the same
/// `Invalid`, after the same work (an Argon2 verification either way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The password is right. With `needs_totp` the second factor must follow
    /// ([`verify_totp_or_recovery`]) before the session is complete; with `must_enrol_totp` the
    /// account's roles require a second factor it has not set up yet, so enrolment must follow.
    Ok {
        account: Account,
        needs_totp: bool,
        must_enrol_totp: bool,
    },
    Invalid,
    /// Too many failures for this username: no password is checked until `until`.
    Locked {
        until: DateTime<Utc>,
    },
    /// The password is right but the account is disabled.
    Disabled,
}

/// The lower-cased username a throttling row is kept under (cut to 64 characters).
fn username_key(username: &str) -> String {
    rules::normalize_username(username).chars().take(64).collect()
}

/// When the name is locked at `now`, until when.
async fn locked_until(
    store: &Store,
    key: &str,
    now: DateTime<Utc>,
    limits: &LoginLimits,
) -> StoreResult<Option<DateTime<Utc>>> {
    if limits.max_failures == 0 {
        return Ok(None);
    }
    let mut since = now - limits.window;
    // only a success inside the window moves the start of the count
    let (last_success,): (Option<DateTime<Utc>>,) = store
        .read()
        .fetch_one(
            "SELECT MAX(attempted_at) FROM login_attempt WHERE username_key = $1 AND is_success = $2 \
             AND attempted_at > $3 AND attempted_at <= $4",
            &args![key, true, since, now],
        )
        .await?;
    if let Some(s) = last_success {
        since = since.max(s);
    }
    let failures: Vec<(DateTime<Utc>,)> = store
        .read()
        .fetch_all(
            "SELECT attempted_at FROM login_attempt WHERE username_key = $1 AND attempted_at > $2 AND attempted_at <= $3 \
             AND outcome IN ('invalid', 'second_factor_invalid') ORDER BY attempted_at DESC LIMIT $4",
            &args![key, since, now, i64::from(limits.max_failures)],
        )
        .await?;
    if failures.len() < limits.max_failures as usize {
        return Ok(None);
    }
    Ok(failures.last().map(|(oldest,)| *oldest + limits.window))
}

/// Record an attempt and its audit record in one transaction.
#[allow(clippy::too_many_arguments)]
async fn record_attempt(
    store: &Store,
    scope: &Scope,
    key: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
    outcome: &str,
    is_success: bool,
    detail: Value,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    tx.x()
        .execute(
            "INSERT INTO login_attempt (username_key, attempted_at, ip, is_success, outcome) VALUES ($1, $2, $3, $4, $5)",
            &args![key, now, ip, is_success, outcome],
        )
        .await?;
    crate::audit::record(&mut tx, scope, "account.login", &format!("login:{key}"), outcome, detail).await?;
    tx.commit().await
}

/// Delete sign-in attempts older than `before` (they only matter within the lockout window; the
/// audit trail keeps every attempt). Returns how many were deleted.
pub async fn prune_login_attempts(store: &Store, scope: &Scope, before: DateTime<Utc>) -> StoreResult<u64> {
    let mut tx = store.begin().await?;
    let n = tx.x().execute("DELETE FROM login_attempt WHERE attempted_at < $1", &args![before]).await?;
    let detail = json!({ "before": before, "deleted": n });
    crate::audit::record(&mut tx, scope, "login_attempt.prune", "login_attempt", "ok", detail).await?;
    tx.commit().await?;
    Ok(n)
}

/// The actor of a sign-in attempt: the name typed, not yet anyone.
fn attempt_scope(key: &str, role: &str, ip: Option<&str>) -> Scope {
    let mut a = Actor::new(key, role);
    a.source_ip = ip.map(str::to_string);
    Scope::none().acting_as(a)
}

/// Check a username and password. Every attempt is recorded (in `login_attempt` and the audit
/// trail); failures lock the name per [`LoginLimits`], whether or not an account has it.
pub async fn verify_login(
    store: &Store,
    username: &str,
    password: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
    limits: &LoginLimits,
) -> StoreResult<LoginOutcome> {
    let key = username_key(username);
    let anonymous = attempt_scope(&key, "未登录", ip);
    if let Some(until) = locked_until(store, &key, now, limits).await? {
        verify_password(password, DUMMY_HASH).await;
        record_attempt(store, &anonymous, &key, ip, now, "locked", false, json!({ "locked_until": until })).await?;
        return Ok(LoginOutcome::Locked { until });
    }
    let row = fetch_row_by_username(store.read(), &key).await?;
    let hash = row.as_ref().map_or(DUMMY_HASH, |r| r.password_hash.as_str());
    let matches = verify_password(password, hash).await;
    let Some(row) = row.filter(|_| matches) else {
        record_attempt(store, &anonymous, &key, ip, now, "invalid", false, json!({})).await?;
        // this failure may be the one that locks the name
        if let Some(until) = locked_until(store, &key, now, limits).await? {
            return Ok(LoginOutcome::Locked { until });
        }
        return Ok(LoginOutcome::Invalid);
    };
    if row.is_disabled {
        record_attempt(store, &anonymous, &key, ip, now, "disabled", false, json!({ "account_id": row.id })).await?;
        return Ok(LoginOutcome::Disabled);
    }
    let full = AccountWithGrants { account: row.account(), grants: grants_of(store.read(), row.id).await? };
    let needs_totp = row.has_totp;
    let must_enrol_totp = !row.has_totp && full.requires_totp();
    let role = full.highest_role().map_or("无角色", Role::label);
    let (outcome, success) = if needs_totp { ("password_ok", false) } else { ("ok", true) };
    let detail = json!({ "account_id": row.id, "needs_totp": needs_totp, "must_enrol_totp": must_enrol_totp });
    record_attempt(store, &attempt_scope(&key, role, ip), &key, ip, now, outcome, success, detail).await?;
    Ok(LoginOutcome::Ok { account: full.account, needs_totp, must_enrol_totp })
}

// ---------------------------------------------------------------------------------------------
// Sessions

/// A session just created: the token for the cookie (shown once, stored only as its SHA-256) and
/// the CSRF token for forms. `Debug` leaves the token out.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub is_totp_pending: bool,
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("token", &"［不显示］")
            .field("expires_at", &self.expires_at)
            .field("is_totp_pending", &self.is_totp_pending)
            .finish()
    }
}

/// A live session, as [`touch_session`] finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Session {
    pub account_id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(skip)]
    pub csrf_token: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
    pub is_totp_pending: bool,
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    OsRng.fill_bytes(&mut b);
    rules::hex(&b)
}

/// What the audit trail says about a session: a prefix of its stored id (the hash, not the token).
fn session_ref(id_hash: &str) -> String {
    id_hash.chars().take(12).collect()
}

/// Start a session for an account after sign-in: always a new random id (never one the browser
/// brought). `totp_pending` sessions last [`SessionLimits::second_factor`] and allow nothing but
/// the second factor; [`promote_session`] replaces them once it is given.
#[allow(clippy::too_many_arguments)]
pub async fn create_session(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    ip: Option<&str>,
    user_agent: Option<&str>,
    now: DateTime<Utc>,
    limits: &SessionLimits,
    totp_pending: bool,
) -> StoreResult<NewSession> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if row.is_disabled {
        return Err(StoreError::Refused("账号已停用，不能登录".into()));
    }
    let s = insert_session(&mut tx, account_id, ip, user_agent, now, limits, totp_pending).await?;
    let detail = json!({
        "session": session_ref(&rules::sha256_hex(&s.token)),
        "username": row.username,
        "is_totp_pending": totp_pending,
        "expires_at": s.expires_at,
    });
    crate::audit::record(&mut tx, scope, "session.create", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await?;
    Ok(s)
}

async fn insert_session(
    tx: &mut Tx,
    account_id: i64,
    ip: Option<&str>,
    user_agent: Option<&str>,
    now: DateTime<Utc>,
    limits: &SessionLimits,
    totp_pending: bool,
) -> StoreResult<NewSession> {
    let token = random_hex(32);
    let csrf_token = random_hex(32);
    let expires_at = now + if totp_pending { limits.second_factor } else { limits.absolute };
    let user_agent: Option<String> = user_agent.map(|u| u.chars().take(300).collect());
    tx.x()
        .execute(
            "INSERT INTO session (id, account_id, created_at, last_seen_at, expires_at, csrf_token, ip, user_agent, is_totp_pending) \
             VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8)",
            &args![rules::sha256_hex(&token), account_id, now, expires_at, csrf_token.clone(), ip, user_agent, totp_pending],
        )
        .await?;
    Ok(NewSession { token, csrf_token, expires_at, is_totp_pending: totp_pending })
}

#[derive(sqlx::FromRow)]
struct SessionWithAccount {
    #[sqlx(flatten)]
    session: Session,
    is_disabled: bool,
    orgs_generation: i64,
}

const SESSION_COLS: &str =
    "account_id, created_at, last_seen_at, expires_at, csrf_token, ip, user_agent, ended_at, is_totp_pending";

/// The live session for a cookie token at `now`, or `None` when there is none, it has ended, it
/// has been idle longer than [`SessionLimits::idle`], it is past its absolute end, or its account
/// is disabled. An expired session is ended (and audited) on the way. `last_seen_at` is moved on
/// at most every [`SessionLimits::touch_every`].
pub async fn touch_session(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> StoreResult<Option<Session>> {
    Ok(touch_session_with(store, token, now, limits).await?.map(|(s, _)| s))
}

/// [`touch_session`], with the data generations read in the same statement: a request's view of
/// them, at no further cost (see [`crate::generation`]).
pub async fn touch_session_with(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> StoreResult<Option<(Session, crate::generation::Generations)>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let id = rules::sha256_hex(token);
    // one read: the session, whether its account is disabled, and the data generations (the
    // statement is written once: every page asks this first)
    static SQL: std::sync::LazyLock<(String, String)> = std::sync::LazyLock::new(|| {
        let cols: Vec<String> = SESSION_COLS.split(", ").map(|c| format!("s.{c}")).collect();
        let sql = format!(
            "SELECT {}, a.is_disabled, {} AS orgs_generation FROM session s JOIN account a ON a.id = s.account_id WHERE s.id = $1",
            cols.join(", "),
            crate::generation::COLUMNS
        );
        let lite = crate::db::lite(&sql);
        (sql, lite)
    });
    let (sql, lite) = &*SQL;
    // on SQLite on this thread
    let direct = store.direct(|c| {
        use rusqlite::OptionalExtension;
        c.prepare_cached(lite)?
            .query_row([&id], |r| {
                Ok(SessionWithAccount {
                    session: Session {
                        account_id: r.get(0)?,
                        created_at: crate::db::direct_time(r, 1)?,
                        last_seen_at: crate::db::direct_time(r, 2)?,
                        expires_at: crate::db::direct_time(r, 3)?,
                        csrf_token: r.get(4)?,
                        ip: r.get(5)?,
                        user_agent: r.get(6)?,
                        ended_at: crate::db::direct_opt_time(r, 7)?,
                        is_totp_pending: r.get(8)?,
                    },
                    is_disabled: r.get(9)?,
                    orgs_generation: r.get(10)?,
                })
            })
            .optional()
    });
    let row: Option<SessionWithAccount> = match direct {
        Some(r) => r?,
        None => store.read().fetch_optional(sql, &args![id.clone()]).await?,
    };
    let Some(SessionWithAccount { session: mut s, is_disabled: disabled, orgs_generation }) = row else {
        return Ok(None);
    };
    let generations = crate::generation::Generations { orgs: orgs_generation };
    if s.ended_at.is_some() {
        return Ok(None);
    }
    let reason = if disabled {
        Some("account_disabled")
    } else if now >= s.expires_at {
        Some("absolute_timeout")
    } else if now - s.last_seen_at >= limits.idle {
        Some("idle_timeout")
    } else {
        None
    };
    if let Some(reason) = reason {
        let mut tx = store.begin().await?;
        let n = tx
            .x()
            .execute("UPDATE session SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL", &args![now, id.clone()])
            .await?;
        if n > 0 {
            let detail = json!({ "session": session_ref(&id), "reason": reason });
            crate::audit::record(
                &mut tx,
                &Scope::none(),
                "session.end",
                &format!("account:{}", s.account_id),
                "ok",
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        return Ok(None);
    }
    if now - s.last_seen_at >= limits.touch_every {
        let mut tx = store.begin().await?;
        tx.x()
            .execute(
                "UPDATE session SET last_seen_at = $1 WHERE id = $2 AND ended_at IS NULL AND last_seen_at < $1",
                &args![now, id],
            )
            .await?;
        tx.commit().await?;
        s.last_seen_at = now;
    }
    Ok(Some((s, generations)))
}

/// Sign out: end the session with this token. `false` if there was no live session.
pub async fn end_session(store: &Store, scope: &Scope, token: &str) -> StoreResult<bool> {
    let id = rules::sha256_hex(token);
    let mut tx = store.begin().await?;
    let row: Option<(i64,)> = tx
        .x()
        .fetch_optional("SELECT account_id FROM session WHERE id = $1 AND ended_at IS NULL", &args![id.clone()])
        .await?;
    let Some((account_id,)) = row else { return Ok(false) };
    tx.x().execute("UPDATE session SET ended_at = $1 WHERE id = $2", &args![now(), id.clone()]).await?;
    let detail = json!({ "session": session_ref(&id), "reason": "logout" });
    crate::audit::record(&mut tx, scope, "session.end", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await?;
    Ok(true)
}

async fn end_all_in(tx: &mut Tx, account_id: i64, at: DateTime<Utc>) -> StoreResult<u64> {
    tx.x()
        .execute("UPDATE session SET ended_at = $1 WHERE account_id = $2 AND ended_at IS NULL", &args![at, account_id])
        .await
}

/// End every live session of an account; returns how many.
pub async fn end_all_sessions(store: &Store, scope: &Scope, account_id: i64) -> StoreResult<u64> {
    let mut tx = store.begin().await?;
    fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let n = end_all_in(&mut tx, account_id, now()).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "session.end_all",
        &format!("account:{account_id}"),
        "ok",
        json!({ "sessions_ended": n }),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// After the second factor: end the pending session and start a full one under a new id (a new
/// session id whenever the privilege level changes, OWASP ASVS 4.0.3 V3.2.1). `None` if the token
/// has no live session.
pub async fn promote_session(
    store: &Store,
    scope: &Scope,
    token: &str,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> StoreResult<Option<NewSession>> {
    let Some(old) = touch_session(store, token, now, limits).await? else { return Ok(None) };
    let id = rules::sha256_hex(token);
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute("UPDATE session SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL", &args![now, id.clone()])
        .await?;
    if n == 0 {
        return Ok(None);
    }
    let s = insert_session(&mut tx, old.account_id, old.ip.as_deref(), old.user_agent.as_deref(), now, limits, false)
        .await?;
    let detail = json!({
        "ended": session_ref(&id),
        "session": session_ref(&rules::sha256_hex(&s.token)),
        "expires_at": s.expires_at,
    });
    crate::audit::record(&mut tx, scope, "session.promote", &format!("account:{}", old.account_id), "ok", detail)
        .await?;
    tx.commit().await?;
    Ok(Some(s))
}

// ---------------------------------------------------------------------------------------------
// Two-factor sign-in

/// What an authenticator app needs: the secret (to type in) and the `otpauth://` URI (for a QR
/// code). Shown once, during enrolment. `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub uri: String,
}

impl fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpEnrolment { ［不显示］ }")
    }
}

/// Start two-factor enrolment: a new secret, in use only once [`confirm_totp`] sees a code from it.
pub async fn begin_totp_enrolment(store: &Store, scope: &Scope, account_id: i64) -> StoreResult<TotpEnrolment> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if row.has_totp {
        return Err(StoreError::Refused("已启用两步验证。更换手机须由安全管理员先重置两步验证，再重新绑定".into()));
    }
    let secret = rules::new_totp_secret(&mut OsRng);
    let b32 = rules::base32_encode(&secret);
    tx.x()
        .execute(
            "UPDATE account SET totp_secret = $1, totp_last_step = NULL, updated_at = $2 WHERE id = $3",
            &args![b32.clone(), now(), account_id],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "account.totp_begin",
        &format!("account:{account_id}"),
        "ok",
        json!({ "username": row.username }),
    )
    .await?;
    tx.commit().await?;
    Ok(TotpEnrolment { uri: rules::otpauth_uri(TOTP_ISSUER, &row.username, &secret), secret_base32: b32 })
}

async fn store_recovery_codes(tx: &mut Tx, account_id: i64) -> StoreResult<Vec<String>> {
    let codes = rules::generate_recovery_codes(&mut OsRng, rules::RECOVERY_CODES);
    tx.x().execute("DELETE FROM recovery_code WHERE account_id = $1", &args![account_id]).await?;
    let t = now();
    for c in &codes {
        let hash = rules::hash_recovery_code(&account_id.to_string(), c).unwrap_or_default();
        tx.x()
            .execute(
                "INSERT INTO recovery_code (account_id, code_hash, created_at) VALUES ($1, $2, $3)",
                &args![account_id, hash, t],
            )
            .await?;
    }
    Ok(codes)
}

/// Finish enrolment with a code from the app: two-factor sign-in is on, and the returned
/// [`domain::account::RECOVERY_CODES`] recovery codes are shown to the user once.
pub async fn confirm_totp(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<String>> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if row.has_totp {
        return Err(StoreError::Refused("已启用两步验证".into()));
    }
    let secret = row
        .totp_secret
        .as_deref()
        .and_then(rules::base32_decode)
        .ok_or_else(|| StoreError::Refused("请先开始绑定验证器".into()))?;
    let Some(step) = rules::verify_totp(&secret, code, now.timestamp(), row.totp_last_step) else {
        return Err(invalid("验证码", "验证码不正确或已过期，请输入验证器当前显示的 6 位数字"));
    };
    tx.x()
        .execute(
            "UPDATE account SET has_totp = $1, totp_last_step = $2, updated_at = $3 WHERE id = $4",
            &args![true, step, crate::db::now(), account_id],
        )
        .await?;
    let codes = store_recovery_codes(&mut tx, account_id).await?;
    let detail = json!({ "username": row.username, "has_totp": { "before": false, "after": true }, "recovery_codes_issued": codes.len() });
    crate::audit::record(&mut tx, scope, "account.totp_enable", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Replace the recovery codes with new ones (shown once).
pub async fn regenerate_recovery_codes(store: &Store, scope: &Scope, account_id: i64) -> StoreResult<Vec<String>> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if !row.has_totp {
        return Err(StoreError::Refused("尚未启用两步验证".into()));
    }
    let codes = store_recovery_codes(&mut tx, account_id).await?;
    let detail = json!({ "username": row.username, "recovery_codes_issued": codes.len() });
    crate::audit::record(&mut tx, scope, "account.recovery_codes", &format!("account:{account_id}"), "ok", detail)
        .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Switch two-factor sign-in off and forget the secret and recovery codes (a 安全管理员 does this
/// for a user who lost their phone; accounts whose roles require it must enrol again at sign-in).
pub async fn reset_totp(store: &Store, scope: &Scope, account_id: i64) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    tx.x()
        .execute(
            "UPDATE account SET has_totp = $1, totp_secret = NULL, totp_last_step = NULL, updated_at = $2 WHERE id = $3",
            &args![false, now(), account_id],
        )
        .await?;
    tx.x().execute("DELETE FROM recovery_code WHERE account_id = $1", &args![account_id]).await?;
    let detail = json!({ "username": row.username, "has_totp": { "before": row.has_totp, "after": false } });
    crate::audit::record(&mut tx, scope, "account.totp_reset", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await
}

/// The answer to a second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorOutcome {
    Ok { used_recovery_code: bool, recovery_codes_left: i64 },
    Invalid,
    Locked { until: DateTime<Utc> },
}

/// Check a TOTP code (one step of drift either way, never the same step twice) or a recovery code
/// (each once). Failures count towards the same lockout as wrong passwords, so a stolen password
/// does not buy unlimited guesses at the code. The source IP is the scope's actor's.
pub async fn verify_totp_or_recovery(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    code: &str,
    now: DateTime<Utc>,
    limits: &LoginLimits,
) -> StoreResult<SecondFactorOutcome> {
    let row = fetch_row(store.read(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let key = username_key(&row.username);
    let ip = scope.actor().source_ip.clone();
    if let Some(until) = locked_until(store, &key, now, limits).await? {
        record_attempt(store, scope, &key, ip.as_deref(), now, "locked", false, json!({ "locked_until": until }))
            .await?;
        return Ok(SecondFactorOutcome::Locked { until });
    }
    let secret = row.totp_secret.as_deref().filter(|_| row.has_totp && !row.is_disabled).and_then(rules::base32_decode);
    let mut tx = store.begin().await?;
    let mut method = "totp";
    let ok = match (&secret, rules::hash_recovery_code(&account_id.to_string(), code)) {
        (None, _) => false,
        (Some(_), Some(hash)) => {
            method = "recovery_code";
            tx.x()
                .execute(
                    "UPDATE recovery_code SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
                    &args![now, account_id, hash],
                )
                .await?
                == 1
        }
        (Some(secret), None) => match rules::verify_totp(secret, code, now.timestamp(), row.totp_last_step) {
            // the condition makes a concurrent second use of the same code fail
            Some(step) => {
                tx.x()
                    .execute(
                        "UPDATE account SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
                        &args![step, account_id],
                    )
                    .await?
                    == 1
            }
            None => false,
        },
    };
    let left = tx
        .x()
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM recovery_code WHERE account_id = $1 AND used_at IS NULL",
            &args![account_id],
        )
        .await?;
    let outcome = if ok { "second_factor_ok" } else { "second_factor_invalid" };
    tx.x()
        .execute(
            "INSERT INTO login_attempt (username_key, attempted_at, ip, is_success, outcome) VALUES ($1, $2, $3, $4, $5)",
            &args![key.clone(), now, ip, ok, outcome],
        )
        .await?;
    let detail = json!({ "account_id": account_id, "method": method, "recovery_codes_left": left });
    crate::audit::record(&mut tx, scope, "account.login", &format!("login:{key}"), outcome, detail).await?;
    tx.commit().await?;
    if ok {
        return Ok(SecondFactorOutcome::Ok {
            used_recovery_code: method == "recovery_code",
            recovery_codes_left: left,
        });
    }
    if let Some(until) = locked_until(store, &key, now, limits).await? {
        return Ok(SecondFactorOutcome::Locked { until });
    }
    Ok(SecondFactorOutcome::Invalid)
}

// ---------------------------------------------------------------------------------------------
// API tokens

/// Prefix of every API token, so that a leaked one is recognisable (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "dj_";
const API_TOKEN_RANDOM_CHARS: usize = 40;

/// An API token's record (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const TOKEN_COLS: &str = "t.id, t.account_id, t.name, t.created_at, t.last_used_at, t.revoked_at";

/// Create an API token acting as the account (with the account's scope). Returns the record and
/// the token, which is shown once and stored only as its SHA-256.
pub async fn create_api_token(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> StoreResult<(ApiToken, String)> {
    let name = name.trim();
    match name.chars().count() {
        0 => return Err(invalid("令牌名称", "请为令牌起个名字，说明它的用途")),
        n if n > 50 => return Err(invalid("令牌名称", "令牌名称不能超过 50 个字符")),
        _ => {}
    }
    let random: String = OsRng.sample_iter(Alphanumeric).take(API_TOKEN_RANDOM_CHARS).map(char::from).collect();
    let token = format!("{API_TOKEN_PREFIX}{random}");
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if row.is_disabled {
        return Err(StoreError::Refused("账号已停用，不能创建令牌".into()));
    }
    let (id,): (i64,) = tx
        .x()
        .fetch_one(
            "INSERT INTO api_token (account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            &args![account_id, name, rules::sha256_hex(&token), now],
        )
        .await?;
    let detail = json!({ "account_id": account_id, "username": row.username, "name": name });
    crate::audit::record(&mut tx, scope, "api_token.create", &format!("api_token:{id}"), "ok", detail).await?;
    tx.commit().await?;
    let t = ApiToken { id, account_id, name: name.to_string(), created_at: now, last_used_at: None, revoked_at: None };
    Ok((t, token))
}

/// The token's record and account, when the token is live (not revoked, account not disabled).
/// Moves `last_used_at` on (at most once a minute).
pub async fn resolve_api_token(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<(ApiToken, Account)>> {
    let token = token.trim();
    if !token.starts_with(API_TOKEN_PREFIX) || token.len() != API_TOKEN_PREFIX.len() + API_TOKEN_RANDOM_CHARS {
        return Ok(None);
    }
    let t: Option<ApiToken> = store
        .read()
        .fetch_optional(
            &format!("SELECT {TOKEN_COLS} FROM api_token t WHERE t.token_hash = $1 AND t.revoked_at IS NULL"),
            &args![rules::sha256_hex(token)],
        )
        .await?;
    let Some(mut t) = t else { return Ok(None) };
    let Some(acc) = fetch_row(store.read(), t.account_id).await?.filter(|a| !a.is_disabled) else { return Ok(None) };
    if t.last_used_at.is_none_or(|at| now - at >= Duration::minutes(1)) {
        let mut tx = store.begin().await?;
        tx.x().execute("UPDATE api_token SET last_used_at = $1 WHERE id = $2", &args![now, t.id]).await?;
        tx.commit().await?;
        t.last_used_at = Some(now);
    }
    Ok(Some((t, acc.account())))
}

/// An account's tokens, newest first (revoked ones included).
pub async fn list_api_tokens(store: &Store, account_id: i64) -> StoreResult<Vec<ApiToken>> {
    store
        .read()
        .fetch_all(
            &format!("SELECT {TOKEN_COLS} FROM api_token t WHERE t.account_id = $1 ORDER BY t.id DESC"),
            &args![account_id],
        )
        .await
}

/// Revoke one of the account's tokens (the account id guards against revoking someone else's).
pub async fn revoke_api_token(store: &Store, scope: &Scope, account_id: i64, token_id: i64) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
            &args![now(), token_id, account_id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound("API 令牌"));
    }
    crate::audit::record(
        &mut tx,
        scope,
        "api_token.revoke",
        &format!("api_token:{token_id}"),
        "ok",
        json!({ "account_id": account_id }),
    )
    .await?;
    tx.commit().await
}

// ---------------------------------------------------------------------------------------------
// Scope

/// The scope an account acts in, and as whom: the union of the subtrees of its business grants
/// (on active organizations), plus its own branch (the linked member's organization) for 党员;
/// nothing for the administrator triad, a disabled account or one without roles. The actor is the
/// username with its most powerful role. The web layer adds the source IP and should compute this
/// per request (or cache it briefly), so that a revoked grant takes effect at once.
pub async fn scope_for(store: &Store, account_id: i64) -> StoreResult<Scope> {
    Ok(scope_and_account(store, account_id).await?.0)
}

/// [`scope_for`] together with the account it was computed from (one read of the account and its
/// grants, for a request that needs both).
pub async fn scope_and_account(store: &Store, account_id: i64) -> StoreResult<(Scope, AccountWithGrants)> {
    let acc = get_account_with_grants(store, account_id).await?;
    let scope = scope_of(store, &acc).await?;
    Ok((scope, acc))
}

async fn scope_of(store: &Store, acc: &AccountWithGrants) -> StoreResult<Scope> {
    let role = acc.highest_role().map_or("无角色", Role::label);
    let actor = Actor::new(acc.account.username.clone(), role);
    if acc.account.is_disabled {
        return Ok(Scope::none().acting_as(actor));
    }
    let mut paths: Vec<String> = acc
        .grants
        .iter()
        .filter(|g| g.role.needs_org() && g.org_dissolved_on.is_none())
        .filter_map(|g| g.org_path.clone())
        .collect();
    if let (true, Some(mid)) = (acc.grants.iter().any(|g| g.role == Role::Member), acc.account.member_id) {
        let own: Option<(String,)> = store
            .read()
            .fetch_optional("SELECT path FROM member WHERE id = $1 AND status = 'normal'", &args![mid])
            .await?;
        paths.extend(own.map(|(p,)| p));
    }
    let scope = if paths.is_empty() { Scope::none() } else { Scope::subtrees(paths) };
    Ok(scope.acting_as(actor))
}

// ---------------------------------------------------------------------------------------------
// The account security page and the 安全管理员's pages

/// How the audit trail and the session list name the session behind a cookie token (a prefix of
/// its stored hash, never the token).
pub fn session_reference(token: &str) -> String {
    session_ref(&rules::sha256_hex(token))
}

/// One live session of an account, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    /// See [`session_reference`].
    pub reference: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionInfoRow {
    id: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    ip: Option<String>,
    user_agent: Option<String>,
}

/// The live (not ended, not timed out, second factor done) sessions of an account at `now`, most
/// recently used first.
pub async fn live_sessions(
    store: &Store,
    account_id: i64,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> StoreResult<Vec<SessionInfo>> {
    let rows: Vec<SessionInfoRow> = store
        .read()
        .fetch_all(
            "SELECT id, created_at, last_seen_at, expires_at, ip, user_agent FROM session WHERE account_id = $1 \
             AND ended_at IS NULL AND is_totp_pending = $2 AND expires_at > $3 AND last_seen_at > $4 \
             ORDER BY last_seen_at DESC LIMIT 100",
            &args![account_id, false, now, now - limits.idle],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            reference: session_ref(&r.id),
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            ip: r.ip,
            user_agent: r.user_agent,
        })
        .collect())
}

/// How many live sessions an account has at `now` (see [`live_sessions`]).
pub async fn count_live_sessions(
    store: &Store,
    account_id: i64,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> StoreResult<i64> {
    store
        .read()
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM session WHERE account_id = $1 AND ended_at IS NULL \
             AND is_totp_pending = $2 AND expires_at > $3 AND last_seen_at > $4",
            &args![account_id, false, now, now - limits.idle],
        )
        .await
}

/// End every session of the account except the one with this cookie token ("sign out
/// everywhere else"); returns how many were ended.
pub async fn end_other_sessions(store: &Store, scope: &Scope, account_id: i64, keep_token: &str) -> StoreResult<u64> {
    let keep = rules::sha256_hex(keep_token);
    let mut tx = store.begin().await?;
    fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let n = tx
        .x()
        .execute(
            "UPDATE session SET ended_at = $1 WHERE account_id = $2 AND ended_at IS NULL AND id <> $3",
            &args![now(), account_id, keep.clone()],
        )
        .await?;
    let detail = json!({ "kept": session_ref(&keep), "sessions_ended": n });
    crate::audit::record(&mut tx, scope, "session.end_others", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await?;
    Ok(n)
}

/// How many unused recovery codes the account has left.
pub async fn recovery_codes_left(store: &Store, account_id: i64) -> StoreResult<i64> {
    store
        .read()
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM recovery_code WHERE account_id = $1 AND used_at IS NULL",
            &args![account_id],
        )
        .await
}

/// The enrolment begun with [`begin_totp_enrolment`] and not yet confirmed, so the page can show
/// the secret again after a mistyped code. `None` when two-factor sign-in is already on or no
/// enrolment was begun.
pub async fn pending_totp_enrolment(store: &Store, account_id: i64) -> StoreResult<Option<TotpEnrolment>> {
    let row = fetch_row(store.read(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if row.has_totp {
        return Ok(None);
    }
    Ok(row.totp_secret.as_deref().and_then(|b32| {
        let secret = rules::base32_decode(b32)?;
        Some(TotpEnrolment {
            uri: rules::otpauth_uri(TOTP_ISSUER, &row.username, &secret),
            secret_base32: b32.to_string(),
        })
    }))
}

/// A user switching their own two-factor sign-in off, confirmed with their password. Refused
/// when one of the account's roles requires it ([`Role::requires_totp`]). A wrong password is
/// recorded like a wrong current password at a password change.
pub async fn disable_totp(store: &Store, scope: &Scope, account_id: i64, password: &str) -> StoreResult<()> {
    let acc = get_account_with_grants(store, account_id).await?;
    if acc.requires_totp() {
        return Err(StoreError::Refused(
            "您的角色要求两步验证，不能关闭。更换手机请联系安全管理员重置后重新绑定".into(),
        ));
    }
    if !acc.account.has_totp {
        return Err(StoreError::Refused("尚未启用两步验证".into()));
    }
    let row = fetch_row(store.read(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if !verify_password(password, &row.password_hash).await {
        crate::audit::record_now(
            store,
            scope,
            "account.totp_disable",
            &format!("account:{account_id}"),
            "invalid",
            json!({ "username": row.username, "reason": "current password wrong" }),
        )
        .await?;
        return Err(invalid("当前密码", "当前密码不正确"));
    }
    let mut tx = store.begin().await?;
    tx.x()
        .execute(
            "UPDATE account SET has_totp = $1, totp_secret = NULL, totp_last_step = NULL, updated_at = $2 WHERE id = $3",
            &args![false, now(), account_id],
        )
        .await?;
    tx.x().execute("DELETE FROM recovery_code WHERE account_id = $1", &args![account_id]).await?;
    let detail = json!({ "username": row.username, "has_totp": { "before": true, "after": false } });
    crate::audit::record(&mut tx, scope, "account.totp_disable", &format!("account:{account_id}"), "ok", detail)
        .await?;
    tx.commit().await
}

/// A 安全管理员 resetting someone's password: a generated temporary password (returned, to be
/// handed over once) that must be changed at the next sign-in. Ends all the account's sessions.
pub async fn reset_password(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    policy: &PasswordPolicy,
) -> StoreResult<String> {
    let row = fetch_row(store.read(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let password = random_password(policy, &row.username);
    write_password(store, scope, &row, &password, true, "account.password_reset").await?;
    Ok(password)
}

/// What to search the account list by.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Part of the username or the display name.
    pub q: Option<String>,
    /// Accounts holding this role.
    pub role: Option<Role>,
}

/// Accounts by username, one page at a time, with their grants.
pub async fn search_accounts(
    store: &Store,
    f: &AccountFilter,
    page: i64,
    per_page: i64,
) -> StoreResult<crate::member::Page<AccountWithGrants>> {
    let per_page = per_page.clamp(1, 500);
    let page = page.max(1);
    let mut where_ = String::from("1 = 1");
    let mut a: Vec<crate::Val> = Vec::new();
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let esc = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        a.push(crate::Val::from(format!("%{esc}%")));
        let n = a.len();
        where_.push_str(&format!(
            " AND (a.username LIKE ${n} ESCAPE '\\' OR LOWER(a.display_name) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(r) = f.role {
        a.push(crate::Val::from(r.code()));
        where_.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM account_grant g WHERE g.account_id = a.id AND g.role = ${})",
            a.len()
        ));
    }
    let total =
        store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM account a WHERE {where_}"), &a).await?;
    let n = a.len();
    a.push(crate::Val::from(per_page));
    a.push(crate::Val::from((page - 1) * per_page));
    let cols = ACCOUNT_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
    let rows: Vec<AccountRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {cols} FROM account a WHERE {where_} ORDER BY a.username LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &a,
        )
        .await?;
    let mut by_account: BTreeMap<i64, Vec<Grant>> = BTreeMap::new();
    if !rows.is_empty() {
        let ids: Vec<crate::Val> = rows.iter().map(|r| crate::Val::from(r.id)).collect();
        let marks = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let grants: Vec<GrantRow> = store
            .read()
            .fetch_all(&format!("{GRANT_SELECT} WHERE g.account_id IN ({marks}) ORDER BY g.id"), &ids)
            .await?;
        for g in grants {
            let id = g.account_id;
            if let Some(g) = g.into_grant() {
                by_account.entry(id).or_default().push(g);
            }
        }
    }
    let items = rows
        .iter()
        .map(|r| AccountWithGrants { account: r.account(), grants: by_account.remove(&r.id).unwrap_or_default() })
        .collect();
    Ok(crate::member::Page { items, total, page, per_page })
}

/// A member found for linking to an account, as a 安全管理员 (who sees no member data) may see
/// it: that there is one, the name masked, and whether it already has an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberLink {
    pub member_id: i64,
    /// `张**`: the first character and one `*` for each other.
    pub masked_name: String,
    pub has_account: bool,
}

/// Mask a name for someone who may not see it: `张三丰` → `张**`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
    }
}

/// Look up the current member with exactly this ID number, to link an account to it. The whole
/// roll is searched (linking is the 安全管理员's job, who has no business scope), so only an exact
/// match answers, with the name masked, and every lookup is recorded (without the number).
pub async fn find_member_for_link(store: &Store, scope: &Scope, id_number: &str) -> StoreResult<Option<MemberLink>> {
    let row: Option<(i64, String)> = store
        .read()
        .fetch_optional("SELECT id, name FROM member WHERE id_number = $1 AND status = 'normal'", &args![id_number])
        .await?;
    let link = match row {
        None => None,
        Some((id, name)) => {
            let taken = store
                .read()
                .scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM account WHERE member_id = $1", &args![id])
                .await?;
            Some(MemberLink { member_id: id, masked_name: mask_name(&name), has_account: taken > 0 })
        }
    };
    let (target, result) = match &link {
        Some(l) => (format!("member:{}", l.member_id), "found"),
        None => ("member".to_string(), "not_found"),
    };
    crate::audit::record_now(store, scope, "account.member_lookup", &target, result, json!({ "by": "id_number" }))
        .await?;
    Ok(link)
}

/// Figures for the 系统管理员's status page (no business data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountFigures {
    pub accounts: i64,
    pub disabled: i64,
    pub live_sessions: i64,
    pub live_api_tokens: i64,
}

pub async fn figures(store: &Store, now: DateTime<Utc>, limits: &SessionLimits) -> StoreResult<AccountFigures> {
    let r = store.read();
    Ok(AccountFigures {
        accounts: r.scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM account", &[]).await?,
        disabled: store
            .read()
            .scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM account WHERE is_disabled = $1", &args![true])
            .await?,
        live_sessions: store
            .read()
            .scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM session WHERE ended_at IS NULL AND is_totp_pending = $1 \
                 AND expires_at > $2 AND last_seen_at > $3",
                &args![false, now, now - limits.idle],
            )
            .await?,
        live_api_tokens: store
            .read()
            .scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM api_token WHERE revoked_at IS NULL", &[])
            .await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::Params;

    #[test]
    fn dummy_hash_costs_what_a_real_one_does() {
        let h = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        assert_eq!(h.algorithm.as_str(), "argon2id");
        let p = Params::try_from(&h).expect("params");
        let d = Params::default();
        assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (d.m_cost(), d.t_cost(), d.p_cost()));
        let real = hash_blocking("Abcdef12!").unwrap();
        assert!(real.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{real}");
        assert!(verify_blocking("Abcdef12!", &real));
        assert!(!verify_blocking("abcdef12!", &real));
        assert!(!verify_blocking("anything", DUMMY_HASH));
        assert!(!verify_blocking(&"x".repeat(2000), &real));
    }
}
