//! 任务 through the API: an organization's task board in a campaign (given to it, assigned by it,
//! overdue and returned, completion by subtree), assigning a task down the subtree, one task with
//! the assignments the caller sees and their reports, splitting a held share among subordinates,
//! reporting progress with evidence files (base64 in the JSON body), accepting or returning a
//! report, and downloading an evidence file. The same use cases as the task pages
//! (`service::campaign::task`): 查看创建活动 to read, 管理创建活动 where the assigner is to assign,
//! split and decide, 填报创建活动 where the holder is to report.

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use domain::campaign::task::{Assign, CascadeInput, FindingKind, ReportInput, Status, TaskInput};
use serde::Serialize;
use service::campaign::task::{Tab, TaskView};
use store::campaign::task::{Assignment, Evidence, Report, Task};
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::input::{bytes, Fields, Given};
use web_core::api::{check, doc, json, ApiCaller, ApiFieldError, Params};
use web_core::enum_schemas;
use web_core::pages::{today, urlencode};
use web_core::{tri, Shared};

use super::{created, milli, moment, text};

enum_schemas!(status_schema, status_schema_opt, Status, "承办状态");
enum_schemas!(assign_schema, assign_schema_opt, Assign, "下达方式");
enum_schemas!(finding_schema, finding_schema_opt, FindingKind, "问题类别");

/// The largest body a progress report takes: the page's limit for its files, as base64 (four
/// characters for every three bytes), and the fields around them.
pub const MAX_REPORT_JSON_BYTES: usize = crate::pages::task::MAX_REPORT_BYTES / 3 * 4 + 64 * 1024;

/// A task as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub campaign_id: i64,
    /// The assigning organization.
    pub org_id: i64,
    pub org_name: String,
    /// The assignment this task was split from (分解), if it was.
    pub parent_assignment_id: Option<i64>,
    pub content: String,
    /// The target of each assignee, as a decimal text; `null` for a yes/no deliverable.
    pub target: Option<String>,
    pub unit: String,
    /// `12个` or `是否完成`.
    pub target_text: String,
    pub due_on: String,
    pub measures: String,
    pub responsible: String,
    pub created_by: String,
    pub created_at: String,
}

pub(crate) fn task_out(t: &Task) -> TaskOut {
    TaskOut {
        id: t.id,
        campaign_id: t.campaign_id,
        org_id: t.org_id,
        org_name: t.org_name.clone(),
        parent_assignment_id: t.parent_assignment_id,
        content: t.content.clone(),
        target: t.target_milli.map(milli),
        unit: t.unit.clone(),
        target_text: t.target_text(),
        due_on: t.due_on.to_string(),
        measures: t.measures.clone(),
        responsible: t.responsible.clone(),
        created_by: t.created_by.clone(),
        created_at: moment(&t.created_at),
    }
}

/// One organization's assignment of a task.
#[derive(Serialize, ToSchema)]
pub struct TaskAssignmentOut {
    pub id: i64,
    pub task_id: i64,
    pub campaign_id: i64,
    /// The holder.
    pub org_id: i64,
    pub org_name: String,
    pub assigner_id: i64,
    pub assigner_name: String,
    pub content: String,
    /// The holder's share, as a decimal text; `null` for a deliverable.
    pub share: Option<String>,
    pub unit: String,
    /// Accepted progress, as a decimal text.
    pub progress: String,
    /// `5 / 12个`, `已完成`, `未完成`.
    pub progress_text: String,
    pub due_on: String,
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// `已完成` once complete, else the status's label.
    pub status_label: String,
    pub complete: bool,
    pub done_on: Option<String>,
    /// Past its deadline today and not completed by then.
    pub overdue: bool,
    /// The task the holder split it into, if it did.
    pub cascade_task_id: Option<i64>,
}

pub(crate) fn assignment_out(a: &Assignment) -> TaskAssignmentOut {
    TaskAssignmentOut {
        id: a.id,
        task_id: a.task_id,
        campaign_id: a.campaign_id,
        org_id: a.org_id,
        org_name: a.org_name.clone(),
        assigner_id: a.assigner_id,
        assigner_name: a.assigner_name.clone(),
        content: a.content.clone(),
        share: a.share_milli.map(milli),
        unit: a.unit.clone(),
        progress: milli(a.progress_milli),
        progress_text: a.progress_text(),
        due_on: a.due_on.to_string(),
        status: a.status().code().into(),
        status_label: a.status_label().into(),
        complete: a.complete(),
        done_on: a.done_on.map(|d| d.to_string()),
        overdue: a.overdue_on(today()),
        cascade_task_id: a.cascade_id,
    }
}

/// A task the organization assigned, with how its assignments stand.
#[derive(Serialize, ToSchema)]
pub struct TaskAssignedOut {
    pub task: TaskOut,
    pub assignments: i64,
    pub complete: i64,
    /// Reports waiting for the organization's decision.
    pub waiting: i64,
}

/// An assignment overdue or returned, in either direction.
#[derive(Serialize, ToSchema)]
pub struct TaskOverdueOut {
    pub assignment: TaskAssignmentOut,
    #[schema(schema_with = finding_schema)]
    pub kind: String,
    /// Days past its deadline (overdue ones).
    pub days_overdue: Option<i64>,
    /// Given to the board's organization (else given by it).
    pub incoming: bool,
}

/// Completion below the board's organization: its own assignments, then each direct
/// subordinate's subtree.
#[derive(Serialize, ToSchema)]
pub struct TaskCompletionOut {
    pub org_id: i64,
    pub org_name: String,
    /// The organization's own assignments (else a subordinate's subtree).
    pub own: bool,
    pub assignments: i64,
    pub complete: i64,
    pub overdue: i64,
    /// Share of the assignments complete, 0 to 1.
    pub rate: f64,
    /// Quantified assignments, and their mean progress towards their shares (0 to 1).
    pub quantified: i64,
    pub progress: f64,
}

/// How many each list of the board holds.
#[derive(Serialize, ToSchema)]
pub struct TaskBoardCounts {
    pub mine: i64,
    pub assigned: i64,
    pub overdue: i64,
}

/// An organization's task board: one page of the chosen list (the other two lists empty), every
/// list's count and completion by subtree.
#[derive(Serialize, ToSchema)]
pub struct TaskBoardOut {
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// The list given: `mine` (given to the organization), `assigned` (by it), `overdue`
    /// (overdue or returned, both directions).
    #[schema(example = "mine")]
    pub tab: String,
    pub counts: TaskBoardCounts,
    pub page: i64,
    pub per_page: i64,
    /// Items of the chosen list.
    pub total: i64,
    pub mine: Vec<TaskAssignmentOut>,
    pub assigned: Vec<TaskAssignedOut>,
    pub overdue: Vec<TaskOverdueOut>,
    pub completion: Vec<TaskCompletionOut>,
    /// The caller may assign tasks from the organization.
    pub can_assign: bool,
}

/// Query parameters of the board.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TaskBoardParams {
    /// The organization whose board it is: by default the issuer for the issuer's side, else the
    /// caller's first organization in the campaign.
    org: Option<i64>,
    /// `mine` (default), `assigned` or `overdue`.
    tab: Option<String>,
    /// Page number, from 1 (a page past the end gives the last).
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 任务看板 / A campaign's task board
///
/// Given to the organization, assigned by it, overdue and returned (as of today), with completion
/// by subtree.
#[utoipa::path(
    get, path = "/api/v1/campaigns/{id}/tasks", operation_id = "taskBoard", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign"), TaskBoardParams),
    responses(
        (status = 200, description = "The board", body = TaskBoardOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn tasks(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>, q: Params) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let tab = match q.get("tab") {
        "" => Tab::Mine,
        v @ ("mine" | "assigned" | "overdue") => Tab::parse(v),
        v => {
            errs.push(ApiFieldError::new("tab", format!("“{v}”无效，应为 mine、assigned 或 overdue")));
            Tab::Mine
        }
    };
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let on = today();
    let b = match service::campaign::task::board(&s.store, &caller, id, org, tab, page, per_page, on).await {
        Ok(b) => b,
        Err(e) => return caller.service_fail(e),
    };
    let out = TaskBoardOut {
        campaign_id: b.campaign.id,
        org_id: b.org.id,
        org_name: b.org.name.clone(),
        tab: tab.code().into(),
        counts: TaskBoardCounts { mine: b.counts.0, assigned: b.counts.1, overdue: b.counts.2 },
        page: b.page,
        per_page,
        total: b.total,
        mine: b.mine.iter().map(assignment_out).collect(),
        assigned: b
            .assigned
            .iter()
            .map(|x| TaskAssignedOut {
                task: task_out(&x.task),
                assignments: x.assignments,
                complete: x.complete,
                waiting: x.waiting,
            })
            .collect(),
        overdue: b
            .findings
            .iter()
            .map(|a| {
                let late = a.overdue_on(on);
                TaskOverdueOut {
                    kind: if late { FindingKind::Overdue } else { FindingKind::Returned }.code().into(),
                    days_overdue: late.then(|| (on - a.due_on).num_days()),
                    incoming: a.org_id == b.org.id,
                    assignment: assignment_out(a),
                }
            })
            .collect(),
        completion: b
            .completion
            .iter()
            .map(|c| TaskCompletionOut {
                org_id: c.org_id,
                org_name: c.org_name.clone(),
                own: c.own,
                assignments: c.assignments,
                complete: c.complete,
                overdue: c.overdue,
                rate: c.rate(),
                quantified: c.quantified,
                progress: c.progress,
            })
            .collect(),
        can_assign: b.can_assign,
    };
    json(StatusCode::OK, &out)
}

/// A task as `POST /api/v1/campaigns/{id}/tasks` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskCreate {
    /// 布置单位: an organization of the campaign where the caller holds 管理创建活动; the task goes
    /// down its subtree.
    org_id: i64,
    /// 任务内容: what is to be done, and to what extent.
    content: String,
    /// 目标数值 of each assignee (a number); left out for a yes/no deliverable.
    #[schema(value_type = Option<f64>, example = 12)]
    target: Option<String>,
    /// 计量单位 (`个`, `次`, `%`); only with a target.
    unit: Option<String>,
    /// 完成期限.
    due_on: String,
    /// 工作措施.
    measures: Option<String>,
    /// 责任人: the responsible unit and person.
    responsible: String,
    /// 下达方式, by code or label.
    #[schema(schema_with = assign_schema)]
    assign: String,
    /// 下达层级 for `level`: 1 (default) for the direct subordinates, 2 for the level below.
    depth: Option<i64>,
    /// 承办单位 for `chosen`: organizations of the assigner's subtree.
    chosen: Option<Vec<i64>>,
}

const TASK_LABELS: &[&str] = &[
    "布置单位",
    "任务内容",
    "目标数值",
    "计量单位",
    "完成期限",
    "工作措施",
    "责任人",
    "下达方式",
    "下达层级",
    "承办单位",
];

/// 布置任务 / Assign a task
///
/// From an organization of the campaign down its own subtree: to every organization a number of
/// levels below it, or to a chosen set. Every problem at once (422). Answers 201 with the task and
/// its address in `Location`.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/tasks", operation_id = "createTask", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign")),
    request_body = TaskCreate,
    responses(
        (status = 201, description = "The task", body = TaskOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn create_task(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageCampaigns));
    // the campaign must be one the caller sees before the body is looked at
    tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org = f.int("org_id", "布置单位");
    let org = f.required(org, "布置单位", "请用 org_id 指明布置任务的党组织");
    let input = TaskInput {
        content: text(&mut f, "content", "任务内容"),
        target: f.number("target", "目标数值").value().unwrap_or_default(),
        unit: text(&mut f, "unit", "计量单位"),
        due_on: text(&mut f, "due_on", "完成期限"),
        measures: text(&mut f, "measures", "工作措施"),
        responsible: text(&mut f, "responsible", "责任人"),
        assign: text(&mut f, "assign", "下达方式"),
        depth: f.int("depth", "下达层级").value().unwrap_or(1).to_string(),
    };
    let chosen = f.ids("chosen", "承办单位").value().unwrap_or_default();
    if let Err(e) = input.validate() {
        f.add_domain(&e);
    }
    tri!(f.check(TASK_LABELS));
    match service::campaign::task::create(&s.store, &caller, id, org, &input, &chosen, today()).await {
        Ok(t) => created(&format!("/api/v1/campaigns/tasks/{}", t.id), &task_out(&t)),
        Err(e) => caller.service_fail(e),
    }
}

/// An evidence file of a report (its content at `href`).
#[derive(Serialize, ToSchema)]
pub struct TaskEvidenceOut {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    /// `GET` it for the file.
    #[schema(example = "/api/v1/campaigns/tasks/evidence/7")]
    pub href: String,
}

fn evidence_out(e: &Evidence) -> TaskEvidenceOut {
    TaskEvidenceOut {
        id: e.id,
        name: e.name.clone(),
        mime: e.mime.clone(),
        size: e.size,
        sha256: e.sha256.clone(),
        href: format!("/api/v1/campaigns/tasks/evidence/{}", e.id),
    }
}

/// Progress reported on an assignment, with the assigner's decision.
#[derive(Serialize, ToSchema)]
pub struct TaskReportOut {
    pub id: i64,
    pub assignment_id: i64,
    /// Cumulative value reported, as a decimal text.
    pub value: Option<String>,
    pub done: bool,
    pub note: String,
    /// `pending`, `accepted` or `returned`.
    #[schema(example = "pending")]
    pub decision: String,
    pub decision_label: String,
    /// Why it was returned.
    pub reason: String,
    pub created_by: String,
    pub created_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub evidence: Vec<TaskEvidenceOut>,
}

fn report_out(r: &Report, files: &[Evidence]) -> TaskReportOut {
    TaskReportOut {
        id: r.id,
        assignment_id: r.assignment_id,
        value: r.value_milli.map(milli),
        done: r.done == 1,
        note: r.note.clone(),
        decision: if r.pending() { "pending".into() } else { r.decision.clone() },
        decision_label: r.decision_label().into(),
        reason: r.reason.clone(),
        created_by: r.created_by.clone(),
        created_at: moment(&r.created_at),
        decided_by: r.decided_by.clone(),
        decided_at: r.decided_at.as_ref().map(moment),
        evidence: files.iter().map(evidence_out).collect(),
    }
}

/// An assignment with its reports and what the caller may do with it now.
#[derive(Serialize, ToSchema)]
pub struct TaskAssignmentDetail {
    pub assignment: TaskAssignmentOut,
    /// Latest first.
    pub reports: Vec<TaskReportOut>,
    /// Report progress (填报创建活动 where the holder is; not complete, no report waiting).
    pub can_report: bool,
    /// Split it among the holder's subordinates (管理创建活动 there; not complete, not split).
    pub can_split: bool,
    /// Accept or return the report waiting on it (管理创建活动 where the assigner is).
    pub can_decide: bool,
}

fn detail(caller: &ApiCaller, v: &TaskView, a: &Assignment) -> TaskAssignmentDetail {
    TaskAssignmentDetail {
        assignment: assignment_out(a),
        reports: v.reports.iter().filter(|(r, _)| r.assignment_id == a.id).map(|(r, f)| report_out(r, f)).collect(),
        can_report: v.can_report(caller, a),
        can_split: v.can_split(caller, a),
        can_decide: v.can_decide && a.status() == Status::Reported,
    }
}

/// A task with one page of the assignments the caller sees.
#[derive(Serialize, ToSchema)]
pub struct TaskDetailOut {
    pub task: TaskOut,
    /// The caller sees the campaign in full (the issuer is in scope).
    pub full: bool,
    /// The assignment it was split from, when the caller sees it.
    pub parent: Option<TaskAssignmentOut>,
    /// Every assignment the caller sees, and how many are complete, waiting for a decision and
    /// overdue today.
    pub total: usize,
    pub complete: usize,
    pub waiting: usize,
    pub overdue: usize,
    pub page: i64,
    pub per_page: i64,
    /// The page's assignments in tree order, with their reports.
    pub assignments: Vec<TaskAssignmentDetail>,
}

/// Query parameters of a task.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TaskParams {
    /// Page number of the assignments, from 1.
    page: Option<i64>,
    /// Assignments per page, 1 to 200 (default 50).
    per_page: Option<i64>,
    /// An assignment whose page to give (instead of `page`).
    focus: Option<i64>,
}

/// 任务 / One task
///
/// The task, the assignments the caller sees (a page of them) with their reports and evidence,
/// and what the caller may do with each.
#[utoipa::path(
    get, path = "/api/v1/campaigns/tasks/{id}", operation_id = "task", tag = "campaigns",
    params(("id" = i64, Path, description = "The task"), TaskParams),
    responses(
        (status = 200, description = "The task", body = TaskDetailOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn task(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>, q: Params) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let mut errs = Vec::new();
    let (page, per_page) = q.paging(&mut errs);
    let focus = q.id("focus", &mut errs);
    tri!(check(errs));
    let v = match service::campaign::task::view(&s.store, &caller, id, page, per_page, focus).await {
        Ok(v) => v,
        Err(e) => return caller.service_fail(e),
    };
    let on = today();
    let out = TaskDetailOut {
        task: task_out(&v.task),
        full: v.access.full,
        parent: v.parent.as_ref().map(assignment_out),
        total: v.assignments.len(),
        complete: v.assignments.iter().filter(|a| a.complete()).count(),
        waiting: v.assignments.iter().filter(|a| a.status() == Status::Reported).count(),
        overdue: v.assignments.iter().filter(|a| a.overdue_on(on)).count(),
        page: v.page,
        per_page: v.per_page,
        assignments: v.shown().iter().map(|a| detail(&caller, &v, a)).collect(),
    };
    json(StatusCode::OK, &out)
}

/// The assignment with its reports after a write (the answer of reporting and deciding).
async fn after(s: &Shared, caller: &ApiCaller, task_id: i64, assignment_id: i64) -> Option<TaskAssignmentDetail> {
    let v = service::campaign::task::view(&s.store, caller, task_id, 1, 1, Some(assignment_id)).await.ok()?;
    let a = v.shown().iter().find(|a| a.id == assignment_id)?;
    Some(detail(caller, &v, a))
}

/// A share of a split as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskShareIn {
    /// A direct subordinate of the holder.
    org_id: i64,
    /// Its share of a quantified task (a number); left out for a deliverable.
    #[schema(value_type = Option<f64>, example = 6)]
    share: Option<String>,
}

/// A split as `POST …/assignments/{id}/cascade` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskCascadeIn {
    /// 分解任务量: the subordinates and their shares; the shares add up to the holder's share.
    shares: Vec<TaskShareIn>,
    /// 完成期限: not after the received one (which it is when left out).
    due_on: Option<String>,
    /// 工作措施.
    measures: Option<String>,
    /// 责任人.
    responsible: String,
}

const CASCADE_LABELS: &[&str] = &["分解任务量", "分解单位", "完成期限", "工作措施", "责任人"];

/// 分解任务 / Split an assignment
///
/// The holder splits its share among its direct subordinates (a new task assigned by it). Answers
/// 201 with that task.
#[utoipa::path(
    post, path = "/api/v1/campaigns/tasks/assignments/{id}/cascade", operation_id = "cascadeTask", tag = "campaigns",
    params(("id" = i64, Path, description = "The assignment held")),
    request_body = TaskCascadeIn,
    responses(
        (status = 201, description = "The task split from the assignment", body = TaskOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn cascade_task(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageCampaigns));
    // an assignment the caller holds, before the body is looked at
    let (task, a) = tri!(service::campaign::task::holding(&s.store, &caller, Perm::ManageCampaigns, id)
        .await
        .map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let quantified = a.share_milli.is_some();
    let shares = f.list("shares", "分解任务量", |x| {
        let org = x.int("org_id", "党组织");
        let org = x.required(org, "党组织", "请用 org_id 指明下级党组织");
        let share = x.number("share", "任务量");
        let typed = match share {
            Given::Value(v) => v,
            Given::Absent | Given::Null if !quantified => "1".into(),
            Given::Absent | Given::Null => {
                x.errors.push(ApiFieldError::new("任务量", "不能为空（字段 share）"));
                String::new()
            }
            Given::Bad => String::new(),
        };
        org.map(|o| (o, typed))
    });
    let shares = f.required(shares, "分解任务量", "请用 shares 列出各下级党组织及其任务量").unwrap_or_default();
    let input = CascadeInput {
        due_on: text(&mut f, "due_on", "完成期限"),
        measures: text(&mut f, "measures", "工作措施"),
        responsible: text(&mut f, "responsible", "责任人"),
        shares,
    };
    if let Err(e) = input.validate(a.share_milli, &task.unit, task.due_on) {
        f.add_domain(&e);
    }
    tri!(f.check(CASCADE_LABELS));
    match service::campaign::task::cascade(&s.store, &caller, id, &input, today()).await {
        Ok(t) => created(&format!("/api/v1/campaigns/tasks/{}", t.id), &task_out(&t)),
        Err(e) => caller.service_fail(e),
    }
}

/// An evidence file as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskEvidenceIn {
    /// The file's name, with its extension (`现场.jpg`, `台账.pdf`).
    name: String,
    /// The file's content, base64 (standard alphabet, padded). At most 10 MB a file.
    content: String,
}

/// Progress as `POST …/assignments/{id}/report` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskReportIn {
    /// 完成数值: the cumulative value (a quantified task).
    #[schema(value_type = Option<f64>, example = 5)]
    value: Option<String>,
    /// Completed (a report of completion needs evidence).
    done: Option<bool>,
    /// 进展说明.
    note: String,
    /// 佐证材料: photos, PDF and office files, at most 10 in a report.
    files: Option<Vec<TaskEvidenceIn>>,
}

const REPORT_LABELS: &[&str] = &["完成数值", "已完成", "进展说明", "佐证材料"];

/// 报送进展 / Report progress
///
/// The holder reports progress with its evidence files; the assigner is told and decides. Not
/// while an earlier report waits, nor once complete (409). Answers 201 with the assignment and its
/// reports.
#[utoipa::path(
    post, path = "/api/v1/campaigns/tasks/assignments/{id}/report", operation_id = "reportTask", tag = "campaigns",
    params(("id" = i64, Path, description = "The assignment held")),
    request_body = TaskReportIn,
    responses(
        (status = 201, description = "The assignment with the new report first", body = TaskAssignmentDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn report_task(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ReportCampaigns));
    // an assignment the caller holds, before the body is looked at
    let (task, _) = tri!(service::campaign::task::holding(&s.store, &caller, Perm::ReportCampaigns, id)
        .await
        .map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let input = ReportInput {
        value: f.number("value", "完成数值").value().unwrap_or_default(),
        done: f.flag("done", "已完成").value().unwrap_or(false),
        note: text(&mut f, "note", "进展说明"),
    };
    let files = f
        .list("files", "佐证材料", |x| {
            let name = x.text("name", "文件名");
            let name = x.required(name, "文件名", "请用 name 给出文件名");
            let content = x.text("content", "文件内容");
            let content = x.required(content, "文件内容", "请用 content 给出 Base64 编码的文件内容")?;
            match base64::engine::general_purpose::STANDARD.decode(content.trim()) {
                Ok(b) => name.map(|n| (n, b)),
                Err(_) => {
                    x.errors.push(ApiFieldError::new("文件内容", "不是有效的 Base64 编码"));
                    None
                }
            }
        })
        .value()
        .unwrap_or_default();
    if let Err(e) = input.validate(task.quantified()) {
        f.add_domain(&e);
    }
    tri!(f.check(REPORT_LABELS));
    match service::campaign::task::report(&s.store, &caller, id, &input, files).await {
        Ok(_) => match after(&s, &caller, task.id, id).await {
            Some(d) => json(StatusCode::CREATED, &d),
            None => caller.not_found(),
        },
        Err(e) => caller.service_fail(e),
    }
}

/// A decision as `POST …/assignments/{id}/decide` takes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskDecideIn {
    /// `true` accepts the report waiting (its progress counts from today), `false` returns it to
    /// the holder, who is told.
    accept: bool,
    /// 退回理由 (required when returning).
    reason: Option<String>,
}

/// 审核进展 / Accept or return a report
///
/// The assigner's side decides on the report waiting on an assignment; 409 when none waits.
#[utoipa::path(
    post, path = "/api/v1/campaigns/tasks/assignments/{id}/decide", operation_id = "decideTask", tag = "campaigns",
    params(("id" = i64, Path, description = "The assignment")),
    request_body = TaskDecideIn,
    responses(
        (status = 200, description = "The assignment with its reports", body = TaskAssignmentDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn decide_task(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageCampaigns));
    // an assignment of a task the caller assigned, before the body is looked at
    let (task, _) = tri!(service::campaign::task::deciding(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let accept = f.flag("accept", "审核结论");
    let accept = f.required(accept, "审核结论", "accept 为 true（通过）或 false（退回）");
    let reason = text(&mut f, "reason", "退回理由");
    if accept == Some(false) && reason.trim().is_empty() {
        f.errors.push(ApiFieldError::new("退回理由", "退回时须写明理由"));
    }
    tri!(f.check(&["审核结论", "退回理由"]));
    let Some(accept) = accept else { return caller.not_found() };
    match service::campaign::task::decide(&s.store, &caller, id, accept, &reason, today()).await {
        Ok(_) => match after(&s, &caller, task.id, id).await {
            Some(d) => json(StatusCode::OK, &d),
            None => caller.not_found(),
        },
        Err(e) => caller.service_fail(e),
    }
}

/// 佐证材料 / An evidence file
///
/// The file as reported, with its type.
#[utoipa::path(
    get, path = "/api/v1/campaigns/tasks/evidence/{id}", operation_id = "taskEvidence", tag = "campaigns",
    params(("id" = i64, Path, description = "The evidence file")),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn task_evidence(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let (file, content) = match service::campaign::task::evidence(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.service_fail(e),
    };
    let mut res = Response::new(Body::from(content));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let fallback: String = file
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        urlencode(&file.name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}
