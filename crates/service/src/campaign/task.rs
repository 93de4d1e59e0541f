//! 任务: assigning a campaign's tasks down a subtree (管理创建活动 where the assigner is), splitting
//! a received share among subordinates (管理创建活动 where the holder is), reporting progress with
//! evidence (填报创建活动 where the holder is), accepting or returning it (管理创建活动 where the
//! assigner is; a return is told to the holder), and reading them: an organization's task board
//! (given to it, assigned by it, overdue and returned), completion by subtree, and one task with its
//! assignments and reports (查看创建活动).

use chrono::NaiveDate;
use domain::access::Perm;
use domain::campaign::task::{CascadeInput, Notice, ReportInput, TaskInput};
use domain::org::Org;
use store::campaign::task::{Assigned, Assignment, Completion, Evidence, Report, Task};
use store::campaign::{Access, Campaign};
use store::{Store, Visible};

use crate::{Ctx, ServiceError, ServiceResult};

/// Which list of the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Given to the organization.
    Mine,
    /// Assigned by the organization.
    Assigned,
    /// Overdue or returned, both directions.
    Overdue,
}

impl Tab {
    pub fn parse(s: &str) -> Tab {
        match s {
            "assigned" => Tab::Assigned,
            "overdue" => Tab::Overdue,
            _ => Tab::Mine,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Tab::Mine => "mine",
            Tab::Assigned => "assigned",
            Tab::Overdue => "overdue",
        }
    }
}

/// An organization's task board in a campaign.
pub struct Board {
    pub campaign: Campaign,
    pub access: Access,
    /// The organization the board is of.
    pub org: Visible<Org>,
    pub tab: Tab,
    /// The page of the tab's list shown (from 1) and how many items it has.
    pub page: i64,
    pub total: i64,
    pub mine: Vec<Assignment>,
    pub assigned: Vec<Assigned>,
    pub findings: Vec<Assignment>,
    /// How many each tab holds (given to it, assigned by it, overdue or returned).
    pub counts: (i64, i64, i64),
    /// Completion below the organization on the date.
    pub completion: Vec<Completion>,
    /// The caller may assign tasks from the organization.
    pub can_assign: bool,
}

fn last_page(total: i64, per_page: i64) -> i64 {
    ((total.max(0) + per_page - 1) / per_page.max(1)).max(1)
}

/// The board of `org` (by default the issuer for the issuer's side, else the caller's first
/// organization in the campaign) on `on`: one page of the tab's list, the other tabs' counts and
/// completion by subtree.
#[allow(clippy::too_many_arguments)]
pub async fn board(
    store: &Store,
    ctx: &Ctx,
    campaign_id: i64,
    org: Option<i64>,
    tab: Tab,
    page: i64,
    per_page: i64,
    on: NaiveDate,
) -> ServiceResult<Board> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (campaign, access) = store::campaign::get(store, &scope, campaign_id).await?;
    let org = match org {
        Some(o) => store::org::visible(store, &scope, o).await?,
        None if access.full => store::org::visible(store, &scope, campaign.org_id).await?,
        None => {
            let first = ctx
                .roots_for(Perm::ReadCampaigns)
                .into_iter()
                .find(|r| domain::path::is_within(&r.path, &campaign.org_path))
                .ok_or(ServiceError::NotFound("党组织"))?;
            store::org::visible(store, &scope, first.id).await?
        }
    };
    if !domain::path::is_within(&org.path, &campaign.org_path) {
        return Err(ServiceError::NotFound("党组织"));
    }
    use store::campaign::task as st;
    let mut page = page.max(1);
    let mut b = Board {
        can_assign: ctx.can_at(Perm::ManageCampaigns, &org.path),
        completion: st::completion(store, &campaign, &org, on).await?,
        counts: (0, 0, 0),
        mine: vec![],
        assigned: vec![],
        findings: vec![],
        total: 0,
        page,
        tab,
        org,
        access,
        campaign,
    };
    // a page past the end shows the last page
    for _ in 0..2 {
        let off = (page - 1) * per_page;
        let (mine, n1) =
            st::assigned_to(store, &b.campaign, &b.org, if tab == Tab::Mine { per_page } else { 0 }, off).await?;
        let (assigned, n2) =
            st::assigned_by(store, &b.campaign, &b.org, if tab == Tab::Assigned { per_page } else { 0 }, off).await?;
        let (findings, n3) =
            st::findings(store, &b.campaign, &b.org, on, if tab == Tab::Overdue { per_page } else { 0 }, off).await?;
        b.counts = (n1, n2, n3);
        b.total = match tab {
            Tab::Mine => n1,
            Tab::Assigned => n2,
            Tab::Overdue => n3,
        };
        (b.mine, b.assigned, b.findings) = (mine, assigned, findings);
        let last = last_page(b.total, per_page);
        if page <= last {
            break;
        }
        page = last;
    }
    b.page = page;
    Ok(b)
}

/// Assign a task of campaign `campaign_id` from `org_id` (every problem of the form at once).
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    campaign_id: i64,
    org_id: Option<i64>,
    input: &TaskInput,
    chosen: &[i64],
    today: NaiveDate,
) -> ServiceResult<Task> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    store::campaign::get(store, &scope, campaign_id).await?;
    let v = input.validate();
    let Some(org_id) = org_id else {
        let mut e = v.err().unwrap_or_default();
        e.push("布置单位", "请选择布置单位");
        return Err(e.into());
    };
    let assigner = store::org::visible(store, &scope, org_id).await?;
    Ok(store::campaign::task::create(store, &scope, campaign_id, &assigner, &v?, chosen, today).await?)
}

/// One task as its page reads it.
pub struct TaskView {
    pub task: Task,
    pub campaign: Campaign,
    pub access: Access,
    /// The assignment it was split from, when the caller sees it.
    pub parent: Option<Assignment>,
    /// Every assignment the caller sees, in tree order (the page shows some).
    pub assignments: Vec<Assignment>,
    /// The page of assignments shown (from 1) and how many a page holds.
    pub page: i64,
    pub per_page: i64,
    /// The reports of the assignments shown, latest first, with their evidence.
    pub reports: Vec<(Report, Vec<Evidence>)>,
    /// The caller may accept or return reports (管理创建活动 where the assigner is).
    pub can_decide: bool,
}

impl TaskView {
    /// The assignments on the page shown.
    pub fn shown(&self) -> &[Assignment] {
        let start = ((self.page - 1) * self.per_page) as usize;
        let end = (start + self.per_page as usize).min(self.assignments.len());
        self.assignments.get(start..end).unwrap_or(&[])
    }
    /// May the caller report progress on this assignment now?
    pub fn can_report(&self, ctx: &Ctx, a: &Assignment) -> bool {
        ctx.can_at(Perm::ReportCampaigns, &a.org_path)
            && !a.complete()
            && a.status() != domain::campaign::task::Status::Reported
    }
    /// May the caller split this assignment among its subordinates now?
    pub fn can_split(&self, ctx: &Ctx, a: &Assignment) -> bool {
        ctx.can_at(Perm::ManageCampaigns, &a.org_path) && !a.complete() && a.cascade_id.is_none()
    }
}

/// A task with the assignments the caller sees, a page of them (the page holding `focus`, an
/// assignment, when given) with their reports.
pub async fn view(
    store: &Store,
    ctx: &Ctx,
    task_id: i64,
    page: i64,
    per_page: i64,
    focus: Option<i64>,
) -> ServiceResult<TaskView> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (task, access, assignments) = store::campaign::task::get(store, &scope, task_id).await?;
    let (campaign, _) = store::campaign::get(store, &scope, task.campaign_id).await?;
    let parent = match task.parent_assignment_id {
        Some(p) => store::campaign::task::assignment(store, &scope, p).await.ok().map(|x| x.1),
        None => None,
    };
    let per_page = per_page.max(1);
    let page = match focus.and_then(|f| assignments.iter().position(|a| a.id == f)) {
        Some(i) => i as i64 / per_page + 1,
        None => page.clamp(1, last_page(assignments.len() as i64, per_page)),
    };
    let mut v = TaskView {
        can_decide: ctx.can_at(Perm::ManageCampaigns, &task.org_path),
        task,
        campaign,
        access,
        parent,
        assignments,
        page,
        per_page,
        reports: vec![],
    };
    let ids: Vec<i64> = v.shown().iter().map(|a| a.id).collect();
    v.reports = store::campaign::task::reports(store, &ids).await?;
    Ok(v)
}

/// The direct subordinates an assignment may be split among (existing on `on`).
pub async fn subordinates(
    store: &Store,
    ctx: &Ctx,
    a: &Assignment,
    on: NaiveDate,
) -> ServiceResult<Vec<(i64, String)>> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    store::campaign::task::held(store, &scope, a.id).await?;
    Ok(store::campaign::task::subordinates(store, a, on).await?)
}

/// An assignment the caller holds with `perm` (填报创建活动 to report on it, 管理创建活动 to split
/// it), with its task; anything else is not found. What a form checks before it reads its input.
pub async fn holding(store: &Store, ctx: &Ctx, perm: Perm, assignment_id: i64) -> ServiceResult<(Task, Assignment)> {
    let scope = ctx.require(perm)?;
    Ok(store::campaign::task::held(store, &scope, assignment_id).await?)
}

/// An assignment of a task the caller assigned (管理创建活动 where the assigner is), with its task;
/// anything else is not found.
pub async fn deciding(store: &Store, ctx: &Ctx, assignment_id: i64) -> ServiceResult<(Task, Assignment)> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    Ok(store::campaign::task::assigned(store, &scope, assignment_id).await?)
}

/// Split a held assignment among the holder's subordinates.
pub async fn cascade(
    store: &Store,
    ctx: &Ctx,
    assignment_id: i64,
    input: &CascadeInput,
    today: NaiveDate,
) -> ServiceResult<Task> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    let (task, a) = store::campaign::task::held(store, &scope, assignment_id).await?;
    let v = input.validate(a.share_milli, &task.unit, task.due_on)?;
    Ok(store::campaign::task::cascade(store, &scope, assignment_id, &v, today).await?)
}

/// Report progress on a held assignment with its evidence files ((name, content)).
pub async fn report(
    store: &Store,
    ctx: &Ctx,
    assignment_id: i64,
    input: &ReportInput,
    files: Vec<(String, Vec<u8>)>,
) -> ServiceResult<Report> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    let (task, _) = store::campaign::task::held(store, &scope, assignment_id).await?;
    let v = input.validate(task.quantified())?;
    Ok(store::campaign::task::report(store, &scope, assignment_id, &v, files).await?)
}

/// Accept (on `today`) or return the report waiting on an assignment; a returned one goes back to
/// its holder as a message.
pub async fn decide(
    store: &Store,
    ctx: &Ctx,
    assignment_id: i64,
    accept: bool,
    reason: &str,
    today: NaiveDate,
) -> ServiceResult<(Task, Assignment, Report)> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    let (task, a, r) = store::campaign::task::decide(store, &scope, assignment_id, accept, reason, today).await?;
    if !accept {
        if let Ok(org) = store::org::visible(store, &scope, a.org_id).await {
            let notice =
                Notice { task_id: task.id, assignment_id: a.id, assignee: &a.org_name, content: &task.content };
            crate::message::post(store, ctx, &org, &notice.returned(r.reason.trim())).await?;
        }
    }
    Ok((task, a, r))
}

/// An evidence file with its content.
pub async fn evidence(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Evidence, Vec<u8>)> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    Ok(store::campaign::task::evidence(store, &scope, id).await?)
}
