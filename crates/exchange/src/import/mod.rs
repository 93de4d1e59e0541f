//! The import engine.
//!
//! A blocking thread reads the file row by row, parses and validates each row (pure work) and
//! sends chunks over a bounded channel; the async side resolves organization references (cached),
//! checks duplicates, and writes batches inside one transaction. Chunks and batches are bounded by
//! rows and by bytes; only bad rows are kept (at most [`crate::MAX_KEPT_BAD_ROWS`] and
//! [`crate::MAX_KEPT_BAD_BYTES`]) with, per member, a compact key of the ID number, so a file of
//! any length streams in bounded memory.
//!
//! Members: current members (党籍状态 正常) go through [`store::member::upsert_batch`], which
//! updates by ID number. Former members (history rows: 死亡, 已转出, …) are matched by
//! (ID number, 党籍状态, 状态日期) against the history already stored, so re-importing a file
//! duplicates no one; a history row for someone currently a member in scope is a status change,
//! unless the same file also lists that person as a current member (then it is an earlier episode
//! and is kept as history).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use chrono::NaiveDate;
use store::member::BulkReport;
use store::{Progress, Scope, Store};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::cell::Cell;
use crate::columns::{m, Layout};
use crate::source::{open_table, RowIter};
use crate::xlsx::Reading;
use crate::{FileFormat, ImportKind, ImportOptions, ImportReport, RowError};

/// Valid member rows written per call of `upsert_batch`.
const BATCH: usize = 2000;
/// Rows per message from the reading thread, and the bytes of cell text at which a message goes
/// out sooner.
const CHUNK: usize = 256;
const CHUNK_BYTES: usize = 1 << 20;
/// Bytes of cell text of valid rows waiting for their batch at which the batch goes out sooner.
const BATCH_BYTES: usize = 16 << 20;
/// Messages buffered between the reading thread and the writer.
const CHANNEL: usize = 8;

/// Problems of one row: (column as the user wrote it, reason).
type Errs = Vec<(String, String)>;

/// A parsed row on its way from the reading thread.
struct Item<P> {
    row: u64,
    cells: Vec<Cell>,
    errors: Errs,
    parsed: P,
}

/// A bad row, kept for the report and the error workbook.
struct BadRow {
    row: u64,
    cells: Vec<Cell>,
    errors: Errs,
}

/// Import a member roster or an organization file (`.xlsx` or `.csv`) into the subtree the caller
/// may write (see [`ImportOptions`]). Returns the report; an `Err` means the file could not be
/// read at all (or the database failed), in which case nothing was written.
pub async fn import_file(
    store: &Store,
    scope: &Scope,
    path: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> anyhow::Result<ImportReport> {
    let format = FileFormat::from_path(path)?;
    let error_format = match &opts.error_workbook {
        Some(p) if p == path => anyhow::bail!("错误工作簿不能与导入的文件是同一个文件：{}", p.display()),
        Some(p) => Some(FileFormat::from_path(p).map_err(|e| anyhow!("错误工作簿：{e}"))?),
        None => None,
    };
    let target = match opts.under {
        Some(id) => Some(store::org::get(store, scope, id).await.map_err(|e| anyhow!("导入到的{e}"))?),
        None => None,
    };
    let p = path.to_path_buf();
    let want = opts.kind;
    let reading = Reading { subject: opts.subject(), limits: opts.limits };
    let table = tokio::task::spawn_blocking(move || open_table(&p, format, want, &reading))
        .await
        .context("读取文件时出现内部错误")??;
    let layout = Arc::new(table.layout);
    let kind = layout.kind;
    if kind == ImportKind::Members && !layout.has(m::ORG) && target.is_none() {
        anyhow::bail!("文件没有“所在党组织”列：请增加该列写明每名党员所在的党支部，或指定导入到哪个党支部");
    }

    let tx = store.begin().await?;
    let mut run = Run {
        store,
        scope,
        target,
        layout: layout.clone(),
        tx,
        resolved: HashMap::new(),
        member_orgs: HashMap::new(),
        bad: Vec::new(),
        bad_bytes: 0,
        bad_count: 0,
        rows: 0,
        counts: BulkReport::default(),
    };
    progress.start(&format!("导入{}", kind.label()), table.len);
    let outcome = match kind {
        ImportKind::Members => {
            let (rx, reader) = spawn_reader(table.rows, layout.clone(), opts.today, parse_member);
            run.members(rx, reader, progress).await
        }
        ImportKind::Orgs => {
            let (rx, reader) = spawn_reader(table.rows, layout.clone(), opts.today, parse_org);
            run.orgs(rx, reader, progress).await
        }
    };
    progress.finish();
    // on error the transaction is dropped, which rolls it back
    outcome?;

    let Run { mut tx, mut bad, bad_count, rows, counts, .. } = run;
    let errors_truncated = bad_count > bad.len() as u64;
    bad.sort_by_key(|b| b.row);
    let errors: Vec<RowError> = bad
        .iter()
        .flat_map(|b| b.errors.iter().map(|(c, r)| RowError { row: b.row, column: c.clone(), reason: r.clone() }))
        .collect();
    // the error workbook before the commit: if it cannot be written, nothing is
    let mut error_workbook = None;
    if let (Some(wb_path), Some(wb_format), false) = (&opts.error_workbook, error_format, bad.is_empty()) {
        let p = wb_path.clone();
        let l = layout.clone();
        tokio::task::spawn_blocking(move || write_error_workbook(&p, wb_format, &l, &bad))
            .await
            .context("写错误工作簿时出现内部错误")??;
        error_workbook = Some(wb_path.clone());
    }
    let written = if opts.dry_run || (opts.strict && bad_count > 0) {
        tx.rollback().await?;
        false
    } else {
        let action = match kind {
            ImportKind::Members => "member.import",
            ImportKind::Orgs => "org.import",
        };
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let detail = serde_json::json!({
            "file": file, "rows": rows, "bad": bad_count, "inserted": counts.inserted,
            "updated": counts.updated, "unchanged": counts.unchanged, "under": opts.under,
        });
        store::audit::record(&mut tx, scope, action, &format!("file:{file}"), "ok", detail).await?;
        tx.commit().await?;
        true
    };
    Ok(ImportReport {
        kind,
        format,
        encoding: table.encoding.map(str::to_string),
        rows,
        ok: rows - bad_count,
        bad: bad_count,
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
        errors,
        errors_truncated,
        written,
        dry_run: opts.dry_run,
        strict: opts.strict,
        error_workbook,
    })
}

type Parse<P> = fn(&Layout, &[Cell], NaiveDate) -> (P, Errs);
type Chunks<P> = mpsc::Receiver<anyhow::Result<Vec<Item<P>>>>;

/// Read, parse and validate on a blocking thread; chunks of rows come out of the channel.
fn spawn_reader<P: Send + 'static>(
    rows: RowIter,
    layout: Arc<Layout>,
    today: NaiveDate,
    parse: Parse<P>,
) -> (Chunks<P>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let handle = tokio::task::spawn_blocking(move || {
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut bytes = 0;
        for r in rows {
            match r {
                Ok(raw) if layout.is_blank(&raw.cells) => {}
                Ok(raw) => {
                    let (parsed, errors) = parse(&layout, &raw.cells, today);
                    bytes += raw.cells.iter().map(Cell::text_bytes).sum::<usize>();
                    chunk.push(Item { row: raw.row, cells: raw.cells, errors, parsed });
                    if chunk.len() >= CHUNK || bytes >= CHUNK_BYTES {
                        bytes = 0;
                        if tx.blocking_send(Ok(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))).is_err() {
                            return; // the importer stopped
                        }
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
        if !chunk.is_empty() {
            let _ = tx.blocking_send(Ok(chunk));
        }
    });
    (rx, handle)
}

/// The end of the channel is only the end of the file if the reading thread did not panic.
async fn reader_done(reader: JoinHandle<()>) -> anyhow::Result<()> {
    reader.await.map_err(|e| anyhow!("读取文件时出现内部错误：{e}"))
}

mod errors;
mod parse;
mod write;

use errors::*;
use parse::*;
use write::*;
