//! 公民身份号码 (GB 11643-1999), RULES ID-01 … ID-06.

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A checked 18-character ID number with what it encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    pub number: String,
    pub birth: NaiveDate,
    pub sex: Sex,
    pub region: String,
}

/// ID-02: the check character for the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let s: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| (b - b'0') as u32 * w).sum();
    Some(CHECK[(s % 11) as usize] as char)
}

/// Build a valid number from its parts (used by the demo generator and tests).
pub fn compose(region: &str, birth: NaiveDate, seq: u32) -> String {
    let first17 = format!("{region}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    let c = check_char(&first17).expect("17 digits");
    format!("{first17}{c}")
}

/// Validate an ID number as typed: full-width characters and whitespace are normalised, a
/// lower-case `x` is accepted and upper-cased, a legacy 15-digit number is converted (ID-06).
/// `today` bounds the birth date (ID-04). Errors are Chinese messages (without the field name).
pub fn parse(raw: &str, today: NaiveDate) -> Result<IdNumber, String> {
    let s: String = crate::member::normalize_text(raw).chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.to_ascii_uppercase();
    let s = if s.len() == 15 && s.bytes().all(|b| b.is_ascii_digit()) {
        // ID-06: insert "19" before the year and append the computed check digit.
        let first17 = format!("{}19{}", &s[..6], &s[6..]);
        let c = check_char(&first17).ok_or("号码格式不正确")?;
        format!("{first17}{c}")
    } else {
        s
    };
    if s.len() != 18 {
        return Err(format!("应为 18 位（现为 {} 位）", s.chars().count()));
    }
    let (first17, last) = s.split_at(17);
    if !first17.bytes().all(|b| b.is_ascii_digit()) {
        return Err("前 17 位应全为数字".into());
    }
    if !(last.bytes().all(|b| b.is_ascii_digit()) || last == "X") {
        return Err("最后一位应为数字或 X".into());
    }
    // ID-05: structure and province prefix only.
    if !crate::region::province_exists(&s[..2]) {
        return Err(format!("前两位“{}”不是有效的省级行政区划代码", &s[..2]));
    }
    let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d")
        .map_err(|_| format!("出生日期码“{}”不是真实存在的日期", &s[6..14]))?;
    if birth > today {
        return Err("出生日期码晚于今天".into());
    }
    if birth < NaiveDate::from_ymd_opt(1890, 1, 1).expect("const") {
        return Err("出生日期码早于 1890 年".into());
    }
    let want = check_char(first17).expect("17 digits");
    if !last.starts_with(want) {
        return Err("校验码不正确，请核对号码".into());
    }
    let sex = if (s.as_bytes()[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female };
    Ok(IdNumber { region: s[..6].to_string(), birth, sex, number: s })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    /// ID-02: the standard's sample number and the two other verified examples.
    #[test]
    fn check_digit_id_02() {
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(check_char("11010120231101217"), Some('6'));
        assert_eq!(check_char("44052418800101001"), Some('4'));
        let id = parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.sex, Sex::Female); // ID-03: 顺序码 002 is even
        assert!(parse("110101202311012171", today()).unwrap_err().contains("校验码"));
    }

    #[test]
    fn normalises_input() {
        assert_eq!(parse("11010519491231002x", today()).unwrap().number, "11010519491231002X");
        assert_eq!(parse(" １１０１０５１９４９１２３１００２Ｘ ", today()).unwrap().number, "11010519491231002X");
        assert_eq!(parse("110105 1949 1231 002X", today()).unwrap().number, "11010519491231002X");
    }

    /// ID-06: 15-digit legacy numbers are converted.
    #[test]
    fn legacy_15_digit_id_06() {
        let id = parse("110105491231002", today()).unwrap();
        assert_eq!(id.number, "11010519491231002X");
    }

    /// ID-01, ID-04, ID-05.
    #[test]
    fn structure_errors() {
        assert!(parse("1101051949123100", today()).unwrap_err().contains("18 位"));
        assert!(parse("11010519491331002X", today()).unwrap_err().contains("出生日期"));
        assert!(parse(&compose("990101", NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(), 11), today())
            .unwrap_err()
            .contains("省级"));
        let future = compose("110105", NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(), 11);
        assert!(parse(&future, today()).unwrap_err().contains("晚于今天"));
        // a withdrawn county code inside a valid province is accepted (ID-05)
        let old = compose("110103", NaiveDate::from_ymd_opt(1970, 5, 5).unwrap(), 21);
        assert!(parse(&old, today()).is_ok());
    }

    #[test]
    fn compose_is_valid() {
        let n = compose("520328", NaiveDate::from_ymd_opt(1985, 7, 9).unwrap(), 123);
        let id = parse(&n, today()).unwrap();
        assert_eq!(id.sex, Sex::Male);
        assert_eq!(id.region, "520328");
    }
}
