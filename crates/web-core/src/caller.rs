//! The signed-in caller of a page or an API request, and what the page layout shows about it.

use axum::http::StatusCode;
use axum::response::Response;
use domain::org::Org;
use service::{Ctx, ServiceError};
use store::{Scope, StoreError};

use crate::access::{Perm, MENU};
use crate::error_page;

/// Where a request came from, which decides the form of its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// A page: errors are pages.
    Page,
    /// The JSON API: errors are problem+json.
    Api,
}

/// The signed-in caller: the use cases' context ([`service::Ctx`]: who, what it may do where,
/// the scope every read goes through), and what the web adds to it.
pub struct Caller {
    pub ctx: Ctx,
    pub csrf: String,
    pub surface: Surface,
    /// Unread messages, counted once per page view (0 for the API, which shows no top bar).
    pub unread: i64,
}

impl std::ops::Deref for Caller {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl std::ops::DerefMut for Caller {
    fn deref_mut(&mut self) -> &mut Ctx {
        &mut self.ctx
    }
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
    /// Unread messages of the caller (the top bar's 消息 count).
    pub unread: i64,
    /// Show the top bar's search (a role that may see organizations or the roster).
    pub search: bool,
}

impl Nav {
    /// Set the breadcrumb trail (the home crumb is added by the layout).
    pub fn crumbs(mut self, crumbs: Vec<Crumb>) -> Self {
        self.crumbs = crumbs;
        self
    }
}

impl Caller {
    /// The scope for `perm`, or a refusal (403) when the caller holds it nowhere.
    #[allow(clippy::result_large_err)]
    pub fn require(&self, perm: Perm) -> Result<Scope, Response> {
        self.ctx.require(perm).map_err(|e| self.fail(e))
    }

    /// The scope for `perm` and the organization `id` read through it: 403 when the role lacks
    /// the permission, 404 when the organization is missing or outside the scope.
    #[allow(clippy::result_large_err)]
    pub async fn org(
        &self,
        store: &store::Store,
        perm: Perm,
        id: i64,
    ) -> Result<(Scope, store::Visible<Org>), Response> {
        self.ctx.org(store, perm, id).await.map_err(|e| self.fail(e))
    }

    /// 403: the role lacks the permission.
    pub fn forbidden(&self, perm: Perm) -> Response {
        self.fail(ServiceError::Forbidden(perm))
    }

    /// 404: missing or outside the scope (the same answer).
    pub fn not_found(&self) -> Response {
        self.fail(StoreError::NotFound("记录"))
    }

    /// A use case's or the store's error as the surface answers it: missing and out of scope are
    /// the same 404, a refused or invalid operation 409/422 with its message, a role without the
    /// permission 403, anything else a calm 500 (see [`crate::error`]).
    pub fn fail(&self, e: impl Into<ServiceError>) -> Response {
        crate::error::answer(self.surface, e.into())
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
            unread: self.unread,
            search: self.has(Perm::ReadOrgs) || self.has(Perm::ReadMembers),
        }
    }
}
