//! Scope.

use crate::args;
use crate::db::Store;
use crate::error::StoreResult;
use crate::scope::{Actor, Scope};
use domain::account::Role;

use super::*;

/// The scope an account acts in, and as whom: the union of the subtrees of its business grants
/// (on active organizations), plus its own branch (the linked member's organization) for 党员;
/// nothing for the administrator triad, a disabled account or one without roles. The actor is the
/// username with its most powerful role. The web layer adds the source IP and should compute this
/// per request (or cache it briefly), so that a revoked grant takes effect at once.
pub async fn scope_for(store: &Store, account_id: i64) -> StoreResult<Scope> {
    Ok(scope_and_account(store, account_id).await?.0)
}

/// [`scope_for`] together with the account it was computed from (one read of the account and its
/// grants, for a request that needs both).
pub async fn scope_and_account(store: &Store, account_id: i64) -> StoreResult<(Scope, AccountWithGrants)> {
    let acc = get_account_with_grants(store, account_id).await?;
    let scope = scope_of(store, &acc).await?;
    Ok((scope, acc))
}

async fn scope_of(store: &Store, acc: &AccountWithGrants) -> StoreResult<Scope> {
    let role = acc.highest_role().map_or("无角色", Role::label);
    let actor = Actor::new(acc.account.username.clone(), role);
    if acc.account.is_disabled {
        return Ok(Scope::none().acting_as(actor));
    }
    let mut paths: Vec<String> = acc
        .grants
        .iter()
        .filter(|g| g.role.needs_org() && g.org_dissolved_on.is_none())
        .filter_map(|g| g.org_path.clone())
        .collect();
    if let (true, Some(mid)) = (acc.grants.iter().any(|g| g.role == Role::Member), acc.account.member_id) {
        let own: Option<(String,)> = store
            .read()
            .fetch_optional("SELECT path FROM member WHERE id = $1 AND status = 'normal'", &args![mid])
            .await?;
        paths.extend(own.map(|(p,)| p));
    }
    let scope = if paths.is_empty() { Scope::none() } else { Scope::subtrees(paths) };
    Ok(scope.acting_as(actor))
}
