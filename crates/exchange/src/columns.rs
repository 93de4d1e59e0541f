//! The columns of member and organization files: standard headers (what exports write), the
//! aliases imports accept, and the mapping of a file's header row onto them.

use domain::member::normalize_text;
use domain::org::FacilityKind;

use crate::cell::Cell;
use crate::ImportKind;

/// One column: its standard header and the other headers accepted for it.
pub(crate) struct ColDef {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

const fn col(name: &'static str, aliases: &'static [&'static str]) -> ColDef {
    ColDef { name, aliases }
}

/// Member columns, in export order. Index constants are in [`m`].
pub(crate) const MEMBER: &[ColDef] = &[
    col("姓名", &[]),
    col("公民身份号码", &["身份证号", "身份证号码", "身份证", "公民身份证号码", "身份证件号码"]),
    col("性别", &[]),
    col("民族", &[]),
    col("出生日期", &["出生年月日"]),
    col("学历", &["文化程度"]),
    col("人员类别", &["党员类别"]),
    col("入党日期", &["入党时间"]),
    col("转正日期", &["转正时间"]),
    col("工作岗位", &[]),
    col("联系电话", &["手机号", "手机号码", "电话", "手机"]),
    col("所在党组织", &["所在支部", "党组织", "所在党支部"]),
    col("工作单位", &[]),
    col("现居住社区", &["居住社区"]),
    col("职业", &["人员职业"]),
    col("是否流动党员", &["流动党员"]),
    col("流动去向", &[]),
    col("是否失联", &["失联党员", "是否失联党员"]),
    col("是否困难党员", &["困难党员"]),
    col("党籍状态", &["状态"]),
    col("状态日期", &[]),
];

/// Indexes into [`MEMBER`].
pub(crate) mod m {
    pub const NAME: usize = 0;
    pub const ID: usize = 1;
    pub const SEX: usize = 2;
    pub const ETHNICITY: usize = 3;
    pub const BIRTH: usize = 4;
    pub const EDUCATION: usize = 5;
    pub const CATEGORY: usize = 6;
    pub const JOIN: usize = 7;
    pub const FULL: usize = 8;
    pub const JOB_POST: usize = 9;
    pub const PHONE: usize = 10;
    pub const ORG: usize = 11;
    pub const WORK_UNIT: usize = 12;
    pub const RESIDENCE: usize = 13;
    pub const OCCUPATION: usize = 14;
    pub const MOBILE: usize = 15;
    pub const MOBILE_TO: usize = 16;
    pub const LOST: usize = 17;
    pub const NEEDY: usize = 18;
    pub const STATUS: usize = 19;
    pub const STATUS_DATE: usize = 20;
}

/// Organization columns, in export order; the facility columns follow [`o::FACILITY0`] in the
/// order of [`FacilityKind::ALL`]. Index constants are in [`o`].
pub(crate) const ORG: &[ColDef] = &[
    col("组织名称", &["党组织名称"]),
    col("简称", &["组织简称"]),
    col("上级党组织", &["上级组织"]),
    col("组织类别", &["组织类型", "党组织类别"]),
    col("所属领域", &["所在领域", "领域"]),
    col("行政区划代码", &["区划代码"]),
    col("组建方式", &[]),
    col("成立日期", &["成立时间"]),
    col("届次", &[]),
    col("届期开始", &["本届开始日期", "任期开始"]),
    col("届期结束", &["本届结束日期", "任期结束", "届满日期"]),
    col("是否设立委员会", &["设立委员会"]),
    col("书记", &["党组织书记"]),
    col("联系电话", &[]),
    col("地址", &["办公地址"]),
    col("年度运转经费(元)", &["年度运转经费"]),
    col("党务政务综合服务中心", &[]),
    col("党员群众综合服务站", &[]),
    col("活动场所", &[]),
    col("远程教育站点", &[]),
    col("民生工作站", &[]),
];

/// Indexes into [`ORG`].
pub(crate) mod o {
    pub const NAME: usize = 0;
    pub const SHORT: usize = 1;
    pub const PARENT: usize = 2;
    pub const KIND: usize = 3;
    pub const SECTOR: usize = 4;
    pub const REGION: usize = 5;
    pub const FORMED_BY: usize = 6;
    pub const FOUNDED: usize = 7;
    pub const TERM_NUMBER: usize = 8;
    pub const TERM_START: usize = 9;
    pub const TERM_END: usize = 10;
    pub const COMMITTEE: usize = 11;
    pub const SECRETARY: usize = 12;
    pub const PHONE: usize = 13;
    pub const ADDRESS: usize = 14;
    pub const FUNDS: usize = 15;
    pub const FACILITY0: usize = 16;
}

/// The header of the column error workbooks add; ignored on import.
pub(crate) const REASON_HEADER: &str = "错误原因";

/// The standard member headers, in the order exports write them.
pub fn member_headers() -> Vec<&'static str> {
    MEMBER.iter().map(|c| c.name).collect()
}

/// The standard organization headers, in the order exports write them.
pub fn org_headers() -> Vec<&'static str> {
    ORG.iter().map(|c| c.name).collect()
}

/// How a header is compared: normalised (full-width folded), without spaces or required-field
/// stars, so `公民身份号码`, ` 公民 身份号码 ` and `*公民身份号码` match.
pub(crate) fn header_key(s: &str) -> String {
    normalize_text(s).chars().filter(|c| !c.is_whitespace() && *c != '*').collect()
}

fn find(defs: &[ColDef], key: &str) -> Option<usize> {
    defs.iter().position(|d| header_key(d.name) == key || d.aliases.iter().any(|a| header_key(a) == key))
}

fn defs(kind: ImportKind) -> &'static [ColDef] {
    match kind {
        ImportKind::Members => MEMBER,
        ImportKind::Orgs => ORG,
    }
}

/// What a header row says the file holds: members when a 公民身份号码 column (or an alias) is
/// present, organizations when a 组织名称 column is; `None` otherwise.
pub fn detect_kind<S: AsRef<str>>(headers: &[S]) -> Option<ImportKind> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h.as_ref())).collect();
    if keys.iter().any(|k| find(MEMBER, k) == Some(m::ID)) {
        Some(ImportKind::Members)
    } else if keys.iter().any(|k| find(ORG, k) == Some(o::NAME)) {
        Some(ImportKind::Orgs)
    } else {
        None
    }
}

/// A file's header row mapped onto the columns of its kind.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub kind: ImportKind,
    /// The headers as written in the file (trimmed), one per file column.
    pub headers: Vec<String>,
    /// For each standard column, the file column holding it.
    pub idx: Vec<Option<usize>>,
    /// The row number of the header row.
    pub header_row: u64,
}

static EMPTY: Cell = Cell::Empty;

impl Layout {
    /// Map a header row. Fails when a column appears twice (under two aliases, say).
    pub(crate) fn new(kind: ImportKind, header_cells: &[Cell], header_row: u64) -> Result<Layout, String> {
        let defs = defs(kind);
        let headers: Vec<String> = header_cells.iter().map(|c| c.raw_text().trim().to_string()).collect();
        let mut idx = vec![None; defs.len()];
        for (i, h) in headers.iter().enumerate() {
            let key = header_key(h);
            if key.is_empty() || key == REASON_HEADER {
                continue;
            }
            if let Some(f) = find(defs, &key) {
                if let Some(prev) = idx[f] {
                    return Err(format!(
                        "第 {header_row} 行的表头中“{}”和“{}”是同一列（{}），请删除其中一列",
                        headers[prev], h, defs[f].name
                    ));
                }
                idx[f] = Some(i);
            }
        }
        Ok(Layout { kind, headers, idx, header_row })
    }

    /// The cell of a standard column in a row (empty when the file has no such column).
    pub(crate) fn cell<'a>(&self, row: &'a [Cell], field: usize) -> &'a Cell {
        self.idx[field].and_then(|i| row.get(i)).unwrap_or(&EMPTY)
    }

    /// Are all the recognised columns of this row blank? (Templates often number rows in advance
    /// in a 序号 column; such rows are not data.)
    pub(crate) fn is_blank(&self, row: &[Cell]) -> bool {
        self.idx.iter().flatten().all(|&i| row.get(i).is_none_or(Cell::is_blank))
    }

    pub(crate) fn has(&self, field: usize) -> bool {
        self.idx[field].is_some()
    }

    /// The column's header as the user wrote it, or the standard header if the file lacks it.
    pub(crate) fn col_name(&self, field: usize) -> String {
        match self.idx[field] {
            Some(i) => self.headers[i].clone(),
            None => defs(self.kind)[field].name.to_string(),
        }
    }

    /// The column a validation label (a [`domain::FieldError`]'s field) refers to.
    pub(crate) fn col_for_label(&self, label: &str) -> String {
        match find(defs(self.kind), &header_key(label)) {
            Some(f) => self.col_name(f),
            None => label.to_string(),
        }
    }

    /// Is this file column the 错误原因 column of an error workbook?
    pub(crate) fn is_reason_col(&self, i: usize) -> bool {
        self.headers.get(i).is_some_and(|h| header_key(h) == REASON_HEADER)
    }
}

/// The facility column of a kind.
pub(crate) fn facility_field(kind: FacilityKind) -> usize {
    o::FACILITY0 + FacilityKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// Find the header row among the first rows of a sheet: the first row that names the key column
/// of `want` (or of either kind).
pub(crate) fn find_header(rows: &[(u64, Vec<Cell>)], want: Option<ImportKind>) -> Option<(usize, ImportKind)> {
    rows.iter().enumerate().find_map(|(i, (_, cells))| {
        let texts: Vec<String> = cells.iter().map(|c| c.raw_text().into_owned()).collect();
        match (detect_kind(&texts), want) {
            (Some(k), None) => Some((i, k)),
            (Some(k), Some(w)) if k == w => Some((i, k)),
            // a member file may also carry an organization-name column; the wanted kind decides
            (Some(ImportKind::Members), Some(ImportKind::Orgs)) => {
                texts.iter().any(|t| find(ORG, &header_key(t)) == Some(o::NAME)).then_some((i, ImportKind::Orgs))
            }
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_maps_to_its_column() {
        for (i, d) in MEMBER.iter().enumerate() {
            assert_eq!(find(MEMBER, &header_key(d.name)), Some(i));
            for a in d.aliases {
                assert_eq!(find(MEMBER, &header_key(a)), Some(i), "{a}");
            }
        }
        for (i, d) in ORG.iter().enumerate() {
            assert_eq!(find(ORG, &header_key(d.name)), Some(i));
            for a in d.aliases {
                assert_eq!(find(ORG, &header_key(a)), Some(i), "{a}");
            }
        }
        assert_eq!(ORG.len(), o::FACILITY0 + FacilityKind::ALL.len());
        for k in FacilityKind::ALL {
            assert_eq!(ORG[facility_field(*k)].name, k.label());
        }
        assert_eq!(find(ORG, &header_key("年度运转经费（元）")), Some(o::FUNDS));
    }

    #[test]
    fn detects_kind_and_ignores_spacing() {
        assert_eq!(detect_kind(&["姓名", " 身份证号 "]), Some(ImportKind::Members));
        assert_eq!(detect_kind(&["*公民 身份号码"]), Some(ImportKind::Members));
        assert_eq!(detect_kind(&["组织名称", "上级党组织"]), Some(ImportKind::Orgs));
        assert_eq!(detect_kind(&["名称"]), None);
    }

    #[test]
    fn duplicate_columns_are_refused() {
        let cells: Vec<Cell> = ["身份证号", "公民身份号码"].iter().map(|s| Cell::Text(s.to_string())).collect();
        let e = Layout::new(ImportKind::Members, &cells, 1).unwrap_err();
        assert!(e.contains("同一列"), "{e}");
    }
}
