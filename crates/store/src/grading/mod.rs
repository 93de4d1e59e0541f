//! 分类定级 as stored (migration 0020): grade schemes and indicator catalogues as dated versions
//! owned by a 组织部, cycles (a year over a subtree, the versions in force in that year), one
//! entry per organization graded with its step, satisfaction, total, grade and the rule that
//! lowered it, every assessor's scores, publicity, objections and reviews of final grades.
//!
//! Every write is audited in its transaction. Grading a cycle reads each source once for all its
//! organizations ([`compute`]), never once per organization.

pub mod grade_progress;
mod publicity;
mod scheme;

pub use publicity::*;
pub use scheme::*;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::campaign::round::Participant;
use domain::grading::{
    self as rules,
    catalogue::{ROUND_TOTAL, TASK_COMPLETION},
    Catalogue, EntryState, ItemKind, Scheme, Step,
};
use domain::org::Org;
use domain::path;
use domain::{FieldError, FieldErrors};
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::{Val, Visible};

/// A grade scheme: a name, a kind and its owning 组织部; the rules are in its versions.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct SchemeRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub name: String,
    pub kind: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl SchemeRow {
    pub fn kind_label(&self) -> &'static str {
        rules::SchemeKind::from_code(&self.kind).map_or("", |k| k.label())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct SchemeVersion {
    pub id: i64,
    pub scheme_id: i64,
    pub valid_from: NaiveDate,
    pub rules: String,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl SchemeVersion {
    pub fn scheme(&self) -> StoreResult<Scheme> {
        serde_json::from_str(&self.rules)
            .map_err(|e| StoreError::Refused(format!("定级方案版本 {} 的规则无法读取：{e}", self.id)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CatalogueRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CatalogueVersion {
    pub id: i64,
    pub catalogue_id: i64,
    pub valid_from: NaiveDate,
    pub items: String,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl CatalogueVersion {
    pub fn catalogue(&self) -> StoreResult<Catalogue> {
        serde_json::from_str(&self.items)
            .map_err(|e| StoreError::Refused(format!("指标体系版本 {} 无法读取：{e}", self.id)))
    }
}

/// A grading cycle: a year over the subtree of `org_id`.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Cycle {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub year: i64,
    pub title: String,
    pub scheme_id: i64,
    pub scheme_version_id: i64,
    pub catalogue_version_id: i64,
    pub steps: String,
    pub warnings: String,
    pub publicity_on: Option<NaiveDate>,
    pub publicity_end_on: Option<NaiveDate>,
    pub computed_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl Cycle {
    pub fn steps(&self) -> Vec<Step> {
        serde_json::from_str(&self.steps).unwrap_or_default()
    }
    /// Is the publicity window open on `today`?
    pub fn in_publicity(&self, today: NaiveDate) -> bool {
        matches!((self.publicity_on, self.publicity_end_on), (Some(a), Some(b)) if a <= today && today <= b)
    }
    pub fn warning_lines(&self) -> Vec<&str> {
        self.warnings.lines().filter(|l| !l.trim().is_empty()).collect()
    }
}

/// One organization in a cycle.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub cycle_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub org_sector: String,
    pub state: String,
    pub step: i64,
    pub return_reason: String,
    pub satisfaction_permille: Option<i64>,
    pub satisfaction_source: String,
    pub computed_milli: Option<i64>,
    pub grade: Option<String>,
    pub grade_by_score: Option<String>,
    pub lowered_by: String,
    pub lowered_why: String,
    pub warnings: String,
    pub detail: String,
    pub exceptional_reason: String,
    pub is_new: bool,
    pub is_final: bool,
    pub last_grade: Option<String>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl Entry {
    pub fn state(&self) -> EntryState {
        EntryState::from_code(&self.state).unwrap_or(EntryState::Open)
    }
    pub fn state_label(&self) -> &'static str {
        self.state().label()
    }
    pub fn total_text(&self) -> String {
        self.computed_milli.map_or("—".into(), rules::points_text)
    }
    pub fn satisfaction_text(&self) -> String {
        self.satisfaction_permille.map_or("—".into(), rules::permille_text)
    }
    /// The computed values of this entry's computed items, as kept when graded.
    pub fn computed(&self) -> Vec<Computed> {
        serde_json::from_str(&self.detail).unwrap_or_default()
    }
}

/// A computed item's value as read when the cycle was graded: source, as-of date, value, points.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Computed {
    pub item: String,
    pub label: String,
    pub source: String,
    pub as_of: NaiveDate,
    pub value: f64,
    pub points_milli: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Score {
    pub id: i64,
    pub entry_id: i64,
    pub item: String,
    pub assessor_kind: String,
    pub assessor: String,
    pub points_milli: i64,
    pub note: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Objection {
    pub id: i64,
    pub entry_id: i64,
    pub raised_by: Option<String>,
    pub is_anonymous: bool,
    pub body: String,
    pub answer: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Objection {
    /// Who raised it, as the assessors see it.
    pub fn by(&self) -> String {
        if self.is_anonymous {
            "匿名".into()
        } else {
            self.raised_by.clone().unwrap_or_else(|| "匿名".into())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Review {
    pub id: i64,
    pub entry_id: i64,
    pub old_grade: String,
    pub new_grade: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn invalid(field: &'static str, msg: impl Into<String>) -> StoreError {
    FieldErrors(vec![FieldError::new(field, msg)]).into()
}

/// May a caller with `scope` use something owned at `owner_path`: owned in its scope or above it
/// (a county uses the city's scheme).
fn usable(scope: &Scope, owner_path: &str) -> bool {
    scope.contains(owner_path) || scope.roots().iter().any(|r| path::is_within(r, owner_path))
}

// ---------------------------------------------------------------- cycles

const CYCLE_COLS: &str = "c.id, c.org_id, o.name AS org_name, o.path AS org_path, c.year, c.title, c.scheme_id, \
    c.scheme_version_id, c.catalogue_version_id, c.steps, c.warnings, c.publicity_on, c.publicity_end_on, \
    c.computed_at, c.created_by, c.created_at";
const CYCLE_FROM: &str = "grade_cycle c JOIN org o ON o.id = c.org_id";

/// The kinds of organization a cycle grades: the grassroots ones (基层党委, 党总支, 党支部).
pub const GRADED_KINDS: &str = "'committee', 'organs_committee', 'general_branch', 'branch', 'joint_branch'";

/// Open the cycle of `year` over the subtree of `root`: the scheme's and the catalogue's versions
/// in force in that year, one entry per grassroots organization below `root` not dissolved, each
/// with last year's final grade (for one step at a time) and whether it is new.
#[allow(clippy::too_many_arguments)]
pub async fn open_cycle(
    store: &Store,
    scope: &Scope,
    root: &Visible<Org>,
    year: i32,
    title: &str,
    scheme_id: i64,
    catalogue_id: i64,
    steps: &[Step],
) -> StoreResult<Cycle> {
    let mut e = FieldErrors::default();
    if title.trim().is_empty() {
        e.push("标题", "请填写标题");
    }
    if steps.is_empty() {
        e.push("工作步骤", "请选择工作步骤");
    }
    let scheme = scheme_get(store, scope, scheme_id).await?;
    let catalogue = catalogue_get(store, scope, catalogue_id).await?;
    let sv: Vec<(NaiveDate, SchemeVersion)> =
        scheme_versions(store, &scheme).await?.into_iter().map(|v| (v.valid_from, v)).collect();
    let cv: Vec<(NaiveDate, CatalogueVersion)> =
        catalogue_versions(store, &catalogue).await?.into_iter().map(|v| (v.valid_from, v)).collect();
    let sv = rules::in_force(&sv, year);
    let cv = rules::in_force(&cv, year);
    if sv.is_none() {
        e.push("定级方案", format!("“{}”没有在{year}年生效的版本", scheme.name));
    }
    if cv.is_none() {
        e.push("指标体系", format!("“{}”没有在{year}年生效的版本", catalogue.name));
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let (sv, cv) = (sv.expect("checked"), cv.expect("checked"));
    let taken: i64 = store
        .read()
        .scalar("SELECT COUNT(*) FROM grade_cycle WHERE org_id = $1 AND year = $2", &args![root.id, year])
        .await?;
    if taken > 0 {
        return Err(StoreError::Refused(format!("{}已开展{year}年度分类定级，不能重复开展", root.name)));
    }
    let orgs: Vec<(i64, Option<NaiveDate>)> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT id, founded_on FROM org WHERE path > $1 AND path < $2 AND dissolved_on IS NULL \
                 AND kind IN ({GRADED_KINDS}) ORDER BY path"
            ),
            &args![root.path.clone(), path::subtree_end(&root.path)],
        )
        .await?;
    // last year's final grades of these organizations, whichever cycle graded them
    let last: Vec<(i64, String)> = store
        .read()
        .fetch_all(
            "SELECT e.org_id, e.grade FROM grade_entry e JOIN grade_cycle c ON c.id = e.cycle_id \
             JOIN org o ON o.id = e.org_id \
             WHERE c.year = $1 AND e.is_final = $2 AND e.grade IS NOT NULL AND o.path > $3 AND o.path < $4",
            &args![year - 1, true, root.path.clone(), path::subtree_end(&root.path)],
        )
        .await?;
    let last: HashMap<i64, String> = last.into_iter().collect();
    let mut tx = store.begin().await?;
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO grade_cycle (org_id, year, title, scheme_id, scheme_version_id, catalogue_version_id, steps, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &args![
                root.id,
                year,
                title.trim(),
                scheme_id,
                sv.id,
                cv.id,
                serde_json::to_string(steps).expect("serializable"),
                scope.actor().name.clone(),
                t
            ],
        )
        .await?;
    for chunk in orgs.chunks(200) {
        let mut sql =
            String::from("INSERT INTO grade_entry (cycle_id, org_id, state, is_new, last_grade, updated_at) VALUES ");
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * 6);
        for (i, (org, founded)) in chunk.iter().enumerate() {
            let b = i * 6;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6));
            let lg = last.get(org).cloned();
            let new = lg.is_none() && founded.is_some_and(|d| d.year() == year);
            a.extend([
                Val::from(id),
                Val::from(*org),
                Val::from(EntryState::Open.code()),
                Val::from(new),
                Val::from(lg),
                Val::from(t),
            ]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        "grading.cycle.open",
        &format!("grade_cycle:{id}"),
        "ok",
        json!({ "org": root.id, "year": year, "scheme_version": sv.id, "catalogue_version": cv.id, "entries": orgs.len() }),
    )
    .await?;
    tx.commit().await?;
    cycle(store, scope, id).await
}

/// A cycle the caller sees: opened over a subtree holding or held by the caller's scope.
pub async fn cycle(store: &Store, scope: &Scope, id: i64) -> StoreResult<Cycle> {
    let c: Cycle = store
        .read()
        .fetch_optional(&format!("SELECT {CYCLE_COLS} FROM {CYCLE_FROM} WHERE c.id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("定级工作"))?;
    if usable(scope, &c.org_path) {
        Ok(c)
    } else {
        Err(StoreError::NotFound("定级工作"))
    }
}

/// The cycles the caller sees, latest year first; paged.
pub async fn cycles(store: &Store, scope: &Scope, limit: i64, offset: i64) -> StoreResult<(Vec<Cycle>, i64)> {
    let all: Vec<Cycle> = store
        .read()
        .fetch_all(&format!("SELECT {CYCLE_COLS} FROM {CYCLE_FROM} ORDER BY c.year DESC, o.path, c.id"), &[])
        .await?;
    let seen: Vec<Cycle> = all.into_iter().filter(|c| usable(scope, &c.org_path)).collect();
    let total = seen.len() as i64;
    Ok((seen.into_iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).collect(), total))
}

/// The scope's restriction on an organization's path column, as SQL from parameter `$first`.
fn scope_sql(scope: &Scope, col: &str, first: usize) -> (String, Vec<Val>) {
    if scope.is_all() {
        return ("1 = 1".into(), Vec::new());
    }
    let mut parts = Vec::new();
    let mut a = Vec::new();
    for (i, r) in scope.roots().iter().enumerate() {
        let n = first + 2 * i;
        parts.push(format!("({col} >= ${n} AND {col} < ${})", n + 1));
        a.push(Val::from(r.clone()));
        a.push(Val::from(path::subtree_end(r)));
    }
    if parts.is_empty() {
        return ("1 = 0".into(), a);
    }
    (format!("({})", parts.join(" OR ")), a)
}

const ENTRY_COLS: &str = "e.id, e.cycle_id, e.org_id, o.name AS org_name, o.path AS org_path, o.sector AS org_sector, \
    e.state, e.step, e.return_reason, e.satisfaction_permille, e.satisfaction_source, e.computed_milli, e.grade, \
    e.grade_by_score, e.lowered_by, e.lowered_why, e.warnings, e.detail, e.exceptional_reason, e.is_new, e.is_final, \
    e.last_grade, e.version, e.updated_at";
const ENTRY_FROM: &str = "grade_entry e JOIN org o ON o.id = e.org_id";

/// Filters of the entry list.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub state: Option<String>,
    pub grade: Option<String>,
}

/// The entries of a cycle the caller sees (its own subtree within the cycle), in tree order; paged.
pub async fn entries(
    store: &Store,
    scope: &Scope,
    c: &Cycle,
    f: &EntryFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Entry>, i64)> {
    let (sc, mut a) = scope_sql(scope, "o.path", 2);
    let mut wh = format!("e.cycle_id = $1 AND {sc}");
    let mut all = vec![Val::from(c.id)];
    all.append(&mut a);
    if let Some(s) = &f.state {
        all.push(Val::from(s.clone()));
        wh.push_str(&format!(" AND e.state = ${}", all.len()));
    }
    if let Some(g) = &f.grade {
        all.push(Val::from(g.clone()));
        wh.push_str(&format!(" AND e.grade = ${}", all.len()));
    }
    let total = store.read().scalar(&format!("SELECT COUNT(*) FROM {ENTRY_FROM} WHERE {wh}"), &all).await?;
    let n = all.len();
    all.push(Val::from(limit));
    all.push(Val::from(offset));
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {ENTRY_COLS} FROM {ENTRY_FROM} WHERE {wh} ORDER BY o.path LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &all,
        )
        .await?;
    Ok((rows, total))
}

/// How many entries of a cycle (the caller sees) stand in each state.
pub async fn counts(store: &Store, scope: &Scope, c: &Cycle) -> StoreResult<Vec<(String, i64)>> {
    let (sc, mut a) = scope_sql(scope, "o.path", 2);
    let mut all = vec![Val::from(c.id)];
    all.append(&mut a);
    store
        .read()
        .fetch_all(
            &format!("SELECT e.state, COUNT(*) FROM {ENTRY_FROM} WHERE e.cycle_id = $1 AND {sc} GROUP BY e.state ORDER BY e.state"),
            &all,
        )
        .await
}

/// One entry whose organization the caller sees, with its cycle.
pub async fn entry(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Cycle, Entry)> {
    let e: Entry = store
        .read()
        .fetch_optional(&format!("SELECT {ENTRY_COLS} FROM {ENTRY_FROM} WHERE e.id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("定级对象"))?;
    if !scope.contains(&e.org_path) {
        return Err(StoreError::NotFound("定级对象"));
    }
    let c: Cycle = store
        .read()
        .fetch_one(&format!("SELECT {CYCLE_COLS} FROM {CYCLE_FROM} WHERE c.id = $1"), &args![e.cycle_id])
        .await?;
    Ok((c, e))
}

/// The entry of an organization in a cycle.
pub async fn entry_of(store: &Store, scope: &Scope, cycle_id: i64, org_id: i64) -> StoreResult<(Cycle, Entry)> {
    let id: Option<(i64,)> = store
        .read()
        .fetch_optional("SELECT id FROM grade_entry WHERE cycle_id = $1 AND org_id = $2", &args![cycle_id, org_id])
        .await?;
    entry(store, scope, id.ok_or(StoreError::NotFound("定级对象"))?.0).await
}

pub async fn scores(store: &Store, e: &Entry) -> StoreResult<Vec<Score>> {
    store
        .read()
        .fetch_all(
            "SELECT id, entry_id, item, assessor_kind, assessor, points_milli, note, version, updated_at FROM grade_score \
             WHERE entry_id = $1 ORDER BY assessor_kind, assessor, item",
            &args![e.id],
        )
        .await
}

/// One item scored by an assessor, with the version of the score read (0: none yet).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreInput {
    pub item: String,
    pub points_milli: i64,
    pub note: String,
    pub version: i64,
}

/// Record the caller's scores of an entry as `kind` in one transaction. Each assessor's scores are
/// their own rows, so two assessors scoring at once both keep theirs; one assessor's score changed
/// elsewhere meanwhile (a version other than the one read) refuses the whole save.
pub async fn score(
    store: &Store,
    scope: &Scope,
    entry_id: i64,
    kind: rules::AssessorKind,
    items: &[ScoreInput],
) -> StoreResult<Vec<Score>> {
    let (c, e) = entry(store, scope, entry_id).await?;
    if matches!(e.state(), EntryState::Publicity | EntryState::Final) {
        return Err(StoreError::Refused(format!("{}的定级{}，不能再评分", e.org_name, e.state_label())));
    }
    let cat = catalogue_version(store, c.catalogue_version_id).await?.catalogue()?;
    let mut errs = FieldErrors::default();
    for s in items {
        match cat.item(&s.item) {
            Some(i) if matches!(i.kind, ItemKind::Veto) => {
                if !(0..=1).contains(&s.points_milli) {
                    errs.push("一票否决", format!("“{}”只能标记为是或否", i.label));
                }
            }
            Some(i) if matches!(i.kind, ItemKind::Assessed | ItemKind::Bonus | ItemKind::Deduction) => {
                if !(0..=i.max_milli).contains(&s.points_milli) {
                    errs.push("得分", format!("“{}”须在 0 至 {} 分之间", i.label, rules::points_text(i.max_milli)));
                }
            }
            Some(i) => errs.push("得分", format!("“{}”由系统计算，不能评分", i.label)),
            None => errs.push("得分", format!("指标“{}”不在本次定级的指标体系中", s.item)),
        }
    }
    if !errs.is_empty() {
        return Err(errs.into());
    }
    let actor = scope.actor().name.clone();
    let mut tx = store.begin().await?;
    let t = now();
    for s in items {
        if s.version == 0 {
            let n = tx
                .x()
                .execute(
                    "INSERT INTO grade_score (entry_id, item, assessor_kind, assessor, points_milli, note, version, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT (entry_id, item, assessor) DO NOTHING",
                    &args![e.id, s.item.clone(), kind.code(), actor.clone(), s.points_milli, s.note.trim(), t],
                )
                .await?;
            if n == 0 {
                return Err(StoreError::Stale("评分"));
            }
        } else {
            let n = tx
                .x()
                .execute(
                    "UPDATE grade_score SET points_milli = $1, note = $2, assessor_kind = $3, version = version + 1, updated_at = $4 \
                     WHERE entry_id = $5 AND item = $6 AND assessor = $7 AND version = $8",
                    &args![s.points_milli, s.note.trim(), kind.code(), t, e.id, s.item.clone(), actor.clone(), s.version],
                )
                .await?;
            if n == 0 {
                return Err(StoreError::Stale("评分"));
            }
        }
    }
    crate::audit::record(
        &mut tx,
        scope,
        "grading.score",
        &format!("grade_entry:{}", e.id),
        "ok",
        json!({ "org": e.org_id, "kind": kind.code(),
                "items": items.iter().map(|s| json!({"item": s.item, "points_milli": s.points_milli, "note": s.note})).collect::<Vec<_>>() }),
    )
    .await?;
    tx.commit().await?;
    scores(store, &e).await
}

/// Set the satisfaction rate of many organizations of a cycle at once, with where it came from.
pub async fn set_satisfaction(
    store: &Store,
    scope: &Scope,
    cycle_id: i64,
    rates: &[(i64, i64)],
    source: &str,
) -> StoreResult<usize> {
    let c = cycle(store, scope, cycle_id).await?;
    if source.trim().is_empty() {
        return Err(invalid("满意率来源", "请写明满意率的来源（如测评名称、说明）"));
    }
    if let Some((_, r)) = rates.iter().find(|(_, r)| !(0..=1000).contains(r)) {
        return Err(invalid("满意率", format!("满意率须在 0 至 100% 之间（收到 {}）", rules::permille_text(*r))));
    }
    // every organization must be an entry of the cycle in the caller's scope, in a state that may change
    let (sc, mut a) = scope_sql(scope, "o.path", 2);
    let mut all = vec![Val::from(c.id)];
    all.append(&mut a);
    let open: Vec<(i64, String)> = store
        .read()
        .fetch_all(&format!("SELECT e.org_id, e.state FROM {ENTRY_FROM} WHERE e.cycle_id = $1 AND {sc}"), &all)
        .await?;
    let open: HashMap<i64, String> = open.into_iter().collect();
    for (org, _) in rates {
        match open.get(org).map(String::as_str) {
            None => return Err(StoreError::NotFound("定级对象")),
            Some("publicity" | "final") => {
                return Err(StoreError::Refused("已公示或已定级的党组织不能再修改满意率".into()));
            }
            _ => {}
        }
    }
    let mut tx = store.begin().await?;
    let t = now();
    for (org, rate) in rates {
        tx.x()
            .execute(
                "UPDATE grade_entry SET satisfaction_permille = $1, satisfaction_source = $2, updated_at = $3, version = version + 1 \
                 WHERE cycle_id = $4 AND org_id = $5",
                &args![*rate, source.trim(), t, c.id, *org],
            )
            .await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        "grading.satisfaction",
        &format!("grade_cycle:{}", c.id),
        "ok",
        json!({ "source": source.trim(), "rates": rates }),
    )
    .await?;
    tx.commit().await?;
    Ok(rates.len())
}

/// Move an entry to its next step (`forward`) or return it to the one before with a reason, at
/// the version read.
pub async fn step(
    store: &Store,
    scope: &Scope,
    entry_id: i64,
    version: i64,
    forward: bool,
    reason: &str,
) -> StoreResult<Entry> {
    let (c, e) = entry(store, scope, entry_id).await?;
    if matches!(e.state(), EntryState::Publicity | EntryState::Final) {
        return Err(StoreError::Refused(format!("{}的定级{}，工作步骤不能再变动", e.org_name, e.state_label())));
    }
    let steps = c.steps();
    let at = e.step.max(0) as usize;
    let (to, state) = if forward {
        match rules::steps::next(&steps, at) {
            Some(n) => (n, EntryState::Open),
            None => return Err(StoreError::Refused("已是最后一个工作步骤".into())),
        }
    } else {
        if reason.trim().is_empty() {
            return Err(invalid("退回理由", "退回时须写明理由"));
        }
        match rules::steps::previous(at) {
            Some(p) => (p, EntryState::Returned),
            None => return Err(StoreError::Refused("已是第一个工作步骤，不能再退回".into())),
        }
    };
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE grade_entry SET step = $1, state = $2, return_reason = $3, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6",
            &args![to as i64, state.code(), if forward { "" } else { reason.trim() }, now(), e.id, version],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("定级对象"));
    }
    crate::audit::record(
        &mut tx,
        scope,
        if forward { "grading.step.advance" } else { "grading.step.return" },
        &format!("grade_entry:{}", e.id),
        "ok",
        json!({ "org": e.org_id, "from": steps.get(at).map(|s| s.label.clone()), "to": steps.get(to).map(|s| s.label.clone()), "reason": reason.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(entry(store, scope, entry_id).await?.1)
}

/// Record 破格 (the reason an organization may rise more than one step) on an entry; empty clears it.
pub async fn set_exceptional(store: &Store, scope: &Scope, entry_id: i64, reason: &str) -> StoreResult<Entry> {
    let (_, e) = entry(store, scope, entry_id).await?;
    if matches!(e.state(), EntryState::Publicity | EntryState::Final) {
        return Err(StoreError::Refused(format!("{}的定级{}，不能再修改", e.org_name, e.state_label())));
    }
    let mut tx = store.begin().await?;
    tx.x()
        .execute(
            "UPDATE grade_entry SET exceptional_reason = $1, updated_at = $2, version = version + 1 WHERE id = $3",
            &args![reason.trim(), now(), e.id],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.exceptional",
        &format!("grade_entry:{}", e.id),
        "ok",
        json!({ "org": e.org_id, "reason": reason.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(entry(store, scope, entry_id).await?.1)
}

/// What [`compute`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ComputeSummary {
    pub graded: usize,
    pub skipped: usize,
    pub warnings: Vec<String>,
}

/// Each assessor's (kind, name) scores of one entry, by item.
type Assessors = BTreeMap<(String, String), HashMap<String, i64>>;

/// The day computed items are read as of: the end of the cycle's year, or `today` when earlier.
pub fn as_of(c: &Cycle, today: NaiveDate) -> NaiveDate {
    rules::year_end(c.year as i32).min(today)
}

/// Every entry of a cycle in tree order, whatever the caller's scope (grading is the cycle's).
pub async fn cycle_entries(store: &Store, c: &Cycle) -> StoreResult<Vec<Entry>> {
    store
        .read()
        .fetch_all(
            &format!("SELECT {ENTRY_COLS} FROM {ENTRY_FROM} WHERE e.cycle_id = $1 ORDER BY o.path"),
            &args![c.id],
        )
        .await
}

/// Every score of a cycle: (entry, item, assessor kind, assessor, points in thousandths).
async fn cycle_scores(store: &Store, c: &Cycle) -> StoreResult<Vec<(i64, String, String, String, i64)>> {
    store
        .read()
        .fetch_all(
            "SELECT s.entry_id, s.item, s.assessor_kind, s.assessor, s.points_milli FROM grade_score s \
             JOIN grade_entry e ON e.id = s.entry_id WHERE e.cycle_id = $1",
            &args![c.id],
        )
        .await
}

/// What grading a cycle reads of its own rows: every entry and every score, as [`compute`] reads
/// them, without measuring, judging or writing; the baseline of `dangjian bench grading`.
/// Answers how many entries and scores were read.
pub async fn read_scores(store: &Store, c: &Cycle) -> StoreResult<(usize, usize)> {
    let all = cycle_entries(store, c).await?;
    let rows = cycle_scores(store, c).await?;
    Ok((all.len(), rows.len()))
}

/// Grade every entry of a cycle not yet in publicity: computed items read once per source for all
/// of them, every assessor's total combined by the scheme, the scheme applied (vetoes, cap, one
/// step, new organization), quotas checked as warnings. One transaction.
pub async fn compute(
    store: &Store,
    scope: &Scope,
    root: &Visible<Org>,
    c: &Cycle,
    today: NaiveDate,
) -> StoreResult<ComputeSummary> {
    if root.id != c.org_id {
        return Err(StoreError::NotFound("定级工作"));
    }
    let scheme = scheme_version(store, c.scheme_version_id).await?.scheme()?;
    let cat = catalogue_version(store, c.catalogue_version_id).await?.catalogue()?;
    let on = as_of(c, today);
    let all = cycle_entries(store, c).await?;
    let todo: Vec<&Entry> =
        all.iter().filter(|e| !matches!(e.state(), EntryState::Publicity | EntryState::Final)).collect();
    let parts: Vec<Participant> = todo
        .iter()
        .map(|e| Participant { org_id: e.org_id, name: e.org_name.clone(), path: e.org_path.clone() })
        .collect();
    // computed items: one read per (source, parameter) for every organization
    let mut values: HashMap<(String, String), Vec<f64>> = HashMap::new();
    for i in cat.items.iter().filter(|i| i.kind == ItemKind::Computed) {
        let key = (i.source.clone(), i.param.clone());
        if values.contains_key(&key) {
            continue;
        }
        let v = if i.source == ROUND_TOTAL {
            round_totals(store, root, &parts, &i.param, on).await?
        } else if i.source == TASK_COMPLETION {
            match i.param.trim().parse::<i64>() {
                Ok(campaign) => crate::campaign::measure::task_completion_of(store, campaign, &parts, on).await?,
                Err(_) => vec![0.0; parts.len()],
            }
        } else {
            crate::campaign::measure::measure_orgs(store, root, &parts, &i.source, &i.param, on)
                .await?
                .iter()
                .map(|m| m.value())
                .collect()
        };
        values.insert(key, v);
    }
    // every score of the cycle, one read
    let rows = cycle_scores(store, c).await?;
    let mut by_entry: HashMap<i64, Assessors> = HashMap::new();
    for (entry, item, kind, who, pts) in rows {
        by_entry.entry(entry).or_default().entry((kind, who)).or_default().insert(item, pts);
    }
    let mut results = Vec::with_capacity(todo.len());
    for (n, e) in todo.iter().enumerate() {
        let mut computed: HashMap<String, i64> = HashMap::new();
        let mut kept = Vec::new();
        for i in &cat.items {
            match i.kind {
                ItemKind::Computed => {
                    let v = values[&(i.source.clone(), i.param.clone())][n];
                    let pts = Catalogue::computed_points(i, v);
                    computed.insert(i.code.clone(), pts);
                    kept.push(Computed {
                        item: i.code.clone(),
                        label: i.label.clone(),
                        source: rules::catalogue::source_label(&i.source).into(),
                        as_of: on,
                        value: (v * 100.0).round() / 100.0,
                        points_milli: pts,
                    });
                }
                ItemKind::Satisfaction => {
                    let pts =
                        e.satisfaction_permille.map_or(0, |r| (i.max_milli as f64 * r as f64 / 1000.0).round() as i64);
                    computed.insert(i.code.clone(), pts);
                }
                _ => {}
            }
        }
        let assessors = by_entry.remove(&e.id).unwrap_or_default();
        let mut totals = Vec::new();
        let mut vetoes: Vec<String> = Vec::new();
        for ((kind, _), scored) in &assessors {
            let (t, v) = cat.total(scored, &computed);
            totals.push((rules::AssessorKind::from_code(kind).unwrap_or(rules::AssessorKind::Panel), t));
            for x in v {
                if !vetoes.contains(&x) {
                    vetoes.push(x);
                }
            }
        }
        let total = rules::combine(&scheme, &totals).unwrap_or_else(|| cat.total(&HashMap::new(), &computed).0);
        let out = rules::apply(
            &scheme,
            &rules::Facts {
                total_milli: total,
                satisfaction_permille: e.satisfaction_permille,
                vetoes,
                last_grade: e.last_grade.clone(),
                exceptional: (!e.exceptional_reason.trim().is_empty()).then(|| e.exceptional_reason.clone()),
                new_org: e.is_new,
            },
        );
        results.push((e.id, total, out, serde_json::to_string(&kept).expect("serializable")));
    }
    // quotas over the whole cycle: the grades kept and the new ones
    let new: HashMap<i64, &str> = results.iter().map(|(id, _, o, _)| (*id, o.grade.as_str())).collect();
    let graded: Vec<rules::Graded> = all
        .iter()
        .filter_map(|e| {
            let g = new.get(&e.id).map(|g| g.to_string()).or_else(|| e.grade.clone())?;
            Some(rules::Graded { grade: g, community: e.org_sector == "community" })
        })
        .collect();
    let warnings = rules::quota_warnings(&scheme, &graded);
    let mut tx = store.begin().await?;
    let t = now();
    for (id, total, out, kept) in &results {
        tx.x()
            .execute(
                "UPDATE grade_entry SET computed_milli = $1, grade = $2, grade_by_score = $3, lowered_by = $4, lowered_why = $5, \
                 detail = $6, state = $7, updated_at = $8, version = version + 1 WHERE id = $9",
                &args![
                    *total,
                    out.grade.clone(),
                    out.by_score.clone(),
                    out.lowered_by(),
                    out.lowered.iter().map(|l| l.why.clone()).collect::<Vec<_>>().join("；"),
                    kept.clone(),
                    EntryState::Graded.code(),
                    t,
                    *id
                ],
            )
            .await?;
    }
    tx.x()
        .execute(
            "UPDATE grade_cycle SET warnings = $1, computed_at = $2 WHERE id = $3",
            &args![warnings.join("\n"), t, c.id],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.compute",
        &format!("grade_cycle:{}", c.id),
        "ok",
        json!({ "as_of": on, "graded": results.len(), "warnings": warnings }),
    )
    .await?;
    tx.commit().await?;
    Ok(ComputeSummary { graded: results.len(), skipped: all.len() - results.len(), warnings })
}

/// A campaign's published dispatch round total for each organization as of `on`: the latest
/// round published by then, the line of the organization or of its nearest ancestor taking part.
async fn round_totals(
    store: &Store,
    root: &Visible<Org>,
    parts: &[Participant],
    campaign: &str,
    on: NaiveDate,
) -> StoreResult<Vec<f64>> {
    let Ok(campaign) = campaign.trim().parse::<i64>() else {
        return Ok(vec![0.0; parts.len()]);
    };
    let round: Option<(i64,)> = store
        .read()
        .fetch_optional(
            "SELECT id FROM dispatch_round WHERE campaign_id = $1 AND status = 'published' AND as_on <= $2 \
             ORDER BY as_on DESC, seq DESC LIMIT 1",
            &args![campaign, on],
        )
        .await?;
    let Some((round,)) = round else { return Ok(vec![0.0; parts.len()]) };
    let lines: Vec<(String, i64)> = store
        .read()
        .fetch_all("SELECT org_path, total_milli FROM dispatch_line WHERE round_id = $1", &args![round])
        .await?;
    let _ = root;
    let by_path: HashMap<&str, i64> = lines.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    Ok(parts
        .iter()
        .map(|p| {
            let mut at = Some(p.path.as_str());
            while let Some(x) = at {
                if let Some(t) = by_path.get(x) {
                    return *t as f64 / 1000.0;
                }
                at = path::parent(x);
            }
            0.0
        })
        .collect())
}
