//! 软弱涣散 through the API: the identifications of a subtree, entering one as suspected,
//! proposing from data, one record with its criteria, plan items and history, moving it through
//! its life cycle, and the plan's items (added and reported by the organization, accepted or
//! returned by the superior). The same use cases as the pages (`service::weak_and_lax`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use domain::weak_and_lax::{ItemInput, ItemStatus, State as WeakState, TickInput, TransitionInput};
use serde::Serialize;
use store::weak_and_lax::{Item, WeakOrg};
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::input::{bytes, Fields};
use web_core::api::{check, doc, json, ApiCaller, Params};
use web_core::enum_schemas;
use web_core::pages::today;
use web_core::{tri, Shared};

enum_schemas!(state_schema, state_schema_opt, WeakState, "整顿状态");
enum_schemas!(item_schema, item_schema_opt, ItemStatus, "整改事项状态");

/// An identification as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct WeakOut {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub year: i64,
    #[schema(schema_with = state_schema)]
    pub state: String,
    pub state_label: String,
    /// How it came about: `manual`, `no_life`, `vacant_secretary`, `bottom`.
    pub origin: String,
    pub reason: String,
    pub decision_ref: String,
    pub confirmed_on: Option<String>,
    pub accepted_on: Option<String>,
    pub monitor_ends_on: Option<String>,
    pub closed_on: Option<String>,
    pub county_leader: String,
    pub township_leader: String,
    pub paired_dept: String,
    pub version: i64,
}

fn out(w: &WeakOrg) -> WeakOut {
    WeakOut {
        id: w.id,
        org_id: w.org_id,
        org_name: w.org_name.clone(),
        year: w.year,
        state: w.state.clone(),
        state_label: w.state_label().into(),
        origin: w.origin.clone(),
        reason: w.reason.clone(),
        decision_ref: w.decision_ref.clone(),
        confirmed_on: w.confirmed_on.map(|d| d.to_string()),
        accepted_on: w.accepted_on.map(|d| d.to_string()),
        monitor_ends_on: w.monitor_ends_on.map(|d| d.to_string()),
        closed_on: w.closed_on.map(|d| d.to_string()),
        county_leader: w.county_leader.clone(),
        township_leader: w.township_leader.clone(),
        paired_dept: w.paired_dept.clone(),
        version: w.version,
    }
}

/// A plan item.
#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub id: i64,
    pub problem: String,
    pub measure: String,
    pub owner: String,
    pub due_on: String,
    #[schema(schema_with = item_schema)]
    pub status: String,
    pub status_label: String,
    pub evidence: String,
    pub return_reason: String,
    /// Past its date and not accepted, today.
    pub overdue: bool,
}

fn item_out(i: &Item) -> ItemOut {
    ItemOut {
        id: i.id,
        problem: i.problem.clone(),
        measure: i.measure.clone(),
        owner: i.owner.clone(),
        due_on: i.due_on.to_string(),
        status: i.status.clone(),
        status_label: i.status_label().into(),
        evidence: i.evidence.clone(),
        return_reason: i.return_reason.clone(),
        overdue: i.overdue(today()),
    }
}

/// One page of identifications.
#[derive(Serialize, ToSchema)]
pub struct WeakList {
    pub org_id: i64,
    pub items: Vec<WeakOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A criterion ticked with its facts.
#[derive(Serialize, ToSchema)]
pub struct TickOut {
    pub code: String,
    pub label: String,
    pub evidence: String,
}

/// A step of the life cycle.
#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub action: String,
    pub to_state: String,
    pub on: String,
    pub decision_ref: String,
    pub note: String,
    pub done_by: String,
}

/// One record with everything its page shows.
#[derive(Serialize, ToSchema)]
pub struct WeakDetail {
    pub record: WeakOut,
    pub criteria: Vec<TickOut>,
    pub items: Vec<ItemOut>,
    pub events: Vec<EventOut>,
    /// WEAK-06 links missing, in words.
    pub missing_links: Vec<String>,
    /// Decide on it (管理分类定级 at the organization's superior).
    pub may_decide: bool,
    /// Add items and report them (分类定级评分 where it is).
    pub may_work: bool,
}

async fn detail(s: &Shared, caller: &ApiCaller, id: i64, status: StatusCode) -> Response {
    match service::weak_and_lax::get(&s.store, caller, id, today()).await {
        Ok(r) => {
            let d = WeakDetail {
                record: out(&r.weak),
                criteria: r
                    .ticks
                    .iter()
                    .map(|t| TickOut { code: t.code.clone(), label: t.label.clone(), evidence: t.evidence.clone() })
                    .collect(),
                items: r.items.iter().map(item_out).collect(),
                events: r
                    .events
                    .iter()
                    .map(|e| EventOut {
                        action: e.action.clone(),
                        to_state: e.to_state.clone(),
                        on: e.effective_on.to_string(),
                        decision_ref: e.decision_ref.clone(),
                        note: e.note.clone(),
                        done_by: e.done_by.clone(),
                    })
                    .collect(),
                missing_links: r.missing.iter().map(|m| m.to_string()).collect(),
                may_decide: r.may_decide,
                may_work: r.may_work,
            };
            let mut res = json(status, &d);
            if status == StatusCode::CREATED {
                if let Ok(h) = format!("/api/v1/weak-and-lax/{id}").parse() {
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
pub struct WeakListParams {
    /// The organization whose subtree is listed; may be left out with a single top organization.
    org: Option<i64>,
    /// 状态, by code or label.
    state: Option<String>,
    /// 年度.
    year: Option<i32>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// 软弱涣散党组织 / Weak and lax organizations
///
/// The identifications in an organization's subtree, latest year first.
#[utoipa::path(
    get, path = "/api/v1/weak-and-lax", operation_id = "weakAndLax", tag = "grading",
    params(WeakListParams),
    responses(
        (status = 200, description = "One page", body = WeakList),
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
    match service::weak_and_lax::list(
        &s.store,
        &caller,
        org,
        q.get("state"),
        q.get("year"),
        per_page,
        (page - 1) * per_page,
    )
    .await
    {
        Ok((rows, total)) => json(
            StatusCode::OK,
            &WeakList { org_id: org, items: rows.iter().map(out).collect(), total, page, per_page },
        ),
        Err(e) => caller.service_fail(e),
    }
}

/// A suspected organization as `POST /api/v1/weak-and-lax` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WeakCreate {
    /// 党组织: below an organization where the caller holds 管理分类定级.
    org_id: i64,
    /// 排查情况.
    reason: Option<String>,
    /// 认定标准: codes of criteria in force with their facts, `[{"code": "N04", "evidence": "…"}]`.
    criteria: Vec<TickIn>,
}

/// A criterion ticked.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TickIn {
    code: String,
    evidence: String,
}

/// 排查登记 / Enter a suspected organization
#[utoipa::path(
    post, path = "/api/v1/weak-and-lax", operation_id = "createWeakAndLax", tag = "grading",
    request_body = WeakCreate,
    responses(
        (status = 201, description = "The record", body = WeakDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn create(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::ManageGrading));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = f.int("org_id", "党组织");
    let org = f.required(org, "党组织", "请用 org_id 指明被排查的党组织");
    let reason = f.text("reason", "排查情况").value().unwrap_or_default();
    let ticks = f.list("criteria", "认定标准", |x| {
        Some(TickInput {
            code: x.text("code", "代码").value().unwrap_or_default(),
            evidence: x.text("evidence", "事实依据").value().unwrap_or_default(),
        })
    });
    let ticks = f.required(ticks, "认定标准", "请用 criteria 列出勾选的认定标准及事实依据").unwrap_or_default();
    tri!(f.check(&["党组织", "认定标准", "排查情况"]));
    let Some(org) = org else { return caller.not_found() };
    match service::weak_and_lax::create(&s.store, &caller, org, &reason, &ticks, today()).await {
        Ok(w) => detail(&s, &caller, w.id, StatusCode::CREATED).await,
        Err(e) => caller.service_fail(e),
    }
}

/// What a proposal run did.
#[derive(Serialize, ToSchema)]
pub struct ProposedOut {
    pub checked: usize,
    /// The records created as suspected.
    pub created: Vec<i64>,
    /// Organizations the data points to that already have an open record.
    pub already: usize,
}

/// The organization whose subtree is read.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProposeIn {
    org_id: i64,
}

/// 数据提示 / Propose from data
///
/// Every grassroots organization of the subtree without organization life for the months set, or
/// with its 书记 post vacant too long, becomes suspected (unless already on the list).
#[utoipa::path(
    post, path = "/api/v1/weak-and-lax/proposals", operation_id = "proposeWeakAndLax", tag = "grading",
    request_body = ProposeIn,
    responses(
        (status = 200, description = "What was proposed", body = ProposedOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn propose(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::ManageGrading));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = f.int("org_id", "党组织");
    let org = f.required(org, "党组织", "请用 org_id 指明检查的党组织");
    tri!(f.check(&["党组织"]));
    let Some(org) = org else { return caller.not_found() };
    match service::weak_and_lax::propose(&s.store, &caller, org, today()).await {
        Ok(p) => json(StatusCode::OK, &ProposedOut { checked: p.checked, created: p.created, already: p.already }),
        Err(e) => caller.service_fail(e),
    }
}

/// 软弱涣散整顿记录 / One record
#[utoipa::path(
    get, path = "/api/v1/weak-and-lax/{id}", operation_id = "weakAndLaxRecord", tag = "grading",
    params(("id" = i64, Path, description = "The record")),
    responses(
        (status = 200, description = "The record", body = WeakDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn show(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    tri!(caller.require(Perm::ReadGrading));
    detail(&s, &caller, id, StatusCode::OK).await
}

/// A step of the life cycle.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TransitionIn {
    /// `confirm`, `dismiss`, `start`, `accept`, `monitor`, `close`, `reopen` (or the label).
    action: String,
    /// The day it takes effect (default today).
    on: Option<String>,
    /// The decision's reference: required to confirm.
    decision_ref: Option<String>,
    /// Why: required to dismiss and to reopen.
    note: Option<String>,
}

/// 办理 / Move a record through its life cycle
///
/// WEAK-05: confirm (with the decision's reference) or dismiss (with a reason); start the
/// rectification (a plan with items); 验收销号 only when every item is accepted; 跟踪问效 for
/// the months set; close when it ends.
#[utoipa::path(
    post, path = "/api/v1/weak-and-lax/{id}/transition", operation_id = "moveWeakAndLax", tag = "grading",
    params(("id" = i64, Path, description = "The record")),
    request_body = TransitionIn,
    responses(
        (status = 200, description = "The record", body = WeakDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn transition(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageGrading));
    if let Err(e) = service::weak_and_lax::get(&s.store, &caller, id, today()).await {
        return caller.service_fail(e);
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let action = f.text("action", "操作");
    let action = f.required(action, "操作", "请用 action 指明办理事项").unwrap_or_default();
    let input = TransitionInput {
        action,
        on: f.text("on", "日期").value().unwrap_or_default(),
        decision_ref: f.text("decision_ref", "认定依据").value().unwrap_or_default(),
        note: f.text("note", "说明").value().unwrap_or_default(),
    };
    tri!(f.check(&["操作", "日期", "认定依据", "说明"]));
    match service::weak_and_lax::transition(&s.store, &caller, id, &input, today()).await {
        Ok(_) => detail(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}

/// An item of the plan.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ItemIn {
    problem: String,
    measure: String,
    owner: String,
    /// 完成时限, not before today.
    deadline: String,
}

/// 增加整改事项 / Add a plan item
#[utoipa::path(
    post, path = "/api/v1/weak-and-lax/{id}/items", operation_id = "addWeakAndLaxItem", tag = "grading",
    params(("id" = i64, Path, description = "The record")),
    request_body = ItemIn,
    responses(
        (status = 201, description = "The record", body = WeakDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn add_item(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::AssessGrading));
    if let Err(e) = service::weak_and_lax::get(&s.store, &caller, id, today()).await {
        return caller.service_fail(e);
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let input = ItemInput {
        problem: f.text("problem", "存在问题").value().unwrap_or_default(),
        measure: f.text("measure", "整改措施").value().unwrap_or_default(),
        owner: f.text("owner", "责任人").value().unwrap_or_default(),
        deadline: f.text("deadline", "完成时限").value().unwrap_or_default(),
    };
    if let Err(e) = input.validate(today()) {
        f.add_domain(&e);
    }
    tri!(f.check(&["存在问题", "整改措施", "责任人", "完成时限"]));
    match service::weak_and_lax::add_item(&s.store, &caller, id, &input, today()).await {
        Ok(_) => detail(&s, &caller, id, StatusCode::CREATED).await,
        Err(e) => caller.service_fail(e),
    }
}

/// The organization's report of an item done.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReportIn {
    item: i64,
    /// 整改成效.
    evidence: String,
}

/// 报告整改完成 / Report an item done
#[utoipa::path(
    post, path = "/api/v1/weak-and-lax/{id}/items/report", operation_id = "reportWeakAndLaxItem", tag = "grading",
    params(("id" = i64, Path, description = "The record")),
    request_body = ReportIn,
    responses(
        (status = 200, description = "The record", body = WeakDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn report_item(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::AssessGrading));
    if let Err(e) = service::weak_and_lax::get(&s.store, &caller, id, today()).await {
        return caller.service_fail(e);
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let item = f.int("item", "整改事项");
    let item = f.required(item, "整改事项", "请用 item 指明整改事项");
    let ev = f.text("evidence", "整改成效");
    let ev = f.required(ev, "整改成效", "请用 evidence 写明整改成效与佐证").unwrap_or_default();
    tri!(f.check(&["整改事项", "整改成效"]));
    let item = item.map(|i| i.to_string()).unwrap_or_default();
    match service::weak_and_lax::report_item(&s.store, &caller, id, &item, &ev, today()).await {
        Ok(_) => detail(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}

/// The superior's decision on a reported item.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DecideIn {
    item: i64,
    /// `accept` or `return`.
    decision: String,
    /// Required to return.
    reason: Option<String>,
}

/// 验收整改事项 / Accept or return an item
#[utoipa::path(
    post, path = "/api/v1/weak-and-lax/{id}/items/decide", operation_id = "decideWeakAndLaxItem", tag = "grading",
    params(("id" = i64, Path, description = "The record")),
    request_body = DecideIn,
    responses(
        (status = 200, description = "The record", body = WeakDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn decide_item(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageGrading));
    if let Err(e) = service::weak_and_lax::get(&s.store, &caller, id, today()).await {
        return caller.service_fail(e);
    }
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let item = f.int("item", "整改事项");
    let item = f.required(item, "整改事项", "请用 item 指明整改事项");
    let decision = f.text("decision", "验收意见");
    let decision = f.required(decision, "验收意见", "请用 decision 指明 accept 或 return").unwrap_or_default();
    let reason = f.text("reason", "退回理由").value().unwrap_or_default();
    tri!(f.check(&["整改事项", "验收意见", "退回理由"]));
    let item = item.map(|i| i.to_string()).unwrap_or_default();
    match service::weak_and_lax::decide_item(&s.store, &caller, id, &item, &decision, &reason, today()).await {
        Ok(_) => detail(&s, &caller, id, StatusCode::OK).await,
        Err(e) => caller.service_fail(e),
    }
}
