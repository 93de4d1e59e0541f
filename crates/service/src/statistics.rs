//! The statistics of a subtree (统计分析): members by category, sex, age band, education,
//! occupation and ethnicity; organizations by kind and sector; facility coverage. Read through the
//! caller's scope of 统计分析, for the statistics page, its CSV and the API alike.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::org::Org;
use store::statistics::SubtreeReport;
use store::{Store, Visible};

use crate::{Ctx, ServiceResult};

/// The figures of the subtree at `org` on the date `today`.
pub async fn report(store: &Store, org: Visible<Org>, today: NaiveDate) -> ServiceResult<SubtreeReport> {
    Ok(store::statistics::of(store, org, today).await?)
}

/// Where the statistics page may lead from `org`: its parent (when the caller may see it with
/// 统计分析) and those of its children whose statistics mean something on their own (organizations
/// that hold no members directly, and branches), as (id, name).
pub async fn neighbours(
    store: &Store,
    ctx: &Ctx,
    org: &Visible<Org>,
) -> ServiceResult<(Option<(i64, String)>, Vec<(i64, String)>)> {
    let scope = ctx.scope_for(Perm::Stats);
    let parent = match org.parent_id {
        Some(p) => store::org::get(store, &scope, p).await.ok().map(|o| (o.id, o.name)),
        None => None,
    };
    let kids = store::org::children(store, &scope, org.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|c| !c.kind.holds_members() || c.kind.is_branch())
        .map(|c| (c.id, c.name))
        .collect();
    Ok((parent, kids))
}
