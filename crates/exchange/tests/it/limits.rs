//! Files that try to take the server down are refused, quickly and in bounded memory, with a
//! Chinese message that names the uploaded file, the limit and where it was passed: a cell at
//! XFD1048576, a sheet that lies about its size, too many columns, rows or characters, a shared
//! strings part that inflates past its limit (whatever the archive declares), and a file that is
//! not a workbook at all. The workbooks are written here byte by byte, as an attacker would.

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use exchange::{import_file, member_headers, ImportLimits, ImportOptions};
use store::{NoProgress, Scope};
use zip::write::SimpleFileOptions;

use crate::common;

fn letter(mut n: usize) -> String {
    let mut out = Vec::new();
    n += 1;
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn cell(col: &str, row: u64, text: &str) -> String {
    format!(r#"<c r="{col}{row}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

fn row(r: u64, cells: &[String]) -> String {
    format!(r#"<row r="{r}">{}</row>"#, cells.concat())
}

/// The roster's header in row 1.
fn header() -> String {
    let cells: Vec<String> = member_headers().iter().enumerate().map(|(i, h)| cell(&letter(i), 1, h)).collect();
    row(1, &cells)
}

/// One plausible data row (its organization does not exist: a bad row, but a readable one).
fn data_row(r: u64) -> String {
    row(r, &[cell("A", r, "张三"), cell("B", r, &id(r as u32))])
}

fn sheet(dimension: Option<&str>, rows: &[String]) -> String {
    let dim = dimension.map(|d| format!(r#"<dimension ref="{d}"/>"#)).unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{}</sheetData></worksheet>"#,
        rows.concat()
    )
}

/// A minimal workbook: one sheet named 党员名册, and shared strings when given.
fn xlsx(sheet_xml: &str, shared: Option<&[u8]>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, body: &[u8]| {
        zip.start_file(name, o).unwrap();
        zip.write_all(body).unwrap();
    };
    part(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="党员名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#.as_bytes(),
    );
    part(
        "xl/_rels/workbook.xml.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
    );
    part("xl/worksheets/sheet1.xml", sheet_xml.as_bytes());
    if let Some(s) = shared {
        part("xl/sharedStrings.xml", s);
    }
    zip.finish().unwrap().into_inner()
}

/// Set the uncompressed size the central directory declares for one entry.
fn declare_size(bytes: &mut [u8], entry: &str, size: u32) {
    let sig = b"PK\x01\x02";
    let at = (0..bytes.len() - 46)
        .find(|&i| &bytes[i..i + 4] == sig && bytes[i + 46..].starts_with(entry.as_bytes()))
        .expect("central directory entry");
    bytes[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
}

/// The upload as the server keeps it: a temporary file with a name of its own.
fn upload(dir: &Path, bytes: &[u8], ext: &str) -> PathBuf {
    let p = dir.join(format!("dj-import-x7Qz.{ext}"));
    std::fs::write(&p, bytes).unwrap();
    p
}

fn options(limits: ImportLimits) -> ImportOptions {
    ImportOptions { dry_run: true, file_name: Some("成员名单.xlsx".into()), limits, ..opts() }
}

/// Import the bytes as `成员名单.xlsx` (or .csv); the error message, or the rows read.
async fn import(bytes: &[u8], ext: &str, limits: ImportLimits) -> Result<u64, String> {
    let db = store::testing::TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let p = upload(dir.path(), bytes, ext);
    let mut o = options(limits);
    o.file_name = Some(format!("成员名单.{ext}"));
    let r = import_file(&db.store, &Scope::all(), &p, &o, &NoProgress).await;
    db.finish().await;
    let out = r.map(|r| r.rows).map_err(|e| e.to_string());
    if let Err(msg) = &out {
        assert!(!msg.contains("dj-import") && !msg.contains(&*dir.path().to_string_lossy()), "{msg}");
    }
    out
}

fn refused(r: Result<u64, String>, wants: &[&str]) {
    let msg = r.expect_err("the file is refused");
    assert!(msg.contains("《成员名单."), "{msg}");
    for w in wants {
        assert!(msg.contains(w), "{w:?} not in {msg}");
    }
}

#[tokio::test]
async fn a_cell_at_xfd1048576_is_refused_without_allocating_the_sheet() {
    let xml = sheet(None, &[header(), row(1_048_576, &[cell("XFD", 1_048_576, "x")])]);
    let bytes = xlsx(&xml, None);
    assert!(bytes.len() < 4096, "a small file: {}", bytes.len());
    refused(
        import(&bytes, "xlsx", ImportLimits::default()).await,
        &["工作表“党员名册”", "第 1048576 行", "XFD", "200 列"],
    );
}

#[tokio::test]
async fn a_declared_dimension_is_not_believed() {
    let xml = sheet(Some("A1:XFD1048576"), &[header(), data_row(2)]);
    assert_eq!(import(&xlsx(&xml, None), "xlsx", ImportLimits::default()).await, Ok(1));
}

#[tokio::test]
async fn column_201_is_refused_by_its_letter() {
    let cells: Vec<String> = (0..201).map(|c| cell(&letter(c), 2, "x")).collect();
    let xml = sheet(None, &[header(), row(2, &cells)]);
    refused(import(&xlsx(&xml, None), "xlsx", ImportLimits::default()).await, &["第 2 行", "GS 列", "200 列"]);
    // 200 columns are fine
    let cells: Vec<String> = (0..200).map(|c| cell(&letter(c), 2, "x")).collect();
    let xml = sheet(None, &[header(), row(2, &cells)]);
    assert_eq!(import(&xlsx(&xml, None), "xlsx", ImportLimits::default()).await, Ok(1));
}

#[tokio::test]
async fn rows_past_the_configured_limit_are_refused() {
    // five rows of data besides the header: the limit says how many a file may hold
    let limits = ImportLimits { max_rows: 5, ..ImportLimits::default() };
    let mut rows = vec![header()];
    rows.extend((2..=6).map(data_row));
    assert_eq!(import(&xlsx(&sheet(None, &rows), None), "xlsx", limits).await, Ok(5));
    rows.push(data_row(7));
    refused(import(&xlsx(&sheet(None, &rows), None), "xlsx", limits).await, &["第 7 行", "5 行数据"]);
    // rows that all claim to be row 2 are counted all the same
    let mut rows = vec![header()];
    rows.extend((0..6).map(|_| data_row(2)));
    refused(import(&xlsx(&sheet(None, &rows), None), "xlsx", limits).await, &["5 行数据"]);
    // and CSV
    let mut csv = member_headers().join(",");
    for r in 2..=6 {
        csv.push_str(&format!("\n张三,{}", id(r)));
    }
    assert_eq!(import(csv.as_bytes(), "csv", limits).await, Ok(5));
    csv.push_str(&format!("\n张三,{}", id(7)));
    refused(import(csv.as_bytes(), "csv", limits).await, &["第 7 行", "5 行数据"]);
}

#[tokio::test]
async fn an_oversized_cell_is_refused() {
    let long = "长".repeat(32_768);
    let xml = sheet(None, &[header(), row(2, &[cell("A", 2, "张三"), cell("C", 2, &long)])]);
    refused(import(&xlsx(&xml, None), "xlsx", ImportLimits::default()).await, &["第 2 行 C 列", "32767 个字符"]);
    // through the shared strings
    let shared = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{long}</t></si></sst>"#
    );
    let xml = sheet(None, &[header(), row(2, &[r#"<c r="D2" t="s"><v>0</v></c>"#.to_string()])]);
    refused(import(&xlsx(&xml, Some(shared.as_bytes())), "xlsx", ImportLimits::default()).await, &["第 2 行 D 列"]);
    // cells within the limit that together make a row of more than 1 MB
    let long_ok = &long[3 * 2768..];
    let shared = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{long_ok}</t></si></sst>"#
    );
    let cells: Vec<String> = (0..12).map(|c| format!(r#"<c r="{}2" t="s"><v>0</v></c>"#, letter(c))).collect();
    let xml = sheet(None, &[header(), row(2, &cells)]);
    refused(
        import(&xlsx(&xml, Some(shared.as_bytes())), "xlsx", ImportLimits::default()).await,
        &["第 2 行的内容合计超过 1 MB"],
    );
    // 32,767 characters are fine
    let xml = sheet(None, &[header(), row(2, &[cell("A", 2, "张三"), cell("C", 2, &long[3..])])]);
    assert_eq!(import(&xlsx(&xml, None), "xlsx", ImportLimits::default()).await, Ok(1));
    // and CSV
    let csv = format!("{}\n张三,{},{long}", member_headers().join(","), id(1));
    refused(import(csv.as_bytes(), "csv", ImportLimits::default()).await, &["第 2 行 C 列", "32767 个字符"]);
    let csv = format!("{}\n张三,{}{}", member_headers().join(","), id(1), ",x".repeat(200));
    refused(import(csv.as_bytes(), "csv", ImportLimits::default()).await, &["第 2 行", "GS 列", "200 列"]);
}

/// Shared strings that inflate to 4 MB from a few kilobytes.
fn bomb() -> Vec<u8> {
    let mut s = String::from(r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#);
    while s.len() < 4 << 20 {
        s.push_str("<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>");
    }
    s.push_str("</sst>");
    s.into_bytes()
}

#[tokio::test]
async fn a_shared_strings_bomb_is_refused_by_its_declared_or_its_actual_size() {
    let limits = ImportLimits { max_shared_strings_bytes: 1 << 20, ..ImportLimits::default() };
    let xml = sheet(None, &[header(), data_row(2)]);
    let honest = xlsx(&xml, Some(&bomb()));
    assert!(honest.len() < 64 << 10, "{}", honest.len());
    // declared honestly: refused before inflating
    refused(import(&honest, "xlsx", limits).await, &["共享字符串", "1 MB"]);
    // declared as 3 GB: refused before inflating, even at the default limits
    let mut big = honest.clone();
    declare_size(&mut big, "xl/sharedStrings.xml", 3_000_000_000);
    refused(import(&big, "xlsx", ImportLimits::default()).await, &["共享字符串", "256 MB"]);
    // declared as 100 bytes: inflating stops at the declared size (the archive is broken), and
    // the bytes are counted against the limit as well
    let mut lying = honest;
    declare_size(&mut lying, "xl/sharedStrings.xml", 100);
    refused(import(&lying, "xlsx", limits).await, &["不是有效的 Excel 工作簿"]);
}

#[tokio::test]
async fn a_file_that_is_not_a_workbook_is_named_as_uploaded() {
    let csv = format!("{}\n张三,{}", member_headers().join(","), id(1));
    let msg = import(csv.as_bytes(), "xlsx", ImportLimits::default()).await.expect_err("refused");
    assert_eq!(msg, "文件《成员名单.xlsx》不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存后重试");
    // a zip archive that is no workbook
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", SimpleFileOptions::default()).unwrap();
    zip.write_all(b"hello").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let msg = import(&bytes, "xlsx", ImportLimits::default()).await.expect_err("refused");
    assert_eq!(msg, "文件《成员名单.xlsx》不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存后重试");
    // a server path in the name given is cut to the name
    let o = ImportOptions { file_name: Some("C:\\Users\\王\\名册.xlsx".into()), ..opts() };
    let db = store::testing::TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let p = upload(dir.path(), csv.as_bytes(), "xlsx");
    let msg = import_file(&db.store, &Scope::all(), &p, &o, &NoProgress).await.unwrap_err().to_string();
    db.finish().await;
    assert!(msg.starts_with("文件《名册.xlsx》"), "{msg}");
}

#[tokio::test]
async fn counts_and_runs_of_text_the_file_declares_size_nothing() {
    // shared strings that announce a trillion entries
    let shared = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="999999999999999" uniqueCount="999999999999999"><si><t>张三</t></si></sst>"#;
    let xml = sheet(None, &[header(), row(2, &[r#"<c r="A2" t="s"><v>0</v></c>"#.to_string(), cell("B", 2, &id(2))])]);
    assert_eq!(import(&xlsx(&xml, Some(shared.as_bytes())), "xlsx", ImportLimits::default()).await, Ok(1));
    // one run of 2 MB inside an element no cell value comes from (a formula)
    let formula = format!(r#"<c r="C2"><f>{}</f><v>1</v></c>"#, "A".repeat(2 << 20));
    let xml = sheet(None, &[header(), row(2, &[cell("A", 2, "张三"), formula])]);
    refused(import(&xlsx(&xml, None), "xlsx", ImportLimits::default()).await, &["工作表", "超过 1 MB 的单个元素"]);
}
