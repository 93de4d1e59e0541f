//! Who may do what. Each role grants a set of [`Perm`]s; business roles hold them on an
//! organization's subtree (党员 on their own branch only), the administrator triad on nothing in
//! the organization tree (they see no business data). One definition for the service layer, the
//! pages, the API and the command line.

use crate::account::Role;

/// One thing a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Perm {
    /// See organizations in the tree: basics, facilities, term, children, figures.
    ReadOrgs,
    /// See the member roster (masked).
    ReadMembers,
    /// Create and edit members and change their status.
    EditMembers,
    /// Create, edit, move and dissolve organizations.
    EditOrgs,
    /// Import and export rosters.
    Exchange,
    /// Statistics of a subtree.
    Stats,
    /// See ID numbers and phones unmasked (each read audited, 查询留痕).
    ViewPersonal,
    /// Accounts, grants, API tokens of others (安全管理员).
    ManageAccounts,
    /// Read and export the audit trail (审计管理员).
    ReadAudit,
    /// Run the system: status, sessions, maintenance (系统管理员), no business data.
    RunSystem,
    /// Read organization life: records, calendar, compliance and findings.
    ReadLife,
    /// Enter organization-life records (and attachments, 党组 divisions) and submit them.
    RecordLife,
    /// Review (accept or return) records of subordinate organizations.
    ReviewLife,
    /// Add local organization-life types and local rule versions (组织部).
    ManageLifeRules,
    /// Confirm or reject the business grants a 安全管理员 proposed on organizations in one's scope:
    /// the second person every business grant needs (business officers only).
    ConfirmGrants,
    /// See the campaigns one's organizations take part in or issued, their standards, rounds (one's
    /// own line), demonstration sites and training classes.
    ReadCampaigns,
    /// Report indicator values with evidence, and attendance at training classes (党务工作者).
    ReportCampaigns,
    /// Issue campaigns, set standards, accept reported values, compute and publish dispatch rounds,
    /// name demonstration sites and hold training classes (组织部).
    ManageCampaigns,
    /// See grading cycles, grades in publicity and final, weak-and-lax organizations and their
    /// rectification, first secretaries and contact persons of one's organizations; raise an
    /// objection to a grade in publicity.
    ReadGrading,
    /// Score in a grading cycle: a branch's self-assessment, a superior's assessment, answering
    /// objections, reporting rectification items and first-secretary work logs (党务工作者 and up).
    AssessGrading,
    /// Set grade schemes, indicator catalogues and criteria lists; open, advance and approve grading
    /// cycles; confirm and close weak-and-lax organizations; post first secretaries and instructors
    /// and assign contact persons (组织部).
    ManageGrading,
    /// Write questionnaires, issue surveys to members and residents, print answer codes and read
    /// the tallies (组织部 and 党组织管理员).
    ManageSurveys,
}

impl Perm {
    pub const ALL: [Perm; 22] = [
        Perm::ReadOrgs,
        Perm::ReadMembers,
        Perm::EditMembers,
        Perm::EditOrgs,
        Perm::Exchange,
        Perm::Stats,
        Perm::ViewPersonal,
        Perm::ManageAccounts,
        Perm::ReadAudit,
        Perm::RunSystem,
        Perm::ReadLife,
        Perm::RecordLife,
        Perm::ReviewLife,
        Perm::ManageLifeRules,
        Perm::ConfirmGrants,
        Perm::ReadCampaigns,
        Perm::ReportCampaigns,
        Perm::ManageCampaigns,
        Perm::ReadGrading,
        Perm::AssessGrading,
        Perm::ManageGrading,
        Perm::ManageSurveys,
    ];

    /// Is this permission about the organization tree (and so held on a subtree)?
    pub fn is_business(self) -> bool {
        !matches!(self, Perm::ManageAccounts | Perm::ReadAudit | Perm::RunSystem)
    }

    pub fn label(self) -> &'static str {
        match self {
            Perm::ReadOrgs => "查看党组织",
            Perm::ReadMembers => "查看党员名册",
            Perm::EditMembers => "维护党员信息",
            Perm::EditOrgs => "维护党组织",
            Perm::Exchange => "导入导出",
            Perm::Stats => "统计分析",
            Perm::ViewPersonal => "查看个人敏感信息",
            Perm::ManageAccounts => "账号与授权管理",
            Perm::ReadAudit => "查看审计记录",
            Perm::RunSystem => "系统运行维护",
            Perm::ReadLife => "查看组织生活",
            Perm::RecordLife => "登记组织生活",
            Perm::ReviewLife => "审核组织生活记录",
            Perm::ManageLifeRules => "维护组织生活规则",
            Perm::ConfirmGrants => "确认业务授权",
            Perm::ReadCampaigns => "查看创建活动",
            Perm::ReportCampaigns => "填报创建活动",
            Perm::ManageCampaigns => "管理创建活动",
            Perm::ReadGrading => "查看分类定级",
            Perm::AssessGrading => "分类定级评分",
            Perm::ManageGrading => "管理分类定级",
            Perm::ManageSurveys => "管理测评问卷",
        }
    }
}

/// The permissions a role carries.
pub fn perms(role: Role) -> &'static [Perm] {
    use Perm::*;
    match role {
        Role::SystemAdmin => &[RunSystem],
        Role::SecurityAdmin => &[ManageAccounts],
        Role::AuditAdmin => &[ReadAudit],
        Role::OrgDeptAdmin => &[
            ReadOrgs,
            ReadMembers,
            EditMembers,
            EditOrgs,
            Exchange,
            Stats,
            ViewPersonal,
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
        ],
        Role::OrgAdmin => &[
            ReadOrgs,
            ReadMembers,
            EditMembers,
            EditOrgs,
            Exchange,
            Stats,
            ViewPersonal,
            ReadLife,
            RecordLife,
            ReviewLife,
            ConfirmGrants,
            ReadCampaigns,
            ReportCampaigns,
            ReadGrading,
            AssessGrading,
            ManageSurveys,
        ],
        Role::PartyWorker => &[
            ReadOrgs,
            ReadMembers,
            EditMembers,
            Exchange,
            Stats,
            ReadLife,
            RecordLife,
            ReadCampaigns,
            ReportCampaigns,
            ReadGrading,
            AssessGrading,
        ],
        Role::Member => &[ReadOrgs, ReadLife, ReadGrading],
    }
}

pub fn role_has(role: Role, perm: Perm) -> bool {
    perms(role).contains(&perm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_triad_holds_no_business_permission() {
        for role in Role::ALL {
            let business = perms(*role).iter().any(|p| p.is_business());
            assert_eq!(business, role.sees_business_data(), "{role:?}");
        }
        // 三员分立: no role both grants rights and reads the audit trail
        for role in Role::ALL {
            assert!(!(role_has(*role, Perm::ManageAccounts) && role_has(*role, Perm::ReadAudit)));
        }
    }

    #[test]
    fn only_business_officers_confirm_grants_and_never_the_proposer() {
        // the second person of a business grant: 组织部管理员 and 党组织管理员, held on their subtree
        let confirmers: Vec<Role> = Role::ALL.iter().copied().filter(|r| role_has(*r, Perm::ConfirmGrants)).collect();
        assert_eq!(confirmers, [Role::OrgDeptAdmin, Role::OrgAdmin]);
        assert!(Perm::ConfirmGrants.is_business());
        // who proposes (ManageAccounts) never confirms
        for role in Role::ALL {
            assert!(!(role_has(*role, Perm::ManageAccounts) && role_has(*role, Perm::ConfirmGrants)), "{role:?}");
        }
    }
}
