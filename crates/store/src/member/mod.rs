//! 党员 repository: the roster, scoped to the caller's subtrees, with roll-ups kept in step.

use chrono::NaiveDate;
use domain::member::{Category, Education, Member, Occupation, Sex, Status, ValidMember};

use crate::rollup::MemberFacts;

pub(crate) const MEMBER_COLS: &str = "m.id, m.org_id, m.path, m.name, m.sex, m.id_number, m.ethnicity, m.birth_date, m.education, \
    m.category, m.join_date, m.full_date, m.job_post, m.phone, m.work_unit, m.residence_community, m.occupation, m.is_mobile, \
    m.mobile_to, m.is_lost_contact, m.is_needy, m.status, m.status_date, m.version";

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct MemberRow {
    id: i64,
    org_id: i64,
    path: String,
    name: String,
    sex: String,
    id_number: String,
    ethnicity: String,
    birth_date: NaiveDate,
    education: Option<String>,
    category: String,
    join_date: NaiveDate,
    full_date: Option<NaiveDate>,
    job_post: Option<String>,
    phone: Option<String>,
    work_unit: Option<String>,
    residence_community: Option<String>,
    occupation: Option<String>,
    #[serde(deserialize_with = "flag")]
    is_mobile: bool,
    mobile_to: Option<String>,
    #[serde(deserialize_with = "flag")]
    is_lost_contact: bool,
    #[serde(deserialize_with = "flag")]
    is_needy: bool,
    status: String,
    status_date: Option<NaiveDate>,
    version: i64,
}

/// A flag in JSON built by the database: `true`/`false` from PostgreSQL, `1`/`0` from SQLite.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean or 0/1")
        }
        fn visit_bool<E>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_i64<E>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
    }
    d.deserialize_any(V)
}

impl MemberRow {
    /// The [`MEMBER_COLS`] of a [`Store::direct`] read, from column `at` on.
    pub(crate) fn from_direct(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<MemberRow> {
        use crate::db::{direct_date, direct_opt_date};
        Ok(MemberRow {
            id: r.get(at)?,
            org_id: r.get(at + 1)?,
            path: r.get(at + 2)?,
            name: r.get(at + 3)?,
            sex: r.get(at + 4)?,
            id_number: r.get(at + 5)?,
            ethnicity: r.get(at + 6)?,
            birth_date: direct_date(r, at + 7)?,
            education: r.get(at + 8)?,
            category: r.get(at + 9)?,
            join_date: direct_date(r, at + 10)?,
            full_date: direct_opt_date(r, at + 11)?,
            job_post: r.get(at + 12)?,
            phone: r.get(at + 13)?,
            work_unit: r.get(at + 14)?,
            residence_community: r.get(at + 15)?,
            occupation: r.get(at + 16)?,
            is_mobile: r.get(at + 17)?,
            mobile_to: r.get(at + 18)?,
            is_lost_contact: r.get(at + 19)?,
            is_needy: r.get(at + 20)?,
            status: r.get(at + 21)?,
            status_date: direct_opt_date(r, at + 22)?,
            version: r.get(at + 23)?,
        })
    }

    pub(crate) fn into_member(self) -> Member {
        Member {
            id: self.id,
            org_id: self.org_id,
            path: self.path,
            name: self.name,
            sex: Sex::from_code(&self.sex).unwrap_or(Sex::Male),
            id_number: self.id_number,
            ethnicity: self.ethnicity,
            birth_date: self.birth_date,
            education: self.education.as_deref().and_then(Education::from_code),
            category: Category::from_code(&self.category).unwrap_or(Category::Full),
            join_date: self.join_date,
            full_date: self.full_date,
            job_post: self.job_post,
            phone: self.phone,
            work_unit: self.work_unit,
            residence_community: self.residence_community,
            occupation: self.occupation.as_deref().and_then(Occupation::from_code),
            is_mobile: self.is_mobile,
            mobile_to: self.mobile_to,
            is_lost_contact: self.is_lost_contact,
            is_needy: self.is_needy,
            status: Status::from_code(&self.status).unwrap_or(Status::Normal),
            status_date: self.status_date,
            version: self.version,
        }
    }
}

pub fn facts_of_member(m: &Member) -> MemberFacts<'_> {
    MemberFacts {
        status: m.status,
        category: m.category,
        sex: m.sex,
        ethnicity: &m.ethnicity,
        education: m.education,
        is_mobile: m.is_mobile,
        is_lost_contact: m.is_lost_contact,
        is_needy: m.is_needy,
    }
}

pub fn facts_of_valid(m: &ValidMember) -> MemberFacts<'_> {
    MemberFacts {
        status: m.status,
        category: m.category,
        sex: m.sex,
        ethnicity: &m.ethnicity,
        education: m.education,
        is_mobile: m.is_mobile,
        is_lost_contact: m.is_lost_contact,
        is_needy: m.is_needy,
    }
}

mod bulk;
mod one;
mod roster;
mod search;

pub use bulk::*;
pub use one::*;
pub use roster::*;
pub use search::*;
