//! Import templates: a file to fill in holding exactly the header row the importer reads (the
//! column definitions of [`crate::columns`], in the order exports write them) and one example row
//! that imports as it is. The workbook names its first sheet after what it holds (党员名册,
//! 党组织), keeps the 公民身份号码 and telephone columns as text (so Excel does not turn an ID
//! number into a rounded number), offers the accepted values of the coded columns in a dropdown,
//! and explains every column on a second sheet, 填写说明: whether it is required and what it
//! accepts, in the domain's own labels. The CSV template is the header and the example row.

use chrono::NaiveDate;
use domain::member::{Category, Education, Occupation, Sex, Status};
use domain::org::{FacilityKind, FormedBy, OrgKind, Sector};
use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, FormatBorder, Workbook, XlsxError};

use crate::cell::Cell;
use crate::columns::{facility_field, m, o, ColDef, MEMBER, ORG};
use crate::{FileFormat, ImportKind};

/// Rows of the data sheet that get the dropdowns and the text format.
const FILL_ROWS: u32 = 10_000;

/// How a column must be filled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
    /// Required in some cases, which the note names.
    Sometimes,
}

impl Need {
    fn label(self) -> &'static str {
        match self {
            Need::Required => "必填",
            Need::Optional => "选填",
            Need::Sometimes => "视情况",
        }
    }
}

/// What the guide says of one column, and the values its dropdown offers.
struct Guide {
    need: Need,
    note: String,
    choices: Vec<&'static str>,
    /// Kept as text in the workbook (long digit strings).
    text: bool,
}

fn guide(need: Need, note: impl Into<String>) -> Guide {
    Guide { need, note: note.into(), choices: Vec::new(), text: false }
}

fn choice(need: Need, note: impl Into<String>, choices: Vec<&'static str>) -> Guide {
    Guide { need, note: note.into(), choices, text: false }
}

const DATE_NOTE: &str = "日期，写作 2012-10-13（也可写 2012/10/13、2012年10月13日）";
const YES_NO: [&str; 2] = ["是", "否"];

fn yes_no(note: &str) -> Guide {
    choice(Need::Optional, format!("{note}：是 或 否，不填为否"), YES_NO.to_vec())
}

/// The guide to a member column.
fn member_guide(field: usize) -> Guide {
    match field {
        m::NAME => guide(Need::Required, "不超过 50 个字"),
        m::ID => Guide {
            text: true,
            ..guide(
                Need::Required,
                "18 位，最后一位可为 X；同一人在文件中只写一行，已在名册中的按此号码更新。本列已设为文本格式，请勿改成数字格式",
            )
        },
        m::SEX => choice(
            Need::Optional,
            format!("{}；不填按公民身份号码", Sex::labels()),
            Sex::ALL.iter().map(|s| s.label()).collect(),
        ),
        m::ETHNICITY => guide(Need::Optional, "56 个民族之一，如 汉族、回族（可省略“族”字）；不填为汉族"),
        m::BIRTH => guide(Need::Optional, format!("{DATE_NOTE}；不填按公民身份号码")),
        m::EDUCATION => choice(
            Need::Optional,
            Education::labels(),
            Education::ALL.iter().map(|e| e.label()).collect(),
        ),
        m::CATEGORY => choice(Need::Required, Category::labels(), Category::ALL.iter().map(|c| c.label()).collect()),
        m::JOIN => guide(Need::Required, format!("{DATE_NOTE}；入党时应年满 18 周岁，不能晚于今天")),
        m::FULL => guide(Need::Sometimes, format!("{DATE_NOTE}；正式党员填写，不早于入党日期满一年；预备党员不填")),
        m::JOB_POST | m::WORK_UNIT | m::RESIDENCE => guide(Need::Optional, "不超过 100 个字"),
        m::PHONE => Guide { text: true, ..guide(Need::Optional, "11 位手机号，或带区号的固定电话（如 0851-28221234）") },
        m::ORG => guide(
            Need::Sometimes,
            "不填则编入导入时选择的党组织（应为党支部或党小组）；填写时写该组织之下党支部的名称，同名时写用“/”连接的完整路径，如 甲镇党委/甲社区党支部",
        ),
        m::OCCUPATION => choice(
            Need::Optional,
            Occupation::labels(),
            Occupation::ALL.iter().map(|o| o.label()).collect(),
        ),
        m::MOBILE => yes_no("流动党员"),
        m::MOBILE_TO => guide(Need::Sometimes, "流动党员必填：流动去向（地区或单位）"),
        m::LOST => yes_no("失联党员"),
        m::NEEDY => yes_no("困难党员"),
        m::STATUS => choice(
            Need::Optional,
            format!("{}；不填为正常", Status::labels()),
            Status::ALL.iter().map(|s| s.label()).collect(),
        ),
        m::STATUS_DATE => guide(Need::Sometimes, format!("党籍状态不是“正常”时必填，{DATE_NOTE}")),
        _ => guide(Need::Optional, ""),
    }
}

/// The guide to an organization column.
fn org_guide(field: usize) -> Guide {
    if let Some(kind) = FacilityKind::ALL.iter().find(|k| facility_field(**k) == field) {
        return guide(Need::Optional, format!("{}：写“建成2020”“规划2026”或“建成”；没有则不填", kind.label()));
    }
    match field {
        o::NAME => guide(Need::Required, "不超过 100 个字"),
        o::SHORT => guide(Need::Optional, "不超过 50 个字"),
        o::PARENT => guide(
            Need::Sometimes,
            "不填则建在导入时选择的党组织之下；填写时写该组织之下的组织名称，同名时写用“/”连接的完整路径",
        ),
        o::KIND => choice(Need::Required, OrgKind::labels(), OrgKind::ALL.iter().map(|k| k.label()).collect()),
        o::SECTOR => choice(
            Need::Optional,
            format!("{}；不填为其他", Sector::labels()),
            Sector::ALL.iter().map(|s| s.label()).collect(),
        ),
        o::REGION => {
            Guide { text: true, ..guide(Need::Optional, "GB/T 2260 行政区划代码，6 位数字，如 520302") }
        }
        o::FORMED_BY => choice(Need::Optional, FormedBy::labels(), FormedBy::ALL.iter().map(|f| f.label()).collect()),
        o::FOUNDED => guide(Need::Optional, format!("{DATE_NOTE}；不能晚于今天")),
        o::TERM_NUMBER => guide(Need::Optional, "1 到 100 之间的整数"),
        o::TERM_START => guide(Need::Optional, DATE_NOTE),
        o::TERM_END => guide(Need::Optional, format!("{DATE_NOTE}；只填届期开始时按任期规定推算")),
        o::COMMITTEE => yes_no("是否设立委员会"),
        o::SECRETARY => guide(Need::Optional, "不超过 50 个字"),
        o::PHONE => Guide { text: true, ..guide(Need::Optional, "11 位手机号，或带区号的固定电话") },
        o::ADDRESS => guide(Need::Optional, "不超过 200 个字"),
        o::FUNDS => guide(Need::Optional, "整数，单位元"),
        _ => guide(Need::Optional, ""),
    }
}

fn date(y: i32, mo: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, d).expect("a real date")
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// The example member: a full member of the chosen branch, with a valid (made-up) ID number.
fn member_example() -> Vec<Cell> {
    let birth = date(1990, 5, 12);
    (0..MEMBER.len())
        .map(|f| match f {
            m::NAME => text("张三（示例）"),
            m::ID => Cell::Text(domain::idcard::compose("110105", birth, 135)),
            m::SEX => text(Sex::Male.label()),
            m::ETHNICITY => text("汉族"),
            m::BIRTH => Cell::Date(birth),
            m::EDUCATION => text(Education::Bachelor.label()),
            m::CATEGORY => text(Category::Full.label()),
            m::JOIN => Cell::Date(date(2015, 7, 1)),
            m::FULL => Cell::Date(date(2016, 7, 1)),
            m::JOB_POST => text("社区网格员"),
            m::PHONE => text("13800000000"),
            m::WORK_UNIT => text("示例社区居民委员会"),
            m::RESIDENCE => text("示例社区"),
            m::OCCUPATION => text(Occupation::Professional.label()),
            m::MOBILE | m::LOST | m::NEEDY => text("否"),
            m::STATUS => text(Status::Normal.label()),
            _ => Cell::Empty,
        })
        .collect()
}

/// The example organization: a branch under the chosen organization.
fn org_example() -> Vec<Cell> {
    (0..ORG.len())
        .map(|f| match f {
            o::NAME => text("示例社区党支部"),
            o::KIND => text(OrgKind::Branch.label()),
            o::SECTOR => text(Sector::Community.label()),
            o::FORMED_BY => text(FormedBy::Single.label()),
            o::FOUNDED => Cell::Date(date(2020, 7, 1)),
            o::COMMITTEE => text("否"),
            o::SECRETARY => text("张三"),
            o::ADDRESS => text("示例社区党群服务中心"),
            f if f == facility_field(FacilityKind::ActivityVenue) => text("建成2020"),
            _ => Cell::Empty,
        })
        .collect()
}

struct Kind {
    sheet: &'static str,
    defs: &'static [ColDef],
    example: Vec<Cell>,
    guide: fn(usize) -> Guide,
    /// (column, width) of the wide columns.
    wide: Vec<(usize, f64)>,
}

fn kind(k: ImportKind) -> Kind {
    match k {
        ImportKind::Members => Kind {
            sheet: "党员名册",
            defs: MEMBER,
            example: member_example(),
            guide: member_guide,
            wide: vec![(m::ID, 22.0), (m::ORG, 30.0), (m::WORK_UNIT, 24.0), (m::PHONE, 15.0), (m::RESIDENCE, 16.0)],
        },
        ImportKind::Orgs => Kind {
            sheet: "党组织",
            defs: ORG,
            example: org_example(),
            guide: org_guide,
            wide: vec![(o::NAME, 30.0), (o::PARENT, 30.0), (o::ADDRESS, 30.0), (o::FUNDS, 16.0)],
        },
    }
}

/// The template for `what` as a file of `format`: the header row and the example row (and, in a
/// workbook, the dropdowns and the 填写说明 sheet).
pub fn template(what: ImportKind, format: FileFormat) -> anyhow::Result<Vec<u8>> {
    let k = kind(what);
    match format {
        FileFormat::Csv => csv_template(&k),
        FileFormat::Xlsx => xlsx_template(&k).map_err(|e| anyhow::anyhow!("生成导入模板失败：{e}")),
    }
}

fn csv_template(k: &Kind) -> anyhow::Result<Vec<u8>> {
    let mut out = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(k.defs.iter().map(|d| d.name))?;
        w.write_record(k.example.iter().map(|c| c.raw_text().into_owned()))?;
        w.flush()?;
    }
    Ok(out)
}

fn xlsx_template(k: &Kind) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("F3E3E3").set_border(FormatBorder::Thin);
    let required = head.clone().set_font_color("B71C1C");
    let as_text = Format::new().set_num_format("@");
    let as_date = Format::new().set_num_format("yyyy-mm-dd");
    let guides: Vec<Guide> = (0..k.defs.len()).map(k.guide).collect();

    let ws = wb.add_worksheet();
    ws.set_name(k.sheet)?;
    for (i, (d, g)) in k.defs.iter().zip(&guides).enumerate() {
        let col = i as u16;
        let width = k.wide.iter().find(|(j, _)| *j == i).map_or(12.0, |(_, w)| *w);
        ws.set_column_width(col, width)?;
        if g.text {
            ws.set_column_format(col, &as_text)?;
        }
        let fmt = if g.need == Need::Required { &required } else { &head };
        ws.write_string_with_format(0, col, d.name, fmt)?;
        if !g.choices.is_empty() {
            // a warning, not a refusal: the importer also reads the common other spellings
            let dv = DataValidation::new()
                .allow_list_strings(&g.choices)?
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_error_title(d.name)?
                .set_error_message(format!("应为 {}", g.choices.join("、")))?;
            ws.add_data_validation(1, col, FILL_ROWS, col, &dv)?;
        }
    }
    for (i, c) in k.example.iter().enumerate() {
        let col = i as u16;
        match c {
            Cell::Date(d) => {
                let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(
                    u16::try_from(chrono::Datelike::year(d)).unwrap_or(1900),
                    chrono::Datelike::month(d) as u8,
                    chrono::Datelike::day(d) as u8,
                )?;
                ws.write_date_with_format(1, col, &dt, &as_date)?;
            }
            Cell::Empty => {}
            other if guides[i].text => {
                ws.write_string_with_format(1, col, other.raw_text(), &as_text)?;
            }
            other => {
                ws.write_string(1, col, other.raw_text())?;
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;

    let notes = wb.add_worksheet();
    notes.set_name("填写说明")?;
    notes.set_column_width(0, 20.0)?;
    notes.set_column_width(1, 10.0)?;
    notes.set_column_width(2, 90.0)?;
    let wrap = Format::new().set_text_wrap();
    notes.write_string_with_format(0, 0, format!("“{}”工作表的填写说明", k.sheet), &Format::new().set_bold())?;
    notes.write_string(
        1,
        0,
        "第一行为表头，请勿修改或删除；第二行是示例，导入前请改成实际数据或删除。红色表头为必填列。",
    )?;
    for (j, h) in ["列名", "是否必填", "填写说明"].iter().enumerate() {
        notes.write_string_with_format(3, j as u16, *h, &head)?;
    }
    for (i, (d, g)) in k.defs.iter().zip(&guides).enumerate() {
        let r = 4 + i as u32;
        notes.write_string(r, 0, d.name)?;
        notes.write_string(r, 1, g.need.label())?;
        notes.write_string_with_format(r, 2, &g.note, &wrap)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

    #[test]
    fn the_workbook_has_the_importers_headers_the_example_and_the_guide() {
        for (what, headers) in
            [(ImportKind::Members, crate::member_headers()), (ImportKind::Orgs, crate::org_headers())]
        {
            let bytes = template(what, FileFormat::Xlsx).unwrap();
            let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            let k = kind(what);
            assert_eq!(wb.sheet_names(), [k.sheet, "填写说明"]);
            let data = wb.worksheet_range(k.sheet).unwrap();
            let first: Vec<String> = data.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
            assert_eq!(first, headers);
            assert_eq!(data.rows().count(), 2, "the header and one example row");
            let notes = wb.worksheet_range("填写说明").unwrap();
            let named: Vec<String> = notes.rows().skip(4).map(|r| r[0].to_string()).collect();
            assert_eq!(named, headers, "every column explained, in order");
            assert!(notes.rows().skip(4).all(|r| !r[2].to_string().is_empty()), "each with a note");
            if what == ImportKind::Members {
                let row: Vec<&Data> = data.rows().nth(1).unwrap().iter().collect();
                assert!(matches!(row[m::ID], Data::String(_)), "the ID number is text: {:?}", row[m::ID]);
                assert!(domain::idcard::parse(&row[m::ID].to_string(), date(2026, 1, 1)).is_ok());
            }
        }
    }

    #[test]
    fn the_csv_template_is_the_header_and_the_example() {
        let bytes = template(ImportKind::Members, FileFormat::Csv).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{FEFF}').expect("a BOM for Excel");
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), crate::member_headers().join(","));
        assert!(lines.next().unwrap().starts_with("张三（示例）,"));
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn every_member_example_value_reads_as_the_importer_reads_it() {
        let ex = member_example();
        assert_eq!(ex.len(), MEMBER.len());
        let input = domain::member::MemberInput {
            name: ex[m::NAME].text(),
            sex: Sex::parse(&ex[m::SEX].text()),
            id_number: ex[m::ID].text(),
            category: Category::parse(&ex[m::CATEGORY].text()),
            join_date: ex[m::JOIN].date().unwrap(),
            full_date: ex[m::FULL].date().unwrap(),
            birth_date: ex[m::BIRTH].date().unwrap(),
            ..Default::default()
        };
        input.validate(date(2026, 12, 7)).unwrap();
    }
}
