//! The organization tree's use cases: founding an organization under another (or a top one) and
//! changing an organization's record. Each needs 维护党组织 where the organization is (for a new
//! one: where its parent is; a top organization only with the whole tree in scope).

use chrono::NaiveDate;
use domain::access::Perm;
use domain::org::{Org, OrgInput};
use store::Store;

use crate::{Ctx, ServiceResult};

/// Found an organization under `parent_id` (a top organization when `None`).
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    parent_id: Option<i64>,
    input: &OrgInput,
    today: NaiveDate,
) -> ServiceResult<Org> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::create(store, &scope, parent_id, input, today).await?)
}

/// Change an organization's record.
pub async fn update(store: &Store, ctx: &Ctx, id: i64, input: &OrgInput, today: NaiveDate) -> ServiceResult<Org> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::update(store, &scope, id, input, today).await?)
}
