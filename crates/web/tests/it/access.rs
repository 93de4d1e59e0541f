//! The access matrix, generated from the router: every route in `web::route_specs()` × every role
//! × a target in the caller's own subtree, a descendant, a sibling subtree and an ancestor,
//! asserting allow or deny. The expectations are written here, independently of the code: each
//! route is given a policy in [`POLICIES`], and a route without one fails the test.
//!
//! Allowed means the handler did its work or answered about the input (2xx, 3xx other than to the
//! login page, 409, 422, 400); denied means 403 (the role lacks the permission) or 404 (the record
//! is outside the caller's scope — and then it must be 404, never 403, so existence does not
//! leak). Writes are sent with the CSRF token and nothing else, so an allowed write answers with
//! validation errors and changes nothing; a check at the end proves the tree is unchanged.
//!
//! The same sweep checks masking in every output (no response carries the full ID number or phone
//! of the test member) and that the audit chain verifies afterwards.

use crate::common;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{send, world, Login, World};
use domain::account::Role;
use store::testing::TestDb;
use web::{RouteSpec, Target};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// Business permission held on the target organization's subtree (or anywhere, for routes
    /// without a target).
    Business(P),
    /// The administrator triad's permissions (not tied to the tree).
    Admin(P),
    /// An administrator permission on another account: a 安全管理员 may not act on their own
    /// account (no one grants themself rights).
    AdminNotSelf(P),
    /// The caller's own record (own API token): everyone, only their own.
    OwnOnly,
    /// The linked member's own page.
    SelfMember,
    /// A campaign's page or record that every organization taking part reads (its own line): held
    /// on the caller's subtree, the campaigns issued there and those issued above that reach into
    /// it (own, descendant and ancestor relations), never a sibling's.
    InCampaign(P),
    /// A survey a member answers with their account: the 党员 (linked to a member of branch A),
    /// for surveys whose targets lie above branch A (own, descendant and ancestor issuers), never
    /// a sibling's; anyone else finds nothing.
    Respondent,
    /// A resident's page with a one-time answer code in the path, open to anyone: the matrix's
    /// made-up code is not found (or refused as too many tries), for everyone alike.
    AnswerCode,
}

/// The permissions, as the test understands them from the role table the README documents,
/// independent of `web::access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum P {
    ReadOrgs,
    ReadMembers,
    EditMembers,
    EditOrgs,
    Exchange,
    Stats,
    ManageAccounts,
    ReadAudit,
    RunSystem,
    ReadLife,
    RecordLife,
    ReviewLife,
    ManageLifeRules,
    ConfirmGrants,
    ReadCampaigns,
    ReportCampaigns,
    ManageCampaigns,
    ReadGrading,
    AssessGrading,
    ManageGrading,
    ManageSurveys,
}

/// Does `role` hold `p` at all? 党员: only reading the basics of their own branch.
fn holds(role: Role, p: P) -> bool {
    use Role::*;
    match p {
        P::ReadOrgs => matches!(role, OrgDeptAdmin | OrgAdmin | PartyWorker | Member),
        P::ReadMembers | P::EditMembers | P::Exchange | P::Stats => {
            matches!(role, OrgDeptAdmin | OrgAdmin | PartyWorker)
        }
        P::EditOrgs => matches!(role, OrgDeptAdmin | OrgAdmin),
        P::ManageAccounts => role == SecurityAdmin,
        P::ReadAudit => role == AuditAdmin,
        P::RunSystem => role == SystemAdmin,
        // organization life: members read their branch's; workers record; the
        // organization's superiors review; only the organization department sets local rules
        P::ReadLife => matches!(role, OrgDeptAdmin | OrgAdmin | PartyWorker | Member),
        P::RecordLife => matches!(role, OrgDeptAdmin | OrgAdmin | PartyWorker),
        P::ReviewLife => matches!(role, OrgDeptAdmin | OrgAdmin),
        P::ManageLifeRules => role == OrgDeptAdmin,
        // the second person of every business grant: the business officers, never an administrator
        P::ConfirmGrants => matches!(role, OrgDeptAdmin | OrgAdmin),
        // campaigns: every business officer and worker reads and reports; only the organization
        // department issues them, sets standards and runs dispatch rounds
        P::ReadCampaigns | P::ReportCampaigns => matches!(role, OrgDeptAdmin | OrgAdmin | PartyWorker),
        P::ManageCampaigns => role == OrgDeptAdmin,
        // grading: members read their branch's grades in publicity and may object; workers and
        // officers score; only the organization department sets schemes and approves grades
        P::ReadGrading => matches!(role, OrgDeptAdmin | OrgAdmin | PartyWorker | Member),
        P::AssessGrading => matches!(role, OrgDeptAdmin | OrgAdmin | PartyWorker),
        P::ManageGrading => role == OrgDeptAdmin,
        P::ManageSurveys => matches!(role, OrgDeptAdmin | OrgAdmin),
    }
}

/// The expected policy of every route. A route the router has and this table lacks fails.
const POLICIES: &[(&str, &str, Policy)] = &[
    ("GET", "/healthz", Policy::Public),
    ("GET", "/assets/app.css", Policy::Public),
    ("GET", "/login", Policy::Public),
    ("POST", "/login", Policy::Public),
    ("GET", "/login/totp", Policy::Public),
    ("POST", "/login/totp", Policy::Public),
    ("POST", "/logout", Policy::SignedIn),
    ("POST", "/scope", Policy::SignedIn),
    // the organization picker (its script; its matches, by default those the caller may see) and
    // the top bar's search (organizations for anyone who may see them, members for the roster)
    ("GET", "/assets/picker.js", Policy::Public),
    // the meeting record form's script
    ("GET", "/assets/life-form.js", Policy::Public),
    ("GET", "/orgs/pick", Policy::Business(P::ReadOrgs)),
    ("GET", "/search", Policy::Business(P::ReadOrgs)),
    ("POST", "/search", Policy::Business(P::ReadOrgs)),
    ("GET", "/", Policy::SignedIn),
    ("GET", "/orgs", Policy::Business(P::ReadOrgs)),
    ("GET", "/orgs/{id}", Policy::Business(P::ReadOrgs)),
    ("GET", "/orgs/{id}/new", Policy::Business(P::EditOrgs)),
    ("POST", "/orgs/{id}/new", Policy::Business(P::EditOrgs)),
    ("GET", "/orgs/{id}/edit", Policy::Business(P::EditOrgs)),
    ("POST", "/orgs/{id}/edit", Policy::Business(P::EditOrgs)),
    ("GET", "/orgs/{id}/move", Policy::Business(P::EditOrgs)),
    ("POST", "/orgs/{id}/move", Policy::Business(P::EditOrgs)),
    ("GET", "/orgs/{id}/dissolve", Policy::Business(P::EditOrgs)),
    ("POST", "/orgs/{id}/dissolve", Policy::Business(P::EditOrgs)),
    ("GET", "/members", Policy::Business(P::ReadMembers)),
    ("GET", "/members/{id}", Policy::Business(P::ReadMembers)),
    ("GET", "/members/{id}/print", Policy::Business(P::ReadMembers)),
    ("GET", "/members/{id}/edit", Policy::Business(P::EditMembers)),
    ("POST", "/members/{id}/edit", Policy::Business(P::EditMembers)),
    ("GET", "/members/{id}/status", Policy::Business(P::EditMembers)),
    ("POST", "/members/{id}/status", Policy::Business(P::EditMembers)),
    ("GET", "/orgs/{id}/members/new", Policy::Business(P::EditMembers)),
    ("POST", "/orgs/{id}/members/new", Policy::Business(P::EditMembers)),
    ("GET", "/me", Policy::SelfMember),
    // 消息: every account's own message box (another's message answers 404, see messages.rs)
    ("GET", "/messages", Policy::SignedIn),
    ("POST", "/messages/read", Policy::SignedIn),
    ("POST", "/messages/read-all", Policy::SignedIn),
    // 数据导入导出 and 统计分析
    ("GET", "/import", Policy::Business(P::Exchange)),
    ("POST", "/import", Policy::Business(P::Exchange)),
    // the import templates hold no data: for whoever may import
    ("GET", "/import/template.xlsx", Policy::Business(P::Exchange)),
    ("GET", "/import/template.csv", Policy::Business(P::Exchange)),
    ("GET", "/import/{id}", Policy::Business(P::Exchange)),
    ("POST", "/import/{id}/commit", Policy::Business(P::Exchange)),
    ("GET", "/import/{id}/errors.xlsx", Policy::Business(P::Exchange)),
    ("GET", "/export", Policy::Business(P::Exchange)),
    ("GET", "/export/download", Policy::Business(P::Exchange)),
    ("GET", "/stats", Policy::Business(P::Stats)),
    ("GET", "/stats/export.csv", Policy::Business(P::Stats)),
    // 组织生活: rules and types, 党组 work divisions
    ("GET", "/life/rules", Policy::Business(P::ReadLife)),
    ("POST", "/life/rules", Policy::Business(P::ManageLifeRules)),
    ("POST", "/life/types", Policy::Business(P::ManageLifeRules)),
    ("POST", "/life/rules/year", Policy::Business(P::ManageLifeRules)),
    // 班子成员: read where the organization is readable, changed by 维护党组织
    ("GET", "/orgs/{id}/officers", Policy::Business(P::ReadOrgs)),
    ("GET", "/api/v1/orgs/{id}/officers", Policy::Business(P::ReadOrgs)),
    ("POST", "/orgs/{id}/officers", Policy::Business(P::EditOrgs)),
    ("POST", "/orgs/{id}/officers/end", Policy::Business(P::EditOrgs)),
    ("GET", "/orgs/{id}/officers/correct", Policy::Business(P::EditOrgs)),
    ("POST", "/orgs/{id}/officers/correct", Policy::Business(P::EditOrgs)),
    ("GET", "/orgs/{id}/divisions", Policy::Business(P::ReadLife)),
    ("POST", "/orgs/{id}/divisions", Policy::Business(P::RecordLife)),
    ("POST", "/orgs/{id}/divisions/delete", Policy::Business(P::RecordLife)),
    // 会议记录 (organization-life records)
    ("GET", "/life", Policy::Business(P::ReadLife)),
    ("GET", "/orgs/{id}/life/new", Policy::Business(P::RecordLife)),
    ("POST", "/orgs/{id}/life/new", Policy::Business(P::RecordLife)),
    ("GET", "/orgs/{id}/life/attendance", Policy::Business(P::RecordLife)),
    ("GET", "/life/records/{id}", Policy::Business(P::ReadLife)),
    ("GET", "/life/records/{id}/print", Policy::Business(P::ReadLife)),
    ("GET", "/life/records/{id}/edit", Policy::Business(P::RecordLife)),
    ("POST", "/life/records/{id}/edit", Policy::Business(P::RecordLife)),
    ("POST", "/life/records/{id}/submit", Policy::Business(P::RecordLife)),
    ("POST", "/life/records/{id}/review", Policy::Business(P::ReviewLife)),
    ("POST", "/life/records/review", Policy::Business(P::ReviewLife)),
    ("POST", "/life/records/{id}/attachments", Policy::Business(P::RecordLife)),
    ("GET", "/life/attachments/{id}", Policy::Business(P::ReadLife)),
    ("POST", "/life/attachments/{id}/delete", Policy::Business(P::RecordLife)),
    // 组织生活: compliance views
    ("GET", "/life/compliance", Policy::Business(P::ReadLife)),
    ("GET", "/life/compliance.xlsx", Policy::Business(P::ReadLife)),
    ("GET", "/orgs/{id}/life", Policy::Business(P::ReadLife)),
    ("GET", "/orgs/{id}/life/print", Policy::Business(P::ReadLife)),
    ("GET", "/life/calendar", Policy::Business(P::ReadLife)),
    ("GET", "/life/findings", Policy::Business(P::ReadLife)),
    // JSON API (bearer tokens)
    ("GET", "/api/v1/openapi.json", Policy::Public),
    ("GET", "/api/v1/orgs", Policy::Business(P::ReadOrgs)),
    ("POST", "/api/v1/orgs", Policy::Business(P::EditOrgs)),
    ("GET", "/api/v1/orgs/{id}", Policy::Business(P::ReadOrgs)),
    ("PATCH", "/api/v1/orgs/{id}", Policy::Business(P::EditOrgs)),
    ("GET", "/api/v1/orgs/{id}/findings", Policy::Business(P::ReadOrgs)),
    ("GET", "/api/v1/orgs/{id}/stats", Policy::Business(P::Stats)),
    ("GET", "/api/v1/members", Policy::Business(P::ReadMembers)),
    ("POST", "/api/v1/members", Policy::Business(P::EditMembers)),
    ("GET", "/api/v1/members/{id}", Policy::Business(P::ReadMembers)),
    ("PATCH", "/api/v1/members/{id}", Policy::Business(P::EditMembers)),
    ("POST", "/api/v1/import", Policy::Business(P::Exchange)),
    ("GET", "/api/v1/export", Policy::Business(P::Exchange)),
    ("GET", "/api/v1/orgs/{id}/roster", Policy::Business(P::RecordLife)),
    ("GET", "/api/v1/life/records", Policy::Business(P::ReadLife)),
    ("POST", "/api/v1/life/records", Policy::Business(P::RecordLife)),
    ("GET", "/api/v1/life/records/{id}", Policy::Business(P::ReadLife)),
    ("PUT", "/api/v1/life/records/{id}", Policy::Business(P::RecordLife)),
    ("POST", "/api/v1/life/records/{id}/submit", Policy::Business(P::RecordLife)),
    ("POST", "/api/v1/life/records/{id}/review", Policy::Business(P::ReviewLife)),
    ("POST", "/api/v1/life/records/review", Policy::Business(P::ReviewLife)),
    ("GET", "/api/v1/life/types", Policy::Business(P::ReadLife)),
    ("GET", "/api/v1/life/rules", Policy::Business(P::ReadLife)),
    ("GET", "/api/v1/life/findings", Policy::Business(P::ReadLife)),
    ("GET", "/api/v1/life/compliance", Policy::Business(P::ReadLife)),
    // 创建活动: campaigns, their parts and dispatch rounds; demonstration sites and training
    ("GET", "/campaigns", Policy::Business(P::ReadCampaigns)),
    ("GET", "/campaigns/new", Policy::Business(P::ManageCampaigns)),
    ("POST", "/campaigns/new", Policy::Business(P::ManageCampaigns)),
    ("GET", "/campaigns/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("GET", "/campaigns/{id}/edit", Policy::Business(P::ManageCampaigns)),
    ("POST", "/campaigns/{id}/edit", Policy::Business(P::ManageCampaigns)),
    ("POST", "/campaigns/{id}/documents", Policy::Business(P::ManageCampaigns)),
    ("GET", "/campaigns/documents/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("GET", "/campaigns/{id}/standard", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/{id}/standard", Policy::Business(P::ManageCampaigns)),
    ("GET", "/campaigns/{id}/funding", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/{id}/funding", Policy::InCampaign(P::ReportCampaigns)),
    ("GET", "/campaigns/{id}/reports", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/{id}/reports", Policy::InCampaign(P::ReportCampaigns)),
    ("POST", "/campaigns/reports/{id}/review", Policy::Business(P::ManageCampaigns)),
    ("POST", "/campaigns/{id}/rounds", Policy::Business(P::ManageCampaigns)),
    ("GET", "/campaigns/rounds/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("GET", "/campaigns/rounds/{id}/export.xlsx", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/rounds/{id}/recompute", Policy::Business(P::ManageCampaigns)),
    ("POST", "/campaigns/rounds/{id}/publish", Policy::Business(P::ManageCampaigns)),
    ("POST", "/campaigns/rounds/{id}/discard", Policy::Business(P::ManageCampaigns)),
    ("POST", "/campaigns/rounds/{id}/meeting", Policy::Business(P::ManageCampaigns)),
    ("GET", "/sites", Policy::Business(P::ReadCampaigns)),
    ("GET", "/sites/new", Policy::Business(P::ManageCampaigns)),
    ("POST", "/sites/new", Policy::Business(P::ManageCampaigns)),
    ("GET", "/sites/{id}", Policy::Business(P::ReadCampaigns)),
    ("POST", "/sites/{id}/review", Policy::Business(P::ManageCampaigns)),
    ("GET", "/training", Policy::Business(P::ReadCampaigns)),
    ("GET", "/training/new", Policy::Business(P::ManageCampaigns)),
    ("POST", "/training/new", Policy::Business(P::ManageCampaigns)),
    ("GET", "/training/coverage", Policy::Business(P::ReadCampaigns)),
    ("GET", "/training/{id}", Policy::Business(P::ReadCampaigns)),
    ("POST", "/training/{id}/attend", Policy::Business(P::ReportCampaigns)),
    // 任务: an organization of the campaign assigns down its own subtree (so a participant's
    // 组织部 assigns within a campaign issued above it); the holder of an assignment reports on
    // it and splits it; only the assigner's side accepts or returns
    ("GET", "/campaigns/{id}/tasks", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/{id}/tasks", Policy::InCampaign(P::ManageCampaigns)),
    ("GET", "/campaigns/tasks/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/tasks/assignments/{id}/cascade", Policy::InCampaign(P::ManageCampaigns)),
    ("POST", "/campaigns/tasks/assignments/{id}/report", Policy::InCampaign(P::ReportCampaigns)),
    ("POST", "/campaigns/tasks/assignments/{id}/decide", Policy::Business(P::ManageCampaigns)),
    ("GET", "/campaigns/tasks/evidence/{id}", Policy::InCampaign(P::ReadCampaigns)),
    // 创新清单、创新动态 and 项目化管理: read and reported by the organizations taking part; the
    // cadence, local rule versions and the projects' gates by the issuer's organization department
    ("GET", "/campaigns/{id}/innovation", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/{id}/innovation/lists", Policy::InCampaign(P::ReportCampaigns)),
    ("POST", "/campaigns/{id}/innovation/updates", Policy::InCampaign(P::ReportCampaigns)),
    ("POST", "/campaigns/{id}/innovation/cadence", Policy::Business(P::ManageCampaigns)),
    ("POST", "/campaigns/{id}/innovation/rules", Policy::Business(P::ManageCampaigns)),
    ("GET", "/campaigns/innovation/lists/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/innovation/lists/{id}", Policy::InCampaign(P::ReportCampaigns)),
    ("GET", "/campaigns/{id}/projects", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/{id}/projects", Policy::InCampaign(P::ReportCampaigns)),
    ("GET", "/campaigns/projects/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/campaigns/projects/{id}/gates", Policy::Business(P::ManageCampaigns)),
    ("GET", "/api/v1/campaigns", Policy::Business(P::ReadCampaigns)),
    ("GET", "/api/v1/campaigns/indicator-sources", Policy::Business(P::ReadCampaigns)),
    ("GET", "/api/v1/campaigns/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/api/v1/campaigns/{id}/rounds", Policy::Business(P::ManageCampaigns)),
    ("GET", "/api/v1/campaigns/rounds/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/api/v1/campaigns/rounds/{id}/publish", Policy::Business(P::ManageCampaigns)),
    // the API of tasks, innovation, nominations and plans: as their pages
    ("GET", "/api/v1/campaigns/{id}/tasks", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/api/v1/campaigns/{id}/tasks", Policy::InCampaign(P::ManageCampaigns)),
    ("GET", "/api/v1/campaigns/tasks/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/api/v1/campaigns/tasks/assignments/{id}/cascade", Policy::InCampaign(P::ManageCampaigns)),
    ("POST", "/api/v1/campaigns/tasks/assignments/{id}/report", Policy::InCampaign(P::ReportCampaigns)),
    ("POST", "/api/v1/campaigns/tasks/assignments/{id}/decide", Policy::Business(P::ManageCampaigns)),
    ("GET", "/api/v1/campaigns/tasks/evidence/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("GET", "/api/v1/campaigns/{id}/innovation", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/api/v1/campaigns/{id}/innovation/lists", Policy::InCampaign(P::ReportCampaigns)),
    ("POST", "/api/v1/campaigns/{id}/innovation/updates", Policy::InCampaign(P::ReportCampaigns)),
    ("GET", "/api/v1/campaigns/innovation/lists/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("PUT", "/api/v1/campaigns/innovation/lists/{id}", Policy::InCampaign(P::ReportCampaigns)),
    ("GET", "/api/v1/campaigns/{id}/projects", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/api/v1/campaigns/{id}/projects", Policy::InCampaign(P::ReportCampaigns)),
    ("GET", "/api/v1/campaigns/projects/{id}", Policy::InCampaign(P::ReadCampaigns)),
    ("POST", "/api/v1/campaigns/projects/{id}/gates", Policy::Business(P::ManageCampaigns)),
    ("GET", "/api/v1/secondments", Policy::Business(P::ReadCampaigns)),
    ("POST", "/api/v1/secondments", Policy::Business(P::ReportCampaigns)),
    ("GET", "/api/v1/secondments/{id}", Policy::Business(P::ReadCampaigns)),
    ("POST", "/api/v1/secondments/{id}/review", Policy::Business(P::ManageCampaigns)),
    ("GET", "/api/v1/plans", Policy::Business(P::ReadCampaigns)),
    ("POST", "/api/v1/plans", Policy::Business(P::ReportCampaigns)),
    ("GET", "/api/v1/plans/{id}", Policy::Business(P::ReadCampaigns)),
    ("PUT", "/api/v1/plans/{id}", Policy::Business(P::ReportCampaigns)),
    ("POST", "/api/v1/plans/{id}/submit", Policy::Business(P::ReportCampaigns)),
    ("POST", "/api/v1/plans/{id}/review", Policy::Business(P::ManageCampaigns)),
    ("POST", "/api/v1/plans/{id}/milestones", Policy::Business(P::ReportCampaigns)),
    // 跟岗学习: nominated where the unit is, decided by 管理创建活动 above it; 党建规划: drafted
    // and submitted where the organization is, approved or returned above it
    ("GET", "/secondments", Policy::Business(P::ReadCampaigns)),
    ("GET", "/secondments/new", Policy::Business(P::ReportCampaigns)),
    ("POST", "/secondments/new", Policy::Business(P::ReportCampaigns)),
    ("GET", "/secondments/{id}", Policy::Business(P::ReadCampaigns)),
    ("POST", "/secondments/{id}/review", Policy::Business(P::ManageCampaigns)),
    ("GET", "/plans", Policy::Business(P::ReadCampaigns)),
    ("GET", "/plans/new", Policy::Business(P::ReportCampaigns)),
    ("POST", "/plans/new", Policy::Business(P::ReportCampaigns)),
    ("GET", "/plans/{id}", Policy::Business(P::ReadCampaigns)),
    ("GET", "/plans/{id}/edit", Policy::Business(P::ReportCampaigns)),
    ("POST", "/plans/{id}/edit", Policy::Business(P::ReportCampaigns)),
    ("POST", "/plans/{id}/submit", Policy::Business(P::ReportCampaigns)),
    ("POST", "/plans/{id}/review", Policy::Business(P::ManageCampaigns)),
    ("POST", "/plans/{id}/milestones", Policy::Business(P::ReportCampaigns)),
    // 测评: 管理测评问卷 over the issuer; members answer signed in; residents with a code
    ("GET", "/surveys", Policy::Business(P::ManageSurveys)),
    ("GET", "/surveys/new", Policy::Business(P::ManageSurveys)),
    ("POST", "/surveys/new", Policy::Business(P::ManageSurveys)),
    ("GET", "/surveys/mine", Policy::SignedIn),
    ("GET", "/surveys/{id}", Policy::Business(P::ManageSurveys)),
    ("GET", "/surveys/{id}/edit", Policy::Business(P::ManageSurveys)),
    ("POST", "/surveys/{id}/edit", Policy::Business(P::ManageSurveys)),
    ("POST", "/surveys/{id}/bases", Policy::Business(P::ManageSurveys)),
    ("POST", "/surveys/{id}/codes", Policy::Business(P::ManageSurveys)),
    ("GET", "/surveys/{id}/texts", Policy::Business(P::ManageSurveys)),
    ("GET", "/surveys/{id}/answer", Policy::Respondent),
    ("POST", "/surveys/{id}/answer", Policy::Respondent),
    ("GET", "/s", Policy::Public),
    ("GET", "/s/{code}", Policy::AnswerCode),
    ("POST", "/s/{code}", Policy::AnswerCode),
    ("GET", "/api/v1/surveys", Policy::Business(P::ManageSurveys)),
    ("GET", "/grading", Policy::Business(P::ReadGrading)),
    ("GET", "/grading/{id}", Policy::InCampaign(P::ReadGrading)),
    ("POST", "/grading/{id}/compute", Policy::Business(P::ManageGrading)),
    ("POST", "/grading/{id}/publish", Policy::Business(P::ManageGrading)),
    ("POST", "/grading/{id}/finalize", Policy::Business(P::ManageGrading)),
    ("POST", "/grading/{id}/satisfaction", Policy::InCampaign(P::AssessGrading)),
    ("POST", "/grading/{id}/weak", Policy::Business(P::ManageGrading)),
    ("GET", "/grading/new", Policy::Business(P::ManageGrading)),
    ("POST", "/grading/new", Policy::Business(P::ManageGrading)),
    ("GET", "/grading/mine", Policy::Business(P::ReadGrading)),
    ("GET", "/grading/schemes", Policy::Business(P::ReadGrading)),
    ("POST", "/grading/schemes", Policy::Business(P::ManageGrading)),
    ("POST", "/grading/catalogues", Policy::Business(P::ManageGrading)),
    ("GET", "/grading/schemes/{id}", Policy::InCampaign(P::ReadGrading)),
    ("POST", "/grading/schemes/{id}", Policy::Business(P::ManageGrading)),
    ("GET", "/grading/catalogues/{id}", Policy::InCampaign(P::ReadGrading)),
    ("POST", "/grading/catalogues/{id}", Policy::Business(P::ManageGrading)),
    ("GET", "/grading/progress", Policy::Business(P::ReadGrading)),
    ("GET", "/grading/entries/{id}", Policy::Business(P::ReadGrading)),
    ("POST", "/grading/entries/{id}/score", Policy::Business(P::AssessGrading)),
    ("POST", "/grading/entries/{id}/step", Policy::Business(P::AssessGrading)),
    ("POST", "/grading/entries/{id}/exceptional", Policy::Business(P::ManageGrading)),
    ("POST", "/grading/entries/{id}/object", Policy::Business(P::ReadGrading)),
    ("POST", "/grading/entries/{id}/answer", Policy::Business(P::AssessGrading)),
    ("POST", "/grading/entries/{id}/review", Policy::Business(P::ManageGrading)),
    ("GET", "/api/v1/grading/entries/{id}", Policy::Business(P::ReadGrading)),
    ("PUT", "/api/v1/grading/entries/{id}/scores", Policy::Business(P::AssessGrading)),
    ("GET", "/api/v1/grading/transitions", Policy::Business(P::ReadGrading)),
    ("GET", "/api/v1/grading/cycles", Policy::Business(P::ReadGrading)),
    ("GET", "/api/v1/grading/cycles/{id}", Policy::InCampaign(P::ReadGrading)),
    ("GET", "/api/v1/surveys/{id}", Policy::Business(P::ManageSurveys)),
    ("GET", "/api/v1/surveys/{id}/tally", Policy::Business(P::ManageSurveys)),
    // 软弱涣散: read where the organization is; entered, confirmed, accepted and closed by the
    // 组织部 above it; the plan drafted and reported by the organization (分类定级评分)
    ("GET", "/weak-and-lax", Policy::Business(P::ReadGrading)),
    ("GET", "/weak-and-lax/new", Policy::Business(P::ManageGrading)),
    ("POST", "/weak-and-lax/new", Policy::Business(P::ManageGrading)),
    ("GET", "/weak-and-lax/proposals", Policy::Business(P::ReadGrading)),
    ("POST", "/weak-and-lax/proposals", Policy::Business(P::ManageGrading)),
    ("GET", "/weak-and-lax/findings", Policy::Business(P::ReadGrading)),
    ("POST", "/weak-and-lax/findings", Policy::Business(P::ManageGrading)),
    ("GET", "/weak-and-lax/criteria", Policy::Business(P::ReadGrading)),
    ("POST", "/weak-and-lax/criteria", Policy::Business(P::ManageGrading)),
    ("GET", "/weak-and-lax/{id}", Policy::Business(P::ReadGrading)),
    ("POST", "/weak-and-lax/{id}/transition", Policy::Business(P::ManageGrading)),
    ("POST", "/weak-and-lax/{id}/criteria", Policy::Business(P::ManageGrading)),
    ("POST", "/weak-and-lax/{id}/links", Policy::Business(P::ManageGrading)),
    ("GET", "/weak-and-lax/{id}/plan", Policy::Business(P::AssessGrading)),
    ("POST", "/weak-and-lax/{id}/plan", Policy::Business(P::AssessGrading)),
    ("POST", "/weak-and-lax/{id}/items/report", Policy::Business(P::AssessGrading)),
    ("POST", "/weak-and-lax/{id}/items/decide", Policy::Business(P::ManageGrading)),
    ("GET", "/api/v1/weak-and-lax", Policy::Business(P::ReadGrading)),
    ("POST", "/api/v1/weak-and-lax", Policy::Business(P::ManageGrading)),
    ("POST", "/api/v1/weak-and-lax/proposals", Policy::Business(P::ManageGrading)),
    ("GET", "/api/v1/weak-and-lax/{id}", Policy::Business(P::ReadGrading)),
    ("POST", "/api/v1/weak-and-lax/{id}/transition", Policy::Business(P::ManageGrading)),
    ("POST", "/api/v1/weak-and-lax/{id}/items", Policy::Business(P::AssessGrading)),
    ("POST", "/api/v1/weak-and-lax/{id}/items/report", Policy::Business(P::AssessGrading)),
    ("POST", "/api/v1/weak-and-lax/{id}/items/decide", Policy::Business(P::ManageGrading)),
    ("GET", "/first-secretaries", Policy::Business(P::ReadGrading)),
    ("GET", "/first-secretaries/new", Policy::Business(P::ManageGrading)),
    ("POST", "/first-secretaries/new", Policy::Business(P::ManageGrading)),
    ("GET", "/first-secretaries/{id}", Policy::Business(P::ReadGrading)),
    // a manager, or the member posted (none of the matrix's accounts is)
    ("POST", "/first-secretaries/{id}/days", Policy::Business(P::ManageGrading)),
    ("POST", "/first-secretaries/{id}/logs", Policy::Business(P::ManageGrading)),
    ("POST", "/first-secretaries/{id}/assessments", Policy::Business(P::ManageGrading)),
    ("POST", "/first-secretaries/{id}/end", Policy::Business(P::ManageGrading)),
    ("GET", "/contact-persons", Policy::Business(P::ReadGrading)),
    ("GET", "/contact-persons/assign", Policy::Business(P::AssessGrading)),
    ("POST", "/contact-persons/assign", Policy::Business(P::AssessGrading)),
    ("GET", "/api/v1/first-secretaries", Policy::Business(P::ReadGrading)),
    ("POST", "/api/v1/first-secretaries", Policy::Business(P::ManageGrading)),
    ("GET", "/api/v1/first-secretaries/{id}", Policy::Business(P::ReadGrading)),
    ("POST", "/api/v1/first-secretaries/{id}/logs", Policy::Business(P::ManageGrading)),
    ("POST", "/api/v1/first-secretaries/{id}/days", Policy::Business(P::ManageGrading)),
    ("POST", "/api/v1/first-secretaries/{id}/assessments", Policy::Business(P::ManageGrading)),
    ("GET", "/api/v1/contact-persons", Policy::Business(P::ReadGrading)),
    ("POST", "/api/v1/contact-persons", Policy::Business(P::AssessGrading)),
    // 账号安全: one's own account
    ("GET", "/account", Policy::SignedIn),
    ("GET", "/account/password", Policy::SignedIn),
    ("POST", "/account/password", Policy::SignedIn),
    ("GET", "/account/totp", Policy::SignedIn),
    ("POST", "/account/totp", Policy::SignedIn),
    ("POST", "/account/recovery", Policy::SignedIn),
    ("POST", "/account/tokens", Policy::SignedIn),
    ("POST", "/account/tokens/{id}/revoke", Policy::OwnOnly),
    ("POST", "/account/sessions/end-others", Policy::SignedIn),
    // 安全管理员
    ("GET", "/admin/accounts", Policy::Admin(P::ManageAccounts)),
    ("GET", "/admin/accounts/new", Policy::Admin(P::ManageAccounts)),
    ("POST", "/admin/accounts/new", Policy::Admin(P::ManageAccounts)),
    ("GET", "/admin/accounts/{id}", Policy::Admin(P::ManageAccounts)),
    ("POST", "/admin/accounts/{id}/grant", Policy::AdminNotSelf(P::ManageAccounts)),
    ("POST", "/admin/accounts/{id}/revoke", Policy::AdminNotSelf(P::ManageAccounts)),
    ("POST", "/admin/accounts/{id}/disable", Policy::AdminNotSelf(P::ManageAccounts)),
    ("POST", "/admin/accounts/{id}/enable", Policy::AdminNotSelf(P::ManageAccounts)),
    ("POST", "/admin/accounts/{id}/reset-password", Policy::AdminNotSelf(P::ManageAccounts)),
    ("POST", "/admin/accounts/{id}/reset-totp", Policy::AdminNotSelf(P::ManageAccounts)),
    ("POST", "/admin/accounts/{id}/revoke-token", Policy::AdminNotSelf(P::ManageAccounts)),
    // 授权确认: business officers decide on the grants a 安全管理员 proposed
    ("GET", "/admin/grants/pending", Policy::Business(P::ConfirmGrants)),
    ("POST", "/admin/grants/pending", Policy::Business(P::ConfirmGrants)),
    // 审计管理员
    ("GET", "/audit", Policy::Admin(P::ReadAudit)),
    ("GET", "/audit/export", Policy::Admin(P::ReadAudit)),
    ("GET", "/audit/verify", Policy::Admin(P::ReadAudit)),
    // 系统管理员
    ("GET", "/system", Policy::Admin(P::RunSystem)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Rel {
    Own,
    Descendant,
    Sibling,
    Ancestor,
}

const RELS: [Rel; 4] = [Rel::Own, Rel::Descendant, Rel::Sibling, Rel::Ancestor];

/// The organization each relation stands for: every business grant is on county A.
fn org_of(w: &World, rel: Rel) -> i64 {
    match rel {
        Rel::Own => w.county_a,
        Rel::Descendant => w.branch_a,
        Rel::Sibling => w.county_b,
        Rel::Ancestor => w.city,
    }
}

/// Whether a business role's scope for `p` covers the organization of `rel`. Business roles are
/// granted on county A (own and descendant covered); 党员 covers only their branch (descendant).
fn covers(role: Role, p: P, rel: Rel) -> bool {
    if !holds(role, p) {
        return false;
    }
    match role {
        Role::Member => rel == Rel::Descendant,
        _ => matches!(rel, Rel::Own | Rel::Descendant),
    }
}

struct Targets {
    /// Per relation: member ids (own = the 党员's own record, descendant another member of the
    /// branch, sibling in county B, ancestor at city level).
    members: HashMap<Rel, i64>,
    /// Per relation: account ids (own = the caller's, descendant = an account granted inside county
    /// A, sibling = one granted on county B, ancestor = one granted on the city).
    accounts: HashMap<Rel, i64>,
    /// Per role: (own token id, someone else's token id).
    tokens: HashMap<Role, (i64, i64)>,
    /// Per role: an API token for `/api/v1`.
    api: HashMap<Role, String>,
    /// Per role: an import job the role uploaded itself (roles without 导入导出 have none), and
    /// one uploaded by another account of the same county.
    imports: HashMap<Role, i64>,
    other_import: i64,
    /// Per relation: an organization-life record (own = in 甲镇, a descendant of county A;
    /// descendant = in branch A, which a 党员 covers; sibling = branch B; ancestor = the city's
    /// branch), and one attachment of each.
    records: HashMap<Rel, i64>,
    attachments: HashMap<Rel, i64>,
    /// Per relation: a campaign issued by county A (own), 甲镇 (descendant), county B (sibling) and
    /// the city (ancestor, reaching into county A), each with a document, a reported value of its
    /// first participant and a published round; a demonstration site and a training class at the
    /// relation's organization.
    campaigns: HashMap<Rel, i64>,
    documents: HashMap<Rel, i64>,
    reports: HashMap<Rel, i64>,
    rounds: HashMap<Rel, i64>,
    sites: HashMap<Rel, i64>,
    classes: HashMap<Rel, i64>,
    /// Per relation: a task the campaign's issuer assigned one level down, the assignment of
    /// the relation's organization (own = 甲镇, descendant = branch A, sibling = branch B,
    /// ancestor = county A itself, given by the city) with progress reported on it, and that
    /// report's evidence file.
    tasks: HashMap<Rel, i64>,
    assignments: HashMap<Rel, i64>,
    evidence: HashMap<Rel, i64>,
    /// Per relation: a waiting secondment nomination and a draft plan of the organization the
    /// relation's records use (甲镇, branch A, branch B, the city's branch), the nominee a member
    /// below it.
    secondments: HashMap<Rel, i64>,
    plans: HashMap<Rel, i64>,
    /// Per relation: an innovation list and a project in the relation's campaign, of an
    /// organization taking part (for the ancestor's city campaign, county A itself).
    lists: HashMap<Rel, i64>,
    projects: HashMap<Rel, i64>,
    /// Per relation: an open survey issued by county A (own), 甲镇 (descendant), county B
    /// (sibling) and the city (ancestor), to members and residents with the default targets.
    surveys: HashMap<Rel, i64>,
    /// Per relation: a suspected weak-and-lax identification of the organization the relation's
    /// records use.
    weak: HashMap<Rel, i64>,
    /// Per relation: an organization's entry in a grading cycle (own = 甲镇 and descendant = branch
    /// A in county A's cycle, sibling = branch B in county B's, ancestor = the city branch in the
    /// city's).
    entries: HashMap<Rel, i64>,
    /// Per relation: the scheme and the catalogue of the cycle of that relation.
    schemes: HashMap<Rel, i64>,
    catalogues: HashMap<Rel, i64>,
    /// Per relation: a first secretary's posting to the organization the relation's records use.
    postings: HashMap<Rel, i64>,
    /// Per relation: a grading cycle opened by county A (own), 甲镇 (descendant), county B
    /// (sibling) and the city (ancestor); a cycle is seen over and within the caller's scope.
    cycles: HashMap<Rel, i64>,
}

/// Upload a small roster through the import page as `login`; the id of the job it creates.
async fn upload(w: &World, login: &Login, org: i64) -> Option<i64> {
    let boundary = "----djupload";
    let csv =
        "姓名,公民身份号码,人员类别,入党日期,所在党组织\n导入甲,110105195001010012,正式党员,1980-07-01,甲社区党支部\n导入乙,123,正式党员,1980-07-01,甲社区党支部\n";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"org\"\r\n\r\n{org}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n\
         --{boundary}--\r\n",
        login.csrf
    );
    let req = Request::post("/import")
        .header(header::COOKIE, &login.cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let (status, h, _) = send(&w.app, req).await;
    if !status.is_redirection() {
        return None;
    }
    let loc = h.get(header::LOCATION)?.to_str().ok()?;
    loc.strip_prefix("/import/")?.split(['?', '/']).next()?.parse().ok()
}

async fn targets(w: &World) -> Targets {
    let all = store::Scope::all();
    let policy = domain::account::PasswordPolicy::default();
    let mk = async |name: &str, org: i64| {
        let new = store::account::NewAccount {
            username: name.into(),
            display_name: name.into(),
            password: common::PASSWORD.into(),
            grants: vec![(Role::PartyWorker, Some(org))],
            ..Default::default()
        };
        store::account::create_account(&w.store, &all, &new, &policy).await.unwrap().account.id
    };
    let inside = mk("acct_inside", w.town_a).await;
    let sibling = mk("acct_sibling", w.county_b).await;
    let ancestor = mk("acct_ancestor", w.city).await;
    let now = chrono::Utc::now();
    let mut tokens = HashMap::new();
    let mut api = HashMap::new();
    let (other, _) = store::account::create_api_token(&w.store, &all, inside, "其他人的令牌", now).await.unwrap();
    for (role, l) in &w.logins {
        let (own, _) = store::account::create_api_token(&w.store, &all, l.account_id, "矩阵目标", now).await.unwrap();
        tokens.insert(*role, (own.id, other.id));
        let (_, secret) =
            store::account::create_api_token(&w.store, &all, l.account_id, "矩阵调用", now).await.unwrap();
        api.insert(*role, secret);
    }
    let mut imports = HashMap::new();
    for (role, l) in &w.logins {
        if let Some(id) = upload(w, l, w.county_a).await {
            imports.insert(*role, id);
        }
    }
    let inside_login = common::session_for(&w.store, inside, "acct_inside").await;
    let other_import = upload(w, &inside_login, w.town_a).await.expect("the other account's upload");
    let mut records = HashMap::new();
    let mut attachments = HashMap::new();
    for (rel, org) in [
        (Rel::Own, w.town_a),
        (Rel::Descendant, w.branch_a),
        (Rel::Sibling, w.branch_b),
        (Rel::Ancestor, w.city_branch),
    ] {
        let input = domain::life::RecordInput {
            types: vec!["party_lecture".into()],
            title: "矩阵党课".into(),
            held_on: "2026-10-10".into(),
            place: "会议室".into(),
            host: "书记".into(),
            recorder: "委员".into(),
            lecturer: "书记".into(),
            expected: "3".into(),
            present: "3".into(),
            ..Default::default()
        };
        let saved = store::life::create(&w.store, &all, org, &input, false).await.unwrap();
        records.insert(rel, saved.id);
        let png = b"\x89PNG\r\n\x1a\n0000";
        attachments
            .insert(rel, store::life::add_attachment(&w.store, &all, saved.id, "签到表.png", png).await.unwrap());
    }
    let (mut campaigns, mut documents, mut reports, mut rounds) =
        (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
    let (mut sites, mut classes) = (HashMap::new(), HashMap::new());
    let (mut lists, mut projects) = (HashMap::new(), HashMap::new());
    let (mut tasks, mut assignments, mut evidence) = (HashMap::new(), HashMap::new(), HashMap::new());
    for (rel, issuer, site_org) in [
        (Rel::Own, w.county_a, w.town_a),
        (Rel::Descendant, w.town_a, w.branch_a),
        (Rel::Sibling, w.county_b, w.branch_b),
        (Rel::Ancestor, w.city, w.city_branch),
    ] {
        let (c, d, r, round) = common::campaign_target(w, issuer, &format!("矩阵活动{rel:?}")).await;
        let part = if rel == Rel::Ancestor { w.county_a } else { site_org };
        let (list, project) = common::innovation_target(w, c, part).await;
        lists.insert(rel, list);
        projects.insert(rel, project);
        campaigns.insert(rel, c);
        let holder = if rel == Rel::Ancestor { w.county_a } else { site_org };
        let (tk, asg, ev) = common::task_target(w, c, issuer, holder).await;
        tasks.insert(rel, tk);
        assignments.insert(rel, asg);
        evidence.insert(rel, ev);
        documents.insert(rel, d);
        reports.insert(rel, r);
        rounds.insert(rel, round);
        let site = domain::campaign::site::SiteInput {
            org_id: site_org.to_string(),
            level: "county".into(),
            feature: "矩阵示范".into(),
            named_on: "2026-03-01".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        sites.insert(rel, store::campaign::site::add(&w.store, &all, &site, None).await.unwrap().id);
        let class = domain::campaign::training::ClassInput {
            name: "矩阵培训班".into(),
            audience: "branch_secretaries".into(),
            starts_on: "2026-03-01".into(),
            ends_on: "2026-03-05".into(),
            sessions: "5".into(),
            place: String::new(),
        }
        .validate()
        .unwrap();
        let holder = store::org::visible(&w.store, &all, org_of(w, rel)).await.unwrap();
        classes.insert(rel, store::campaign::training::add(&w.store, &all, &holder, &class, None).await.unwrap().id);
    }
    let (mut secondments, mut plans) = (HashMap::new(), HashMap::new());
    for (rel, unit, member) in [
        (Rel::Own, w.town_a, w.member_a),
        (Rel::Descendant, w.branch_a, w.member_a2),
        (Rel::Sibling, w.branch_b, w.member_b),
        (Rel::Ancestor, w.city_branch, w.city_member),
    ] {
        secondments.insert(rel, common::secondment_target(w, unit, member).await);
        plans.insert(rel, common::plan_target(w, unit).await);
    }
    let mut surveys = HashMap::new();
    for (rel, issuer) in
        [(Rel::Own, w.county_a), (Rel::Descendant, w.town_a), (Rel::Sibling, w.county_b), (Rel::Ancestor, w.city)]
    {
        surveys.insert(rel, crate::survey::survey_target(w, issuer).await);
    }
    let mut weak = HashMap::new();
    for (rel, org) in [
        (Rel::Own, w.town_a),
        (Rel::Descendant, w.branch_a),
        (Rel::Sibling, w.branch_b),
        (Rel::Ancestor, w.city_branch),
    ] {
        weak.insert(rel, crate::weak_and_lax::weak_target(w, org).await);
    }
    let mut postings = HashMap::new();
    for (rel, org) in [
        (Rel::Own, w.town_a),
        (Rel::Descendant, w.branch_a),
        (Rel::Sibling, w.branch_b),
        (Rel::Ancestor, w.city_branch),
    ] {
        postings.insert(rel, crate::first_secretary::posting_target(w, org, None).await);
    }
    let mut cycles = HashMap::new();
    for (rel, org) in
        [(Rel::Own, w.county_a), (Rel::Descendant, w.town_a), (Rel::Sibling, w.county_b), (Rel::Ancestor, w.city)]
    {
        cycles.insert(rel, crate::grading_pages::cycle_at(w, org, 2026, "矩阵分类定级").await);
    }
    // each cycle's scheme and catalogue, owned where the cycle was opened
    let (mut schemes, mut catalogues) = (HashMap::new(), HashMap::new());
    for (rel, id) in &cycles {
        let c = store::grading::cycle(&w.store, &all, *id).await.unwrap();
        schemes.insert(*rel, c.scheme_id);
        let v = store::grading::catalogue_version(&w.store, c.catalogue_version_id).await.unwrap();
        catalogues.insert(*rel, v.catalogue_id);
    }
    let mut entries = HashMap::new();
    for (rel, cycle, org) in [
        (Rel::Own, Rel::Own, w.town_a),
        (Rel::Descendant, Rel::Own, w.branch_a),
        (Rel::Sibling, Rel::Sibling, w.branch_b),
        (Rel::Ancestor, Rel::Ancestor, w.city_branch),
    ] {
        entries.insert(rel, store::grading::entry_of(&w.store, &all, cycles[&cycle], org).await.unwrap().1.id);
    }
    Targets {
        cycles,
        entries,
        schemes,
        catalogues,
        surveys,
        weak,
        postings,
        tasks,
        assignments,
        evidence,
        secondments,
        plans,
        campaigns,
        documents,
        reports,
        rounds,
        sites,
        classes,
        lists,
        projects,
        imports,
        other_import,
        records,
        attachments,
        members: HashMap::from([
            (Rel::Own, w.member_a),
            (Rel::Descendant, w.member_a2),
            (Rel::Sibling, w.member_b),
            (Rel::Ancestor, w.city_member),
        ]),
        accounts: HashMap::from([(Rel::Descendant, inside), (Rel::Sibling, sibling), (Rel::Ancestor, ancestor)]),
        tokens,
        api,
    }
}

/// The expectation for one call.
fn expect(policy: Policy, target: Target, role: Role, rel: Rel) -> bool {
    match policy {
        Policy::Public | Policy::SignedIn => true,
        Policy::Admin(p) => holds(role, p),
        Policy::AdminNotSelf(p) => holds(role, p) && rel != Rel::Own,
        Policy::OwnOnly => rel == Rel::Own,
        Policy::SelfMember => role == Role::Member,
        Policy::InCampaign(p) => holds(role, p) && rel != Rel::Sibling,
        Policy::Respondent => role == Role::Member && rel != Rel::Sibling,
        Policy::AnswerCode => false,
        Policy::Business(p) => match target {
            Target::None => holds(role, p),
            Target::Org | Target::OrgQuery => covers(role, p, rel),
            // an import job is its uploader's alone
            Target::Import => holds(role, p) && rel == Rel::Own,
            Target::Member => {
                // a member record's organization: own and descendant are in branch A, which a
                // 党员 covers for reading the branch basics but not the roster
                covers(role, p, Rel::Own) && matches!(rel, Rel::Own | Rel::Descendant)
            }
            Target::Account | Target::Token => holds(role, p),
            Target::LifeRecord | Target::LifeAttachment => covers(role, p, rel),
            Target::Campaign
            | Target::CampaignDocument
            | Target::IndicatorReport
            | Target::DispatchRound
            | Target::DemoSite
            | Target::TrainingClass
            | Target::CampaignTask
            | Target::TaskAssignment
            | Target::TaskEvidence => covers(role, p, rel),
            Target::Secondment | Target::Plan => covers(role, p, rel),
            Target::InnovationList | Target::InnovationProject => covers(role, p, rel),
            Target::Survey => covers(role, p, rel),
            Target::WeakAndLax => covers(role, p, rel),
            Target::GradingCycle => covers(role, p, rel),
            Target::GradingEntry => covers(role, p, rel),
            Target::GradingScheme | Target::GradingCatalogue => covers(role, p, rel),
            Target::FirstSecretary => covers(role, p, rel),
        },
    }
}

fn fill(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
}

fn request(spec: &RouteSpec, uri: &str, login: &Login, api: &str) -> Request<Body> {
    let is_api = spec.path.starts_with("/api/");
    let mut b = Request::builder().method(spec.method).uri(uri);
    if is_api {
        b = b.header(header::AUTHORIZATION, format!("Bearer {api}"));
    } else {
        b = b.header(header::COOKIE, &login.cookie);
    }
    if spec.method == "GET" {
        return b.body(Body::empty()).unwrap();
    }
    if is_api {
        return b.header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap();
    }
    if spec.path == "/import" {
        let boundary = "----djmatrix";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}--\r\n",
            login.csrf
        );
        return b
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
    }
    b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={}", login.csrf)))
        .unwrap()
}

fn id_for(t: &Targets, w: &World, spec: &RouteSpec, role: Role, rel: Rel) -> Option<i64> {
    Some(match spec.target {
        Target::None | Target::OrgQuery => return None,
        Target::Org => org_of(w, rel),
        Target::Member => t.members[&rel],
        Target::Account => match rel {
            Rel::Own => w.logins[&role].account_id,
            r => t.accounts[&r],
        },
        Target::Token => {
            let (own, other) = t.tokens[&role];
            if rel == Rel::Own {
                own
            } else {
                other
            }
        }
        Target::Import => match (rel, t.imports.get(&role)) {
            (Rel::Own, Some(id)) => *id,
            _ => t.other_import,
        },
        Target::LifeRecord => t.records[&rel],
        Target::LifeAttachment => t.attachments[&rel],
        Target::Campaign => t.campaigns[&rel],
        Target::CampaignDocument => t.documents[&rel],
        Target::IndicatorReport => t.reports[&rel],
        Target::DispatchRound => t.rounds[&rel],
        Target::DemoSite => t.sites[&rel],
        Target::TrainingClass => t.classes[&rel],
        Target::CampaignTask => t.tasks[&rel],
        Target::TaskAssignment => t.assignments[&rel],
        Target::TaskEvidence => t.evidence[&rel],
        Target::Secondment => t.secondments[&rel],
        Target::Plan => t.plans[&rel],
        Target::InnovationList => t.lists[&rel],
        Target::InnovationProject => t.projects[&rel],
        Target::Survey => t.surveys[&rel],
        Target::WeakAndLax => t.weak[&rel],
        Target::GradingCycle => t.cycles[&rel],
        Target::GradingEntry => t.entries[&rel],
        Target::GradingScheme => t.schemes[&rel],
        Target::GradingCatalogue => t.catalogues[&rel],
        Target::FirstSecretary => t.postings[&rel],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_every_role_every_relation() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let t = targets(&w).await;
        let specs = web::route_specs();
        let policies: HashMap<(&str, &str), Policy> = POLICIES.iter().map(|(m, p, pol)| ((*m, *p), *pol)).collect();
        let missing: Vec<String> = specs
            .iter()
            .filter(|s| !policies.contains_key(&(s.method, s.path)))
            .map(|s| format!("{} {}", s.method, s.path))
            .collect();
        assert!(missing.is_empty(), "routes without an entry in the access matrix: {missing:#?}");
        let stale: Vec<_> =
            POLICIES.iter().filter(|(m, p, _)| !specs.iter().any(|s| s.method == *m && s.path == *p)).collect();
        assert!(stale.is_empty(), "matrix entries for routes that no longer exist: {stale:?}");

        let before = store::org::subtree(&w.store, &store::Scope::all(), w.city, None).await.unwrap().len();
        let members_before =
            store::rollup::of(&w.store, &store::org::visible(&w.store, &store::Scope::all(), w.city).await.unwrap())
                .await
                .unwrap()
                .total;
        let mut failures = Vec::new();
        let mut calls = 0;
        // sign-out last, so it does not end the sessions the other calls use
        let mut ordered: Vec<&RouteSpec> = specs.iter().filter(|s| s.path != "/logout").collect();
        ordered.extend(specs.iter().filter(|s| s.path == "/logout"));
        for spec in ordered {
            let policy = policies[&(spec.method, spec.path)];
            for role in Role::ALL {
                let login = &w.logins[role];
                let rels: &[Rel] = match spec.target {
                    Target::None => &RELS[..1],
                    _ => &RELS,
                };
                for rel in rels {
                    let uri = match (spec.target, id_for(&t, &w, spec, *role, *rel)) {
                        (Target::OrgQuery, _) => {
                            let org = org_of(&w, *rel);
                            format!("{}?org={org}&root={org}", spec.path)
                        }
                        (_, Some(id)) => fill(spec.path, id),
                        (_, None) => spec.path.to_string(),
                    };
                    let req = request(spec, &uri, login, &t.api[role]);
                    let (status, headers, body) = send(&w.app, req).await;
                    calls += 1;
                    // the sign-in pages and sign-out answer with a redirect to /login by design
                    let to_login = !matches!(policy, Policy::Public)
                        && spec.path != "/logout"
                        && status.is_redirection()
                        && headers
                            .get(header::LOCATION)
                            .is_some_and(|l| l.to_str().unwrap_or("").starts_with("/login"));
                    let denied = (policy == Policy::AnswerCode && status == StatusCode::TOO_MANY_REQUESTS)
                        || status == StatusCode::FORBIDDEN
                        || status == StatusCode::NOT_FOUND
                        || to_login
                        || status == StatusCode::UNAUTHORIZED;
                    let want = expect(policy, spec.target, *role, *rel);
                    let ok = if want {
                        !denied && !status.is_server_error()
                    } else {
                        // out of scope must look like "not found"
                        let out_of_scope = matches!(policy, Policy::Business(p) | Policy::InCampaign(p) if holds(*role, p))
                            && !matches!(spec.target, Target::None);
                        denied && (!out_of_scope || status == StatusCode::NOT_FOUND)
                    };
                    // masking in every output: no page, API answer or export shows a full ID number
                    // or phone unless asked to unmask (no call here asks)
                    for secret in [common::ID_A, common::PHONE_A] {
                        if body.contains(secret) {
                            failures.push(format!("{} {uri} as {role:?} shows {secret} unmasked", spec.method));
                        }
                    }
                    if !ok {
                        let snippet: String = body.chars().take(160).collect();
                        failures.push(format!(
                            "{} {uri} as {role:?} ({rel:?}): expected {}, got {status} {snippet}",
                            spec.method,
                            if want { "allow" } else { "deny" }
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} of {calls} calls wrong:\n{}", failures.len(), failures.join("\n"));
        let after = store::org::subtree(&w.store, &store::Scope::all(), w.city, None).await.unwrap().len();
        assert_eq!(before, after, "the matrix's writes carried no data and must change nothing");
        let members_after =
            store::rollup::of(&w.store, &store::org::visible(&w.store, &store::Scope::all(), w.city).await.unwrap())
                .await
                .unwrap()
                .total;
        assert_eq!(members_before, members_after, "no import was committed without confirm=yes");
        assert!(calls > 50, "the matrix made {calls} calls");
        let report = store::audit::verify(&w.store).await.unwrap();
        assert!(report.ok(), "the audit chain holds after the matrix: {:?}", report.problems);
        db.finish().await;
    }
}
