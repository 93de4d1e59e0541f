//! Organization-life records: reading one as the caller may see it, submitting it for review, and
//! the superior's review. Who may review a record is decided here, by
//! [`domain::life::reviewer_path`]: the record's organization's superior must be in the scope of
//! 审核组织生活记录. Nobody reviews their own organization's records.

use domain::access::Perm;
use store::life::{Record, RecordFull};
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

/// May the caller review records of the organization at `path`?
pub fn may_review(ctx: &Ctx, path: &str) -> bool {
    domain::life::reviewer_path(path).is_some_and(|p| ctx.can_at(Perm::ReviewLife, p))
}

/// Refuse, saying who may, when the caller may not review `record`.
pub fn check_reviewer(ctx: &Ctx, record: &Record) -> ServiceResult<()> {
    if may_review(ctx, &record.path) {
        Ok(())
    } else {
        Err(ServiceError::Denied(format!(
            "会议记录由上级党组织审核：您不能审核{}的记录，请由其上级党组织审核。",
            record.org_name
        )))
    }
}

/// A record with its attendance, resolutions and attachments, read through the caller's scope of
/// 查看组织生活 (not found outside it), and whether the caller may review it.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<RecordFull> {
    let scope = ctx.require(Perm::ReadLife)?;
    let mut full = store::life::get(store, &scope, id).await?;
    full.reviewable = may_review(ctx, &full.record.path);
    Ok(full)
}

/// Submit a draft or returned record to the superior for review (refused in any other state).
pub async fn submit(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<()> {
    let scope = ctx.require(Perm::RecordLife)?;
    store::life::submit(store, &scope, id).await?;
    Ok(())
}

/// The superior's review of a submitted record: accept, or return it with a reason (required,
/// at most 500 characters). A record the caller sees but whose organization is not below its
/// own is refused: it is reviewed by that organization's superior.
pub async fn review(store: &Store, ctx: &Ctx, id: i64, accept: bool, reason: &str) -> ServiceResult<()> {
    let scope = ctx.require(Perm::ReviewLife)?;
    let full = store::life::get(store, &ctx.scope_for(Perm::ReadLife), id).await?;
    check_reviewer(ctx, &full.record)?;
    store::life::review(store, &scope, id, accept, reason).await?;
    Ok(())
}

/// Enter a record for the organization `org_id` (a draft, or submitted at once when `submit`);
/// the entry checks name their rule, and problems that do not stop saving come back as warnings.
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    input: &domain::life::RecordInput,
    submit: bool,
) -> ServiceResult<store::life::Saved> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::create(store, &scope, org_id, input, submit).await?)
}

/// Replace a draft or returned record's content (refused once it is submitted or accepted).
pub async fn update(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    input: &domain::life::RecordInput,
) -> ServiceResult<store::life::Saved> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::update(store, &scope, id, input).await?)
}
