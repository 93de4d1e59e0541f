//! Reading a `.xlsx` workbook as a stream of rows, in bounded memory, whatever the file says about
//! itself (see [`crate::limits`]).
//!
//! A workbook is a zip archive of XML parts. The declared sheet size (`<dimension ref=…>`) and a
//! cell's reference (`r="XFD1048576"`) are only ever read as numbers to check against the limits;
//! a row is a vector of at most [`crate::limits::MAX_COLUMNS`] cells, built from the cells that
//! are actually there. Each part is inflated through a meter that refuses it past its size limit
//! (declared or actual), and that refuses any single XML element or text run past
//! [`MAX_XML_TOKEN_BYTES`], so no buffer of the XML reader can grow without bound. The shared
//! strings are held compactly (one text buffer and offsets); the worksheet is never held: a
//! thread of its own reads it and hands rows on over a small bounded channel.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use anyhow::anyhow;
use chrono::{Duration, NaiveDate};
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use crate::cell::Cell;
use crate::limits::{column_letter, ImportLimits, MAX_ROW_BYTES, MAX_XML_TOKEN_BYTES};
use crate::source::RawRow;

/// Rows buffered between the thread that reads a sheet and its consumer.
const ROWS_IN_FLIGHT: usize = 64;

/// How a file is named in messages, and the limits it is read with.
#[derive(Clone)]
pub(crate) struct Reading {
    /// `文件《成员名单.xlsx》` (or `上传的文件`).
    pub subject: String,
    pub limits: ImportLimits,
}

impl Reading {
    /// The file is not a workbook we can read: the user gets a sentence about their file, the
    /// log gets the detail (the part and the parser's reason, never the file's content or name).
    pub(crate) fn corrupt(&self, part: &str, detail: impl std::fmt::Display) -> anyhow::Error {
        tracing::warn!(part, detail = %detail, "an uploaded .xlsx could not be read");
        anyhow!("{}不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存后重试", self.subject)
    }

    fn too_big(&self, part: &str, what: &str, limit: u64) -> anyhow::Error {
        tracing::warn!(part, limit, "an uploaded .xlsx part is larger than allowed");
        anyhow!(
            "{}中的{what}解压后超过 {}，超出了导入的上限，不像正常的党员名册或党组织文件；请检查文件，或拆分成几个文件后分别导入",
            self.subject,
            size_text(limit)
        )
    }

    pub(crate) fn too_many_rows(&self, sheet: Option<&str>, row: u64) -> anyhow::Error {
        anyhow!(
            "{}{}第 {row} 行有内容，超出了导入允许的 {} 行数据（表头另计）；请把文件拆分成几个不超过 {} 行数据的文件后分别导入",
            self.subject,
            in_sheet(sheet),
            self.limits.max_rows,
            self.limits.max_rows
        )
    }

    pub(crate) fn too_many_columns(&self, sheet: Option<&str>, row: u64, col: usize) -> anyhow::Error {
        let col = column_letter_or_beyond(col);
        anyhow!(
            "{}{}第 {row} 行 {col} 列有内容，超出了导入允许的 {} 列（A 至 {} 列）；请删除多余的列后重试",
            self.subject,
            in_sheet(sheet),
            self.limits.max_columns,
            column_letter(self.limits.max_columns.saturating_sub(1))
        )
    }

    pub(crate) fn row_too_long(&self, sheet: Option<&str>, row: u64) -> anyhow::Error {
        anyhow!(
            "{}{}第 {row} 行的内容合计超过 {}，超出了导入一行的上限，无法导入；请删除多余的列或缩短内容后重试",
            self.subject,
            in_sheet(sheet),
            size_text(MAX_ROW_BYTES as u64)
        )
    }

    pub(crate) fn cell_too_long(&self, sheet: Option<&str>, row: u64, col: usize) -> anyhow::Error {
        anyhow!(
            "{}{}第 {row} 行 {} 列的内容超过 {} 个字符（Excel 单元格的上限），无法导入；请缩短后重试",
            self.subject,
            in_sheet(sheet),
            column_letter_or_beyond(col),
            self.limits.max_cell_chars
        )
    }
}

/// A size as the user reads it: `256 MB`, `64 KB`.
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} KB", (bytes >> 10).max(1))
    }
}

fn in_sheet(sheet: Option<&str>) -> String {
    match sheet {
        Some(s) => format!("的工作表“{s}”"),
        None => String::new(),
    }
}

/// A column's letters, or a plain statement for a reference past Excel's own last column.
fn column_letter_or_beyond(col: usize) -> String {
    if col < 16_384 {
        column_letter(col)
    } else {
        "XFD 之后的".into()
    }
}

// ---------------------------------------------------------------------------------------------
// The meter: sizes counted while inflating

/// What a part's reader has taken in, shared between the reader and the parser.
#[derive(Default)]
struct Meter {
    /// Bytes since the parser last finished an XML event.
    token: AtomicU64,
    /// 1: the part passed its size limit; 2: one XML token passed [`MAX_XML_TOKEN_BYTES`].
    tripped: AtomicU8,
}

const PART_TOO_BIG: u8 = 1;
const TOKEN_TOO_BIG: u8 = 2;

impl Meter {
    fn event_done(&self) {
        self.token.store(0, Ordering::Relaxed);
    }
}

/// A part's inflated bytes, refused past `limit` in all and past [`MAX_XML_TOKEN_BYTES`] between
/// two XML events (the XML reader buffers at most one event, plus its own small read buffer).
struct Metered<R> {
    inner: R,
    total: u64,
    limit: u64,
    meter: Arc<Meter>,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > self.limit {
            self.meter.tripped.store(PART_TOO_BIG, Ordering::Relaxed);
            return Err(std::io::Error::other("part larger than its limit"));
        }
        let token = self.meter.token.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if token > MAX_XML_TOKEN_BYTES {
            self.meter.tripped.store(TOKEN_TOO_BIG, Ordering::Relaxed);
            return Err(std::io::Error::other("XML token larger than its limit"));
        }
        Ok(n)
    }
}

type Xml<'a> = quick_xml::Reader<BufReader<Metered<zip::read::ZipFile<'a, File>>>>;

/// One part, opened for streaming.
struct Part<'a> {
    name: String,
    xml: Xml<'a>,
    meter: Arc<Meter>,
    buf: Vec<u8>,
}

/// The archive's entries by normalised name (lower case, `/` separators, no leading `/`).
fn entry_index(zip: &ZipArchive<File>) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (i, name) in zip.file_names().enumerate() {
        if let Ok(name) = name {
            map.entry(normalise(&name)).or_insert(i);
        }
    }
    map
}

fn normalise(name: &str) -> String {
    name.replace('\\', "/").trim_start_matches('/').to_lowercase()
}

/// Open a part for reading, refused by its declared size before anything is inflated.
fn open_part<'a>(
    zip: &'a mut ZipArchive<File>,
    entries: &HashMap<String, usize>,
    name: &str,
    limit: u64,
    what: &str,
    r: &Reading,
) -> anyhow::Result<Option<Part<'a>>> {
    let Some(&i) = entries.get(&normalise(name)) else { return Ok(None) };
    let file = zip.by_index(i).map_err(|e| r.corrupt(name, e))?;
    if file.size() > limit {
        return Err(r.too_big(name, what, limit));
    }
    let meter = Arc::new(Meter::default());
    let metered = Metered { inner: file, total: 0, limit, meter: meter.clone() };
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(16 * 1024, metered));
    xml.config_mut().check_end_names = false;
    Ok(Some(Part { name: name.to_string(), xml, meter, buf: Vec::with_capacity(1024) }))
}

/// A failure while reading a part: a limit of the meter, or a broken file.
fn part_error(
    part: &str,
    meter: &Meter,
    what: &str,
    limit: u64,
    e: impl std::fmt::Display,
    r: &Reading,
) -> anyhow::Error {
    match meter.tripped.load(Ordering::Relaxed) {
        PART_TOO_BIG => r.too_big(part, what, limit),
        TOKEN_TOO_BIG => {
            tracing::warn!(part, "an uploaded .xlsx holds an over-long XML element");
            anyhow!(
                "{}中的{what}含有超过 {} MB 的单个元素或文字，不是正常的表格内容，无法导入",
                r.subject,
                MAX_XML_TOKEN_BYTES >> 20
            )
        }
        _ => r.corrupt(part, e),
    }
}

/// Next event of a part, as an owned-buffer event; errors name the part's limit.
macro_rules! next_event {
    ($part:expr, $what:expr, $limit:expr, $r:expr) => {{
        $part.buf.clear();
        let ev = $part.xml.read_event_into(&mut $part.buf);
        $part.meter.event_done();
        match ev {
            Ok(ev) => ev,
            Err(e) => return Err(part_error(&$part.name, &$part.meter, $what, $limit, e, $r)),
        }
    }};
}

fn attr<'b>(e: &'b BytesStart<'_>, key: &str) -> Option<Cow<'b, str>> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
}

/// An attribute by local name (`r:id`, whatever the prefix).
fn attr_local<'b>(e: &'b BytesStart<'_>, local: &str) -> Option<Cow<'b, str>> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref().contains(':') && a.key.local_name().as_ref() == local)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
}

// ---------------------------------------------------------------------------------------------
// The workbook

/// The shared strings: one buffer, and where each string ends.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }
}

/// What every sheet needs from the rest of the workbook.
struct Shared {
    strings: Strings,
    /// For each cell format (`s="…"`), whether it shows a date.
    date_styles: Vec<bool>,
    is_1904: bool,
}

/// An opened workbook: its sheets by name and where their parts are.
pub(crate) struct Workbook {
    path: PathBuf,
    sheets: Vec<(String, String)>,
    shared: Arc<Shared>,
    reading: Reading,
}

impl Workbook {
    /// Open a workbook: read its structure, shared strings and date formats, within the limits.
    pub(crate) fn open(path: &Path, r: &Reading) -> anyhow::Result<Workbook> {
        let mut file = File::open(path).map_err(|e| {
            tracing::warn!(error = %e, "an uploaded file could not be opened");
            anyhow!("无法打开{}，请稍后重试", r.subject)
        })?;
        let mut magic = [0u8; 8];
        let n = file.read(&mut magic).unwrap_or(0);
        if magic[..n].starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(anyhow!(
                "{}是旧版 Excel（.xls）文件或设有打开密码，无法导入；请用 Excel 或 WPS 取消密码并“另存为”.xlsx 后重试",
                r.subject
            ));
        }
        let mut zip = ZipArchive::new(file).map_err(|e| r.corrupt("(zip)", e))?;
        let entries = entry_index(&zip);

        // the workbook part: named by the package relationships, usually xl/workbook.xml
        let mut workbook = "xl/workbook.xml".to_string();
        for (_, target, kind) in relationships(&mut zip, &entries, "_rels/.rels", "", r)? {
            if kind.ends_with("/officeDocument") {
                workbook = target;
            }
        }
        let dir = match workbook.rfind('/') {
            Some(i) => workbook[..=i].to_string(),
            None => String::new(),
        };
        let rels_name = format!("{dir}_rels/{}.rels", &workbook[dir.len()..]);
        let rels = relationships(&mut zip, &entries, &rels_name, &dir, r)?;
        let (declared, is_1904) = sheet_list(&mut zip, &entries, &workbook, r)?;
        let target_of = |id: &str| rels.iter().find(|(i, ..)| i == id).map(|(_, t, _)| t.clone());
        let sheets: Vec<(String, String)> =
            declared.into_iter().filter_map(|(name, id)| target_of(&id).map(|t| (name, t))).collect();
        if sheets.is_empty() {
            return Err(r.corrupt(&workbook, "no worksheets"));
        }
        let part_of = |suffix: &str, default: &str| {
            rels.iter()
                .find(|(_, _, k)| k.ends_with(suffix))
                .map(|(_, t, _)| t.clone())
                .unwrap_or(format!("{dir}{default}"))
        };
        let strings = shared_strings(&mut zip, &entries, &part_of("/sharedStrings", "sharedStrings.xml"), r)?;
        let date_styles = date_styles(&mut zip, &entries, &part_of("/styles", "styles.xml"), r)?;
        Ok(Workbook {
            path: path.to_path_buf(),
            sheets,
            shared: Arc::new(Shared { strings, date_styles, is_1904 }),
            reading: r.clone(),
        })
    }

    pub(crate) fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The rows of the `index`th sheet, read on a thread of their own. The first item tells the
    /// last row the sheet declares (a hint for progress, never used to allocate).
    pub(crate) fn rows(&self, index: usize) -> SheetRows {
        let (tx, rx) = sync_channel(ROWS_IN_FLIGHT);
        let (name, part) = self.sheets[index].clone();
        let path = self.path.clone();
        let shared = self.shared.clone();
        let r = self.reading.clone();
        std::thread::Builder::new()
            .name("xlsx-sheet".into())
            .spawn(move || {
                let mut sheet = SheetReader { tx: &tx, shared: &shared, r: &r, sheet: &name, rows_sent: 0 };
                if let Err(e) = sheet.run(&path, &part) {
                    let _ = tx.send(Msg::Row(Err(e)));
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "no thread to read a sheet");
            });
        SheetRows { rx, declared_end: None, started: false, pending: None }
    }
}

/// `(Id, Target resolved against `dir`, Type)` of a relationships part.
fn relationships(
    zip: &mut ZipArchive<File>,
    entries: &HashMap<String, usize>,
    name: &str,
    dir: &str,
    r: &Reading,
) -> anyhow::Result<Vec<(String, String, String)>> {
    let what = "关系部件";
    let Some(mut p) = open_part(zip, entries, name, r.limits.max_other_part_bytes, what, r)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    loop {
        match next_event!(p, what, r.limits.max_other_part_bytes, r) {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let id = attr(&e, "Id").unwrap_or_default().into_owned();
                let target = attr(&e, "Target").unwrap_or_default();
                let kind = attr(&e, "Type").unwrap_or_default().into_owned();
                let target = match target.strip_prefix('/') {
                    Some(abs) => abs.to_string(),
                    None => resolve(dir, &target),
                };
                out.push((id, target, kind));
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// A relative target (`worksheets/sheet1.xml`, `../xl/x.xml`) against a directory (`xl/`).
fn resolve(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The workbook's sheets `(name, relationship id)` in order, and whether it counts dates from 1904.
fn sheet_list(
    zip: &mut ZipArchive<File>,
    entries: &HashMap<String, usize>,
    name: &str,
    r: &Reading,
) -> anyhow::Result<(Vec<(String, String)>, bool)> {
    let what = "工作簿结构";
    let Some(mut p) = open_part(zip, entries, name, r.limits.max_other_part_bytes, what, r)? else {
        return Err(r.corrupt(name, "no workbook part"));
    };
    let mut sheets = Vec::new();
    let mut is_1904 = false;
    loop {
        match next_event!(p, what, r.limits.max_other_part_bytes, r) {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "workbookPr" => is_1904 = matches!(attr(&e, "date1904").as_deref(), Some("1" | "true")),
                "sheet" => {
                    let name = attr(&e, "name").unwrap_or_default().into_owned();
                    if let Some(id) = attr_local(&e, "id") {
                        sheets.push((name, id.into_owned()));
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok((sheets, is_1904)),
            _ => {}
        }
    }
}

/// Excel's escape of characters XML cannot hold: `_x000D_` is a carriage return.
fn unescape_ooxml(s: &str) -> Cow<'_, str> {
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let code = tail.get(2..6).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match (code, tail.as_bytes().get(6)) {
            (Some(h), Some(b'_')) => {
                if let Some(c) = u32::from_str_radix(h, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
                rest = &tail[7..];
            }
            _ => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Collect the text of a string item (`<si>`, `<is>`) up to its end tag: `<t>` runs, rich text
/// runs, and not the phonetic guides (`<rPh>`). `max_bytes` bounds the text collected.
fn read_string_item(
    p: &mut Part<'_>,
    end: &str,
    what: &str,
    limit: u64,
    max_bytes: usize,
    r: &Reading,
) -> anyhow::Result<Result<String, ()>> {
    let mut out = String::new();
    let mut in_t = false;
    let mut preserve = false;
    let mut run = String::new();
    let mut phonetic = 0u32;
    let mut too_long = false;
    loop {
        match next_event!(p, what, limit, r) {
            Event::Start(e) => match e.local_name().as_ref() {
                "rPh" => phonetic += 1,
                "t" if phonetic == 0 => {
                    in_t = true;
                    preserve = attr(&e, "xml:space").as_deref() == Some("preserve");
                    run.clear();
                }
                _ => {}
            },
            Event::Text(t) if in_t && !too_long => run.push_str(&t.xml10_content()),
            Event::CData(t) if in_t && !too_long => run.push_str(&t.xml10_content()),
            Event::GeneralRef(g) if in_t && !too_long => {
                if let Some(s) = quick_xml::escape::resolve_xml_entity(&g) {
                    run.push_str(s);
                } else if let Ok(Some(c)) = g.resolve_char_ref() {
                    run.push(c);
                } else {
                    return Err(r.corrupt(&p.name, "unknown entity"));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "rPh" => phonetic = phonetic.saturating_sub(1),
                "t" if in_t => {
                    in_t = false;
                    let text = if preserve { run.as_str() } else { run.trim_matches([' ', '\t', '\r', '\n']) };
                    out.push_str(&unescape_ooxml(text));
                    run.clear();
                }
                n if n == end => return Ok(if too_long { Err(()) } else { Ok(out) }),
                _ => {}
            },
            Event::Eof => return Err(r.corrupt(&p.name, "end of part inside a string")),
            _ => {}
        }
        if run.len() + out.len() > max_bytes {
            too_long = true;
            run.clear();
            out.clear();
        }
    }
}

/// The shared strings, compactly. A string longer than a cell may hold is kept as a marker and
/// refused where a cell uses it.
fn shared_strings(
    zip: &mut ZipArchive<File>,
    entries: &HashMap<String, usize>,
    name: &str,
    r: &Reading,
) -> anyhow::Result<Strings> {
    let what = "共享字符串";
    let limit = r.limits.max_shared_strings_bytes;
    let Some(mut p) = open_part(zip, entries, name, limit, what, r)? else { return Ok(Strings::default()) };
    let mut s = Strings::default();
    let max_bytes = r.limits.max_cell_chars * 4;
    loop {
        match next_event!(p, what, limit, r) {
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                match read_string_item(&mut p, "si", what, limit, max_bytes, r)? {
                    Ok(text) if text.chars().count() <= r.limits.max_cell_chars => s.text.push_str(&text),
                    // over-long: U+FFFF, which no real text holds, marks it
                    _ => s.text.push('\u{FFFF}'),
                }
                let end = u32::try_from(s.text.len()).map_err(|_| r.too_big(&p.name, what, limit))?;
                s.ends.push(end);
            }
            Event::Empty(e) if e.local_name().as_ref() == "si" => {
                s.ends.push(s.text.len() as u32);
            }
            Event::Eof => return Ok(s),
            _ => {}
        }
    }
}

/// Whether a number format shows a date: Excel's built-in date formats, or a format code with
/// date or time letters outside quotes, brackets and escapes.
fn is_date_format(id: u32, code: Option<&str>) -> bool {
    if let Some(code) = code {
        let mut in_quote = false;
        let mut in_bracket = false;
        let mut escaped = false;
        for c in code.chars() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '"' => in_quote = !in_quote,
                _ if in_quote => {}
                '[' => in_bracket = true,
                ']' => in_bracket = false,
                _ if in_bracket => {}
                '\\' | '_' | '*' => escaped = true,
                'd' | 'D' | 'm' | 'M' | 'y' | 'Y' => return true,
                _ => {}
            }
        }
        false
    } else {
        matches!(id, 14..=17 | 22 | 27..=36 | 50..=58)
    }
}

/// For each cell format of the workbook, whether it shows a date.
fn date_styles(
    zip: &mut ZipArchive<File>,
    entries: &HashMap<String, usize>,
    name: &str,
    r: &Reading,
) -> anyhow::Result<Vec<bool>> {
    let what = "样式";
    let Some(mut p) = open_part(zip, entries, name, r.limits.max_other_part_bytes, what, r)? else {
        return Ok(Vec::new());
    };
    let mut codes: HashMap<u32, String> = HashMap::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    loop {
        match next_event!(p, what, r.limits.max_other_part_bytes, r) {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode")) {
                        if let Ok(id) = id.parse() {
                            codes.insert(id, code.into_owned());
                        }
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs => {
                    let id: u32 = attr(&e, "numFmtId").and_then(|v| v.parse().ok()).unwrap_or(0);
                    out.push(is_date_format(id, codes.get(&id).map(String::as_str)));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A sheet

enum Msg {
    /// The last row the sheet declares in `<dimension>`, if any.
    Declared(Option<u64>),
    Row(anyhow::Result<RawRow>),
}

/// The rows of one sheet, as they are read.
pub(crate) struct SheetRows {
    rx: Receiver<Msg>,
    declared_end: Option<u64>,
    started: bool,
    /// A failure that came before the declared size.
    pending: Option<anyhow::Result<RawRow>>,
}

impl SheetRows {
    /// The last row the sheet declares (untrusted: a progress hint only).
    pub(crate) fn declared_end(&mut self) -> Option<u64> {
        self.start();
        self.declared_end
    }

    fn start(&mut self) {
        if !self.started {
            self.started = true;
            match self.rx.recv() {
                Ok(Msg::Declared(n)) => self.declared_end = n,
                Ok(Msg::Row(r)) => self.pending = Some(r),
                Err(_) => {}
            }
        }
    }
}

impl Iterator for SheetRows {
    type Item = anyhow::Result<RawRow>;

    fn next(&mut self) -> Option<Self::Item> {
        self.start();
        if let Some(r) = self.pending.take() {
            return Some(r);
        }
        loop {
            match self.rx.recv().ok()? {
                Msg::Row(r) => return Some(r),
                Msg::Declared(_) => {}
            }
        }
    }
}

struct SheetReader<'a> {
    tx: &'a SyncSender<Msg>,
    shared: &'a Shared,
    r: &'a Reading,
    sheet: &'a str,
    rows_sent: u64,
}

/// A cell reference (`B12`) as (0-based column, 1-based row); numbers too large saturate, so
/// they are refused by the limits rather than wrapping.
fn cell_ref(s: &str) -> Option<(usize, u64)> {
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 {
        return None;
    }
    let mut col: usize = 0;
    for b in s[..letters].bytes() {
        col = col.saturating_mul(26).saturating_add((b.to_ascii_uppercase() - b'A' + 1) as usize);
    }
    let row = row_number(&s[letters..])?;
    Some((col - 1, row))
}

fn row_number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add((b - b'0') as u64)))
}

impl SheetReader<'_> {
    fn run(&mut self, path: &Path, part: &str) -> anyhow::Result<()> {
        let r = self.r;
        let file = File::open(path).map_err(|e| r.corrupt(part, e))?;
        let mut zip = ZipArchive::new(file).map_err(|e| r.corrupt(part, e))?;
        let entries = entry_index(&zip);
        let what = "工作表";
        let limit = r.limits.max_sheet_bytes;
        let Some(mut p) = open_part(&mut zip, &entries, part, limit, what, r)? else {
            return Err(r.corrupt(part, "worksheet part missing"));
        };
        // up to the sheet data: the declared dimension, as a progress hint
        let mut declared = None;
        loop {
            match next_event!(p, what, limit, r) {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "dimension" => {
                    declared = attr(&e, "ref")
                        .and_then(|v| v.rsplit(':').next().and_then(cell_ref))
                        .map(|(_, row)| row.min(r.limits.last_row()));
                }
                Event::Start(e) if e.local_name().as_ref() == "sheetData" => break,
                Event::Empty(e) if e.local_name().as_ref() == "sheetData" => {
                    let _ = self.tx.send(Msg::Declared(declared));
                    return Ok(());
                }
                Event::Eof => return Err(r.corrupt(part, "no sheetData")),
                _ => {}
            }
        }
        if self.tx.send(Msg::Declared(declared)).is_err() {
            return Ok(());
        }

        let mut row_no: u64 = 0;
        let mut cells: Vec<Cell> = Vec::new();
        let mut row_bytes: usize = 0;
        let mut col: usize = 0;
        loop {
            match next_event!(p, what, limit, r) {
                Event::Start(e) if e.local_name().as_ref() == "row" => {
                    row_no = attr(&e, "r").and_then(|v| row_number(&v)).unwrap_or(row_no + 1);
                    col = 0;
                    cells.clear();
                    row_bytes = 0;
                }
                Event::Empty(e) if e.local_name().as_ref() == "row" => {
                    row_no = attr(&e, "r").and_then(|v| row_number(&v)).unwrap_or(row_no + 1);
                }
                Event::End(e)
                    if e.local_name().as_ref() == "row" && !self.send_row(row_no, std::mem::take(&mut cells))? =>
                {
                    return Ok(());
                }
                Event::Start(e) if e.local_name().as_ref() == "c" => {
                    let (c, row) = match attr(&e, "r").and_then(|v| cell_ref(&v)) {
                        Some((c, row)) => (c, row),
                        None => (col, row_no),
                    };
                    let kind = attr(&e, "t").map(Cow::into_owned);
                    let style: usize = attr(&e, "s").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let cell = self.read_cell(&mut p, kind.as_deref(), style, row, c)?;
                    col = c.saturating_add(1);
                    if cell.is_blank() {
                        continue;
                    }
                    self.check_place(row, c)?;
                    if row != row_no && !cells.is_empty() {
                        // a cell that names another row than its <row>: hand on what we have
                        if !self.send_row(row_no, std::mem::take(&mut cells))? {
                            return Ok(());
                        }
                        row_bytes = 0;
                    }
                    row_no = row;
                    row_bytes += cell.text_bytes();
                    if row_bytes > MAX_ROW_BYTES {
                        return Err(r.row_too_long(Some(self.sheet), row));
                    }
                    if cells.len() <= c {
                        cells.resize(c + 1, Cell::Empty);
                    }
                    cells[c] = cell;
                }
                Event::Empty(e) if e.local_name().as_ref() == "c" => {
                    col = attr(&e, "r").and_then(|v| cell_ref(&v)).map(|(c, _)| c).unwrap_or(col).saturating_add(1);
                }
                Event::End(e) if e.local_name().as_ref() == "sheetData" => {
                    self.send_row(row_no, cells)?;
                    return Ok(());
                }
                Event::Eof => return Err(r.corrupt(part, "end of part inside sheetData")),
                _ => {}
            }
        }
    }

    fn check_place(&self, row: u64, col: usize) -> anyhow::Result<()> {
        if col >= self.r.limits.max_columns {
            return Err(self.r.too_many_columns(Some(self.sheet), row, col));
        }
        if row > self.r.limits.last_row() {
            return Err(self.r.too_many_rows(Some(self.sheet), row));
        }
        Ok(())
    }

    /// Hand a row on; `false` when nobody reads any more.
    fn send_row(&mut self, row: u64, cells: Vec<Cell>) -> anyhow::Result<bool> {
        if cells.iter().all(Cell::is_blank) {
            return Ok(true);
        }
        self.rows_sent += 1;
        if self.rows_sent > self.r.limits.last_row() {
            return Err(self.r.too_many_rows(Some(self.sheet), row));
        }
        Ok(self.tx.send(Msg::Row(Ok(RawRow { row, cells }))).is_ok())
    }

    /// The value of a `<c>` element, read up to its end.
    fn read_cell(
        &self,
        p: &mut Part<'_>,
        kind: Option<&str>,
        style: usize,
        row: u64,
        col: usize,
    ) -> anyhow::Result<Cell> {
        let r = self.r;
        let (what, limit) = ("工作表", r.limits.max_sheet_bytes);
        let max_chars = r.limits.max_cell_chars;
        let too_long = || r.cell_too_long(Some(self.sheet), row, col);
        let mut value = String::new();
        let mut inline: Option<String> = None;
        let mut in_v = false;
        loop {
            match next_event!(p, what, limit, r) {
                Event::Start(e) => match e.local_name().as_ref() {
                    "v" => in_v = true,
                    "is" => {
                        match read_string_item(p, "is", what, limit, max_chars * 4, r)? {
                            Ok(s) => inline = Some(s),
                            Err(()) => return Err(too_long()),
                        };
                    }
                    _ => {}
                },
                Event::Text(t) if in_v => value.push_str(&t.xml10_content()),
                Event::CData(t) if in_v => value.push_str(&t.xml10_content()),
                Event::GeneralRef(g) if in_v => {
                    if let Some(s) = quick_xml::escape::resolve_xml_entity(&g) {
                        value.push_str(s);
                    } else if let Ok(Some(c)) = g.resolve_char_ref() {
                        value.push(c);
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "v" => in_v = false,
                    "c" => break,
                    _ => {}
                },
                Event::Eof => return Err(r.corrupt(&p.name, "end of part inside a cell")),
                _ => {}
            }
            if value.len() > max_chars * 4 {
                return Err(too_long());
            }
        }
        let check = |s: &str| -> anyhow::Result<()> {
            if s.len() > max_chars && s.chars().count() > max_chars {
                return Err(too_long());
            }
            Ok(())
        };
        let cell = match kind {
            Some("s") => {
                let i: usize = value.trim().parse().map_err(|_| r.corrupt(&p.name, "shared string index"))?;
                let s = self.shared.strings.get(i).ok_or_else(|| r.corrupt(&p.name, "shared string out of range"))?;
                if s == "\u{FFFF}" {
                    return Err(too_long());
                }
                check(s)?;
                Cell::text_or_empty(s)
            }
            Some("inlineStr") => {
                let s = inline.unwrap_or_default();
                check(&s)?;
                Cell::text_or_empty(s)
            }
            Some("b") => Cell::Bool(value.trim() == "1" || value.trim().eq_ignore_ascii_case("true")),
            Some("str" | "e" | "d") => {
                check(&value)?;
                Cell::text_or_empty(unescape_ooxml(&value).into_owned())
            }
            _ => {
                check(&value)?;
                self.number(value.trim(), style)
            }
        };
        Ok(cell)
    }

    /// A number cell: a date where its format shows one, whole numbers as integers (so a phone
    /// read as `13800138000.0` is `13800138000`).
    fn number(&self, v: &str, style: usize) -> Cell {
        if v.is_empty() {
            return Cell::Empty;
        }
        let Ok(f) = v.parse::<f64>() else { return Cell::text_or_empty(v) };
        if self.shared.date_styles.get(style).copied().unwrap_or(false) && (1.0..2_958_466.0).contains(&f) {
            let days = f.floor() as i64 + if self.shared.is_1904 { 1462 } else { 0 };
            // Excel's 1900 system counts a 29 February 1900 that never was
            let base = NaiveDate::from_ymd_opt(1899, 12, if days < 61 { 31 } else { 30 });
            if let Some(d) = base.and_then(|b| b.checked_add_signed(Duration::days(days))) {
                return Cell::Date(d);
            }
        }
        if f.is_finite() && f.fract() == 0.0 && f.abs() < 9e15 {
            Cell::Int(f as i64)
        } else {
            Cell::Float(f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meter_stops_a_part_at_its_limit_and_a_token_at_its_own() {
        let meter = Arc::new(Meter::default());
        let mut m = Metered { inner: std::io::repeat(b'a'), total: 0, limit: 3 << 20, meter: meter.clone() };
        let mut buf = vec![0; 64 << 10];
        let mut read = 0u64;
        let err = loop {
            match m.read(&mut buf) {
                Ok(n) => read += n as u64,
                Err(e) => break e,
            }
            meter.event_done();
        };
        assert_eq!(meter.tripped.load(Ordering::Relaxed), PART_TOO_BIG, "{err}");
        assert!(read <= 3 << 20);

        let meter = Arc::new(Meter::default());
        let mut m = Metered { inner: std::io::repeat(b'a'), total: 0, limit: u64::MAX, meter: meter.clone() };
        let mut read = 0u64;
        while m.read(&mut buf).map(|n| read += n as u64).is_ok() {}
        assert_eq!(meter.tripped.load(Ordering::Relaxed), TOKEN_TOO_BIG);
        assert!(read <= MAX_XML_TOKEN_BYTES);
    }

    #[test]
    fn references_and_formats() {
        assert_eq!(cell_ref("A1"), Some((0, 1)));
        assert_eq!(cell_ref("XFD1048576"), Some((16383, 1_048_576)));
        assert_eq!(cell_ref("ZZZZZZZZZZZZZZZZ99999999999999999999999").map(|(_, r)| r), Some(u64::MAX));
        assert_eq!(cell_ref("12"), None);
        assert!(is_date_format(14, None));
        assert!(!is_date_format(0, None));
        assert!(is_date_format(176, Some("yyyy\"年\"m\"月\"d\"日\"")));
        assert!(!is_date_format(177, Some("0.00_);[Red]\\(0.00\\)")));
        assert!(!is_date_format(178, Some("@")));
        assert!(!is_date_format(179, Some("General")));
        assert_eq!(unescape_ooxml("a_x000D_b_x"), "a\rb_x");
        assert_eq!(resolve("xl/", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve("xl/", "../customXml/a.xml"), "customXml/a.xml");
    }
}
