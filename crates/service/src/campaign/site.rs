//! 示范点: naming, reviewing and withdrawing sites (管理创建活动 where the organization is), and
//! reading them with their counts by level and sector for any subtree (查看创建活动).

use chrono::NaiveDate;
use domain::access::Perm;
use domain::campaign::site::SiteInput;
use store::campaign::site::{Cadre, Site};
use store::Store;

use crate::{Ctx, ServiceResult};

pub async fn add(
    store: &Store,
    ctx: &Ctx,
    input: &SiteInput,
    campaign_id: Option<i64>,
    today: NaiveDate,
) -> ServiceResult<Site> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    let v = input.validate()?;
    if v.named_on > today {
        return Err(
            domain::FieldErrors(vec![domain::FieldError::new("命名日期", format!("{} 晚于今天", v.named_on))]).into()
        );
    }
    Ok(store::campaign::site::add(store, &scope, &v, campaign_id).await?)
}

/// Record a review on `on`: kept, or withdrawn.
pub async fn review(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    on: &str,
    revoke: bool,
    today: NaiveDate,
) -> ServiceResult<Site> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    let d =
        domain::dates::parse_date(on).map_err(|m| domain::FieldErrors(vec![domain::FieldError::new("复核日期", m)]))?;
    if d > today {
        return Err(domain::FieldErrors(vec![domain::FieldError::new("复核日期", format!("{d} 晚于今天"))]).into());
    }
    Ok(store::campaign::site::review(store, &scope, id, d, revoke).await?)
}

/// One site with its stationed cadres.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Site, Vec<Cadre>)> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let s = store::campaign::site::get(store, &scope, id).await?;
    let c = store::campaign::site::cadres(store, &s).await?;
    Ok((s, c))
}

/// The sites of the subtree of `org_id`: a page of them, and the counts by (level, sector) of
/// those active on `on`.
pub struct Sites {
    pub rows: Vec<Site>,
    pub total: i64,
    pub counts: Vec<(String, String, i64)>,
}

pub async fn list(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    on: NaiveDate,
    all: bool,
    limit: i64,
    offset: i64,
) -> ServiceResult<Sites> {
    let (_, org) = ctx.org(store, Perm::ReadCampaigns, org_id).await?;
    let (rows, total) = store::campaign::site::list(store, &org, on, all, limit, offset).await?;
    let counts = store::campaign::site::counts(store, &org, on).await?;
    Ok(Sites { rows, total, counts })
}
