//! Sign-in.

use crate::args;
use crate::db::Store;
use crate::error::StoreResult;
use crate::scope::{Actor, Scope};
use chrono::{DateTime, Utc};
use domain::account::{self as rules, Role};
use serde_json::{json, Value};

use super::*;

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
pub(crate) fn username_key(username: &str) -> String {
    rules::normalize_username(username).chars().take(64).collect()
}

/// Which limit stopped a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// The name, from this address only ([`LoginLimits::max_failures`]).
    NameFromAddress,
    /// The name, from everywhere ([`LoginLimits::account_failures`]).
    Name,
    /// The address, for every name ([`LoginLimits::address_failures`]).
    Address,
}

impl LockKind {
    /// The attempt outcome recorded when this lock first takes hold (an event for the 安全管理员).
    fn event(self) -> Option<&'static str> {
        match self {
            LockKind::NameFromAddress => None,
            LockKind::Name => Some("lockout_name"),
            LockKind::Address => Some("lockout_address"),
        }
    }
}

const FAILED: &str = "outcome IN ('invalid', 'second_factor_invalid')";

/// The times of the last `limit` failures matching `filter` after `since` (newest first).
async fn failures(
    store: &Store,
    filter: &str,
    a: &[crate::db::Val],
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<DateTime<Utc>>> {
    let n = a.len();
    let rows: Vec<(DateTime<Utc>,)> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT attempted_at FROM login_attempt WHERE {filter} AND attempted_at > ${} AND attempted_at <= ${} \
                 AND {FAILED} ORDER BY attempted_at DESC LIMIT ${}",
                n + 1,
                n + 2,
                n + 3
            ),
            &[a, &args![since, now, i64::from(limit)][..]].concat(),
        )
        .await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// When the name `key`, tried from `ip`, is locked at `now`: until when, and by which limit (the
/// one that holds longest). The count of a name starts again after a success inside the window;
/// an address's count does not (one good password does not excuse spraying the others).
pub(crate) async fn locked_until(
    store: &Store,
    key: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
    limits: &LoginLimits,
) -> StoreResult<Option<(DateTime<Utc>, LockKind)>> {
    if limits.max_failures == 0 {
        return Ok(None);
    }
    let window_start = now - limits.window;
    let mut since = window_start;
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
    let mut locks = Vec::new();
    let mut check = |times: Vec<DateTime<Utc>>, limit: u32, kind: LockKind| {
        if limit > 0 && times.len() >= limit as usize {
            if let Some(oldest) = times.last() {
                locks.push((*oldest + limits.window, kind));
            }
        }
    };
    match ip {
        Some(ip) => {
            // failures whose address is not known count as from every address
            let from_here = failures(
                store,
                "username_key = $1 AND (ip = $2 OR ip IS NULL)",
                &args![key, ip],
                since,
                now,
                limits.max_failures,
            )
            .await?;
            check(from_here, limits.max_failures, LockKind::NameFromAddress);
            let anywhere =
                failures(store, "username_key = $1", &args![key], since, now, limits.account_failures).await?;
            check(anywhere, limits.account_failures, LockKind::Name);
            let address = failures(store, "ip = $1", &args![ip], window_start, now, limits.address_failures).await?;
            check(address, limits.address_failures, LockKind::Address);
        }
        None => {
            let anywhere = failures(store, "username_key = $1", &args![key], since, now, limits.max_failures).await?;
            check(anywhere, limits.max_failures, LockKind::NameFromAddress);
        }
    }
    Ok(locks.into_iter().max_by_key(|(until, _)| *until))
}

/// After a failure: if it made a lock take hold, the lock; a name locked everywhere or an
/// address stopped is recorded as an event (`lockout_name`, `lockout_address`) that the
/// 安全管理员's account list shows.
pub(crate) async fn lock_after_failure(
    store: &Store,
    scope: &Scope,
    key: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
    limits: &LoginLimits,
) -> StoreResult<Option<DateTime<Utc>>> {
    let Some((until, kind)) = locked_until(store, key, ip, now, limits).await? else { return Ok(None) };
    if let Some(event) = kind.event() {
        record_attempt(store, scope, key, ip, now, event, false, json!({ "locked_until": until })).await?;
    }
    Ok(Some(until))
}

/// A lock of a name everywhere, or of an address, within the last day: what the 安全管理员 is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockout {
    pub at: DateTime<Utc>,
    /// The name tried, or `None` for an address stopped for every name.
    pub username: Option<String>,
    pub ip: Option<String>,
    pub kind: LockKind,
}

/// The lockouts since `since`, newest first (at most 50).
pub async fn recent_lockouts(store: &Store, since: DateTime<Utc>) -> StoreResult<Vec<Lockout>> {
    let rows: Vec<(DateTime<Utc>, String, Option<String>, String)> = store
        .read()
        .fetch_all(
            "SELECT attempted_at, username_key, ip, outcome FROM login_attempt WHERE attempted_at > $1 \
             AND outcome IN ('lockout_name', 'lockout_address') ORDER BY attempted_at DESC LIMIT 50",
            &args![since],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(at, key, ip, outcome)| {
            let kind = if outcome == "lockout_address" { LockKind::Address } else { LockKind::Name };
            Lockout { at, username: (kind == LockKind::Name).then_some(key), ip, kind }
        })
        .collect())
}

/// Record an attempt and its audit record in one transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_attempt(
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
    if let Some((until, _)) = locked_until(store, &key, ip, now, limits).await? {
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
        if let Some(until) = lock_after_failure(store, &anonymous, &key, ip, now, limits).await? {
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
