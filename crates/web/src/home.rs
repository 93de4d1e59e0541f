//! 工作台: the caller's to-dos and key figures of their scope.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use store::rollup::Counts;

use web_core::access::Perm;
use web_core::pages::{render, sev_code, today, FindingRow};
use web_core::Shared;
use web_core::{Caller, Nav};
use web_life::pages::compliance::{stored_explained, Explained};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    nav: Nav,
    counts: Counts,
    grassroots: usize,
    findings: Vec<FindingRow>,
    findings_total: usize,
    /// Officers see figures and to-dos of their scope; 党员 and the administrator triad see
    /// their own entry points.
    business: bool,
    /// The organization-life to-dos of the daily job, for callers who read organization life.
    life: Option<LifeTodos>,
}

/// The stored findings of the caller's organization(s): counts per kind and the first few.
pub struct LifeTodos {
    org_id: i64,
    org_name: String,
    total: i64,
    /// (code, label, count)
    counts: Vec<(&'static str, &'static str, i64)>,
    items: Vec<Explained>,
    last_run: Option<String>,
}

/// To-dos shown on the home page.
const TODOS: i64 = 8;

async fn life_todos(s: &Shared, caller: &Caller) -> Result<Option<LifeTodos>, store::StoreError> {
    let roots = caller.roots_for(Perm::ReadLife);
    let Some(first) = roots.first() else {
        return Ok(None);
    };
    let mut counts: Vec<(&'static str, &'static str, i64)> = Vec::new();
    let mut items = Vec::new();
    let scope = caller.scope_for(Perm::ReadLife);
    for r in &roots {
        let Some(r) = store::Visible::within(&scope, r.clone()) else { continue };
        let r = &r;
        for (code, n) in store::life::finding_counts(&s.store, r).await? {
            let Some(k) = domain::life::FindingKind::from_code(&code) else { continue };
            match counts.iter_mut().find(|c| c.0 == k.code()) {
                Some(c) => c.2 += n,
                None => counts.push((k.code(), k.label(), n)),
            }
        }
        items.extend(store::life::findings(&s.store, r, None, 1, TODOS).await?.items);
    }
    counts.sort_by_key(|c| domain::life::FindingKind::ALL.iter().position(|k| k.code() == c.0));
    let rank = |sev: &str| match sev {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    };
    items.sort_by(|a, b| rank(&a.severity).cmp(&rank(&b.severity)).then(a.path.cmp(&b.path)));
    let last_run = store::life::last_run(&s.store).await?.map(|(d, _)| d.to_string());
    Ok(Some(LifeTodos {
        org_id: first.id,
        org_name: if roots.len() > 1 {
            format!("{} 等 {} 个组织", first.name, roots.len())
        } else {
            first.name.clone()
        },
        total: counts.iter().map(|c| c.2).sum(),
        counts,
        items: items.iter().take(TODOS as usize).map(stored_explained).collect(),
        last_run,
    }))
}

pub async fn home(State(s): State<Shared>, caller: Caller) -> Response {
    let business = caller.has(Perm::Stats);
    let scope = caller.scope_for(Perm::Stats);
    let roots = if business { caller.roots_for(Perm::Stats) } else { Vec::new() };
    let mut counts = Counts::default();
    let mut grassroots = 0;
    let mut all = Vec::new();
    for r in &roots {
        let nodes = match store::org::subtree(&s.store, &scope, r.id, None).await {
            Ok(n) => n,
            Err(e) => return caller.fail(e),
        };
        if let Some(top) = nodes.first() {
            counts.add(&top.counts);
        }
        grassroots += nodes.iter().filter(|n| n.org.kind.is_grassroots()).count();
        all.extend(store::org::findings_in(&nodes, today()));
    }
    all.sort_by(|a, b| b.finding.severity.cmp(&a.finding.severity).then(a.path.cmp(&b.path)));
    let findings_total = all.len();
    let findings = all
        .into_iter()
        .take(20)
        .map(|f| FindingRow {
            severity: f.finding.severity.label(),
            severity_code: sev_code(f.finding.severity),
            rule_id: f.finding.rule_id,
            source: f.finding.source,
            org_id: f.org_id,
            org_name: f.org_name,
            message: f.finding.message,
        })
        .collect();
    let life = if caller.has(Perm::ReadLife) {
        match life_todos(&s, &caller).await {
            Ok(l) => l,
            Err(e) => return caller.fail(e),
        }
    } else {
        None
    };
    render(&Home { nav: caller.nav("home"), counts, grassroots, findings, findings_total, business, life })
}
