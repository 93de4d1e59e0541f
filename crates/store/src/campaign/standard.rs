//! The versions of a campaign's standard (创建标准), each with its indicators. A version applies
//! from its date; a round reads the version in force on its own date, and keeps the version's id,
//! so adding a version never changes a past round.

use chrono::{DateTime, NaiveDate, Utc};
use domain::campaign::indicator::{Indicator, Scoring, ValidStandard};
use serde::Serialize;
use serde_json::json;

use super::{get_full, Campaign};
use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standard {
    pub id: i64,
    pub campaign_id: i64,
    pub valid_from: NaiveDate,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub indicators: Vec<Indicator>,
}

impl Standard {
    pub fn total_weight(&self) -> i64 {
        self.indicators.iter().map(|i| i.weight).sum()
    }
}

#[derive(sqlx::FromRow)]
struct Head {
    id: i64,
    campaign_id: i64,
    valid_from: NaiveDate,
    note: String,
    created_by: String,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct IndRow {
    standard_id: i64,
    code: String,
    label: String,
    source: String,
    param: String,
    weight: i64,
    scoring: String,
    target_milli: i64,
    steps: String,
}

fn steps_text(steps: &[(i64, i64)]) -> String {
    steps.iter().map(|(v, s)| format!("{v}:{s}")).collect::<Vec<_>>().join(",")
}

fn parse_steps(s: &str) -> Vec<(i64, i64)> {
    s.split(',')
        .filter_map(|p| {
            let (a, b) = p.split_once(':')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

fn unit_of(source: &str, stored: &str) -> String {
    match domain::campaign::indicator::source(source) {
        Some(s) if !s.unit.is_empty() => s.unit.to_string(),
        _ => stored.to_string(),
    }
}

async fn load(store: &Store, heads: Vec<Head>) -> StoreResult<Vec<Standard>> {
    let mut out = Vec::new();
    for h in heads {
        let rows: Vec<IndRow> = store
            .read()
            .fetch_all(
                "SELECT standard_id, code, label, source, param, weight, scoring, target_milli, steps FROM campaign_indicator \
                 WHERE standard_id = $1 ORDER BY ord",
                &args![h.id],
            )
            .await?;
        let indicators = rows
            .into_iter()
            .map(|r| {
                // a reported indicator keeps its unit after the parameter: `param` is `|unit`
                let (param, unit) =
                    r.param.split_once('|').map_or((r.param.clone(), String::new()), |(p, u)| (p.into(), u.into()));
                let _ = r.standard_id;
                Indicator {
                    unit: unit_of(&r.source, &unit),
                    code: r.code,
                    label: r.label,
                    source: r.source,
                    param,
                    weight: r.weight,
                    scoring: Scoring::from_code(&r.scoring).unwrap_or(Scoring::Linear),
                    target_milli: r.target_milli,
                    steps: parse_steps(&r.steps),
                }
            })
            .collect();
        out.push(Standard {
            id: h.id,
            campaign_id: h.campaign_id,
            valid_from: h.valid_from,
            note: h.note,
            created_by: h.created_by,
            created_at: h.created_at,
            indicators,
        });
    }
    Ok(out)
}

/// Every version of a campaign's standard, earliest first.
pub async fn versions(store: &Store, c: &Campaign) -> StoreResult<Vec<Standard>> {
    let heads: Vec<Head> = store
        .read()
        .fetch_all(
            "SELECT id, campaign_id, valid_from, note, created_by, created_at FROM campaign_standard WHERE campaign_id = $1 \
             ORDER BY valid_from",
            &args![c.id],
        )
        .await?;
    load(store, heads).await
}

/// One version by id (a round's).
pub async fn by_id(store: &Store, id: i64) -> StoreResult<Standard> {
    let heads: Vec<Head> = store
        .read()
        .fetch_all(
            "SELECT id, campaign_id, valid_from, note, created_by, created_at FROM campaign_standard WHERE id = $1",
            &args![id],
        )
        .await?;
    load(store, heads).await?.pop().ok_or(StoreError::NotFound("创建标准"))
}

/// The version in force on `on`.
pub async fn in_force(store: &Store, c: &Campaign, on: NaiveDate) -> StoreResult<Option<Standard>> {
    let all = versions(store, c).await?;
    Ok(all.into_iter().filter(|s| s.valid_from <= on).max_by_key(|s| s.valid_from))
}

/// Add a version of the standard from a date. A version may not begin on or before the date of a
/// published round (that would change what the round was judged by); one beginning on the same
/// date as an unused version replaces it.
pub async fn add(store: &Store, scope: &Scope, campaign_id: i64, v: &ValidStandard) -> StoreResult<Standard> {
    let c = get_full(store, scope, campaign_id).await?;
    let last_published: Option<(NaiveDate,)> = store
        .read()
        .fetch_optional(
            "SELECT as_on FROM dispatch_round WHERE campaign_id = $1 AND status = 'published' ORDER BY as_on DESC LIMIT 1",
            &args![c.id],
        )
        .await?;
    if let Some((d,)) = last_published {
        if v.valid_from <= d {
            return Err(domain::FieldErrors(vec![domain::FieldError::new(
                "生效日期",
                format!("已发布 {d} 的调度；新版本标准须在此之后生效，已发布的调度不受影响"),
            )])
            .into());
        }
    }
    let mut tx = store.begin().await?;
    let existing: Option<(i64,)> = tx
        .x()
        .fetch_optional(
            "SELECT id FROM campaign_standard WHERE campaign_id = $1 AND valid_from = $2",
            &args![c.id, v.valid_from],
        )
        .await?;
    if let Some((old,)) = existing {
        let used = tx.x().scalar("SELECT COUNT(*) FROM dispatch_round WHERE standard_id = $1", &args![old]).await?;
        if used > 0 {
            return Err(StoreError::Refused(format!(
                "{} 生效的标准已用于调度，不能替换；请设定新的生效日期",
                v.valid_from
            )));
        }
        tx.x().execute("DELETE FROM campaign_indicator WHERE standard_id = $1", &args![old]).await?;
        tx.x().execute("DELETE FROM campaign_standard WHERE id = $1", &args![old]).await?;
    }
    let id = tx
        .x()
        .scalar(
            "INSERT INTO campaign_standard (campaign_id, valid_from, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
            &args![c.id, v.valid_from, v.note.clone(), scope.actor().name.clone(), now()],
        )
        .await?;
    for (i, x) in v.indicators.iter().enumerate() {
        let param = if x.source == "reported" { format!("{}|{}", x.param, x.unit) } else { x.param.clone() };
        tx.x()
            .execute(
                "INSERT INTO campaign_indicator (standard_id, code, label, source, param, weight, scoring, target_milli, steps, ord) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &args![
                    id,
                    x.code.clone(),
                    x.label.clone(),
                    x.source.clone(),
                    param,
                    x.weight,
                    x.scoring.code(),
                    x.target_milli,
                    steps_text(&x.steps),
                    i as i64
                ],
            )
            .await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        "campaign.standard",
        &format!("campaign_standard:{id}"),
        "ok",
        json!({
            "campaign": c.id, "valid_from": v.valid_from, "note": v.note,
            "indicators": v.indicators.iter().map(|i| format!("{} {} {} 权重{}", i.code, i.label, i.source, i.weight)).collect::<Vec<_>>(),
        }),
    )
    .await?;
    tx.commit().await?;
    by_id(store, id).await
}
