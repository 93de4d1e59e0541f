//! The route table. Every route is added through [`Routes::add`], which records its method, path
//! and the kind of record its `{id}` names, so tests can enumerate the whole application (the
//! access matrix in `tests/access.rs` fails for a route it has no entry for).

use axum::routing::MethodRouter;
use axum::Router;

use crate::Shared;

/// What the path parameter of a route names, so a test can fill it with a record in or out of
/// the caller's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// No path parameter.
    None,
    /// `{id}` is an organization.
    Org,
    /// No path parameter, but the `org` query parameter names the organization the page is about
    /// (`/members?org=…`, `/stats?org=…`; the tree takes it as `root`).
    OrgQuery,
    /// `{id}` is a member.
    Member,
    /// `{id}` is an account.
    Account,
    /// `{id}` is one of the caller's own API tokens.
    Token,
    /// `{id}` is an import job (an uploaded file waiting for its commit).
    Import,
    /// `{id}` is an organization-life record.
    LifeRecord,
    /// `{id}` is an attachment of an organization-life record.
    LifeAttachment,
    /// `{id}` is a campaign (创建活动).
    Campaign,
    /// `{id}` is a document of a campaign.
    CampaignDocument,
    /// `{id}` is a value an organization reported for a campaign's indicator.
    IndicatorReport,
    /// `{id}` is a dispatch round (调度).
    DispatchRound,
    /// `{id}` is a demonstration site (示范点).
    DemoSite,
    /// `{id}` is a training class (培训班).
    TrainingClass,
    /// `{id}` is a task of a campaign (任务).
    CampaignTask,
    /// `{id}` is one organization's assignment of a campaign task.
    TaskAssignment,
    /// `{id}` is an evidence file of a task's progress report.
    TaskEvidence,
    /// `{id}` is a secondment nomination (跟岗学习推荐).
    Secondment,
    /// `{id}` is an organization's party-building plan (党建规划).
    Plan,
    /// `{id}` is an organization's innovation list for a year (创新清单).
    InnovationList,
    /// `{id}` is an innovation project (项目化管理).
    InnovationProject,
    /// `{id}` is a survey (测评).
    Survey,
    /// `{id}` is an identification of a weak and lax organization (软弱涣散整顿记录).
    WeakAndLax,
    /// `{id}` is a grading cycle (分类定级工作).
    GradingCycle,
    /// `{id}` is an organization's entry in a grading cycle (评分表).
    GradingEntry,
    /// `{id}` is a grade scheme (定级方案).
    GradingScheme,
    /// `{id}` is an indicator catalogue of grading (指标体系).
    GradingCatalogue,
    /// `{id}` is a first secretary's or party-building instructor's posting (选派记录).
    FirstSecretary,
}

/// One route as the table records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub target: Target,
}

/// A router that remembers what it was given.
pub struct Routes {
    pub router: Router<Shared>,
    pub specs: Vec<RouteSpec>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes { router: Router::new(), specs: Vec::new() }
    }
}

impl Routes {
    /// Add a route. `methods` names the methods `handler` answers (`"GET"`, `"POST"`, or
    /// `"GET,POST"`), as the table records them.
    pub fn add(
        mut self,
        methods: &'static str,
        path: &'static str,
        target: Target,
        handler: MethodRouter<Shared>,
    ) -> Self {
        for m in methods.split(',') {
            let method = match m.trim() {
                "GET" => "GET",
                "POST" => "POST",
                "PUT" => "PUT",
                "PATCH" => "PATCH",
                "DELETE" => "DELETE",
                other => panic!("unknown method {other} for {path}"),
            };
            assert!(
                !self.specs.iter().any(|s| s.method == method && s.path == path),
                "route {method} {path} added twice"
            );
            self.specs.push(RouteSpec { method, path, target });
        }
        self.router = self.router.route(path, handler);
        self
    }
}
