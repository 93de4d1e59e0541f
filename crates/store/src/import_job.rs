//! Import jobs of the web import: an uploaded file kept between its dry run and its commit.
//!
//! A job belongs to the account that uploaded it and to its target organization: every read
//! takes both the account and the scope, and a job of another account, or whose target lies
//! outside the scope, is "not found" (the same answer). A job is committed at most once:
//! [`claim`] moves it from `draft` to `committing` in one conditional update, so two concurrent
//! commits cannot both run the import.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::args;
use crate::db::{lite, Exec, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

/// Drafts older than this are removed when their account uploads again.
pub const DRAFT_DAYS: i64 = 7;

/// A job as shown (without the file's bytes).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ImportJob {
    pub id: i64,
    pub account_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub file_name: String,
    pub file_size: i64,
    pub is_strict: bool,
    /// `members` or `orgs`.
    pub kind: String,
    /// The dry run's report as JSON.
    pub report: String,
    pub has_error_workbook: bool,
    /// `draft`, `committing` or `committed`.
    pub state: String,
    /// The real import's report as JSON, once committed.
    pub result: Option<String>,
    pub created_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
}

impl ImportJob {
    pub fn is_draft(&self) -> bool {
        self.state == "draft"
    }
    pub fn is_committed(&self) -> bool {
        self.state == "committed"
    }
}

/// A job to store after its dry run.
#[derive(Debug, Clone)]
pub struct NewImportJob<'a> {
    pub account_id: i64,
    pub org_id: i64,
    pub file_name: &'a str,
    pub content: &'a [u8],
    pub is_strict: bool,
    pub kind: &'a str,
    pub report: &'a str,
    pub error_workbook: Option<&'a [u8]>,
    /// Rows read and bad rows, for the audit record.
    pub rows: u64,
    pub bad: u64,
}

const COLS: &str = "j.id, j.account_id, j.org_id, o.name AS org_name, o.path AS org_path, j.file_name, j.file_size, \
     j.is_strict, j.kind, j.report, (j.error_workbook IS NOT NULL) AS has_error_workbook, \
     j.state, j.result, j.created_at, j.committed_at";

/// Store a job whose target organization the caller may see; audited (file name, size and
/// counts, never the content). Drafts of the same account older than [`DRAFT_DAYS`] are removed.
pub async fn create(store: &Store, scope: &Scope, new: &NewImportJob<'_>) -> StoreResult<i64> {
    let org = crate::org::get(store, scope, new.org_id).await?;
    let now = Utc::now();
    let mut tx = store.begin().await?;
    tx.x()
        .execute(
            "DELETE FROM import_job WHERE account_id = $1 AND state = 'draft' AND created_at < $2",
            &args![new.account_id, now - Duration::days(DRAFT_DAYS)],
        )
        .await?;
    let sql = "INSERT INTO import_job (account_id, org_id, file_name, file_size, content, is_strict, kind, report, \
               error_workbook, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10) RETURNING id";
    let size = new.content.len() as i64;
    let id: (i64,) = match tx.x() {
        Exec::Sqlite(c) => {
            sqlx::query_as(&lite(sql))
                .bind(new.account_id)
                .bind(org.id)
                .bind(new.file_name)
                .bind(size)
                .bind(new.content)
                .bind(new.is_strict)
                .bind(new.kind)
                .bind(new.report)
                .bind(new.error_workbook)
                .bind(now)
                .fetch_one(&mut *c)
                .await?
        }
        Exec::Pg(c) => {
            sqlx::query_as(sql)
                .bind(new.account_id)
                .bind(org.id)
                .bind(new.file_name)
                .bind(size)
                .bind(new.content)
                .bind(new.is_strict)
                .bind(new.kind)
                .bind(new.report)
                .bind(new.error_workbook)
                .bind(now)
                .fetch_one(&mut *c)
                .await?
        }
        _ => return Err(StoreError::Refused("内部错误：事务连接不可用".into())),
    };
    crate::audit::record(
        &mut tx,
        scope,
        "import.upload",
        &format!("import_job:{}", id.0),
        "ok",
        json!({ "org": org.id, "file_name": new.file_name, "size": size, "kind": new.kind, "rows": new.rows, "bad": new.bad, "strict": new.is_strict }),
    )
    .await?;
    tx.commit().await?;
    Ok(id.0)
}

/// A job of `account_id` whose target the caller may see; anything else is not found.
pub async fn get(store: &Store, scope: &Scope, account_id: i64, id: i64) -> StoreResult<ImportJob> {
    let job: ImportJob = store
        .read()
        .fetch_optional(
            &format!(
                "SELECT {COLS} FROM import_job j JOIN org o ON o.id = j.org_id WHERE j.id = $1 AND j.account_id = $2"
            ),
            &args![id, account_id],
        )
        .await?
        .ok_or(StoreError::NotFound("导入任务"))?;
    if !scope.contains(&job.org_path) {
        return Err(StoreError::NotFound("导入任务"));
    }
    Ok(job)
}

/// The account's latest jobs inside the scope, newest first.
pub async fn recent(store: &Store, scope: &Scope, account_id: i64, limit: i64) -> StoreResult<Vec<ImportJob>> {
    let jobs: Vec<ImportJob> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM import_job j JOIN org o ON o.id = j.org_id WHERE j.account_id = $1 ORDER BY j.id DESC LIMIT $2"
            ),
            &args![account_id, limit.saturating_mul(4)],
        )
        .await?;
    Ok(jobs.into_iter().filter(|j| scope.contains(&j.org_path)).take(limit.max(0) as usize).collect())
}

/// The uploaded file of a job the caller may see.
pub async fn content(store: &Store, scope: &Scope, account_id: i64, id: i64) -> StoreResult<Vec<u8>> {
    get(store, scope, account_id, id).await?;
    let row: (Vec<u8>,) = store.read().fetch_one("SELECT content FROM import_job WHERE id = $1", &args![id]).await?;
    Ok(row.0)
}

/// The dry run's error workbook of a job the caller may see (`None` when there were no bad rows).
pub async fn error_workbook(store: &Store, scope: &Scope, account_id: i64, id: i64) -> StoreResult<Option<Vec<u8>>> {
    get(store, scope, account_id, id).await?;
    let row: (Option<Vec<u8>>,) =
        store.read().fetch_one("SELECT error_workbook FROM import_job WHERE id = $1", &args![id]).await?;
    Ok(row.0)
}

/// Take a draft for its commit (`draft` → `committing`): refused when it was already committed
/// or is being committed, so a file is never imported twice.
pub async fn claim(store: &Store, scope: &Scope, account_id: i64, id: i64) -> StoreResult<ImportJob> {
    let job = get(store, scope, account_id, id).await?;
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE import_job SET state = 'committing' WHERE id = $1 AND account_id = $2 AND state = 'draft'",
            &args![id, account_id],
        )
        .await?;
    tx.commit().await?;
    if n == 0 {
        return Err(StoreError::Refused(if job.is_committed() {
            "该文件已经导入过，不能重复导入。如需再次导入，请重新上传文件。".into()
        } else {
            "该文件正在导入，请稍后刷新页面查看结果。".into()
        }));
    }
    Ok(ImportJob { state: "committing".into(), ..job })
}

/// Record the outcome of a claimed job: `committed` with the import's report, or back to `draft`
/// when the import failed before writing anything (`result` = `None`). The import itself is
/// audited by the import (`member.import` / `org.import`).
pub async fn finish(store: &Store, scope: &Scope, account_id: i64, id: i64, result: Option<&str>) -> StoreResult<()> {
    get(store, scope, account_id, id).await?;
    let mut tx = store.begin().await?;
    match result {
        Some(r) => {
            tx.x()
                .execute(
                    "UPDATE import_job SET state = 'committed', result = $1, committed_at = $2 \
                     WHERE id = $3 AND account_id = $4 AND state = 'committing'",
                    &args![r, Utc::now(), id, account_id],
                )
                .await?
        }
        None => {
            tx.x()
                .execute(
                    "UPDATE import_job SET state = 'draft' WHERE id = $1 AND account_id = $2 AND state = 'committing'",
                    &args![id, account_id],
                )
                .await?
        }
    };
    tx.commit().await
}
