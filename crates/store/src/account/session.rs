//! Sessions.

use crate::args;
use crate::db::{now, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use chrono::{DateTime, Utc};
use domain::account::{self as rules};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::Serialize;
use serde_json::json;
use std::fmt;

use super::*;

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
pub(crate) fn session_ref(id_hash: &str) -> String {
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
    life_generation: i64,
    messages_generation: i64,
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
///
/// On PostgreSQL a live session and the generations are kept in this process while the database's
/// notifications keep them up to date ([`crate::listen`]): a kept session is checked against
/// `now` exactly as a read one, and the database is read whenever it is not kept, the cache is not
/// listening, or something is due (`last_seen_at` to be moved on, a timeout to be recorded).
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
    let live = store.live();
    if let Some((s, generations)) = live.and_then(|l| l.get(&id)) {
        // kept sessions are live and their accounts enabled; anything due is done by a read
        if now < s.expires_at && now - s.last_seen_at < limits.idle && now - s.last_seen_at < limits.touch_every {
            return Ok(Some((s, generations)));
        }
    }
    // taken before the read: what it finds is kept only if no notification came meanwhile
    let ticket = live.and_then(|l| l.ticket());
    // one read: the session, whether its account is disabled, and the data generations (the
    // statement is written once: every page asks this first)
    static SQL: std::sync::LazyLock<(String, String)> = std::sync::LazyLock::new(|| {
        let cols: Vec<String> = SESSION_COLS.split(", ").map(|c| format!("s.{c}")).collect();
        let sql = format!(
            "SELECT {}, a.is_disabled, {} FROM session s JOIN account a ON a.id = s.account_id WHERE s.id = $1",
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
                    life_generation: r.get(11)?,
                    messages_generation: r.get(12)?,
                })
            })
            .optional()
    });
    let row: Option<SessionWithAccount> = match direct {
        Some(r) => r?,
        None => store.read().fetch_optional(sql, &args![id.clone()]).await?,
    };
    let Some(SessionWithAccount {
        session: mut s,
        is_disabled: disabled,
        orgs_generation,
        life_generation,
        messages_generation,
    }) = row
    else {
        if let Some(l) = live {
            l.forget_session(&id);
        }
        return Ok(None);
    };
    let generations =
        crate::generation::Generations { orgs: orgs_generation, life: life_generation, messages: messages_generation };
    if s.ended_at.is_some() {
        if let Some(l) = live {
            l.forget_session(&id);
        }
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
        tx.ends_session(&id);
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
        tx.keeps_generations();
        tx.x()
            .execute(
                "UPDATE session SET last_seen_at = $1 WHERE id = $2 AND ended_at IS NULL AND last_seen_at < $1",
                &args![now, id.clone()],
            )
            .await?;
        tx.commit().await?;
        s.last_seen_at = now;
    }
    if let (Some(l), Some(t)) = (live, ticket) {
        l.fill(t, &id, &s, generations);
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
    tx.ends_session(&id);
    tx.x().execute("UPDATE session SET ended_at = $1 WHERE id = $2", &args![now(), id.clone()]).await?;
    let detail = json!({ "session": session_ref(&id), "reason": "logout" });
    crate::audit::record(&mut tx, scope, "session.end", &format!("account:{account_id}"), "ok", detail).await?;
    tx.commit().await?;
    Ok(true)
}

pub(crate) async fn end_all_in(tx: &mut Tx, account_id: i64, at: DateTime<Utc>) -> StoreResult<u64> {
    tx.ends_account(account_id);
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
    tx.ends_session(&id);
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
