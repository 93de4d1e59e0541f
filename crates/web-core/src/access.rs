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

pub use domain::access::{perms, role_has, Perm};

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
    MenuItem { href: "/messages", label: "消息", section: "messages", group: "", perm: None },
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
        href: "/admin/grants/pending",
        label: "授权确认",
        section: "grants",
        group: "组织建设",
        perm: Some(Perm::ConfirmGrants),
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
        href: "/campaigns",
        label: "创建活动",
        section: "campaigns",
        group: "创建活动",
        perm: Some(Perm::ReadCampaigns),
    },
    MenuItem {
        href: "/sites", label: "示范点", section: "sites", group: "创建活动", perm: Some(Perm::ReadCampaigns)
    },
    MenuItem {
        href: "/training",
        label: "培训班",
        section: "training",
        group: "创建活动",
        perm: Some(Perm::ReadCampaigns),
    },
    MenuItem {
        href: "/secondments",
        label: "跟岗学习",
        section: "secondments",
        group: "创建活动",
        perm: Some(Perm::ReadCampaigns),
    },
    MenuItem {
        href: "/plans",
        label: "党建规划",
        section: "plans",
        group: "创建活动",
        perm: Some(Perm::ReadCampaigns),
    },
    MenuItem {
        href: "/surveys", label: "测评", section: "surveys", group: "测评", perm: Some(Perm::ManageSurveys)
    },
    MenuItem {
        href: "/grading",
        label: "分类定级",
        section: "grading",
        group: "分类定级",
        perm: Some(Perm::ReadGrading),
    },
    MenuItem {
        href: "/grading/progress",
        label: "晋位升级",
        section: "grading_progress",
        group: "分类定级",
        perm: Some(Perm::ReadGrading),
    },
    MenuItem {
        href: "/grading/schemes",
        label: "方案与指标",
        section: "grading_schemes",
        group: "分类定级",
        perm: Some(Perm::ReadGrading),
    },
    MenuItem {
        href: "/grading/mine",
        label: "本组织定级",
        section: "grading_mine",
        group: "分类定级",
        perm: Some(Perm::ReadGrading),
    },
    MenuItem {
        href: "/weak-and-lax",
        label: "软弱涣散整顿",
        section: "weak_and_lax",
        group: "分类定级",
        perm: Some(Perm::ReadGrading),
    },
    MenuItem {
        href: "/first-secretaries",
        label: "第一书记与党建指导员",
        section: "first_secretaries",
        group: "分类定级",
        perm: Some(Perm::ReadGrading),
    },
    MenuItem {
        href: "/contact-persons",
        label: "支部联系人",
        section: "contact_persons",
        group: "分类定级",
        perm: Some(Perm::ReadGrading),
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
