//! 创新清单, 创新动态 and 项目化管理 through the API: a campaign's innovation overview (the
//! participants' lists and updates, the findings as of a date, the rule versions in force),
//! submitting a list and reporting an update, one list and keeping it current at the version read,
//! a campaign's projects, proposing one, one project with its gates, and holding the next gate.
//! The same use cases as the innovation pages (`service::campaign::innovation`): 查看创建活动 to
//! read, 填报创建活动 where the organization is to submit, report and propose, 管理创建活动 where
//! the campaign's issuer is to hold a gate.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use domain::campaign::innovation::{self as inno, Cadence, GateInput, ItemInput, ItemStatus, ListInput, ProjectInput};
use serde::Serialize;
use service::campaign::innovation::{ListView, PageQuery, ProjectView};
use store::campaign::innovation::{Gate, Project, Update};
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::input::{bytes, Fields};
use web_core::api::{check, doc, json, ApiCaller, ApiFieldError, Params};
use web_core::enum_schemas;
use web_core::pages::today;
use web_core::{tri, Shared};

use super::{created, moment, q_date, text};

enum_schemas!(cadence_schema, cadence_schema_opt, Cadence, "报送周期");
enum_schemas!(item_status_schema, item_status_schema_opt, ItemStatus, "条目状态");
enum_schemas!(rule_kind_schema, rule_kind_schema_opt, inno::Kind, "规则");
enum_schemas!(stage_schema, stage_schema_opt, inno::Stage, "项目阶段");

/// A list's summary in the overview.
#[derive(Serialize, ToSchema)]
pub struct InnovationListSummary {
    pub id: i64,
    pub submitted_on: String,
    pub items: usize,
}

/// What makes a list perfunctory, under the rule versions of its submission.
#[derive(Serialize, ToSchema)]
pub struct InnovationPerfunctory {
    #[schema(example = "INNO-02")]
    pub rule_id: String,
    pub detail: String,
}

fn perfunctory(p: &[(String, String)]) -> Vec<InnovationPerfunctory> {
    p.iter().map(|(r, d)| InnovationPerfunctory { rule_id: r.clone(), detail: d.clone() }).collect()
}

/// A participant with its list of the year and its updates.
#[derive(Serialize, ToSchema)]
pub struct InnovationParticipant {
    pub org_id: i64,
    pub org_name: String,
    pub list: Option<InnovationListSummary>,
    pub perfunctory: Vec<InnovationPerfunctory>,
    /// Updates reported for the period holding the date.
    pub this_period: usize,
    /// Updates reported in all.
    pub updates: usize,
    /// The latest period reported for.
    pub last_period: Option<String>,
}

/// A problem the daily rules find.
#[derive(Serialize, ToSchema)]
pub struct InnovationFindingOut {
    pub rule_id: String,
    #[schema(schema_with = rule_kind_schema)]
    pub kind: String,
    /// `清单未按期提交`, `清单内容简单应付`, `动态未及时报送`.
    pub label: String,
    pub org_id: i64,
    pub org_name: String,
    /// The year (`2026`) or period (`2026-Q1`) it is about.
    pub subject: String,
    pub detail: String,
    pub citation: String,
    pub confidence: String,
}

/// An update reported.
#[derive(Serialize, ToSchema)]
pub struct InnovationUpdateOut {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `2026-03` or `2026-Q1`.
    pub period: String,
    pub reported_on: String,
    pub content: String,
    pub created_by: String,
    pub created_at: String,
}

fn update_out(u: &Update) -> InnovationUpdateOut {
    InnovationUpdateOut {
        id: u.id,
        campaign_id: u.campaign_id,
        org_id: u.org_id,
        org_name: u.org_name.clone(),
        period: u.period.clone(),
        reported_on: u.reported_on.to_string(),
        content: u.content.clone(),
        created_by: u.created_by.clone(),
        created_at: moment(&u.created_at),
    }
}

/// A version of an innovation rule.
#[derive(Serialize, ToSchema)]
pub struct InnovationRuleOut {
    #[schema(example = "INNO-01")]
    pub rule_id: String,
    #[schema(schema_with = rule_kind_schema)]
    pub kind: String,
    pub label: String,
    /// The value as stored (`331` for 03-31, a count, a number of days, 1 or 0).
    pub value: i64,
    /// The value in words.
    pub value_text: String,
    /// `预设（全部党组织）` or the organization's name with `及下级`.
    pub applies: String,
    pub org_id: Option<i64>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub source: String,
    pub confidence: String,
}

fn rule_out(r: &inno::Rule) -> InnovationRuleOut {
    InnovationRuleOut {
        rule_id: r.rule_id.clone(),
        kind: r.kind.code().into(),
        label: r.kind.label().into(),
        value: r.value,
        value_text: r.value_text(),
        applies: r.applies_text(),
        org_id: r.org_id,
        valid_from: r.valid_from.to_string(),
        valid_to: r.valid_to.map(|d| d.to_string()),
        source: r.citation(),
        confidence: r.confidence.clone(),
    }
}

/// A campaign's innovation overview as read from an organization.
#[derive(Serialize, ToSchema)]
pub struct InnovationOut {
    pub campaign_id: i64,
    /// The organization the lines are read from; `null` when the caller has none in the campaign.
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    /// The date the findings and the overview are as of, and the year of the lists.
    pub on: String,
    pub year: i32,
    #[schema(schema_with = cadence_schema)]
    pub cadence: String,
    /// The period an update is reported for today (`2026-11`, `2026-Q4`).
    pub current_period: String,
    /// A page of participants, and how many there are.
    pub participants: Vec<InnovationParticipant>,
    pub total: usize,
    pub page: i64,
    pub per_page: i64,
    pub findings: Vec<InnovationFindingOut>,
    /// A page of updates (`updates_page`, latest first), and how many there are.
    pub updates: Vec<InnovationUpdateOut>,
    pub updates_total: i64,
    pub updates_page: i64,
    /// The versions in force on the date for the organization read from, one per rule.
    pub rules_in_force: Vec<InnovationRuleOut>,
    /// Local versions set at, above or below it.
    pub local_rules: Vec<InnovationRuleOut>,
    /// 管理创建活动 where the issuer is.
    pub can_manage: bool,
    /// 填报创建活动 somewhere.
    pub can_report: bool,
}

/// Query parameters of the innovation overview.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct InnovationParams {
    /// The organization to read from: by default the issuer for the issuer's side, else the
    /// caller's own organization in the campaign.
    org: Option<i64>,
    /// The date of the findings and the overview (default today).
    on: Option<chrono::NaiveDate>,
    /// The year of the lists (default the year of `on`).
    year: Option<i32>,
    /// Page of participants, from 1.
    page: Option<i64>,
    /// Participants (and updates) per page, 1 to 200 (default 50).
    per_page: Option<i64>,
    /// Page of updates, from 1.
    updates_page: Option<i64>,
}

/// 创新清单与动态 / A campaign's innovation overview
///
/// The participants' lists and updates, the findings as of a date and the rule versions in force.
#[utoipa::path(
    get, path = "/api/v1/campaigns/{id}/innovation", operation_id = "innovation", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign"), InnovationParams),
    responses(
        (status = 200, description = "The overview", body = InnovationOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn innovation(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>, q: Params) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let on = q_date(&q, "on", &mut errs).unwrap_or_else(today);
    let year = match q.get("year") {
        "" => on.year(),
        v => match v.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                errs.push(ApiFieldError::new("year", format!("“{v}”无效，应为 2000 至 2100 的年份")));
                on.year()
            }
        },
    };
    let (page, per_page) = q.paging(&mut errs);
    let updates_page = match q.get("updates_page") {
        "" => 1,
        v => match v.parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => n,
            _ => {
                errs.push(ApiFieldError::new("updates_page", format!("“{v}”无效，应为正整数")));
                1
            }
        },
    };
    tri!(check(errs));
    let query = PageQuery {
        org,
        on,
        year,
        limit: per_page as usize,
        offset: ((page - 1) * per_page) as usize,
        updates_limit: per_page,
        updates_offset: (updates_page - 1) * per_page,
    };
    let p = match service::campaign::innovation::page(&s.store, &caller, id, &query).await {
        Ok(p) => p,
        Err(e) => return caller.service_fail(e),
    };
    let out = InnovationOut {
        campaign_id: p.campaign.id,
        org_id: p.under.as_ref().map(|u| u.id),
        org_name: p.under.as_ref().map(|u| u.name.clone()),
        on: on.to_string(),
        year,
        cadence: p.cadence.code().into(),
        current_period: p.cadence.period_of(today()).key,
        participants: p
            .rows
            .iter()
            .map(|r| InnovationParticipant {
                org_id: r.org_id,
                org_name: r.org_name.clone(),
                list: r.list.map(|(id, on, items)| InnovationListSummary { id, submitted_on: on.to_string(), items }),
                perfunctory: perfunctory(&r.perfunctory),
                this_period: r.this_period,
                updates: r.updates,
                last_period: r.last_period.clone(),
            })
            .collect(),
        total: p.total,
        page,
        per_page,
        findings: p
            .findings
            .iter()
            .map(|f| InnovationFindingOut {
                rule_id: f.rule_id.clone(),
                kind: f.kind.code().into(),
                label: f.label().into(),
                org_id: f.org_id,
                org_name: f.org_name.clone(),
                subject: f.subject.clone(),
                detail: f.detail.clone(),
                citation: f.citation.clone(),
                confidence: f.confidence.clone(),
            })
            .collect(),
        updates: p.updates.iter().map(update_out).collect(),
        updates_total: p.updates_total,
        updates_page,
        rules_in_force: p.in_force.iter().map(rule_out).collect(),
        local_rules: p.local.iter().map(rule_out).collect(),
        can_manage: p.can_manage,
        can_report: p.can_report,
    };
    json(StatusCode::OK, &out)
}

/// An item of a list as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InnovationItemIn {
    /// 条目名称.
    title: String,
    /// 目标.
    goal: Option<String>,
    /// 措施 (a list without them is saved and found perfunctory, INNO-03).
    measures: Option<String>,
    /// 责任人.
    owner: Option<String>,
    /// 里程碑, one an entry: `2026-06-30 完成试点` (INNO-04).
    milestones: Option<Vec<String>>,
    /// 状态, by code or label (default `planned`).
    #[schema(schema_with = item_status_schema_opt)]
    status: Option<String>,
}

/// A list as `POST /api/v1/campaigns/{id}/innovation/lists` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InnovationListCreate {
    /// 党组织: a participant of the campaign where the caller holds 填报创建活动.
    org_id: i64,
    /// 年度 (default this year).
    year: Option<i32>,
    /// 清单条目, at most 30.
    items: Vec<InnovationItemIn>,
}

/// A list as `PUT /api/v1/campaigns/innovation/lists/{id}` takes it: every item again, with the
/// `version` it was read at.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InnovationListUpdate {
    /// 版本: the `version` of the list as read. Required: when the list changed meanwhile,
    /// nothing is saved and the answer is 409.
    version: i64,
    /// 年度: the list's own (it cannot change).
    year: Option<i32>,
    items: Vec<InnovationItemIn>,
}

const LIST_LABELS: &[&str] =
    &["版本", "党组织", "年度", "清单条目", "条目名称", "目标", "措施", "责任人", "里程碑", "状态"];

/// Take a list's items out of the body.
fn items(f: &mut Fields) -> Vec<ItemInput> {
    let items = f.list("items", "清单条目", |x| {
        Some(ItemInput {
            title: text(x, "title", "条目名称"),
            goal: text(x, "goal", "目标"),
            measures: text(x, "measures", "措施"),
            owner: text(x, "owner", "责任人"),
            milestones: x.texts("milestones", "里程碑").value().unwrap_or_default().join("\n"),
            status: text(x, "status", "状态"),
        })
    });
    f.required(items, "清单条目", "请用 items 列出清单条目").unwrap_or_default()
}

/// A list with its items.
#[derive(Serialize, ToSchema)]
pub struct InnovationListOut {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub year: i64,
    /// The day it was first submitted (what the deadline, INNO-01, judges).
    pub submitted_on: String,
    /// Its year's deadline for its organization.
    pub deadline: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// The version to send back with a change.
    pub version: i64,
    pub items: Vec<InnovationItemOut>,
    pub perfunctory: Vec<InnovationPerfunctory>,
    /// Open until its year ends.
    pub open: bool,
    /// The caller may change it (填报创建活动 over its organization, and open).
    pub can_edit: bool,
}

/// An item of a list.
#[derive(Serialize, ToSchema)]
pub struct InnovationItemOut {
    pub id: i64,
    pub title: String,
    pub goal: String,
    pub measures: String,
    pub owner: String,
    pub milestones: Vec<String>,
    #[schema(schema_with = item_status_schema)]
    pub status: String,
    pub status_label: String,
}

fn list_out(v: &ListView) -> InnovationListOut {
    let l = &v.list;
    InnovationListOut {
        id: l.id,
        campaign_id: l.campaign_id,
        org_id: l.org_id,
        org_name: l.org_name.clone(),
        year: l.year,
        submitted_on: l.submitted_on.to_string(),
        deadline: v.deadline.map(|d| d.to_string()),
        created_by: l.created_by.clone(),
        created_at: moment(&l.created_at),
        updated_at: moment(&l.updated_at),
        version: l.seen(),
        items: v
            .items
            .iter()
            .map(|i| InnovationItemOut {
                id: i.id,
                title: i.title.clone(),
                goal: i.goal.clone(),
                measures: i.measures.clone(),
                owner: i.owner.clone(),
                milestones: i.milestone_lines(),
                status: i.status.clone(),
                status_label: i.status_label().into(),
            })
            .collect(),
        perfunctory: perfunctory(&v.perfunctory),
        open: l.open_on(today()),
        can_edit: v.can_edit,
    }
}

/// The list as read after a write.
async fn list_answer(s: &Shared, caller: &ApiCaller, id: i64, status: StatusCode) -> Response {
    match service::campaign::innovation::list(&s.store, caller, id, today()).await {
        Ok(v) if status == StatusCode::CREATED => {
            created(&format!("/api/v1/campaigns/innovation/lists/{id}"), &list_out(&v))
        }
        Ok(v) => json(status, &list_out(&v)),
        Err(e) => caller.service_fail(e),
    }
}

/// 提交创新清单 / Submit an innovation list
///
/// A participant's list for a year, once; it is kept current afterwards with `PUT`. A list without
/// measures or milestones is saved and found perfunctory. Answers 201 with the list.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/innovation/lists", operation_id = "submitInnovationList", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign")),
    request_body = InnovationListCreate,
    responses(
        (status = 201, description = "The list", body = InnovationListOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn submit_innovation_list(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = f.int("org_id", "党组织");
    let org = f.required(org, "党组织", "请用 org_id 指明提交清单的党组织");
    let year = f.int("year", "年度").value().unwrap_or_else(|| i64::from(today().year()));
    let input = ListInput { year: year.to_string(), items: items(&mut f) };
    if let Err(e) = input.validate() {
        f.add_domain(&e);
    }
    tri!(f.check(LIST_LABELS));
    let Some(org) = org else { return caller.not_found() };
    match service::campaign::innovation::submit_list(&s.store, &caller, id, org, &input, today()).await {
        Ok(l) => list_answer(&s, &caller, l.id, StatusCode::CREATED).await,
        Err(e) => caller.service_fail(e),
    }
}

/// An update as `POST /api/v1/campaigns/{id}/innovation/updates` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InnovationUpdateIn {
    /// 党组织: a participant of the campaign where the caller holds 填报创建活动.
    org_id: i64,
    /// 报送期间 of the campaign's cadence: `2026-03` (monthly) or `2026-Q1` (quarterly); begun, and
    /// within the campaign.
    period: String,
    /// 动态内容.
    content: String,
}

/// 报送创新动态 / Report an update
///
/// What a participant did in a period of the campaign's cadence. Answers 201 with the update.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/innovation/updates", operation_id = "reportInnovationUpdate", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign")),
    request_body = InnovationUpdateIn,
    responses(
        (status = 201, description = "The update", body = InnovationUpdateOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn report_innovation_update(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = f.int("org_id", "党组织");
    let org = f.required(org, "党组织", "请用 org_id 指明报送单位");
    let period = f.text("period", "报送期间");
    let period = f.required(period, "报送期间", "如 2026-03（按月）或 2026-Q1（按季度）").unwrap_or_default();
    let content = text(&mut f, "content", "动态内容");
    if content.trim().is_empty() {
        f.errors.push(ApiFieldError::new("动态内容", "不能为空"));
    }
    tri!(f.check(&["党组织", "报送期间", "动态内容"]));
    let Some(org) = org else { return caller.not_found() };
    match service::campaign::innovation::report_update(&s.store, &caller, id, org, &period, &content, today()).await {
        Ok(u) => json(StatusCode::CREATED, &update_out(&u)),
        Err(e) => caller.service_fail(e),
    }
}

/// 创新清单 / One innovation list
///
/// The list with its items, what makes it perfunctory and its year's deadline.
#[utoipa::path(
    get, path = "/api/v1/campaigns/innovation/lists/{id}", operation_id = "innovationList", tag = "campaigns",
    params(("id" = i64, Path, description = "The list")),
    responses(
        (status = 200, description = "The list", body = InnovationListOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn innovation_list(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    list_answer(&s, &caller, id, StatusCode::OK).await
}

/// 更新创新清单 / Change an innovation list
///
/// Every item again with the `version` read: without it the change is refused (422, naming 版本);
/// when the list changed meanwhile nothing is saved (409), nor once its year has ended (409).
#[utoipa::path(
    put, path = "/api/v1/campaigns/innovation/lists/{id}", operation_id = "updateInnovationList", tag = "campaigns",
    params(("id" = i64, Path, description = "The list")),
    request_body = InnovationListUpdate,
    responses(
        (status = 200, description = "The list as saved", body = InnovationListOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn update_innovation_list(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    // a list of an organization the caller reports for, before the body is looked at
    let v = tri!(service::campaign::innovation::list(&s.store, &caller, id, today()).await.map_err(|e| caller.fail(e)));
    if !caller.can_at(Perm::ReportCampaigns, &v.list.org_path) {
        return caller.not_found();
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let version = f.int("version", "版本");
    let version = f.required(version, "版本", "请用 version 附上读取清单时的版本号，以免覆盖他人在此期间的修改");
    let year = f.int("year", "年度").value().unwrap_or(v.list.year);
    let input = ListInput { year: year.to_string(), items: items(&mut f) };
    if let Err(e) = input.validate() {
        f.add_domain(&e);
    }
    tri!(f.check(LIST_LABELS));
    let Some(version) = version else { return caller.not_found() };
    match service::campaign::innovation::update_list(&s.store, &caller, id, version, &input, today()).await {
        Ok(_) => list_answer(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}

/// An innovation project.
#[derive(Serialize, ToSchema)]
pub struct InnovationProjectOut {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub summary: String,
    #[schema(schema_with = stage_schema)]
    pub stage: String,
    /// Where it stands, in words: `已立项，待实施启动`.
    pub standing: String,
    /// The gate it may pass next (the stage it leads into); `null` at the end.
    #[schema(schema_with = stage_schema_opt)]
    pub next_gate: Option<String>,
    pub proposed_on: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

fn project_out(p: &Project) -> InnovationProjectOut {
    InnovationProjectOut {
        id: p.id,
        campaign_id: p.campaign_id,
        org_id: p.org_id,
        org_name: p.org_name.clone(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        stage: p.stage().code().into(),
        standing: p.stage().standing().into(),
        next_gate: p.stage().next().map(|n| n.code().to_string()),
        proposed_on: p.proposed_on().to_string(),
        created_by: p.created_by.clone(),
        created_at: moment(&p.created_at),
        updated_at: moment(&p.updated_at),
    }
}

/// A campaign's projects in view.
#[derive(Serialize, ToSchema)]
pub struct InnovationProjectList {
    pub campaign_id: i64,
    pub items: Vec<InnovationProjectOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// 填报创建活动 somewhere.
    pub can_propose: bool,
    /// 管理创建活动 where the issuer is: the gates.
    pub can_decide: bool,
}

/// Query parameters of the projects.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct InnovationProjectsParams {
    /// The organization whose subtree's projects are listed: by default the issuer for the
    /// issuer's side, else the caller's own organization in the campaign.
    org: Option<i64>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 创新项目 / A campaign's projects
///
/// The projects of the organization's subtree, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/campaigns/{id}/projects", operation_id = "innovationProjects", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign"), InnovationProjectsParams),
    responses(
        (status = 200, description = "One page of projects", body = InnovationProjectList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn innovation_projects(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    q: Params,
) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let v = match service::campaign::innovation::projects(&s.store, &caller, id, org, per_page, (page - 1) * per_page)
        .await
    {
        Ok(v) => v,
        Err(e) => return caller.service_fail(e),
    };
    json(
        StatusCode::OK,
        &InnovationProjectList {
            campaign_id: v.campaign.id,
            items: v.rows.iter().map(project_out).collect(),
            total: v.total,
            page,
            per_page,
            can_propose: v.can_propose,
            can_decide: v.can_decide,
        },
    )
}

/// A project as `POST /api/v1/campaigns/{id}/projects` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InnovationProjectIn {
    /// 申报单位: a participant of the campaign, or an organization below one, where the caller
    /// holds 填报创建活动.
    org_id: i64,
    /// 项目名称.
    title: String,
    /// 项目简介.
    summary: Option<String>,
}

/// A gate held on a project.
#[derive(Serialize, ToSchema)]
pub struct InnovationGateOut {
    pub id: i64,
    /// The stage the gate leads into.
    #[schema(schema_with = stage_schema)]
    pub gate: String,
    /// `立项评审`, `实施启动`, `中期评估`, `结项验收`.
    pub gate_label: String,
    pub reviewers: Vec<String>,
    pub score: i64,
    pub passed: bool,
    pub note: String,
    pub decided_on: String,
    pub created_by: String,
    pub created_at: String,
}

fn gate_out(g: &Gate) -> InnovationGateOut {
    InnovationGateOut {
        id: g.id,
        gate: g.gate.clone(),
        gate_label: g.gate_label().into(),
        reviewers: g.reviewers.split('、').map(str::to_string).filter(|r| !r.is_empty()).collect(),
        score: g.score,
        passed: g.passed(),
        note: g.note.clone(),
        decided_on: g.decided_on.to_string(),
        created_by: g.created_by.clone(),
        created_at: moment(&g.created_at),
    }
}

/// A project with its gates.
#[derive(Serialize, ToSchema)]
pub struct InnovationProjectDetail {
    pub project: InnovationProjectOut,
    /// In the order held.
    pub gates: Vec<InnovationGateOut>,
    /// The caller may hold the next gate (管理创建活动 where the issuer is).
    pub can_decide: bool,
}

fn project_detail(v: &ProjectView) -> InnovationProjectDetail {
    InnovationProjectDetail {
        project: project_out(&v.project),
        gates: v.gates.iter().map(gate_out).collect(),
        can_decide: v.can_decide,
    }
}

/// 申报创新项目 / Propose a project
///
/// Answers 201 with the project, waiting for its 立项评审.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/projects", operation_id = "proposeInnovationProject", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign")),
    request_body = InnovationProjectIn,
    responses(
        (status = 201, description = "The project", body = InnovationProjectDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn propose_project(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = f.int("org_id", "申报单位");
    let org = f.required(org, "申报单位", "请用 org_id 指明申报单位");
    let input =
        ProjectInput { title: text(&mut f, "title", "项目名称"), summary: text(&mut f, "summary", "项目简介") };
    if let Err(e) = input.validate() {
        f.add_domain(&e);
    }
    tri!(f.check(&["申报单位", "项目名称", "项目简介"]));
    let Some(org) = org else { return caller.not_found() };
    match service::campaign::innovation::propose(&s.store, &caller, id, org, &input, today()).await {
        Ok(p) => match service::campaign::innovation::project(&s.store, &caller, p.id).await {
            Ok(v) => created(&format!("/api/v1/campaigns/projects/{}", p.id), &project_detail(&v)),
            Err(e) => caller.service_fail(e),
        },
        Err(e) => caller.service_fail(e),
    }
}

/// 创新项目 / One project
///
/// The project with every gate held on it.
#[utoipa::path(
    get, path = "/api/v1/campaigns/projects/{id}", operation_id = "innovationProject", tag = "campaigns",
    params(("id" = i64, Path, description = "The project")),
    responses(
        (status = 200, description = "The project", body = InnovationProjectDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn innovation_project(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    match service::campaign::innovation::project(&s.store, &caller, id).await {
        Ok(v) => json(StatusCode::OK, &project_detail(&v)),
        Err(e) => caller.service_fail(e),
    }
}

/// A gate's decision as `POST /api/v1/campaigns/projects/{id}/gates` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InnovationGateIn {
    /// 评审环节: the stage the gate leads into, by code or label; only the next one may be held
    /// (the default).
    #[schema(schema_with = stage_schema_opt)]
    gate: Option<String>,
    /// 评审人, one to fifteen.
    reviewers: Vec<String>,
    /// 评分, 0 to 100.
    score: i64,
    /// 评审结论: passed or not (a failed 立项评审 ends the project).
    passed: bool,
    /// 评审意见 (required when not passed).
    note: Option<String>,
    /// 评审日期 (default today; not in the future).
    decided_on: Option<String>,
}

/// 项目评审 / Hold a project's next gate
///
/// The issuer's side records the next gate's decision; the project's organization is told. A gate
/// out of turn, or on a project at its end, is refused (409). Answers 201 with the project and its
/// gates.
#[utoipa::path(
    post, path = "/api/v1/campaigns/projects/{id}/gates", operation_id = "decideInnovationGate", tag = "campaigns",
    params(("id" = i64, Path, description = "The project")),
    request_body = InnovationGateIn,
    responses(
        (status = 201, description = "The project with the gate held", body = InnovationProjectDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn project_gate(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageCampaigns));
    // the project's campaign must be one the caller manages before the body is looked at
    let v = tri!(service::campaign::innovation::project(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    if !v.can_decide {
        return caller.not_found();
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let gate = f.text("gate", "评审环节").value().or_else(|| v.next.map(|n| n.code().to_string()));
    let reviewers = f.texts("reviewers", "评审人");
    let reviewers = f.required(reviewers, "评审人", "请用 reviewers 列出评审人").unwrap_or_default();
    let score = f.int("score", "评分");
    let score = f.required(score, "评分", "0 至 100 的整数");
    let passed = f.flag("passed", "评审结论");
    let passed = f.required(passed, "评审结论", "passed 为 true（通过）或 false（不通过）");
    let input = GateInput {
        gate: gate.unwrap_or_default(),
        reviewers: reviewers.join("、"),
        score: score.map(|x| x.to_string()).unwrap_or_default(),
        result: passed.map_or("", |p| if p { "passed" } else { "failed" }).into(),
        note: text(&mut f, "note", "评审意见"),
        decided_on: f.text("decided_on", "评审日期").value().unwrap_or_else(|| today().to_string()),
    };
    if let Err(e) = input.validate(today()) {
        f.add_domain(&e);
    }
    tri!(f.check(&["评审环节", "评审人", "评分", "评审结论", "评审意见", "评审日期"]));
    match service::campaign::innovation::decide(&s.store, &caller, id, &input, today()).await {
        Ok(_) => match service::campaign::innovation::project(&s.store, &caller, id).await {
            Ok(v) => json(StatusCode::CREATED, &project_detail(&v)),
            Err(e) => caller.service_fail(e),
        },
        Err(e) => caller.service_fail(e),
    }
}
