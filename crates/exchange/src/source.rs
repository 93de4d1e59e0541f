//! Reading a file as rows of cells: CSV streamed record by record (encoding sniffed from the first
//! bytes), `.xlsx` streamed row by row ([`crate::xlsx`]), both within the limits of
//! [`crate::limits`]. Blank rows are skipped; every row carries its number as the user sees it in
//! a spreadsheet. Messages name the file as the user knows it, never a server path.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use anyhow::anyhow;
use encoding_rs::{Encoding, GB18030, UTF_8};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

use crate::cell::Cell;
use crate::columns::{find_header, Layout};
use crate::limits::{MAX_CSV_LINE_BYTES, MAX_ROW_BYTES};
use crate::xlsx::{Reading, Workbook};
use crate::{FileFormat, ImportKind};

/// One data row: its spreadsheet row number and its cells.
pub(crate) struct RawRow {
    pub row: u64,
    pub cells: Vec<Cell>,
}

pub(crate) type RowIter = Box<dyn Iterator<Item = anyhow::Result<RawRow>> + Send>;

/// An opened file: its header mapped, and the data rows after it.
pub(crate) struct Table {
    pub layout: Layout,
    pub rows: RowIter,
    /// Number of data rows, when known up front (`.xlsx`).
    pub len: Option<u64>,
    /// The encoding a CSV file is read as.
    pub encoding: Option<&'static str>,
}

/// Rows searched for the header (title rows above it are allowed).
const HEADER_SEARCH_ROWS: usize = 20;

/// Open a file and find its header row. Blocking: call from a blocking thread.
pub(crate) fn open_table(
    path: &Path,
    format: FileFormat,
    want: Option<ImportKind>,
    reading: &Reading,
) -> anyhow::Result<Table> {
    match format {
        FileFormat::Csv => {
            let (rows, enc) = csv_rows(path, reading)?;
            let (layout, rows) = with_header(rows, want)?.ok_or_else(|| no_header(want))?;
            Ok(Table { layout, rows, len: None, encoding: Some(enc) })
        }
        FileFormat::Xlsx => {
            let wb = Workbook::open(path, reading)?;
            for i in 0..wb.sheet_names().len() {
                let mut sheet = wb.rows(i);
                // the declared last row only sizes the progress bar
                let end = sheet.declared_end();
                let rows: RowIter = Box::new(sheet);
                if let Some((layout, rows)) = with_header(rows, want)? {
                    let len = end.map(|e| e.saturating_sub(layout.header_row));
                    return Ok(Table { layout, rows, len, encoding: None });
                }
            }
            Err(no_header(want))
        }
    }
}

fn no_header(want: Option<ImportKind>) -> anyhow::Error {
    match want {
        Some(ImportKind::Members) => {
            anyhow!("找不到党员名册的表头：表头应含“公民身份号码”（或“身份证号”）、“姓名”等列")
        }
        Some(ImportKind::Orgs) => anyhow!("找不到党组织的表头：表头应含“组织名称”“上级党组织”“组织类别”等列"),
        None => anyhow!(
            "无法识别文件内容：党员名册的表头应含“公民身份号码”（或“身份证号”），党组织文件的表头应含“组织名称”"
        ),
    }
}

/// Peek at the first rows, find the header, and return the layout with the rows after it.
fn with_header(mut rows: RowIter, want: Option<ImportKind>) -> anyhow::Result<Option<(Layout, RowIter)>> {
    let mut head: Vec<(u64, Vec<Cell>)> = Vec::new();
    for r in rows.by_ref() {
        let r = r?;
        head.push((r.row, r.cells));
        if head.len() >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    let Some((i, kind)) = find_header(&head, want) else { return Ok(None) };
    let mut rest: VecDeque<(u64, Vec<Cell>)> = head.into_iter().skip(i).collect();
    let (header_row, header) = rest.pop_front().ok_or_else(|| anyhow!("表头缺失"))?;
    let layout = Layout::new(kind, &header, header_row).map_err(|e| anyhow!(e))?;
    let peeked = rest.into_iter().map(|(row, cells)| Ok(RawRow { row, cells }));
    Ok(Some((layout, Box::new(peeked.chain(rows)))))
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Bytes looked at to choose the encoding and the delimiter.
const SNIFF_BYTES: usize = 1 << 20;

/// Choose the encoding of a file from its first bytes: a BOM decides; otherwise valid UTF-8 is
/// UTF-8 and anything else is GB18030 (a superset of GBK and GB2312).
pub(crate) fn sniff_encoding(prefix: &[u8], complete: bool) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(prefix) {
        return enc;
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => UTF_8,
        // a multi-byte character cut at the end of the prefix is still UTF-8
        Err(e) if e.error_len().is_none() && !complete => UTF_8,
        Err(_) => GB18030,
    }
}

type CsvReader = csv::Reader<Newlines<DecodeReaderBytes<std::io::Chain<Cursor<Vec<u8>>, File>, Vec<u8>>>>;

/// Line breaks as `\n` only (`\r\n` and a lone `\r` become `\n`), and a final `\n` if the text
/// lacks one: then the csv reader consumes every record's terminator with the record, and its
/// line count after a record tells where the record ended (see [`CsvRows`]).
struct Newlines<R> {
    inner: R,
    raw: Vec<u8>,
    buf: Vec<u8>,
    pos: usize,
    after_cr: bool,
    last: Option<u8>,
    done: bool,
    /// Bytes since the last line break, and whether a line passed [`MAX_CSV_LINE_BYTES`]: the
    /// csv reader holds a whole record, so one endless line must not become one endless buffer.
    line: usize,
    too_long: bool,
}

impl<R: Read> Newlines<R> {
    fn new(inner: R) -> Self {
        Newlines {
            inner,
            raw: vec![0; 64 * 1024],
            buf: Vec::with_capacity(64 * 1024),
            pos: 0,
            after_cr: false,
            last: None,
            done: false,
            line: 0,
            too_long: false,
        }
    }
}

impl<R: Read> Read for Newlines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            self.buf.clear();
            self.pos = 0;
            let n = self.inner.read(&mut self.raw)?;
            if n == 0 {
                self.done = true;
                if self.last.is_some_and(|b| b != b'\n') {
                    self.buf.push(b'\n');
                }
                continue;
            }
            for &b in &self.raw[..n] {
                match b {
                    b'\r' => {
                        self.buf.push(b'\n');
                        self.after_cr = true;
                        self.line = 0;
                        continue;
                    }
                    b'\n' if self.after_cr => {}
                    b'\n' => {
                        self.buf.push(b);
                        self.line = 0;
                    }
                    _ => {
                        self.buf.push(b);
                        self.line += 1;
                    }
                }
                self.after_cr = false;
            }
            if self.line > MAX_CSV_LINE_BYTES {
                self.too_long = true;
                return Err(std::io::Error::other("line longer than allowed"));
            }
            if let Some(&b) = self.buf.last() {
                self.last = Some(b);
            }
        }
    }
}

struct CsvRows {
    rdr: CsvReader,
    rec: csv::StringRecord,
    /// Line breaks inside quoted fields so far: a spreadsheet shows such a record as one row.
    embedded: u64,
    failed: bool,
    reading: Reading,
    /// Rows handed on so far.
    rows: u64,
}

pub(crate) fn csv_rows(path: &Path, reading: &Reading) -> anyhow::Result<(RowIter, &'static str)> {
    let unreadable = |e: std::io::Error| {
        tracing::warn!(error = %e, "an uploaded file could not be read");
        anyhow!("无法读取{}，请稍后重试", reading.subject)
    };
    let mut file = File::open(path).map_err(unreadable)?;
    let mut prefix = Vec::with_capacity(64 * 1024);
    (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut prefix).map_err(unreadable)?;
    let complete = prefix.len() < SNIFF_BYTES;
    let enc = sniff_encoding(&prefix, complete);
    // the delimiter: tabs (Excel's "Unicode text") or commas, whichever the first lines hold more of
    let (text, _, _) = enc.decode(&prefix[..prefix.len().min(64 * 1024)]);
    let head: Vec<&str> = text.lines().take(HEADER_SEARCH_ROWS).collect();
    let count = |c: char| head.iter().map(|l| l.matches(c).count()).sum::<usize>();
    let delimiter = if count('\t') > count(',') { b'\t' } else { b',' };
    let decoder = DecodeReaderBytesBuilder::new()
        .encoding(Some(enc))
        .bom_override(true)
        .strip_bom(true)
        .build(Cursor::new(prefix).chain(file));
    let decoder = Newlines::new(decoder);
    let rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(decoder);
    let name = if enc == GB18030 { "GB18030（GBK）" } else { enc.name() };
    let rows =
        CsvRows { rdr, rec: csv::StringRecord::new(), embedded: 0, failed: false, reading: reading.clone(), rows: 0 };
    Ok((Box::new(rows), name))
}

impl CsvRows {
    /// The current record as a row within the limits; `None` when it is blank.
    fn row(&mut self, row: u64) -> anyhow::Result<Option<RawRow>> {
        let r = &self.reading;
        let mut cells: Vec<Cell> = Vec::new();
        for (col, field) in self.rec.iter().enumerate() {
            if col >= r.limits.max_columns {
                // empty fields past the last column (a line of trailing commas) are no content
                if field.trim().is_empty() {
                    continue;
                }
                return Err(r.too_many_columns(None, row, col));
            }
            if field.len() > r.limits.max_cell_chars && field.chars().count() > r.limits.max_cell_chars {
                return Err(r.cell_too_long(None, row, col));
            }
            cells.push(Cell::text_or_empty(field));
        }
        if cells.iter().all(Cell::is_blank) {
            return Ok(None);
        }
        if cells.iter().map(Cell::text_bytes).sum::<usize>() > MAX_ROW_BYTES {
            return Err(r.row_too_long(None, row));
        }
        self.rows += 1;
        if row > r.limits.last_row() || self.rows > r.limits.last_row() {
            return Err(r.too_many_rows(None, row));
        }
        Ok(Some(RawRow { row, cells }))
    }
}

impl Iterator for CsvRows {
    type Item = anyhow::Result<RawRow>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            match self.rdr.read_record(&mut self.rec) {
                Ok(false) => return None,
                Ok(true) => {
                    // the reader's line count is now that of the line after the record (its
                    // terminator was consumed, see Newlines); blank lines before it were skipped
                    let breaks = self.rec.iter().map(|f| f.matches('\n').count() as u64).sum::<u64>();
                    let first_line = self.rdr.position().line().saturating_sub(1 + breaks);
                    let row = first_line.saturating_sub(self.embedded);
                    self.embedded += breaks;
                    match self.row(row) {
                        Ok(None) => continue,
                        Ok(Some(r)) => return Some(Ok(r)),
                        Err(e) => {
                            self.failed = true;
                            return Some(Err(e));
                        }
                    }
                }
                Err(e) => {
                    self.failed = true;
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    let r = &self.reading;
                    if self.rdr.get_ref().too_long {
                        let line = self.rdr.position().line() + 1;
                        return Some(Err(anyhow!(
                            "{}第 {line} 行附近的一行超过 {} MB，不是正常的表格内容（每列不超过 {} 个字符、不超过 {} 列），无法导入",
                            r.subject,
                            MAX_CSV_LINE_BYTES >> 20,
                            r.limits.max_cell_chars,
                            r.limits.max_columns
                        )));
                    }
                    tracing::warn!(error = %e, "an uploaded CSV file could not be read");
                    return Some(Err(anyhow!(
                        "{}第 {line} 行附近格式错误，请检查引号是否成对，或用 Excel 或 WPS 另存为 CSV 后重试",
                        r.subject
                    )));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading() -> Reading {
        Reading { subject: "文件《名册.csv》".into(), limits: crate::ImportLimits::default() }
    }

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rows.csv");
        // a title line, the header, a blank line, a field with a line break, a last row; with
        // LF, CRLF and CR line ends, with and without a final line break
        let lf = "党员名册,,\n姓名,公民身份号码,工作单位\n\n张三,1,\"甲\n乙\"\n李四,2,丙\n";
        let variants = [lf.to_string(), lf.replace('\n', "\r\n"), lf.replace('\n', "\r"), lf.trim_end().to_string()];
        for text in variants {
            std::fs::write(&p, &text).unwrap();
            let t = open_table(&p, FileFormat::Csv, None, &reading()).unwrap();
            assert_eq!(t.layout.kind, ImportKind::Members);
            assert_eq!(t.layout.header_row, 2, "{text:?}");
            let rows: Vec<RawRow> = t.rows.map(|r| r.unwrap()).collect();
            assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![4, 5], "{text:?}");
            assert_eq!(rows[0].cells[2], Cell::Text("甲\n乙".into()));
            assert_eq!(rows[1].cells[2], Cell::Text("丙".into()));
        }
    }

    #[test]
    fn encoding_sniffing() {
        assert_eq!(sniff_encoding("姓名,公民身份号码".as_bytes(), true), UTF_8);
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFabc", true), UTF_8);
        let (gbk, _, _) = GB18030.encode("姓名,公民身份号码");
        assert_eq!(sniff_encoding(&gbk, true), GB18030);
        // a UTF-8 character cut by the sniffing window
        let s = "姓名".as_bytes();
        assert_eq!(sniff_encoding(&s[..4], false), UTF_8);
        assert_eq!(sniff_encoding(&s[..4], true), GB18030);
        assert_eq!(sniff_encoding(b"\xFF\xFEa\x00", true), encoding_rs::UTF_16LE);
    }
}
