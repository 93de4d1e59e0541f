//! The account security page and the 安全管理员's pages.

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use chrono::{DateTime, Utc};
use domain::account::{self as rules, PasswordPolicy, Role};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

use super::*;

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
    tx.ends_account(account_id);
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
///
/// The administrator sees that password, so he could sign in as the account. Its business grants
/// are therefore suspended in the same transaction: they become pending requests in the resetting
/// administrator's name, and take effect again only when a business officer confirms them (having
/// checked with the holder that they, and nobody else, received the password). An administrator
/// role is kept. Returns the password and the suspended grants.
pub async fn reset_password(
    store: &Store,
    scope: &Scope,
    admin_id: i64,
    account_id: i64,
    policy: &PasswordPolicy,
) -> StoreResult<(String, Vec<Grant>)> {
    let row = fetch_row(store.read(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let password = random_password(policy, &row.username);
    let suspended = write_password(store, scope, &row, &password, Some(admin_id), "account.password_reset").await?;
    Ok((password, suspended))
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
