//! 党建规划 through the API: the plans of a subtree, drafting one, one plan with the progress of
//! every target computed as of a day, changing a draft or returned plan at the version read,
//! submitting it, the superior's approval or return, and marking a milestone done. The same use
//! cases as the pages (`service::campaign::plan`): 查看创建活动 to read, 填报创建活动 where the
//! organization is to draft, change, submit and mark, 管理创建活动 at its superior to review.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::campaign::plan::{PlanInput, PlanKind, PlanStatus, Standing, TargetInput};
use serde::Serialize;
use service::campaign::plan::View;
use service::ServiceError;
use store::campaign::plan::Plan;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::input::{bytes, Fields};
use web_core::api::{check, doc, json, ApiCaller, ApiFieldError, Params};
use web_core::enum_schemas;
use web_core::pages::today;
use web_core::{tri, Shared};

use super::{created, milli, moment, q_date, text};

enum_schemas!(kind_schema, kind_schema_opt, PlanKind, "规划类型");
enum_schemas!(status_schema, status_schema_opt, PlanStatus, "规划状态");
enum_schemas!(standing_schema, standing_schema_opt, Standing, "目标进度");

/// A plan as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub from_year: i64,
    pub to_year: i64,
    /// `2026年`, `2026—2028年`.
    pub years: String,
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub status_label: String,
    /// Why it was returned.
    pub reason: String,
    /// The version to send back with a change or a submission.
    pub version: i64,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

fn plan_out(p: &Plan) -> PlanOut {
    PlanOut {
        id: p.id,
        org_id: p.org_id,
        org_name: p.org_name.clone(),
        kind: p.kind().code().into(),
        kind_label: p.kind_label().into(),
        title: p.title.clone(),
        from_year: p.from_year,
        to_year: p.to_year,
        years: p.years(),
        status: p.status().code().into(),
        status_label: p.status_label().into(),
        reason: p.reason.clone(),
        version: p.version,
        created_by: p.created_by.clone(),
        created_at: moment(&p.created_at),
        updated_at: moment(&p.updated_at),
        reviewed_by: p.reviewed_by.clone(),
        reviewed_at: p.reviewed_at.as_ref().map(moment),
    }
}

/// One page of the plans of organizations in a subtree.
#[derive(Serialize, ToSchema)]
pub struct PlanList {
    pub org_id: i64,
    pub items: Vec<PlanOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of the plans.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PlanListParams {
    /// The organization whose subtree's plans are listed; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 党建规划列表 / Party-building plans
///
/// The plans of organizations in an organization's subtree.
#[utoipa::path(
    get, path = "/api/v1/plans", operation_id = "plans", tag = "campaigns",
    params(PlanListParams),
    responses(
        (status = 200, description = "One page of plans", body = PlanList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn plans(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let org = match org {
        Some(o) => o,
        None => tri!(caller.default_org(Perm::ReadCampaigns)).id,
    };
    match service::campaign::plan::list(&s.store, &caller, org, per_page, (page - 1) * per_page).await {
        Ok((rows, total)) => json(
            StatusCode::OK,
            &PlanList { org_id: org, items: rows.iter().map(plan_out).collect(), total, page, per_page },
        ),
        Err(e) => caller.service_fail(e),
    }
}

/// A target with what its source measures as of the day.
#[derive(Serialize, ToSchema)]
pub struct PlanTargetOut {
    pub id: i64,
    pub label: String,
    /// The indicator source's code and label.
    pub source: String,
    pub source_label: String,
    pub param: String,
    pub param_label: String,
    pub unit: String,
    /// The target, as a decimal text, and in words (`≥95%`).
    pub target: String,
    pub target_text: String,
    pub due_on: String,
    pub measures: String,
    pub responsible: String,
    /// What the source measures over the organization's subtree on the day: `92.5%（37/40）`.
    pub value_text: String,
    #[schema(schema_with = standing_schema)]
    pub standing: String,
    pub standing_label: String,
    /// Whole percent of the target reached (capped at 100); `null` for a ceiling.
    pub percent: Option<i64>,
}

/// A milestone of a plan.
#[derive(Serialize, ToSchema)]
pub struct PlanMilestoneOut {
    pub id: i64,
    pub due_on: String,
    pub content: String,
    pub done_on: Option<String>,
}

/// A plan with its targets' progress and its milestones.
#[derive(Serialize, ToSchema)]
pub struct PlanDetail {
    pub plan: PlanOut,
    /// The day the progress is computed as of.
    pub on: String,
    pub targets: Vec<PlanTargetOut>,
    /// Targets reached on the day.
    pub reached: usize,
    pub milestones: Vec<PlanMilestoneOut>,
    /// Change and submit it (填报创建活动 where it is, while a draft or returned).
    pub can_edit: bool,
    /// Approve or return it (管理创建活动 at the superior, while submitted).
    pub can_review: bool,
    /// Mark milestones done (填报创建活动 where it is, once approved).
    pub can_mark: bool,
}

fn detail(v: &View) -> PlanDetail {
    PlanDetail {
        plan: plan_out(&v.plan),
        on: v.on.to_string(),
        targets: v
            .progress
            .iter()
            .map(|x| PlanTargetOut {
                id: x.target.id,
                label: x.target.label.clone(),
                source: x.target.source.clone(),
                source_label: x.source_label.into(),
                param: x.target.param.clone(),
                param_label: x.param_label.into(),
                unit: x.unit.into(),
                target: milli(x.target.target_milli),
                target_text: x.target_text.clone(),
                due_on: x.target.due_on.to_string(),
                measures: x.target.measures.clone(),
                responsible: x.target.responsible.clone(),
                value_text: x.value_text.clone(),
                standing: x.standing.code().into(),
                standing_label: x.standing.label().into(),
                percent: x.percent,
            })
            .collect(),
        reached: v.progress.iter().filter(|x| x.standing == Standing::Reached).count(),
        milestones: v
            .milestones
            .iter()
            .map(|m| PlanMilestoneOut {
                id: m.id,
                due_on: m.due_on.to_string(),
                content: m.content.clone(),
                done_on: m.done_on.map(|d| d.to_string()),
            })
            .collect(),
        can_edit: v.can_edit,
        can_review: v.can_review,
        can_mark: v.can_mark,
    }
}

/// The plan as read after a write, its progress as of today.
async fn answer(s: &Shared, caller: &ApiCaller, id: i64, status: StatusCode) -> Response {
    match service::campaign::plan::view(&s.store, caller, id, today()).await {
        Ok(v) if status == StatusCode::CREATED => created(&format!("/api/v1/plans/{id}"), &detail(&v)),
        Ok(v) => json(status, &detail(&v)),
        Err(e) => caller.service_fail(e),
    }
}

/// A target as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PlanTargetIn {
    /// 名称.
    label: String,
    /// 指标来源, by code or label: a computed source of the indicator source registry that needs
    /// no campaign (see `GET /api/v1/campaigns/indicator-sources`).
    #[schema(example = "facility_coverage")]
    source: String,
    /// 参数, by code or label, for a source that takes one.
    param: Option<String>,
    /// 目标值 in the source's unit (a percentage 0 to 100).
    #[schema(value_type = f64, example = 95)]
    target: String,
    /// 完成期限, within the plan's years.
    due_on: String,
    /// 措施.
    measures: Option<String>,
    /// 责任人.
    responsible: Option<String>,
}

/// A milestone as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PlanMilestoneIn {
    /// Within the plan's years.
    due_on: String,
    content: String,
}

/// A plan as `POST /api/v1/plans` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PlanCreate {
    /// 党组织: where the caller holds 填报创建活动.
    org_id: i64,
    /// 规划类型, by code or label.
    #[schema(schema_with = kind_schema)]
    kind: String,
    /// 规划名称.
    title: String,
    /// 起始年度.
    from_year: i32,
    /// 截止年度: left out for an annual plan; a multi-year plan spans 3 to 5 years.
    to_year: Option<i32>,
    /// 规划目标, one to thirty; progress is computed from the platform's data, never typed.
    targets: Vec<PlanTargetIn>,
    /// 里程碑.
    milestones: Option<Vec<PlanMilestoneIn>>,
}

/// A plan as `PUT /api/v1/plans/{id}` takes it: the whole plan again (the organization stays)
/// with the `version` it was read at.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PlanUpdate {
    /// 版本: the `version` of the plan as read. Required: when it is no longer the stored one,
    /// nothing is saved and the answer is 409.
    version: i64,
    #[schema(schema_with = kind_schema)]
    kind: String,
    title: String,
    from_year: i32,
    to_year: Option<i32>,
    targets: Vec<PlanTargetIn>,
    milestones: Option<Vec<PlanMilestoneIn>>,
}

const PLAN_LABELS: &[&str] = &["版本", "党组织", "规划类型", "规划名称", "起始年度", "截止年度", "规划目标", "里程碑"];

/// The version a change or a submission carries (required).
fn version(f: &mut Fields) -> Option<i64> {
    let v = f.int("version", "版本");
    f.required(v, "版本", "请用 version 附上读取规划时的版本号，以免覆盖他人在此期间的修改")
}

/// Take the plan's fields out of the body.
fn plan_input(f: &mut Fields) -> PlanInput {
    let targets = f.list("targets", "规划目标", |x| {
        Some(TargetInput {
            label: text(x, "label", "名称"),
            source: text(x, "source", "指标来源"),
            param: text(x, "param", "参数"),
            target: x.number("target", "目标值").value().unwrap_or_default(),
            due_on: text(x, "due_on", "完成期限"),
            measures: text(x, "measures", "措施"),
            responsible: text(x, "responsible", "责任人"),
        })
    });
    let targets = f.required(targets, "规划目标", "请用 targets 列出规划目标").unwrap_or_default();
    let milestones = f
        .list("milestones", "里程碑", |x| {
            // one line each, as the form takes them
            let due_on = text(x, "due_on", "日期").replace(['\r', '\n'], " ");
            let content = text(x, "content", "内容").replace(['\r', '\n'], " ");
            Some(format!("{} {}", due_on.trim(), content.trim()))
        })
        .value()
        .unwrap_or_default();
    PlanInput {
        kind: text(f, "kind", "规划类型"),
        title: text(f, "title", "规划名称"),
        from_year: f.int("from_year", "起始年度").value().map(|y| y.to_string()).unwrap_or_default(),
        to_year: f.int("to_year", "截止年度").value().map(|y| y.to_string()).unwrap_or_default(),
        targets,
        milestones: milestones.join("\n"),
    }
}

/// 制定党建规划 / Draft a plan
///
/// Every problem at once (422): a campaign-only source is refused, naming the target. Answers 201
/// with the draft, its progress as of today.
#[utoipa::path(
    post, path = "/api/v1/plans", operation_id = "createPlan", tag = "campaigns",
    request_body = PlanCreate,
    responses(
        (status = 201, description = "The draft", body = PlanDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn create_plan(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = f.int("org_id", "党组织");
    let org = match f.required(org, "党组织", "请用 org_id 指明制定规划的党组织") {
        Some(id) => match caller.ctx.org(&s.store, Perm::ReportCampaigns, id).await {
            Ok((_, o)) => Some(o),
            Err(e) => return caller.fail(e),
        },
        None => None,
    };
    let input = plan_input(&mut f);
    if let Err(e) = input.validate() {
        f.add_domain(&e);
    }
    tri!(f.check(PLAN_LABELS));
    let Some(org) = org else { return caller.not_found() };
    match service::campaign::plan::create(&s.store, &caller, org.id, &input).await {
        Ok(p) => answer(&s, &caller, p.id, StatusCode::CREATED).await,
        Err(e) => caller.service_fail(e),
    }
}

/// Query parameters of a plan.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PlanParams {
    /// The day the progress is computed as of (default today).
    on: Option<chrono::NaiveDate>,
}

/// 党建规划 / One plan
///
/// The plan, each target's progress computed as of a day from the indicator source registry over
/// the organization's subtree, its milestones, and what the caller may do with it.
#[utoipa::path(
    get, path = "/api/v1/plans/{id}", operation_id = "plan", tag = "campaigns",
    params(("id" = i64, Path, description = "The plan"), PlanParams),
    responses(
        (status = 200, description = "The plan", body = PlanDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn plan(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>, q: Params) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let mut errs = Vec::new();
    let on = q_date(&q, "on", &mut errs).unwrap_or_else(today);
    tri!(check(errs));
    match service::campaign::plan::view(&s.store, &caller, id, on).await {
        Ok(v) => json(StatusCode::OK, &detail(&v)),
        Err(e) => caller.service_fail(e),
    }
}

/// 修改党建规划 / Change a plan
///
/// The whole plan again with the `version` read: without it the change is refused (422, naming
/// 版本); when the plan changed meanwhile nothing is saved (409). Only a draft or a returned plan
/// may be changed (409 otherwise).
#[utoipa::path(
    put, path = "/api/v1/plans/{id}", operation_id = "updatePlan", tag = "campaigns",
    params(("id" = i64, Path, description = "The plan")),
    request_body = PlanUpdate,
    responses(
        (status = 200, description = "The plan as saved", body = PlanDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn update_plan(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    // a plan the caller may change, in a state that may be changed, before the body is looked at
    let (p, _, _) = tri!(service::campaign::plan::for_edit(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    if !p.status().editable() {
        return caller.fail(ServiceError::Refused(format!("该规划{}，不能修改", p.status_label())));
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let version = version(&mut f);
    let input = plan_input(&mut f);
    if let Err(e) = input.validate() {
        f.add_domain(&e);
    }
    tri!(f.check(PLAN_LABELS));
    let version = version.map(|v| v.to_string()).unwrap_or_default();
    match service::campaign::plan::update(&s.store, &caller, id, &version, &input).await {
        Ok(_) => answer(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}

/// A submission as `POST /api/v1/plans/{id}/submit` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PlanSubmitIn {
    /// 版本: the `version` of the plan as read (409 when it changed meanwhile).
    version: i64,
}

/// 提交党建规划 / Submit a plan
///
/// A draft or returned plan goes to the superior for review, at the version read (409 otherwise).
#[utoipa::path(
    post, path = "/api/v1/plans/{id}/submit", operation_id = "submitPlan", tag = "campaigns",
    params(("id" = i64, Path, description = "The plan")),
    request_body = PlanSubmitIn,
    responses(
        (status = 200, description = "The plan, submitted", body = PlanDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn submit_plan(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    tri!(service::campaign::plan::for_edit(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let version = version(&mut f);
    tri!(f.check(&["版本"]));
    let version = version.map(|v| v.to_string()).unwrap_or_default();
    match service::campaign::plan::submit(&s.store, &caller, id, &version).await {
        Ok(_) => answer(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}

/// A review as `POST /api/v1/plans/{id}/review` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PlanReviewIn {
    /// 审核意见: `true` approves the plan, `false` returns it to its organization.
    accept: bool,
    /// 退回理由 (required when returning).
    reason: Option<String>,
}

/// 审核党建规划 / Review a plan
///
/// The organization's superior approves a submitted plan or returns it with a reason; the
/// organization is told. Nobody reviews their own organization's plan (403); a plan not waiting
/// for review is refused (409).
#[utoipa::path(
    post, path = "/api/v1/plans/{id}/review", operation_id = "reviewPlan", tag = "campaigns",
    params(("id" = i64, Path, description = "The plan")),
    request_body = PlanReviewIn,
    responses(
        (status = 200, description = "The plan, approved or returned", body = PlanDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn review_plan(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageCampaigns));
    // the plan must be one the caller sees before the body is looked at
    tri!(service::campaign::plan::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let accept = f.flag("accept", "审核意见");
    let accept = f.required(accept, "审核意见", "accept 为 true（批准）或 false（退回）");
    let reason = text(&mut f, "reason", "退回理由");
    if accept == Some(false) && reason.trim().is_empty() {
        f.errors.push(ApiFieldError::new("退回理由", "退回时须写明理由"));
    }
    tri!(f.check(&["审核意见", "退回理由"]));
    let decision = if accept == Some(true) { "approve" } else { "return" };
    match service::campaign::plan::review(&s.store, &caller, id, decision, &reason).await {
        Ok(_) => answer(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}

/// A milestone marked done, as `POST /api/v1/plans/{id}/milestones` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PlanMilestoneDoneIn {
    /// 里程碑: the milestone's `id`.
    milestone_id: i64,
    /// 完成日期 (default today; not in the future).
    done_on: Option<String>,
}

/// 登记里程碑完成 / Mark a milestone done
///
/// Of an approved plan (409 otherwise).
#[utoipa::path(
    post, path = "/api/v1/plans/{id}/milestones", operation_id = "planMilestoneDone", tag = "campaigns",
    params(("id" = i64, Path, description = "The plan")),
    request_body = PlanMilestoneDoneIn,
    responses(
        (status = 200, description = "The plan with the milestone done", body = PlanDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn milestone_done(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    tri!(service::campaign::plan::for_edit(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let milestone = f.int("milestone_id", "里程碑");
    let milestone = f.required(milestone, "里程碑", "请用 milestone_id 指明里程碑");
    let done_on = f.text("done_on", "完成日期").value().unwrap_or_else(|| today().to_string());
    tri!(f.check(&["里程碑", "完成日期"]));
    let milestone = milestone.map(|m| m.to_string()).unwrap_or_default();
    match service::campaign::plan::milestone_done(&s.store, &caller, id, &milestone, &done_on, today()).await {
        Ok(_) => answer(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}
