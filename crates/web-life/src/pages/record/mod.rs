//! 会议记录: the records of organization life (三会一课 and the rest). The list of a subtree with
//! its filters and the 待我审核 view; the record form (attendance from the organization's roster
//! on the meeting's date, resolutions with their votes); the record page with its review,
//! submission and attachments.
//!
//! Scope: every read goes through the caller's scope for the permission the page needs (ReadLife
//! to read, RecordLife to enter, change and attach, ReviewLife to review); a record outside it
//! answers 404. Reviewing needs the record's *superior* organization in the ReviewLife scope
//! (review runs 支部 → 党委 → 组织部): a record of the caller's own top organization is seen but
//! not reviewed (403).
//!
//! The form works without script: the roster follows the date when the user presses 按日期载入名册,
//! or saves after changing the date or the types (which lists the new roster instead of saving,
//! says so, and reports every other problem of the form in the same round); 增加一行 adds a
//! resolution row, 全部出席 marks everyone on the roster present. Everything typed is kept across
//! these round trips. With our own script (`/assets/life-form.js`) the attendance block follows
//! the date and the types as they change (`/orgs/{id}/life/attendance`, keeping what was typed
//! for those still on the roster) and 全部出席 works in place. The print view
//! (`/life/records/{id}/print`) is the one-page 会议记录 a branch keeps in its archive.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use domain::life::{LifeType, RecordStatus};
use service::ServiceError;

use web_core::routes::{Routes, Target};
use web_core::{Caller, Shared};

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/life", Target::OrgQuery, get(records))
        .add("GET,POST", "/orgs/{id}/life/new", Target::Org, get(new_page).post(new_post))
        .add("GET", "/orgs/{id}/life/attendance", Target::Org, get(attendance_block))
        .add("GET", "/life/records/{id}", Target::LifeRecord, get(record))
        .add("GET", "/life/records/{id}/print", Target::LifeRecord, get(record_print))
        .add("GET,POST", "/life/records/{id}/edit", Target::LifeRecord, get(edit_page).post(edit_post))
        .add("POST", "/life/records/{id}/submit", Target::LifeRecord, post(submit))
        .add("POST", "/life/records/{id}/review", Target::LifeRecord, post(review))
        .add("POST", "/life/records/review", Target::None, post(review_many))
        .add(
            "POST",
            "/life/records/{id}/attachments",
            Target::LifeRecord,
            post(upload).layer(DefaultBodyLimit::max(store::life::MAX_ATTACHMENT + 1024 * 1024)),
        )
        .add("GET", "/life/attachments/{id}", Target::LifeAttachment, get(download))
        .add("POST", "/life/attachments/{id}/delete", Target::LifeAttachment, post(delete_attachment))
}

/// Does an organization of this kind record its own organization life (the store refuses the
/// others: 地方党委 and the like record nothing themselves)?
pub(super) use domain::life::records_life;

const PER_PAGE: i64 = 50;

fn status_class(s: RecordStatus) -> &'static str {
    match s {
        RecordStatus::Draft => "",
        RecordStatus::Submitted => "sev-info",
        RecordStatus::Accepted => "ok-tag",
        RecordStatus::Returned => "sev-warning",
    }
}

/// A moment as shown (China time, to the minute).
fn at(t: &DateTime<Utc>) -> String {
    let off = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    t.with_timezone(&off).format("%Y-%m-%d %H:%M").to_string()
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "—".into())
}

async fn life_types(s: &Shared, caller: &Caller) -> Result<Vec<LifeType>, ServiceError> {
    service::life::rules::types(&s.store, caller).await
}

mod attachment;
mod form;
mod list;
mod show;

pub use attachment::*;
pub use form::*;
pub use list::*;
pub use show::*;
