//! 组织树.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::org::Org;
use serde::Deserialize;
use std::collections::HashSet;
use store::org::Node;
use web_core::access::Perm;
use web_core::pages::render;
use web_core::Shared;
use web_core::{Caller, Crumb, Nav};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrgsQuery {
    root: String,
    /// Ids of the expanded organizations, comma separated.
    open: String,
    q: String,
}

pub struct TreeRow {
    id: i64,
    name: String,
    kind: &'static str,
    /// Indent in rem.
    indent: f32,
    total: i64,
    full: i64,
    probationary: i64,
    children: i64,
    open: bool,
    /// The link that expands or collapses this row.
    toggle: String,
    /// The parent's name (search results).
    parent: String,
}

#[derive(Template)]
#[template(path = "org/tree.html")]
struct OrgsPage {
    nav: Nav,
    root_id: i64,
    root_name: String,
    q: String,
    open: String,
    rows: Vec<TreeRow>,
    truncated: bool,
    /// Several top organizations (no root chosen).
    forest: bool,
}

const TREE_ROWS: usize = 500;
const SEARCH_ROWS: usize = 200;
const MAX_OPEN: usize = 60;

fn open_list(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

pub async fn orgs(State(s): State<Shared>, caller: Caller, Query(q): Query<OrgsQuery>) -> Response {
    web_core::tri!(caller.require(Perm::ReadOrgs));
    let tops: Vec<Org> = match q.root.trim() {
        "" => caller.roots_for(Perm::ReadOrgs),
        r => match r.parse::<i64>() {
            Ok(id) => match service::org::get(&s.store, &caller, Perm::ReadOrgs, id).await {
                Ok(o) => vec![o],
                Err(e) => return caller.fail(e),
            },
            Err(_) => return caller.not_found(),
        },
    };
    let Some(first) = tops.first().cloned() else { return caller.not_found() };
    let forest = tops.len() > 1;
    let search = domain::member::normalize_text(&q.q);
    let mut open: Vec<i64> = q.open.split(',').filter_map(|x| x.trim().parse().ok()).collect();
    open.dedup();
    open.truncate(MAX_OPEN);
    let open_set: HashSet<i64> = open.iter().copied().collect();
    let root_param = if forest { String::new() } else { first.id.to_string() };
    let mut rows = Vec::new();
    let mut truncated = false;
    if search.is_empty() {
        // depth-first: each top with its children, and the children of every open row
        let mut out: Vec<(Node, usize)> = Vec::new();
        for top in &tops {
            let mut stack: Vec<(Node, usize)> = Vec::new();
            let nodes = match service::org::subtree(&s.store, &caller, Perm::ReadOrgs, top.id, Some(1)).await {
                Ok(n) => n,
                Err(e) => return caller.fail(e),
            };
            let mut it = nodes.into_iter();
            let Some(head) = it.next() else { continue };
            let show_kids = !forest || open_set.contains(&head.org.id);
            out.push((head, 0));
            if show_kids {
                stack.extend(it.rev().map(|n| (n, 1)));
            }
            while let Some((n, lvl)) = stack.pop() {
                if out.len() >= TREE_ROWS {
                    truncated = true;
                    break;
                }
                let id = n.org.id;
                out.push((n, lvl));
                if open_set.contains(&id) {
                    match service::org::subtree(&s.store, &caller, Perm::ReadOrgs, id, Some(1)).await {
                        Ok(kids) => stack.extend(kids.into_iter().skip(1).rev().map(|k| (k, lvl + 1))),
                        Err(e) => return caller.fail(e),
                    }
                }
            }
        }
        let ids: Vec<i64> = out.iter().map(|(n, _)| n.org.id).collect();
        let kids = service::org::child_counts(&s.store, &caller, Perm::ReadOrgs, &ids).await.unwrap_or_default();
        for (n, lvl) in out {
            let children = kids.get(&n.org.id).copied().unwrap_or(0);
            let is_top = lvl == 0 && !forest;
            let is_open = is_top || open_set.contains(&n.org.id);
            let toggled: Vec<i64> = if is_open {
                open.iter().copied().filter(|i| *i != n.org.id).collect()
            } else {
                open.iter().copied().chain([n.org.id]).collect()
            };
            let toggle = if is_top || children == 0 {
                String::new()
            } else {
                format!("/orgs?root={root_param}&open={}#o{}", open_list(&toggled), n.org.id)
            };
            rows.push(tree_row(&n, lvl, children, is_open, toggle, String::new()));
        }
    } else {
        let mut found: Vec<Node> = Vec::new();
        for top in &tops {
            match service::org::search_nodes(
                &s.store,
                &caller,
                Perm::ReadOrgs,
                top.id,
                &search,
                (SEARCH_ROWS + 1) as i64,
            )
            .await
            {
                Ok(f) => found.extend(f),
                Err(e) => return caller.fail(e),
            }
        }
        truncated = found.len() > SEARCH_ROWS;
        found.truncate(SEARCH_ROWS);
        let parent_ids: Vec<i64> = found.iter().filter_map(|n| n.org.parent_id).collect();
        let names = service::org::names(&s.store, &caller, Perm::ReadOrgs, &parent_ids).await.unwrap_or_default();
        for n in &found {
            let parent = n.org.parent_id.and_then(|p| names.get(&p).cloned()).unwrap_or_default();
            rows.push(tree_row(n, 0, 0, false, String::new(), parent));
        }
    }
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    if !forest && q.root.trim().parse::<i64>().is_ok() {
        let ancestors = service::org::ancestors(&s.store, &caller, Perm::ReadOrgs, first.id).await.unwrap_or_default();
        trail.extend(ancestors.into_iter().map(|o| Crumb::new(format!("/orgs?root={}", o.id), o.name)));
        trail.push(Crumb::new("", first.name.clone()));
    }
    render(&OrgsPage {
        nav: caller.nav("orgs").crumbs(trail),
        root_id: if forest { 0 } else { first.id },
        root_name: if forest { format!("{} 个组织", tops.len()) } else { first.name.clone() },
        q: search,
        open: open_list(&open),
        rows,
        truncated,
        forest,
    })
}

fn tree_row(n: &Node, lvl: usize, children: i64, open: bool, toggle: String, parent: String) -> TreeRow {
    TreeRow {
        id: n.org.id,
        name: n.org.name.clone(),
        kind: n.org.kind.label(),
        indent: 0.5 + lvl as f32 * 1.4,
        total: n.counts.total,
        full: n.counts.full_members,
        probationary: n.counts.probationary,
        children,
        open,
        toggle,
        parent,
    }
}
