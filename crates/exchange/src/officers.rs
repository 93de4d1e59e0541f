//! Reading an officers sheet (班子成员) as `.csv` (UTF-8 or GBK) or `.xlsx` (the sheet named
//! 班子成员, else the first with the headers): one row per term, with the columns 党组织, 党员
//! (公民身份号码, or the name within the organization's subtree), 职务, 分工, 任职日期 and 离任日期.
//! The rows are checked and written by `store::officer::import` (all or nothing), which the
//! command line (`dangjian import --kind officers`) calls through `service::org::officers::import`.

use std::path::Path;

use anyhow::{anyhow, bail};
use store::officer::ImportRow;

use crate::cell::Cell;
use crate::source::{csv_rows, RawRow};
use crate::xlsx::{Reading, Workbook};
use crate::FileFormat;

/// The columns and the headers each is read from.
const COLUMNS: [(&str, &[&str]); 6] = [
    ("org", &["党组织", "党组织名称", "组织", "所在党组织"]),
    ("member", &["公民身份号码", "身份证号", "身份证号码", "党员", "姓名"]),
    ("role", &["职务", "党内职务"]),
    ("duties", &["分工"]),
    ("started_on", &["任职日期", "任职时间", "起始日期"]),
    ("ended_on", &["离任日期", "离任时间", "终止日期"]),
];

/// The column of each field in a header row, when it is one (党组织, 职务 and a member column).
fn header(cells: &[Cell]) -> Option<[Option<usize>; 6]> {
    let texts: Vec<String> = cells.iter().map(|c| c.text().trim().to_string()).collect();
    let mut at = [None; 6];
    for (k, (_, names)) in COLUMNS.iter().enumerate() {
        // the first alias present wins (an ID number before a name)
        at[k] = names.iter().find_map(|n| texts.iter().position(|t| t == n));
    }
    (at[0].is_some() && at[1].is_some() && at[2].is_some()).then_some(at)
}

fn rows_of(rows: impl Iterator<Item = anyhow::Result<RawRow>>) -> anyhow::Result<Vec<ImportRow>> {
    let mut layout = None;
    let mut out = Vec::new();
    for (n, r) in rows.enumerate() {
        let r = r?;
        let Some(at) = layout else {
            if n >= 20 {
                break;
            }
            layout = header(&r.cells);
            continue;
        };
        let get = |k: usize| -> String {
            let Some(c) = at[k].and_then(|i| r.cells.get(i)) else { return String::new() };
            match c.date() {
                Ok(Some(d)) if k >= 4 => d.to_string(),
                _ => c.text().trim().to_string(),
            }
        };
        out.push(ImportRow {
            line: r.row as usize,
            org: get(0),
            member: get(1),
            role: get(2),
            duties: get(3),
            started_on: get(4),
            ended_on: get(5),
        });
    }
    if layout.is_none() {
        bail!("未找到表头：班子成员表应有“党组织”“公民身份号码”（或“姓名”）“职务”“任职日期”等列");
    }
    Ok(out)
}

/// Read the terms of an officers sheet (a CSV, or the workbook's sheet 班子成员, else the first
/// sheet with the header), within the import limits. Blocking: call from a blocking thread.
pub fn read_officers(path: &Path) -> anyhow::Result<Vec<ImportRow>> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let reading = Reading { subject: format!("文件《{name}》"), limits: crate::ImportLimits::default() };
    match FileFormat::from_path(path)? {
        FileFormat::Csv => rows_of(csv_rows(path, &reading)?.0),
        FileFormat::Xlsx => {
            let wb = Workbook::open(path, &reading)?;
            let mut sheets: Vec<usize> = (0..wb.sheet_names().len()).collect();
            sheets.sort_by_key(|i| wb.sheet_names()[*i] != "班子成员");
            let mut last = None;
            for i in sheets {
                match rows_of(wb.rows(i)) {
                    Ok(rows) => return Ok(rows),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| anyhow!("文件中没有工作表")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_officers_csv_is_read_by_its_headers() {
        let dir = std::env::temp_dir().join(format!("dj-officers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("班子成员.csv");
        std::fs::write(
            &path,
            "班子成员名单\n党组织,姓名,职务,分工,任职日期,离任日期\n中共甲镇委员会,张三,书记,,2024-01-05,\n中共甲镇委员会,李四,委员,组织委员、宣传委员,2024-01-05,2025-12-31\n",
        )
        .unwrap();
        let rows = read_officers(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].member.as_str(), rows[0].role.as_str()), (3, "张三", "书记"));
        assert_eq!((rows[1].duties.as_str(), rows[1].ended_on.as_str()), ("组织委员、宣传委员", "2025-12-31"));
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        assert!(read_officers(&path).unwrap_err().to_string().contains("党组织"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
