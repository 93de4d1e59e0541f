//! Two-factor sign-in.

use crate::args;
use crate::db::{now, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use chrono::{DateTime, Utc};
use domain::account::{self as rules};
use rand::rngs::OsRng;
use serde_json::json;
use std::fmt;

use super::*;

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
    if let Some((until, _)) = locked_until(store, &key, ip.as_deref(), now, limits).await? {
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
            &args![key.clone(), now, ip.clone(), ok, outcome],
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
    if let Some(until) = lock_after_failure(store, scope, &key, ip.as_deref(), now, limits).await? {
        return Ok(SecondFactorOutcome::Locked { until });
    }
    Ok(SecondFactorOutcome::Invalid)
}
