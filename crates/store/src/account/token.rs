//! API tokens.

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use chrono::{DateTime, Duration, Utc};
use domain::account::{self as rules};
use rand::distributions::Alphanumeric;
use rand::rngs::OsRng;
use rand::Rng;
use serde::Serialize;
use serde_json::json;

use super::*;

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
