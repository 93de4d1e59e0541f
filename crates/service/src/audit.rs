//! The audit trail as the 审计管理员 reads it (查看审计记录): search, export, verification of the
//! keyed chain; and the 系统管理员's view of the system (系统运行维护), which holds no business data.

use chrono::{DateTime, Utc};
use domain::access::Perm;
use store::account::{AccountFigures, SessionLimits};
use store::audit::{Filter, Head, KeyStatus, Record, Verification};
use store::member::Page;
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

/// One page of the audit trail matching `f`, newest first.
pub async fn search(store: &Store, ctx: &Ctx, f: &Filter, page: i64, per_page: i64) -> ServiceResult<Page<Record>> {
    ctx.require(Perm::ReadAudit)?;
    Ok(store::audit::search(store, f, page, per_page).await?)
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
