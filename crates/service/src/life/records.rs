//! Organization-life records: the list of a subtree, reading one as the caller may see it,
//! entering and changing one, submitting it for review, and the superior's review. Who may review
//! a record is decided here, by [`domain::life::reviewer_path`]: the record's organization's
//! superior must be in the scope of 审核组织生活记录. Nobody reviews their own organization's
//! records.

use domain::access::Perm;
use domain::org::Org;
use store::life::{Record, RecordFilter, RecordFull};
use store::member::Page;
use store::{Store, Visible};

use crate::{Ctx, ServiceError, ServiceResult};

/// May the caller review records of the organization at `path`?
pub fn may_review(ctx: &Ctx, path: &str) -> bool {
    domain::life::reviewer_path(path).is_some_and(|p| ctx.can_at(Perm::ReviewLife, p))
}

/// Does the caller review records submitted by organizations below the organization at `path`
/// (审核组织生活记录 in its scope there)? The record list offers its 待我审核 view then.
pub fn reviews_below(ctx: &Ctx, path: &str) -> bool {
    ctx.scope_for(Perm::ReviewLife).contains(path)
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
/// 查看组织生活 (not found outside it), and whether the caller may review it; the reasons for
/// absence only for those who keep or review the records (and each member's own). The record page
/// and the API's record both read it here.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<RecordFull> {
    let scope = ctx.require(Perm::ReadLife)?;
    let mut full = store::life::get(store, &scope, id).await?;
    full.reviewable = may_review(ctx, &full.record.path);
    // why a member was away (病假, 外出务工 …) is personal: shown to those who keep or review the
    // records, and to each member their own; other members read only that someone was away
    if !full.reviewable && !ctx.can_at(Perm::RecordLife, &full.record.path) {
        let own = ctx.own_member.map(|(m, _)| m);
        for a in full.attendance.iter_mut().filter(|a| Some(a.member_id) != own) {
            a.reason = None;
        }
    }
    Ok(full)
}

/// A record read to enter or change it, or to add or remove its attachments: for those who enter
/// organization life (登记组织生活) where the record's organization is; not found outside that
/// scope, even where the caller may read it. Says, like [`get`], whether the caller may review it.
pub async fn get_for_recording(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<RecordFull> {
    let scope = ctx.require(Perm::RecordLife)?;
    let mut full = store::life::get(store, &scope, id).await?;
    full.reviewable = may_review(ctx, &full.record.path);
    Ok(full)
}

/// The organization a record was entered for, to change the record's content (its roster and its
/// kind decide the attendance): for those who enter organization life there; a dissolved or
/// unreachable organization is not found.
pub async fn organization(store: &Store, ctx: &Ctx, record: &Record) -> ServiceResult<Visible<Org>> {
    let (_, org) = ctx.org(store, Perm::RecordLife, record.org_id).await?;
    Ok(org)
}

/// One page of the records of an organization's whole subtree, newest first, with the filters of
/// the list (type, status, dates, or only those waiting for review by `org`): for everyone who
/// reads organization life (查看组织生活); `org` was read through that scope.
pub async fn list(
    store: &Store,
    ctx: &Ctx,
    org: &Visible<Org>,
    filter: &RecordFilter,
    page: i64,
    per_page: i64,
) -> ServiceResult<Page<Record>> {
    ctx.require(Perm::ReadLife)?;
    Ok(store::life::list(store, org, filter, page, per_page).await?)
}

/// How many records of organizations below `org` wait for review there (submitted, and not
/// `org`'s own): the count beside the list's 待我审核 view, for those who read organization life.
pub async fn awaiting_review(store: &Store, ctx: &Ctx, org: &Visible<Org>) -> ServiceResult<i64> {
    let filter = RecordFilter { to_review: true, ..Default::default() };
    Ok(list(store, ctx, org, &filter, 1, 1).await?.total)
}

/// The organizations up to three levels below `org` that record their own organization life
/// ([`domain::life::records_life`]), in tree order: offered when a record is to be entered for an
/// organization that records nothing itself (a 地方党委). For those who enter organization life;
/// `org` was read through that scope.
pub async fn recording_orgs(store: &Store, ctx: &Ctx, org: &Visible<Org>) -> ServiceResult<Vec<Org>> {
    let scope = ctx.require(Perm::RecordLife)?;
    let nodes = store::org::subtree(store, &scope, org.id, Some(3)).await?;
    Ok(nodes.into_iter().filter(|n| n.depth > 0 && domain::life::records_life(n.org.kind)).map(|n| n.org).collect())
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

/// Check a record as entered for `org` without saving anything: every problem at once (422), or
/// the warnings saving it would give. `roster_on`: the date of the roster the attendance was
/// entered from, against which attendance and votes are checked while the meeting's date itself
/// is missing or wrong. For those who enter organization life; `org` was read through that scope.
pub async fn check(
    store: &Store,
    ctx: &Ctx,
    org: &Visible<Org>,
    input: &domain::life::RecordInput,
    roster_on: Option<chrono::NaiveDate>,
) -> ServiceResult<Vec<String>> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::check(store, &scope, org.id, input, roster_on).await?)
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

/// The superior's review of many submitted records at once (the 待我审核 view's bulk review and
/// `POST /api/v1/life/records/review`): all accepted, or all returned, each with its reason
/// (`(id, reason)`; required to return). Each record passes the checks of [`review`] — in the
/// caller's scope, reviewable by the caller ([`check_reviewer`]), submitted — and the first that
/// fails refuses the whole request, naming the record; nothing is written then. Accepted or
/// returned together in one transaction, each record audited on its own. Returns how many.
pub async fn review_many(store: &Store, ctx: &Ctx, items: &[(i64, String)], accept: bool) -> ServiceResult<usize> {
    let scope = ctx.require(Perm::ReviewLife)?;
    if items.is_empty() {
        let mut e = domain::FieldErrors::default();
        e.push("会议记录", "请至少选择一条待审核的记录");
        return Err(e.into());
    }
    let read = ctx.scope_for(Perm::ReadLife);
    for (id, _) in items {
        let full = store::life::get(store, &read, *id).await?;
        if !may_review(ctx, &full.record.path) {
            return Err(ServiceError::Denied(format!(
                "会议记录由上级党组织审核：您不能审核{}的记录{}，请由其上级党组织审核。本次审核未保存任何记录。",
                full.record.org_name,
                store::life::record_name(&full.record)
            )));
        }
    }
    Ok(store::life::review_many(store, &scope, items, accept).await?)
}
