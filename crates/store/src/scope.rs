//! The caller: the organization subtrees it may see, and who it is. Mandatory on every business
//! query (so an unscoped query does not compile) and recorded with every write (store::audit).

use domain::path;

/// Who is acting, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: String,
    pub source_ip: Option<String>,
}

impl Actor {
    pub fn new(name: impl Into<String>, role: impl Into<String>) -> Self {
        Actor { name: name.into(), role: role.into(), source_ip: None }
    }
    /// Internal work with no person behind it (migrations, tests).
    pub fn system() -> Self {
        Actor::new("system", "系统")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Root paths of the visible subtrees; the empty path means the whole database.
    roots: Vec<String>,
    actor: Actor,
}

impl Scope {
    /// The whole database: for operators at the command line, migrations and the demo builder.
    pub fn all() -> Self {
        Scope { roots: vec![String::new()], actor: Actor::system() }
    }
    /// The subtrees rooted at these paths (overlapping roots are merged).
    pub fn subtrees<I: IntoIterator<Item = String>>(paths: I) -> Self {
        let mut roots: Vec<String> = paths.into_iter().collect();
        roots.sort();
        let mut merged: Vec<String> = Vec::new();
        for r in roots {
            if !merged.iter().any(|m| path::is_within(&r, m) || m.is_empty()) {
                merged.push(r);
            }
        }
        Scope { roots: merged, actor: Actor::system() }
    }
    /// Nothing at all.
    pub fn none() -> Self {
        Scope { roots: vec![], actor: Actor::system() }
    }
    /// The same scope, acting as `actor`.
    pub fn acting_as(mut self, actor: Actor) -> Self {
        self.actor = actor;
        self
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    /// The scope as the audit trail records it: the root paths, `*` for everything.
    pub fn describe(&self) -> String {
        if self.is_all() {
            "*".into()
        } else {
            self.roots.join(",")
        }
    }
    pub fn roots(&self) -> &[String] {
        &self.roots
    }
    pub fn is_all(&self) -> bool {
        self.roots.iter().any(|r| r.is_empty())
    }
    /// May the caller see the organization at `p`?
    pub fn contains(&self, p: &str) -> bool {
        self.roots.iter().any(|r| r.is_empty() || path::is_within(p, r))
    }
}

/// A record read through a caller's scope. Only the store's scoped lookups make one
/// ([`crate::org::visible`], or [`Visible::within`] for a record already in hand), so a function
/// that reads below an organization, taking `&Visible<Org>`, cannot be handed an organization the
/// caller may not see: there is no other way to build one.
///
/// ```compile_fail
/// # use domain::org::Org;
/// # async fn f(store: &store::Store, org: Org) {
/// // a bare organization (made anywhere, its fields are public) is refused at compile time
/// let _ = store::life::card(store, &org, 2026, chrono::NaiveDate::MIN).await;
/// # }
/// ```
///
/// ```compile_fail
/// # use domain::org::Org;
/// // and a `Visible` cannot be made outside the store
/// fn forge(org: Org) -> store::scope::Visible<Org> { store::scope::Visible(org) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Visible<T>(T);

impl<T> Visible<T> {
    /// Made by the store's scoped reads only.
    pub(crate) fn new(v: T) -> Self {
        Visible(v)
    }

    /// The record itself, no longer marked as checked.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Visible<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl Visible<domain::org::Org> {
    /// An organization already in hand (a caller's top organization, a child listed through the
    /// scope), when `scope` contains it.
    pub fn within(scope: &Scope, org: domain::org::Org) -> Option<Self> {
        scope.contains(&org.path).then_some(Visible(org))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment() {
        let s = Scope::subtrees(["00010002".to_string(), "000100020003".to_string(), "0002".to_string()]);
        assert_eq!(s.roots(), &["00010002".to_string(), "0002".to_string()]);
        assert!(s.contains("00010002"));
        assert!(s.contains("000100020009"));
        assert!(!s.contains("0001"));
        assert!(!s.contains("00010003"));
        assert!(Scope::all().contains("0001"));
        assert!(!Scope::none().contains("0001"));
    }
}
