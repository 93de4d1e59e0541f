//! 班子成员: the officers of an organization — 书记, 副书记, 委员 with their 分工 — as members with
//! dates. A term runs from `started_on` to `ended_on` (inclusive; open while the officer is in
//! post). Ending a term sets its end; a term is never deleted, so who held a post on any past date
//! stays known: the 党委（党组）书记's yearly 党课 (RULES.md LIFE-06) is judged against the
//! secretary of the lecture's date, and the same history serves the training coverage of
//! secretaries and the contact persons of an organization.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::FieldErrors;

/// The post an officer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficerRole {
    Secretary,
    Deputy,
    Member,
}

impl OfficerRole {
    pub const ALL: [OfficerRole; 3] = [OfficerRole::Secretary, OfficerRole::Deputy, OfficerRole::Member];
    pub fn code(self) -> &'static str {
        match self {
            OfficerRole::Secretary => "secretary",
            OfficerRole::Deputy => "deputy",
            OfficerRole::Member => "member",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            OfficerRole::Secretary => "书记",
            OfficerRole::Deputy => "副书记",
            OfficerRole::Member => "委员",
        }
    }
    /// A code or a label (书记, 副书记, 委员); `党委书记`/`支部书记` and the like read as 书记.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        if let Some(r) = Self::ALL.into_iter().find(|r| r.code() == t || r.label() == t) {
            return Some(r);
        }
        if t.ends_with("副书记") {
            Some(OfficerRole::Deputy)
        } else if t.ends_with("书记") {
            Some(OfficerRole::Secretary)
        } else if t.ends_with("委员") {
            Some(OfficerRole::Member)
        } else {
            None
        }
    }
}

/// The usual 分工 of committee members, offered as choices; any other short text is accepted.
pub const DUTIES: [&str; 8] =
    ["组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员", "保密委员", "武装委员", "妇女委员"];

/// A term as entered (text as typed, so a form can be shown again unchanged).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfficerInput {
    pub member_id: String,
    pub role: String,
    /// 分工, separated by `、`, `,` or spaces.
    pub duties: String,
    pub started_on: String,
    pub ended_on: String,
}

/// A term that passed the checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidOfficer {
    pub member_id: i64,
    pub role: OfficerRole,
    pub duties: Vec<String>,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

impl ValidOfficer {
    pub fn duties_text(&self) -> String {
        self.duties.join("、")
    }
}

/// Check a term as entered: who (a member record), which post, the 分工, the dates (the end, if
/// any, not before the start; neither after `today`).
pub fn validate(input: &OfficerInput, today: NaiveDate) -> Result<ValidOfficer, FieldErrors> {
    let mut errs = FieldErrors::default();
    let member_id = match input.member_id.trim() {
        "" => {
            errs.push("党员", "请选择担任职务的党员");
            0
        }
        t => t.parse::<i64>().ok().filter(|n| *n > 0).unwrap_or_else(|| {
            errs.push("党员", format!("“{t}”不是有效的党员编号"));
            0
        }),
    };
    let role = match input.role.trim() {
        "" => {
            errs.push("职务", "请选择职务：书记、副书记或委员");
            None
        }
        t => OfficerRole::parse(t).or_else(|| {
            errs.push("职务", format!("职务“{t}”无效，应为 书记、副书记 或 委员"));
            None
        }),
    };
    let duties = parse_duties(&input.duties);
    if duties.iter().any(|d| d.chars().count() > 20) {
        errs.push("分工", "每项分工不能超过 20 字");
    } else if duties.len() > 8 {
        errs.push("分工", "分工不能超过 8 项");
    }
    let date = |raw: &str, field: &'static str, errs: &mut FieldErrors| -> Option<NaiveDate> {
        if raw.trim().is_empty() {
            return None;
        }
        match crate::dates::parse_date(raw) {
            Ok(d) if d > today => {
                errs.push(field, format!("{d} 晚于今天"));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(field, e);
                None
            }
        }
    };
    let started_on = date(&input.started_on, "任职日期", &mut errs);
    if input.started_on.trim().is_empty() {
        errs.push("任职日期", "请填写任职日期");
    }
    let ended_on = date(&input.ended_on, "离任日期", &mut errs);
    if let (Some(s), Some(e)) = (started_on, ended_on) {
        if e < s {
            errs.push("离任日期", format!("{e} 早于任职日期 {s}"));
        }
    }
    match (role, started_on) {
        (Some(role), Some(started_on)) if errs.is_empty() => {
            Ok(ValidOfficer { member_id, role, duties, started_on, ended_on })
        }
        _ => Err(errs),
    }
}

/// `组织委员、宣传委员` (or separated by commas or spaces) as a list, blanks and repeats dropped.
pub fn parse_duties(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in s.split(['、', ',', '，', ';', '；', ' ', '\t']) {
        let d = d.trim();
        if !d.is_empty() && !out.iter().any(|x| x == d) {
            out.push(d.to_string());
        }
    }
    out
}

/// One term of one officer, as the checks that look back in time need it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub org_id: i64,
    pub member_id: i64,
    pub name: String,
    pub role: OfficerRole,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

impl Term {
    /// In post on `on` (both ends inclusive).
    pub fn covers(&self, on: NaiveDate) -> bool {
        self.started_on <= on && self.ended_on.is_none_or(|e| on <= e)
    }
    /// Do two terms share a day?
    pub fn overlaps(&self, from: NaiveDate, to: Option<NaiveDate>) -> bool {
        let self_end = self.ended_on.unwrap_or(NaiveDate::MAX);
        let other_end = to.unwrap_or(NaiveDate::MAX);
        self.started_on <= other_end && from <= self_end
    }
}

/// The 书记 of an organization on a date, if one is recorded.
pub fn secretary_on(terms: &[Term], on: NaiveDate) -> Option<&Term> {
    terms.iter().find(|t| t.role == OfficerRole::Secretary && t.covers(on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_term_names_its_member_post_and_dates() {
        let ok = validate(
            &OfficerInput {
                member_id: "7".into(),
                role: "党委书记".into(),
                duties: "组织委员，宣传委员 组织委员".into(),
                started_on: "2024-01-05".into(),
                ended_on: String::new(),
            },
            d("2026-11-21"),
        )
        .unwrap();
        assert_eq!((ok.member_id, ok.role, ok.duties_text()), (7, OfficerRole::Secretary, "组织委员、宣传委员".into()));
        let e = validate(
            &OfficerInput {
                role: "主任".into(),
                started_on: "2026-03-01".into(),
                ended_on: "2026-02-01".into(),
                ..Default::default()
            },
            d("2026-11-21"),
        )
        .unwrap_err();
        for f in ["党员", "职务", "离任日期"] {
            assert!(e.has(f), "{f}: {e}");
        }
    }

    #[test]
    fn the_secretary_on_a_date_follows_the_terms() {
        let t = |m: i64, from: &str, to: Option<&str>| Term {
            org_id: 1,
            member_id: m,
            name: format!("书记{m}"),
            role: OfficerRole::Secretary,
            started_on: d(from),
            ended_on: to.map(d),
        };
        let terms = vec![t(1, "2021-01-01", Some("2025-06-30")), t(2, "2025-07-01", None)];
        assert_eq!(secretary_on(&terms, d("2025-06-30")).map(|t| t.member_id), Some(1));
        assert_eq!(secretary_on(&terms, d("2025-07-01")).map(|t| t.member_id), Some(2));
        assert_eq!(secretary_on(&terms, d("2020-12-31")), None);
        assert!(terms[0].overlaps(d("2025-06-30"), None) && !terms[0].overlaps(d("2025-07-01"), None));
    }
}
