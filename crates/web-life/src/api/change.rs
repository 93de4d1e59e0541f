//! Input: creating, replacing, submitting and reviewing records.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use domain::life::{self as dl, LifeType};
use domain::org::Org;
use store::Visible;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::input::{self, Fields, Given};
use web_core::api::{ApiCaller, ApiFieldError};
use web_core::pages::today;
use web_core::tri;
use web_core::Shared;

use super::*;

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
    /// 授课人的党员编号: a member of the roster of the meeting's date or an officer (班子成员) of
    /// the organization or one above it (the 党委（党组）书记's own 党课 is judged by it, LIFE-06S).
    /// Left out: matched by the lecturer's name among those officers and the roster.
    lecturer_member_id: Option<i64>,
    /// 所属年度: the year the meeting counts for. Left out: the year of the meeting, or the
    /// previous year for a yearly meeting (组织生活会, 民主评议党员 …) held within the window at the
    /// start of a year (LIFE-18, shipped 01-01 to 03-31).
    #[schema(example = 2025)]
    belongs_to_year: Option<i32>,
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
/// are emptied) with the `version` it was read at. Only drafts and returned records may be
/// changed; the record becomes a draft.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LifeRecordUpdate {
    /// 记录版本: the `version` of the record as read (`GET /api/v1/life/records/{id}`). Required:
    /// when it is no longer the stored one (someone changed, submitted or reviewed the record
    /// meanwhile), nothing is saved and the answer is 409.
    version: i64,
    types: Vec<String>,
    title: String,
    held_on: NaiveDate,
    start_time: Option<String>,
    end_time: Option<String>,
    place: String,
    host: String,
    recorder: String,
    lecturer: Option<String>,
    lecturer_member_id: Option<i64>,
    belongs_to_year: Option<i32>,
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
pub const LIFE_FIELDS: &[(&str, &str)] = domain::life::RECORD_FIELDS;

const ORG_LABEL: &str = "党组织";
const SUBMIT_LABEL: &str = "提交审核";
/// As the member and organization edits name it.
const VERSION_LABEL: &str = "记录版本";

fn label(key: &str) -> &'static str {
    LIFE_FIELDS.iter().find(|(k, _)| *k == key).map_or("", |(_, l)| l)
}

/// The labels in the order problems are listed.
fn labels() -> Vec<&'static str> {
    [VERSION_LABEL, ORG_LABEL].into_iter().chain(LIFE_FIELDS.iter().map(|(_, l)| *l)).chain([SUBMIT_LABEL]).collect()
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
        lecturer_member_id: num(f, "lecturer_member_id", label("lecturer_member_id")),
        belongs_to_year: num(f, "belongs_to_year", label("belongs_to_year")),
        agenda: text(f, "agenda"),
        minutes: text(f, "minutes"),
        observers: text(f, "observers"),
        attendance,
        expected: num(f, "expected", label("expected")),
        present: num(f, "present", label("present")),
        leave: num(f, "leave", label("leave")),
        absent: num(f, "absent", label("absent")),
        resolutions,
        // the record change takes its version separately (creating a record has none)
        version: None,
    }
}

/// Check everything at once (the store checks again when saving): the body's shape, the
/// organization, and the domain's entry checks against the roster on the meeting's date. Without
/// a known organization, the checks that depend on its roster are left for later.
async fn prevalidate(
    s: &Shared,
    caller: &ApiCaller,
    f: &mut Fields,
    org: Option<&Visible<Org>>,
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
        (Some(o), Some(d)) => service::life::roster::on(&s.store, caller, o, d).await.map_err(|e| caller.fail(e))?,
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
    tri!(caller.require(Perm::RecordLife));
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = match f.int("org_id", ORG_LABEL) {
        Given::Value(id) => match caller.ctx.org(&s.store, Perm::RecordLife, id).await {
            Ok((_, o)) => Some(o),
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
    tri!(prevalidate(&s, &caller, &mut f, org.as_ref(), &input, &types).await);
    let Some(org) = org else { return caller.not_found() };
    match service::life::records::create(&s.store, &caller, org.id, &input, submit).await {
        Ok(saved) => {
            let mut res = answer(&s, &caller, saved.id, StatusCode::CREATED, saved.warnings).await;
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
/// The whole record again (fields left out are emptied; the organization stays) with the
/// `version` it was read at: without it the change is refused (422, naming 记录版本), and when
/// the record changed meanwhile (edited, submitted, reviewed) nothing is saved (409). Only a
/// draft or a returned record may be changed (409 otherwise); it becomes a draft, to be submitted
/// again.
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
    tri!(caller.require(Perm::RecordLife));
    let old = tri!(read_for_recording(&s, &caller, id).await).record;
    let state = old.state();
    if !state.editable() {
        return caller
            .fail(store::StoreError::Refused(format!("记录{}，不能修改；如需更正请由上级党组织退回", state.label())));
    }
    let org = match service::life::records::organization(&s.store, &caller, &old).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let types = tri!(all_types(&s, &caller).await);
    let version = match f.int("version", VERSION_LABEL) {
        Given::Value(v) => Some(v),
        Given::Bad => None,
        Given::Absent | Given::Null => {
            f.errors.push(ApiFieldError::new(
                VERSION_LABEL,
                "不能为空：请用 version 附上读取记录时的版本号，以免覆盖他人在此期间的修改",
            ));
            None
        }
    };
    let mut input = record_input(&mut f, &types);
    input.version = version;
    tri!(prevalidate(&s, &caller, &mut f, Some(&org), &input, &types).await);
    match service::life::records::update(&s.store, &caller, old.id, &input).await {
        Ok(saved) => answer(&s, &caller, saved.id, StatusCode::OK, saved.warnings).await,
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
    tri!(caller.require(Perm::RecordLife));
    let r = tri!(read_for_recording(&s, &caller, id).await).record;
    match service::life::records::submit(&s.store, &caller, r.id).await {
        Ok(()) => answer(&s, &caller, r.id, StatusCode::OK, Vec::new()).await,
        Err(e) => caller.service_fail(e),
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
    tri!(caller.require(Perm::ReviewLife));
    let r = tri!(read(&s, &caller, id).await).record;
    if let Err(e) = service::life::records::check_reviewer(&caller, &r) {
        return caller.service_fail(e);
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
    match service::life::records::review(&s.store, &caller, r.id, accept, &reason).await {
        Ok(()) => answer(&s, &caller, r.id, StatusCode::OK, Vec::new()).await,
        Err(e) => caller.service_fail(e),
    }
}
