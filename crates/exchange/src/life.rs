//! Organization life: the quarterly roll-up workbook (应召开 vs 已召开 per type per organization, and the
//! findings), built from an [`Evaluation`] without touching the database.
//! over a [`Window`] (see `domain::life`).

use std::collections::HashMap;

use anyhow::anyhow;
use chrono::{Datelike, NaiveDate};
use domain::life::{Finding, OrgCompliance, OrgLife};
use domain::rules::Severity;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use store::life::Evaluation;

use crate::cell::guard;

pub use domain::life::{rate, Window};

fn xlsx_err(e: XlsxError) -> anyhow::Error {
    anyhow!("生成 Excel 文件失败：{e}")
}

/// The roll-up of an evaluation (of the whole year the window lies in) as an `.xlsx` file:
/// sheet 汇总 has one row per organization with its own frequency requirements and, per type,
/// 应召开 and 已召开 in the window, the totals and 完成率; sheet 问题清单 lists the findings of
/// the window (organization, kind, severity, rule, source, period, message).
pub fn rollup_workbook(ev: &Evaluation, w: &Window) -> anyhow::Result<Vec<u8>> {
    let by_path: HashMap<&str, &OrgLife> = ev.orgs.iter().map(|o| (o.path.as_str(), o)).collect();
    let root_name = ev.orgs.iter().find(|o| o.id == ev.root).map_or("", |o| o.name.as_str());
    // the types that have a period in the window somewhere, in display order
    let mut shown: Vec<(&str, &str)> = Vec::new();
    for t in &ev.types {
        let used = ev
            .results
            .iter()
            .flat_map(|r| &r.lines)
            .any(|l| l.type_code == t.code && l.cells.iter().any(|c| w.holds(&c.period)));
        if used {
            shown.push((t.code.as_str(), t.label.as_str()));
        }
    }
    let rows: Vec<(&OrgLife, &OrgCompliance)> = ev
        .orgs
        .iter()
        .zip(ev.results.iter())
        .filter(|(_, r)| r.lines.iter().any(|l| l.cells.iter().any(|c| w.holds(&c.period))))
        .collect();

    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let note = Format::new().set_text_wrap().set_font_color("#555555").set_align(FormatAlign::Top);
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_background_color("#F2F3F5")
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_border(FormatBorder::Thin);
    let num = Format::new().set_border(FormatBorder::Thin).set_num_format("0");
    let pct = Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%");
    let bold_text = text.clone().set_bold();
    let bold_num = num.clone().set_bold();
    let bold_pct = pct.clone().set_bold();

    let ncols = 3 + shown.len() as u16 * 2 + 3;
    {
        let ws = wb.add_worksheet();
        ws.set_name("汇总").map_err(xlsx_err)?;
        ws.write_string_with_format(0, 0, format!("{root_name} 组织生活汇总（{}）", w.label()), &title)
            .map_err(xlsx_err)?;
        let explain = format!(
            "统计截至 {}。应召开、已召开按周期计：一个周期达到规定次数即为已召开。按月召开的类型每季度 3 期，按季度的 1 期，\
             按年的只计入第四季度（全年统计时均计入）；正在进行且尚未达到次数的周期不计入应召开。空白表示该类型对该组织不作要求。",
            ev.as_of
        );
        ws.merge_range(1, 0, 1, ncols - 1, &explain, &note).map_err(xlsx_err)?;
        ws.set_row_height(1, 48).map_err(xlsx_err)?;
        // two header rows: the type over its 应召开 / 已召开
        for (c, h) in ["党组织", "上级党组织", "组织类别"].iter().enumerate() {
            ws.merge_range(2, c as u16, 3, c as u16, h, &head).map_err(xlsx_err)?;
        }
        let mut col = 3u16;
        for (_, label) in &shown {
            ws.merge_range(2, col, 2, col + 1, label, &head).map_err(xlsx_err)?;
            ws.write_string_with_format(3, col, "应召开", &head).map_err(xlsx_err)?;
            ws.write_string_with_format(3, col + 1, "已召开", &head).map_err(xlsx_err)?;
            col += 2;
        }
        ws.merge_range(2, col, 2, col + 1, "合计", &head).map_err(xlsx_err)?;
        ws.write_string_with_format(3, col, "应召开", &head).map_err(xlsx_err)?;
        ws.write_string_with_format(3, col + 1, "已召开", &head).map_err(xlsx_err)?;
        ws.merge_range(2, col + 2, 3, col + 2, "完成率", &head).map_err(xlsx_err)?;
        ws.set_column_width(0, 30).map_err(xlsx_err)?;
        ws.set_column_width(1, 22).map_err(xlsx_err)?;
        ws.set_column_width(2, 12).map_err(xlsx_err)?;
        for c in 3..ncols {
            ws.set_column_width(c, 8).map_err(xlsx_err)?;
        }
        ws.set_freeze_panes(4, 1).map_err(xlsx_err)?;

        let mut sums = vec![(0i64, 0i64); shown.len()];
        let (mut all_due, mut all_met) = (0i64, 0i64);
        let mut row = 4u32;
        for (o, r) in &rows {
            let parent = domain::path::parent(&o.path).and_then(|p| by_path.get(p)).map_or("", |p| p.name.as_str());
            ws.write_string_with_format(row, 0, guard(&o.name), &text).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 1, guard(parent), &text).map_err(xlsx_err)?;
            ws.write_string_with_format(row, 2, o.kind.label(), &text).map_err(xlsx_err)?;
            let (mut due, mut met) = (0, 0);
            for (k, (code, _)) in shown.iter().enumerate() {
                let c = 3 + k as u16 * 2;
                match r.lines.iter().find(|l| l.type_code == *code).map(|l| w.tally(l)).filter(|t| t.0 > 0) {
                    Some((_, d, m)) => {
                        ws.write_number_with_format(row, c, d as f64, &num).map_err(xlsx_err)?;
                        ws.write_number_with_format(row, c + 1, m as f64, &num).map_err(xlsx_err)?;
                        sums[k].0 += d;
                        sums[k].1 += m;
                        due += d;
                        met += m;
                    }
                    None => {
                        ws.write_blank(row, c, &text).map_err(xlsx_err)?;
                        ws.write_blank(row, c + 1, &text).map_err(xlsx_err)?;
                    }
                }
            }
            ws.write_number_with_format(row, col, due as f64, &num).map_err(xlsx_err)?;
            ws.write_number_with_format(row, col + 1, met as f64, &num).map_err(xlsx_err)?;
            match rate(due, met) {
                Some(v) => ws.write_number_with_format(row, col + 2, v, &pct).map_err(xlsx_err)?,
                None => ws.write_string_with_format(row, col + 2, "—", &text).map_err(xlsx_err)?,
            };
            all_due += due;
            all_met += met;
            row += 1;
        }
        ws.write_string_with_format(row, 0, format!("合计（{} 个组织）", rows.len()), &bold_text).map_err(xlsx_err)?;
        ws.write_blank(row, 1, &bold_text).map_err(xlsx_err)?;
        ws.write_blank(row, 2, &bold_text).map_err(xlsx_err)?;
        for (k, (d, m)) in sums.iter().enumerate() {
            let c = 3 + k as u16 * 2;
            ws.write_number_with_format(row, c, *d as f64, &bold_num).map_err(xlsx_err)?;
            ws.write_number_with_format(row, c + 1, *m as f64, &bold_num).map_err(xlsx_err)?;
        }
        ws.write_number_with_format(row, col, all_due as f64, &bold_num).map_err(xlsx_err)?;
        ws.write_number_with_format(row, col + 1, all_met as f64, &bold_num).map_err(xlsx_err)?;
        match rate(all_due, all_met) {
            Some(v) => ws.write_number_with_format(row, col + 2, v, &bold_pct).map_err(xlsx_err)?,
            None => ws.write_string_with_format(row, col + 2, "—", &bold_text).map_err(xlsx_err)?,
        };
    }

    // the findings of the window, errors first, in tree order
    let mut findings: Vec<(&OrgLife, &Finding)> = ev
        .orgs
        .iter()
        .zip(ev.results.iter())
        .flat_map(|(o, r)| r.findings.iter().map(move |f| (o, f)))
        .filter(|(_, f)| w.holds_finding(f.period_key.as_deref()))
        .collect();
    findings.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(a.0.path.cmp(&b.0.path)));
    {
        let ws = wb.add_worksheet();
        ws.set_name("问题清单").map_err(xlsx_err)?;
        let heads = ["党组织", "问题类别", "级别", "规则", "依据", "周期", "说明"];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head).map_err(xlsx_err)?;
        }
        for (c, width) in [30.0, 16.0, 8.0, 10.0, 40.0, 22.0, 60.0].iter().enumerate() {
            ws.set_column_width(c as u16, *width).map_err(xlsx_err)?;
        }
        ws.set_freeze_panes(1, 1).map_err(xlsx_err)?;
        for (i, (o, f)) in findings.iter().enumerate() {
            let r = i as u32 + 1;
            let sev = match f.severity {
                Severity::Error => "错误",
                s => s.label(),
            };
            let cells = [
                o.name.as_str(),
                f.kind.label(),
                sev,
                f.rule_id.as_str(),
                f.source.as_str(),
                f.period_label.as_deref().unwrap_or(""),
                f.message.as_str(),
            ];
            for (c, v) in cells.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, guard(v), &text).map_err(xlsx_err)?;
            }
        }
        if findings.is_empty() {
            ws.write_string(1, 0, format!("{}没有发现问题。", w.label())).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The quarter (1–4) a date falls in.
pub fn quarter_of(d: NaiveDate) -> u32 {
    (d.month() - 1) / 3 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use domain::life::Period;
    use domain::life::{self as dl, RecordFacts, RecordStatus};
    use domain::org::OrgKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn org(id: i64, path: &str, name: &str, kind: OrgKind) -> OrgLife {
        OrgLife {
            id,
            path: path.into(),
            name: name.into(),
            kind,
            has_committee: false,
            founded_on: None,
            dissolved_on: None,
            has_division: false,
            secretaries: vec![],
        }
    }

    fn rec(id: i64, org_id: i64, ty: &str, on: &str) -> RecordFacts {
        RecordFacts {
            id,
            org_id,
            path: String::new(),
            types: vec![ty.into()],
            title: format!("{ty} {on}"),
            held_on: d(on),
            created_on: d(on),
            status: RecordStatus::Accepted,
            quorum_ok: Some(true),
            has_minutes: true,
            has_attendance: true,
            has_times: true,
            has_agenda: true,
            attachments: 1,
            belongs_to_year: None,
            lecturer_member_id: None,
        }
    }

    /// A town committee with two branches over 2025, judged on 2026-04-10 (after the window in
    /// which the yearly meetings of 2025 could still be held, LIFE-18): branch 甲 held its
    /// 主题党日 in January to August and in October; branch 乙 held none.
    fn evaluation() -> Evaluation {
        let orgs = vec![
            org(1, "0001", "中共某镇委员会", OrgKind::Committee),
            org(2, "00010001", "甲村党支部", OrgKind::Branch),
            org(3, "00010002", "=乙村党支部", OrgKind::Branch),
        ];
        let mut records = Vec::new();
        for (i, m) in [1, 2, 3, 4, 5, 6, 7, 8, 10].iter().enumerate() {
            records.push(rec(i as i64 + 1, 2, "theme_day", &format!("2025-{m:02}-15")));
        }
        records.push(rec(100, 2, "branch_assembly", "2025-08-20"));
        let (from, to, as_of) = (d("2025-01-01"), d("2025-12-31"), d("2026-04-10"));
        let params = dl::Params::in_force(as_of);
        let types = dl::shipped_types().to_vec();
        let results = dl::evaluate(
            &orgs,
            &records,
            dl::shipped_rules(),
            dl::shipped_year_windows(),
            &types,
            from,
            to,
            as_of,
            params,
        );
        Evaluation {
            root: 1,
            from,
            to,
            as_of,
            params,
            orgs: orgs.into(),
            results: results.into(),
            types,
            records: records.len(),
        }
    }

    fn read(bytes: Vec<u8>) -> (calamine::Range<Data>, calamine::Range<Data>) {
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["汇总".to_string(), "问题清单".to_string()]);
        (wb.worksheet_range("汇总").unwrap(), wb.worksheet_range("问题清单").unwrap())
    }

    fn text(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
        r.get_value((row, col)).map(|v| v.to_string()).unwrap_or_default()
    }

    fn col_of(r: &calamine::Range<Data>, label: &str) -> u32 {
        (0..r.width() as u32).find(|c| text(r, 2, *c) == label).unwrap_or_else(|| panic!("no column {label}"))
    }

    #[test]
    fn windows() {
        let q3 = Window::new(2026, Some(3)).unwrap();
        assert_eq!((q3.from, q3.to), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(q3.label(), "2026年第三季度");
        assert_eq!(Window::new(2026, None).unwrap().label(), "2026年");
        assert!(Window::new(2026, Some(5)).is_none());
        let year = Period::containing(dl::PeriodKind::Year, d("2026-05-01"));
        assert!(!q3.holds(&year) && Window::new(2026, Some(4)).unwrap().holds(&year));
        assert!(q3.holds_finding(Some("2026-08")) && !q3.holds_finding(Some("2026-10")) && q3.holds_finding(None));
        assert_eq!(quarter_of(d("2026-11-21")), 4);
    }

    #[test]
    fn quarterly_rollup_reads_back() {
        let ev = evaluation();
        // third quarter: 主题党日 July and August held, September missing; 支部党员大会 held
        let bytes = rollup_workbook(&ev, &Window::new(2025, Some(3)).unwrap()).unwrap();
        let (sum, findings) = read(bytes);
        assert!(text(&sum, 0, 0).contains("中共某镇委员会") && text(&sum, 0, 0).contains("2025年第三季度"));
        assert!(text(&sum, 1, 0).contains("按年的只计入第四季度"), "{}", text(&sum, 1, 0));
        let theme = col_of(&sum, "主题党日");
        assert_eq!(text(&sum, 3, theme), "应召开");
        // the committee has no requirement in the quarter (its yearly ones count in Q4): two rows
        assert_eq!(text(&sum, 4, 0), "甲村党支部");
        assert_eq!(text(&sum, 4, 1), "中共某镇委员会");
        assert_eq!(sum.get_value((4, theme)), Some(&Data::Float(3.0)));
        assert_eq!(sum.get_value((4, theme + 1)), Some(&Data::Float(2.0)));
        // a name that a spreadsheet would run is neutralised
        assert_eq!(text(&sum, 5, 0), "'=乙村党支部");
        assert_eq!(sum.get_value((5, theme + 1)), Some(&Data::Float(0.0)));
        let assembly = col_of(&sum, "支部党员大会");
        assert_eq!(sum.get_value((4, assembly + 1)), Some(&Data::Float(1.0)));
        assert!(col_of(&sum, "合计") > assembly);
        // 组织生活会 (yearly) is not in the third quarter at all
        assert!((0..sum.width() as u32).all(|c| text(&sum, 2, c) != "组织生活会"));
        let rate = col_of(&sum, "完成率");
        // 甲: 主题党日 2 of 3, 支部党员大会 1 of 1, 党课 0 of 1 → 3 of 5
        match sum.get_value((4, rate)) {
            Some(Data::Float(v)) => assert!((v - 0.6).abs() < 1e-9, "{v}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(text(&sum, 6, 0), "合计（2 个组织）");
        // the findings sheet: September's missing 主题党日 for 甲 with its rule
        let rows: Vec<Vec<String>> =
            (1..findings.height() as u32).map(|r| (0..7).map(|c| text(&findings, r, c)).collect()).collect();
        assert!(
            rows.iter().any(|r| r[0] == "甲村党支部"
                && r[1] == "未按期召开"
                && r[3] == "LIFE-07"
                && r[5] == "2025年9月"
                && r[4].contains("支部工作条例")),
            "{rows:#?}"
        );
        // October's finding belongs to the fourth quarter
        assert!(!rows.iter().any(|r| r[5] == "2025年10月"), "{rows:#?}");
    }

    #[test]
    fn fourth_quarter_and_year_count_yearly_types() {
        let ev = evaluation();
        let (sum, _) = read(rollup_workbook(&ev, &Window::new(2025, Some(4)).unwrap()).unwrap());
        let life = col_of(&sum, "组织生活会");
        // the committee's yearly 党课 (LIFE-06S) makes it a row in the fourth quarter
        assert_eq!(text(&sum, 4, 0), "中共某镇委员会");
        assert_eq!(sum.get_value((4, life)), Some(&Data::Empty), "no 组织生活会 asked of a committee");
        assert_eq!(text(&sum, 5, 0), "甲村党支部");
        assert_eq!(sum.get_value((5, life)), Some(&Data::Float(1.0)));
        assert_eq!(sum.get_value((5, life + 1)), Some(&Data::Float(0.0)));
        let (sum, _) = read(rollup_workbook(&ev, &Window::new(2025, None).unwrap()).unwrap());
        let theme = col_of(&sum, "主题党日");
        let row = (4..sum.height() as u32).find(|r| text(&sum, *r, 0) == "甲村党支部").unwrap();
        assert_eq!(sum.get_value((row, theme)), Some(&Data::Float(12.0)));
        assert_eq!(sum.get_value((row, theme + 1)), Some(&Data::Float(9.0)));
    }
}
