//! dangjian import and export of the member roster (党员名册) and the organization tree (党组织),
//! as `.xlsx` or `.csv`.
//!
//! * **Import** ([`import_file`]): CSV in UTF-8 (with or without BOM), UTF-16 (with BOM) or
//!   GBK/GB18030 (what Excel on Chinese Windows writes), detected while streaming; `.xlsx` with typed
//!   cells (dates, numbers). Headers are matched by name with common aliases ([`detect_kind`]);
//!   unknown columns (including the 错误原因 column of an error workbook) are ignored. Every row is
//!   checked (domain validation, organization references, duplicate ID numbers, uniqueness against
//!   members outside the caller's scope) and reported with its spreadsheet row, its column and the
//!   reason, in Chinese. A dry run reports without writing; strict mode writes nothing if any row
//!   is bad; otherwise exactly the good rows are written, in one transaction. Re-importing a file
//!   duplicates no one. The bad rows can be written to an error workbook that, once corrected,
//!   imports as is.
//! * **Export** ([`export_members`], [`export_orgs`]): a subtree's roster (every status, so history
//!   round-trips) and organizations, with the headers the import reads and organization
//!   references written as `/`-joined name chains from the export root. CSV is UTF-8 with BOM so
//!   Excel opens it correctly. Cells that a spreadsheet would run as a formula are neutralised
//!   with a leading `'` (removed again on import).
//! * **Templates** ([`template()`]): the importer's headers, one example row that imports as it is
//!   and, in a workbook, dropdowns of the accepted values and a 填写说明 sheet.
//! * [`mod@bench`]: the naive baseline and the data generator for the import benchmark.

mod cell;
mod columns;
mod export;
mod import;
mod limits;
mod source;
mod template;
mod writer;
mod xlsx;

pub mod bench;
pub mod campaign;
pub mod life;
pub mod officers;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use columns::{detect_kind, member_headers, org_headers};
pub use export::{export_members, export_members_with, export_orgs, export_orgs_with, MemberExport};
pub use import::import_file;
pub use limits::{
    configure_import_max_rows, ImportLimits, DEFAULT_MAX_ROWS, MAX_CELL_CHARS, MAX_COLUMNS, MAX_OTHER_PART_BYTES,
    MAX_ROW_BYTES, MAX_SHARED_STRINGS_BYTES, MAX_SHEET_BYTES,
};
pub use template::template;

/// A spreadsheet file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Comma- (or tab-) separated text; read as UTF-8, UTF-16 or GB18030, written as UTF-8 with BOM.
    Csv,
    /// Office Open XML workbook (Excel 2007 and later); the first sheet with a recognised header
    /// row is read.
    Xlsx,
}

impl FileFormat {
    /// The format named by a file's extension (`.csv`, `.txt`, `.tsv`, `.xlsx`, `.xlsm`).
    pub fn from_path(path: &Path) -> anyhow::Result<FileFormat> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" | "tsv" => Ok(FileFormat::Csv),
            "xlsx" | "xlsm" => Ok(FileFormat::Xlsx),
            "xls" | "et" => {
                anyhow::bail!("不支持旧版 Excel 文件（.{ext}）：请在 Excel/WPS 中“另存为”.xlsx 或 CSV 后再导入")
            }
            "" => anyhow::bail!("无法从文件名“{}”判断文件类型：请使用 .xlsx 或 .csv 文件", path.display()),
            _ => anyhow::bail!("不支持的文件类型“.{ext}”：请使用 .xlsx 或 .csv 文件"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileFormat::Csv => "CSV",
            FileFormat::Xlsx => "Excel（.xlsx）",
        }
    }
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// 党员名册: one member per row, keyed by 公民身份号码.
    Members,
    /// 党组织: one organization per row, placed by 上级党组织.
    Orgs,
}

impl ImportKind {
    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Members => "党员",
            ImportKind::Orgs => "党组织",
        }
    }
}

/// How to import a file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// What the file holds; `None` detects it from the header row.
    pub kind: Option<ImportKind>,
    /// The import target: organization references are resolved inside its subtree, organization
    /// rows with an empty 上级党组织 are created under it and member rows with an empty 所在党组织
    /// join it. `None`: references are resolved in the caller's whole scope, and organization rows
    /// with an empty 上级党组织 become top-level organizations (only with [`store::Scope::all`]).
    pub under: Option<i64>,
    /// Check everything and report, write nothing.
    pub dry_run: bool,
    /// Write nothing at all if any row is bad.
    pub strict: bool,
    /// Write the bad rows (original headers and values, plus a 错误原因 column) to this `.xlsx`
    /// (or `.csv`) file, when there are any. Once corrected it can be imported as it is.
    pub error_workbook: Option<PathBuf>,
    /// The date validation treats as today.
    pub today: NaiveDate,
    /// The file's name as the user knows it (the name it was uploaded under), for messages:
    /// “文件《成员名单.xlsx》…”. `None`: “上传的文件…”. The path the file is read from (a
    /// temporary copy on the server) never appears in a message.
    pub file_name: Option<String>,
    /// What the file may hold ([`ImportLimits::configured`] by default).
    pub limits: ImportLimits,
}

impl ImportOptions {
    /// Detect the kind, no target, write the good rows, no error workbook, the configured limits.
    pub fn new(today: NaiveDate) -> Self {
        ImportOptions {
            kind: None,
            under: None,
            dry_run: false,
            strict: false,
            error_workbook: None,
            today,
            file_name: None,
            limits: ImportLimits::configured(),
        }
    }

    /// How messages name the file.
    pub(crate) fn subject(&self) -> String {
        match self.file_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            // the name as uploaded, without any folder a browser may send along
            Some(n) => format!("文件《{}》", n.rsplit(['/', '\\']).next().unwrap_or(n)),
            None => "上传的文件".into(),
        }
    }
}

/// One problem in one cell of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The row as the user sees it in the spreadsheet (the header is usually row 1, so the first
    /// data row is row 2).
    pub row: u64,
    /// The column's header as written in the file (or the standard header when the column is
    /// missing).
    pub column: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 行，{}：{}", self.row, self.column, self.reason)
    }
}

/// The outcome of an import (or of a dry run: then the counts say what a real import would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub format: FileFormat,
    /// The text encoding a CSV file was read as.
    pub encoding: Option<String>,
    /// Data rows read (blank rows are skipped).
    pub rows: u64,
    /// Rows without problems.
    pub ok: u64,
    /// Rows with at least one problem; these are never written.
    pub bad: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Every problem of the kept bad rows, by row.
    pub errors: Vec<RowError>,
    /// More bad rows than can be kept ([`MAX_KEPT_BAD_ROWS`], [`MAX_KEPT_BAD_BYTES`]): only the
    /// first ones are in `errors` and in the error workbook.
    pub errors_truncated: bool,
    /// The transaction was committed.
    pub written: bool,
    pub dry_run: bool,
    pub strict: bool,
    /// Where the bad rows were written, when asked for and there were any.
    pub error_workbook: Option<PathBuf>,
}

/// At most this many bad rows are kept in memory for the report and the error workbook.
pub const MAX_KEPT_BAD_ROWS: usize = 100_000;
/// At most this many bytes of cell text of bad rows are kept (further bad rows are counted, and
/// `errors_truncated` says their details were left out).
pub const MAX_KEPT_BAD_BYTES: usize = 64 << 20;

impl ImportReport {
    /// A short Chinese summary for the user.
    pub fn summary(&self) -> String {
        let what = self.kind.label();
        let mut s = format!("{what}导入：共 {} 行，正确 {} 行，有误 {} 行。", self.rows, self.ok, self.bad);
        let counts = format!("新增 {}，更新 {}，未变 {}", self.inserted, self.updated, self.unchanged);
        if self.written {
            s.push_str(&format!("已写入：{counts}。"));
            if self.bad > 0 {
                s.push_str(&format!("有误的 {} 行未写入。", self.bad));
            }
        } else if self.dry_run {
            s.push_str(&format!("试运行，未写入任何数据；正式导入将{counts}。"));
            if self.strict && self.bad > 0 {
                s.push_str("严格模式下有误行会使整个文件不被写入。");
            }
        } else if self.strict && self.bad > 0 {
            s.push_str("严格模式：文件中有错误行，未写入任何数据，请改正后重新导入。");
        } else {
            s.push_str("未写入任何数据。");
        }
        if self.errors_truncated {
            let mut kept: Vec<u64> = self.errors.iter().map(|e| e.row).collect();
            kept.dedup();
            s.push_str(&format!("有误行过多，只保留了前 {} 行的明细。", kept.len()));
        }
        if let Some(p) = &self.error_workbook {
            s.push_str(&format!("有误的行已写入“{}”，改正后可直接重新导入。", p.display()));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: T) {}

    /// The futures can be spawned on a multi-threaded runtime (a server handler, say).
    #[allow(dead_code)]
    fn futures_are_send(
        store: &store::Store,
        scope: &store::Scope,
        path: &Path,
        opts: &ImportOptions,
        progress: &dyn store::Progress,
    ) {
        assert_send(import_file(store, scope, path, opts, progress));
        assert_send(export_members(store, scope, 1, path, FileFormat::Csv, true, progress));
        assert_send(export_orgs(store, scope, 1, path, FileFormat::Xlsx, progress));
        assert_send(bench::raw_insert_baseline(store, path, 1, "0001"));
    }

    #[test]
    fn formats_from_paths() {
        assert_eq!(FileFormat::from_path(Path::new("a/名册.CSV")).unwrap(), FileFormat::Csv);
        assert_eq!(FileFormat::from_path(Path::new("名册.xlsx")).unwrap(), FileFormat::Xlsx);
        assert!(FileFormat::from_path(Path::new("名册.xls")).unwrap_err().to_string().contains("另存为"));
        assert!(FileFormat::from_path(Path::new("名册")).is_err());
    }
}
