//! Evaluations of whole subtrees kept between views and brought up to date by what changed.
//!
//! Judging a city afresh reads every record of the year and judges thousands of organizations;
//! most views come after nothing, or after one record, changed. So the inputs of a subtree's
//! evaluation (its organizations with their 书记 terms, its records by organization, the 党组
//! secretaries' lectures around it) and the verdicts are kept with the `life` generation they were
//! read at. The next view reads the generation (one row); when it moved, it reads which
//! organizations changed since (`data_change`, noted by the database's own triggers whoever
//! wrote), reads again the records, terms and rows of those organizations only, and judges again
//! those organizations and the ones whose 书记's lectures they hold (LIFE-06S). A change to what
//! every verdict depends on (the tree, the rules, the types, the 所属年度 windows) reads the subtree
//! again whole. The result is the same evaluation a fresh reading gives: the kept-evaluation tests
//! compare the two after every kind of change.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate};
use domain::life::{self as dl, LifeRule, LifeType, OrgCompliance, OrgLife, RecordFacts};
use domain::org::OrgKind;
use domain::path;

use super::compliance::{
    facts_counted, lecture_scope, lectures_by, life_orgs, look_from, params_on, Evaluation, FactRow, OrgLifeRow,
    FACT_COLS, ORG_LIFE_COLS,
};
use super::types::{rules, types, year_windows};
use crate::db::{Store, Val};
use crate::error::StoreResult;
use crate::generation::{self, Topic};
use crate::Visible;
use domain::org::Org;

/// More changed organizations than this and the subtree is read again whole (one range read is
/// then cheaper than the lists).
const REREAD_ABOVE: usize = 400;

/// At most this many subtree evaluations are kept (a city's is some tens of megabytes).
const KEEP: usize = 8;

/// A subtree over a range, read back to `look_from`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    path: String,
    from: NaiveDate,
    to: NaiveDate,
    look_from: NaiveDate,
}

/// The kept evaluations of this database's subtrees.
#[derive(Default)]
pub(crate) struct KeptEvaluations(Mutex<HashMap<Key, Arc<tokio::sync::Mutex<Option<Kept>>>>>);

/// One subtree's inputs and verdicts, as of `generation`.
struct Kept {
    generation: i64,
    orgs: Arc<Vec<OrgLife>>,
    /// Position of each organization in `orgs` (tree order).
    at: HashMap<i64, usize>,
    /// The subtree's counted records, by organization.
    facts: HashMap<i64, Vec<RecordFacts>>,
    /// The 党课 of 党组 secretaries held around their 党组 and outside the subtree's records.
    extra: Vec<RecordFacts>,
    /// Where those lectures are looked for: the units around the 党组s.
    lecture_roots: Vec<String>,
    types: Vec<LifeType>,
    rules: Vec<LifeRule>,
    windows: Vec<dl::YearWindow>,
    as_of: NaiveDate,
    params: dl::Params,
    results: Arc<Vec<OrgCompliance>>,
}

/// [`super::evaluate`] with the parameters in force, kept and brought up to date.
pub(super) async fn evaluate(
    store: &Store,
    org: &Visible<Org>,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
) -> StoreResult<Evaluation> {
    let params = params_on(as_of);
    let key = Key { path: org.path.clone(), from, to, look_from: look_from(from, to, as_of, &params) };
    let slot = {
        let kept = store.kept().get::<KeptEvaluations>();
        let mut map = kept.0.lock().unwrap_or_else(|e| e.into_inner());
        if !map.contains_key(&key) && map.len() >= KEEP {
            // forget one no view is reading now
            if let Some(k) = map.iter().find(|(_, v)| Arc::strong_count(v) == 1).map(|(k, _)| k.clone()) {
                map.remove(&k);
            }
        }
        map.entry(key.clone()).or_default().clone()
    };
    // views of the same subtree wait for one another: the second finds the work done
    let mut slot = slot.lock().await;
    // read before anything else: a change made while reading leaves the kept value older than
    // it is (read again next time), never newer
    let now = generation::current(store, Topic::Life).await?;
    let kept = match slot.take() {
        Some(k) if k.generation == now => Some(k),
        Some(k) => match generation::changed_since(store, Topic::Life, k.generation).await? {
            Some(ids) if ids.len() <= REREAD_ABOVE => Some(refresh(store, org, &key, to, k, &ids, now).await?),
            _ => None,
        },
        None => None,
    };
    let mut k = match kept {
        Some(k) => k,
        None => read(store, org, &key, to, now, as_of, params).await?,
    };
    if k.as_of != as_of || k.params != params {
        let all: Vec<usize> = (0..k.orgs.len()).collect();
        k.as_of = as_of;
        k.params = params;
        judge(&mut k, &all, from, to);
    }
    let records = k.facts.values().map(Vec::len).sum::<usize>() + k.extra.len();
    let out = Evaluation {
        root: org.id,
        from,
        to,
        as_of,
        params,
        orgs: Arc::clone(&k.orgs),
        results: Arc::clone(&k.results),
        types: k.types.clone(),
        records,
    };
    *slot = Some(k);
    Ok(out)
}

/// The subtree read whole and judged.
async fn read(
    store: &Store,
    org: &Visible<Org>,
    key: &Key,
    to: NaiveDate,
    generation: i64,
    as_of: NaiveDate,
    params: dl::Params,
) -> StoreResult<Kept> {
    let (types, rules, windows) = (types(store).await?, rules(store).await?, year_windows(store).await?);
    let mut orgs = life_orgs(store, org, key.from, to, false).await?;
    let mut terms: HashMap<i64, Vec<domain::officer::Term>> = HashMap::new();
    for t in crate::officer::secretary_terms(store, org, false).await? {
        terms.entry(t.org_id).or_default().push(t);
    }
    for o in &mut orgs {
        o.secretaries = terms.remove(&o.id).unwrap_or_default();
    }
    let mut facts: HashMap<i64, Vec<RecordFacts>> = HashMap::new();
    for r in facts_counted(store, org, key.look_from, to, false).await? {
        facts.entry(r.org_id).or_default().push(r);
    }
    let at = orgs.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    let mut k = Kept {
        generation,
        orgs: Arc::new(orgs),
        at,
        facts,
        extra: Vec::new(),
        lecture_roots: Vec::new(),
        types,
        rules,
        windows,
        as_of,
        params,
        results: Arc::new(Vec::new()),
    };
    read_lectures(store, &mut k, key.from, to).await?;
    let all: Vec<usize> = (0..k.orgs.len()).collect();
    judge(&mut k, &all, key.from, to);
    Ok(k)
}

/// The 党课 the 党组 secretaries gave in the units around their 党组 (LIFE-06S), those the
/// subtree's own records do not hold already.
async fn read_lectures(store: &Store, k: &mut Kept, from: NaiveDate, to: NaiveDate) -> StoreResult<()> {
    let (roots, members) = lecture_scope(&k.orgs);
    let ahead = NaiveDate::from_ymd_opt(to.year() + 1, 6, 30).unwrap_or(to);
    let known: HashSet<i64> = k.facts.values().flatten().map(|r| r.id).collect();
    let extra = lectures_by(store, &roots, &members, from, ahead).await?;
    k.extra = extra.into_iter().filter(|r| !known.contains(&r.id)).collect();
    k.lecture_roots = roots;
    Ok(())
}

/// Judge again the organizations at positions `which`, against all the records.
fn judge(k: &mut Kept, which: &[usize], from: NaiveDate, to: NaiveDate) {
    if which.is_empty() {
        return;
    }
    let records: Vec<&RecordFacts> = k.facts.values().flatten().chain(k.extra.iter()).collect();
    let whole = which.len() == k.orgs.len();
    let some: Vec<OrgLife>;
    let orgs: &[OrgLife] = if whole {
        &k.orgs
    } else {
        some = which.iter().map(|i| k.orgs[*i].clone()).collect();
        &some
    };
    let verdicts = dl::evaluate_refs(orgs, &records, &k.rules, &k.windows, &k.types, from, to, k.as_of, k.params);
    if whole {
        k.results = Arc::new(verdicts);
    } else {
        // copied only while a view still holds the previous verdicts
        let results = Arc::make_mut(&mut k.results);
        for (i, v) in which.iter().zip(verdicts) {
            results[*i] = v;
        }
    }
}

/// Bring `k` up to generation `now`: read again what the organizations `changed` hold and judge
/// again those they affect.
async fn refresh(
    store: &Store,
    org: &Visible<Org>,
    key: &Key,
    to: NaiveDate,
    mut k: Kept,
    changed: &[i64],
    now: i64,
) -> StoreResult<Kept> {
    k.generation = now;
    if changed.is_empty() {
        return Ok(k);
    }
    // where the changed organizations are: inside the subtree, or around its 党组s
    let marks = marks_from(changed.len(), 1);
    let ids: Vec<Val> = changed.iter().map(|i| Val::from(*i)).collect();
    let places: Vec<(i64, String)> =
        store.read().fetch_all(&format!("SELECT id, path FROM org WHERE id IN ({marks})"), &ids).await?;
    let inside: Vec<i64> = places.iter().filter(|(_, p)| path::is_within(p, &org.path)).map(|(id, _)| *id).collect();
    let around = places.iter().any(|(_, p)| k.lecture_roots.iter().any(|r| path::is_within(p, r)));
    if inside.is_empty() && !around {
        return Ok(k);
    }
    // lecturers whose 党课 may move: of the records before and after
    let mut lecturers: HashSet<i64> = HashSet::new();
    for id in &inside {
        lecturers.extend(k.facts.get(id).into_iter().flatten().filter_map(|r| r.lecturer_member_id));
    }
    // the records again
    if !inside.is_empty() {
        let ahead = NaiveDate::from_ymd_opt(to.year() + 1, 6, 30).unwrap_or(to);
        // by organization (indexed), not by the subtree's path range: a record's path is its
        // organization's, and these organizations lie in the subtree
        let mut a: Vec<Val> =
            crate::args![key.look_from, ahead, to, i64::from(key.from.year()), i64::from(to.year())].to_vec();
        a.extend(inside.iter().map(|i| Val::from(*i)));
        let rows: Vec<FactRow> = store
            .read()
            .fetch_all(
                &format!(
                    "SELECT {FACT_COLS} FROM life_record r WHERE r.org_id IN ({}) AND r.held_on >= $1 \
                     AND r.held_on <= $2 AND (r.held_on <= $3 OR (r.belongs_to_year >= $4 AND r.belongs_to_year <= $5))",
                    marks_from(inside.len(), 6)
                ),
                &a,
            )
            .await?;
        for id in &inside {
            k.facts.remove(id);
        }
        for r in rows.into_iter().map(FactRow::into_facts) {
            lecturers.extend(r.lecturer_member_id);
            k.facts.entry(r.org_id).or_default().push(r);
        }
        // the organizations' rows (a 党组's division) and their 书记 terms again
        let listed: Vec<i64> = inside.iter().copied().filter(|id| k.at.contains_key(id)).collect();
        if !listed.is_empty() {
            let ids: Vec<Val> = listed.iter().map(|i| Val::from(*i)).collect();
            let rows: Vec<OrgLifeRow> = store
                .read()
                .fetch_all(
                    &format!("SELECT {ORG_LIFE_COLS} FROM org o WHERE o.id IN ({})", marks_from(listed.len(), 1)),
                    &ids,
                )
                .await?;
            let mut terms: HashMap<i64, Vec<domain::officer::Term>> = HashMap::new();
            for t in crate::officer::secretary_terms_of(store, &listed).await? {
                terms.entry(t.org_id).or_default().push(t);
            }
            for row in rows {
                let Some(mut o) = row.into_org_life() else { continue };
                let Some(&i) = k.at.get(&o.id) else { continue };
                o.secretaries = terms.remove(&o.id).unwrap_or_default();
                lecturers.extend(k.orgs[i].secretaries.iter().map(|t| t.member_id));
                lecturers.extend(o.secretaries.iter().map(|t| t.member_id));
                Arc::make_mut(&mut k.orgs)[i] = o;
            }
        }
    }
    // the lectures around the 党组s, when their records or their secretaries may have changed
    let leading = inside.iter().any(|id| k.at.get(id).is_some_and(|i| k.orgs[*i].kind == OrgKind::LeadingGroup));
    if around || leading {
        lecturers.extend(k.extra.iter().filter_map(|r| r.lecturer_member_id));
        read_lectures(store, &mut k, key.from, to).await?;
        lecturers.extend(k.extra.iter().filter_map(|r| r.lecturer_member_id));
    }
    // judged again: the changed organizations and those whose 书记 gave a 党课 that moved
    let mut which: Vec<usize> = inside.iter().filter_map(|id| k.at.get(id).copied()).collect();
    which.extend(
        k.orgs
            .iter()
            .enumerate()
            .filter(|(_, o)| o.secretaries.iter().any(|t| lecturers.contains(&t.member_id)))
            .map(|(i, _)| i),
    );
    which.sort_unstable();
    which.dedup();
    judge(&mut k, &which, key.from, to);
    Ok(k)
}

/// `$first, $first+1, …` for `n` parameters.
fn marks_from(n: usize, first: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}
