//! 党组 members' party-building work divisions (LIFE-15): read by everyone who reads organization
//! life where the 党组 is, entered and removed by those who enter it there.

use domain::access::Perm;
use domain::org::Org;
use store::life::{Division, DivisionInput};
use store::{Store, Visible};

use crate::{Ctx, ServiceResult};

/// The divisions of the 党组 `org`, in the order they were entered: for everyone who reads
/// organization life there; `org` was read through the caller's scope.
pub async fn list(store: &Store, ctx: &Ctx, org: &Visible<Org>) -> ServiceResult<Vec<Division>> {
    let scope = ctx.require(Perm::ReadLife)?;
    Ok(store::life::divisions(store, &scope, org.id).await?)
}

/// The organizations above `org` that the caller sees, top first: the way back up the tree from
/// the divisions page, for anyone who sees the 党组 (查看党组织).
pub async fn superiors(store: &Store, ctx: &Ctx, org: &Visible<Org>) -> ServiceResult<Vec<Org>> {
    Ok(store::org::ancestors(store, &ctx.scope_for(Perm::ReadOrgs), org.id).await?)
}

/// Add a member's division to the 党组 `org_id`.
pub async fn add(store: &Store, ctx: &Ctx, org_id: i64, input: &DivisionInput) -> ServiceResult<i64> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::add_division(store, &scope, org_id, input).await?)
}

/// Remove the division `id` of the 党组 `org_id`.
pub async fn delete(store: &Store, ctx: &Ctx, org_id: i64, id: i64) -> ServiceResult<()> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::delete_division(store, &scope, org_id, id).await?)
}
