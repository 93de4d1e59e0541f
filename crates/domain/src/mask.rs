//! Masking of personal data for display (ID numbers and phones are masked by default).

/// `110105********002X`: the region code and the last four characters stay.
pub fn id_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// `138****5678` for mobiles; a landline keeps its area code and last four digits.
pub fn phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let keep_head = if chars.len() == 11 && chars[0] == '1' {
        3
    } else {
        chars.iter().position(|c| *c == '-').map(|p| p + 1).unwrap_or(3)
    };
    let head: String = chars[..keep_head].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len().saturating_sub(keep_head + 4)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::id_number("11010519491231002X"), "110105********002X");
        assert_eq!(super::phone("13812345678"), "138****5678");
        assert_eq!(super::phone("0851-28221234"), "0851-****1234");
        assert_eq!(super::phone("123"), "***");
    }
}
