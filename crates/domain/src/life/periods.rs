//! Periods.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Month => "每月",
            PeriodKind::Quarter => "每季度",
            PeriodKind::Year => "每年",
        }
    }
}

/// One calendar period (RULES: periods are calendar months, quarters and years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];

impl Period {
    /// The period of `kind` that contains `d`.
    pub fn containing(kind: PeriodKind, d: NaiveDate) -> Period {
        let (y, m) = (d.year(), d.month());
        let (m0, months) = match kind {
            PeriodKind::Month => (m, 1),
            PeriodKind::Quarter => ((m - 1) / 3 * 3 + 1, 3),
            PeriodKind::Year => (1, 12),
        };
        let start = NaiveDate::from_ymd_opt(y, m0, 1).expect("valid month start");
        let end = crate::dates::add_months(start, months).pred_opt().expect("a day before");
        Period { kind, start, end }
    }
    /// Every period of `kind` that overlaps `[from, to]`.
    pub fn covering(kind: PeriodKind, from: NaiveDate, to: NaiveDate) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = Period::containing(kind, from);
        while p.start <= to {
            out.push(p);
            p = Period::containing(kind, p.end.succ_opt().expect("a next day"));
        }
        out
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
    /// `2026-03`, `2026-Q1`, `2026`.
    pub fn key(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}-{:02}", self.start.year(), self.start.month()),
            PeriodKind::Quarter => format!("{}-Q{}", self.start.year(), (self.start.month() - 1) / 3 + 1),
            PeriodKind::Year => format!("{}", self.start.year()),
        }
    }
    /// `2026年3月`, `2026年第一季度`, `2026年`.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.start.year(), self.start.month()),
            PeriodKind::Quarter => {
                format!("{}年第{}季度", self.start.year(), QUARTERS[((self.start.month() - 1) / 3) as usize])
            }
            PeriodKind::Year => format!("{}年", self.start.year()),
        }
    }
    /// Parse a key made by [`Period::key`].
    pub fn parse_key(s: &str) -> Option<Period> {
        let s = s.trim();
        if let Some((y, q)) = s.split_once("-Q") {
            let (y, q): (i32, u32) = (y.parse().ok()?, q.parse().ok()?);
            if !(1..=4).contains(&q) {
                return None;
            }
            return Some(Period::containing(PeriodKind::Quarter, NaiveDate::from_ymd_opt(y, q * 3 - 2, 1)?));
        }
        if let Some((y, m)) = s.split_once('-') {
            let d = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
            return Some(Period::containing(PeriodKind::Month, d));
        }
        let y: i32 = s.parse().ok()?;
        Some(Period::containing(PeriodKind::Year, NaiveDate::from_ymd_opt(y, 1, 1)?))
    }
}

// ---------------------------------------------------------------------------------------------
// The window of a compliance view or roll-up
//
// A window counts the periods that *end* inside it: monthly types have 3 periods a quarter,
// quarterly types 1, and yearly types count in the fourth quarter only (their period ends on
// 31 December). A period counts as 应召开 once it is over or already met (the engine's `due`),
// and as 已召开 when met; a running period not yet met is not counted either way.

/// The years a compliance view may be asked for: from 2000 to the year after `today`'s.
pub fn window_years(today: NaiveDate) -> std::ops::RangeInclusive<i32> {
    2000..=today.year() + 1
}

/// A year, or one quarter of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub year: i32,
    /// 1–4, or `None` for the whole year.
    pub quarter: Option<u32>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    /// The window of `year` (1900–2999), or of one of its quarters.
    pub fn new(year: i32, quarter: Option<u32>) -> Option<Window> {
        if !(1900..=2999).contains(&year) || quarter.is_some_and(|q| !(1..=4).contains(&q)) {
            return None;
        }
        let (m0, m1) = quarter.map_or((1, 12), |q| (q * 3 - 2, q * 3));
        let from = NaiveDate::from_ymd_opt(year, m0, 1)?;
        let to = crate::dates::add_months(NaiveDate::from_ymd_opt(year, m1, 1)?, 1).pred_opt()?;
        Some(Window { year, quarter, from, to })
    }

    /// The whole year the window lies in: what to evaluate, so that quarterly and yearly periods
    /// are judged on all their records.
    pub fn year_range(&self) -> (NaiveDate, NaiveDate) {
        (
            NaiveDate::from_ymd_opt(self.year, 1, 1).expect("valid"),
            NaiveDate::from_ymd_opt(self.year, 12, 31).expect("valid"),
        )
    }

    /// `2026年` or `2026年第三季度`.
    pub fn label(&self) -> String {
        match self.quarter {
            None => format!("{}年", self.year),
            Some(q) => format!("{}年第{}季度", self.year, QUARTERS[(q - 1) as usize]),
        }
    }

    /// Does a period count in this window (it ends inside it)?
    pub fn holds(&self, p: &Period) -> bool {
        self.from <= p.end && p.end <= self.to
    }

    /// Does a finding belong to this window? Findings of a period by the period's end; the
    /// others (silent organizations, missing divisions) describe the present and always do.
    pub fn holds_finding(&self, period_key: Option<&str>) -> bool {
        match period_key.and_then(Period::parse_key) {
            Some(p) => self.holds(&p),
            None => true,
        }
    }

    /// How a type line stands in the window: (periods in the window, due, met).
    pub fn tally(&self, line: &TypeLine) -> (i64, i64, i64) {
        let mut t = (0, 0, 0);
        for c in line.cells.iter().filter(|c| self.holds(&c.period)) {
            t.0 += 1;
            if matches!(c.state, CellState::Met | CellState::Missing) {
                t.1 += 1;
            }
            if c.state == CellState::Met {
                t.2 += 1;
            }
        }
        t
    }

    /// An organization's due and met periods in the window, over all its types.
    pub fn totals(&self, r: &OrgCompliance) -> (i64, i64) {
        r.lines.iter().map(|l| self.tally(l)).fold((0, 0), |a, t| (a.0 + t.1, a.1 + t.2))
    }
}

impl Window {
    /// The window asked for as text (an empty year is `today`'s, an empty quarter the whole year),
    /// each problem named by its field: (year problem, quarter problem).
    pub fn parse(year: &str, quarter: &str, today: NaiveDate) -> Result<Window, (Option<String>, Option<String>)> {
        let years = window_years(today);
        let y = match year.trim() {
            "" => Ok(today.year()),
            v => match v.parse::<i32>() {
                Ok(y) if years.contains(&y) => Ok(y),
                _ => Err(format!("“{v}”无效，应为 {} 到 {} 之间的年份", years.start(), years.end())),
            },
        };
        let q = match quarter.trim() {
            "" => Ok(None),
            v => match v.parse::<u32>() {
                Ok(n) if (1..=4).contains(&n) => Ok(Some(n)),
                _ => Err(format!("“{v}”无效，应为 1 到 4")),
            },
        };
        match (y, q) {
            (Ok(y), Ok(q)) => Window::new(y, q).ok_or((None, None)),
            (y, q) => Err((y.err(), q.err())),
        }
    }

    /// The window asked for, or the whole of `today`'s year when the request does not name a
    /// valid one (the pages' choice: they show the default rather than an error).
    pub fn parse_or_this_year(year: &str, quarter: &str, today: NaiveDate) -> Window {
        Window::parse(year, quarter, today)
            .or_else(|_| Window::parse(year, "", today))
            .or_else(|_| Window::parse("", quarter, today))
            .unwrap_or_else(|_| Window::new(today.year(), None).expect("this year"))
    }
}
