//! Proposals from data: organizations the records point to become suspected weak and lax.

use super::*;

/// What a proposal run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Proposed {
    pub checked: usize,
    pub created: Vec<i64>,
    /// Organizations the data points to that already have an open identification.
    pub already: usize,
}

/// The organizations of the subtree a proposal may concern: undissolved grassroots organizations
/// (not the local committees and their working committees, not 党组 or 党小组), founded before
/// `before`.
async fn grassroots(store: &Store, org: &Visible<Org>) -> StoreResult<Vec<(i64, String, String, Option<NaiveDate>)>> {
    store
        .read()
        .fetch_all(
            "SELECT id, name, path, founded_on FROM org WHERE path >= $1 AND path < $2 AND dissolved_on IS NULL \
             AND kind IN ('committee', 'general_branch', 'branch', 'joint_branch') ORDER BY path",
            &args![org.path.clone(), path::subtree_end(&org.path)],
        )
        .await
}

/// Propose from data (WEAK-01 item 4 and the local 书记出缺, the engine note of RULES §9):
/// every grassroots organization of the subtree without any organization-life record for the
/// settings' months up to `today`, and every one whose 书记 post (from 班子成员) has been vacant
/// for more than the settings' months, becomes `suspected` with the criterion ticked and the data
/// as its evidence — unless it already has an open identification. Idempotent: a second run the
/// same day proposes nothing new.
pub async fn propose(store: &Store, scope: &Scope, org: &Visible<Org>, today: NaiveDate) -> StoreResult<Proposed> {
    let orgs = grassroots(store, org).await?;
    let end = path::subtree_end(&org.path);
    let last_life: Vec<(i64, Option<NaiveDate>)> = store
        .read()
        .fetch_all(
            "SELECT o.id, MAX(r.held_on) FROM org o LEFT JOIN life_record r ON r.org_id = o.id AND r.held_on <= $3 \
             WHERE o.path >= $1 AND o.path < $2 GROUP BY o.id",
            &args![org.path.clone(), end.clone(), today],
        )
        .await?;
    let last_life: std::collections::HashMap<i64, Option<NaiveDate>> = last_life.into_iter().collect();
    // secretary terms: (org, started, ended)
    let terms: Vec<(i64, NaiveDate, Option<NaiveDate>)> = store
        .read()
        .fetch_all(
            "SELECT f.org_id, f.started_on, f.ended_on FROM org_officer f JOIN org o ON o.id = f.org_id \
             WHERE o.path >= $1 AND o.path < $2 AND f.role = 'secretary' AND f.started_on <= $3",
            &args![org.path.clone(), end, today],
        )
        .await?;
    let mut by_org: std::collections::HashMap<i64, Vec<(NaiveDate, Option<NaiveDate>)>> = Default::default();
    for (o, s, e) in terms {
        by_org.entry(o).or_default().push((s, e));
    }
    let mut out = Proposed::default();
    for (id, name, p, founded) in orgs {
        out.checked += 1;
        let s = settings_at(store, &p, today).await?;
        let mut hits: Vec<(Origin, &'static str, String)> = Vec::new();
        let cutoff = domain::dates::add_months(today, -s.no_life_months);
        let since = founded.unwrap_or(NaiveDate::MIN);
        if since <= cutoff {
            match last_life.get(&id).copied().flatten() {
                Some(d) if d >= cutoff => {}
                Some(d) => hits.push((
                    Origin::NoLife,
                    rules::NO_LIFE,
                    format!("最近一次组织生活记录为 {d}，至 {today} 已超过 {} 个月无组织生活记录", s.no_life_months),
                )),
                None => hits.push((
                    Origin::NoLife,
                    rules::NO_LIFE,
                    format!("至 {today} 没有任何组织生活记录（近 {} 个月无组织生活）", s.no_life_months),
                )),
            }
        }
        if let Some(terms) = by_org.get(&id) {
            let in_post = terms.iter().any(|(_, e)| e.is_none_or(|e| e > today));
            if !in_post {
                let vacant_since = terms.iter().filter_map(|(_, e)| *e).max();
                if let Some(v) = vacant_since.filter(|v| domain::dates::add_months(*v, s.vacancy_months) < today) {
                    hits.push((
                        Origin::VacantSecretary,
                        rules::VACANT_LOCAL,
                        format!("书记职务自 {v} 起空缺，至 {today} 已超过 {} 个月（据班子成员记录）", s.vacancy_months),
                    ));
                }
            }
        }
        if hits.is_empty() {
            continue;
        }
        if open_of(store, id).await?.is_some() {
            out.already += 1;
            continue;
        }
        let visible = crate::org::visible(store, scope, id).await?;
        let in_force = criteria_in_force(store, &visible, today).await?;
        let mut ticks: Vec<(Criterion, String)> = Vec::new();
        for (_, code, ev) in &hits {
            let code = if *code == rules::VACANT_LOCAL && !in_force.iter().any(|c| c.code == *code) {
                rules::VACANT_NATIONAL
            } else {
                code
            };
            if let Some(c) = in_force.iter().find(|c| c.code == code) {
                match ticks.iter_mut().find(|(x, _)| x.code == c.code) {
                    Some((_, e)) => {
                        e.push('；');
                        e.push_str(ev);
                    }
                    None => ticks.push((c.clone(), ev.clone())),
                }
            }
        }
        let reason = hits.iter().map(|h| h.2.clone()).collect::<Vec<_>>().join("；");
        let mut tx = store.begin().await?;
        let wid = insert(&mut tx, scope, id, today.year(), hits[0].0, &reason, &ticks, today).await?;
        tx.commit().await?;
        let _ = name;
        out.created.push(wid);
    }
    Ok(out)
}

/// The grading cycle's hook: the organizations at the bottom of a grading become `suspected`
/// with the reason (and 年度考核末位 ticked when the local preset is in force there). Those with an
/// open identification are left as they are. All in one transaction.
pub async fn propose_bottom(
    store: &Store,
    scope: &Scope,
    org_ids: &[i64],
    reason: &str,
    today: NaiveDate,
) -> StoreResult<Proposed> {
    let mut plan = Vec::new();
    let mut out = Proposed::default();
    for id in org_ids {
        let org = crate::org::visible(store, scope, *id).await?;
        out.checked += 1;
        if open_of(store, org.id).await?.is_some() {
            out.already += 1;
            continue;
        }
        let in_force = criteria_in_force(store, &org, today).await?;
        let ticks: Vec<(Criterion, String)> =
            in_force.into_iter().filter(|c| c.code == rules::BOTTOM_LOCAL).map(|c| (c, reason.to_string())).collect();
        plan.push((org.id, ticks));
    }
    let mut tx = store.begin().await?;
    for (id, ticks) in plan {
        out.created.push(insert(&mut tx, scope, id, today.year(), Origin::Bottom, reason, &ticks, today).await?);
    }
    tx.commit().await?;
    Ok(out)
}
