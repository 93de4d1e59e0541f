//! 我的信息.

use axum::extract::{Query, State};
use axum::response::Response;
use domain::account::Role;
use domain::org::Org;
use store::Scope;
use web_core::access::Perm;
use web_core::pages::render;
use web_core::Shared;
use web_core::{Caller, Crumb};

use super::*;

pub async fn me(State(s): State<Shared>, caller: Caller, Query(q): Query<MemberQuery>) -> Response {
    let Some((mid, _)) = caller.own_member else { return caller.not_found() };
    // the account's own record, whatever the scope switcher's focus
    let paths: Vec<String> = caller.grants.iter().filter(|(r, _)| *r == Role::Member).map(|(_, p)| p.clone()).collect();
    if paths.is_empty() {
        return caller.not_found();
    }
    let own = Scope::subtrees(paths).acting_as(caller.actor.clone());
    let unmasked = q.unmask == "1";
    let read = if unmasked {
        store::member::read_personal(&s.store, &own, mid).await
    } else {
        store::member::get(&s.store, &own, mid).await
    };
    let m = match read {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    let branch: Option<Org> = store::org::get(&s.store, &own, m.org_id).await.ok();
    let org_name = branch.as_ref().map(|b| b.name.clone()).unwrap_or_default();
    let branch_fields = branch
        .as_ref()
        .map(|b| {
            b.describe()
                .into_iter()
                .filter(|(k, _)| {
                    matches!(*k, "组织名称" | "组织类别" | "书记" | "联系电话" | "地址" | "届次" | "成立日期")
                })
                .collect()
        })
        .unwrap_or_default();
    let history = store::member::status_history(&s.store, &own, mid).await.map(history_rows).unwrap_or_default();
    render(&MemberPage {
        nav: caller.nav("me").crumbs(vec![Crumb::new("", "我的信息")]),
        id: mid,
        name: m.name.clone(),
        notice: None,
        warning: None,
        fields: member_fields(&m, &org_name, unmasked),
        org_id: m.org_id,
        unmasked,
        can_unmask: true,
        unmask_link: "/me?unmask=1".into(),
        can_edit: false,
        can_change_status: false,
        history,
        me: true,
        branch_link: branch.as_ref().is_some_and(|b| caller.can_at(Perm::ReadOrgs, &b.path)),
        branch: branch_fields,
    })
}
