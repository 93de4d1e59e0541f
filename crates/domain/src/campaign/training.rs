//! 培训班: classes an organization holds for an audience, their sessions and trainees (members of
//! the roster) with attendance; a trainee completes a class by attending at least the share of
//! sessions the class requires. Rotation coverage (轮训覆盖率) counts the branch secretaries in
//! post who completed a class in the year.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{date, int, text};
use crate::FieldErrors;

crate::labelled_enum! {
    Audience {
        BranchSecretaries = "branch_secretaries", "党支部书记";
        LaggingVillageSecretaries = "lagging_village_secretaries", "后进村党组织书记";
        NonPublicSecretaries = "non_public_secretaries", "非公企业党组织书记";
        TownshipDeputies = "township_deputies", "乡镇（街道）党（工）委副书记";
        PartyWorkers = "party_workers", "党务工作者";
        Members = "members", "党员";
    }
}

/// A trainee completes with at least this share of the sessions attended (local practice).
pub const COMPLETION_SHARE: f64 = 0.8;

pub fn completes(attended: i64, sessions: i64) -> bool {
    sessions > 0 && attended as f64 >= COMPLETION_SHARE * sessions as f64 - 1e-9
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClassInput {
    pub name: String,
    pub audience: String,
    pub starts_on: String,
    pub ends_on: String,
    pub sessions: String,
    #[serde(default)]
    pub place: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidClass {
    pub name: String,
    pub audience: Audience,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub place: String,
}

impl ClassInput {
    pub fn validate(&self) -> Result<ValidClass, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text(&mut e, "培训班名称", &self.name, true, 100);
        let audience = Audience::parse(&self.audience);
        if audience.is_none() {
            e.push("培训对象", format!("应为 {}", Audience::labels()));
        }
        let starts_on = date(&mut e, "开班日期", &self.starts_on);
        let ends_on = date(&mut e, "结业日期", &self.ends_on);
        if let (Some(s), Some(t)) = (starts_on, ends_on) {
            if t < s {
                e.push("结业日期", format!("{t} 早于开班日期 {s}"));
            }
        }
        let sessions = int(&mut e, "课次", &self.sessions, 1, 200, None);
        let place = text(&mut e, "地点", &self.place, false, 100);
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ValidClass {
            name,
            audience: audience.unwrap(),
            starts_on: starts_on.unwrap(),
            ends_on: ends_on.unwrap(),
            sessions: sessions.unwrap(),
            place,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_needs_four_fifths_of_the_sessions() {
        assert!(completes(4, 5));
        assert!(!completes(3, 5));
        assert!(completes(8, 10));
        assert!(!completes(0, 0));
    }

    #[test]
    fn a_class_is_checked_field_by_field() {
        let e = ClassInput {
            sessions: "0".into(),
            ends_on: "2026-01-01".into(),
            starts_on: "2026-02-01".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.has("培训班名称") && e.has("培训对象") && e.has("结业日期") && e.has("课次"));
    }
}
