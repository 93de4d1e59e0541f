//! 党组 members' party-building work divisions (LIFE-15): entered and removed by those who enter
//! organization life where the 党组 is.

use domain::access::Perm;
use store::life::DivisionInput;
use store::Store;

use crate::{Ctx, ServiceResult};

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
