//! 支部联系人: for each branch a member of the superior committee as its contact, with dates
//! (one current contact per branch; a contact takes one or two branches, CONTACT-01), who joins the
//! branch's important activities (CONTACT-03/04). Attendance per contact and period is computed
//! from the branch's meeting records (CONTACT-07): the meetings of the counted types held ÷ those
//! the contact attended — named among the record's 列席人员, or present on its roll.
//!
//! The numbers (branches per contact, visits a year, the counted types) are dated versions
//! shipped in `data/rules/contact_person.csv` ([`params`]).

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dates::parse_date;
use crate::text;
use crate::FieldErrors;

const CSV: &str = include_str!("../../../data/rules/contact_person.csv");

/// One version of one number (or, for `counted_types`, a list).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub rule_id: String,
    pub param: String,
    pub value: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    pub confidence: String,
}

/// The numbers in force on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Params {
    /// CONTACT-01: the most branches one contact takes at a time.
    pub max_branches: i64,
    /// CONTACT-02: attended activities a year, at least.
    pub min_visits_year: i64,
    /// CONTACT-07: the organization-life type codes counted.
    pub counted_types: Vec<String>,
}

pub fn parse_params(data: &str) -> Result<Vec<Param>, String> {
    let mut out = Vec::new();
    let lines = data.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()).skip(1);
    for (n, line) in lines {
        let f: Vec<&str> = line.split(',').collect();
        let at = |m: &str| format!("第 {} 行：{m}", n + 1);
        if f.len() != 8 {
            return Err(at("应有 8 列"));
        }
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| at(&e.to_string()));
        if f[1] != "counted_types" && f[2].parse::<i64>().is_err() {
            return Err(at("value 应为整数"));
        }
        out.push(Param {
            rule_id: f[0].into(),
            param: f[1].into(),
            value: f[2].into(),
            valid_from: date(f[3])?,
            valid_to: if f[4].is_empty() { None } else { Some(date(f[4])?) },
            source: f[5].into(),
            confidence: f[7].into(),
        });
    }
    Ok(out)
}

pub fn shipped() -> &'static [Param] {
    static P: OnceLock<Vec<Param>> = OnceLock::new();
    P.get_or_init(|| parse_params(CSV).expect("data/rules/contact_person.csv"))
}

/// The numbers in force on `on`.
pub fn params(on: NaiveDate) -> Params {
    let rows = shipped();
    let pick = |name: &str| {
        rows.iter()
            .filter(|r| r.param == name && r.valid_from <= on && r.valid_to.is_none_or(|t| on < t))
            .max_by_key(|r| r.valid_from)
            .or_else(|| rows.iter().find(|r| r.param == name))
            .map(|r| r.value.clone())
            .unwrap_or_default()
    };
    Params {
        max_branches: pick("max_branches").parse().unwrap_or(2),
        min_visits_year: pick("min_visits_year").parse().unwrap_or(4),
        counted_types: pick("counted_types").split('|').filter(|s| !s.is_empty()).map(str::to_string).collect(),
    }
}

/// An assignment as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AssignInput {
    /// The branch.
    pub org_id: String,
    /// The contact (a member).
    pub member_id: String,
    pub from: String,
    #[serde(default)]
    pub note: String,
}

/// A checked assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidAssign {
    pub org_id: i64,
    pub member_id: i64,
    pub from: NaiveDate,
    pub note: String,
}

impl AssignInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidAssign, FieldErrors> {
        let mut e = FieldErrors::default();
        let org_id = match self.org_id.trim() {
            "" => {
                e.push("党支部", "请选择党支部");
                None
            }
            s => s.parse::<i64>().map_err(|_| e.push("党支部", "请选择党支部")).ok(),
        };
        let member_id = match self.member_id.trim() {
            "" => {
                e.push("联系人", "请填写联系人（上级党组织班子成员）的党员编号");
                None
            }
            s => s.parse::<i64>().map_err(|_| e.push("联系人", format!("“{s}”不是党员编号"))).ok(),
        };
        let from = if self.from.trim().is_empty() {
            Some(today)
        } else {
            parse_date(self.from.trim()).map_err(|m| e.push("起始日期", m)).ok()
        };
        if let Some(f) = from.filter(|f| *f > today) {
            e.push("起始日期", format!("{f} 晚于今天"));
        }
        let note = text::optional(&Some(self.note.clone()), "备注", 200, &mut e).unwrap_or_default();
        e.into_result(())?;
        Ok(ValidAssign {
            org_id: org_id.expect("checked"),
            member_id: member_id.expect("checked"),
            from: from.expect("checked"),
            note,
        })
    }
}

/// Is `name` among the 列席人员 written on a record (names separated by 、，,；; or spaces, a
/// title in brackets after a name allowed: `王某（县委组织部）`)?
pub fn observer_named(observers: &str, name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    observers
        .split(['、', '，', ',', '；', ';', ' ', '\u{3000}', '\n'])
        .map(|t| t.split(['（', '(']).next().unwrap_or("").trim())
        .any(|t| t == name)
}

/// CONTACT-07: attended ÷ held in thousandths, rounded half up; `None` when nothing was held.
pub fn rate_permille(attended: i64, held: i64) -> Option<i32> {
    (held > 0).then(|| ((attended * 2000 + held) / (held * 2)) as i32)
}

/// A rate as shown: `75.0%`, `—` for none.
pub fn rate_text(r: Option<i32>) -> String {
    r.map_or_else(|| "—".into(), |p| format!("{}.{}%", p / 10, p % 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_params() {
        let p = params(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!((p.max_branches, p.min_visits_year), (2, 4));
        assert_eq!(p.counted_types, vec!["branch_assembly", "life_meeting", "party_lecture", "theme_day"]);
    }

    // CONTACT-07: the rate of attended over held
    #[test]
    fn contact_07_rate() {
        assert_eq!(rate_permille(3, 4), Some(750));
        assert_eq!(rate_permille(1, 3), Some(333));
        assert_eq!(rate_permille(2, 3), Some(667));
        assert_eq!(rate_permille(0, 0), None);
        assert_eq!(rate_text(Some(667)), "66.7%");
    }

    #[test]
    fn observers_matched_by_name() {
        assert!(observer_named("李四（镇党委委员）、王五", "李四"));
        assert!(observer_named("王五, 李四", "李四"));
        assert!(!observer_named("李四光", "李四"));
        assert!(!observer_named("", "李四"));
    }

    #[test]
    fn assignment_fields_named() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let e = AssignInput::default().validate(today).unwrap_err();
        assert!(e.has("党支部") && e.has("联系人"));
        let e =
            AssignInput { org_id: "1".into(), member_id: "2".into(), from: "2027-01-01".into(), note: String::new() }
                .validate(today)
                .unwrap_err();
        assert!(e.has("起始日期"));
    }
}
