//! The caller's context: who is asking, what it may do, and where. Business roles hold their
//! permissions on an organization's subtree (党员 on their own branch only); the administrator
//! triad holds theirs outside the organization tree and sees no business data. A caller's scope
//! for a permission is the union of the subtrees of the grants that carry it, narrowed to the
//! focus the user chose with the scope switcher. Every use case asks the context first.

use domain::access::{self, Perm};
use domain::account::Role;
use domain::org::Org;
use store::account::AccountWithGrants;
use store::{Actor, Scope, Visible};

use crate::{ServiceError, ServiceResult};

/// Who is asking, with what rights where.
#[derive(Clone)]
pub struct Ctx {
    pub account: AccountWithGrants,
    /// Its roles, most powerful first.
    pub roles: Vec<Role>,
    /// The organization grants (role, subtree path) that count: business roles on live
    /// organizations, and 党员 on their own branch.
    pub grants: Vec<(Role, String)>,
    /// The linked member (id, organization) of a 党员 account.
    pub own_member: Option<(i64, i64)>,
    /// Who the audit trail names for what this caller does.
    pub actor: Actor,
    /// The organization chosen with the scope switcher, narrowing every view.
    pub focus: Option<Org>,
    /// The top organizations of everything the caller may see, whatever the focus.
    pub all_roots: Vec<Org>,
    /// The top organizations of the current view (the focus, or all roots).
    pub roots: Vec<Org>,
    /// The union of what the caller may see, narrowed to the focus: for reads that need only
    /// [`Perm::ReadOrgs`]. Prefer [`Ctx::scope_for`].
    pub scope: Scope,
    /// The data generations as the request's session read found them (pages), so that what is
    /// kept in memory is checked without a read of its own; `None` where nothing was read yet
    /// (the API, the command line): the reads that need them find them.
    pub generations: Option<store::generation::Generations>,
}

impl Ctx {
    /// The operator at the command line on the server: every business permission on the whole
    /// tree, recorded in the audit trail as `actor`.
    pub fn operator(actor: Actor) -> Ctx {
        let now = chrono::Utc::now();
        let account = store::account::Account {
            id: 0,
            username: actor.name.clone(),
            display_name: actor.name.clone(),
            member_id: None,
            is_disabled: false,
            must_change_password: false,
            password_changed_at: now,
            has_totp: false,
            created_at: now,
            updated_at: now,
        };
        Ctx {
            account: AccountWithGrants { account, grants: Vec::new() },
            roles: vec![Role::OrgDeptAdmin],
            grants: vec![(Role::OrgDeptAdmin, String::new())],
            own_member: None,
            scope: Scope::all().acting_as(actor.clone()),
            actor,
            focus: None,
            all_roots: Vec::new(),
            roots: Vec::new(),
            generations: None,
        }
    }

    /// Narrow subtree roots to the focus: the focus itself when it lies inside one of them, else
    /// those of them inside the focus.
    pub fn narrow(&self, roots: Vec<String>) -> Scope {
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

    /// The scope in which the caller holds every one of `perms` through one grant (an import needs
    /// 导入导出 and the right to write what the file holds, together).
    pub fn scope_for_all(&self, perms: &[Perm]) -> Scope {
        let roots = self
            .grants
            .iter()
            .filter(|(r, _)| perms.iter().all(|p| access::role_has(*r, *p)))
            .map(|(_, p)| p.clone())
            .collect();
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

    /// The scope for `perm`, or [`ServiceError::Forbidden`] when the caller holds it nowhere.
    pub fn require(&self, perm: Perm) -> ServiceResult<Scope> {
        if self.has(perm) {
            Ok(self.scope_for(perm))
        } else {
            Err(ServiceError::Forbidden(perm))
        }
    }

    /// The scope for `perm` and the organization `id` read through it: forbidden when the role
    /// lacks the permission, not found when the organization is missing or outside the scope.
    pub async fn org(&self, store: &store::Store, perm: Perm, id: i64) -> ServiceResult<(Scope, Visible<Org>)> {
        let scope = self.require(perm)?;
        let org = store::org::visible(store, &scope, id).await?;
        Ok((scope, org))
    }

    /// The role shown in the top bar and recorded in the audit trail.
    pub fn role_label(&self) -> &str {
        &self.actor.role
    }

    /// Is the account a 党员 only (no other role)?
    pub fn is_member_only(&self) -> bool {
        self.roles == [Role::Member]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_holds_every_business_permission_on_the_whole_tree() {
        let ctx = Ctx::operator(Actor::new("cli:root", "系统操作员"));
        for perm in Perm::ALL.iter().filter(|p| p.is_business()) {
            assert!(ctx.has(*perm), "{perm:?}");
            assert!(ctx.scope_for(*perm).is_all(), "{perm:?}");
            assert!(ctx.can_at(*perm, "00010002"), "{perm:?}");
        }
        // and none of the administrator triad's
        assert!(!ctx.has(Perm::ManageAccounts) && !ctx.has(Perm::ReadAudit) && !ctx.has(Perm::RunSystem));
        assert_eq!(ctx.scope_for(Perm::ReadOrgs).actor().name, "cli:root");
        assert!(matches!(ctx.require(Perm::ReadAudit), Err(ServiceError::Forbidden(Perm::ReadAudit))));
    }
}
