//! `/api/v1/life`: organization life (三会一课 and the rest). Records with their attendance,
//! resolutions and the superior's review; the types and every dated rule version; the findings of
//! the daily job; a live compliance evaluation of a subtree. And `/api/v1/orgs/{id}/roster`: who
//! belonged to an organization on a date (names and flags only), so a client can fill attendance.
//!
//! Permissions as on the pages: reading needs 查看组织生活, entering and submitting 登记组织生活,
//! reviewing 审核组织生活记录 on the record's organization's **superior** — nobody reviews their
//! own organization's records, so a record the caller sees but may not review answers 403.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::life::{self as dl, Applies, Attend, CellState, FindingKind, LifeRule, LifeType, PeriodKind, RecordStatus};
use domain::org::{Org, OrgKind};
use serde::Serialize;
use store::life::RecordFilter;
use store::Scope;
use utoipa::openapi::schema::{ArrayBuilder, Object};
use utoipa::ToSchema;

use super::doc::{self, enum_schemas};
use super::input::{self, Fields, Given};
use super::{check, json, page_of, ApiCaller, ApiFieldError, Params};
use crate::access::Perm;
use crate::pages::today;
use crate::Shared;

enum_schemas!(status_schema, status_schema_opt, RecordStatus, "记录状态");
enum_schemas!(attend_schema, attend_schema_opt, Attend, "出席情况");
enum_schemas!(period_schema, period_schema_opt, PeriodKind, "周期");
enum_schemas!(finding_kind_schema, finding_kind_schema_opt, FindingKind, "问题类别");
enum_schemas!(org_kind_schema, org_kind_schema_opt, OrgKind, "组织类别");

fn roster_schema() -> Object {
    doc::enum_object(
        [("branch", "本组织全体党员（含党小组）"), ("committee", "支部委员"), ("none", "不按名册，手工填写人数")]
            .into_iter(),
        "参会范围",
        false,
    )
}

fn quorum_schema() -> Object {
    doc::enum_object(
        [
            ("voters", "到会有表决权党员须超过应到有表决权党员半数（LIFE-02）"),
            ("all", "到会须超过应到人数半数（LIFE-04）"),
            ("none", "不要求"),
        ]
        .into_iter(),
        "法定人数",
        false,
    )
}

const CELL_STATES: [CellState; 5] =
    [CellState::Met, CellState::Missing, CellState::Open, CellState::Upcoming, CellState::Exempt];

fn cell_state_schema() -> Object {
    doc::enum_object(CELL_STATES.iter().map(|c| (c.code(), c.label())), "周期状态", false)
}

fn severity_schema() -> Object {
    doc::enum_object([("error", "错误"), ("warning", "警告"), ("info", "提示")].into_iter(), "严重程度", false)
}

fn applies_schema() -> utoipa::openapi::Array {
    ArrayBuilder::new()
        .items(doc::enum_object(Applies::ALL.iter().map(|a| (a.code(), a.label())), "适用组织", false))
        .build()
}

// ---------------------------------------------------------------------------------------------
// Output

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
    /// Problems that did not stop saving, each naming its rule (such as a 支部党员大会 held without
    /// a quorum, LIFE-02). Filled in the answer to a create or an update; empty when reading.
    #[schema(example = json!(["支部党员大会：到会有表决权党员 1 名，未超过应到有表决权党员 2 名的半数 (LIFE-02)，会议不符合法定人数"]))]
    pub warnings: Vec<String>,
}

fn labels_of(types: &[LifeType], codes: &[String]) -> String {
    dl::codes_label(types, codes)
}

fn summary(r: &store::life::Record, types: &[LifeType]) -> LifeRecordSummary {
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

fn full_out(f: store::life::RecordFull, types: &[LifeType], reviewable: bool, warnings: Vec<String>) -> LifeRecord {
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

/// May the caller review records of the organization at `path` (its superior is in the scope of
/// 审核组织生活记录)?
fn can_review(caller: &ApiCaller, path: &str) -> bool {
    domain::path::parent(path).is_some_and(|p| caller.can_at(Perm::ReviewLife, p))
}

async fn all_types(s: &Shared, caller: &ApiCaller) -> Result<Vec<LifeType>, Response> {
    store::life::types(&s.store).await.map_err(|e| caller.fail(e))
}

/// The record named by the path, read through `scope` (404 outside it).
async fn read(
    s: &Shared,
    caller: &ApiCaller,
    scope: &Scope,
    id: Result<Path<i64>, PathRejection>,
) -> Result<store::life::RecordFull, Response> {
    let Ok(Path(id)) = id else { return Err(caller.not_found()) };
    store::life::get(&s.store, scope, id).await.map_err(|e| caller.fail(e))
}

/// The record as the caller sees it now.
async fn answer(
    s: &Shared,
    caller: &ApiCaller,
    scope: &Scope,
    id: i64,
    status: StatusCode,
    warnings: Vec<String>,
) -> Response {
    let types = tri!(all_types(s, caller).await);
    match store::life::get(&s.store, scope, id).await {
        Ok(f) => {
            let reviewable = can_review(caller, &f.record.path);
            json(status, &full_out(f, &types, reviewable, warnings))
        }
        Err(e) => caller.fail(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Query parameters

fn q_date(q: &Params, key: &'static str, errs: &mut Vec<ApiFieldError>) -> Option<NaiveDate> {
    let v = q.get(key);
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(ApiFieldError::new(key, format!("“{v}”不是有效的日期，应为 YYYY-MM-DD")));
            None
        }
    }
}

/// A type given by code or label, as its code.
fn type_code(types: &[LifeType], v: &str) -> Option<String> {
    let v = v.trim();
    types.iter().find(|t| t.code == v || t.label == v).map(|t| t.code.clone())
}

fn type_choices(types: &[LifeType]) -> String {
    types.iter().map(|t| format!("{}（{}）", t.code, t.label)).collect::<Vec<_>>().join("、")
}

/// The organization of `org`, or the caller's only top organization for `perm`.
async fn org_param(
    s: &Shared,
    caller: &ApiCaller,
    scope: &Scope,
    id: Option<i64>,
    perm: Perm,
) -> Result<Org, Response> {
    match id {
        Some(id) => store::org::get(&s.store, scope, id).await.map_err(|e| caller.fail(e)),
        None => caller.default_org(perm),
    }
}

/// Query parameters of the record list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RecordListParams {
    /// The organization whose whole subtree is listed; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// Held on or after this date.
    from: Option<NaiveDate>,
    /// Held on or before this date.
    to: Option<NaiveDate>,
    /// 会议类型, by code or label (a record of several types matches each).
    r#type: Option<String>,
    /// 记录状态, by code or label.
    status: Option<String>,
    /// Only records waiting for review by the organization `org` (submitted by an organization
    /// below it).
    to_review: Option<bool>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// One page of records, newest first.
#[derive(Serialize, ToSchema)]
pub struct LifeRecordList {
    /// The organization whose subtree is listed.
    pub org_id: i64,
    pub items: Vec<LifeRecordSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// 会议记录列表 / List organization-life records
///
/// The records of an organization's whole subtree, newest first, one page at a time.
#[utoipa::path(
    get, path = "/api/v1/life/records", operation_id = "listLifeRecords", tag = "life",
    params(RecordListParams),
    responses(
        (status = 200, description = "One page of records", body = LifeRecordList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn list(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    let scope = tri!(caller.require(Perm::ReadLife));
    let types = tri!(all_types(&s, &caller).await);
    let mut errs = Vec::new();
    let org_id = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    let from = q_date(&q, "from", &mut errs);
    let to = q_date(&q, "to", &mut errs);
    let type_code = match q.get("type") {
        "" => None,
        v => {
            let c = type_code(&types, v);
            if c.is_none() {
                errs.push(ApiFieldError::new("type", format!("“{v}”无效，应为 {}", type_choices(&types))));
            }
            c
        }
    };
    let status = match q.get("status") {
        "" => None,
        v => {
            let st = RecordStatus::ALL.into_iter().find(|k| k.code() == v || k.label() == v);
            if st.is_none() {
                let all = RecordStatus::ALL.iter().map(|k| format!("{}（{}）", k.code(), k.label()));
                errs.push(ApiFieldError::new(
                    "status",
                    format!("“{v}”无效，应为 {}", all.collect::<Vec<_>>().join("、")),
                ));
            }
            st
        }
    };
    let to_review = q.flag("to_review", false, &mut errs);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errs.push(ApiFieldError::new("to", "不能早于 from"));
        }
    }
    tri!(check(errs));
    let org = tri!(org_param(&s, &caller, &scope, org_id, Perm::ReadLife).await);
    let filter = RecordFilter { type_code, status, from, to, to_review };
    match store::life::list(&s.store, &org, &filter, page, per_page).await {
        Ok(p) => {
            let items = p.items.iter().map(|r| summary(r, &types)).collect();
            json(StatusCode::OK, &LifeRecordList { org_id: org.id, items, total: p.total, page, per_page })
        }
        Err(e) => caller.fail(e),
    }
}

/// 查看会议记录 / Get a record
///
/// With its attendance, resolutions and attachments, and whether the caller may review it.
#[utoipa::path(
    get, path = "/api/v1/life/records/{id}", operation_id = "getLifeRecord", tag = "life",
    params(("id" = i64, Path, description = "会议记录 ID")),
    responses(
        (status = 200, description = "The record", body = LifeRecord),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn show(State(s): State<Shared>, caller: ApiCaller, id: Result<Path<i64>, PathRejection>) -> Response {
    let scope = tri!(caller.require(Perm::ReadLife));
    let types = tri!(all_types(&s, &caller).await);
    let f = tri!(read(&s, &caller, &scope, id).await);
    let reviewable = can_review(&caller, &f.record.path);
    json(StatusCode::OK, &full_out(f, &types, reviewable, Vec::new()))
}

// ---------------------------------------------------------------------------------------------
// Input

/// A record as `POST /api/v1/life/records` takes it. Types by code or label; counts as numbers.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LifeRecordCreate {
    /// 党组织: where the meeting was held (a 党支部, 党小组, 党总支, 基层党委 or 党组 in the caller's
    /// scope).
    org_id: i64,
    /// 会议类型, codes or labels; one meeting may count as several (支部党员大会 and 主题党日).
    #[schema(example = json!(["branch_assembly"]))]
    types: Vec<String>,
    /// 会议主题.
    #[schema(example = "学习贯彻党的二十届四中全会精神")]
    title: String,
    /// 会议日期 (not in the future).
    held_on: NaiveDate,
    /// 开始时间, `HH:MM`.
    #[schema(example = "14:30")]
    start_time: Option<String>,
    /// 结束时间, `HH:MM`.
    end_time: Option<String>,
    /// 地点.
    place: String,
    /// 主持人.
    host: String,
    /// 记录人.
    recorder: String,
    /// 授课人 (required for 党课).
    lecturer: Option<String>,
    /// 议程.
    agenda: Option<String>,
    /// 会议纪要.
    minutes: Option<String>,
    /// 列席人员.
    observers: Option<String>,
    /// Attendance of every person on the roster of the meeting's date (see
    /// `GET /api/v1/orgs/{id}/roster`); leave and absence need a reason. Leave it out to save the
    /// record without attendance (it is then reported as incomplete).
    attendance: Option<Vec<LifeAttendanceIn>>,
    /// 应到人数, for types without a roster (谈心谈话, 民主生活会).
    expected: Option<i64>,
    /// 实到人数, for types without a roster.
    present: Option<i64>,
    /// 请假人数, for types without a roster.
    leave: Option<i64>,
    /// 缺席人数, for types without a roster.
    absent: Option<i64>,
    /// Resolutions voted on (支部党员大会, 支部委员会会议).
    resolutions: Option<Vec<LifeResolutionIn>>,
    /// Submit to the superior for review at once (default: save as a draft).
    submit: Option<bool>,
}

/// A record as `PUT /api/v1/life/records/{id}` takes it: the whole record again (fields left out
/// are emptied). Only drafts and returned records may be changed; the record becomes a draft.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LifeRecordUpdate {
    types: Vec<String>,
    title: String,
    held_on: NaiveDate,
    start_time: Option<String>,
    end_time: Option<String>,
    place: String,
    host: String,
    recorder: String,
    lecturer: Option<String>,
    agenda: Option<String>,
    minutes: Option<String>,
    observers: Option<String>,
    attendance: Option<Vec<LifeAttendanceIn>>,
    expected: Option<i64>,
    present: Option<i64>,
    leave: Option<i64>,
    absent: Option<i64>,
    resolutions: Option<Vec<LifeResolutionIn>>,
}

/// One person's attendance as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LifeAttendanceIn {
    /// A member on the organization's roster on the meeting's date.
    member_id: i64,
    /// By code or label (出席, 请假, 缺席).
    #[schema(schema_with = attend_schema)]
    status: String,
    /// 原因 (required for leave and absence).
    reason: Option<String>,
}

/// A resolution as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LifeResolutionIn {
    /// 决议内容.
    text: String,
    /// 赞成票.
    yes: Option<i64>,
    /// 反对票.
    no: Option<i64>,
    /// 弃权票.
    abstain: Option<i64>,
    /// 表决方式: 举手表决 (default) or 无记名投票.
    method: Option<String>,
    /// What the record declares (passed or not); checked against the votes: a resolution passes
    /// only with yes votes from more than half of all members with a vote (LIFE-02).
    declared: Option<bool>,
}

/// A review as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LifeReviewIn {
    /// `true` accepts the record, `false` returns it to its organization.
    accept: bool,
    /// 退回原因 (required when returning).
    reason: Option<String>,
}

/// The keys of [`LifeRecordCreate`] / [`LifeRecordUpdate`] besides `org_id` and `submit`, with
/// their labels.
pub const LIFE_FIELDS: &[(&str, &str)] = &[
    ("types", "会议类型"),
    ("title", "会议主题"),
    ("held_on", "会议日期"),
    ("start_time", "开始时间"),
    ("end_time", "结束时间"),
    ("place", "地点"),
    ("host", "主持人"),
    ("recorder", "记录人"),
    ("lecturer", "授课人"),
    ("agenda", "议程"),
    ("minutes", "会议纪要"),
    ("observers", "列席人员"),
    ("attendance", "出席情况"),
    ("expected", "应到人数"),
    ("present", "实到人数"),
    ("leave", "请假人数"),
    ("absent", "缺席人数"),
    ("resolutions", "决议"),
];

const ORG_LABEL: &str = "党组织";
const SUBMIT_LABEL: &str = "提交审核";

fn label(key: &str) -> &'static str {
    LIFE_FIELDS.iter().find(|(k, _)| *k == key).map_or("", |(_, l)| l)
}

/// The labels in the order problems are listed.
fn labels() -> Vec<&'static str> {
    std::iter::once(ORG_LABEL).chain(LIFE_FIELDS.iter().map(|(_, l)| *l)).chain([SUBMIT_LABEL]).collect()
}

/// Take the record's fields out of the body (counts become the text the domain parses).
fn record_input(f: &mut Fields, types: &[LifeType]) -> dl::RecordInput {
    let text = |f: &mut Fields, key: &str| f.text(key, label(key)).value().unwrap_or_default();
    let num =
        |f: &mut Fields, key: &str, label: &str| f.int(key, label).value().map(|n| n.to_string()).unwrap_or_default();
    let codes = f.texts("types", label("types")).value().unwrap_or_default();
    let attendance = f
        .list("attendance", label("attendance"), |a| {
            let member = a.int("member_id", "党员编号");
            let status = a.text("status", "出席情况").value().unwrap_or_default();
            let reason = a.text("reason", "原因").value().unwrap_or_default();
            match member {
                Given::Value(id) => Some(dl::AttendanceInput { member_id: id, status, reason }),
                Given::Absent | Given::Null => {
                    a.errors.push(ApiFieldError::new("党员编号", "不能为空（字段 member_id）"));
                    None
                }
                Given::Bad => None,
            }
        })
        .value()
        .unwrap_or_default();
    let resolutions = f
        .list("resolutions", label("resolutions"), |r| {
            Some(dl::ResolutionInput {
                text: r.text("text", "决议内容").value().unwrap_or_default(),
                yes: num(r, "yes", "赞成票"),
                no: num(r, "no", "反对票"),
                abstain: num(r, "abstain", "弃权票"),
                method: r.text("method", "表决方式").value().unwrap_or_default(),
                declared: r.flag("declared", "宣布结果").value(),
            })
        })
        .value()
        .unwrap_or_default();
    dl::RecordInput {
        // unknown ones stay as given, for the domain to name
        types: codes.iter().map(|c| type_code(types, c).unwrap_or_else(|| c.trim().to_string())).collect(),
        title: text(f, "title"),
        held_on: text(f, "held_on"),
        start_time: text(f, "start_time"),
        end_time: text(f, "end_time"),
        place: text(f, "place"),
        host: text(f, "host"),
        recorder: text(f, "recorder"),
        lecturer: text(f, "lecturer"),
        agenda: text(f, "agenda"),
        minutes: text(f, "minutes"),
        observers: text(f, "observers"),
        attendance,
        expected: num(f, "expected", label("expected")),
        present: num(f, "present", label("present")),
        leave: num(f, "leave", label("leave")),
        absent: num(f, "absent", label("absent")),
        resolutions,
    }
}

/// Check everything at once (the store checks again when saving): the body's shape, the
/// organization, and the domain's entry checks against the roster on the meeting's date. Without
/// a known organization, the checks that depend on its roster are left for later.
async fn prevalidate(
    s: &Shared,
    caller: &ApiCaller,
    scope: &Scope,
    f: &mut Fields,
    org: Option<&Org>,
    input: &dl::RecordInput,
    types: &[LifeType],
) -> Result<(), Response> {
    if let Some(o) = org {
        // as `store::life` refuses it
        if !domain::life::records_life(o.kind) {
            f.errors
                .push(ApiFieldError::new(ORG_LABEL, format!("{}不登记组织生活，请选择其下级党组织", o.kind.label())));
        }
    }
    let on = domain::dates::parse_date(&input.held_on).ok();
    let roster = match (org, on) {
        (Some(o), Some(d)) => store::life::roster(&s.store, scope, o.id, d).await.map_err(|e| caller.fail(e))?,
        _ => Vec::new(),
    };
    if let Err(mut e) = dl::validate(input, types, &roster, today()) {
        if org.is_none() {
            e.0.retain(|x| x.field != "出席情况" && x.field != "决议");
        }
        f.add_domain(&e);
    }
    f.check(&labels())
}

/// 登记会议记录 / Enter a record
///
/// Checked on entry, every problem at once (422), each message naming its rule: the roster on
/// the meeting's date (attendees must be members then, REC-08), the quorum of a 支部党员大会 and
/// the majority of a resolution (LIFE-02). A meeting held without a quorum is saved with a
/// warning. Answers 201 with the record, its `warnings`, and its address in `Location`.
#[utoipa::path(
    post, path = "/api/v1/life/records", operation_id = "createLifeRecord", tag = "life",
    request_body = LifeRecordCreate,
    responses(
        (status = 201, description = "Created", body = LifeRecord),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn create(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    let scope = tri!(caller.require(Perm::RecordLife));
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = match f.int("org_id", ORG_LABEL) {
        Given::Value(id) => match store::org::get(&s.store, &scope, id).await {
            Ok(o) => Some(o),
            Err(e) => return caller.fail(e),
        },
        Given::Bad => None,
        Given::Absent | Given::Null => {
            f.errors.push(ApiFieldError::new(ORG_LABEL, "不能为空：请用 org_id 指明召开会议的党组织"));
            None
        }
    };
    let types = tri!(all_types(&s, &caller).await);
    let input = record_input(&mut f, &types);
    let submit = f.flag("submit", SUBMIT_LABEL).value().unwrap_or(false);
    tri!(prevalidate(&s, &caller, &scope, &mut f, org.as_ref(), &input, &types).await);
    let Some(org) = org else { return caller.not_found() };
    match store::life::create(&s.store, &scope, org.id, &input, submit).await {
        Ok(saved) => {
            let mut res = answer(&s, &caller, &scope, saved.id, StatusCode::CREATED, saved.warnings).await;
            if let Ok(v) = format!("/api/v1/life/records/{}", saved.id).parse() {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res
        }
        Err(e) => caller.store_fail(e),
    }
}

/// 修改会议记录 / Change a record
///
/// The whole record again (fields left out are emptied; the organization stays). Only a draft or
/// a returned record may be changed (409 otherwise); it becomes a draft, to be submitted again.
#[utoipa::path(
    put, path = "/api/v1/life/records/{id}", operation_id = "updateLifeRecord", tag = "life",
    params(("id" = i64, Path, description = "会议记录 ID")),
    request_body = LifeRecordUpdate,
    responses(
        (status = 200, description = "The record as saved, with its warnings", body = LifeRecord),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn update(
    State(s): State<Shared>,
    caller: ApiCaller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let scope = tri!(caller.require(Perm::RecordLife));
    let old = tri!(read(&s, &caller, &scope, id).await).record;
    let state = old.state();
    if !state.editable() {
        return caller
            .fail(store::StoreError::Refused(format!("记录{}，不能修改；如需更正请由上级党组织退回", state.label())));
    }
    let org = match store::org::get(&s.store, &scope, old.org_id).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let types = tri!(all_types(&s, &caller).await);
    let input = record_input(&mut f, &types);
    tri!(prevalidate(&s, &caller, &scope, &mut f, Some(&org), &input, &types).await);
    match store::life::update(&s.store, &scope, old.id, &input).await {
        Ok(saved) => answer(&s, &caller, &scope, saved.id, StatusCode::OK, saved.warnings).await,
        Err(e) => caller.store_fail(e),
    }
}

/// 提交审核 / Submit a record for review
///
/// A draft or returned record goes to the superior organization for review (409 otherwise). No
/// request body is needed.
#[utoipa::path(
    post, path = "/api/v1/life/records/{id}/submit", operation_id = "submitLifeRecord", tag = "life",
    params(("id" = i64, Path, description = "会议记录 ID")),
    responses(
        (status = 200, description = "The record, now submitted", body = LifeRecord),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
    )
)]
pub async fn submit(State(s): State<Shared>, caller: ApiCaller, id: Result<Path<i64>, PathRejection>) -> Response {
    let scope = tri!(caller.require(Perm::RecordLife));
    let r = tri!(read(&s, &caller, &scope, id).await).record;
    match store::life::submit(&s.store, &scope, r.id).await {
        Ok(()) => answer(&s, &caller, &scope, r.id, StatusCode::OK, Vec::new()).await,
        Err(e) => caller.store_fail(e),
    }
}

/// 审核会议记录 / Review a record
///
/// The superior organization accepts a submitted record or returns it with a reason. A record of
/// the caller's own organization (visible, but not the caller's to review) is 403; a record not
/// waiting for review is 409.
#[utoipa::path(
    post, path = "/api/v1/life/records/{id}/review", operation_id = "reviewLifeRecord", tag = "life",
    params(("id" = i64, Path, description = "会议记录 ID")),
    request_body = LifeReviewIn,
    responses(
        (status = 200, description = "The record, accepted or returned", body = LifeRecord),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn review(
    State(s): State<Shared>,
    caller: ApiCaller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let scope = tri!(caller.require(Perm::ReviewLife));
    let read_scope = caller.scope_for(Perm::ReadLife);
    let r = tri!(read(&s, &caller, &read_scope, id).await).record;
    if !can_review(&caller, &r.path) {
        return crate::problem(
            StatusCode::FORBIDDEN,
            "无权审核",
            &format!("会议记录由上级党组织审核：您不能审核{}的记录，请由其上级党组织审核。", r.org_name),
        );
    }
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let accept = match f.flag("accept", "审核结论") {
        Given::Value(v) => Some(v),
        Given::Bad => None,
        Given::Absent | Given::Null => {
            f.errors.push(ApiFieldError::new("审核结论", "不能为空：accept 为 true（通过）或 false（退回）"));
            None
        }
    };
    let reason = f.text("reason", "退回原因").value().unwrap_or_default();
    if accept == Some(false) && reason.trim().is_empty() {
        f.errors.push(ApiFieldError::new("退回原因", "退回时请写明原因"));
    }
    tri!(f.check(&["审核结论", "退回原因"]));
    let Some(accept) = accept else { return caller.not_found() };
    match store::life::review(&s.store, &scope, r.id, accept, &reason).await {
        Ok(()) => answer(&s, &caller, &read_scope, r.id, StatusCode::OK, Vec::new()).await,
        Err(e) => caller.store_fail(e),
    }
}

// ---------------------------------------------------------------------------------------------
// The roster on a date

/// One member on the roster of a date.
#[derive(Serialize, ToSchema)]
pub struct LifeRosterEntry {
    pub member_id: i64,
    pub name: String,
    /// A full member on that date (预备党员 attend but do not vote).
    pub voter: bool,
    /// Holds a committee post (attends 支部委员会会议).
    pub committee: bool,
}

/// Who belonged to an organization (with its 党小组) on a date.
#[derive(Serialize, ToSchema)]
pub struct LifeRoster {
    pub org_id: i64,
    pub org_name: String,
    pub date: NaiveDate,
    /// Members on that date.
    pub total: i64,
    /// Of those, with a vote.
    pub voters: i64,
    /// Of those, committee members.
    pub committee: i64,
    pub members: Vec<LifeRosterEntry>,
}

/// The date of a roster.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RosterParams {
    /// The meeting's date (default: today).
    date: Option<NaiveDate>,
}

/// 会议当日名册 / The roster on a date
///
/// The members of an organization (and its 党小组) on a date — names, ids and the voter and
/// committee flags only — so a client can fill a record's attendance.
#[utoipa::path(
    get, path = "/api/v1/orgs/{id}/roster", operation_id = "orgRoster", tag = "life",
    params(("id" = i64, Path, description = "党组织 ID"), RosterParams),
    responses(
        (status = 200, description = "The roster", body = LifeRoster),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn roster(
    State(s): State<Shared>,
    caller: ApiCaller,
    id: Result<Path<i64>, PathRejection>,
    q: Params,
) -> Response {
    let scope = tri!(caller.require(Perm::RecordLife));
    let Ok(Path(id)) = id else { return caller.not_found() };
    let org = match store::org::get(&s.store, &scope, id).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let mut errs = Vec::new();
    let date = q_date(&q, "date", &mut errs).unwrap_or_else(today);
    tri!(check(errs));
    match store::life::roster(&s.store, &scope, org.id, date).await {
        Ok(entries) => json(
            StatusCode::OK,
            &LifeRoster {
                org_id: org.id,
                org_name: org.name.clone(),
                date,
                total: entries.len() as i64,
                voters: entries.iter().filter(|e| e.voter).count() as i64,
                committee: entries.iter().filter(|e| e.committee).count() as i64,
                members: entries
                    .into_iter()
                    .map(|e| LifeRosterEntry {
                        member_id: e.member_id,
                        name: e.name,
                        voter: e.voter,
                        committee: e.committee,
                    })
                    .collect(),
            },
        ),
        Err(e) => caller.fail(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Types and rules

/// A type of organization life.
#[derive(Serialize, ToSchema)]
pub struct LifeTypeOut {
    #[schema(example = "branch_assembly")]
    pub code: String,
    #[schema(example = "支部党员大会")]
    pub label: String,
    #[schema(schema_with = roster_schema)]
    pub roster: String,
    #[schema(schema_with = quorum_schema)]
    pub quorum: String,
    /// Resolutions may be voted on.
    pub votes: bool,
    /// A lecturer (授课人) is required.
    pub lecturer: bool,
    pub sort: i64,
    /// The rule its quorum check cites.
    pub rule: String,
    /// Added by this deployment (not shipped).
    pub local: bool,
}

/// 组织生活类型 / Types of organization life
///
/// The shipped types and the deployment's local ones, in display order.
#[utoipa::path(
    get, path = "/api/v1/life/types", operation_id = "lifeTypes", tag = "life",
    responses(
        (status = 200, description = "The types", body = Vec<LifeTypeOut>),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
    )
)]
pub async fn types(State(s): State<Shared>, caller: ApiCaller) -> Response {
    tri!(caller.require(Perm::ReadLife));
    let types = tri!(all_types(&s, &caller).await);
    let out: Vec<LifeTypeOut> = types
        .into_iter()
        .map(|t| LifeTypeOut {
            roster: t.roster.code().into(),
            quorum: t.quorum.code().into(),
            code: t.code,
            label: t.label,
            votes: t.votes,
            lecturer: t.lecturer,
            sort: t.sort,
            rule: t.rule,
            local: t.local,
        })
        .collect();
    json(StatusCode::OK, &out)
}

/// One version of a frequency rule.
#[derive(Serialize, ToSchema)]
pub struct LifeRuleOut {
    /// The database id of a local version; `null` for a shipped (national) one.
    pub id: Option<i64>,
    #[schema(example = "LIFE-01")]
    pub rule_id: String,
    #[schema(example = "branch_assembly")]
    pub type_code: String,
    #[schema(example = "支部党员大会")]
    pub type_label: String,
    /// The kinds of organization it applies to.
    #[schema(schema_with = applies_schema)]
    pub applies: Vec<String>,
    #[schema(example = "党支部")]
    pub applies_label: String,
    #[schema(schema_with = period_schema)]
    pub period: String,
    /// At least this many per period (0 lifts the requirement).
    pub min: i64,
    /// The requirement in words.
    #[schema(example = "每季度至少 1 次")]
    pub requirement: String,
    pub valid_from: NaiveDate,
    /// Valid until this day (exclusive); `null`: still in force.
    pub valid_to: Option<NaiveDate>,
    #[schema(schema_with = severity_schema)]
    pub severity: String,
    /// The organization whose subtree a local version covers; `null`: nationwide.
    pub scope_org_id: Option<i64>,
    pub scope_org_name: Option<String>,
    #[schema(example = "《中国共产党支部工作条例（试行）》")]
    pub source: String,
    #[schema(example = "第十一条")]
    pub article: String,
    /// How certain the rule is: H (the text says so), M, L (local practice).
    #[schema(example = "H")]
    pub confidence: String,
}

/// Does a rule version concern the caller: nationwide, or local to an organization in the scope
/// or above it (local versions elsewhere are not shown)?
pub(crate) fn rule_concerns(scope: &Scope, r: &LifeRule) -> bool {
    match r.org_path.as_deref() {
        None => true,
        Some(p) => scope.contains(p) || scope.roots().iter().any(|root| domain::path::is_within(root, p)),
    }
}

/// 组织生活规则 / Frequency rules
///
/// Every version of every frequency rule that concerns the caller: the national ones, and local
/// versions for organizations in the caller's scope or above it, each with its dates, scope,
/// source and article.
#[utoipa::path(
    get, path = "/api/v1/life/rules", operation_id = "lifeRules", tag = "life",
    responses(
        (status = 200, description = "The rule versions", body = Vec<LifeRuleOut>),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
    )
)]
pub async fn rules(State(s): State<Shared>, caller: ApiCaller) -> Response {
    let scope = tri!(caller.require(Perm::ReadLife));
    let types = tri!(all_types(&s, &caller).await);
    let rules = match store::life::rules(&s.store).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    let out: Vec<LifeRuleOut> = rules
        .iter()
        .filter(|r| rule_concerns(&scope, r))
        .map(|r| LifeRuleOut {
            id: r.id,
            rule_id: r.rule_id.clone(),
            type_code: r.type_code.clone(),
            type_label: dl::type_of(&types, &r.type_code).map_or_else(|| r.type_code.clone(), |t| t.label.clone()),
            applies: r.applies.iter().map(|a| a.code().to_string()).collect(),
            applies_label: Applies::labels(&r.applies),
            period: r.period.code().into(),
            min: r.min,
            requirement: r.describe(),
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            severity: crate::pages::sev_code(r.severity).into(),
            scope_org_id: r.org_id,
            scope_org_name: r.org_name.clone(),
            source: r.source.clone(),
            article: r.article.clone(),
            confidence: r.confidence.clone(),
        })
        .collect();
    json(StatusCode::OK, &out)
}

// ---------------------------------------------------------------------------------------------
// Findings and compliance

/// A record cited as evidence, with why it was or was not counted.
#[derive(Serialize, ToSchema)]
pub struct LifeEvidenceRecord {
    pub id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    #[schema(example = "计入")]
    pub note: String,
}

/// Why a finding was made.
#[derive(Serialize, ToSchema)]
pub struct LifeEvidence {
    /// The rule as applied.
    #[schema(example = "LIFE-01：每季度至少 1 次（2018-10-28 起施行）")]
    pub requirement: String,
    /// Records counted toward the requirement.
    pub counted: Vec<LifeEvidenceRecord>,
    /// Records not counted, each with the reason.
    pub excluded: Vec<LifeEvidenceRecord>,
}

impl From<dl::Evidence> for LifeEvidence {
    fn from(e: dl::Evidence) -> Self {
        let rec =
            |r: dl::EvidenceRecord| LifeEvidenceRecord { id: r.id, held_on: r.held_on, title: r.title, note: r.note };
        LifeEvidence {
            requirement: e.requirement,
            counted: e.counted.into_iter().map(rec).collect(),
            excluded: e.excluded.into_iter().map(rec).collect(),
        }
    }
}

/// A finding of the compliance engine, explainable: the rule, the period, the evidence.
#[derive(Serialize, ToSchema)]
pub struct LifeFinding {
    /// The stored finding's id (findings of the daily job); `null` in a live evaluation.
    pub id: Option<i64>,
    pub org_id: i64,
    pub org_name: String,
    #[schema(schema_with = finding_kind_schema)]
    pub kind: String,
    #[schema(example = "未按期召开")]
    pub kind_label: String,
    #[schema(example = "LIFE-01")]
    pub rule_id: String,
    /// The rule's source and article.
    pub source: String,
    #[schema(schema_with = severity_schema)]
    pub severity: String,
    /// The type of meeting concerned, if any.
    pub type_code: Option<String>,
    /// The period concerned (`2026-Q1`), if any.
    pub period_key: Option<String>,
    #[schema(example = "2026年第一季度")]
    pub period_label: Option<String>,
    /// The record concerned, if any.
    pub record_id: Option<i64>,
    pub message: String,
    pub evidence: LifeEvidence,
    /// The day the daily job computed it; `null` in a live evaluation.
    pub computed_on: Option<NaiveDate>,
}

fn live_finding(f: &dl::Finding, org_name: &str) -> LifeFinding {
    LifeFinding {
        id: None,
        org_id: f.org_id,
        org_name: org_name.to_string(),
        kind: f.kind.code().into(),
        kind_label: f.kind.label().into(),
        rule_id: f.rule_id.clone(),
        source: f.source.clone(),
        severity: crate::pages::sev_code(f.severity).into(),
        type_code: f.type_code.clone(),
        period_key: f.period_key.clone(),
        period_label: f.period_label.clone(),
        record_id: f.record_id,
        message: f.message.clone(),
        evidence: f.evidence.clone().into(),
        computed_on: None,
    }
}

/// One page of the daily job's findings.
#[derive(Serialize, ToSchema)]
pub struct LifeFindingList {
    /// The organization whose subtree is listed.
    pub org_id: i64,
    /// The day the daily job last ran (`null`: never).
    pub last_run: Option<NaiveDate>,
    pub items: Vec<LifeFinding>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of the findings.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FindingListParams {
    /// The organization whose whole subtree is listed; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// Only findings of this kind, by code or label.
    kind: Option<String>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 组织生活检查结果 / Findings of the daily job
///
/// What the daily compliance job found in an organization's subtree at its last run, errors
/// first, each with its rule, period and evidence.
#[utoipa::path(
    get, path = "/api/v1/life/findings", operation_id = "lifeFindings", tag = "life",
    params(FindingListParams),
    responses(
        (status = 200, description = "One page of findings", body = LifeFindingList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn findings(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    let scope = tri!(caller.require(Perm::ReadLife));
    let mut errs = Vec::new();
    let org_id = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    let kind = match q.get("kind") {
        "" => None,
        v => {
            let k = FindingKind::ALL.into_iter().find(|k| k.code() == v || k.label() == v);
            if k.is_none() {
                let all = FindingKind::ALL.iter().map(|k| format!("{}（{}）", k.code(), k.label()));
                errs.push(ApiFieldError::new(
                    "kind",
                    format!("“{v}”无效，应为 {}", all.collect::<Vec<_>>().join("、")),
                ));
            }
            k
        }
    };
    tri!(check(errs));
    let org = tri!(org_param(&s, &caller, &scope, org_id, Perm::ReadLife).await);
    let last_run = match store::life::last_run(&s.store).await {
        Ok(r) => r.map(|(d, _)| d),
        Err(e) => return caller.fail(e),
    };
    match store::life::findings(&s.store, &org, kind, page, per_page).await {
        Ok(p) => {
            let items = p
                .items
                .into_iter()
                .map(|f| LifeFinding {
                    id: Some(f.id),
                    kind_label: f.kind_label().into(),
                    evidence: f.evidence().into(),
                    org_id: f.org_id,
                    org_name: f.org_name,
                    kind: f.kind,
                    rule_id: f.rule_id,
                    source: f.source,
                    severity: f.severity,
                    type_code: f.type_code,
                    period_key: f.period_key,
                    period_label: f.period_label,
                    record_id: f.record_id,
                    message: f.message,
                    computed_on: Some(f.computed_on),
                })
                .collect();
            json(StatusCode::OK, &LifeFindingList { org_id: org.id, last_run, items, total: p.total, page, per_page })
        }
        Err(e) => caller.fail(e),
    }
}

/// One period of one type for one organization.
#[derive(Serialize, ToSchema)]
pub struct LifeCell {
    /// `2026-03`, `2026-Q1`, `2026`.
    #[schema(example = "2026-Q1")]
    pub key: String,
    #[schema(example = "2026年第一季度")]
    pub label: String,
    #[schema(schema_with = period_schema)]
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    #[schema(schema_with = cell_state_schema)]
    pub state: String,
    /// Meetings counted.
    pub held: i64,
    /// Required.
    pub min: i64,
    /// The rule version that governs the period.
    pub rule_id: String,
    /// The records counted.
    pub records: Vec<i64>,
}

/// One type's periods for one organization.
#[derive(Serialize, ToSchema)]
pub struct LifeLine {
    pub type_code: String,
    pub label: String,
    /// Periods that fell due (over, or already met).
    pub due: i64,
    /// Of those, met.
    pub met: i64,
    pub cells: Vec<LifeCell>,
}

/// How one organization stands.
#[derive(Serialize, ToSchema)]
pub struct LifeOrgCompliance {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = org_kind_schema)]
    pub kind: String,
    /// Periods due, over all types.
    pub due: i64,
    /// Of those, met.
    pub met: i64,
    /// Met share of due periods in percent (one decimal); `null` when nothing fell due.
    pub rate: Option<f64>,
    /// Meetings counted in the range.
    pub held: i64,
    /// The last recorded activity.
    pub last_activity: Option<NaiveDate>,
    pub lines: Vec<LifeLine>,
    pub findings: Vec<LifeFinding>,
}

/// Totals over a subtree.
#[derive(Serialize, ToSchema)]
pub struct LifeTotals {
    pub due: i64,
    pub met: i64,
    pub rate: Option<f64>,
    pub held: i64,
    pub findings: i64,
}

/// Totals over a child organization's subtree.
#[derive(Serialize, ToSchema)]
pub struct LifeChildTotals {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = org_kind_schema)]
    pub kind: String,
    /// Organizations in its subtree that were judged.
    pub orgs: i64,
    pub due: i64,
    pub met: i64,
    pub rate: Option<f64>,
    pub held: i64,
    pub findings: i64,
}

/// A live compliance evaluation of a subtree.
#[derive(Serialize, ToSchema)]
pub struct LifeCompliance {
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    /// The quarter judged, or `null` for the whole year.
    pub quarter: Option<u32>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Periods ending before this day are over.
    pub as_of: NaiveDate,
    /// Organizations judged (the subtree's, those that existed in the range).
    pub orgs_total: i64,
    /// Records read.
    pub records: i64,
    /// The whole subtree.
    pub totals: LifeTotals,
    /// Each direct child's subtree.
    pub children: Vec<LifeChildTotals>,
    /// Whether `orgs` was left out (see the `children_only` parameter).
    pub children_only: bool,
    /// Each organization of the subtree in tree order, a page at a time (empty with
    /// `children_only`).
    pub orgs: Vec<LifeOrgCompliance>,
    pub page: i64,
    pub per_page: i64,
}

/// Subtrees larger than this answer with the children's totals only, unless asked otherwise.
pub const CHILDREN_ONLY_ABOVE: usize = 200;

/// Query parameters of the compliance evaluation.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ComplianceParams {
    /// The organization whose whole subtree is judged; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// The year (default: this year).
    year: Option<i32>,
    /// Only this quarter of the year, 1 to 4.
    quarter: Option<u32>,
    /// Leave out the per-organization detail (`orgs`) and answer with the totals of the subtree
    /// and of each direct child only. Default: `true` when the subtree has more than 200
    /// organizations, `false` otherwise.
    children_only: Option<bool>,
    /// Page of `orgs`, from 1.
    page: Option<i64>,
    /// Organizations per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

fn rate(due: i64, met: i64) -> Option<f64> {
    (due > 0).then(|| (met as f64 * 1000.0 / due as f64).round() / 10.0)
}

/// 组织生活达标情况 / Compliance of a subtree
///
/// Judges every organization of a subtree for a year or a quarter, now: for each type the due
/// periods (months, quarters, the year) against the meetings held, under the rule version in
/// force in each period (local overrides included), with the findings and their evidence.
#[utoipa::path(
    get, path = "/api/v1/life/compliance", operation_id = "lifeCompliance", tag = "life",
    params(ComplianceParams),
    responses(
        (status = 200, description = "The evaluation", body = LifeCompliance),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn compliance(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    let scope = tri!(caller.require(Perm::ReadLife));
    let today = today();
    let mut errs = Vec::new();
    let org_id = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    let year = match q.get("year") {
        "" => today.year(),
        v => match v.parse::<i32>() {
            Ok(y) if (2000..=today.year() + 1).contains(&y) => y,
            _ => {
                errs.push(ApiFieldError::new(
                    "year",
                    format!("“{v}”无效，应为 2000 到 {} 之间的年份", today.year() + 1),
                ));
                today.year()
            }
        },
    };
    let quarter = match q.get("quarter") {
        "" => None,
        v => match v.parse::<u32>() {
            Ok(n) if (1..=4).contains(&n) => Some(n),
            _ => {
                errs.push(ApiFieldError::new("quarter", format!("“{v}”无效，应为 1 到 4")));
                None
            }
        },
    };
    let asked_children_only = match q.get("children_only") {
        "" => None,
        _ => Some(q.flag("children_only", false, &mut errs)),
    };
    tri!(check(errs));
    let org = tri!(org_param(&s, &caller, &scope, org_id, Perm::ReadLife).await);
    let (from, to) = match quarter {
        Some(n) => {
            let p = dl::Period::containing(
                PeriodKind::Quarter,
                NaiveDate::from_ymd_opt(year, n * 3 - 2, 1).unwrap_or(today),
            );
            (p.start, p.end)
        }
        None => {
            let p = dl::Period::containing(PeriodKind::Year, NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today));
            (p.start, p.end)
        }
    };
    let ev = match store::life::evaluate(&s.store, &org, from, to, today, None).await {
        Ok(ev) => ev,
        Err(e) => return caller.fail(e),
    };
    let children_only = asked_children_only.unwrap_or(ev.orgs.len() > CHILDREN_ONLY_ABOVE);
    let names: std::collections::HashMap<i64, &str> = ev.orgs.iter().map(|o| (o.id, o.name.as_str())).collect();
    let (due, met, held, found) = ev.totals_under(&org.path);
    let children = ev
        .orgs
        .iter()
        .filter(|o| domain::path::parent(&o.path) == Some(org.path.as_str()))
        .map(|c| {
            let (due, met, held, findings) = ev.totals_under(&c.path);
            LifeChildTotals {
                id: c.id,
                name: c.name.clone(),
                kind: c.kind.code().into(),
                orgs: ev.orgs.iter().filter(|o| domain::path::is_within(&o.path, &c.path)).count() as i64,
                due,
                met,
                rate: rate(due, met),
                held,
                findings: findings as i64,
            }
        })
        .collect();
    let orgs = if children_only {
        Vec::new()
    } else {
        let pairs: Vec<(&dl::OrgLife, &dl::OrgCompliance)> = ev.orgs.iter().zip(&ev.results).collect();
        page_of(pairs, page, per_page)
            .into_iter()
            .map(|(o, r)| LifeOrgCompliance {
                id: o.id,
                name: o.name.clone(),
                kind: o.kind.code().into(),
                due: r.due,
                met: r.met,
                rate: rate(r.due, r.met),
                held: r.held,
                last_activity: r.last_activity,
                lines: r
                    .lines
                    .iter()
                    .map(|l| LifeLine {
                        type_code: l.type_code.clone(),
                        label: l.label.clone(),
                        due: l.due,
                        met: l.met,
                        cells: l
                            .cells
                            .iter()
                            .map(|c| LifeCell {
                                key: c.key.clone(),
                                label: c.label.clone(),
                                period: c.period.kind.code().into(),
                                start: c.period.start,
                                end: c.period.end,
                                state: c.state.code().into(),
                                held: c.held,
                                min: c.min,
                                rule_id: c.rule_id.clone(),
                                records: c.records.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                findings: r
                    .findings
                    .iter()
                    .map(|f| live_finding(f, names.get(&f.org_id).copied().unwrap_or("")))
                    .collect(),
            })
            .collect()
    };
    json(
        StatusCode::OK,
        &LifeCompliance {
            org_id: org.id,
            org_name: org.name.clone(),
            year,
            quarter,
            from,
            to,
            as_of: today,
            orgs_total: ev.orgs.len() as i64,
            records: ev.records as i64,
            totals: LifeTotals { due, met, rate: rate(due, met), held, findings: found as i64 },
            children,
            children_only,
            orgs,
            page,
            per_page,
        },
    )
}
