//! Who may do what, where. Each role grants a set of [`Perm`]s; business roles hold them on an
//! organization's subtree (党员 on their own branch only), the administrator triad on nothing in
//! the organization tree (they see no business data). A caller's scope for a permission is the
//! union of the subtrees of the grants that carry it, narrowed to the focus the user chose with
//! the scope switcher.
//!
//! Handlers ask [`crate::auth::Caller::scope_for`] for the scope of the permission they need and
//! pass it to the store, so a record outside it answers 404 ("not found" and "not yours" are the
//! same answer), and [`crate::auth::Caller::require`] for a 403 when the role lacks the permission
//! altogether.

use domain::account::Role;

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
}

impl Perm {
    pub const ALL: [Perm; 14] = [
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
        ],
        Role::PartyWorker => &[ReadOrgs, ReadMembers, EditMembers, Exchange, Stats, ReadLife, RecordLife],
        Role::Member => &[ReadOrgs, ReadLife],
    }
}

pub fn role_has(role: Role, perm: Perm) -> bool {
    perms(role).contains(&perm)
}

/// One entry of the left menu.
pub struct MenuItem {
    pub href: &'static str,
    pub label: &'static str,
    pub section: &'static str,
    /// The menu group heading it sits under.
    pub group: &'static str,
    pub perm: Option<Perm>,
}

/// The whole menu; a caller sees the entries whose permission it holds somewhere.
pub const MENU: &[MenuItem] = &[
    MenuItem { href: "/", label: "工作台", section: "home", group: "", perm: None },
    MenuItem { href: "/me", label: "我的信息", section: "me", group: "", perm: None },
    MenuItem { href: "/orgs", label: "组织树", section: "orgs", group: "组织建设", perm: Some(Perm::ReadOrgs) },
    MenuItem {
        href: "/members",
        label: "党员名册",
        section: "members",
        group: "组织建设",
        perm: Some(Perm::ReadMembers),
    },
    MenuItem {
        href: "/stats", label: "统计分析", section: "stats", group: "组织建设", perm: Some(Perm::Stats)
    },
    MenuItem {
        href: "/life", label: "会议记录", section: "life", group: "组织生活", perm: Some(Perm::ReadLife)
    },
    MenuItem {
        href: "/life/compliance",
        label: "合规检查",
        section: "compliance",
        group: "组织生活",
        perm: Some(Perm::ReadLife),
    },
    MenuItem {
        href: "/life/calendar",
        label: "组织生活日历",
        section: "calendar",
        group: "组织生活",
        perm: Some(Perm::ReadLife),
    },
    MenuItem {
        href: "/life/findings",
        label: "问题清单",
        section: "findings",
        group: "组织生活",
        perm: Some(Perm::ReadLife),
    },
    MenuItem {
        href: "/life/rules",
        label: "规则与类型",
        section: "life_rules",
        group: "组织生活",
        perm: Some(Perm::ReadLife),
    },
    MenuItem {
        href: "/import", label: "数据导入", section: "import", group: "数据交换", perm: Some(Perm::Exchange)
    },
    MenuItem {
        href: "/export", label: "数据导出", section: "export", group: "数据交换", perm: Some(Perm::Exchange)
    },
    MenuItem {
        href: "/admin/accounts",
        label: "账号与授权",
        section: "accounts",
        group: "安全管理",
        perm: Some(Perm::ManageAccounts),
    },
    MenuItem {
        href: "/audit", label: "审计记录", section: "audit", group: "安全审计", perm: Some(Perm::ReadAudit)
    },
    MenuItem {
        href: "/system", label: "系统状态", section: "system", group: "系统管理", perm: Some(Perm::RunSystem)
    },
    MenuItem { href: "/account", label: "账号安全", section: "account", group: "个人设置", perm: None },
];

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
}
