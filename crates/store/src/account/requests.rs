//! Grant requests: two people for every business grant.
//!
//! A 安全管理员 alone must not be able to give himself business data: he creates accounts (and
//! sees their initial passwords), so if he could also put business roles in effect he could create
//! an account, grant it 组织部管理员 and sign in as it. Therefore (GB/T 22239-2019 8.1.4.2 d
//! 最小权限与权限分离, 8.1.5 三员分立):
//!
//! - a business role (组织部管理员, 党组织管理员, 党务工作者, 党员) is first *proposed* by a 安全管理员
//!   who did not create the account ([`propose_grant`]);
//! - it takes effect only when a business officer (组织部管理员 or 党组织管理员) whose scope covers
//!   the organization *confirms* it ([`confirm_grant`]), or is rejected with a reason
//!   ([`reject_grant`]); an officer may not decide on a request for their own account;
//! - until then it lives in `grant_request` only, and `account_grant` — the one table sign-in,
//!   sessions, scopes and the caller's context read — holds grants in effect only, so a pending
//!   request counts for nothing anywhere;
//! - withdrawing a request ([`withdraw_request`]) or revoking a grant takes one person: reducing
//!   access must never wait.
//!
//! The organization a request is about: the grant's own for roles granted on an organization, the
//! linked member's branch for 党员. Every transition is one transaction with its audit record.

use chrono::{DateTime, Utc};
use domain::account::{self as rules, Role};
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Exec, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

use super::*;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RequestStatus {
    /// Proposed, waiting for an officer: no effect yet.
    Pending,
    /// Confirmed by an officer: the grant is in effect (until revoked).
    Confirmed,
    /// Rejected by an officer, with a reason.
    Rejected,
    /// Withdrawn by a 安全管理员 before anyone decided.
    Withdrawn,
}

impl RequestStatus {
    pub fn code(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Confirmed => "confirmed",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => RequestStatus::Pending,
            "confirmed" => RequestStatus::Confirmed,
            "rejected" => RequestStatus::Rejected,
            "withdrawn" => RequestStatus::Withdrawn,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Pending => "待确认",
            RequestStatus::Confirmed => "已确认",
            RequestStatus::Rejected => "已退回",
            RequestStatus::Withdrawn => "已撤回",
        }
    }
}

/// One proposed business grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantRequest {
    pub id: i64,
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The organization of a role granted on one (`None` for 党员).
    pub org_id: Option<i64>,
    /// The organization the request is about: the grant's, or the linked member's branch for 党员.
    pub org_name: Option<String>,
    /// The path a confirming officer's scope must cover (`None` when the organization is dissolved
    /// or the 党员 is no longer on the roll: then it can only be withdrawn).
    pub org_path: Option<String>,
    pub status: RequestStatus,
    pub proposed_by: i64,
    pub proposed_by_name: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    account_id: i64,
    username: String,
    display_name: String,
    role: String,
    org_id: Option<i64>,
    org_name: Option<String>,
    org_path: Option<String>,
    status: String,
    proposed_by: i64,
    proposed_by_name: String,
    proposed_at: DateTime<Utc>,
    decided_by_name: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    reason: Option<String>,
}

impl RequestRow {
    fn into_request(self) -> Option<GrantRequest> {
        Some(GrantRequest {
            id: self.id,
            account_id: self.account_id,
            username: self.username,
            display_name: self.display_name,
            role: Role::from_code(&self.role)?,
            org_id: self.org_id,
            org_name: self.org_name,
            org_path: self.org_path,
            status: RequestStatus::from_code(&self.status)?,
            proposed_by: self.proposed_by,
            proposed_by_name: self.proposed_by_name,
            proposed_at: self.proposed_at,
            decided_by_name: self.decided_by_name,
            decided_at: self.decided_at,
            reason: self.reason,
        })
    }
}

/// The organization of a 党员 request is the linked member's branch (while the member is on the
/// roll). A dissolved organization has no path here: no officer's scope covers it any more.
const REQUEST_SELECT: &str = "SELECT r.id, r.account_id, a.username, a.display_name, r.role, r.org_id, \
    COALESCE(o.name, mo.name) AS org_name, \
    CASE WHEN o.id IS NOT NULL AND o.dissolved_on IS NULL THEN o.path \
         WHEN o.id IS NULL AND mo.dissolved_on IS NULL THEN mo.path END AS org_path, r.status, r.proposed_by, \
    p.username AS proposed_by_name, r.proposed_at, d.username AS decided_by_name, r.decided_at, r.reason \
    FROM grant_request r JOIN account a ON a.id = r.account_id JOIN account p ON p.id = r.proposed_by \
    LEFT JOIN account d ON d.id = r.decided_by LEFT JOIN org o ON o.id = r.org_id \
    LEFT JOIN member m ON m.id = a.member_id AND r.org_id IS NULL AND m.status = 'normal' \
    LEFT JOIN org mo ON mo.id = m.org_id";

async fn fetch_request(exec: Exec<'_>, id: i64) -> StoreResult<Option<GrantRequest>> {
    let row: Option<RequestRow> = exec.fetch_optional(&format!("{REQUEST_SELECT} WHERE r.id = $1"), &args![id]).await?;
    Ok(row.and_then(RequestRow::into_request))
}

/// The administrator account that created `account_id` (`None`: the command line or the demo).
pub async fn created_by(store: &Store, account_id: i64) -> StoreResult<Option<i64>> {
    let row: Option<(Option<i64>,)> =
        store.read().fetch_optional("SELECT created_by FROM account WHERE id = $1", &args![account_id]).await?;
    row.map(|(c,)| c).ok_or(StoreError::NotFound("账号"))
}

/// One request, whatever its state (for the pages to say who may decide it).
pub async fn grant_request(store: &Store, id: i64) -> StoreResult<GrantRequest> {
    fetch_request(store.read(), id).await?.ok_or(StoreError::NotFound("授权申请"))
}

/// The requests for one account (pending first, then the latest decisions), for the 安全管理员's
/// account page.
pub async fn requests_of(store: &Store, account_id: i64) -> StoreResult<Vec<GrantRequest>> {
    let rows: Vec<RequestRow> = store
        .read()
        .fetch_all(
            &format!(
                "{REQUEST_SELECT} WHERE r.account_id = $1 \
                 ORDER BY CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, r.id DESC LIMIT 50"
            ),
            &args![account_id],
        )
        .await?;
    Ok(rows.into_iter().filter_map(RequestRow::into_request).collect())
}

/// The pending requests about organizations inside `scope` (the confirming officer's), oldest
/// first. A request whose organization is gone (dissolved, or a 党员 no longer on the roll) is not
/// listed: it can only be withdrawn.
pub async fn pending_grants(store: &Store, scope: &Scope) -> StoreResult<Vec<GrantRequest>> {
    let rows: Vec<RequestRow> = store
        .read()
        .fetch_all(&format!("{REQUEST_SELECT} WHERE r.status = $1 ORDER BY r.id"), &args!["pending"])
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(RequestRow::into_request)
        .filter(|r| r.org_path.as_deref().is_some_and(|p| scope.contains(p)))
        .collect())
}

/// How many requests wait for an officer, per account (for the 安全管理员's account list).
pub async fn pending_per_account(store: &Store) -> StoreResult<std::collections::BTreeMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = store
        .read()
        .fetch_all(
            "SELECT account_id, CAST(COUNT(*) AS BIGINT) FROM grant_request WHERE status = $1 GROUP BY account_id",
            &args!["pending"],
        )
        .await?;
    Ok(rows.into_iter().collect())
}

/// Propose a business role for an account, to take effect when an officer confirms it. Refused for
/// the administrator who created the account, for one's own account, for an administrator role
/// (those are not confirmed by business officers), for a grant the account holds or has pending,
/// and for combinations that break the separation of duties. Returns the request's id.
pub async fn propose_grant(
    store: &Store,
    scope: &Scope,
    proposer_id: i64,
    account_id: i64,
    role: Role,
    org_id: Option<i64>,
) -> StoreResult<i64> {
    if role.is_admin_triad() {
        return Err(StoreError::Refused(format!("“{}”不是业务角色，不经党组织确认", role.label())));
    }
    let mut tx = store.begin().await?;
    let row = fetch_row(tx.x(), account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    if account_id == proposer_id {
        return Err(StoreError::Refused("不能为自己的账号申请授权".into()));
    }
    let (created_by,): (Option<i64>,) =
        tx.x().fetch_one("SELECT created_by FROM account WHERE id = $1", &args![account_id]).await?;
    if created_by == Some(proposer_id) {
        return Err(StoreError::Refused(
            "该账号是您创建的，您不能再为它申请业务授权（账号的创建与授权须由不同的管理员办理）：请由另一名安全管理员申请".into(),
        ));
    }
    let mut roles: Vec<Role> = grants_of(tx.x(), account_id).await?.iter().map(|g| g.role).collect();
    let pending: Vec<(String,)> = tx
        .x()
        .fetch_all(
            "SELECT role FROM grant_request WHERE account_id = $1 AND status = $2",
            &args![account_id, "pending"],
        )
        .await?;
    roles.extend(pending.iter().filter_map(|(r,)| Role::from_code(r)));
    roles.push(role);
    rules::check_role_combination(&roles).map_err(StoreError::Refused)?;
    check_grant(&mut tx, account_id, row.member_id, role, org_id).await?;
    let open = tx
        .x()
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM grant_request WHERE account_id = $1 AND role = $2 \
             AND COALESCE(org_id, 0) = $3 AND status = $4",
            &args![account_id, role.code(), org_id.unwrap_or(0), "pending"],
        )
        .await?;
    if open > 0 {
        return Err(StoreError::Refused(format!("该账号已有待确认的同一授权申请：{}", role.label())));
    }
    let (id,): (i64,) = tx
        .x()
        .fetch_one(
            "INSERT INTO grant_request (account_id, role, org_id, status, proposed_by, proposed_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![account_id, role.code(), org_id, "pending", proposer_id, now()],
        )
        .await
        .map_err(|e| match e {
            e if e.is_unique_violation() => {
                StoreError::Refused(format!("该账号已有待确认的同一授权申请：{}", role.label()))
            }
            e => e,
        })?;
    let detail = json!({ "username": row.username, "request": id, "grant": grant_json(role, org_id) });
    crate::audit::record(&mut tx, scope, "account.grant_propose", &format!("account:{account_id}"), "ok", detail)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The pending request `id` as the deciding officer may see it: not found when it is missing or
/// its organization is outside `scope`; refused when it is decided already or is for the officer's
/// own account (or one they proposed).
async fn pending_for(tx: &mut crate::db::Tx, scope: &Scope, officer_id: i64, id: i64) -> StoreResult<GrantRequest> {
    let r = fetch_request(tx.x(), id).await?.ok_or(StoreError::NotFound("授权申请"))?;
    if !r.org_path.as_deref().is_some_and(|p| scope.contains(p)) {
        return Err(StoreError::NotFound("授权申请"));
    }
    if r.status != RequestStatus::Pending {
        return Err(StoreError::Refused(format!("该授权申请{}，不能再处理", r.status.label())));
    }
    if r.account_id == officer_id {
        return Err(StoreError::Refused(
            "不能确认或退回给自己账号的授权：须由上级或另一名组织部管理员、党组织管理员办理".into(),
        ));
    }
    if r.proposed_by == officer_id {
        return Err(StoreError::Refused("申请人不能确认自己提出的授权申请".into()));
    }
    Ok(r)
}

/// Confirm a pending request: the grant takes effect, recording the request it came from. The
/// officer's `scope` must cover the request's organization; the separation of duties is checked
/// again against what the account holds now.
pub async fn confirm_grant(store: &Store, scope: &Scope, officer_id: i64, id: i64) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let r = pending_for(&mut tx, scope, officer_id, id).await?;
    let row = fetch_row(tx.x(), r.account_id).await?.ok_or(StoreError::NotFound("账号"))?;
    let mut roles: Vec<Role> = grants_of(tx.x(), r.account_id).await?.iter().map(|g| g.role).collect();
    roles.push(r.role);
    rules::check_role_combination(&roles).map_err(StoreError::Refused)?;
    insert_grant(&mut tx, r.account_id, row.member_id, r.role, r.org_id, Some(id)).await?;
    decide(&mut tx, id, "confirmed", officer_id, None).await?;
    let detail = json!({
        "username": row.username,
        "request": id,
        "proposed_by": r.proposed_by_name,
        "grant": grant_json(r.role, r.org_id),
    });
    crate::audit::record(&mut tx, scope, "account.grant_confirm", &format!("account:{}", r.account_id), "ok", detail)
        .await?;
    tx.commit().await
}

/// Reject a pending request, with a reason the 安全管理员 reads on the account page.
pub async fn reject_grant(store: &Store, scope: &Scope, officer_id: i64, id: i64, reason: &str) -> StoreResult<()> {
    let reason = reason.trim();
    match reason.chars().count() {
        0 => return Err(invalid("退回理由", "请写明退回的理由")),
        n if n > 200 => return Err(invalid("退回理由", format!("退回理由不能超过 200 个字符（现在 {n} 个）"))),
        _ => {}
    }
    let mut tx = store.begin().await?;
    let r = pending_for(&mut tx, scope, officer_id, id).await?;
    decide(&mut tx, id, "rejected", officer_id, Some(reason)).await?;
    let detail = json!({
        "username": r.username,
        "request": id,
        "proposed_by": r.proposed_by_name,
        "grant": grant_json(r.role, r.org_id),
        "reason": reason,
    });
    crate::audit::record(&mut tx, scope, "account.grant_reject", &format!("account:{}", r.account_id), "ok", detail)
        .await?;
    tx.commit().await
}

/// Withdraw a pending request of the account `account_id` (a 安全管理员, no officer needed: it
/// reduces what may happen).
pub async fn withdraw_request(
    store: &Store,
    scope: &Scope,
    admin_id: i64,
    account_id: i64,
    id: i64,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let r = fetch_request(tx.x(), id)
        .await?
        .filter(|r| r.account_id == account_id)
        .ok_or(StoreError::NotFound("授权申请"))?;
    if r.status != RequestStatus::Pending {
        return Err(StoreError::Refused(format!("该授权申请{}，不能撤回", r.status.label())));
    }
    decide(&mut tx, id, "withdrawn", admin_id, None).await?;
    let detail = json!({ "username": r.username, "request": id, "grant": grant_json(r.role, r.org_id) });
    crate::audit::record(&mut tx, scope, "account.grant_withdraw", &format!("account:{account_id}"), "ok", detail)
        .await?;
    tx.commit().await
}

/// Move the account's business grants back to pending requests in `admin_id`'s name (a password
/// reset by an administrator); returns them. A grant on a dissolved organization is simply dropped
/// with the others, as it covers nothing.
pub(super) async fn suspend_business_grants(
    tx: &mut crate::db::Tx,
    account_id: i64,
    admin_id: i64,
) -> StoreResult<Vec<Grant>> {
    let business: Vec<Grant> =
        grants_of(tx.x(), account_id).await?.into_iter().filter(|g| !g.role.is_admin_triad()).collect();
    let t = now();
    for g in &business {
        tx.x()
            .execute(
                "DELETE FROM account_grant WHERE account_id = $1 AND role = $2 AND COALESCE(org_id, 0) = $3",
                &args![account_id, g.role.code(), g.org_id.unwrap_or(0)],
            )
            .await?;
        let open = tx
            .x()
            .scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM grant_request WHERE account_id = $1 AND role = $2 \
                 AND COALESCE(org_id, 0) = $3 AND status = $4",
                &args![account_id, g.role.code(), g.org_id.unwrap_or(0), "pending"],
            )
            .await?;
        if g.org_dissolved_on.is_none() && open == 0 {
            tx.x()
                .execute(
                    "INSERT INTO grant_request (account_id, role, org_id, status, proposed_by, proposed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &args![account_id, g.role.code(), g.org_id, "pending", admin_id, t],
                )
                .await?;
        }
    }
    Ok(business)
}

async fn decide(tx: &mut crate::db::Tx, id: i64, status: &str, by: i64, reason: Option<&str>) -> StoreResult<()> {
    let n = tx
        .x()
        .execute(
            "UPDATE grant_request SET status = $1, decided_by = $2, decided_at = $3, reason = $4 \
             WHERE id = $5 AND status = $6",
            &args![status, by, now(), reason.map(str::to_string), id, "pending"],
        )
        .await?;
    if n == 0 {
        // decided by someone else in the meantime
        return Err(StoreError::Refused("该授权申请已被他人处理，请刷新页面".into()));
    }
    Ok(())
}
