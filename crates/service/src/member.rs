//! The member roster's use cases: entering a member, changing a member's record, and the status
//! changes of party membership (转正、转出、停止党籍、出党、死亡、恢复). Each needs 维护党员信息 where
//! the member is; a member outside the caller's scope is not found.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::member::{Member, MemberInput};
use store::member::StatusChange;
use store::Store;

use crate::{Ctx, ServiceResult};

/// Enter a new member into the organization `org_id`.
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    input: &MemberInput,
    today: NaiveDate,
) -> ServiceResult<Member> {
    let scope = ctx.require(Perm::EditMembers)?;
    Ok(store::member::create(store, &scope, org_id, input, today).await?)
}

/// Change a member's record, and move it to `org_id` when given.
pub async fn update(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org_id: Option<i64>,
    input: &MemberInput,
    today: NaiveDate,
) -> ServiceResult<Member> {
    let scope = ctx.require(Perm::EditMembers)?;
    Ok(store::member::update(store, &scope, id, org_id, input, today).await?)
}

/// A change of a member's party status on the date `on`, with its reason.
pub async fn change_status(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    change: StatusChange,
    on: NaiveDate,
    reason: &str,
    today: NaiveDate,
) -> ServiceResult<Member> {
    let scope = ctx.require(Perm::EditMembers)?;
    Ok(store::member::change_status(store, &scope, id, change, on, reason, today).await?)
}
