//! 跟岗学习 through the API: the nominations of a subtree, nominating a member of the unit's
//! subtree (by number, or by a name that finds exactly one), one nomination with the conditions it
//! fails and the statutory retirement that decides SEC-02, and the decision of the reviewer above
//! the unit. The same use cases as the pages (`service::campaign::secondment`): 查看创建活动 to
//! read, 填报创建活动 where the unit is to nominate, 管理创建活动 at the unit's superior to decide.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::campaign::retirement::Category;
use domain::campaign::secondment::Status;
use serde::Serialize;
use service::campaign::secondment::{NominationInput, View};
use store::campaign::secondment::Nomination;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::input::{bytes, Fields, Given};
use web_core::api::{check, doc, json, ApiCaller, ApiFieldError, Params};
use web_core::enum_schemas;
use web_core::pages::today;
use web_core::{tri, Shared};

use super::{created, moment, text};

enum_schemas!(status_schema, status_schema_opt, Status, "推荐状态");
enum_schemas!(category_schema, category_schema_opt, Category, "退休年龄类别");

/// A nomination as the API gives it (the nominee's ID number is neither read nor shown).
#[derive(Serialize, ToSchema)]
pub struct SecondmentOut {
    pub id: i64,
    /// The nominating unit.
    pub org_id: i64,
    pub org_name: String,
    pub member_id: i64,
    pub member_name: String,
    pub member_org_name: String,
    /// Whose statutory retirement age applies.
    #[schema(schema_with = category_schema)]
    pub category: String,
    pub category_label: String,
    /// What the unit attests: a party-work post, release from work for the period, writing ability.
    pub party_post: bool,
    pub full_time: bool,
    pub writing: bool,
    pub starts_on: String,
    pub ends_on: String,
    pub host_unit: String,
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub status_label: String,
    /// The reviewer's reason.
    pub reason: String,
    pub created_by: String,
    pub created_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

fn nomination_out(n: &Nomination) -> SecondmentOut {
    SecondmentOut {
        id: n.id,
        org_id: n.org_id,
        org_name: n.org_name.clone(),
        member_id: n.member_id,
        member_name: n.member_name.clone(),
        member_org_name: n.member_org_name.clone(),
        category: n.category().code().into(),
        category_label: n.category().label().into(),
        party_post: n.party_post == 1,
        full_time: n.full_time == 1,
        writing: n.writing == 1,
        starts_on: n.starts_on.to_string(),
        ends_on: n.ends_on.to_string(),
        host_unit: n.host_unit.clone(),
        status: n.status().code().into(),
        status_label: n.status_label().into(),
        reason: n.reason.clone(),
        created_by: n.created_by.clone(),
        created_at: moment(&n.created_at),
        decided_by: n.decided_by.clone(),
        decided_at: n.decided_at.as_ref().map(moment),
    }
}

/// A nomination in a list, with how many conditions it fails.
#[derive(Serialize, ToSchema)]
pub struct SecondmentSummary {
    pub nomination: SecondmentOut,
    /// Conditions failed: checked today while it waits, as kept with the decision once decided.
    pub failing: usize,
}

/// One page of the nominations of units in a subtree, those waiting first.
#[derive(Serialize, ToSchema)]
pub struct SecondmentList {
    pub org_id: i64,
    pub items: Vec<SecondmentSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of the nominations.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SecondmentListParams {
    /// The organization whose subtree's nominations are listed; may be left out when the caller
    /// has a single top organization.
    org: Option<i64>,
    /// Only those waiting for a decision.
    pending: Option<bool>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 跟岗学习推荐 / Secondment nominations
///
/// The nominations of units in an organization's subtree, those waiting first, each with the
/// number of conditions it fails.
#[utoipa::path(
    get, path = "/api/v1/secondments", operation_id = "secondments", tag = "campaigns",
    params(SecondmentListParams),
    responses(
        (status = 200, description = "One page of nominations", body = SecondmentList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn secondments(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let pending = q.flag("pending", false, &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let org = match org {
        Some(o) => o,
        None => tri!(caller.default_org(Perm::ReadCampaigns)).id,
    };
    let offset = (page - 1) * per_page;
    match service::campaign::secondment::list(&s.store, &caller, org, pending, per_page, offset, today()).await {
        Ok(l) => json(
            StatusCode::OK,
            &SecondmentList {
                org_id: org,
                items: l
                    .rows
                    .iter()
                    .map(|(n, failing)| SecondmentSummary { nomination: nomination_out(n), failing: *failing })
                    .collect(),
                total: l.total,
                page,
                per_page,
            },
        ),
        Err(e) => caller.service_fail(e),
    }
}

/// A condition a nomination does not meet.
#[derive(Serialize, ToSchema)]
pub struct SecondmentFailure {
    #[schema(example = "SEC-02")]
    pub rule_id: String,
    pub label: String,
    pub explanation: String,
}

/// A condition in force.
#[derive(Serialize, ToSchema)]
pub struct SecondmentCondition {
    pub rule_id: String,
    pub describe: String,
    pub citation: String,
    pub confidence: String,
}

/// A nomination with the conditions it fails and whether the caller decides on it.
#[derive(Serialize, ToSchema)]
pub struct SecondmentDetail {
    pub nomination: SecondmentOut,
    pub failures: Vec<SecondmentFailure>,
    /// The failures are checked today (waiting) rather than kept with the decision.
    pub checked_today: bool,
    /// The statutory retirement that decides SEC-02: `2043-01-10（法定退休年龄63岁，RETIRE-02）`.
    pub retirement: String,
    /// The conditions in force today.
    pub conditions: Vec<SecondmentCondition>,
    /// The caller may decide on it (管理创建活动 at the unit's superior, while it waits).
    pub can_review: bool,
}

fn detail(v: &View) -> SecondmentDetail {
    SecondmentDetail {
        nomination: nomination_out(&v.nomination),
        failures: v
            .failures
            .iter()
            .map(|f| SecondmentFailure {
                rule_id: f.rule_id.clone(),
                label: f.label.into(),
                explanation: f.explanation.clone(),
            })
            .collect(),
        checked_today: v.live,
        retirement: v.retirement.clone(),
        conditions: v
            .conditions
            .iter()
            .map(|(r, d, c, k)| SecondmentCondition {
                rule_id: r.clone(),
                describe: d.clone(),
                citation: c.clone(),
                confidence: k.clone(),
            })
            .collect(),
        can_review: v.can_review,
    }
}

/// The nomination as read after a write.
async fn answer(s: &Shared, caller: &ApiCaller, id: i64, status: StatusCode) -> Response {
    match service::campaign::secondment::view(&s.store, caller, id, today()).await {
        Ok(v) if status == StatusCode::CREATED => created(&format!("/api/v1/secondments/{id}"), &detail(&v)),
        Ok(v) => json(status, &detail(&v)),
        Err(e) => caller.service_fail(e),
    }
}

/// A nomination as `POST /api/v1/secondments` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SecondmentCreate {
    /// 推荐单位: where the caller holds 填报创建活动.
    org_id: i64,
    /// 党员: a current member of the unit's subtree, by number …
    member_id: Option<i64>,
    /// … or by name, when exactly one member of the subtree has it (several: 422 listing them
    /// with their numbers).
    member_name: Option<String>,
    /// 跟岗开始日期.
    starts_on: String,
    /// 跟岗结束日期.
    ends_on: String,
    /// 跟岗单位.
    host_unit: Option<String>,
    /// 在党务工作岗位任职 (SEC-01).
    party_post: Option<bool>,
    /// 跟岗期间脱产 (SEC-03).
    full_time: Option<bool>,
    /// 具备一定的文字写作能力 (SEC-04).
    writing: Option<bool>,
}

const NOMINATION_LABELS: &[&str] = &[
    "推荐单位",
    "党员",
    "跟岗开始日期",
    "跟岗结束日期",
    "跟岗单位",
    "在党务工作岗位任职",
    "跟岗期间脱产",
    "具备一定的文字写作能力",
];

/// 推荐跟岗学习 / Nominate a member
///
/// The unit attests its nominee's post, release and writing ability; the member's birth date,
/// sex and occupation decide the retirement age. Every input problem at once (422); a member with
/// another nomination over an overlapping period is refused (422, naming 党员). The reviewer above
/// the unit is told. Answers 201 with the nomination and the conditions it fails today.
#[utoipa::path(
    post, path = "/api/v1/secondments", operation_id = "nominateSecondment", tag = "campaigns",
    request_body = SecondmentCreate,
    responses(
        (status = 201, description = "The nomination", body = SecondmentDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn nominate(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = f.int("org_id", "推荐单位");
    let org = match f.required(org, "推荐单位", "请用 org_id 指明推荐单位") {
        Some(id) => match caller.ctx.org(&s.store, Perm::ReportCampaigns, id).await {
            Ok((_, o)) => Some(o),
            Err(e) => return caller.fail(e),
        },
        None => None,
    };
    let member_id = f.int("member_id", "党员");
    let member_name = text(&mut f, "member_name", "党员");
    let mut input = NominationInput {
        member: String::new(),
        starts_on: text(&mut f, "starts_on", "跟岗开始日期"),
        ends_on: text(&mut f, "ends_on", "跟岗结束日期"),
        host_unit: text(&mut f, "host_unit", "跟岗单位"),
        party_post: f.flag("party_post", "在党务工作岗位任职").value().unwrap_or(false),
        full_time: f.flag("full_time", "跟岗期间脱产").value().unwrap_or(false),
        writing: f.flag("writing", "具备一定的文字写作能力").value().unwrap_or(false),
    };
    tri!(f.check(NOMINATION_LABELS));
    let Some(org) = org else { return caller.not_found() };
    // the member: by number, or the one member of the subtree the name finds
    match member_id {
        Given::Value(id) => input.member = id.to_string(),
        _ if !member_name.trim().is_empty() => {
            let name = member_name.trim();
            let found = match service::campaign::secondment::candidates(&s.store, &caller, org.id, name).await {
                Ok(c) => c,
                Err(e) => return caller.service_fail(e),
            };
            let exact: Vec<_> = found.iter().filter(|c| c.name == name).collect();
            match (found.len(), exact.len()) {
                (0, _) => {
                    let m = format!("{}及其下级党组织中没有姓名含“{name}”的在册党员", org.name);
                    return web_core::api::invalid(vec![ApiFieldError::new("党员", m)]);
                }
                (1, _) => input.member = found[0].id.to_string(),
                (_, 1) => input.member = exact[0].id.to_string(),
                (n, _) => {
                    let who: Vec<String> = found
                        .iter()
                        .map(|c| {
                            format!("{}（编号 {}，{}，{} 年生）", c.name, c.id, c.org_name, c.birth_date.format("%Y"))
                        })
                        .collect();
                    let m = format!("有 {n} 名党员姓名含“{name}”，请用 member_id 指明：{}", who.join("、"));
                    return web_core::api::invalid(vec![ApiFieldError::new("党员", m)]);
                }
            }
        }
        // neither: the use case names the field with everything else
        _ => {}
    }
    match service::campaign::secondment::nominate(&s.store, &caller, org.id, &input, today()).await {
        Ok(n) => answer(&s, &caller, n.id, StatusCode::CREATED).await,
        Err(e) => caller.service_fail(e),
    }
}

/// 跟岗学习推荐 / One nomination
///
/// With the conditions it fails (checked today while it waits, as kept with the decision once
/// decided), the statutory retirement that decides SEC-02 and the conditions in force.
#[utoipa::path(
    get, path = "/api/v1/secondments/{id}", operation_id = "secondment", tag = "campaigns",
    params(("id" = i64, Path, description = "The nomination")),
    responses(
        (status = 200, description = "The nomination", body = SecondmentDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn secondment(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    answer(&s, &caller, id, StatusCode::OK).await
}

/// A decision as `POST /api/v1/secondments/{id}/review` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SecondmentReviewIn {
    /// 审核意见: `true` accepts the nomination, `false` rejects it.
    accept: bool,
    /// 理由: required to reject, and to accept a nomination that fails a condition.
    reason: Option<String>,
}

/// 审核跟岗学习推荐 / Decide on a nomination
///
/// The reviewer above the unit accepts or rejects a waiting nomination; the conditions it fails
/// today are kept with the decision and the unit is told. Nobody decides on their own unit's
/// nomination (403); a decided one is refused (409).
#[utoipa::path(
    post, path = "/api/v1/secondments/{id}/review", operation_id = "reviewSecondment", tag = "campaigns",
    params(("id" = i64, Path, description = "The nomination")),
    request_body = SecondmentReviewIn,
    responses(
        (status = 200, description = "The nomination, decided", body = SecondmentDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn review_secondment(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageCampaigns));
    // the nomination must be one the caller sees before the body is looked at
    tri!(service::campaign::secondment::view(&s.store, &caller, id, today()).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let accept = f.flag("accept", "审核意见");
    let accept = f.required(accept, "审核意见", "accept 为 true（同意）或 false（不同意）");
    let reason = text(&mut f, "reason", "理由");
    tri!(f.check(&["审核意见", "理由"]));
    let decision = if accept == Some(true) { "accept" } else { "reject" };
    match service::campaign::secondment::decide(&s.store, &caller, id, decision, &reason, today()).await {
        Ok(n) => answer(&s, &caller, n.id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}
