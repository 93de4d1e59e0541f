//! 我的信息.

use axum::extract::{Query, State};
use axum::response::Response;
use web_core::access::Perm;
use web_core::pages::render;
use web_core::Shared;
use web_core::{Caller, Crumb};

use super::*;

pub async fn me(State(s): State<Shared>, caller: Caller, Query(q): Query<MemberQuery>) -> Response {
    let unmasked = q.unmask == "1";
    let service::member::OwnRecord { member: m, branch, history } =
        match service::member::own(&s.store, &caller, unmasked).await {
            Ok(r) => r,
            Err(e) => return caller.fail(e),
        };
    let mid = m.id;
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
    let history = history_rows(history);
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
