//! Masking of personal data for display (ID numbers and phones are masked by default).

/// `110105********002X`: the region code and the last four characters stay.
pub fn id_number(s: &str) -> String {
    let n = s.chars().count();
    if n < 10 {
        return "*".repeat(n);
    }
    // one allocation: a roster page masks fifty of these
    let mut out = String::with_capacity(s.len());
    out.extend(s.chars().take(6));
    out.extend(std::iter::repeat_n('*', n - 10));
    out.extend(s.chars().skip(n - 4));
    out
}

/// `138****5678` for mobiles; a landline keeps its area code and last four digits.
pub fn phone(s: &str) -> String {
    let n = s.chars().count();
    if n < 7 {
        return "*".repeat(n);
    }
    let keep_head =
        if n == 11 && s.starts_with('1') { 3 } else { s.chars().position(|c| c == '-').map(|p| p + 1).unwrap_or(3) };
    let mut out = String::with_capacity(s.len() + 4);
    out.extend(s.chars().take(keep_head));
    out.extend(std::iter::repeat_n('*', n.saturating_sub(keep_head + 4)));
    out.extend(s.chars().skip(n - 4));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::id_number("11010519491231002X"), "110105********002X");
        assert_eq!(super::phone("13812345678"), "138****5678");
        assert_eq!(super::phone("0851-28221234"), "0851-****1234");
        assert_eq!(super::phone("123"), "***");
        assert_eq!(super::phone("12345-678"), "12345--678");
        assert_eq!(super::id_number("123"), "***");
        assert_eq!(super::id_number("身份证号码一二三四五"), "身份证号码一二三四五");
    }
}
