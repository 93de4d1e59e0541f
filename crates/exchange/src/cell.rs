//! One spreadsheet cell, as read (typed for `.xlsx`, text for CSV) or to be written, and the
//! conversions of a cell into field values, each failing with a Chinese reason.

use std::borrow::Cow;

use chrono::NaiveDate;
use domain::member::normalize_text;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Date(NaiveDate),
    Bool(bool),
}

/// Characters that make a spreadsheet treat a cell as a formula (or as a command in a CSV opened
/// by Excel): such cells are written with a leading `'`.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Would this text be neutralised on export? Leading quotes are looked through, so that a value
/// which itself starts with `'=` survives the round trip (it is written as `''=`).
fn needs_guard(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// Neutralise a text against formula injection: prefix a `'` when needed.
pub(crate) fn guard(s: &str) -> Cow<'_, str> {
    if needs_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Undo [`guard`]: exactly its inverse.
pub(crate) fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => s,
    }
}

/// A whole-valued float as an integer (no `.0`, no exponent); otherwise the shortest decimal form.
pub(crate) fn fmt_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// An Excel serial date (1900 date system), possibly with a time of day.
fn serial(f: f64) -> Result<NaiveDate, String> {
    if (1.0..2_958_466.0).contains(&f) {
        domain::dates::excel_serial(f).ok_or_else(|| format!("“{}”不是有效的 Excel 日期序号", fmt_float(f)))
    } else {
        Err(format!("“{}”不是可识别的日期，请写成 2012-10-13 或 2012年10月13日", fmt_float(f)))
    }
}

impl Cell {
    /// A text cell, or `Empty` for an empty string.
    pub(crate) fn text_or_empty(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    pub(crate) fn opt_text(s: Option<&str>) -> Cell {
        s.map(Cell::text_or_empty).unwrap_or(Cell::Empty)
    }

    pub(crate) fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map(Cell::Date).unwrap_or(Cell::Empty)
    }

    pub(crate) fn yes_no(b: bool) -> Cell {
        Cell::Text(if b { "是" } else { "否" }.into())
    }

    /// Is the cell empty or only whitespace?
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => normalize_text(s).is_empty(),
            _ => false,
        }
    }

    /// The text as written, without normalisation (for error workbooks and CSV output).
    pub(crate) fn raw_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Float(f) => Cow::Owned(fmt_float(*f)),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "是" } else { "否" }),
        }
    }

    /// Bytes of text the cell holds (what a row costs in memory beyond its fixed size).
    pub(crate) fn text_bytes(&self) -> usize {
        match self {
            Cell::Text(s) => s.len(),
            _ => 0,
        }
    }

    /// The value as text: a formula guard removed, normalised (full-width folded, whitespace
    /// collapsed), numbers without `.0` or exponent, dates as `YYYY-MM-DD`.
    pub(crate) fn text(&self) -> String {
        match self {
            Cell::Text(s) => normalize_text(unguard(s)),
            other => other.raw_text().into_owned(),
        }
    }

    /// The text, or `None` when blank.
    pub(crate) fn opt(&self) -> Option<String> {
        Some(self.text()).filter(|s| !s.is_empty())
    }

    /// A date in any accepted form: a date cell, an Excel serial number, or text
    /// (`2012-10-13`, `2012/10/13`, `2012.10.13`, `2012年10月13日`, `20121013`).
    pub(crate) fn date(&self) -> Result<Option<NaiveDate>, String> {
        match self {
            Cell::Date(d) => Ok(Some(*d)),
            Cell::Bool(_) => Err("应为日期，例如 2012-10-13".into()),
            // a serial with a time of day; as text, 8 characters like `41195.25` would be read as
            // `YYYYMMDD` by parse_date
            Cell::Float(f) => serial(*f).map(Some),
            other => match other.opt() {
                None => Ok(None),
                Some(s) if s.contains('.') && s.parse::<f64>().is_ok() => serial(s.parse().unwrap_or(0.0)).map(Some),
                Some(s) => domain::dates::parse_date(&s).map(Some),
            },
        }
    }

    /// 是/否: accepts 是 否 Y N 1 0 true false (any case) 对 错 √ ×, and blank as 否.
    pub(crate) fn boolean(&self) -> Result<bool, String> {
        match self {
            Cell::Bool(b) => Ok(*b),
            Cell::Int(1) => Ok(true),
            Cell::Int(0) => Ok(false),
            Cell::Float(f) if *f == 1.0 => Ok(true),
            Cell::Float(f) if *f == 0.0 => Ok(false),
            other => {
                let s = other.text().to_lowercase();
                match s.as_str() {
                    "" | "否" | "n" | "no" | "0" | "false" | "错" | "×" | "不是" | "无" => Ok(false),
                    "是" | "y" | "yes" | "1" | "true" | "对" | "√" => Ok(true),
                    _ => Err(format!("“{}”应为 是 或 否", other.text())),
                }
            }
        }
    }

    /// A whole number: `12000`, `12,000`, `12000.00` (and a number cell).
    pub(crate) fn integer(&self) -> Result<Option<i64>, String> {
        match self {
            Cell::Int(i) => Ok(Some(*i)),
            Cell::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => Ok(Some(*f as i64)),
            Cell::Float(f) => Err(format!("“{}”应为整数", fmt_float(*f))),
            Cell::Date(_) | Cell::Bool(_) => Err(format!("“{}”应为整数", self.raw_text())),
            other => {
                let Some(s) = other.opt() else { return Ok(None) };
                let t: String = s.chars().filter(|c| *c != ',' && *c != ' ' && *c != '，').collect();
                let t = match t.split_once('.') {
                    Some((int, frac)) if frac.bytes().all(|b| b == b'0') => int.to_string(),
                    _ => t,
                };
                t.parse::<i64>().map(Some).map_err(|_| format!("“{s}”应为整数"))
            }
        }
    }

    /// One of an enumeration's labels (or its code, or an alias).
    pub(crate) fn choice<T>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        labels: fn() -> String,
    ) -> Result<Option<T>, String> {
        let Some(s) = self.opt() else { return Ok(None) };
        match parse(&s) {
            Some(v) => Ok(Some(v)),
            None => Err(format!("“{s}”不是可识别的值，应为 {}", labels())),
        }
    }

    /// Is this a number cell (not text)?
    pub(crate) fn is_number(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Float(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_round_trips() {
        for s in [
            "=HYPERLINK(\"x\")",
            "@SUM(1)",
            "+1",
            "-1",
            "\tx",
            "\rx",
            "'=x",
            "''=x",
            "'abc",
            "abc",
            "0851-1234",
            "",
            "'",
        ] {
            let g = guard(s);
            assert_eq!(unguard(&g), s, "{s:?} -> {g:?}");
        }
        assert_eq!(guard("=1"), "'=1");
        assert_eq!(guard("'=1"), "''=1");
        assert_eq!(guard("'abc"), "'abc");
        assert_eq!(unguard("'abc"), "'abc");
    }

    #[test]
    fn numbers_become_plain_text() {
        assert_eq!(Cell::Float(13800138000.0).text(), "13800138000");
        assert_eq!(Cell::Float(520328.0).text(), "520328");
        assert_eq!(Cell::Float(1.5).text(), "1.5");
        assert_eq!(Cell::Float(1e20).text(), "100000000000000000000");
        assert_eq!(Cell::Int(7).text(), "7");
    }

    #[test]
    fn dates_from_every_cell_type() {
        let want = NaiveDate::from_ymd_opt(2012, 10, 13);
        for c in [
            Cell::Date(want.unwrap()),
            Cell::Int(41195),
            Cell::Float(41195.0),
            Cell::Float(41195.25),
            Cell::Text("2012-10-13".into()),
            Cell::Text("2012/10/13".into()),
            Cell::Text("2012.10.13".into()),
            Cell::Text("2012年10月13日".into()),
            Cell::Text("20121013".into()),
            Cell::Int(20121013),
            Cell::Text(" ２０１２-10-13 ".into()),
        ] {
            assert_eq!(c.date(), Ok(want), "{c:?}");
        }
        assert_eq!(Cell::Empty.date(), Ok(None));
        assert_eq!(Cell::Text("  ".into()).date(), Ok(None));
        assert!(Cell::Text("去年".into()).date().is_err());
    }

    #[test]
    fn booleans_and_integers() {
        for (c, b) in [
            ("是", true),
            ("否", false),
            ("Y", true),
            ("n", false),
            ("1", true),
            ("0", false),
            ("TRUE", true),
            ("false", false),
            ("", false),
        ] {
            assert_eq!(Cell::text_or_empty(c).boolean(), Ok(b), "{c}");
        }
        assert_eq!(Cell::Bool(true).boolean(), Ok(true));
        assert_eq!(Cell::Int(1).boolean(), Ok(true));
        assert!(Cell::Text("也许".into()).boolean().unwrap_err().contains("是 或 否"));
        assert_eq!(Cell::Text("12,000".into()).integer(), Ok(Some(12000)));
        assert_eq!(Cell::Text("12000.00".into()).integer(), Ok(Some(12000)));
        assert_eq!(Cell::Float(3.0).integer(), Ok(Some(3)));
        assert!(Cell::Float(3.5).integer().is_err());
        assert!(Cell::Text("三".into()).integer().is_err());
    }
}
