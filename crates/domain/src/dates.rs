//! Date parsing and arithmetic (RULES 0.3 DATE-01, DATE-02).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone};

/// The product's time zone: China Standard Time, UTC+8 all year.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A moment as shown to the second in China time, `2026-12-07 14:03:05`, whatever zone it was
/// written in.
pub fn china_time<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    t.with_timezone(&china()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A moment written as RFC 3339 text (`2026-12-07T06:03:05.123456789Z`,
/// `2026-12-07T14:03:05.123456+08:00`) as [`china_time`] shows it; `None` for other text.
pub fn china_time_of(text: &str) -> Option<String> {
    if !text.contains('T') {
        return None;
    }
    DateTime::parse_from_rfc3339(text).ok().map(|t| china_time(&t))
}

/// DATE-01: calendar-month addition, clamping to the end of a shorter month.
/// A date shown as `YYYY-MM-DD`, written digit by digit (chrono's `Display` goes through its
/// general formatter, which a roster page called a hundred times).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ymd(pub NaiveDate);

impl std::fmt::Display for Ymd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::Datelike;
        let y = self.0.year();
        if !(0..=9999).contains(&y) {
            return write!(f, "{}", self.0);
        }
        let (m, d) = (self.0.month(), self.0.day());
        let b = [
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (d / 10) as u8,
            b'0' + (d % 10) as u8,
        ];
        f.write_str(std::str::from_utf8(&b).map_err(|_| std::fmt::Error)?)
    }
}

pub fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months;
    let (y, m0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let last = last_day_of_month(y, m0 + 1);
    NaiveDate::from_ymd_opt(y, m0 + 1, d.day().min(last)).expect("valid clamped date")
}

/// DATE-02: the same calendar date N years later (02-29 becomes 02-28).
pub fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    add_months(d, years * 12)
}

pub fn last_day_of_month(y: i32, m: u32) -> u32 {
    let first_next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
    (first_next.expect("valid") - Duration::days(1)).day()
}

/// Whole years of age on `on` for someone born on `birth`.
/// Consistent with [`add_years`] (DATE-02): someone born on 02-29 turns N on 02-28 of a common year.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if add_years(birth, age) > on {
        age -= 1;
    }
    age
}

/// Parse a date as users type it or Excel writes it: `2012-10-13`, `2012/10/13`, `2012.10.13`,
/// `2012年10月13日`, `20121013`, or an Excel serial number (1900 date system, e.g. `41195`).
/// Full-width digits are accepted. Returns a Chinese message on failure.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let s: String = crate::member::normalize_text(raw);
    if s.is_empty() {
        return Err("不能为空".into());
    }
    // Excel serial number (possibly with a fractional time part).
    let yyyymmdd = s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit());
    if let Ok(f) = s.parse::<f64>() {
        if !yyyymmdd && (1.0..2_958_466.0).contains(&f) {
            return excel_serial(f).ok_or_else(|| format!("“{s}”不是有效的 Excel 日期序号"));
        }
    }
    let t = s.trim_end_matches('日').replace(['年', '月', '/', '.'], "-");
    // Drop a time part such as "2012-10-13 00:00:00".
    let t = t.split([' ', 'T']).next().unwrap_or("").to_string();
    let parts: Vec<&str> = t.split('-').collect();
    let ymd = if parts.len() == 3 {
        let y = parts[0].parse::<i32>().ok();
        let m = parts[1].parse::<u32>().ok();
        let d = parts[2].parse::<u32>().ok();
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) if parts[0].len() == 4 => Some((y, m, d)),
            _ => None,
        }
    } else if parts.len() == 1 && t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        Some((t[0..4].parse().unwrap_or(0), t[4..6].parse().unwrap_or(0), t[6..8].parse().unwrap_or(0)))
    } else {
        None
    };
    match ymd {
        Some((y, m, d)) => NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("“{s}”不是真实存在的日期")),
        None => Err(format!("“{s}”不是可识别的日期，请写成 2012-10-13 或 2012年10月13日")),
    }
}

/// Excel's 1900 date system: serial 1 = 1900-01-01, with the phantom 1900-02-29 (serial 60).
pub fn excel_serial(f: f64) -> Option<NaiveDate> {
    let days = f.floor() as i64;
    if days < 1 {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if days < 61 { days + 1 } else { days };
    base.checked_add_signed(Duration::days(days))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ymd_matches_chrono() {
        for (y, m, d) in [(2026, 11, 21), (1, 1, 1), (999, 12, 31), (1949, 10, 1), (9999, 1, 9)] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(super::Ymd(date).to_string(), date.to_string());
        }
        let far = chrono::NaiveDate::from_ymd_opt(-5, 3, 4).unwrap();
        assert_eq!(super::Ymd(far).to_string(), far.to_string());
    }

    #[test]
    fn moments_show_in_china_time_to_the_second() {
        assert_eq!(super::china_time_of("2026-12-07T06:03:05.123456789Z").as_deref(), Some("2026-12-07 14:03:05"));
        assert_eq!(super::china_time_of("2026-12-07T14:03:05.123456+08:00").as_deref(), Some("2026-12-07 14:03:05"));
        assert_eq!(super::china_time_of("2026-12-31T20:00:00Z").as_deref(), Some("2027-01-01 04:00:00"));
        assert_eq!(super::china_time_of("2026-12-07"), None);
        assert_eq!(super::china_time_of("Tuesday"), None);
    }

    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// DATE-01: 01-31 + 1 month = 02-28/29.
    #[test]
    fn month_addition_clamps_date_01() {
        assert_eq!(add_months(d(2023, 1, 31), 1), d(2023, 2, 28));
        assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months(d(2024, 11, 30), 3), d(2025, 2, 28));
        assert_eq!(add_months(d(2024, 3, 31), -1), d(2024, 2, 29));
    }

    /// DATE-02: 02-29 plus one year is 02-28, and ages agree with it.
    #[test]
    fn year_addition_date_02() {
        assert_eq!(age_on(d(1976, 2, 29), d(1994, 2, 28)), 18);
        assert_eq!(age_on(d(1976, 2, 29), d(1994, 2, 27)), 17);
        assert_eq!(age_on(d(1976, 2, 29), d(1996, 2, 29)), 20);
        assert_eq!(age_on(d(1980, 6, 15), d(1998, 6, 14)), 17);
        assert_eq!(add_years(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(add_years(d(2012, 10, 13), 1), d(2013, 10, 13));
    }

    #[test]
    fn parses_every_accepted_form() {
        let want = d(2012, 10, 13);
        for s in [
            "2012-10-13",
            "2012/10/13",
            "2012.10.13",
            "2012年10月13日",
            "20121013",
            "41195",
            " ２０１２-10-13 ",
            "2012-10-13 00:00:00",
            "2012/10/13 0:00",
        ] {
            assert_eq!(parse_date(s), Ok(want), "{s}");
        }
        assert_eq!(parse_date("2012-2-3"), Ok(d(2012, 2, 3)));
        assert!(parse_date("2012-02-30").unwrap_err().contains("不是真实存在的日期"));
        assert!(parse_date("去年").is_err());
        assert!(parse_date("").is_err());
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial(59.0), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial(61.0), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial(45000.5), Some(d(2023, 3, 15)));
        // a serial with a time fraction may be eight characters long: not YYYYMMDD
        assert_eq!(parse_date("41195.25"), Ok(d(2012, 10, 13)));
    }

    proptest! {
        #[test]
        fn add_months_never_panics_and_inverts_on_early_days(y in 1900i32..2100, m in 1u32..=12, day in 1u32..=28, k in -240i32..240) {
            let a = d(y, m, day);
            prop_assert_eq!(add_months(add_months(a, k), -k), a);
        }

        #[test]
        fn age_is_monotonic(y in 1930i32..2010, m in 1u32..=12, day in 1u32..=28, extra in 0i64..20000) {
            let b = d(y, m, day);
            let on = b + Duration::days(extra);
            prop_assert!(age_on(b, on) >= 0);
            prop_assert_eq!(age_on(b, add_years(b, 18)), 18);
            prop_assert_eq!(age_on(b, add_years(b, 18) - Duration::days(1)), 17);
        }
    }
}
