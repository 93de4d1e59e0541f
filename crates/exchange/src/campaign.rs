//! A dispatch round's workbook: sheet 排名 (rank, organization, total, band, rank change and each
//! indicator's value and score), sheet 变化 (what changed since the previous round) and sheet 指标
//! (the standard the round was judged by). Built from what the reader may see, without touching
//! the database.

use anyhow::anyhow;
use domain::campaign::round::{Change, Line};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use store::campaign::round::Round;
use store::campaign::standard::Standard;

use crate::cell::guard;

fn xlsx_err(e: XlsxError) -> anyhow::Error {
    anyhow!("生成 Excel 文件失败：{e}")
}

pub fn round_workbook(
    campaign: &str,
    r: &Round,
    standard: &Standard,
    lines: &[Line],
    changes: &[Change],
    participants: usize,
) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let note = Format::new().set_font_color("#555555");
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_background_color("#F2F3F5")
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_border(FormatBorder::Thin);
    let num = Format::new().set_border(FormatBorder::Thin).set_num_format("0.0##");
    let int = Format::new().set_border(FormatBorder::Thin).set_num_format("0");
    {
        let ws = wb.add_worksheet();
        ws.set_name("排名").map_err(xlsx_err)?;
        ws.write_string_with_format(0, 0, guard(&format!("{campaign} {}（截至 {}）", r.title, r.as_on)), &title)
            .map_err(xlsx_err)?;
        let status = if r.published() {
            format!("已发布，校验值 {}", &r.digest[..16.min(r.digest.len())])
        } else {
            "草稿".into()
        };
        ws.write_string_with_format(
            1,
            0,
            format!("共 {participants} 个参与党组织；本表 {} 行；{status}", lines.len()),
            &note,
        )
        .map_err(xlsx_err)?;
        let mut c = 0u16;
        for h in ["名次", "党组织", "总分", "类别", "上次名次", "名次变化"] {
            ws.write_string_with_format(3, c, h, &head).map_err(xlsx_err)?;
            c += 1;
        }
        for i in &standard.indicators {
            let unit = if i.unit.is_empty() { String::new() } else { format!("（{}）", i.unit) };
            ws.write_string_with_format(3, c, guard(&format!("{}{unit}", i.label)), &head).map_err(xlsx_err)?;
            ws.write_string_with_format(3, c + 1, guard(&format!("{} 得分（满分 {}）", i.label, i.weight)), &head)
                .map_err(xlsx_err)?;
            ws.set_column_width(c, 12).map_err(xlsx_err)?;
            ws.set_column_width(c + 1, 12).map_err(xlsx_err)?;
            c += 2;
        }
        ws.set_row_height(3, 36).map_err(xlsx_err)?;
        ws.set_column_width(1, 30).map_err(xlsx_err)?;
        for (n, l) in lines.iter().enumerate() {
            let row = 4 + n as u32;
            ws.write_number_with_format(row, 0, l.rank as f64, &int).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 1, guard(&l.org_name), &text).map_err(xlsx_err)?;
            ws.write_number_with_format(row, 2, l.total_milli as f64 / 1000.0, &num).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 3, l.band.label(), &text).map_err(xlsx_err)?;
            match l.previous_rank {
                Some(p) => {
                    ws.write_number_with_format(row, 4, p as f64, &int).map_err(xlsx_err)?;
                    ws.write_number_with_format(row, 5, (p - l.rank) as f64, &int).map_err(xlsx_err)?;
                }
                None => {
                    ws.write_string_with_format(row, 4, "", &text).map_err(xlsx_err)?;
                    ws.write_string_with_format(row, 5, "", &text).map_err(xlsx_err)?;
                }
            }
            let mut c = 6u16;
            for i in &standard.indicators {
                let cell = l.cell(&i.code);
                match cell.and_then(|x| x.value_milli) {
                    Some(v) => ws.write_number_with_format(row, c, v as f64 / 1000.0, &num).map_err(xlsx_err)?,
                    None => ws.write_string_with_format(row, c, "未填报", &text).map_err(xlsx_err)?,
                };
                ws.write_number_with_format(row, c + 1, cell.map_or(0, |x| x.score_milli) as f64 / 1000.0, &num)
                    .map_err(xlsx_err)?;
                c += 2;
            }
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("变化").map_err(xlsx_err)?;
        for (c, h) in ["党组织", "名次变化", "提升的指标", "下降的指标"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head).map_err(xlsx_err)?;
        }
        ws.set_column_width(0, 30).map_err(xlsx_err)?;
        ws.set_column_width(2, 50).map_err(xlsx_err)?;
        ws.set_column_width(3, 50).map_err(xlsx_err)?;
        let label = |code: &str| {
            standard.indicators.iter().find(|i| i.code == code).map_or(code, |i| i.label.as_str()).to_string()
        };
        for (n, ch) in changes.iter().enumerate() {
            let row = 1 + n as u32;
            let list = |v: &[(String, i64)]| {
                v.iter()
                    .map(|(c, d)| format!("{}（{:+}分）", label(c), *d as f64 / 1000.0))
                    .collect::<Vec<_>>()
                    .join("、")
            };
            ws.write_string_with_format(row, 0, guard(&ch.org_name), &text).map_err(xlsx_err)?;
            ws.write_number_with_format(row, 1, ch.moved as f64, &int).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 2, guard(&list(&ch.improved)), &text).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 3, guard(&list(&ch.fell)), &text).map_err(xlsx_err)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("指标").map_err(xlsx_err)?;
        ws.write_string_with_format(0, 0, format!("创建标准（{} 起生效）", standard.valid_from), &title)
            .map_err(xlsx_err)?;
        for (c, h) in ["编码", "指标", "来源", "权重", "计分规则"].iter().enumerate() {
            ws.write_string_with_format(1, c as u16, *h, &head).map_err(xlsx_err)?;
        }
        ws.set_column_width(1, 28).map_err(xlsx_err)?;
        ws.set_column_width(2, 20).map_err(xlsx_err)?;
        ws.set_column_width(4, 40).map_err(xlsx_err)?;
        for (n, i) in standard.indicators.iter().enumerate() {
            let row = 2 + n as u32;
            let src = i.source().map_or(i.source.as_str(), |s| s.label);
            ws.write_string_with_format(row, 0, guard(&i.code), &text).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 1, guard(&i.label), &text).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 2, src, &text).map_err(xlsx_err)?;
            ws.write_number_with_format(row, 3, i.weight as f64, &int).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 4, guard(&i.rule_text()), &text).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}
