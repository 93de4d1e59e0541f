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

/// When the name is locked at `now`, until when.
pub(crate) async fn locked_until(
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
