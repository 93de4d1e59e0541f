//! 工作台: the caller's to-dos and key figures of their scope.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use store::stats::Counts;

use super::{render, sev_code, today, FindingRow};
use crate::access::Perm;
use crate::Shared;
use crate::{Caller, Nav};

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
    render(&Home { nav: caller.nav("home"), counts, grassroots, findings, findings_total, business })
}
