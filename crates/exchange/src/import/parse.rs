//! Parsing (pure, on the reading thread).

use crate::cell::Cell;
use crate::columns::{facility_field, m, o, Layout};
use chrono::NaiveDate;
use domain::member::{normalize_text, Category, Education, MemberInput, Occupation, Sex, Status, ValidMember};
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, OrgInput, OrgKind, Sector, ValidOrg};
use std::collections::HashSet;

use super::*;

/// Record a cell conversion's failure against its column.
fn take<T: Default>(l: &Layout, errs: &mut Errs, field: usize, r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| {
        errs.push((l.col_name(field), e));
        T::default()
    })
}

/// Add validation errors, except on columns whose cell could not even be read (their
/// validation message would only repeat the problem, e.g. "不能为空" after an unreadable date).
fn add_validation(l: &Layout, errs: &mut Errs, fe: domain::FieldErrors) {
    let unreadable: HashSet<String> = errs.iter().map(|(c, _)| c.clone()).collect();
    for e in fe.0 {
        let col = if e.field == "阵地设施" {
            FacilityKind::ALL
                .iter()
                .find(|k| e.message.contains(k.label()))
                .map(|k| l.col_name(facility_field(*k)))
                .unwrap_or_else(|| e.field.to_string())
        } else {
            l.col_for_label(e.field)
        };
        if !unreadable.contains(&col) {
            errs.push((col, e.message));
        }
    }
}

fn parse_sex(s: &str) -> Option<Sex> {
    Sex::parse(s).or_else(|| Sex::parse(s.trim_end_matches('性')))
}

pub(crate) struct MemberParsed {
    pub(crate) valid: Option<ValidMember>,
    pub(crate) org_ref: String,
}

pub(crate) fn parse_member(l: &Layout, row: &[Cell], today: NaiveDate) -> (MemberParsed, Errs) {
    let mut errs = Errs::new();
    let c = |f: usize| l.cell(row, f);
    let id_cell = c(m::ID);
    let id_number = id_cell.text();
    if id_number.contains('*') {
        errs.push((l.col_name(m::ID), "是脱敏后的号码（含 *），无法导入；请使用未脱敏的导出文件".into()));
    } else if id_cell.is_number() && id_number.len() >= 16 {
        errs.push((
            l.col_name(m::ID),
            "以数字格式保存，Excel 已把末尾几位改成 0；请把该列设为文本格式后重新填写号码".into(),
        ));
    }
    let phone = c(m::PHONE).opt();
    if phone.as_deref().is_some_and(|p| p.contains('*')) {
        errs.push((l.col_name(m::PHONE), "是脱敏后的号码（含 *），无法导入；请使用未脱敏的导出文件".into()));
    }
    let input = MemberInput {
        name: c(m::NAME).text(),
        sex: take(l, &mut errs, m::SEX, c(m::SEX).choice(parse_sex, Sex::labels)),
        id_number,
        ethnicity: c(m::ETHNICITY).opt(),
        birth_date: take(l, &mut errs, m::BIRTH, c(m::BIRTH).date()),
        education: take(l, &mut errs, m::EDUCATION, c(m::EDUCATION).choice(Education::parse, Education::labels)),
        category: take(l, &mut errs, m::CATEGORY, c(m::CATEGORY).choice(Category::parse, Category::labels)),
        join_date: take(l, &mut errs, m::JOIN, c(m::JOIN).date()),
        full_date: take(l, &mut errs, m::FULL, c(m::FULL).date()),
        job_post: c(m::JOB_POST).opt(),
        phone,
        work_unit: c(m::WORK_UNIT).opt(),
        residence_community: c(m::RESIDENCE).opt(),
        occupation: take(l, &mut errs, m::OCCUPATION, c(m::OCCUPATION).choice(Occupation::parse, Occupation::labels)),
        is_mobile: take(l, &mut errs, m::MOBILE, c(m::MOBILE).boolean()),
        mobile_to: c(m::MOBILE_TO).opt(),
        is_lost_contact: take(l, &mut errs, m::LOST, c(m::LOST).boolean()),
        is_needy: take(l, &mut errs, m::NEEDY, c(m::NEEDY).boolean()),
        status: take(l, &mut errs, m::STATUS, c(m::STATUS).choice(Status::parse, Status::labels)),
        status_date: take(l, &mut errs, m::STATUS_DATE, c(m::STATUS_DATE).date()),
        version: None,
    };
    let valid = match input.validate(today) {
        Ok(v) => Some(v),
        Err(fe) => {
            add_validation(l, &mut errs, fe);
            None
        }
    };
    let valid = valid.filter(|_| errs.is_empty());
    (MemberParsed { valid, org_ref: c(m::ORG).text() }, errs)
}

pub(crate) struct OrgParsed {
    pub(crate) valid: Option<ValidOrg>,
    pub(crate) name: String,
    pub(crate) parent_ref: String,
}

/// A facility cell: `建成2020`, `规划2026`, `建成`, `2020年建成`; blank (or 无/否) means none.
fn parse_facility(kind: FacilityKind, cell: &Cell) -> Result<Option<Facility>, String> {
    let Some(s) = cell.opt() else { return Ok(None) };
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if matches!(t.as_str(), "无" | "否" | "没有" | "未建" | "-" | "—" | "/") {
        return Ok(None);
    }
    let status = if t.contains("规划") {
        FacilityStatus::Planned
    } else if t.contains("建成") || t.contains("已建") {
        FacilityStatus::Built
    } else {
        return Err(format!("“{s}”应写成“建成2020”“规划2026”或“建成”"));
    };
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let year = match digits.len() {
        0 => None,
        4 => digits.parse::<i32>().ok(),
        _ => return Err(format!("“{s}”中的年份应为 4 位数字，例如“建成2020”")),
    };
    Ok(Some(Facility { kind, status, year }))
}

pub(crate) fn parse_org(l: &Layout, row: &[Cell], today: NaiveDate) -> (OrgParsed, Errs) {
    let mut errs = Errs::new();
    let c = |f: usize| l.cell(row, f);
    let term_number = take(l, &mut errs, o::TERM_NUMBER, c(o::TERM_NUMBER).integer());
    let term_number = match term_number.map(i32::try_from) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            errs.push((l.col_name(o::TERM_NUMBER), "应为 1 到 100 之间的整数".into()));
            None
        }
    };
    let mut facilities = Vec::new();
    for kind in FacilityKind::ALL {
        let f = facility_field(*kind);
        if let Some(fac) = take(l, &mut errs, f, parse_facility(*kind, c(f))) {
            facilities.push(fac);
        }
    }
    let input = OrgInput {
        name: c(o::NAME).text(),
        short_name: c(o::SHORT).opt(),
        kind: take(l, &mut errs, o::KIND, c(o::KIND).choice(OrgKind::parse, OrgKind::labels)),
        sector: take(l, &mut errs, o::SECTOR, c(o::SECTOR).choice(Sector::parse, Sector::labels)),
        region_code: c(o::REGION).opt(),
        formed_by: take(l, &mut errs, o::FORMED_BY, c(o::FORMED_BY).choice(FormedBy::parse, FormedBy::labels)),
        founded_on: take(l, &mut errs, o::FOUNDED, c(o::FOUNDED).date()),
        has_committee: take(l, &mut errs, o::COMMITTEE, c(o::COMMITTEE).boolean()),
        term_number,
        term_start: take(l, &mut errs, o::TERM_START, c(o::TERM_START).date()),
        term_end: take(l, &mut errs, o::TERM_END, c(o::TERM_END).date()),
        secretary: c(o::SECRETARY).opt(),
        contact_phone: c(o::PHONE).opt(),
        address: c(o::ADDRESS).opt(),
        annual_funds: take(l, &mut errs, o::FUNDS, c(o::FUNDS).integer()),
        facilities,
        version: None,
    };
    let valid = match input.validate(today) {
        Ok(v) => Some(v),
        Err(fe) => {
            add_validation(l, &mut errs, fe);
            None
        }
    };
    let valid = valid.filter(|_| errs.is_empty());
    (OrgParsed { valid, name: normalize_text(&input.name), parent_ref: c(o::PARENT).text() }, errs)
}
