//! 班子成员: the officers of an organization with their terms. Reading needs 查看党组织 where the
//! organization is; appointing, ending and correcting a term need 维护党组织 there (and the
//! member in that scope). One function per use case: permission first, then the checks
//! (`domain::officer::validate`), then the store, which writes and audits in one transaction.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::officer::OfficerInput;
use store::officer::{ImportReport, ImportRow, Officer};
use store::Store;

use crate::{Ctx, ServiceResult};

/// The officers in post on `on` (书记 first) of the organization `org_id`.
pub async fn current(store: &Store, ctx: &Ctx, org_id: i64, on: NaiveDate) -> ServiceResult<Vec<Officer>> {
    ctx.require(Perm::ReadOrgs)?;
    let org = store::org::visible(store, &ctx.scope_for(Perm::ReadOrgs), org_id).await?;
    Ok(store::officer::list(store, &org, Some(on)).await?)
}

/// Every term of the organization `org_id`, latest first (the history).
pub async fn history(store: &Store, ctx: &Ctx, org_id: i64) -> ServiceResult<Vec<Officer>> {
    ctx.require(Perm::ReadOrgs)?;
    let org = store::org::visible(store, &ctx.scope_for(Perm::ReadOrgs), org_id).await?;
    Ok(store::officer::list(store, &org, None).await?)
}

/// One term, as the caller sees it with `perm`.
pub async fn get(store: &Store, ctx: &Ctx, perm: Perm, id: i64) -> ServiceResult<Officer> {
    Ok(store::officer::get(store, &ctx.scope_for(perm), id).await?)
}

/// Appoint a member to a post of the organization `org_id` from a date.
pub async fn add(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    input: &OfficerInput,
    today: NaiveDate,
) -> ServiceResult<Officer> {
    let scope = ctx.require(Perm::EditOrgs)?;
    let v = domain::officer::validate(input, today)?;
    Ok(store::officer::add(store, &scope, org_id, &v).await?)
}

/// End a term on `on`, the last day in post (the term stays in the history).
pub async fn end(store: &Store, ctx: &Ctx, id: i64, on: NaiveDate, today: NaiveDate) -> ServiceResult<Officer> {
    let scope = ctx.require(Perm::EditOrgs)?;
    if on > today {
        return Err(domain::FieldErrors(vec![domain::FieldError::new("离任日期", format!("{on} 晚于今天"))]).into());
    }
    Ok(store::officer::end(store, &scope, id, on).await?)
}

/// Correct a term entered wrongly.
pub async fn correct(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    input: &OfficerInput,
    today: NaiveDate,
) -> ServiceResult<Officer> {
    let scope = ctx.require(Perm::EditOrgs)?;
    let v = domain::officer::validate(input, today)?;
    Ok(store::officer::correct(store, &scope, id, &v).await?)
}

/// Import the terms of an officers sheet (班子成员): all rows or none.
pub async fn import(store: &Store, ctx: &Ctx, rows: &[ImportRow], today: NaiveDate) -> ServiceResult<ImportReport> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::officer::import(store, &scope, rows, today).await?)
}
