//! 示范点 as stored: named, reviewed, withdrawn; counted by level and sector for any subtree.

use chrono::{DateTime, NaiveDate, Utc};
use domain::campaign::site::{SiteLevel, ValidSite};
use domain::org::Org;
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Site {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub campaign_id: Option<i64>,
    pub level: String,
    pub sector: String,
    pub feature: String,
    pub named_on: NaiveDate,
    pub reviewed_on: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl Site {
    pub fn level_label(&self) -> &'static str {
        SiteLevel::from_code(&self.level).map_or("", |l| l.label())
    }
    pub fn sector_label(&self) -> &'static str {
        domain::org::Sector::from_code(&self.sector).map_or("", |s| s.label())
    }
    pub fn active_on(&self, on: NaiveDate) -> bool {
        self.named_on <= on && self.revoked_on.is_none_or(|r| r > on)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Cadre {
    pub site_id: i64,
    pub name: String,
    pub post: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

const COLS: &str =
    "s.id, s.org_id, o.name AS org_name, o.path AS org_path, s.campaign_id, s.level, s.sector, s.feature, \
    s.named_on, s.reviewed_on, s.revoked_on, s.created_by, s.created_at";

/// Name an organization in scope a demonstration site, with its stationed cadres.
pub async fn add(store: &Store, scope: &Scope, v: &ValidSite, campaign_id: Option<i64>) -> StoreResult<Site> {
    let org = crate::org::get(store, scope, v.org_id).await?;
    if let Some(c) = campaign_id {
        super::get(store, scope, c).await?;
    }
    let sector = v.sector.unwrap_or(org.sector);
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO demo_site (org_id, campaign_id, level, sector, feature, named_on, reviewed_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &args![
                org.id,
                campaign_id,
                v.level.code(),
                sector.code(),
                v.feature.clone(),
                v.named_on,
                v.reviewed_on,
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    for c in &v.cadres {
        tx.x()
            .execute(
                "INSERT INTO demo_site_cadre (site_id, name, post, started_on) VALUES ($1, $2, $3, $4)",
                &args![id, c.name.clone(), c.post.clone(), c.started_on],
            )
            .await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        "demo_site.add",
        &format!("demo_site:{id}"),
        "ok",
        json!({ "org": org.id, "level": v.level.code(), "sector": sector.code(), "feature": v.feature, "named_on": v.named_on,
                "cadres": v.cadres.iter().map(|c| format!("{} {}", c.name, c.post)).collect::<Vec<_>>() }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Site> {
    let s: Site = store
        .read()
        .fetch_optional(
            &format!("SELECT {COLS} FROM demo_site s JOIN org o ON o.id = s.org_id WHERE s.id = $1"),
            &args![id],
        )
        .await?
        .ok_or(StoreError::NotFound("示范点"))?;
    if scope.contains(&s.org_path) {
        Ok(s)
    } else {
        Err(StoreError::NotFound("示范点"))
    }
}

/// Record a review: kept (`revoke` false) or withdrawn on the date.
pub async fn review(store: &Store, scope: &Scope, id: i64, on: NaiveDate, revoke: bool) -> StoreResult<Site> {
    let s = get(store, scope, id).await?;
    if let Some(r) = s.revoked_on {
        return Err(StoreError::Refused(format!("该示范点已于 {r} 撤销")));
    }
    if on < s.named_on {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "复核日期",
            format!("{on} 早于命名日期 {}", s.named_on),
        )])
        .into());
    }
    let mut tx = store.begin().await?;
    if revoke {
        tx.x()
            .execute("UPDATE demo_site SET reviewed_on = $1, revoked_on = $2 WHERE id = $3", &args![on, on, id])
            .await?;
    } else {
        tx.x().execute("UPDATE demo_site SET reviewed_on = $1 WHERE id = $2", &args![on, id]).await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        if revoke { "demo_site.revoke" } else { "demo_site.review" },
        &format!("demo_site:{id}"),
        "ok",
        json!({ "org": s.org_id, "on": on }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// The sites of a subtree (active on `on` unless `all`), by level then tree order; paged.
pub async fn list(
    store: &Store,
    org: &Visible<Org>,
    on: NaiveDate,
    all: bool,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Site>, i64)> {
    let active = if all { "1 = 1" } else { "s.named_on <= $3 AND (s.revoked_on IS NULL OR s.revoked_on > $4)" };
    let a = args![org.path.clone(), path::subtree_end(&org.path), on, on];
    let total = store
        .read()
        .scalar(
            &format!("SELECT COUNT(*) FROM demo_site s JOIN org o ON o.id = s.org_id WHERE o.path >= $1 AND o.path < $2 AND {active}"),
            &a,
        )
        .await?;
    let mut a2 = a.to_vec();
    a2.push(limit.into());
    a2.push(offset.into());
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM demo_site s JOIN org o ON o.id = s.org_id WHERE o.path >= $1 AND o.path < $2 AND {active} \
                 ORDER BY CASE s.level WHEN 'province' THEN 0 WHEN 'city' THEN 1 WHEN 'county' THEN 2 ELSE 3 END, o.path, s.id \
                 LIMIT $5 OFFSET $6"
            ),
            &a2,
        )
        .await?;
    Ok((rows, total))
}

/// Active sites of a subtree on `on`, counted by (level, sector).
pub async fn counts(store: &Store, org: &Visible<Org>, on: NaiveDate) -> StoreResult<Vec<(String, String, i64)>> {
    store
        .read()
        .fetch_all(
            "SELECT s.level, s.sector, CAST(COUNT(*) AS BIGINT) FROM demo_site s JOIN org o ON o.id = s.org_id \
             WHERE o.path >= $1 AND o.path < $2 AND s.named_on <= $3 AND (s.revoked_on IS NULL OR s.revoked_on > $4) \
             GROUP BY s.level, s.sector",
            &args![org.path.clone(), path::subtree_end(&org.path), on, on],
        )
        .await
}

pub async fn cadres(store: &Store, site: &Site) -> StoreResult<Vec<Cadre>> {
    store
        .read()
        .fetch_all(
            "SELECT site_id, name, post, started_on, ended_on FROM demo_site_cadre WHERE site_id = $1 ORDER BY started_on, id",
            &args![site.id],
        )
        .await
}
