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

/// What moving the organization `id` would take along: (organizations, members) of its subtree.
pub async fn move_preview(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(i64, i64)> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::move_preview(store, &scope, id).await?)
}

/// Move the organization `id`, with its whole subtree and members, under `new_parent_id`; both
/// must be in the caller's scope of 维护党组织.
pub async fn move_subtree(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    new_parent_id: i64,
) -> ServiceResult<store::org::MoveReport> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::move_subtree(store, &scope, id, new_parent_id).await?)
}

/// Dissolve the organization `id` on the date `on` (refused while it has live children or
/// members).
pub async fn dissolve(store: &Store, ctx: &Ctx, id: i64, on: NaiveDate) -> ServiceResult<()> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::dissolve(store, &scope, id, on).await?)
}
