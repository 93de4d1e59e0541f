//! Error workbook.

use crate::cell::Cell;
use crate::columns::{m, o, Layout, REASON_HEADER};
use crate::writer::SheetWriter;
use crate::{FileFormat, ImportKind};
use std::path::Path;

use super::*;

/// The bad rows with the file's headers and values as they were (typed cells stay typed), and a
/// last column 错误原因; a previous 错误原因 column is replaced. Usually `.xlsx`; a `.csv` path gets
/// a CSV (UTF-8 with BOM).
pub(crate) fn write_error_workbook(
    path: &Path,
    format: FileFormat,
    layout: &Layout,
    bad: &[BadRow],
) -> anyhow::Result<()> {
    let keep: Vec<usize> = (0..layout.headers.len()).filter(|i| !layout.is_reason_col(*i)).collect();
    let mut headers: Vec<&str> = keep.iter().map(|i| layout.headers[*i].as_str()).collect();
    headers.push(REASON_HEADER);
    let id_col = match layout.kind {
        ImportKind::Members => layout.idx[m::ID],
        ImportKind::Orgs => layout.idx[o::NAME],
    };
    let mut widths: Vec<f64> = keep.iter().map(|i| if Some(*i) == id_col { 22.0 } else { 14.0 }).collect();
    widths.push(60.0);
    // values are written as read: a guard already in the file stays, none is added (it would not
    // be removed again on import)
    let mut w = SheetWriter::create(path, format, "错误行", false)?;
    w.header(&headers, &widths)?;
    for b in bad {
        let mut cells: Vec<Cell> = keep.iter().map(|i| b.cells.get(*i).cloned().unwrap_or(Cell::Empty)).collect();
        let reason = b.errors.iter().map(|(c, r)| format!("{c}：{r}")).collect::<Vec<_>>().join("；");
        cells.push(Cell::Text(reason));
        w.row(&cells)?;
    }
    w.finish()
}
