//! 第一书记、党建工作指导员 and 支部联系人 through the API: the postings of a subtree, a posting
//! with its days, log and assessments, posting a person, writing a log entry and a month's days
//! (a manager, or the person posted), assessing; the contacts of a subtree with the year's
//! attendance and the problem lists, and assigning a contact. The same use cases as the pages
//! (`service::first_secretary`, `service::contact_person`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use domain::contact_person::AssignInput;
use domain::first_secretary::{AssessInput, DaysInput, Kind, LogInput, PostingInput, Status};
use serde::Serialize;
use store::first_secretary::Posting;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::input::{bytes, Fields};
use web_core::api::{check, doc, json, ApiCaller, Params};
use web_core::enum_schemas;
use web_core::pages::today;
use web_core::{tri, Shared};

enum_schemas!(kind_schema, kind_schema_opt, Kind, "选派类别");
enum_schemas!(status_schema, status_schema_opt, Status, "选派状态");

/// A posting as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct PostingOut {
    pub id: i64,
    pub name: String,
    pub member_id: Option<i64>,
    pub sending_unit: String,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    pub kind_label: String,
    /// The receiving organizations' ids and names.
    pub org_ids: Vec<i64>,
    pub org_names: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// Duty codes (FS-03 / FS-13).
    pub duties: Vec<String>,
    /// Where it stands today (a posting in post past its end is `expired`).
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub status_label: String,
    pub ended_on: Option<String>,
    pub end_reason: String,
    pub version: i64,
}

fn out(p: &Posting) -> PostingOut {
    let st = p.status_on(today());
    PostingOut {
        id: p.id,
        name: p.name.clone(),
        member_id: p.member_id,
        sending_unit: p.sending_unit.clone(),
        kind: p.kind.clone(),
        kind_label: p.kind_label().into(),
        org_ids: p.orgs.iter().map(|o| o.id).collect(),
        org_names: p.orgs.iter().map(|o| o.name.clone()).collect(),
        starts_on: p.starts_on.to_string(),
        ends_on: p.ends_on.to_string(),
        duties: p.duties().iter().map(|d| d.code().to_string()).collect(),
        status: st.code().into(),
        status_label: st.label().into(),
        ended_on: p.ended_on.map(|d| d.to_string()),
        end_reason: p.end_reason.clone(),
        version: p.version,
    }
}

/// One page of postings.
#[derive(Serialize, ToSchema)]
pub struct PostingList {
    pub org_id: i64,
    pub items: Vec<PostingOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A month's days there.
#[derive(Serialize, ToSchema)]
pub struct DaysOut {
    pub month: String,
    pub days: i64,
    /// The monthly minimum in force (FS-07 / FS-13) and whether the month falls short of it.
    pub min: i64,
    pub short: bool,
    pub note: String,
}

/// A work-log entry.
#[derive(Serialize, ToSchema)]
pub struct LogOut {
    pub id: i64,
    pub on: String,
    pub duty: String,
    pub content: String,
    pub by: String,
}

/// An assessment (FS-12).
#[derive(Serialize, ToSchema)]
pub struct AssessmentOut {
    pub kind: String,
    pub year: i64,
    pub grade: String,
    pub grade_label: String,
    pub absences: i64,
    pub note: String,
}

/// A posting with everything its page shows (the latest 50 log entries).
#[derive(Serialize, ToSchema)]
pub struct PostingDetail {
    pub posting: PostingOut,
    pub days: Vec<DaysOut>,
    pub logs: Vec<LogOut>,
    pub logs_total: i64,
    pub assessments: Vec<AssessmentOut>,
    /// End it, assess it (管理分类定级 over a receiving organization).
    pub may_manage: bool,
    /// Write its log and days (a manager, or the person posted).
    pub may_log: bool,
}

async fn detail(s: &Shared, caller: &ApiCaller, id: i64, status: StatusCode) -> Response {
    match service::first_secretary::get(&s.store, caller, id, today(), 50, 0).await {
        Ok(r) => {
            let d = PostingDetail {
                posting: out(&r.posting),
                days: r
                    .days
                    .iter()
                    .map(|d| DaysOut {
                        month: d.month.clone(),
                        days: d.days,
                        min: d.min,
                        short: d.short,
                        note: d.note.clone(),
                    })
                    .collect(),
                logs: r
                    .logs
                    .iter()
                    .map(|l| LogOut {
                        id: l.id,
                        on: l.logged_on.to_string(),
                        duty: l.duty.clone(),
                        content: l.content.clone(),
                        by: l.created_by.clone(),
                    })
                    .collect(),
                logs_total: r.logs_total,
                assessments: r
                    .assessments
                    .iter()
                    .map(|a| AssessmentOut {
                        kind: a.kind.clone(),
                        year: a.year,
                        grade: a.grade.clone(),
                        grade_label: a.grade_label().into(),
                        absences: a.absences,
                        note: a.note.clone(),
                    })
                    .collect(),
                may_manage: r.may_manage,
                may_log: r.may_log,
            };
            let mut res = json(status, &d);
            if status == StatusCode::CREATED {
                if let Ok(h) = format!("/api/v1/first-secretaries/{id}").parse() {
                    res.headers_mut().insert(header::LOCATION, h);
                }
            }
            res
        }
        Err(e) => caller.service_fail(e),
    }
}

/// Query parameters of the list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PostingListParams {
    /// The organization whose subtree is listed; may be left out with a single top organization.
    org: Option<i64>,
    /// 选派类别, by code or label.
    kind: Option<String>,
    /// 状态: `in_post`, `expired`, `recalled`.
    status: Option<String>,
    /// Only those in post whose term ends within this many days.
    ending: Option<i64>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// 第一书记与党建工作指导员 / Postings
///
/// The postings with a receiving organization in an organization's subtree, soonest ending first.
#[utoipa::path(
    get, path = "/api/v1/first-secretaries", operation_id = "firstSecretaries", tag = "grading",
    params(PostingListParams),
    responses(
        (status = 200, description = "One page", body = PostingList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn list(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadGrading));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let org = match org {
        Some(o) => o,
        None => tri!(caller.default_org(Perm::ReadGrading)).id,
    };
    let f = match service::first_secretary::filter(q.get("kind"), q.get("status"), q.get("ending")) {
        Ok(f) => f,
        Err(e) => return caller.service_fail(e),
    };
    match service::first_secretary::list(&s.store, &caller, org, &f, today(), per_page, (page - 1) * per_page).await {
        Ok((rows, total)) => json(
            StatusCode::OK,
            &PostingList { org_id: org, items: rows.iter().map(out).collect(), total, page, per_page },
        ),
        Err(e) => caller.service_fail(e),
    }
}

/// A posting as `POST /api/v1/first-secretaries` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PostingIn {
    name: String,
    /// The member's id when the person is a member of the platform.
    member_id: Option<i64>,
    sending_unit: String,
    /// `village`, `instructor`, `firm_leader` (or the label).
    kind: String,
    /// One village organization; up to three non-public firms' organizations (FS-13).
    org_ids: Vec<i64>,
    starts_on: String,
    /// Default: the usual term (FS-06); one to three years (FS-02).
    ends_on: Option<String>,
    /// Duty codes; default every duty of the kind.
    duties: Option<Vec<String>>,
}

/// 登记选派 / Post a person
#[utoipa::path(
    post, path = "/api/v1/first-secretaries", operation_id = "createFirstSecretary", tag = "grading",
    request_body = PostingIn,
    responses(
        (status = 201, description = "The posting", body = PostingDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn create(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::ManageGrading));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let input = PostingInput {
        name: f.text("name", "姓名").value().unwrap_or_default(),
        member_id: f.int("member_id", "党员").value().map(|m| m.to_string()).unwrap_or_default(),
        sending_unit: f.text("sending_unit", "派出单位").value().unwrap_or_default(),
        kind: f.text("kind", "选派类别").value().unwrap_or_default(),
        org_ids: f.ids("org_ids", "派驻党组织").value().unwrap_or_default().iter().map(|i| i.to_string()).collect(),
        starts_on: f.text("starts_on", "选派日期").value().unwrap_or_default(),
        ends_on: f.text("ends_on", "期满日期").value().unwrap_or_default(),
        duties: f.texts("duties", "工作职责").value().unwrap_or_default(),
    };
    if let Err(e) = input.validate() {
        f.add_domain(&e);
    }
    tri!(f.check(&["姓名", "党员", "派出单位", "选派类别", "派驻党组织", "选派日期", "期满日期", "工作职责"]));
    match service::first_secretary::create(&s.store, &caller, &input).await {
        Ok(p) => detail(&s, &caller, p.id, StatusCode::CREATED).await,
        Err(e) => caller.service_fail(e),
    }
}

/// 选派记录 / One posting
#[utoipa::path(
    get, path = "/api/v1/first-secretaries/{id}", operation_id = "firstSecretary", tag = "grading",
    params(("id" = i64, Path, description = "The posting")),
    responses(
        (status = 200, description = "The posting", body = PostingDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn show(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    detail(&s, &caller, id, StatusCode::OK).await
}

/// A work-log entry.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LogIn {
    /// 日期, within the term and not after today.
    on: String,
    /// A duty code of the posting's kind.
    duty: String,
    content: String,
}

/// 工作日志 / Add a log entry
///
/// A manager, or the person posted (an account linked to the member posted).
#[utoipa::path(
    post, path = "/api/v1/first-secretaries/{id}/logs", operation_id = "addFirstSecretaryLog", tag = "grading",
    params(("id" = i64, Path, description = "The posting")),
    request_body = LogIn,
    responses(
        (status = 201, description = "The posting", body = PostingDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn add_log(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(e) = service::first_secretary::writable(&s.store, &caller, id).await {
        return caller.service_fail(e);
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let input = LogInput {
        on: f.text("on", "日期").value().unwrap_or_default(),
        duty: f.text("duty", "工作职责").value().unwrap_or_default(),
        content: f.text("content", "工作内容").value().unwrap_or_default(),
    };
    tri!(f.check(&["日期", "工作职责", "工作内容"]));
    match service::first_secretary::add_log(&s.store, &caller, id, &input, today()).await {
        Ok(_) => detail(&s, &caller, id, StatusCode::CREATED).await,
        Err(e) => caller.service_fail(e),
    }
}

/// A month's days there.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DaysIn {
    /// `2026-03`.
    month: String,
    days: i64,
    note: Option<String>,
}

/// 在岗天数 / Record a month's days
///
/// A manager, or the person posted. A month below the minimum (FS-07: 20 in the village; FS-13:
/// 10 at the firms) is flagged when read.
#[utoipa::path(
    post, path = "/api/v1/first-secretaries/{id}/days", operation_id = "setFirstSecretaryDays", tag = "grading",
    params(("id" = i64, Path, description = "The posting")),
    request_body = DaysIn,
    responses(
        (status = 200, description = "The posting", body = PostingDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn set_days(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(e) = service::first_secretary::writable(&s.store, &caller, id).await {
        return caller.service_fail(e);
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let input = DaysInput {
        month: f.text("month", "月份").value().unwrap_or_default(),
        days: f.number("days", "在岗天数").value().unwrap_or_default(),
        note: f.text("note", "说明").value().unwrap_or_default(),
    };
    tri!(f.check(&["月份", "在岗天数", "说明"]));
    match service::first_secretary::set_days(&s.store, &caller, id, &input, today()).await {
        Ok(_) => detail(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}

/// An assessment.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AssessIn {
    /// `yearly` or `term_end`.
    kind: String,
    year: i64,
    /// `excellent`, `competent`, `basic`, `incompetent` (or the label).
    grade: String,
    /// Unexcused absences found by spot checks (FS-09 caps the grade).
    absences: Option<i64>,
    note: Option<String>,
}

/// 考核 / Assess
#[utoipa::path(
    post, path = "/api/v1/first-secretaries/{id}/assessments", operation_id = "assessFirstSecretary", tag = "grading",
    params(("id" = i64, Path, description = "The posting")),
    request_body = AssessIn,
    responses(
        (status = 201, description = "The posting", body = PostingDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn assess(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageGrading));
    if let Err(e) = service::first_secretary::manageable(&s.store, &caller, id).await {
        return caller.service_fail(e);
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let input = AssessInput {
        kind: f.text("kind", "考核类别").value().unwrap_or_default(),
        year: f.number("year", "年度").value().unwrap_or_default(),
        grade: f.text("grade", "考核等次").value().unwrap_or_default(),
        absences: f.number("absences", "无故缺勤次数").value().unwrap_or_default(),
        note: f.text("note", "考核意见").value().unwrap_or_default(),
    };
    tri!(f.check(&["考核类别", "年度", "考核等次", "无故缺勤次数", "考核意见"]));
    match service::first_secretary::assess(&s.store, &caller, id, &input, today()).await {
        Ok(_) => detail(&s, &caller, id, StatusCode::CREATED).await,
        Err(e) => caller.service_fail(e),
    }
}

// ---- contact persons --------------------------------------------------------------------------

/// A current contact.
#[derive(Serialize, ToSchema)]
pub struct ContactOut {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub member_id: i64,
    pub member_name: String,
    pub member_org: String,
    pub from_on: String,
    pub to_on: Option<String>,
}

fn contact_out(a: &store::contact_person::Assignment) -> ContactOut {
    ContactOut {
        id: a.id,
        org_id: a.org_id,
        org_name: a.org_name.clone(),
        member_id: a.member_id,
        member_name: a.member_name.clone(),
        member_org: a.member_org.clone(),
        from_on: a.from_on.to_string(),
        to_on: a.to_on.map(|d| d.to_string()),
    }
}

/// Attendance of one contact at one branch in the year (CONTACT-07).
#[derive(Serialize, ToSchema)]
pub struct AttendanceOut {
    pub contact: ContactOut,
    pub from: String,
    pub to: String,
    pub held: i64,
    pub attended: i64,
    /// Attended activities of any type (CONTACT-02's visits).
    pub visits: i64,
    /// Attended ÷ held in thousandths; absent when nothing was held.
    pub rate_permille: Option<i32>,
}

/// A contact over CONTACT-01's limit.
#[derive(Serialize, ToSchema)]
pub struct OverOut {
    pub member_id: i64,
    pub member_name: String,
    pub branches: Vec<String>,
    pub limit: i64,
}

/// The contacts of a subtree: the current ones (paged), the year's attendance and the three lists.
#[derive(Serialize, ToSchema)]
pub struct ContactOverview {
    pub org_id: i64,
    pub year: i32,
    pub items: Vec<ContactOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub attendance: Vec<AttendanceOut>,
    /// Branches without a contact (the first 200) and how many there are.
    pub without_contact: Vec<String>,
    pub without_contact_total: i64,
    pub over_limit: Vec<OverOut>,
    /// Contacts below CONTACT-02's visits a year (member, branch, visits).
    pub below_visits: Vec<AttendanceOut>,
}

/// Query parameters of the contacts.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ContactParams {
    org: Option<i64>,
    /// 年度 (this year by default).
    year: Option<i32>,
    page: Option<i64>,
    per_page: Option<i64>,
}

fn att_out(a: &store::contact_person::Attendance) -> AttendanceOut {
    AttendanceOut {
        contact: contact_out(&a.assignment),
        from: a.from.to_string(),
        to: a.to.to_string(),
        held: a.held,
        attended: a.attended,
        visits: a.visits,
        rate_permille: a.rate_permille,
    }
}

/// 支部联系人 / Contact persons
#[utoipa::path(
    get, path = "/api/v1/contact-persons", operation_id = "contactPersons", tag = "grading",
    params(ContactParams),
    responses(
        (status = 200, description = "The contacts", body = ContactOverview),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn contacts(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadGrading));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let org = match org {
        Some(o) => o,
        None => tri!(caller.default_org(Perm::ReadGrading)).id,
    };
    let year = match service::contact_person::year(q.get("year"), today()) {
        Ok(y) => y,
        Err(e) => return caller.service_fail(e),
    };
    match service::contact_person::overview(&s.store, &caller, org, year, today(), per_page, (page - 1) * per_page)
        .await
    {
        Ok(o) => json(
            StatusCode::OK,
            &ContactOverview {
                org_id: org,
                year,
                items: o.current.iter().map(contact_out).collect(),
                total: o.current_total,
                page,
                per_page,
                attendance: o.attendance.iter().map(att_out).collect(),
                without_contact: o.without.iter().map(|b| b.name.clone()).collect(),
                without_contact_total: o.without_total,
                over_limit: o
                    .over
                    .iter()
                    .map(|x| OverOut {
                        member_id: x.member_id,
                        member_name: x.member_name.clone(),
                        branches: x.branches.clone(),
                        limit: x.limit,
                    })
                    .collect(),
                below_visits: o.below.iter().map(att_out).collect(),
            },
        ),
        Err(e) => caller.service_fail(e),
    }
}

/// A contact as `POST /api/v1/contact-persons` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AssignIn {
    /// The branch.
    org_id: i64,
    /// The contact: a member of the superior committee.
    member_id: i64,
    /// From (today by default); the current contact ends the day before.
    from: Option<String>,
    note: Option<String>,
}

/// 确定联系人 / Assign a contact
#[utoipa::path(
    post, path = "/api/v1/contact-persons", operation_id = "assignContactPerson", tag = "grading",
    request_body = AssignIn,
    responses(
        (status = 201, description = "The assignment", body = ContactOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn assign(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::AssessGrading));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let input = AssignInput {
        org_id: f.int("org_id", "党支部").value().map(|i| i.to_string()).unwrap_or_default(),
        member_id: f.int("member_id", "联系人").value().map(|i| i.to_string()).unwrap_or_default(),
        from: f.text("from", "起始日期").value().unwrap_or_default(),
        note: f.text("note", "备注").value().unwrap_or_default(),
    };
    if let Err(e) = input.validate(today()) {
        f.add_domain(&e);
    }
    tri!(f.check(&["党支部", "联系人", "起始日期", "备注"]));
    match service::contact_person::assign(&s.store, &caller, &input, today()).await {
        Ok(a) => json(StatusCode::CREATED, &contact_out(&a)),
        Err(e) => caller.service_fail(e),
    }
}
