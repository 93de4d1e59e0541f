//! The daily sweep: overdue plan items and missing WEAK-06 links as findings, told once up the tree.

use super::*;

/// What a sweep did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Swept {
    pub findings: usize,
    pub overdue_items: usize,
    /// Items told to the superior for the first time by this sweep.
    pub newly_told: usize,
}

/// WEAK-06: the organizations of the subtree at `root` with a 驻村第一书记 in post on `on`, read
/// from the first-secretary postings.
pub async fn first_secretary_orgs(
    store: &Store,
    root: &str,
    on: NaiveDate,
) -> StoreResult<std::collections::HashSet<i64>> {
    crate::first_secretary::village_orgs_on(store, root, on).await
}

/// The daily sweep of the subtree of `org` as of `today`: replace its findings (every item past
/// its date and not accepted; every weak village organization missing a WEAK-06 link) and tell the
/// superior, once per item, of each item newly overdue (a message up the tree to the accounts
/// holding 管理分类定级 at the nearest level above the organization, and one to the organization's
/// own assessors). One transaction; running it again the same day changes nothing.
pub async fn sweep(store: &Store, scope: &Scope, org: &Visible<Org>, today: NaiveDate) -> StoreResult<Swept> {
    let end = path::subtree_end(&org.path);
    let open: Vec<WeakOrg> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE o.path >= $1 AND o.path < $2 AND w.state IN ('confirmed', 'rectifying', 'accepted', 'monitored')"
            ),
            &args![org.path.clone(), end.clone()],
        )
        .await?;
    let fs = first_secretary_orgs(store, &org.path, today).await?;
    // (identification, organization, its path, kind, item, message)
    type Row = (i64, i64, String, &'static str, Option<i64>, String);
    let mut rows: Vec<Row> = Vec::new();
    let mut tell: Vec<(WeakOrg, Item)> = Vec::new();
    let mut overdue = 0;
    for w in &open {
        if w.state().needs_links() && w.is_village() {
            let missing =
                rules::missing_links(fs.contains(&w.org_id), &w.county_leader, &w.township_leader, &w.paired_dept);
            if !missing.is_empty() {
                rows.push((
                    w.id,
                    w.org_id,
                    w.org_path.clone(),
                    "missing_link",
                    None,
                    format!("{}缺少{}（WEAK-06）", w.org_name, missing.join("、")),
                ));
            }
        }
        let noted: Vec<(i64, Option<NaiveDate>)> = store
            .read()
            .fetch_all("SELECT id, overdue_noted_on FROM weak_item WHERE weak_id = $1", &args![w.id])
            .await?;
        for i in items(store, w).await? {
            if i.overdue(today) {
                overdue += 1;
                rows.push((
                    w.id,
                    w.org_id,
                    w.org_path.clone(),
                    "overdue_item",
                    Some(i.id),
                    format!("{}的整改事项“{}”应于 {} 完成，至今{}", w.org_name, i.problem, i.due_on, i.status_label()),
                ));
                if noted.iter().any(|(x, n)| *x == i.id && n.is_none()) {
                    tell.push((w.clone(), i));
                }
            }
        }
    }
    let mut tx = store.begin().await?;
    tx.x().execute("DELETE FROM weak_finding WHERE path >= $1 AND path < $2", &args![org.path.clone(), end]).await?;
    for (wid, oid, p, kind, item, msg) in &rows {
        tx.x()
            .execute(
                "INSERT INTO weak_finding (weak_id, org_id, path, kind, item_id, message, computed_on) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &args![*wid, *oid, p.clone(), *kind, *item, msg.clone(), today],
            )
            .await?;
    }
    for (w, i) in &tell {
        let n = tx
            .x()
            .execute(
                "UPDATE weak_item SET overdue_noted_on = $1 WHERE id = $2 AND overdue_noted_on IS NULL",
                &args![today, i.id],
            )
            .await?;
        if n == 0 {
            continue;
        }
        let link = format!("/weak-and-lax/{}", w.id);
        let up = Draft {
            kind: MessageKind::Notice,
            audience: Audience::GradingManagers,
            subject: format!("weak_item:{}", i.id),
            title: format!("整改逾期：{}", clip(&w.org_name, 40)),
            body: format!(
                "{} 的软弱涣散整改事项“{}”（责任人 {}）应于 {} 完成，至 {today} 仍{}，请督促。",
                w.org_name,
                clip(&i.problem, 200),
                i.owner,
                i.due_on,
                i.status_label()
            ),
            link: link.clone(),
        };
        let at = path::parent(&w.org_path).unwrap_or(&w.org_path).to_string();
        crate::message::post_in(&mut tx, scope, w.org_id, &at, &up).await?;
        let own = Draft {
            audience: Audience::GradingAssessors,
            title: format!("整改事项逾期：{}", clip(&i.problem, 40)),
            ..up
        };
        crate::message::post_in(&mut tx, scope, w.org_id, &w.org_path, &own).await?;
    }
    let report = Swept { findings: rows.len(), overdue_items: overdue, newly_told: tell.len() };
    crate::audit::record(
        &mut tx,
        scope,
        "weak.sweep",
        &format!("org:{}", org.id),
        "ok",
        json!({ "on": today, "findings": report.findings, "overdue": report.overdue_items, "told": report.newly_told }),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).chain(std::iter::once('…')).collect()
    }
}

/// The findings of the subtree of `org` (overdue items first), paged.
pub async fn findings(store: &Store, org: &Visible<Org>, limit: i64, offset: i64) -> StoreResult<(Vec<Finding>, i64)> {
    let a = args![org.path.clone(), path::subtree_end(&org.path)];
    let total =
        store.read().scalar("SELECT COUNT(*) FROM weak_finding f WHERE f.path >= $1 AND f.path < $2", &a).await?;
    let rows = store
        .read()
        .fetch_all(
            "SELECT f.id, f.weak_id, f.org_id, o.name AS org_name, f.kind, f.item_id, f.message, f.computed_on \
             FROM weak_finding f JOIN org o ON o.id = f.org_id WHERE f.path >= $1 AND f.path < $2 \
             ORDER BY f.kind DESC, f.path, f.id LIMIT $3 OFFSET $4",
            &args![org.path.clone(), path::subtree_end(&org.path), limit, offset],
        )
        .await?;
    Ok((rows, total))
}

/// The daily sweep of the whole tree (every top organization), as the system: what a running
/// server does each day after the organization-life job.
pub async fn sweep_all(store: &Store, today: NaiveDate) -> StoreResult<Swept> {
    let roots: Vec<(i64,)> = store
        .read()
        .fetch_all("SELECT id FROM org WHERE parent_id IS NULL AND dissolved_on IS NULL ORDER BY path", &[])
        .await?;
    let scope = Scope::all().acting_as(crate::Actor::system());
    let mut total = Swept::default();
    for (root,) in roots {
        let org = crate::org::visible(store, &scope, root).await?;
        let s = sweep(store, &scope, &org, today).await?;
        total.findings += s.findings;
        total.overdue_items += s.overdue_items;
        total.newly_told += s.newly_told;
    }
    Ok(total)
}
