//! 账号 repository: accounts and role grants, password sign-in with throttling and lockout,
//! server-side sessions, two-factor sign-in (TOTP and recovery codes), API tokens, and the scope
//! an account acts in.
//!
//! Who may call what is the service layer's and the web layer's business: account changes are for
//! 安全管理员, business grants are proposed by a 安全管理员 and confirmed by a business officer
//! (`requests.rs`), a user may change their own password, second factor and tokens. Functions here take the caller's
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

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::account::{self as rules, PasswordPolicy, Role};
use serde::Serialize;

use crate::args;
use crate::db::{Exec, Store};
use crate::error::{StoreError, StoreResult};

/// Login throttling: at most `max_failures` failed attempts (wrong password or wrong second
/// factor) per username within `window`, counted since the last successful sign-in; then the name
/// is locked until the oldest of those failures leaves the window. GB/T 22239-2019 8.1.4.1 b
/// (登录失败处理), OWASP ASVS 4.0.3 V2.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures of one name from one address within `window` that lock the name for that
    /// address (0: no throttling at all). Without an address, from anywhere.
    pub max_failures: u32,
    pub window: Duration,
    /// Failures of one name from all addresses together that lock it everywhere, the owner's
    /// address too. Higher than `max_failures`, so that one address guessing cannot lock the owner
    /// out; reaching it is an event the 安全管理员 is shown.
    pub account_failures: u32,
    /// Failures from one address across all names that stop that address trying any name: one
    /// address spraying guesses over many accounts is slowed although no one name reaches its
    /// limit. Also an event the 安全管理员 is shown.
    pub address_failures: u32,
}

impl Default for LoginLimits {
    /// 5 failures of a name from one address in 15 minutes; 20 of a name from anywhere; 30 from
    /// one address over all names.
    fn default() -> Self {
        LoginLimits { max_failures: 5, window: Duration::minutes(15), account_failures: 20, address_failures: 30 }
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
pub(crate) struct AccountRow {
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

mod admin;
mod grants;
mod password;
mod requests;
mod scope;
mod session;
mod signin;
mod token;
mod totp;

pub use admin::*;
pub use grants::*;
pub use password::*;
pub use requests::*;
pub use scope::*;
pub use session::*;
pub use signin::*;
pub use token::*;
pub use totp::*;

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHash;
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
