//! 创新清单, 创新动态 and 项目化管理: reading a campaign's lists, updates, findings and projects
//! (查看创建活动, each participant its own line); submitting and keeping a list, reporting an
//! update and proposing a project (填报创建活动 where the organization is); setting the update
//! cadence, local rule versions and holding a project's gates (管理创建活动 where the campaign's
//! issuer is). A gate's decision goes to the project's organization as a message.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::campaign::innovation::{
    self as inno, Cadence, Finding, GateInput, ListInput, ProjectInput, Rule, RuleInput, Stage,
};
use domain::message::{Audience, Draft, Kind as MessageKind};
use domain::org::Org;
use store::campaign::innovation::{Gate, Item, List, OverviewRow, Project, Update};
use store::campaign::{Access, Campaign};
use store::{Scope, Store, Visible};

use crate::{Ctx, ServiceError, ServiceResult};

/// The organization a campaign's parts are read from: the one asked for (in the caller's scope),
/// else the issuer for a caller who sees the campaign in full, else the caller's own organization
/// inside the campaign; `None` when the caller has none there.
async fn under(
    store: &Store,
    ctx: &Ctx,
    scope: &Scope,
    c: &Campaign,
    a: &Access,
    org: Option<i64>,
) -> ServiceResult<Option<Visible<Org>>> {
    Ok(match org {
        Some(o) => Some(store::org::visible(store, scope, o).await?),
        None if a.full => Some(store::org::visible(store, scope, c.org_id).await?),
        None => {
            match ctx.roots_for(Perm::ReadCampaigns).into_iter().find(|r| domain::path::is_within(&r.path, &c.org_path))
            {
                Some(r) => Some(store::org::visible(store, scope, r.id).await?),
                None => None,
            }
        }
    })
}

/// What the innovation page of a campaign asks for.
#[derive(Debug, Clone)]
pub struct PageQuery {
    /// The organization to read from (see [`under`]); `None` for the default.
    pub org: Option<i64>,
    /// The date the findings and the overview are as of.
    pub on: NaiveDate,
    /// The year of the lists shown.
    pub year: i32,
    /// The page of participants.
    pub limit: usize,
    pub offset: usize,
    /// The page of updates.
    pub updates_limit: i64,
    pub updates_offset: i64,
}

/// The innovation page of a campaign.
#[derive(Debug, Clone)]
pub struct Page {
    pub campaign: Campaign,
    pub access: Access,
    /// Where the lines are read from.
    pub under: Option<Visible<Org>>,
    pub cadence: Cadence,
    /// A page of participants with their lists and updates, and how many there are.
    pub rows: Vec<OverviewRow>,
    pub total: usize,
    pub findings: Vec<Finding>,
    pub updates: Vec<Update>,
    pub updates_total: i64,
    /// The versions in force on the date for the organization read from, one per rule.
    pub in_force: Vec<Rule>,
    /// The local versions set at, above or below the organization read from.
    pub local: Vec<Rule>,
    /// 管理创建活动 where the issuer is: cadence, local rules, gates.
    pub can_manage: bool,
    /// 填报创建活动 somewhere: lists and updates.
    pub can_report: bool,
}

pub async fn page(store: &Store, ctx: &Ctx, id: i64, q: &PageQuery) -> ServiceResult<Page> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (campaign, access) = store::campaign::get(store, &scope, id).await?;
    let under = under(store, ctx, &scope, &campaign, &access, q.org).await?;
    let cadence = store::campaign::innovation::cadence(store, &campaign).await?;
    let rules = store::campaign::innovation::rules(store).await?;
    let (rows, total, findings, updates, updates_total) = match &under {
        Some(u) => {
            let (rows, total) =
                store::campaign::innovation::overview(store, &campaign, u, q.on, q.year, q.limit, q.offset).await?;
            let findings = store::campaign::innovation::findings(store, &campaign, u, q.on).await?;
            let (updates, updates_total) =
                store::campaign::innovation::updates(store, &campaign, u, q.updates_limit, q.updates_offset).await?;
            (rows, total, findings, updates, updates_total)
        }
        None => (vec![], 0, vec![], vec![], 0),
    };
    let at = under.as_ref().map_or(campaign.org_path.clone(), |u| u.path.clone());
    let in_force = inno::in_force(&rules, &at, q.on).into_iter().cloned().collect();
    let local = rules
        .iter()
        .filter(|r| {
            r.org_path.as_deref().is_some_and(|p| domain::path::is_within(&at, p) || domain::path::is_within(p, &at))
        })
        .cloned()
        .collect();
    let can_manage = access.full && ctx.can_at(Perm::ManageCampaigns, &campaign.org_path);
    let can_report = ctx.has(Perm::ReportCampaigns);
    Ok(Page {
        campaign,
        access,
        under,
        cadence,
        rows,
        total,
        findings,
        updates,
        updates_total,
        in_force,
        local,
        can_manage,
        can_report,
    })
}

/// Submit an organization's list for a year.
pub async fn submit_list(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org_id: i64,
    input: &ListInput,
    today: NaiveDate,
) -> ServiceResult<List> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    let v = input.validate()?;
    Ok(store::campaign::innovation::submit_list(store, &scope, id, org_id, &v, today).await?)
}

/// A list with its items, and what the reader may do with it.
#[derive(Debug, Clone)]
pub struct ListView {
    pub campaign: Campaign,
    pub access: Access,
    pub list: List,
    pub items: Vec<Item>,
    /// What makes it perfunctory under the versions of its submission (rule id, detail).
    pub perfunctory: Vec<(String, String)>,
    /// Its year's deadline (INNO-01) for its organization.
    pub deadline: Option<NaiveDate>,
    /// 填报创建活动 over its organization, and its year not yet over.
    pub can_edit: bool,
}

pub async fn list(store: &Store, ctx: &Ctx, list_id: i64, today: NaiveDate) -> ServiceResult<ListView> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (campaign, access, list) = store::campaign::innovation::get_list(store, &scope, list_id).await?;
    let items = store::campaign::innovation::items(store, &list).await?;
    let rules = store::campaign::innovation::rules(store).await?;
    let facts = inno::ListFacts {
        year: list.year as i32,
        submitted_on: list.submitted_on,
        items: items.iter().map(Item::facts).collect(),
    };
    let perfunctory =
        inno::perfunctory(&facts, &rules, &list.org_path).into_iter().map(|(r, d)| (r.rule_id.clone(), d)).collect();
    let deadline = inno::list_deadline(&rules, &list.org_path, list.year as i32, campaign.starts_on);
    let can_edit = list.open_on(today) && ctx.can_at(Perm::ReportCampaigns, &list.org_path);
    Ok(ListView { campaign, access, list, items, perfunctory, deadline, can_edit })
}

/// Change a list as the editor read it (`seen`, `List::seen`).
pub async fn update_list(
    store: &Store,
    ctx: &Ctx,
    list_id: i64,
    seen: i64,
    input: &ListInput,
    today: NaiveDate,
) -> ServiceResult<List> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    store::campaign::innovation::get_list(store, &scope, list_id).await?;
    let v = input.validate()?;
    Ok(store::campaign::innovation::update_list(store, &scope, list_id, seen, &v, today).await?)
}

/// Report an update for a period (`2026-03`, `2026-Q1`) on `today`.
pub async fn report_update(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org_id: i64,
    period: &str,
    content: &str,
    today: NaiveDate,
) -> ServiceResult<Update> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    Ok(store::campaign::innovation::report_update(store, &scope, id, org_id, period, content, today).await?)
}

/// Set how often the campaign's organizations report an update (`month`, `quarter`).
pub async fn set_cadence(store: &Store, ctx: &Ctx, id: i64, cadence: &str) -> ServiceResult<Cadence> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    store::campaign::get_full(store, &scope, id).await?;
    let Some(to) = Cadence::parse(cadence) else {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "报送周期",
            format!("应为 {}", Cadence::labels()),
        )])
        .into());
    };
    Ok(store::campaign::innovation::set_cadence(store, &scope, id, to).await?)
}

/// Set a local version of an innovation rule for an organization's subtree, from the page of a
/// campaign whose issuer the caller manages.
pub async fn add_rule(store: &Store, ctx: &Ctx, id: i64, org_id: i64, input: &RuleInput) -> ServiceResult<Rule> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    store::campaign::get_full(store, &scope, id).await?;
    let v = input.validate()?;
    Ok(store::campaign::innovation::add_rule(store, &scope, org_id, &v).await?)
}

/// A campaign's projects in view.
#[derive(Debug, Clone)]
pub struct Projects {
    pub campaign: Campaign,
    pub access: Access,
    pub rows: Vec<Project>,
    pub total: i64,
    pub can_propose: bool,
    pub can_decide: bool,
}

pub async fn projects(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org: Option<i64>,
    limit: i64,
    offset: i64,
) -> ServiceResult<Projects> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (campaign, access) = store::campaign::get(store, &scope, id).await?;
    let (rows, total) = match under(store, ctx, &scope, &campaign, &access, org).await? {
        Some(u) => store::campaign::innovation::projects(store, &campaign, &u, limit, offset).await?,
        None => (vec![], 0),
    };
    let can_decide = access.full && ctx.can_at(Perm::ManageCampaigns, &campaign.org_path);
    Ok(Projects { can_propose: ctx.has(Perm::ReportCampaigns), can_decide, campaign, access, rows, total })
}

/// Propose a project for an organization.
pub async fn propose(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org_id: i64,
    input: &ProjectInput,
    today: NaiveDate,
) -> ServiceResult<Project> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    let v = input.validate()?;
    Ok(store::campaign::innovation::propose(store, &scope, id, org_id, &v, today).await?)
}

/// A project with its gates.
#[derive(Debug, Clone)]
pub struct ProjectView {
    pub campaign: Campaign,
    pub access: Access,
    pub project: Project,
    pub gates: Vec<Gate>,
    /// The gate the project may pass next, if any.
    pub next: Option<Stage>,
    pub can_decide: bool,
}

pub async fn project(store: &Store, ctx: &Ctx, project_id: i64) -> ServiceResult<ProjectView> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (campaign, access, project) = store::campaign::innovation::get_project(store, &scope, project_id).await?;
    let gates = store::campaign::innovation::gates(store, &project).await?;
    let can_decide = access.full && ctx.can_at(Perm::ManageCampaigns, &campaign.org_path);
    Ok(ProjectView { next: project.stage().next(), campaign, access, project, gates, can_decide })
}

/// Hold the next gate of a project; the decision goes to the project's organization as a message.
pub async fn decide(
    store: &Store,
    ctx: &Ctx,
    project_id: i64,
    input: &GateInput,
    today: NaiveDate,
) -> ServiceResult<(Project, Gate)> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    let (c, _, _) = store::campaign::innovation::get_project(store, &scope, project_id).await?;
    store::campaign::get_full(store, &scope, c.id).await.map_err(|_| ServiceError::NotFound("创新项目"))?;
    let v = input.validate(today)?;
    let (p, g) = store::campaign::innovation::decide(store, &scope, project_id, &v).await?;
    if let Ok(org) = store::org::visible(store, &scope, p.org_id).await {
        let verdict = if g.passed() { "通过" } else { "未通过" };
        let draft = Draft {
            kind: MessageKind::Notice,
            audience: Audience::CampaignReporters,
            subject: format!("innovation_project:{}", p.id),
            title: format!("创新项目{}{}", verdict, g.gate_label()),
            body: format!(
                "{} 的创新项目“{}”{}{}（评分 {}），现{}。{}",
                p.org_name,
                p.title.chars().take(100).collect::<String>(),
                verdict,
                g.gate_label(),
                g.score,
                p.stage().standing(),
                if g.note.is_empty() {
                    String::new()
                } else {
                    format!("评审意见：{}", g.note.chars().take(300).collect::<String>())
                }
            ),
            link: format!("/campaigns/projects/{}", p.id),
        };
        crate::message::post(store, ctx, &org, &draft).await?;
    }
    Ok((p, g))
}
