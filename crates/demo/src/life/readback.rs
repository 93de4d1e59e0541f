//! What the builder reads back.

use chrono::NaiveDate;
use domain::org::{OrgKind, Sector};

pub(crate) struct OrgRec {
    pub(crate) id: i64,
    pub(crate) short_name: Option<String>,
    pub(crate) parent: Option<i64>,
    pub(crate) path: String,
    pub(crate) name: String,
    pub(crate) kind: OrgKind,
    pub(crate) sector: Sector,
    pub(crate) has_committee: bool,
    pub(crate) founded_on: Option<NaiveDate>,
    pub(crate) secretary: Option<String>,
}

pub(crate) struct Person {
    pub(crate) id: i64,
    pub(crate) name: String,
    /// Currently a full member, and since when.
    pub(crate) full: bool,
    pub(crate) full_date: Option<NaiveDate>,
    pub(crate) join: NaiveDate,
    /// Left the party (or died) on this date; `Some(None)`: left, date unknown.
    pub(crate) left: Option<Option<NaiveDate>>,
    pub(crate) committee: bool,
    pub(crate) mobile: bool,
    pub(crate) lost: bool,
    pub(crate) birth: NaiveDate,
}

impl Person {
    /// A member of the organization on `on`, as `store::life::roster` decides it.
    pub(crate) fn current(&self, on: NaiveDate) -> bool {
        self.join <= on
            && match self.left {
                None => true,
                Some(d) => d.is_some_and(|d| d > on),
            }
    }
    pub(crate) fn voter(&self, on: NaiveDate) -> bool {
        self.full && self.full_date.is_none_or(|d| d <= on)
    }
}
