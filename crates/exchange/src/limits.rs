//! What an imported file may hold, checked while it is read and before anything is allocated for
//! it: an upload is untrusted input, and one small file must never be able to take the server
//! down (a `.xlsx` of 2 KB can declare a sheet of 17 billion cells, or inflate to gigabytes).
//!
//! * rows: [`ImportLimits::max_rows`] rows of data besides the header row (default 1,000,000, set
//!   with `--import-max-rows` / `DANGJIAN_IMPORT_MAX_ROWS`); the spreadsheet row number of any
//!   non-empty cell counts, so a sheet cannot be made to look longer or shorter than it is;
//! * columns: [`MAX_COLUMNS`] (200: a roster has about 25, and the error workbook adds one);
//! * one cell: [`MAX_CELL_CHARS`] characters, Excel's own limit for a cell; one row:
//!   [`MAX_ROW_BYTES`] of text in all;
//! * a `.xlsx` is a zip archive: each part is refused when its declared *or* its actual
//!   uncompressed size passes [`MAX_SHEET_BYTES`] (a worksheet, read as a stream and never held),
//!   [`MAX_SHARED_STRINGS_BYTES`] (the shared strings, held for the whole read) or
//!   [`MAX_OTHER_PART_BYTES`] (workbook, relationships, styles); bytes are counted while
//!   inflating, so an archive that lies about its sizes is stopped at the limit.
//!
//! While a file is imported, rows are handed on in chunks bounded by count and by bytes, and the
//! rows kept for the report and the error workbook are bounded the same way
//! ([`crate::MAX_KEPT_BAD_ROWS`], [`crate::MAX_KEPT_BAD_BYTES`]), so an import's memory does not
//! grow with the file.
//!
//! Past a limit the import stops with a Chinese message that names the limit and where it was
//! passed (sheet, row, column letter); nothing is written. An assessor (等保三级: resource
//! control) and a 党务工作者 (a real roster is far below every limit, and the message says what
//! to split or shorten) can both accept that.

use std::sync::OnceLock;

/// Columns a sheet may use (A to GR).
pub const MAX_COLUMNS: usize = 200;
/// Characters in one cell (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// Bytes of text in one row, all its cells together: a long 备注 or 简历 fits many times over;
/// rows are counted by bytes on their way through the import, so this bounds every buffer of rows.
pub const MAX_ROW_BYTES: usize = 1 << 20;
/// Default for [`ImportLimits::max_rows`].
pub const DEFAULT_MAX_ROWS: u64 = 1_000_000;
/// Uncompressed size of one worksheet part (streamed, never held in memory).
pub const MAX_SHEET_BYTES: u64 = 2 << 30;
/// Uncompressed size of the shared strings part (held, compactly, while the sheet is read).
pub const MAX_SHARED_STRINGS_BYTES: u64 = 256 << 20;
/// Uncompressed size of any other part read (workbook, relationships, styles).
pub const MAX_OTHER_PART_BYTES: u64 = 16 << 20;
/// Bytes the XML reader may take in for one element or one run of text: far more than a cell of
/// [`MAX_CELL_CHARS`] characters needs even fully escaped, and a bound on any single buffer.
pub(crate) const MAX_XML_TOKEN_BYTES: u64 = 1 << 20;
/// Bytes of a CSV line (without its line break): every column at its longest.
pub(crate) const MAX_CSV_LINE_BYTES: usize = MAX_COLUMNS * (MAX_CELL_CHARS * 4 + 3);

/// The limits one import is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Rows of data a file may hold besides its header row: the last spreadsheet row that may hold
    /// anything is [`ImportLimits::last_row`].
    pub max_rows: u64,
    /// Columns a row may use.
    pub max_columns: usize,
    /// Characters one cell may hold.
    pub max_cell_chars: usize,
    /// Inflated bytes of one worksheet part of a `.xlsx`.
    pub max_sheet_bytes: u64,
    /// Inflated bytes of the shared strings part of a `.xlsx`.
    pub max_shared_strings_bytes: u64,
    /// Inflated bytes of any other part of a `.xlsx` that is read.
    pub max_other_part_bytes: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_rows: DEFAULT_MAX_ROWS,
            max_columns: MAX_COLUMNS,
            max_cell_chars: MAX_CELL_CHARS,
            max_sheet_bytes: MAX_SHEET_BYTES,
            max_shared_strings_bytes: MAX_SHARED_STRINGS_BYTES,
            max_other_part_bytes: MAX_OTHER_PART_BYTES,
        }
    }
}

static MAX_ROWS: OnceLock<u64> = OnceLock::new();

/// Set this process's row limit (`dangjian --import-max-rows`, `DANGJIAN_IMPORT_MAX_ROWS`) in
/// place of [`DEFAULT_MAX_ROWS`]; the first call wins. Process-wide so that every way in (the
/// import page, the API, the command line) reads files with the same limits.
pub fn configure_import_max_rows(rows: u64) {
    let _ = MAX_ROWS.set(rows);
}

impl ImportLimits {
    /// The last spreadsheet row (row 1 the header) that may hold anything.
    pub fn last_row(&self) -> u64 {
        self.max_rows.saturating_add(1)
    }

    /// The defaults, with the configured row limit if one was set.
    pub fn configured() -> Self {
        ImportLimits { max_rows: MAX_ROWS.get().copied().unwrap_or(DEFAULT_MAX_ROWS), ..ImportLimits::default() }
    }
}

/// A column's letters as a spreadsheet shows them, from its 0-based index (0 → A, 26 → AA).
pub(crate) fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(199), "GR");
        assert_eq!(column_letter(200), "GS");
        assert_eq!(column_letter(16383), "XFD");
    }
}
