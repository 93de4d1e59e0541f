//! The statistics' figures kept in memory: for every organization, its current members counted
//! by each dimension (category, sex, education, occupation, ethnicity) and their birth dates in
//! order (the age bands move with the day), and the organization rows the organization figures
//! are counted from. A subtree's report is summed from these, whatever its size, without a read.
//!
//! They are kept with the `orgs` generation they were read at. When it moved, the organizations
//! whose members changed since are read again (`data_change`, noted by the database's own
//! triggers whoever wrote: this server, another one, an import, the command line); a change to the
//! tree or the facilities reads the organization rows again. The report is the one
//! [`crate::statistics::of_read`] reads from the rows: the kept-figures tests compare the two.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::member::{Category, Education, Occupation, Sex};
use domain::org::{Org, OrgKind, Sector};
use domain::path;

use crate::db::{Store, Val};
use crate::error::StoreResult;
use crate::generation::{self, Topic};
use crate::statistics::{arrange, born_by, codes, AgeBand, Coverage, KeyCount, SubtreeReport};

/// More organizations changed than this and every member is read again.
const REREAD_ABOVE: usize = 2000;

/// Counts by value (`None`: not filled in).
type Counts = Vec<(Option<String>, i64)>;

fn add(c: &mut Counts, k: Option<String>, n: i64) {
    match c.iter_mut().find(|(x, _)| *x == k) {
        Some((_, m)) => *m += n,
        None => c.push((k, n)),
    }
}

/// The current members of one organization.
#[derive(Default)]
struct Members {
    /// The members' path (their organization's).
    path: String,
    category: Counts,
    sex: Counts,
    education: Counts,
    occupation: Counts,
    /// `han` or `minority`.
    ethnicity: Counts,
    /// Birth dates in order; `None` first.
    births: Vec<Option<NaiveDate>>,
}

/// An organization as the organization figures count it.
#[derive(sqlx::FromRow)]
struct OrgFig {
    id: i64,
    path: String,
    parent_id: Option<i64>,
    kind: String,
    sector: Option<String>,
    dissolved: bool,
    center: bool,
    station: bool,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    org_id: i64,
    path: String,
    category: Option<String>,
    sex: Option<String>,
    birth_date: Option<NaiveDate>,
    education: Option<String>,
    occupation: Option<String>,
    ethnicity: Option<String>,
}

#[derive(Default)]
struct Figures {
    generation: i64,
    /// In path order.
    orgs: Vec<OrgFig>,
    /// Townships (乡镇（街道）党（工）委) by id.
    township: HashMap<i64, bool>,
    members: HashMap<i64, Members>,
}

/// This database's kept figures (`None` until first read).
#[derive(Default)]
struct Kept(tokio::sync::Mutex<Option<Figures>>);

const MEMBER_COLS: &str = "m.org_id, m.path, m.category, m.sex, m.birth_date, m.education, m.occupation, m.ethnicity";

fn fold(members: &mut HashMap<i64, Members>, rows: Vec<MemberRow>) {
    for r in rows {
        let m = members.entry(r.org_id).or_default();
        if m.path.is_empty() {
            m.path = r.path;
        }
        add(&mut m.category, r.category, 1);
        add(&mut m.sex, r.sex, 1);
        add(&mut m.education, r.education, 1);
        add(&mut m.occupation, r.occupation, 1);
        let e = if r.ethnicity.as_deref() == Some("汉族") { "han" } else { "minority" };
        add(&mut m.ethnicity, Some(e.to_string()), 1);
        m.births.push(r.birth_date);
    }
    for m in members.values_mut() {
        m.births.sort_unstable();
    }
}

async fn read_orgs(store: &Store, f: &mut Figures) -> StoreResult<()> {
    f.orgs = store
        .read()
        .fetch_all(
            "SELECT o.id, o.path, o.parent_id, o.kind, o.sector, o.dissolved_on IS NOT NULL AS dissolved, \
             EXISTS (SELECT 1 FROM org_facility f WHERE f.org_id = o.id AND f.kind = 'service_center' AND f.status = 'built') AS center, \
             EXISTS (SELECT 1 FROM org_facility f WHERE f.org_id = o.id AND f.kind = 'service_station' AND f.status = 'built') AS station \
             FROM org o ORDER BY o.path",
            &[],
        )
        .await?;
    let kinds: HashMap<i64, &str> = f.orgs.iter().map(|o| (o.id, o.kind.as_str())).collect();
    let rural = |s: &Option<String>| matches!(s.as_deref(), Some("rural") | Some("community"));
    // a township: a rural or community 党委 or 党工委 directly under a 地方党委 (as the SQL's TOWNSHIP)
    f.township = f
        .orgs
        .iter()
        .map(|o| {
            let t = !o.dissolved
                && matches!(o.kind.as_str(), "committee" | "working_committee")
                && rural(&o.sector)
                && o.parent_id.and_then(|p| kinds.get(&p)).is_some_and(|k| *k == "local_committee");
            (o.id, t)
        })
        .collect();
    Ok(())
}

async fn read_all(store: &Store, generation: i64) -> StoreResult<Figures> {
    let mut f = Figures { generation, ..Default::default() };
    read_orgs(store, &mut f).await?;
    let rows: Vec<MemberRow> =
        store.read().fetch_all(&format!("SELECT {MEMBER_COLS} FROM member m WHERE m.status = 'normal'"), &[]).await?;
    fold(&mut f.members, rows);
    Ok(f)
}

/// Bring the figures up to the generation `now`.
async fn refresh(store: &Store, f: &mut Figures, now: i64) -> StoreResult<bool> {
    let Some(changed) = generation::changed_since(store, Topic::Orgs, f.generation).await? else {
        return Ok(false);
    };
    if changed.len() > REREAD_ABOVE {
        return Ok(false);
    }
    if !changed.is_empty() {
        // a member's path is its organization's (kept so by every write), and the paths are
        // indexed: the changed organizations' members are read by their paths
        let paths: HashMap<i64, &str> = f.orgs.iter().map(|o| (o.id, o.path.as_str())).collect();
        let Some(wanted) =
            changed.iter().map(|id| paths.get(id).map(|p| Val::from(p.to_string()))).collect::<Option<Vec<Val>>>()
        else {
            // an organization the kept rows do not know: read everything again
            return Ok(false);
        };
        let marks: Vec<String> = (1..=wanted.len()).map(|i| format!("${i}")).collect();
        let rows: Vec<MemberRow> = store
            .read()
            .fetch_all(
                &format!(
                    "SELECT {MEMBER_COLS} FROM member m WHERE m.path IN ({}) AND m.status = 'normal'",
                    marks.join(", ")
                ),
                &wanted,
            )
            .await?;
        for id in &changed {
            f.members.remove(id);
        }
        let mut fresh = HashMap::new();
        fold(&mut fresh, rows);
        f.members.extend(fresh);
    }
    f.generation = now;
    Ok(true)
}

/// The report of the subtree at `org` on `today`, from the kept figures brought up to date.
pub(crate) async fn report(store: &Store, org: Org, today: NaiveDate) -> StoreResult<SubtreeReport> {
    let kept = store.kept().get::<Kept>();
    let mut slot = kept.0.lock().await;
    // read before anything else: a change made while reading leaves the figures marked older
    // than they are (read again next time), never newer
    let now = generation::current(store, Topic::Orgs).await?;
    let up_to_date = match slot.as_mut() {
        Some(f) if f.generation == now => true,
        Some(f) => refresh(store, f, now).await?,
        None => false,
    };
    if !up_to_date {
        *slot = Some(read_all(store, now).await?);
    }
    let f = slot.as_ref().expect("the figures were read above");
    Ok(sum(f, org, today))
}

fn sum(f: &Figures, org: Org, today: NaiveDate) -> SubtreeReport {
    let (lo, hi) = (org.path.as_str(), path::subtree_end(&org.path));
    let inside = |p: &str| p >= lo && p < hi.as_str();
    let (mut category, mut sex, mut education, mut occupation, mut ethnicity) =
        (Counts::new(), Counts::new(), Counts::new(), Counts::new(), Counts::new());
    // the cut-off dates, oldest band first, as the SQL's CASE tests them
    let bands: Vec<(AgeBand, NaiveDate)> =
        AgeBand::ALL.iter().rev().filter_map(|b| b.lowest_age().map(|a| (*b, born_by(today, a)))).collect();
    let mut age: HashMap<&'static str, i64> = HashMap::new();
    for m in f.members.values().filter(|m| inside(&m.path)) {
        for (into, from) in [
            (&mut category, &m.category),
            (&mut sex, &m.sex),
            (&mut education, &m.education),
            (&mut occupation, &m.occupation),
            (&mut ethnicity, &m.ethnicity),
        ] {
            for (k, n) in from {
                add(into, k.clone(), *n);
            }
        }
        // born on or before a cut-off and after the older one's: that band; no date: the first
        let mut counted = 0usize;
        let known = m.births.partition_point(|b| b.is_none());
        for (band, cut) in &bands {
            let upto = m.births[known..].partition_point(|b| b.is_some_and(|b| b <= *cut)) + known;
            let n = upto.saturating_sub(known + counted);
            *age.entry(band.code()).or_default() += n as i64;
            counted += n;
        }
        *age.entry(AgeBand::UpTo30.code()).or_default() += (m.births.len() - counted) as i64;
    }
    let rows = |c: Counts| c.into_iter().map(|(k, n)| KeyCount { k, n }).collect::<Vec<_>>();
    let age_rows: Vec<KeyCount> =
        age.into_iter().filter(|(_, n)| *n > 0).map(|(k, n)| KeyCount { k: Some(k.to_string()), n }).collect();
    let mut kinds = Counts::new();
    let mut sectors = Counts::new();
    let (mut towns, mut villages) = (Coverage::default(), Coverage::default());
    let start = f.orgs.partition_point(|o| o.path.as_str() < lo);
    for o in f.orgs[start..].iter().take_while(|o| inside(&o.path)) {
        if f.township.get(&o.id) == Some(&true) {
            towns.units += 1;
            towns.covered += i64::from(o.center);
        }
        let rural = matches!(o.sector.as_deref(), Some("rural") | Some("community"));
        if !o.dissolved && rural && o.parent_id.and_then(|p| f.township.get(&p)) == Some(&true) {
            villages.units += 1;
            villages.covered += i64::from(o.station);
        }
        if o.dissolved {
            continue;
        }
        add(&mut kinds, Some(o.kind.clone()), 1);
        if OrgKind::from_code(&o.kind).is_some_and(|k| k.is_grassroots()) {
            add(&mut sectors, o.sector.clone(), 1);
        }
    }
    let by_category = arrange(rows(category), &codes(Category::ALL, Category::code, Category::label), "其他");
    let members = by_category.iter().map(|s| s.count).sum();
    SubtreeReport {
        members,
        by_category,
        by_sex: arrange(rows(sex), &codes(Sex::ALL, Sex::code, Sex::label), "其他"),
        by_age: arrange(age_rows, &codes(&AgeBand::ALL, AgeBand::code, AgeBand::label), "其他"),
        by_education: arrange(rows(education), &codes(Education::ALL, Education::code, Education::label), "未填写"),
        by_occupation: arrange(
            rows(occupation),
            &codes(Occupation::ALL, Occupation::code, Occupation::label),
            "未填写",
        ),
        by_ethnicity: arrange(rows(ethnicity), &[("han", "汉族"), ("minority", "少数民族")], "其他"),
        orgs_by_kind: arrange(rows(kinds), &codes(OrgKind::ALL, OrgKind::code, OrgKind::label), "其他"),
        grassroots_by_sector: arrange(rows(sectors), &codes(Sector::ALL, Sector::code, Sector::label), "其他"),
        township_centers: towns,
        village_stations: villages,
        today,
        org,
    }
}
