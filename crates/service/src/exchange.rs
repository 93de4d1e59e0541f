//! Import and export (导入导出) of rosters and organizations. Exports go one way for pages, the API
//! and the command line: through the caller's scope of 导入导出, personal data (ID numbers, phones
//! of members and organizations) masked unless asked for and held there (查看个人敏感信息), and one
//! audit record of what was actually written. Uploaded files wait as import jobs of the uploading
//! account, which alone sees and commits them.

use std::path::Path;

use ::exchange::{FileFormat, MemberExport};
use domain::access::Perm;
use domain::org::Org;
use store::import_job::{ImportJob, NewImportJob};
use store::{Progress, Store};

use crate::personal::{self, WhenDenied};
use crate::{Ctx, ServiceError, ServiceResult};

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportWhat {
    /// The member roster of the subtree.
    Members,
    /// The organizations of the subtree.
    Orgs,
}

/// One export, as a surface asks for it.
pub struct ExportRequest {
    pub org_id: i64,
    pub what: ExportWhat,
    pub format: FileFormat,
    /// Former members too (members only).
    pub include_former: bool,
    /// Asked for ID numbers and phones in full.
    pub unmask: bool,
    /// What to do when `unmask` is asked for without the permission.
    pub when_denied: WhenDenied,
    /// The surface, for the audit record: `page`, `api` or `cli`.
    pub via: &'static str,
}

/// What an export wrote.
pub struct Exported {
    pub org: Org,
    pub rows: u64,
    /// Whether personal data was written in full.
    pub unmasked: bool,
}

/// The organization an export or import is about, in the caller's scope of 导入导出.
pub async fn org(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<Org> {
    let scope = ctx.require(Perm::Exchange)?;
    Ok(store::org::get(store, &scope, id).await?)
}

/// Write the export `req` to `path`: permission first (导入导出 where the organization is), the
/// organization through the scope (not found outside it), personal data masked unless asked for
/// and held, then one audit record of what was written (and, when unmasked, the read of personal
/// data, 查询留痕). A file that cannot be written answers [`ServiceError::Refused`] with the reason.
pub async fn export(
    store: &Store,
    ctx: &Ctx,
    req: &ExportRequest,
    path: &Path,
    progress: &dyn Progress,
) -> ServiceResult<Exported> {
    let scope = ctx.require(Perm::Exchange)?;
    let org = store::org::visible(store, &scope, req.org_id).await?;
    let unmasked = personal::unmask(ctx, req.unmask, &org.path, req.when_denied)?;
    let include_former = req.include_former && req.what == ExportWhat::Members;
    let written = match req.what {
        ExportWhat::Members => {
            let opts = MemberExport { unmask: unmasked, include_former };
            ::exchange::export_members_with(store, &scope, org.id, path, req.format, &opts, progress).await
        }
        ExportWhat::Orgs => {
            ::exchange::export_orgs_with(store, &scope, org.id, path, req.format, unmasked, progress).await
        }
    };
    let rows = match written {
        Ok(n) => n,
        Err(e) => {
            return Err(match e.downcast::<store::StoreError>() {
                Ok(e) => e.into(),
                Err(e) => ServiceError::Refused(format!("导出失败：{e}")),
            })
        }
    };
    let (what, fields) = match req.what {
        ExportWhat::Members => ("members", serde_json::json!(["公民身份号码", "联系电话"])),
        ExportWhat::Orgs => ("orgs", serde_json::json!(["联系电话"])),
    };
    let format = match req.format {
        FileFormat::Csv => "csv",
        FileFormat::Xlsx => "xlsx",
    };
    let org = org.into_inner();
    let record = store::statistics::ExportRecord { what, format, rows, include_former, unmasked };
    store::statistics::record_export(store, &scope, &org, &record).await?;
    if unmasked {
        let (action, count) = match req.what {
            ExportWhat::Members => ("member.read_personal", "members"),
            ExportWhat::Orgs => ("org.read_personal", "orgs"),
        };
        let detail = serde_json::json!({ "fields": fields, "export": true, count: rows, "via": req.via });
        personal::record_read(store, ctx, action, &format!("org:{}", org.id), detail).await?;
    }
    Ok(Exported { org, rows, unmasked })
}

/// The caller's most recent import jobs (at most `limit`), newest first.
pub async fn recent_jobs(store: &Store, ctx: &Ctx, limit: i64) -> ServiceResult<Vec<ImportJob>> {
    let scope = ctx.require(Perm::Exchange)?;
    Ok(store::import_job::recent(store, &scope, ctx.account.account.id, limit).await?)
}

/// Keep an uploaded file and its dry-run report as an import job of the caller; audited.
pub async fn create_job(store: &Store, ctx: &Ctx, new: &NewImportJob<'_>) -> ServiceResult<i64> {
    let scope = ctx.require(Perm::Exchange)?;
    if new.account_id != ctx.account.account.id {
        return Err(ServiceError::NotFound("导入任务"));
    }
    Ok(store::import_job::create(store, &scope, new).await?)
}

/// One of the caller's own import jobs (another account's is not found).
pub async fn job(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<ImportJob> {
    let scope = ctx.require(Perm::Exchange)?;
    Ok(store::import_job::get(store, &scope, ctx.account.account.id, id).await?)
}

/// The uploaded file of one of the caller's import jobs.
pub async fn job_content(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<Vec<u8>> {
    let scope = ctx.require(Perm::Exchange)?;
    Ok(store::import_job::content(store, &scope, ctx.account.account.id, id).await?)
}

/// The error workbook of one of the caller's import jobs (its bad rows with their reasons).
pub async fn job_errors(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<Option<Vec<u8>>> {
    let scope = ctx.require(Perm::Exchange)?;
    Ok(store::import_job::error_workbook(store, &scope, ctx.account.account.id, id).await?)
}

/// Claim one of the caller's import jobs for committing: refused when it was committed already or
/// is being committed, so a file is imported once.
pub async fn claim_job(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<ImportJob> {
    let scope = ctx.require(Perm::Exchange)?;
    Ok(store::import_job::claim(store, &scope, ctx.account.account.id, id).await?)
}

/// Finish a claimed job: with the import's report (committed), or without (released, to retry).
pub async fn finish_job(store: &Store, ctx: &Ctx, id: i64, result: Option<&str>) -> ServiceResult<()> {
    let scope = ctx.require(Perm::Exchange)?;
    Ok(store::import_job::finish(store, &scope, ctx.account.account.id, id, result).await?)
}

/// The import template for `what` (the importer's own headers, an example row, and in a workbook
/// the guide to every column): for whoever may import. Holds no data, so nothing is recorded.
pub fn template(ctx: &Ctx, what: ::exchange::ImportKind, format: FileFormat) -> ServiceResult<Vec<u8>> {
    ctx.require(Perm::Exchange)?;
    ::exchange::template(what, format).map_err(|e| ServiceError::Refused(e.to_string()))
}

/// The scope an import of `kind` writes in: where the caller holds 导入导出 together with the right
/// to write what the file holds (维护党组织 for organizations, 维护党员信息 for rosters).
pub fn import_scope(ctx: &Ctx, kind: Option<::exchange::ImportKind>) -> store::Scope {
    match kind {
        Some(::exchange::ImportKind::Orgs) => ctx.scope_for_all(&[Perm::Exchange, Perm::EditOrgs]),
        _ => ctx.scope_for_all(&[Perm::Exchange, Perm::EditMembers]),
    }
}

/// The organization an import of `kind` goes under, in [`import_scope`].
pub async fn import_org(store: &Store, ctx: &Ctx, kind: Option<::exchange::ImportKind>, id: i64) -> ServiceResult<Org> {
    Ok(store::org::get(store, &import_scope(ctx, kind), id).await?)
}
