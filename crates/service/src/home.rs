//! 工作台: what the caller's scope holds and what waits to be done there, gathered from every
//! capability. Each part reads through the caller's scope of the permission it needs.

use chrono::NaiveDate;
use domain::access::Perm;
use store::life::StoredFinding;
use store::org::OrgFinding;
use store::rollup::Counts;
use store::{Store, Visible};

use crate::{Ctx, ServiceResult};

/// The figures and structural findings of the caller's top organizations in 统计分析.
#[derive(Default)]
pub struct Overview {
    /// Members of all the caller's top organizations, by category.
    pub counts: Counts,
    /// How many grassroots organizations they hold.
    pub grassroots: usize,
    /// Structural findings (ORG / TERM rules), most severe first.
    pub findings: Vec<OrgFinding>,
}

/// The caller's [`Overview`] on the date `on`; empty for a caller without 统计分析.
pub async fn overview(store: &Store, ctx: &Ctx, on: NaiveDate) -> ServiceResult<Overview> {
    let mut out = Overview::default();
    if !ctx.has(Perm::Stats) {
        return Ok(out);
    }
    let scope = ctx.scope_for(Perm::Stats);
    for r in ctx.roots_for(Perm::Stats) {
        let nodes = store::org::subtree(store, &scope, r.id, None).await?;
        if let Some(top) = nodes.first() {
            out.counts.add(&top.counts);
        }
        out.grassroots += nodes.iter().filter(|n| n.org.kind.is_grassroots()).count();
        out.findings.extend(store::org::findings_in(&nodes, on));
    }
    out.findings.sort_by(|a, b| b.finding.severity.cmp(&a.finding.severity).then(a.path.cmp(&b.path)));
    Ok(out)
}

/// The organization-life findings of the daily run in the caller's top organizations.
pub struct LifeTodos {
    /// The first top organization (the link's target) and how many there are.
    pub first: (i64, String),
    pub roots: usize,
    /// (kind code, kind label, count) in the order of [`domain::life::FindingKind::ALL`].
    pub counts: Vec<(&'static str, &'static str, i64)>,
    /// The first `limit` findings, errors before warnings, in tree order.
    pub items: Vec<StoredFinding>,
    /// The date of the last daily run.
    pub last_run: Option<NaiveDate>,
}

/// The caller's [`LifeTodos`], at most `limit` items; `None` for a caller without 查看组织生活.
pub async fn life_todos(store: &Store, ctx: &Ctx, limit: i64) -> ServiceResult<Option<LifeTodos>> {
    if !ctx.has(Perm::ReadLife) {
        return Ok(None);
    }
    let roots = ctx.roots_for(Perm::ReadLife);
    let Some(first) = roots.first() else {
        return Ok(None);
    };
    let mut counts: Vec<(&'static str, &'static str, i64)> = Vec::new();
    let mut items = Vec::new();
    let scope = ctx.scope_for(Perm::ReadLife);
    for r in &roots {
        let Some(r) = Visible::within(&scope, r.clone()) else { continue };
        let r = &r;
        for (code, n) in store::life::finding_counts(store, r).await? {
            let Some(k) = domain::life::FindingKind::from_code(&code) else { continue };
            match counts.iter_mut().find(|c| c.0 == k.code()) {
                Some(c) => c.2 += n,
                None => counts.push((k.code(), k.label(), n)),
            }
        }
        items.extend(store::life::findings(store, r, None, 1, limit).await?.items);
    }
    counts.sort_by_key(|c| domain::life::FindingKind::ALL.iter().position(|k| k.code() == c.0));
    let rank = |sev: &str| match sev {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    };
    items.sort_by(|a, b| rank(&a.severity).cmp(&rank(&b.severity)).then(a.path.cmp(&b.path)));
    items.truncate(limit as usize);
    let last_run = store::life::last_run(store).await?.map(|(d, _)| d);
    Ok(Some(LifeTodos { first: (first.id, first.name.clone()), roots: roots.len(), counts, items, last_run }))
}

/// The 工作台's messages and reminders: unread messages, records waiting for the caller's review,
/// meetings falling due this month, terms ending within 90 days (see [`crate::message::reminders`]).
pub struct MessageTodos {
    pub unread: i64,
    pub reminders: crate::message::Reminders,
}

/// The caller's [`MessageTodos`] as of `today`; `None` for an account without business grants
/// (the administrator triad receives no messages).
pub async fn message_todos(store: &Store, ctx: &Ctx, today: NaiveDate) -> ServiceResult<Option<MessageTodos>> {
    if ctx.grants.is_empty() {
        return Ok(None);
    }
    let unread = crate::message::unread_count(store, ctx).await?;
    let reminders = crate::message::reminders(store, ctx, today).await?;
    Ok(Some(MessageTodos { unread, reminders }))
}
