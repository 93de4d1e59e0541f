//! 培训班: holding a class (管理创建活动), recording trainees' attendance (填报创建活动, members
//! in scope), and rotation coverage of branch secretaries with the untrained listed (查看创建活动).

use chrono::NaiveDate;
use domain::access::Perm;
use domain::campaign::training::ClassInput;
use store::campaign::training::{Class, Secretary, Trainee};
use store::Store;

use crate::{Ctx, ServiceResult};

pub async fn add(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    input: &ClassInput,
    campaign_id: Option<i64>,
) -> ServiceResult<Class> {
    let (scope, org) = ctx.org(store, Perm::ManageCampaigns, org_id).await?;
    let v = input.validate()?;
    Ok(store::campaign::training::add(store, &scope, &org, &v, campaign_id).await?)
}

/// Enrol members and record the sessions each attended: `rows` of (member id, sessions).
pub async fn attend(store: &Store, ctx: &Ctx, class_id: i64, rows: &[(i64, i64)]) -> ServiceResult<Class> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    if rows.is_empty() {
        return Err(domain::FieldErrors(vec![domain::FieldError::new("学员", "至少一名学员")]).into());
    }
    Ok(store::campaign::training::attend(store, &scope, class_id, rows).await?)
}

pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Class, Vec<Trainee>)> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let k = store::campaign::training::get(store, &scope, id).await?;
    let t = store::campaign::training::trainees(store, &k).await?;
    Ok((k, t))
}

pub async fn list(store: &Store, ctx: &Ctx, org_id: i64, limit: i64, offset: i64) -> ServiceResult<(Vec<Class>, i64)> {
    let (_, org) = ctx.org(store, Perm::ReadCampaigns, org_id).await?;
    Ok(store::campaign::training::list(store, &org, limit, offset).await?)
}

/// Rotation coverage of the subtree of `org_id` on `on`: every branch secretary in post, untrained
/// first, and the trained share.
pub async fn coverage(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    on: NaiveDate,
) -> ServiceResult<(Vec<Secretary>, i64, i64)> {
    let (_, org) = ctx.org(store, Perm::ReadCampaigns, org_id).await?;
    let rows = store::campaign::training::coverage(store, &org, on).await?;
    let trained = rows.iter().filter(|r| r.trained == 1).count() as i64;
    let n = rows.len() as i64;
    Ok((rows, trained, n))
}
