//! The signed-in caller of a page or an API request, and what the page layout shows about it.

use axum::http::StatusCode;
use axum::response::Response;
use domain::account::Role;
use domain::org::Org;
use store::account::AccountWithGrants;
use store::{Actor, Scope, StoreError};

use crate::access::{self, Perm, MENU};
use crate::error_page;

/// Where a request came from, which decides the form of its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// A page: errors are pages.
    Page,
    /// The JSON API: errors are problem+json.
    Api,
}

/// The signed-in caller: who, what it may do where, and the scope every read goes through.
pub struct Caller {
    pub account: AccountWithGrants,
    /// Its roles, most powerful first.
    pub roles: Vec<Role>,
    /// The organization grants (role, subtree path) that count: business roles on live
    /// organizations, and 党员 on their own branch.
    pub(crate) grants: Vec<(Role, String)>,
    /// The linked member (id, organization) of a 党员 account.
    pub own_member: Option<(i64, i64)>,
    pub actor: Actor,
    /// The organization chosen with the scope switcher, narrowing every view.
    pub focus: Option<Org>,
    pub csrf: String,
    pub surface: Surface,
    /// The top organizations of everything the caller may see, whatever the focus.
    pub all_roots: Vec<Org>,
    /// The top organizations of the current view (the focus, or all roots).
    pub roots: Vec<Org>,
    /// The union of what the caller may see, narrowed to the focus: for reads that need only
    /// [`Perm::ReadOrgs`]. Prefer [`Caller::scope_for`].
    pub scope: Scope,
    /// The data generations as the session's read found them (pages); `None` for the API, whose
    /// reads find them when they need them.
    pub generations: Option<store::generation::Generations>,
}

/// One step of the breadcrumb trail.
pub struct Crumb {
    pub href: String,
    pub label: String,
}

impl Crumb {
    pub fn new(href: impl Into<String>, label: impl Into<String>) -> Self {
        Crumb { href: href.into(), label: label.into() }
    }
}

/// What the layout shows: the user, the scope and its switcher, the menu, the breadcrumbs.
pub struct Nav {
    pub user_name: String,
    pub role: String,
    pub scope_name: String,
    pub csrf: String,
    pub section: &'static str,
    /// Menu entries as (group, href, label, section).
    pub menu: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    pub crumbs: Vec<Crumb>,
    /// Scope switcher choices (org id, name), and the chosen one.
    pub scopes: Vec<(i64, String)>,
    pub focus_id: i64,
}

impl Nav {
    /// Set the breadcrumb trail (the home crumb is added by the layout).
    pub fn crumbs(mut self, crumbs: Vec<Crumb>) -> Self {
        self.crumbs = crumbs;
        self
    }
}

impl Caller {
    /// Narrow subtree roots to the focus: the focus itself when it lies inside one of them, else
    /// those of them inside the focus.
    pub(crate) fn narrow(&self, roots: Vec<String>) -> Scope {
        let roots = match &self.focus {
            None => roots,
            Some(f) => {
                if roots.iter().any(|r| domain::path::is_within(&f.path, r)) {
                    vec![f.path.clone()]
                } else {
                    roots.into_iter().filter(|r| domain::path::is_within(r, &f.path)).collect()
                }
            }
        };
        if roots.is_empty() { Scope::none() } else { Scope::subtrees(roots) }.acting_as(self.actor.clone())
    }

    /// Does the caller hold this permission anywhere?
    pub fn has(&self, perm: Perm) -> bool {
        if perm.is_business() {
            self.grants.iter().any(|(r, _)| access::role_has(*r, perm))
        } else {
            self.roles.iter().any(|r| access::role_has(*r, perm))
        }
    }

    /// The scope in which the caller holds `perm` (narrowed to the focus); nothing when it holds
    /// it nowhere. Pass it to the store: records outside it answer 404.
    pub fn scope_for(&self, perm: Perm) -> Scope {
        let roots: Vec<String> =
            self.grants.iter().filter(|(r, _)| access::role_has(*r, perm)).map(|(_, p)| p.clone()).collect();
        self.narrow(roots)
    }

    /// May the caller do `perm` on the organization (or member) at `path`?
    pub fn can_at(&self, perm: Perm, path: &str) -> bool {
        self.grants.iter().any(|(r, p)| access::role_has(*r, perm) && domain::path::is_within(path, p))
    }

    /// The top organizations of the current view in which the caller holds `perm`.
    pub fn roots_for(&self, perm: Perm) -> Vec<Org> {
        self.roots.iter().filter(|o| self.can_at(perm, &o.path)).cloned().collect()
    }

    /// The scope for `perm`, or a refusal (403) when the caller holds it nowhere.
    #[allow(clippy::result_large_err)]
    pub fn require(&self, perm: Perm) -> Result<Scope, Response> {
        if self.has(perm) {
            Ok(self.scope_for(perm))
        } else {
            Err(self.forbidden(perm))
        }
    }

    /// The scope for `perm` and the organization `id` read through it: 403 when the role lacks
    /// the permission, 404 when the organization is missing or outside the scope.
    #[allow(clippy::result_large_err)]
    pub async fn org(&self, store: &store::Store, perm: Perm, id: i64) -> Result<(Scope, Org), Response> {
        let scope = self.require(perm)?;
        match store::org::get(store, &scope, id).await {
            Ok(o) => Ok((scope, o)),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// 403: the role lacks the permission.
    pub fn forbidden(&self, perm: Perm) -> Response {
        let msg = format!("您的角色没有“{}”权限。如需办理，请联系安全管理员授权。", perm.label());
        match self.surface {
            Surface::Page => error_page(StatusCode::FORBIDDEN, "无权访问", &msg),
            Surface::Api => crate::problem(StatusCode::FORBIDDEN, "无权访问", &msg),
        }
    }

    /// 404: missing or outside the scope (the same answer).
    pub fn not_found(&self) -> Response {
        self.fail(StoreError::NotFound("记录"))
    }

    /// A store error as the surface answers it: missing and out of scope are the same 404, a
    /// refused or invalid operation is 400/422 with its message, anything else a calm 500.
    pub fn fail(&self, e: StoreError) -> Response {
        let (status, title, msg) = match &e {
            StoreError::NotFound(_) => {
                (StatusCode::NOT_FOUND, "页面不存在", "您要找的记录不存在，或不在您的管理范围内。".to_string())
            }
            StoreError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "填写有误", e.to_string()),
            StoreError::Refused(_) => (StatusCode::CONFLICT, "无法完成", e.to_string()),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "读取数据时出错，请稍后再试。".to_string()),
        };
        match self.surface {
            Surface::Page => error_page(status, title, &msg),
            Surface::Api => crate::problem(status, title, &msg),
        }
    }

    /// Check a form's CSRF token against the session's (403 when it does not match).
    #[allow(clippy::result_large_err)]
    pub fn check_csrf(&self, token: &str) -> Result<(), Response> {
        if crate::auth::same(&self.csrf, token) {
            Ok(())
        } else {
            Err(error_page(StatusCode::FORBIDDEN, "请求无效", "页面已过期或来源不明，请返回上一页刷新后重试。"))
        }
    }

    /// The role shown in the top bar and recorded in the audit trail.
    pub fn role_label(&self) -> &str {
        &self.actor.role
    }

    /// Is the account a 党员 only (no other role)?
    pub fn is_member_only(&self) -> bool {
        self.roles == [Role::Member]
    }

    /// The page layout's view of the caller.
    pub fn nav(&self, section: &'static str) -> Nav {
        let menu = MENU
            .iter()
            .filter(|m| match m.perm {
                None => m.section != "me" || self.own_member.is_some(),
                Some(p) => self.has(p),
            })
            .map(|m| (m.group, m.href, m.label, m.section))
            .collect();
        let scope_name = match (&self.focus, self.all_roots.len()) {
            (Some(f), _) => f.name.clone(),
            (None, 0) => "无业务数据".to_string(),
            (None, 1) => self.all_roots[0].name.clone(),
            (None, n) => format!("{} 等 {n} 个组织", self.all_roots[0].name),
        };
        let mut scopes: Vec<(i64, String)> = self.all_roots.iter().map(|o| (o.id, o.name.clone())).collect();
        if let Some(f) = &self.focus {
            if !scopes.iter().any(|(id, _)| *id == f.id) {
                scopes.push((f.id, f.name.clone()));
            }
        }
        Nav {
            user_name: self.account.account.display_name.clone(),
            role: self.actor.role.clone(),
            scope_name,
            csrf: self.csrf.clone(),
            section,
            menu,
            crumbs: Vec::new(),
            scopes,
            focus_id: self.focus.as_ref().map_or(0, |f| f.id),
        }
    }
}
