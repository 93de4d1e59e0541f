//! The types of organization life and their dated frequency rules: read by everyone who reads
//! organization life; local types and local rule versions added by the 组织部 (维护组织生活规则).

use domain::access::Perm;
use domain::life::{LifeRule, LifeType};
use store::life::{RuleInput, TypeInput};
use store::Store;

use crate::{Ctx, ServiceResult};

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
