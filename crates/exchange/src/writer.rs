//! Writing rows of cells to a CSV (UTF-8 with BOM) or `.xlsx` file, row by row.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::cell::{fmt_float, guard, Cell};
use crate::FileFormat;

/// Excel's row limit per sheet.
pub(crate) const XLSX_MAX_ROWS: u32 = 1_048_576;

pub(crate) enum SheetWriter {
    Csv { w: csv::Writer<BufWriter<File>>, guard: bool, buf: Vec<String> },
    Xlsx { wb: Box<Workbook>, path: PathBuf, row: u32, date: Format, guard: bool },
}

fn xlsx_err(e: XlsxError) -> anyhow::Error {
    anyhow!("写入 Excel 文件失败：{e}")
}

impl SheetWriter {
    /// Create the file; `.xlsx` with its one sheet named `sheet` (what the user sees on the tab,
    /// not Excel's "Sheet1"). With `guard`, text cells that a spreadsheet would run as a formula
    /// are written with a leading `'`.
    pub(crate) fn create(path: &Path, format: FileFormat, sheet: &str, guard: bool) -> anyhow::Result<SheetWriter> {
        match format {
            FileFormat::Csv => {
                let file = File::create(path).with_context(|| format!("无法创建文件“{}”", path.display()))?;
                let mut out = BufWriter::with_capacity(256 * 1024, file);
                // a BOM, so that Excel reads the file as UTF-8
                out.write_all("\u{FEFF}".as_bytes()).with_context(|| format!("无法写入文件“{}”", path.display()))?;
                let w = csv::WriterBuilder::new().flexible(true).from_writer(out);
                Ok(SheetWriter::Csv { w, guard, buf: Vec::new() })
            }
            FileFormat::Xlsx => {
                // fail early (not at the final save) when the file cannot be created
                File::create(path).with_context(|| format!("无法创建文件“{}”", path.display()))?;
                let mut wb = Box::new(Workbook::new());
                wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?.set_name(sheet).map_err(xlsx_err)?;
                let date = Format::new().set_num_format("yyyy-mm-dd");
                Ok(SheetWriter::Xlsx { wb, path: path.to_path_buf(), row: 0, date, guard })
            }
        }
    }

    /// The header row; `widths` are column widths in characters for `.xlsx`.
    pub(crate) fn header(&mut self, headers: &[&str], widths: &[f64]) -> anyhow::Result<()> {
        if let SheetWriter::Xlsx { wb, .. } = self {
            let ws = wb.worksheet_from_index(0).map_err(xlsx_err)?;
            for (i, w) in widths.iter().enumerate() {
                ws.set_column_width(i as u16, *w).map_err(xlsx_err)?;
            }
            ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        }
        let cells: Vec<Cell> = headers.iter().map(|h| Cell::Text(h.to_string())).collect();
        self.row(&cells)
    }

    pub(crate) fn row(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        match self {
            SheetWriter::Csv { w, guard: g, buf } => {
                buf.clear();
                for c in cells {
                    buf.push(match c {
                        Cell::Text(s) if *g => guard(s).into_owned(),
                        other => other.raw_text().into_owned(),
                    });
                }
                w.write_record(buf.iter()).context("写入 CSV 文件失败")?;
            }
            SheetWriter::Xlsx { wb, row, date, guard: g, .. } => {
                if *row >= XLSX_MAX_ROWS {
                    anyhow::bail!("超过 Excel 工作表的行数上限（{XLSX_MAX_ROWS} 行），请改为导出 CSV 文件");
                }
                let r = *row;
                let ws = wb.worksheet_from_index(0).map_err(xlsx_err)?;
                for (j, c) in cells.iter().enumerate() {
                    let col = j as u16;
                    match c {
                        Cell::Empty => {}
                        Cell::Text(s) => {
                            let s = if *g { guard(s) } else { s.as_str().into() };
                            ws.write_string(r, col, s.as_ref()).map_err(xlsx_err)?;
                        }
                        Cell::Int(i) if i.unsigned_abs() < (1 << 53) => {
                            ws.write_number(r, col, *i as f64).map_err(xlsx_err)?;
                        }
                        Cell::Int(i) => {
                            ws.write_string(r, col, i.to_string()).map_err(xlsx_err)?;
                        }
                        Cell::Float(f) if f.is_finite() => {
                            ws.write_number(r, col, *f).map_err(xlsx_err)?;
                        }
                        Cell::Float(f) => {
                            ws.write_string(r, col, fmt_float(*f)).map_err(xlsx_err)?;
                        }
                        Cell::Date(d) => {
                            let dt = u16::try_from(d.year())
                                .ok()
                                .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
                            match dt {
                                Some(dt) => ws.write_date_with_format(r, col, &dt, date).map_err(xlsx_err)?,
                                None => ws.write_string(r, col, d.format("%Y-%m-%d").to_string()).map_err(xlsx_err)?,
                            };
                        }
                        Cell::Bool(b) => {
                            ws.write_string(r, col, if *b { "是" } else { "否" }).map_err(xlsx_err)?;
                        }
                    }
                }
                *row += 1;
            }
        }
        Ok(())
    }

    /// Flush and close the file.
    pub(crate) fn finish(self) -> anyhow::Result<()> {
        match self {
            SheetWriter::Csv { w, .. } => {
                let mut out = w.into_inner().map_err(|e| anyhow!("写入 CSV 文件失败：{}", e.error()))?;
                out.flush().context("写入 CSV 文件失败")?;
            }
            SheetWriter::Xlsx { mut wb, path, .. } => {
                wb.save(&path).map_err(|e| anyhow!("保存 Excel 文件“{}”失败：{e}", path.display()))?;
            }
        }
        Ok(())
    }
}
