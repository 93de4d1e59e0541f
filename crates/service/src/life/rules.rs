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

/// May the caller add local types of organization life? The types are the same for the whole
/// tree, so only a 组织部 whose scope of 维护组织生活规则 is the whole tree or a top organization
/// adds one (the store refuses the others); a county sets its own frequencies with local rule
/// versions instead.
pub fn may_add_types(ctx: &Ctx) -> bool {
    let scope = ctx.scope_for(Perm::ManageLifeRules);
    scope.is_all() || scope.roots().iter().any(|r| domain::path::depth(r) <= 1)
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

/// The versions of the 所属年度 window (LIFE-18) that concern the caller: the national one and
/// the local ones set in or above the caller's scope, like the frequency rules.
pub async fn year_windows(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<domain::life::YearWindow>> {
    let scope = ctx.require(Perm::ReadLife)?;
    let all = store::life::year_windows(store).await?;
    Ok(all
        .into_iter()
        .filter(|w| {
            w.org_path
                .as_deref()
                .is_none_or(|p| scope.contains(p) || scope.roots().iter().any(|root| domain::path::is_within(root, p)))
        })
        .collect())
}

/// Set a dated local version of the 所属年度 window for a subtree (a 组织部's own date up to
/// which a yearly meeting counts for the previous year).
pub async fn add_year_window(
    store: &Store,
    ctx: &Ctx,
    input: &store::life::YearWindowInput,
) -> ServiceResult<domain::life::YearWindow> {
    let scope = ctx.require(Perm::ManageLifeRules)?;
    Ok(store::life::add_year_window(store, &scope, input).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::account::Role;
    use domain::life::PeriodKind;
    use domain::rules::Severity;
    use store::Actor;

    /// A 组织部 holding its roles on the subtrees at `paths`.
    fn dept(paths: &[&str]) -> Ctx {
        let mut ctx = Ctx::operator(Actor::new("u:dept", "组织部管理员"));
        ctx.grants = paths.iter().map(|p| (Role::OrgDeptAdmin, p.to_string())).collect();
        ctx
    }

    fn rule_at(path: Option<&str>) -> LifeRule {
        LifeRule {
            id: None,
            rule_id: "LIFE-01".into(),
            type_code: "branch_assembly".into(),
            applies: Vec::new(),
            period: PeriodKind::Quarter,
            min: 1,
            org_id: path.map(|_| 1),
            org_path: path.map(str::to_string),
            org_name: None,
            valid_from: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            valid_to: None,
            severity: Severity::Error,
            source: "《中国共产党支部工作条例（试行）》".into(),
            article: "第十一条".into(),
            confidence: "H".into(),
        }
    }

    #[test]
    fn a_rule_concerns_its_subtree_and_those_above_it_not_a_neighbouring_county() {
        let county = dept(&["00010002"]).scope_for(Perm::ReadLife);
        assert!(concerns(&county, &rule_at(None)), "nationwide");
        assert!(concerns(&county, &rule_at(Some("0001"))), "set by the city above");
        assert!(concerns(&county, &rule_at(Some("00010002"))), "its own");
        assert!(concerns(&county, &rule_at(Some("000100020003"))), "set for a town below");
        assert!(!concerns(&county, &rule_at(Some("00010003"))), "the neighbouring county's");
    }

    #[test]
    fn only_the_top_organizations_department_adds_types() {
        assert!(may_add_types(&dept(&["0001"])));
        assert!(may_add_types(&Ctx::operator(Actor::new("cli:root", "系统操作员"))));
        assert!(!may_add_types(&dept(&["00010002"])));
        assert!(!may_add_types(&dept(&[])));
    }
}
