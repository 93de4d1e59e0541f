//! The types of organization life and their dated frequency rules: read by everyone who reads
//! organization life; local types and local rule versions added by the 组织部 (维护组织生活规则).

use domain::access::Perm;
use domain::life::{LifeRule, LifeType};
use domain::org::Org;
use store::life::{RuleInput, TypeInput};
use store::{Scope, Store};

use crate::{Ctx, ServiceResult};

/// Every type of organization life (the national ones and the local ones), in their order: for
/// everyone who reads organization life (查看组织生活). The types are the same for the whole tree,
/// so no scope narrows them.
pub async fn types(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<LifeType>> {
    ctx.require(Perm::ReadLife)?;
    Ok(store::life::types(store).await?)
}

/// The types, and every version of every frequency rule that concerns the caller: the national
/// ones, and the local versions set for an organization in the caller's scope of 查看组织生活 or
/// above it (a local version elsewhere is another county's business and is not shown). For
/// everyone who reads organization life; the rules page and the API's rules both read them here.
pub async fn list(store: &Store, ctx: &Ctx) -> ServiceResult<(Vec<LifeType>, Vec<LifeRule>)> {
    let scope = ctx.require(Perm::ReadLife)?;
    let types = store::life::types(store).await?;
    let rules = store::life::rules(store).await?;
    Ok((types, rules.into_iter().filter(|r| concerns(&scope, r)).collect()))
}

/// Does a rule version concern a reader with `scope`: nationwide, or local to an organization in
/// the scope or above it?
fn concerns(scope: &Scope, r: &LifeRule) -> bool {
    match r.org_path.as_deref() {
        None => true,
        Some(p) => scope.contains(p) || scope.roots().iter().any(|root| domain::path::is_within(root, p)),
    }
}

/// The organizations a local rule version may be set for, for those who maintain the rules
/// (维护组织生活规则): each top organization of that scope (in the current view) with its direct
/// children, in tree order (a rule covers the whole subtree below its organization). The children
/// only make the choice shorter: when they cannot be read, the top organization is still offered.
pub async fn rule_orgs(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<(Org, Vec<Org>)>> {
    let scope = ctx.require(Perm::ManageLifeRules)?;
    let mut out = Vec::new();
    for root in ctx.roots_for(Perm::ManageLifeRules) {
        let children = store::org::children(store, &scope, root.id).await.unwrap_or_default();
        out.push((root, children));
    }
    Ok(out)
}

/// Add a local type of organization life.
pub async fn add_type(store: &Store, ctx: &Ctx, input: &TypeInput) -> ServiceResult<LifeType> {
    let scope = ctx.require(Perm::ManageLifeRules)?;
    Ok(store::life::add_type(store, &scope, input).await?)
}

/// Add a dated local version of a frequency rule for a subtree.
pub async fn add_rule(store: &Store, ctx: &Ctx, input: &RuleInput) -> ServiceResult<LifeRule> {
    let scope = ctx.require(Perm::ManageLifeRules)?;
    Ok(store::life::add_rule(store, &scope, input).await?)
}
