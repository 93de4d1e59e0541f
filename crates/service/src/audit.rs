//! The audit trail as the 审计管理员 reads it (查看审计记录): search, export, verification of the
//! keyed chain; and the 系统管理员's view of the system (系统运行维护), which holds no business data.

use chrono::{DateTime, Utc};
use domain::access::Perm;
use store::account::{AccountFigures, SessionLimits};
use store::audit::{Filter, Head, KeyStatus, Record, Verification};
use store::member::Page;
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

mod present;

pub use present::{Entry, Names};

/// One page of the audit trail matching `f`, newest first, each record with the same in words
/// ([`Entry`]): the organizations it names are looked up by id and path in one query.
///
/// 查看审计记录 is held over the whole system, not on a subtree: the trail records what happened
/// everywhere, so its reader sees the names of the organizations it mentions, wherever they are.
/// That lookup reads names only (no members, no figures), for this purpose only; an id or path
/// that names no organization (a path an organization left when it moved) stays as recorded.
pub async fn search(store: &Store, ctx: &Ctx, f: &Filter, page: i64, per_page: i64) -> ServiceResult<Page<Entry>> {
    ctx.require(Perm::ReadAudit)?;
    let found = store::audit::search(store, f, page, per_page).await?;
    let (ids, paths) = present::org_refs(&found.items);
    let trail = store::Scope::all().acting_as(ctx.actor.clone());
    let (by_id, by_path) = store::org::names_by(store, &trail, &ids, &paths).await?;
    let names = Names { by_id, by_path };
    let items = found.items.into_iter().map(|r| present::entry(r, &names)).collect();
    Ok(Page { items, total: found.total, page: found.page, per_page: found.per_page })
}

/// Every record matching `f` for an export, at most `max` (refused past it, saying so), and the
/// export itself recorded in the audit trail with its filter (`detail`) before the file leaves.
pub async fn export(
    store: &Store,
    ctx: &Ctx,
    f: &Filter,
    max: i64,
    detail: impl FnOnce(usize) -> serde_json::Value,
) -> ServiceResult<Vec<Record>> {
    let scope = ctx.require(Perm::ReadAudit)?;
    let mut records: Vec<Record> = Vec::new();
    let mut below = None;
    loop {
        let batch = store::audit::batch(store, f, below, 5000).await?;
        let done = batch.len() < 5000;
        below = batch.last().map(|r| r.seq);
        records.extend(batch);
        if records.len() as i64 > max {
            return Err(ServiceError::Refused(format!(
                "符合条件的记录超过 {max} 条，请缩小时间范围或增加筛选条件后分批导出。"
            )));
        }
        if done {
            break;
        }
    }
    store::audit::record_now(store, &scope, "audit.export", "audit_log", "ok", detail(records.len())).await?;
    Ok(records)
}

/// Walk the chain against the key and the checkpoints: intact, or every problem named.
pub async fn verify(store: &Store, ctx: &Ctx) -> ServiceResult<Verification> {
    ctx.require(Perm::ReadAudit)?;
    Ok(store::audit::verify(store).await?)
}

/// What the 系统管理员's status page shows of accounts and the audit trail (no business data).
pub struct SystemStatus {
    pub figures: AccountFigures,
    pub head: Head,
    pub keys: KeyStatus,
}

/// Read the [`SystemStatus`].
pub async fn system_status(
    store: &Store,
    ctx: &Ctx,
    now: DateTime<Utc>,
    limits: &SessionLimits,
) -> ServiceResult<SystemStatus> {
    ctx.require(Perm::RunSystem)?;
    let figures = store::account::figures(store, now, limits).await?;
    let head = store::audit::head(store).await?;
    let keys = store::audit::key_status(store).await?;
    Ok(SystemStatus { figures, head, keys })
}
