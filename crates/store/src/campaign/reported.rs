//! Values organizations report for a campaign's reported indicators, with their evidence. A value
//! counts from its date once the campaign's issuer side accepts it; a returned value carries the
//! reason and a message goes back to the organization.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use super::{get, get_full, Campaign};
use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub campaign_id: i64,
    pub code: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub as_on: NaiveDate,
    pub value_milli: i64,
    pub evidence: String,
    pub status: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl Report {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "accepted" => "已通过",
            "returned" => "已退回",
            _ => "待审核",
        }
    }
}

const COLS: &str =
    "r.id, r.campaign_id, r.code, r.org_id, o.name AS org_name, o.path AS org_path, r.as_on, r.value_milli, \
    r.evidence, r.status, r.reason, r.created_by, r.created_at, r.reviewed_by, r.reviewed_at";

/// Report a value: the organization is a participant in the caller's scope, the indicator a
/// reported one of the standard in force on the date.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    org_id: i64,
    code: &str,
    as_on: NaiveDate,
    value_milli: i64,
    evidence: &str,
) -> StoreResult<Report> {
    let (c, _) = get(store, scope, campaign_id).await?;
    let org = crate::org::get(store, scope, org_id).await?;
    let parts = super::participants(store, &c, as_on).await?;
    let mut e = domain::FieldErrors::default();
    if !parts.iter().any(|p| p.org_id == org.id) {
        e.push("填报单位", format!("{} 不是本活动 {as_on} 的参与党组织", org.name));
    }
    match super::standard::in_force(store, &c, as_on).await? {
        Some(s) if s.indicators.iter().any(|i| i.code == code && i.source == "reported") => {}
        _ => e.push("指标", format!("{as_on} 生效的创建标准中没有需要填报的指标“{code}”")),
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO indicator_report (campaign_id, code, org_id, as_on, value_milli, evidence, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8) RETURNING id",
            &args![c.id, code, org.id, as_on, value_milli, evidence, scope.actor().name.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "campaign.report",
        &format!("indicator_report:{id}"),
        "ok",
        json!({ "campaign": c.id, "org": org.id, "code": code, "as_on": as_on, "value_milli": value_milli, "evidence": evidence }),
    )
    .await?;
    tx.commit().await?;
    one(store, id).await
}

async fn one(store: &Store, id: i64) -> StoreResult<Report> {
    store
        .read()
        .fetch_optional(
            &format!("SELECT {COLS} FROM indicator_report r JOIN org o ON o.id = r.org_id WHERE r.id = $1"),
            &args![id],
        )
        .await?
        .ok_or(StoreError::NotFound("填报"))
}

/// Accept or return a submitted value (the campaign's issuer in scope); returning needs a reason.
pub async fn review(store: &Store, scope: &Scope, id: i64, accept: bool, reason: &str) -> StoreResult<Report> {
    let r = one(store, id).await?;
    let c = get_full(store, scope, r.campaign_id).await.map_err(|_| StoreError::NotFound("填报"))?;
    if r.status != "submitted" {
        return Err(StoreError::Refused(format!("该填报{}，不能再次审核", r.status_label())));
    }
    if !accept && reason.trim().is_empty() {
        return Err(domain::FieldErrors(vec![domain::FieldError::new("退回理由", "退回时须写明理由")]).into());
    }
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE indicator_report SET status = $1, reason = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $5 AND status = 'submitted'",
            &args![if accept { "accepted" } else { "returned" }, reason.trim(), scope.actor().name.clone(), now(), id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该填报已被他人审核，请刷新后查看".into()));
    }
    crate::audit::record(
        &mut tx,
        scope,
        if accept { "campaign.report_accept" } else { "campaign.report_return" },
        &format!("indicator_report:{id}"),
        "ok",
        json!({ "campaign": c.id, "org": r.org_id, "code": r.code, "reason": reason.trim() }),
    )
    .await?;
    tx.commit().await?;
    one(store, id).await
}

/// The reports of a campaign the caller sees (the issuer side: all; a participant: its own),
/// latest first.
pub async fn list(store: &Store, scope: &Scope, c: &Campaign) -> StoreResult<Vec<Report>> {
    let (_, access) = get(store, scope, c.id).await?;
    let all: Vec<Report> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM indicator_report r JOIN org o ON o.id = r.org_id WHERE r.campaign_id = $1 \
                 ORDER BY r.created_at DESC, r.id DESC"
            ),
            &args![c.id],
        )
        .await?;
    Ok(all.into_iter().filter(|r| access.sees(&r.org_path)).collect())
}
