//! 第一书记 and 党建工作指导员: one function per use case, for pages, API and the command line.
//!
//! Reading needs 查看分类定级 where one of the receiving organizations is. Creating a posting
//! (管理分类定级 over every receiving organization), ending it, writing others' logs and days and
//! assessing need 管理分类定级 there. A first secretary who holds an account linked to the member
//! posted reads their own posting and writes its logs and monthly days themself, wherever it is.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::first_secretary::{
    self as rules, AssessInput, DaysInput, EndInput, Kind, LogInput, Params, PostingInput, Status,
};
use domain::FieldErrors;
use store::first_secretary::{Assessment, Days, Filter, Log, Posting};
use store::{Scope, Store};

use crate::{Ctx, ServiceError, ServiceResult};

/// The list's filter as typed: kind, status, `ending` (within 90 days when `90` or `1`).
pub fn filter(kind: &str, status: &str, ending: &str) -> ServiceResult<Filter> {
    let mut e = FieldErrors::default();
    let kind = match kind.trim() {
        "" => None,
        k => Kind::parse(k).or_else(|| {
            e.push("选派类别", format!("应为 {}", Kind::labels()));
            None
        }),
    };
    let status = match status.trim() {
        "" => None,
        s => Status::parse(s).or_else(|| {
            e.push("状态", format!("应为 {}", Status::labels()));
            None
        }),
    };
    let ending_within = match ending.trim() {
        "" | "0" => None,
        "1" | "yes" => Some(rules::ENDING_NOTICE_DAYS),
        s => match s.trim_end_matches('天').parse::<i64>() {
            Ok(n) if (1..=3650).contains(&n) => Some(n),
            _ => {
                e.push("期满", format!("“{s}”应为天数，如 90"));
                None
            }
        },
    };
    e.into_result(Filter { kind, status, ending_within }).map_err(Into::into)
}

/// One page of postings with a receiving organization in the subtree of `org_id`.
pub async fn list(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    f: &Filter,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<Posting>, i64)> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    Ok(store::first_secretary::list(store, &org, f, today, limit, offset).await?)
}

/// Is the caller the member posted?
fn is_own(ctx: &Ctx, p: &Posting) -> bool {
    ctx.own_member.is_some_and(|(m, _)| p.member_id == Some(m))
}

/// May the caller manage the posting (管理分类定级 over one of its receiving organizations)?
pub fn may_manage(ctx: &Ctx, p: &Posting) -> bool {
    p.orgs.iter().any(|o| ctx.can_at(Perm::ManageGrading, &o.path))
}

/// Read a posting: 查看分类定级 over a receiving organization, or the member posted themself.
async fn read(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<Posting> {
    if ctx.has(Perm::ReadGrading) {
        if let Ok(p) = store::first_secretary::get(store, &ctx.scope_for(Perm::ReadGrading), id).await {
            return Ok(p);
        }
    }
    if let Some((m, _)) = ctx.own_member {
        if let Ok(p) = store::first_secretary::get_own(store, m, id).await {
            return Ok(p);
        }
    }
    ctx.require(Perm::ReadGrading)?;
    Err(ServiceError::NotFound("选派记录"))
}

/// A posting with everything its page shows.
pub struct Record {
    pub posting: Posting,
    pub days: Vec<Days>,
    pub logs: Vec<Log>,
    pub logs_total: i64,
    pub assessments: Vec<Assessment>,
    /// The numbers in force today.
    pub params: Params,
    pub may_manage: bool,
    /// Write logs and monthly days (a manager, or the member posted).
    pub may_log: bool,
}

/// Read a posting with a page of its log.
pub async fn get(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    today: NaiveDate,
    log_limit: i64,
    log_offset: i64,
) -> ServiceResult<Record> {
    let posting = read(store, ctx, id).await?;
    let days = store::first_secretary::days(store, &posting).await?;
    let (logs, logs_total) = store::first_secretary::logs(store, &posting, log_limit, log_offset).await?;
    let assessments = store::first_secretary::assessments(store, &posting).await?;
    let may_manage = may_manage(ctx, &posting);
    Ok(Record {
        may_log: may_manage || is_own(ctx, &posting),
        may_manage,
        params: rules::params(today),
        posting,
        days,
        logs,
        logs_total,
        assessments,
    })
}

/// Read a posting to manage it: 管理分类定级 over a receiving organization.
async fn for_manage(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Scope, Posting)> {
    let scope = ctx.require(Perm::ManageGrading)?;
    let p = store::first_secretary::get(store, &scope, id).await?;
    Ok((scope, p))
}

/// Read a posting to write its log or days: a manager, or the member posted (the audit trail
/// names the account either way).
async fn for_log(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Scope, Posting)> {
    if let Some((m, _)) = ctx.own_member {
        if let Ok(p) = store::first_secretary::get_own(store, m, id).await {
            return Ok((Scope::none().acting_as(ctx.actor.clone()), p));
        }
    }
    for_manage(store, ctx, id).await
}

/// Post a person to one village organization or up to three firms' organizations (FS-02 term,
/// FS-13 firms): 管理分类定级 over every receiving organization.
pub async fn create(store: &Store, ctx: &Ctx, input: &PostingInput) -> ServiceResult<Posting> {
    let scope = ctx.require(Perm::ManageGrading)?;
    let v = input.validate()?;
    let mut orgs = Vec::new();
    for id in &v.org_ids {
        orgs.push(store::org::visible(store, &scope, *id).await?);
    }
    let mut e = FieldErrors::default();
    for o in &orgs {
        match v.kind {
            Kind::Village if o.sector != domain::org::Sector::Rural => {
                e.push("派驻党组织", format!("{}不是村党组织，驻村第一书记应派驻到村", o.name))
            }
            k if k.to_firms() && o.sector != domain::org::Sector::PrivateEnterprise => e.push(
                "派驻党组织",
                format!("{}不是非公有制企业党组织，{}应派驻到非公有制企业（FS-13）", o.name, k.label()),
            ),
            _ => {}
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::first_secretary::create(store, &scope, &orgs, &v).await?)
}

/// End a posting: 期满 or 召回 with its reason.
pub async fn end(store: &Store, ctx: &Ctx, id: i64, input: &EndInput, today: NaiveDate) -> ServiceResult<()> {
    let (scope, p) = for_manage(store, ctx, id).await?;
    let v = input.validate(p.starts_on, today)?;
    Ok(store::first_secretary::end(store, &scope, &p, &v).await?)
}

/// Record a month's days there (FS-07 / FS-13 flag a month below the minimum when read).
pub async fn set_days(store: &Store, ctx: &Ctx, id: i64, input: &DaysInput, today: NaiveDate) -> ServiceResult<()> {
    let (scope, p) = for_log(store, ctx, id).await?;
    if p.status() == Status::Recalled {
        return Err(ServiceError::Refused("该选派已召回，不能再登记在岗天数".into()));
    }
    let v = input.validate(p.starts_on, p.ends_on, today)?;
    Ok(store::first_secretary::set_days(store, &scope, &p, &v).await?)
}

/// Add a work-log entry (a duty of the posting's kind).
pub async fn add_log(store: &Store, ctx: &Ctx, id: i64, input: &LogInput, today: NaiveDate) -> ServiceResult<i64> {
    let (scope, p) = for_log(store, ctx, id).await?;
    let end = p.ended_on.unwrap_or(p.ends_on).min(p.ends_on);
    let v = input.validate(p.kind(), p.starts_on, end, today)?;
    Ok(store::first_secretary::add_log(store, &scope, &p, &v).await?)
}

/// Record a yearly or end-of-term assessment (FS-12), capped by unexcused absences (FS-09).
pub async fn assess(store: &Store, ctx: &Ctx, id: i64, input: &AssessInput, today: NaiveDate) -> ServiceResult<i64> {
    let (scope, p) = for_manage(store, ctx, id).await?;
    let v = input.validate(p.starts_on, p.ends_on, today)?;
    Ok(store::first_secretary::assess(store, &scope, &p, &v).await?)
}

/// How many of each kind are in post on `on` in the subtree.
pub async fn in_post_counts(store: &Store, ctx: &Ctx, org_id: i64, on: NaiveDate) -> ServiceResult<Vec<(String, i64)>> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    Ok(store::first_secretary::in_post_counts(store, &org, on).await?)
}

/// May the caller write the posting's log and days (a manager, or the person posted)? Forbidden
/// or not found otherwise, before any input is read.
pub async fn writable(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<()> {
    for_log(store, ctx, id).await.map(|_| ())
}

/// May the caller manage the posting (end it, assess it)? Forbidden or not found otherwise.
pub async fn manageable(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<()> {
    for_manage(store, ctx, id).await.map(|_| ())
}
