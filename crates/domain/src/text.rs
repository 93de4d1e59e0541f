//! Free text entered by users: one place for how it is cleaned and how long it may be. Text is
//! folded as [`crate::member::normalize_text`] does (full-width forms, runs of white space);
//! control characters (NUL and the like, which no keyboard types but a script or a pasted file
//! can carry into the database and every export) are refused with a message naming the field,
//! and so is text longer than its field allows.

use crate::FieldErrors;

/// The most characters of each free-text field (Chinese characters count one each).
pub mod max {
    pub const ORG_NAME: usize = 100;
    pub const ORG_SHORT_NAME: usize = 50;
    pub const PERSON_NAME: usize = 50;
    pub const ADDRESS: usize = 200;
    pub const UNIT: usize = 100;
    pub const PHONE: usize = 20;
}

/// Does `s` hold a control character that cleaning does not fold into a space?
pub fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}

/// Check raw input for control characters, naming `field`.
pub fn check_controls(s: &str, field: &'static str, errs: &mut FieldErrors) {
    if has_control(s) {
        errs.push(field, "含有不可见的控制字符，请删除后重新输入（可能来自复制粘贴）");
    }
}

/// An optional text field: cleaned, empty as `None`, refused when it holds control characters or
/// is longer than `max` characters.
pub fn optional(s: &Option<String>, field: &'static str, max: usize, errs: &mut FieldErrors) -> Option<String> {
    let raw = s.as_deref()?;
    check_controls(raw, field, errs);
    let v = crate::member::normalize_text(raw);
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        errs.push(field, format!("不能超过 {max} 个字"));
    }
    Some(v)
}

/// A required text field: cleaned, refused when empty, when it holds control characters or when
/// it is longer than `max` characters.
pub fn required(s: &str, field: &'static str, max: usize, errs: &mut FieldErrors) -> String {
    check_controls(s, field, errs);
    let v = crate::member::normalize_text(s);
    if v.is_empty() {
        errs.push(field, "不能为空");
    } else if v.chars().count() > max {
        errs.push(field, format!("不能超过 {max} 个字"));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_overlong_text_are_refused_naming_the_field() {
        let mut e = FieldErrors::default();
        assert_eq!(optional(&Some("中共\u{0}甲镇".into()), "简称", 50, &mut e).as_deref(), Some("中共\u{0}甲镇"));
        assert_eq!(e.0[0].field, "简称");
        assert!(e.0[0].message.contains("控制字符"));
        let mut e = FieldErrors::default();
        optional(&Some("长".repeat(1_000_000)), "地址", max::ADDRESS, &mut e);
        assert_eq!(e.0[0].field, "地址");
        assert!(e.0[0].message.contains("不能超过 200 个字"), "{}", e.0[0].message);
        let mut e = FieldErrors::default();
        assert_eq!(optional(&Some(" 王\t斌\n".into()), "书记", 50, &mut e).as_deref(), Some("王 斌"));
        assert_eq!(optional(&Some("  ".into()), "书记", 50, &mut e), None);
        assert!(e.0.is_empty());
        assert_eq!(required("", "组织名称", 100, &mut e), "");
        assert_eq!(e.0[0].message, "不能为空");
    }
}
