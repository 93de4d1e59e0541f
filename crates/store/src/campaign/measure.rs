//! The indicator source registry's answers (`domain::campaign::indicator::SOURCES`): for every
//! participant of a campaign, what each indicator's source measures over the participant's
//! subtree as of a date. Each source is read in one pass over the issuer's subtree and summed up
//! to the participants by their paths, so a round costs one query per source, not one per
//! participant. [`measure_org`] answers one source for one organization without a campaign (a
//! party-building plan's targets).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use domain::campaign::indicator::Indicator;
use domain::campaign::round::{Measure, Participant};
use domain::org::Org;
use domain::path;

use super::Campaign;
use crate::args;
use crate::db::Store;
use crate::error::StoreResult;
use crate::Visible;

/// Finds the participants a path belongs to (itself or an ancestor is a participant).
struct Owners {
    by_path: HashMap<String, usize>,
}

impl Owners {
    fn new(parts: &[Participant]) -> Owners {
        Owners { by_path: parts.iter().enumerate().map(|(i, p)| (p.path.clone(), i)).collect() }
    }
    fn of(&self, p: &str) -> impl Iterator<Item = usize> + '_ {
        let owned = p.to_string();
        (1..=path::depth(&owned))
            .filter_map(move |d| self.by_path.get(&owned[..d * path::SEG_WIDTH]).copied())
            .collect::<Vec<_>>()
            .into_iter()
    }
}

/// (numerator, denominator) per participant.
type Sums = Vec<(f64, f64)>;

fn add(sums: &mut Sums, owners: &Owners, p: &str, num: f64, den: f64) {
    for i in owners.of(p) {
        sums[i].0 += num;
        sums[i].1 += den;
    }
}

const ALIVE: &str = "(o.founded_on IS NULL OR o.founded_on <= $3) AND (o.dissolved_on IS NULL OR o.dissolved_on > $4)";

/// Townships (service centres) or villages and communities (service stations) existing on the
/// date, and whether the facility was built by the end of the date's year (a facility keeps its
/// year of completion; one without a year counts as built whenever it is recorded as built).
async fn facilities(
    store: &Store,
    root: &Org,
    kind: &str,
    on: NaiveDate,
    owners: &Owners,
    n: usize,
) -> StoreResult<Sums> {
    #[derive(sqlx::FromRow)]
    struct Unit {
        path: String,
        built: i64,
    }
    let township = "o.kind IN ('committee', 'working_committee') AND o.sector IN ('rural', 'community') \
         AND EXISTS (SELECT 1 FROM org p WHERE p.id = o.parent_id AND p.kind = 'local_committee')";
    let village = "o.sector IN ('rural', 'community') AND EXISTS (SELECT 1 FROM org t WHERE t.id = o.parent_id \
         AND t.kind IN ('committee', 'working_committee') AND t.sector IN ('rural', 'community') \
         AND EXISTS (SELECT 1 FROM org p WHERE p.id = t.parent_id AND p.kind = 'local_committee'))";
    let which = if kind == "service_center" { township } else { village };
    let rows: Vec<Unit> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT o.path, CAST(CASE WHEN EXISTS (SELECT 1 FROM org_facility f WHERE f.org_id = o.id AND f.kind = $5 \
                 AND f.status = 'built' AND (f.year IS NULL OR f.year <= $6)) THEN 1 ELSE 0 END AS BIGINT) AS built \
                 FROM org o WHERE o.path >= $1 AND o.path < $2 AND {ALIVE} AND {which}"
            ),
            &args![root.path.clone(), path::subtree_end(&root.path), on, on, kind, on.year()],
        )
        .await?;
    let mut sums = vec![(0.0, 0.0); n];
    for r in rows {
        add(&mut sums, owners, &r.path, r.built as f64, 1.0);
    }
    Ok(sums)
}

/// Above this many organizations in the issuer's subtree, organization life is judged one
/// participant's subtree at a time and nothing is kept, so a province's round holds at most the
/// largest participant's evaluation in memory; below it, the issuer's subtree is judged once and
/// kept (the next round of a city reads only what changed since).
pub const KEEP_LIFE_UP_TO: i64 = 60_000;

/// What organization life comes to for each participant: (met, due) periods in all, and by type,
/// and (findings, organizations judged).
struct LifeSums {
    total: Sums,
    by_type: HashMap<String, Sums>,
    findings: Sums,
}

impl LifeSums {
    fn pick(&self, type_code: Option<&str>, findings: bool, n: usize) -> Sums {
        if findings {
            return self.findings.clone();
        }
        match type_code {
            Some(t) => self.by_type.get(t).cloned().unwrap_or_else(|| vec![(0.0, 0.0); n]),
            None => self.total.clone(),
        }
    }
}

/// Organization life in the date's year up to the date, as the compliance engine judges it, for
/// every participant at once: one evaluation serves every organization-life indicator of a round.
async fn life_all(
    store: &Store,
    root: &Visible<Org>,
    parts: &[Participant],
    on: NaiveDate,
    owners: &Owners,
    n: usize,
) -> StoreResult<LifeSums> {
    life_all_within(store, root, parts, on, owners, n, KEEP_LIFE_UP_TO, ONE_BY_ONE_UP_TO).await
}

/// Above this many participants in a subtree too large to keep, organization life is judged
/// organization by organization once, not participant by participant (whose subtrees nest: a
/// grading cycle's participants are every grassroots organization of a province).
const ONE_BY_ONE_UP_TO: usize = 200;

/// [`life_all`] with its two limits as parameters (the tests set them small).
#[allow(clippy::too_many_arguments)]
async fn life_all_within(
    store: &Store,
    root: &Visible<Org>,
    parts: &[Participant],
    on: NaiveDate,
    owners: &Owners,
    n: usize,
    keep_up_to: i64,
    one_by_one_up_to: usize,
) -> StoreResult<LifeSums> {
    let from = NaiveDate::from_ymd_opt(on.year(), 1, 1).expect("1 January");
    let mut out = LifeSums { total: vec![(0.0, 0.0); n], by_type: HashMap::new(), findings: vec![(0.0, 0.0); n] };
    let mut add_org = |to: &[usize], r: &domain::life::OrgCompliance| {
        for &i in to {
            out.total[i].0 += r.met as f64;
            out.total[i].1 += r.due as f64;
            out.findings[i].0 += r.findings.len() as f64;
            out.findings[i].1 += 1.0;
            for l in &r.lines {
                let t = out.by_type.entry(l.type_code.clone()).or_insert_with(|| vec![(0.0, 0.0); n]);
                t[i].0 += l.met as f64;
                t[i].1 += l.due as f64;
            }
        }
    };
    let size = |o: &Org| {
        let (a, b) = (o.path.clone(), path::subtree_end(&o.path));
        async move { store.read().scalar("SELECT COUNT(*) FROM org WHERE path >= $1 AND path < $2", &args![a, b]).await }
    };
    if size(root).await? <= keep_up_to {
        let e = crate::life::evaluate(store, root, from, on, on, None).await?;
        for (o, r) in e.orgs.iter().zip(e.results.iter()) {
            let to: Vec<usize> = owners.of(&o.path).collect();
            add_org(&to, r);
        }
        return Ok(out);
    }
    let params = crate::life::params_on(on);
    if parts.len() <= one_by_one_up_to {
        for (i, p) in parts.iter().enumerate() {
            let org = crate::org::get(store, &crate::Scope::all(), p.org_id).await?;
            let e = crate::life::evaluate(store, &Visible::new(org), from, on, on, Some(params)).await?;
            for r in e.results.iter() {
                add_org(&[i], r);
            }
        }
        return Ok(out);
    }
    // many participants: every organization judged once, a subtree small enough at a time (an
    // organization above them judged on its own), each result added to every participant it lies
    // within; memory stays that of the largest subtree judged
    let mut todo: Vec<Org> = vec![(**root).clone()];
    while let Some(o) = todo.pop() {
        let whole = size(&o).await? <= keep_up_to;
        let e = if whole {
            crate::life::evaluate(store, &Visible::new(o.clone()), from, on, on, Some(params)).await?
        } else {
            crate::life::evaluate_self(store, &Visible::new(o.clone()), from, on, on, params).await?
        };
        for (x, r) in e.orgs.iter().zip(e.results.iter()) {
            let to: Vec<usize> = owners.of(&x.path).collect();
            add_org(&to, r);
        }
        if !whole {
            todo.extend(crate::org::children(store, &crate::Scope::all(), o.id).await?);
        }
    }
    Ok(out)
}

/// One organization-life source: (met, due) periods of a type or all, or (findings,
/// organizations judged).
#[allow(clippy::too_many_arguments)]
async fn life(
    store: &Store,
    root: &Visible<Org>,
    parts: &[Participant],
    on: NaiveDate,
    owners: &Owners,
    n: usize,
    type_code: Option<&str>,
    findings: bool,
) -> StoreResult<Sums> {
    Ok(life_all(store, root, parts, on, owners, n).await?.pick(type_code, findings, n))
}

/// Branch secretaries in post on the date (班子成员 records of 党支部), and whether each completed
/// a training class ending in the date's year by the date.
async fn training(store: &Store, root: &Org, on: NaiveDate, owners: &Owners, n: usize) -> StoreResult<Sums> {
    #[derive(sqlx::FromRow)]
    struct Unit {
        path: String,
        trained: i64,
    }
    let from = NaiveDate::from_ymd_opt(on.year(), 1, 1).expect("1 January");
    let rows: Vec<Unit> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT o.path, CAST(CASE WHEN EXISTS (SELECT 1 FROM training_trainee t JOIN training_class k ON k.id = t.class_id \
                 WHERE t.member_id = f.member_id AND t.completed = 1 AND k.ends_on >= $5 AND k.ends_on <= $6) THEN 1 ELSE 0 END AS BIGINT) AS trained \
                 FROM org_officer f JOIN org o ON o.id = f.org_id \
                 WHERE o.path >= $1 AND o.path < $2 AND {ALIVE} AND f.role = 'secretary' AND f.started_on <= $7 \
                 AND (f.ended_on IS NULL OR f.ended_on >= $8) AND o.kind IN ('branch', 'joint_branch', 'temporary_branch')"
            ),
            &args![root.path.clone(), path::subtree_end(&root.path), on, on, from, on, on, on],
        )
        .await?;
    let mut sums = vec![(0.0, 0.0); n];
    for r in rows {
        add(&mut sums, owners, &r.path, r.trained as f64, 1.0);
    }
    Ok(sums)
}

async fn sites(store: &Store, root: &Org, on: NaiveDate, level: &str, owners: &Owners, n: usize) -> StoreResult<Sums> {
    let rows: Vec<(String,)> = store
        .read()
        .fetch_all(
            "SELECT o.path FROM demo_site s JOIN org o ON o.id = s.org_id WHERE o.path >= $1 AND o.path < $2 \
             AND s.named_on <= $3 AND (s.revoked_on IS NULL OR s.revoked_on > $4) AND ($5 = '' OR s.level = $6)",
            &args![root.path.clone(), path::subtree_end(&root.path), on, on, level, level],
        )
        .await?;
    let mut sums = vec![(0.0, 0.0); n];
    for (p,) in rows {
        add(&mut sums, owners, &p, 1.0, 0.0);
    }
    Ok(sums)
}

async fn funding(store: &Store, c: &Campaign, on: NaiveDate, owners: &Owners, n: usize) -> StoreResult<Sums> {
    let rows: Vec<(String, i64)> = store
        .read()
        .fetch_all(
            "SELECT o.path, f.amount_yuan FROM campaign_funding f JOIN org o ON o.id = f.org_id \
             WHERE f.campaign_id = $1 AND f.year <= $2",
            &args![c.id, on.year()],
        )
        .await?;
    let mut sums = vec![(0.0, 0.0); n];
    for (p, a) in rows {
        add(&mut sums, owners, &p, a as f64 / 10_000.0, 0.0);
    }
    Ok(sums)
}

/// The assignments of the campaign's tasks in the participants' subtrees due by the date, and
/// whether each was complete (accepted as done, `done_on`) by then.
async fn tasks(store: &Store, campaign_id: i64, on: NaiveDate, owners: &Owners, n: usize) -> StoreResult<Sums> {
    let rows: Vec<(String, i64)> = store
        .read()
        .fetch_all(
            "SELECT o.path, CAST(CASE WHEN a.done = 1 AND a.done_on <= $1 THEN 1 ELSE 0 END AS BIGINT) \
             FROM task_assignment a JOIN campaign_task t ON t.id = a.task_id JOIN org o ON o.id = a.org_id \
             WHERE t.campaign_id = $2 AND t.due_on <= $3",
            &args![on, campaign_id, on],
        )
        .await?;
    let mut sums = vec![(0.0, 0.0); n];
    for (p, done) in rows {
        add(&mut sums, owners, &p, done as f64, 1.0);
    }
    Ok(sums)
}

/// A campaign's task completion (`task_completion`) for organizations outside a round: each
/// organization's share of the campaign's tasks due by `on` assigned within its subtree that were
/// confirmed done by then, in the order of `parts` (what a grading catalogue's item reads, the
/// campaign named by its id).
pub async fn task_completion_of(
    store: &Store,
    campaign_id: i64,
    parts: &[Participant],
    on: NaiveDate,
) -> StoreResult<Vec<f64>> {
    let owners = Owners::new(parts);
    let sums = tasks(store, campaign_id, on, &owners, parts.len()).await?;
    Ok(sums.into_iter().map(|(num, den)| Measure::share(num, den).value()).collect())
}

/// The participant's own latest accepted value of a reported indicator, dated on or before the
/// date; `None` where nothing was accepted.
async fn reported(
    store: &Store,
    c: &Campaign,
    code: &str,
    on: NaiveDate,
    parts: &[Participant],
) -> StoreResult<Vec<Option<f64>>> {
    let rows: Vec<(i64, i64)> = store
        .read()
        .fetch_all(
            "SELECT r.org_id, r.value_milli FROM indicator_report r WHERE r.campaign_id = $1 AND r.code = $2 \
             AND r.status = 'accepted' AND r.as_on <= $3 ORDER BY r.org_id, r.as_on, r.id",
            &args![c.id, code, on],
        )
        .await?;
    let mut latest: HashMap<i64, i64> = HashMap::new();
    for (org, v) in rows {
        latest.insert(org, v);
    }
    Ok(parts.iter().map(|p| latest.get(&p.org_id).map(|v| *v as f64 / 1000.0)).collect())
}

/// What every indicator measures for every participant on `on`, keyed by (organization,
/// indicator code). A reported indicator nobody reported has no entry.
pub async fn measure(
    store: &Store,
    c: &Campaign,
    issuer: &Visible<Org>,
    parts: &[Participant],
    indicators: &[Indicator],
    on: NaiveDate,
) -> StoreResult<HashMap<(i64, String), Measure>> {
    measure_with(store, c, issuer, parts, indicators, on, &crate::NoProgress).await
}

/// [`measure`], telling `progress` as each indicator is measured.
pub async fn measure_with(
    store: &Store,
    c: &Campaign,
    issuer: &Visible<Org>,
    parts: &[Participant],
    indicators: &[Indicator],
    on: NaiveDate,
    progress: &dyn crate::Progress,
) -> StoreResult<HashMap<(i64, String), Measure>> {
    let mut life_sums: Option<LifeSums> = None;
    let owners = Owners::new(parts);
    let n = parts.len();
    let mut out = HashMap::new();
    // a source read once serves every indicator that reads it with the same parameter
    let mut cache: HashMap<(String, String), Sums> = HashMap::new();
    for i in indicators {
        let key = (i.source.clone(), i.param.clone());
        let share = matches!(
            i.source.as_str(),
            "facility_coverage" | "life_completion" | "training_coverage" | "task_completion"
        );
        if i.source == "reported" {
            for (p, v) in parts.iter().zip(reported(store, c, &i.code, on, parts).await?) {
                if let Some(v) = v {
                    out.insert((p.org_id, i.code.clone()), Measure::count(v));
                }
            }
            progress.inc(1);
            continue;
        }
        if matches!(i.source.as_str(), "life_completion" | "life_findings") && life_sums.is_none() {
            life_sums = Some(life_all(store, issuer, parts, on, &owners, n).await?);
        }
        if !cache.contains_key(&key) {
            let sums = match i.source.as_str() {
                "facility_coverage" => facilities(store, issuer, &i.param, on, &owners, n).await?,
                "life_completion" => {
                    let t = (!i.param.is_empty()).then_some(i.param.as_str());
                    life_sums.as_ref().expect("judged above").pick(t, false, n)
                }
                "life_findings" => life_sums.as_ref().expect("judged above").pick(None, true, n),
                "training_coverage" => training(store, issuer, on, &owners, n).await?,
                "demo_sites" => sites(store, issuer, on, &i.param, &owners, n).await?,
                "funding" => funding(store, c, on, &owners, n).await?,
                "task_completion" => tasks(store, c.id, on, &owners, n).await?,
                "innovation_list" => super::innovation::measured(store, c, parts, on).await?,
                _ => vec![(0.0, 0.0); n],
            };
            cache.insert(key.clone(), sums);
        }
        let sums = &cache[&key];
        for (p, (num, den)) in parts.iter().zip(sums.iter()) {
            let m = if share {
                Measure::share(*num, *den)
            } else if i.source == "life_findings" {
                // findings per organization judged
                Measure::count(if *den > 0.0 { (num / den * 100.0).round() / 100.0 } else { 0.0 })
            } else {
                Measure::count(*num)
            };
            out.insert((p.org_id, i.code.clone()), m);
        }
        progress.inc(1);
    }
    Ok(out)
}

/// What one registry source measures over the subtree of `org` as of `on`, without a campaign:
/// what a party-building plan's target reads. The sources that belong to a campaign (`funding`,
/// `reported`) are refused, naming the field, as is a source the registry does not hold.
pub async fn measure_org(
    store: &Store,
    org: &Visible<Org>,
    source: &str,
    param: &str,
    on: NaiveDate,
) -> StoreResult<Measure> {
    let parts = [Participant { org_id: org.id, name: org.name.clone(), path: org.path.clone() }];
    let owners = Owners::new(&parts);
    let sums = match source {
        "facility_coverage" => facilities(store, org, param, on, &owners, 1).await?,
        "life_completion" => {
            life(store, org, &parts, on, &owners, 1, (!param.is_empty()).then_some(param), false).await?
        }
        "life_findings" => life(store, org, &parts, on, &owners, 1, None, true).await?,
        "training_coverage" => training(store, org, on, &owners, 1).await?,
        "demo_sites" => sites(store, org, on, param, &owners, 1).await?,
        other => {
            let label = domain::campaign::indicator::source(other).map_or(other, |s| s.label);
            let why = if domain::campaign::indicator::source(other).is_some() {
                format!("“{label}”只在创建活动中计算，不能脱离活动为党组织单独计算")
            } else {
                format!("“{label}”不在指标来源目录中")
            };
            return Err(domain::FieldErrors(vec![domain::FieldError::new("指标来源", why)]).into());
        }
    };
    let (num, den) = sums[0];
    Ok(match source {
        "facility_coverage" | "life_completion" | "training_coverage" => Measure::share(num, den),
        // findings per organization judged
        "life_findings" => Measure::count(if den > 0.0 { (num / den * 100.0).round() / 100.0 } else { 0.0 }),
        _ => Measure::count(num),
    })
}

/// [`measure_org`] for many organizations of `root`'s subtree at once, each over its own subtree:
/// one read of the source for all of them (what grading a city's organizations reads). The
/// answer is in the order of `parts`.
pub async fn measure_orgs(
    store: &Store,
    root: &Visible<Org>,
    parts: &[Participant],
    source: &str,
    param: &str,
    on: NaiveDate,
) -> StoreResult<Vec<Measure>> {
    let owners = Owners::new(parts);
    let n = parts.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let sums = match source {
        "facility_coverage" => facilities(store, root, param, on, &owners, n).await?,
        "life_completion" => {
            life(store, root, parts, on, &owners, n, (!param.is_empty()).then_some(param), false).await?
        }
        "life_findings" => life(store, root, parts, on, &owners, n, None, true).await?,
        "training_coverage" => training(store, root, on, &owners, n).await?,
        "demo_sites" => sites(store, root, on, param, &owners, n).await?,
        other => {
            let label = domain::campaign::indicator::source(other).map_or(other, |s| s.label);
            return Err(domain::FieldErrors(vec![domain::FieldError::new(
                "指标来源",
                format!("“{label}”不能脱离创建活动为党组织计算"),
            )])
            .into());
        }
    };
    Ok(sums
        .into_iter()
        .map(|(num, den)| match source {
            "facility_coverage" | "life_completion" | "training_coverage" => Measure::share(num, den),
            "life_findings" => Measure::count(if den > 0.0 { (num / den * 100.0).round() / 100.0 } else { 0.0 }),
            _ => Measure::count(num),
        })
        .collect())
}

/// The rows a round's sources read, without judging or summing them: the baseline a round's
/// computation is measured beside (the organization-life sources read the year's records instead
/// of judging them; the other sources are read and summed up to the participants as a round
/// does). Returns how many organization-life records were read.
pub async fn read_inputs(
    store: &Store,
    c: &Campaign,
    issuer: &Visible<Org>,
    parts: &[Participant],
    indicators: &[Indicator],
    on: NaiveDate,
) -> StoreResult<usize> {
    let owners = Owners::new(parts);
    let n = parts.len();
    let mut records = 0;
    let mut seen = std::collections::HashSet::new();
    for i in indicators {
        if !seen.insert((i.source.clone(), i.param.clone())) {
            continue;
        }
        match i.source.as_str() {
            "facility_coverage" => {
                facilities(store, issuer, &i.param, on, &owners, n).await?;
            }
            "life_completion" | "life_findings" => {
                let from = NaiveDate::from_ymd_opt(on.year(), 1, 1).expect("1 January");
                records = crate::life::facts(store, issuer, from, on, false).await?.len();
            }
            "training_coverage" => {
                training(store, issuer, on, &owners, n).await?;
            }
            "demo_sites" => {
                sites(store, issuer, on, &i.param, &owners, n).await?;
            }
            "funding" => {
                funding(store, c, on, &owners, n).await?;
            }
            "task_completion" => {
                tasks(store, c.id, on, &owners, n).await?;
            }
            "reported" => {
                reported(store, c, &i.code, on, parts).await?;
            }
            "innovation_list" => {
                super::innovation::read_lists(store, c, parts, on).await?;
            }
            _ => {}
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A subtree too large to keep, with many participants: each organization is judged once and
    /// added to every participant above it, giving what judging the whole subtree at once gives.
    #[tokio::test]
    async fn many_participants_are_judged_organization_by_organization() {
        use domain::org::{OrgInput, OrgKind};
        for db in crate::testing::TestDb::both().await {
            let s = &db.store;
            let all = crate::Scope::all();
            let day = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
            let mk = |n: &str, k: OrgKind| OrgInput {
                name: n.into(),
                kind: Some(k),
                has_committee: k != OrgKind::Branch,
                ..Default::default()
            };
            let root =
                crate::org::create(s, &all, None, &mk("中共测试县委", OrgKind::LocalCommittee), day).await.unwrap();
            let mut parts = Vec::new();
            for t in 0..3 {
                let town = crate::org::create(s, &all, Some(root.id), &mk(&format!("镇{t}"), OrgKind::Committee), day)
                    .await
                    .unwrap();
                parts.push(Participant { org_id: town.id, name: town.name.clone(), path: town.path.clone() });
                for b in 0..3 {
                    let br =
                        crate::org::create(s, &all, Some(town.id), &mk(&format!("镇{t}支部{b}"), OrgKind::Branch), day)
                            .await
                            .unwrap();
                    parts.push(Participant { org_id: br.id, name: br.name.clone(), path: br.path.clone() });
                }
            }
            let root = crate::org::visible(s, &all, root.id).await.unwrap();
            let owners = Owners::new(&parts);
            let on = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
            let n = parts.len();
            let kept = life_all_within(s, &root, &parts, on, &owners, n, i64::MAX, 200).await.unwrap();
            let each = life_all_within(s, &root, &parts, on, &owners, n, 2, 200).await.unwrap();
            let chunked = life_all_within(s, &root, &parts, on, &owners, n, 2, 0).await.unwrap();
            assert!(kept.total.iter().any(|t| t.1 > 0.0), "periods fall due");
            assert_eq!((&kept.total, &kept.findings), (&each.total, &each.findings));
            assert_eq!((&kept.total, &kept.findings), (&chunked.total, &chunked.findings));
            db.finish().await;
        }
    }

    #[test]
    fn a_path_belongs_to_every_participant_above_it() {
        let parts = vec![
            Participant { org_id: 1, name: "甲县".into(), path: "00010001".into() },
            Participant { org_id: 2, name: "乙县".into(), path: "00010002".into() },
            Participant { org_id: 3, name: "乙县某镇".into(), path: "000100020001".into() },
        ];
        let o = Owners::new(&parts);
        assert_eq!(o.of("0001000100050001").collect::<Vec<_>>(), vec![0]);
        assert_eq!(o.of("000100020001").collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(o.of("0001").count(), 0);
    }
}
