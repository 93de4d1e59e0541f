//! Output.

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use domain::life::{self as dl, LifeType};
use serde::Serialize;
use utoipa::ToSchema;
use web_core::api::{json, ApiCaller};
use web_core::tri;
use web_core::Shared;

use super::*;

/// A record in a list: without its minutes, attendance, resolutions and attachments.
#[derive(Serialize, ToSchema)]
pub struct LifeRecordSummary {
    pub id: i64,
    pub org_id: i64,
    #[schema(example = "甲社区党支部")]
    pub org_name: String,
    /// 会议类型 codes: one meeting may count as several types (支部党员大会 and 主题党日).
    #[schema(example = json!(["branch_assembly", "theme_day"]))]
    pub types: Vec<String>,
    /// Their labels, joined.
    #[schema(example = "支部党员大会、主题党日")]
    pub type_labels: String,
    /// 会议主题.
    pub title: String,
    /// 会议日期.
    pub held_on: NaiveDate,
    /// 开始时间 (`HH:MM`).
    pub start_time: Option<String>,
    /// 结束时间 (`HH:MM`).
    pub end_time: Option<String>,
    /// 地点.
    pub place: String,
    /// 主持人.
    pub host: String,
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// 应到 (from the roster on the meeting's date, or entered by hand for types without one).
    pub expected: i64,
    /// 实到.
    pub present: i64,
    /// 请假.
    pub leave: i64,
    /// 缺席.
    pub absent: i64,
    /// 应到有表决权党员 (full members).
    pub voters_expected: i64,
    /// 实到有表决权党员.
    pub voters_present: i64,
    /// Attendance was entered.
    pub has_attendance: bool,
    /// Minutes were entered.
    pub has_minutes: bool,
    /// Quorum met; `null` when no type of the record needs one or attendance was not entered.
    pub quorum_ok: Option<bool>,
    /// 退回原因 of a returned record.
    pub return_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Who entered it.
    pub created_by: String,
    pub created_on: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

/// One person's attendance.
#[derive(Serialize, ToSchema)]
pub struct LifeAttendance {
    pub member_id: i64,
    pub name: String,
    /// Had a vote on the day (a full member).
    pub voter: bool,
    #[schema(schema_with = attend_schema)]
    pub status: String,
    /// 请假或缺席原因.
    pub reason: Option<String>,
}

/// A resolution with its votes.
#[derive(Serialize, ToSchema)]
pub struct LifeResolution {
    pub seq: i64,
    pub text: String,
    /// Members with a vote who should have attended (the majority is of these, LIFE-02).
    pub voters_expected: i64,
    pub yes: i64,
    pub no: i64,
    pub abstain: i64,
    /// 举手表决 or 无记名投票.
    pub method: String,
    pub passed: bool,
}

/// An attachment's description (the file itself is downloaded on the record's page).
#[derive(Serialize, ToSchema)]
pub struct LifeAttachment {
    pub id: i64,
    pub name: String,
    pub mime: String,
    /// Bytes.
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A record with everything that belongs to it.
#[derive(Serialize, ToSchema)]
pub struct LifeRecord {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// 会议类型 codes.
    pub types: Vec<String>,
    pub type_labels: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub place: String,
    pub host: String,
    /// 记录人.
    pub recorder: String,
    /// 授课人 (党课).
    pub lecturer: Option<String>,
    /// 授课人的党员编号, when known.
    pub lecturer_member_id: Option<i64>,
    /// 所属年度: the year the meeting counts for (LIFE-18).
    pub belongs_to_year: Option<i64>,
    /// 议程.
    pub agenda: Option<String>,
    /// 会议纪要.
    pub minutes: Option<String>,
    /// 列席人员.
    pub observers: Option<String>,
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub expected: i64,
    pub present: i64,
    pub leave: i64,
    pub absent: i64,
    pub voters_expected: i64,
    pub voters_present: i64,
    pub has_attendance: bool,
    pub has_minutes: bool,
    pub quorum_ok: Option<bool>,
    pub return_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub created_by: String,
    pub created_on: NaiveDate,
    pub updated_at: DateTime<Utc>,
    /// Present first, then on leave, then absent.
    pub attendance: Vec<LifeAttendance>,
    pub resolutions: Vec<LifeResolution>,
    pub attachments: Vec<LifeAttachment>,
    /// May the caller review it (its organization's superior is in the caller's scope for
    /// 审核组织生活记录)?
    pub reviewable: bool,
    /// The record's version: send it back in `PUT` so that a change made meanwhile by someone
    /// else (an edit, the submission, the review) is not overwritten (a stale version answers 409).
    pub version: i64,
    /// Problems that did not stop saving, each naming its rule (such as a 支部党员大会 held without
    /// a quorum, LIFE-02). Filled in the answer to a create or an update; empty when reading.
    #[schema(example = json!(["支部党员大会：到会有表决权党员 1 名，未超过应到有表决权党员 2 名的半数 (LIFE-02)，会议不符合法定人数"]))]
    pub warnings: Vec<String>,
}

fn labels_of(types: &[LifeType], codes: &[String]) -> String {
    dl::codes_label(types, codes)
}

pub(crate) fn summary(r: &store::life::Record, types: &[LifeType]) -> LifeRecordSummary {
    let codes = r.type_codes();
    LifeRecordSummary {
        id: r.id,
        org_id: r.org_id,
        org_name: r.org_name.clone(),
        type_labels: labels_of(types, &codes),
        types: codes,
        title: r.title.clone(),
        held_on: r.held_on,
        start_time: r.start_time.clone(),
        end_time: r.end_time.clone(),
        place: r.place.clone(),
        host: r.host.clone(),
        status: r.status.clone(),
        expected: r.expected,
        present: r.present,
        leave: r.on_leave,
        absent: r.absent,
        voters_expected: r.voters_expected,
        voters_present: r.voters_present,
        has_attendance: r.has_attendance,
        has_minutes: r.has_minutes(),
        quorum_ok: r.quorum_ok,
        return_reason: r.return_reason.clone(),
        submitted_at: r.submitted_at,
        reviewed_at: r.reviewed_at,
        created_by: r.created_by.clone(),
        created_on: r.created_on,
        updated_at: r.updated_at,
    }
}

pub(crate) fn full_out(
    f: store::life::RecordFull,
    types: &[LifeType],
    reviewable: bool,
    warnings: Vec<String>,
) -> LifeRecord {
    let r = f.record;
    let codes = r.type_codes();
    LifeRecord {
        id: r.id,
        org_id: r.org_id,
        type_labels: labels_of(types, &codes),
        types: codes,
        has_minutes: r.has_minutes(),
        org_name: r.org_name,
        title: r.title,
        held_on: r.held_on,
        start_time: r.start_time,
        end_time: r.end_time,
        place: r.place,
        host: r.host,
        recorder: r.recorder,
        lecturer: r.lecturer,
        lecturer_member_id: r.lecturer_member_id,
        belongs_to_year: r.belongs_to_year,
        agenda: r.agenda,
        minutes: r.minutes,
        observers: r.observers,
        status: r.status,
        expected: r.expected,
        present: r.present,
        leave: r.on_leave,
        absent: r.absent,
        voters_expected: r.voters_expected,
        voters_present: r.voters_present,
        has_attendance: r.has_attendance,
        quorum_ok: r.quorum_ok,
        return_reason: r.return_reason,
        submitted_at: r.submitted_at,
        reviewed_at: r.reviewed_at,
        reviewed_by: r.reviewed_by,
        created_by: r.created_by,
        created_on: r.created_on,
        updated_at: r.updated_at,
        version: r.version,
        attendance: f
            .attendance
            .into_iter()
            .map(|a| LifeAttendance {
                member_id: a.member_id,
                name: a.name,
                voter: a.is_voter,
                status: a.status,
                reason: a.reason,
            })
            .collect(),
        resolutions: f
            .resolutions
            .into_iter()
            .map(|r| LifeResolution {
                seq: r.seq,
                text: r.text,
                voters_expected: r.voters_expected,
                yes: r.yes,
                no: r.no,
                abstain: r.abstain,
                method: r.method,
                passed: r.passed,
            })
            .collect(),
        attachments: f
            .attachments
            .into_iter()
            .map(|a| LifeAttachment {
                id: a.id,
                name: a.name,
                mime: a.mime,
                size: a.size,
                sha256: a.sha256,
                created_by: a.created_by,
                created_at: a.created_at,
            })
            .collect(),
        reviewable,
        warnings,
    }
}

pub(crate) async fn all_types(s: &Shared, caller: &ApiCaller) -> Result<Vec<LifeType>, Response> {
    service::life::rules::types(&s.store, caller).await.map_err(|e| caller.fail(e))
}

/// The record named by the path, as one who reads organization life sees it (404 outside the
/// scope of 查看组织生活).
pub(crate) async fn read(
    s: &Shared,
    caller: &ApiCaller,
    id: Result<Path<i64>, PathRejection>,
) -> Result<store::life::RecordFull, Response> {
    let Ok(Path(id)) = id else { return Err(caller.not_found()) };
    service::life::records::get(&s.store, caller, id).await.map_err(|e| caller.fail(e))
}

/// The record named by the path, read to change it (404 outside the scope of 登记组织生活).
pub(crate) async fn read_for_recording(
    s: &Shared,
    caller: &ApiCaller,
    id: Result<Path<i64>, PathRejection>,
) -> Result<store::life::RecordFull, Response> {
    let Ok(Path(id)) = id else { return Err(caller.not_found()) };
    service::life::records::get_for_recording(&s.store, caller, id).await.map_err(|e| caller.fail(e))
}

/// The record as the caller sees it now (just written: it lies in the caller's scope).
pub(crate) async fn answer(
    s: &Shared,
    caller: &ApiCaller,
    id: i64,
    status: StatusCode,
    warnings: Vec<String>,
) -> Response {
    let types = tri!(all_types(s, caller).await);
    match service::life::records::get(&s.store, caller, id).await {
        Ok(f) => {
            let reviewable = f.reviewable;
            json(status, &full_out(f, &types, reviewable, warnings))
        }
        Err(e) => caller.fail(e),
    }
}
