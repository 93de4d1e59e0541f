//! 组织树 and 党组织详情; create, edit, move, dissolve.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::rules::{self, OrgFacts};
use serde::Deserialize;
use store::stats::Counts;
use store::StoreError;

use super::{render, sev_code, today, FindingRow};
use crate::access::Perm;
use crate::routes::Routes;
use crate::Shared;
use crate::{Caller, Nav};

#[derive(Deserialize)]
pub struct OrgsQuery {
    root: Option<i64>,
    depth: Option<usize>,
    q: Option<String>,
}

pub struct TreeRow {
    id: i64,
    name: String,
    kind: &'static str,
    sector: &'static str,
    indent: f32,
    total: i64,
    full: i64,
    probationary: i64,
    has_more: bool,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct Orgs {
    nav: Nav,
    root_id: i64,
    root_name: String,
    q: String,
    depth: usize,
    nodes: Vec<TreeRow>,
    truncated: bool,
}

const TREE_ROWS: usize = 500;

pub async fn orgs(State(s): State<Shared>, caller: Caller, Query(q): Query<OrgsQuery>) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadOrgs));
    let root = match q.root {
        Some(id) => store::org::get(&s.store, &scope, id).await,
        None => caller.roots_for(Perm::ReadOrgs).into_iter().next().ok_or(StoreError::NotFound("党组织")),
    };
    let root = match root {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    let depth = q.depth.unwrap_or(2).clamp(1, 4);
    let search = q.q.as_deref().map(str::trim).unwrap_or("").to_string();
    let base = domain::path::depth(&root.path);
    let (nodes, truncated) = if search.is_empty() {
        let nodes = match store::org::subtree(&s.store, &scope, root.id, Some(depth)).await {
            Ok(n) => n,
            Err(e) => return caller.fail(e),
        };
        let truncated = nodes.len() > TREE_ROWS;
        let rows: Vec<TreeRow> = nodes
            .iter()
            .take(TREE_ROWS)
            .map(|n| TreeRow {
                id: n.org.id,
                name: n.org.name.clone(),
                kind: n.org.kind.label(),
                sector: n.org.sector.label(),
                indent: 0.7 + n.depth as f32 * 1.3,
                total: n.counts.total,
                full: n.counts.full_members,
                probationary: n.counts.probationary,
                has_more: n.depth == depth && !n.org.kind.holds_members(),
            })
            .collect();
        (rows, truncated)
    } else {
        let found = match store::org::search(&s.store, &scope, root.id, &search, TREE_ROWS as i64 + 1).await {
            Ok(f) => f,
            Err(e) => return caller.fail(e),
        };
        let truncated = found.len() > TREE_ROWS;
        let mut rows = Vec::new();
        for o in found.into_iter().take(TREE_ROWS) {
            let c = store::stats::of(&s.store, &o).await.unwrap_or_default();
            rows.push(TreeRow {
                id: o.id,
                indent: 0.7 + (domain::path::depth(&o.path) - base) as f32 * 0.4,
                name: o.name,
                kind: o.kind.label(),
                sector: o.sector.label(),
                total: c.total,
                full: c.full_members,
                probationary: c.probationary,
                has_more: false,
            });
        }
        (rows, truncated)
    };
    let crumbs: Vec<(i64, String)> = store::org::ancestors(&s.store, &scope, root.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut trail = vec![crate::Crumb::new("/orgs", "组织树")];
    trail.extend(crumbs.iter().map(|(id, n): &(i64, String)| crate::Crumb::new(format!("/orgs?root={id}"), n.clone())));
    trail.push(crate::Crumb::new("", root.name.clone()));
    render(&Orgs {
        nav: caller.nav("orgs").crumbs(trail),
        root_id: root.id,
        root_name: root.name,
        q: search,
        depth,
        nodes,
        truncated,
    })
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    nav: Nav,
    id: i64,
    name: String,
    counts: Counts,
    fields: Vec<(&'static str, String)>,
    findings: Vec<FindingRow>,
    children: Vec<(i64, String, &'static str)>,
}

pub async fn org(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadOrgs));
    let o = match store::org::get(&s.store, &scope, id).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let counts = store::stats::of(&s.store, &o).await.unwrap_or_default();
    let crumbs: Vec<(i64, String)> = store::org::ancestors(&s.store, &scope, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let children = store::org::children(&s.store, &scope, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id, c.name, c.kind.label()))
        .collect();
    let facts = OrgFacts {
        kind: o.kind,
        has_committee: o.has_committee,
        term_end: o.term_end,
        full_members: counts.full_members,
        subtree_members: counts.total,
    };
    let findings = rules::check_structure(&facts, today())
        .into_iter()
        .map(|f| FindingRow {
            severity: f.severity.label(),
            severity_code: sev_code(f.severity),
            rule_id: f.rule_id,
            source: f.source,
            org_id: o.id,
            org_name: o.name.clone(),
            message: f.message,
        })
        .collect();
    let fields: Vec<(&str, String)> =
        o.describe().into_iter().filter(|(k, _)| *k != "ID" && *k != "组织名称").collect();
    let mut trail = vec![crate::Crumb::new("/orgs", "组织树")];
    trail.extend(crumbs.iter().map(|(id, n): &(i64, String)| crate::Crumb::new(format!("/orgs/{id}"), n.clone())));
    trail.push(crate::Crumb::new("", o.name.clone()));
    render(&OrgPage {
        nav: caller.nav("orgs").crumbs(trail),
        id,
        name: o.name.clone(),
        counts,
        fields,
        findings,
        children,
    })
}

pub(super) fn routes(r: Routes) -> Routes {
    r
}
