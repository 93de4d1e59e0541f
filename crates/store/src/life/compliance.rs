//! The compliance engine's inputs, the evaluation and the daily job.

use crate::db::Store;
use crate::error::{StoreError, StoreResult};
use crate::member::Page;
use crate::scope::Scope;
use crate::Visible;
use crate::{args, Val};
use chrono::{Datelike, NaiveDate};
use domain::life::{self as dl, LifeType, OrgLife, RecordFacts, RecordStatus};
use domain::org::{Org, OrgKind};
use domain::path;
use serde::Serialize;
use std::collections::HashMap;

use super::*;

#[derive(sqlx::FromRow)]
pub(super) struct OrgLifeRow {
    id: i64,
    path: String,
    name: String,
    kind: String,
    has_committee: bool,
    founded_on: Option<NaiveDate>,
    dissolved_on: Option<NaiveDate>,
    has_division: bool,
}

#[derive(sqlx::FromRow)]
pub(super) struct FactRow {
    id: i64,
    org_id: i64,
    path: String,
    types: String,
    title: String,
    held_on: NaiveDate,
    created_on: NaiveDate,
    status: String,
    quorum_ok: Option<bool>,
    has_minutes: bool,
    has_attendance: bool,
    has_times: bool,
    has_agenda: bool,
    attachments: i64,
    belongs_to_year: Option<i64>,
    lecturer_member_id: Option<i64>,
}

pub(super) const FACT_COLS: &str =
    "r.id, r.org_id, r.path, r.types, r.title, r.held_on, r.created_on, r.status, r.quorum_ok, \
    (r.minutes IS NOT NULL AND r.minutes <> '') AS has_minutes, r.has_attendance, \
    (r.start_time IS NOT NULL AND r.end_time IS NOT NULL) AS has_times, \
    (r.agenda IS NOT NULL AND r.agenda <> '') AS has_agenda, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM life_attachment a WHERE a.record_id = r.id) AS attachments, \
    r.belongs_to_year, r.lecturer_member_id";

impl FactRow {
    pub(super) fn into_facts(self) -> RecordFacts {
        RecordFacts {
            id: self.id,
            org_id: self.org_id,
            path: self.path,
            types: self.types.split(',').map(str::to_string).collect(),
            title: self.title,
            held_on: self.held_on,
            created_on: self.created_on,
            status: RecordStatus::from_code(&self.status).unwrap_or(RecordStatus::Draft),
            quorum_ok: self.quorum_ok,
            has_minutes: self.has_minutes,
            has_attendance: self.has_attendance,
            has_times: self.has_times,
            has_agenda: self.has_agenda,
            attachments: self.attachments,
            belongs_to_year: self.belongs_to_year.and_then(|y| i32::try_from(y).ok()),
            lecturer_member_id: self.lecturer_member_id,
        }
    }
}

/// An evaluation of a subtree: the organizations (tree order) and each one's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub root: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub params: dl::Params,
    /// Shared with the kept evaluation it came from: a view reads it without a copy.
    pub orgs: std::sync::Arc<Vec<OrgLife>>,
    pub results: std::sync::Arc<Vec<dl::OrgCompliance>>,
    pub types: Vec<LifeType>,
    pub records: usize,
}

impl Evaluation {
    /// Totals over the subtree of `p` (due, met, held, findings).
    pub fn totals_under(&self, p: &str) -> (i64, i64, i64, usize) {
        let mut t = (0, 0, 0, 0);
        for (o, r) in self.orgs.iter().zip(self.results.iter()) {
            if path::is_within(&o.path, p) {
                t.0 += r.due;
                t.1 += r.met;
                t.2 += r.held;
                t.3 += r.findings.len();
            }
        }
        t
    }
    pub fn result_of(&self, org_id: i64) -> Option<(&OrgLife, &dl::OrgCompliance)> {
        self.orgs.iter().zip(self.results.iter()).find(|(o, _)| o.id == org_id)
    }
}

/// The organizations of a subtree as the engine needs them (those that existed at some point of
/// `[from, to]`).
pub(super) async fn life_orgs(
    store: &Store,
    org: &Org,
    from: NaiveDate,
    to: NaiveDate,
    only_self: bool,
) -> StoreResult<Vec<OrgLife>> {
    let end = if only_self { format!("{}\u{1}", org.path) } else { path::subtree_end(&org.path) };
    let rows: Vec<OrgLifeRow> = store
        .read()
        .fetch_all(
            "SELECT o.id, o.path, o.name, o.kind, o.has_committee, o.founded_on, o.dissolved_on, \
             EXISTS (SELECT 1 FROM party_division d WHERE d.org_id = o.id) AS has_division \
             FROM org o WHERE o.path >= $1 AND o.path < $2 AND (o.dissolved_on IS NULL OR o.dissolved_on > $3) \
             AND (o.founded_on IS NULL OR o.founded_on <= $4) ORDER BY o.path",
            &args![org.path.clone(), end, from, to],
        )
        .await?;
    Ok(rows.into_iter().filter_map(OrgLifeRow::into_org_life).collect())
}

/// The columns of an [`OrgLifeRow`] of `org o`.
pub(super) const ORG_LIFE_COLS: &str = "o.id, o.path, o.name, o.kind, o.has_committee, o.founded_on, o.dissolved_on, \
     EXISTS (SELECT 1 FROM party_division d WHERE d.org_id = o.id) AS has_division";

impl OrgLifeRow {
    /// The engine's view of the organization, its 书记 terms still to be added.
    pub(super) fn into_org_life(self) -> Option<OrgLife> {
        Some(OrgLife {
            kind: OrgKind::from_code(&self.kind)?,
            id: self.id,
            path: self.path,
            name: self.name,
            has_committee: self.has_committee,
            founded_on: self.founded_on,
            dissolved_on: self.dissolved_on,
            has_division: self.has_division,
            secretaries: vec![],
        })
    }
}

/// The records of a subtree held in `[from, to]`, as the engine needs them.
/// With `only_self`, the records of the organization itself.
pub async fn facts(
    store: &Store,
    org: &Visible<Org>,
    from: NaiveDate,
    to: NaiveDate,
    only_self: bool,
) -> StoreResult<Vec<RecordFacts>> {
    let end = if only_self { format!("{}\u{1}", org.path) } else { path::subtree_end(&org.path) };
    let rows: Vec<FactRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {FACT_COLS} FROM life_record r WHERE r.path >= $1 AND r.path < $2 AND r.held_on >= $3 \
                 AND r.held_on <= $4"
            ),
            &args![org.path.clone(), end, from, to],
        )
        .await?;
    Ok(rows.into_iter().map(FactRow::into_facts).collect())
}

/// The records that count in `[from, to]`: those held in it, and those held after it that count
/// for one of its years (所属年度: a yearly meeting held early the next year, LIFE-18). A record
/// counts for its year at the latest in the first half of the next one (the window's longest),
/// so the look-ahead is bounded.
pub async fn facts_counted(
    store: &Store,
    org: &Visible<Org>,
    from: NaiveDate,
    to: NaiveDate,
    only_self: bool,
) -> StoreResult<Vec<RecordFacts>> {
    let end = if only_self { format!("{}\u{1}", org.path) } else { path::subtree_end(&org.path) };
    let ahead = NaiveDate::from_ymd_opt(to.year() + 1, 6, 30).unwrap_or(to);
    let rows: Vec<FactRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {FACT_COLS} FROM life_record r WHERE r.path >= $1 AND r.path < $2 AND r.held_on >= $3 \
                 AND r.held_on <= $4 AND (r.held_on <= $5 OR (r.belongs_to_year >= $6 AND r.belongs_to_year <= $7))"
            ),
            &args![org.path.clone(), end, from, ahead, to, i64::from(from.year()), i64::from(to.year())],
        )
        .await?;
    Ok(rows.into_iter().map(FactRow::into_facts).collect())
}

/// Where the 党课 of the 党组 secretaries among `orgs` are looked for and whose they are: a 党组's
/// secretary lectures in the unit around it, its parent's subtree (LIFE-06S).
pub(super) fn lecture_scope(orgs: &[OrgLife]) -> (Vec<String>, Vec<i64>) {
    let mut roots: Vec<String> = Vec::new();
    let mut members: Vec<i64> = Vec::new();
    for o in orgs.iter().filter(|o| o.kind == OrgKind::LeadingGroup && !o.secretaries.is_empty()) {
        if let Some(p) = path::parent(&o.path) {
            if !roots.iter().any(|r| r == p) {
                roots.push(p.to_string());
            }
        }
        members.extend(o.secretaries.iter().map(|t| t.member_id));
    }
    members.sort_unstable();
    members.dedup();
    (roots, members)
}

/// The 党课 given by these members in `[from, to]` in the subtrees of these paths: a 党组's
/// secretary lectures in the organizations of the unit it sits in, outside its own subtree
/// (LIFE-06S). Read by lecturer (`life_record_lecturer`): a few members' lectures of a year, where
/// a read by path would range over every record of a committee that holds a 党组 directly.
pub(super) async fn lectures_by(
    store: &Store,
    roots: &[String],
    members: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<RecordFacts>> {
    if members.is_empty() || roots.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..members.len()).map(|i| format!("${}", i + 3)).collect();
    let mut a = args![from, to].to_vec();
    a.extend(members.iter().map(|m| Val::from(*m)));
    let rows: Vec<FactRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {FACT_COLS} FROM life_record r WHERE r.lecturer_member_id IN ({}) AND r.held_on >= $1 \
                 AND r.held_on <= $2 ORDER BY r.held_on, r.id",
                marks.join(", ")
            ),
            &a,
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(FactRow::into_facts)
        .filter(|r| roots.iter().any(|root| path::is_within(&r.path, root)))
        .collect())
}

static SILENT_DAYS: std::sync::OnceLock<i64> = std::sync::OnceLock::new();

/// Set this process's silence threshold in days (`dangjian --silent-days`, `DANGJIAN_SILENT_DAYS`),
/// in place of LIFE-14's shipped value; the first call wins.
pub fn configure_silent_days(days: i64) {
    let _ = SILENT_DAYS.set(days);
}

/// The engine's parameters on a date: the shipped rule values, with the configured silence
/// threshold if one was set.
pub fn params_on(as_of: NaiveDate) -> dl::Params {
    let mut p = dl::Params::in_force(as_of);
    if let Some(d) = SILENT_DAYS.get() {
        p.silent_days = *d;
    }
    p
}

/// Judge the subtree of an organization (already read through the caller's scope) over
/// `[from, to]` as of `as_of`. With the parameters in force (`params` `None`) the evaluation is
/// kept and, on the next view, brought up to date by judging again only what changed since
/// ([`super::kept`]); with parameters given it is judged afresh.
pub async fn evaluate(
    store: &Store,
    org: &Visible<Org>,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: Option<dl::Params>,
) -> StoreResult<Evaluation> {
    match params {
        None => super::kept::evaluate(store, org, from, to, as_of).await,
        Some(_) => evaluate_in(store, org, from, to, as_of, params, false).await,
    }
}

/// How far back an evaluation over `[from, to]` as of `as_of` reads records: far enough to see
/// the last activity of organizations quiet at the start.
pub(super) fn look_from(from: NaiveDate, to: NaiveDate, as_of: NaiveDate, params: &dl::Params) -> NaiveDate {
    from.min(to.min(as_of) - chrono::Duration::days(params.silent_days + 1))
}

async fn evaluate_in(
    store: &Store,
    org: &Visible<Org>,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: Option<dl::Params>,
    only_self: bool,
) -> StoreResult<Evaluation> {
    let params = params.unwrap_or_else(|| params_on(as_of));
    let (all_types, all_rules, windows) = (types(store).await?, rules(store).await?, year_windows(store).await?);
    let mut orgs = life_orgs(store, org, from, to, only_self).await?;
    let mut terms: HashMap<i64, Vec<domain::officer::Term>> = HashMap::new();
    for t in crate::officer::secretary_terms(store, org, only_self).await? {
        terms.entry(t.org_id).or_default().push(t);
    }
    for o in &mut orgs {
        o.secretaries = terms.remove(&o.id).unwrap_or_default();
    }
    // look back far enough to see the last activity of organizations quiet at the start
    let look_from = look_from(from, to, as_of, &params);
    let mut recs = facts_counted(store, org, look_from, to, only_self).await?;
    let (roots, members) = lecture_scope(&orgs);
    let ahead = NaiveDate::from_ymd_opt(to.year() + 1, 6, 30).unwrap_or(to);
    let known: std::collections::HashSet<i64> = recs.iter().map(|r| r.id).collect();
    let extra = lectures_by(store, &roots, &members, from, ahead).await?;
    recs.extend(extra.into_iter().filter(|r| !known.contains(&r.id)));
    let results = dl::evaluate(&orgs, &recs, &all_rules, &windows, &all_types, from, to, as_of, params);
    Ok(Evaluation {
        root: org.id,
        from,
        to,
        as_of,
        params,
        orgs: orgs.into(),
        results: results.into(),
        types: all_types,
        records: recs.len(),
    })
}

/// One stored finding of the daily job.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct StoredFinding {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub path: String,
    pub kind: String,
    pub rule_id: String,
    pub severity: String,
    pub type_code: Option<String>,
    pub period_key: Option<String>,
    pub period_label: Option<String>,
    pub record_id: Option<i64>,
    pub message: String,
    pub source: String,
    pub evidence: String,
    pub computed_on: NaiveDate,
}

impl StoredFinding {
    pub fn kind_label(&self) -> &'static str {
        dl::FindingKind::from_code(&self.kind).map_or("", dl::FindingKind::label)
    }
    pub fn evidence(&self) -> dl::Evidence {
        serde_json::from_str(&self.evidence).unwrap_or_default()
    }
}

/// What a run of the daily job did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobReport {
    pub as_of: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub orgs: usize,
    pub records: usize,
    pub findings: usize,
    pub took_ms: i64,
}

/// The range the daily job judges on `as_of`: the current year, and the previous one too until a
/// quarter after the last of its periods could still be met — its yearly meetings may be held
/// until the 所属年度 window at the start of this year closes (LIFE-18; the latest window of any
/// subtree in `windows`) — so last year's fourth quarter stays in view until it is dealt with,
/// and a yearly meeting still missing when its window closes is reported for a quarter.
pub fn daily_range(as_of: NaiveDate, windows: &[dl::YearWindow]) -> (NaiveDate, NaiveDate) {
    let y = as_of.year();
    let last = domain::dates::add_months(dl::latest_year_close(windows, y - 1), 3);
    let from_year = if as_of <= last { y - 1 } else { y };
    (NaiveDate::from_ymd_opt(from_year, 1, 1).expect("valid"), NaiveDate::from_ymd_opt(y, 12, 31).expect("valid"))
}

/// The daily job: judge the whole tree and replace the stored findings in one transaction (the
/// to-dos on home pages read them). Audited as the system.
pub async fn run_daily(store: &Store, as_of: NaiveDate, params: Option<dl::Params>) -> StoreResult<JobReport> {
    let started = std::time::Instant::now();
    let (from, to) = daily_range(as_of, &year_windows(store).await?);
    let roots: Vec<(i64,)> = store
        .read()
        .fetch_all("SELECT id FROM org WHERE parent_id IS NULL AND dissolved_on IS NULL ORDER BY path", &[])
        .await?;
    let mut report = JobReport { as_of, from, to, orgs: 0, records: 0, findings: 0, took_ms: 0 };
    // judge first, on the read pool; the write transaction (SQLite's one writer) only replaces rows
    let mut rows: Vec<(String, dl::Finding)> = Vec::new();
    for (root,) in roots {
        let org = crate::org::visible(store, &Scope::all(), root).await?;
        let ev = evaluate(store, &org, from, to, as_of, params).await?;
        report.orgs += ev.orgs.len();
        report.records += ev.records;
        let paths: HashMap<i64, &str> = ev.orgs.iter().map(|o| (o.id, o.path.as_str())).collect();
        for r in ev.results.iter() {
            for f in &r.findings {
                rows.push((paths.get(&f.org_id).copied().unwrap_or_default().to_string(), f.clone()));
            }
        }
    }
    report.findings = rows.len();
    let mut tx = store.begin().await?;
    tx.x().execute("DELETE FROM life_finding", &[]).await?;
    for chunk in rows.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO life_finding (org_id, path, kind, rule_id, severity, type_code, period_key, period_label, record_id, \
             message, source, evidence, computed_on) VALUES ",
        );
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * 13);
        for (i, (p, f)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = a.len();
            sql.push('(');
            sql.push_str(&(1..=13).map(|k| format!("${}", b + k)).collect::<Vec<_>>().join(", "));
            sql.push(')');
            a.extend(args![
                f.org_id,
                p.clone(),
                f.kind.code(),
                f.rule_id.clone(),
                severity_code(f.severity),
                f.type_code.clone(),
                f.period_key.clone(),
                f.period_label.clone(),
                f.record_id,
                f.message.clone(),
                f.source.clone(),
                serde_json::to_string(&f.evidence).unwrap_or_default(),
                as_of
            ]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    report.took_ms = started.elapsed().as_millis() as i64;
    let detail = serde_json::to_string(&report).unwrap_or_default();
    tx.x().execute("DELETE FROM job_run WHERE name = 'life.daily'", &[]).await?;
    tx.x()
        .execute(
            "INSERT INTO job_run (name, last_run_on, took_ms, detail) VALUES ('life.daily', $1, $2, $3)",
            &args![as_of, report.took_ms, detail],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        &Scope::all(),
        "life.daily",
        "life_finding",
        "ok",
        serde_json::to_value(&report).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// The day the daily job last ran, if ever.
pub async fn last_run(store: &Store) -> StoreResult<Option<(NaiveDate, i64)>> {
    store.read().fetch_optional("SELECT last_run_on, took_ms FROM job_run WHERE name = 'life.daily'", &[]).await
}

/// Stored findings of an organization's subtree (read through the scope): errors first, then by
/// organization; optionally of one kind.
pub async fn findings(
    store: &Store,
    org: &Visible<Org>,
    kind: Option<dl::FindingKind>,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<StoredFinding>> {
    let per_page = per_page.clamp(1, 500);
    let page = page.max(1);
    let mut w = String::from("f.path >= $1 AND f.path < $2");
    let mut a: Vec<Val> = args![org.path.clone(), path::subtree_end(&org.path)].to_vec();
    if let Some(k) = kind {
        a.push(Val::from(k.code()));
        w.push_str(" AND f.kind = $3");
    }
    let total =
        store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM life_finding f WHERE {w}"), &a).await?;
    let n = a.len();
    a.push(Val::from(per_page));
    a.push(Val::from((page - 1) * per_page));
    let items = store
        .read()
        .fetch_all(
            &format!(
                "SELECT f.id, f.org_id, o.name AS org_name, f.path, f.kind, f.rule_id, f.severity, f.type_code, f.period_key, \
                 f.period_label, f.record_id, f.message, f.source, f.evidence, f.computed_on FROM life_finding f \
                 JOIN org o ON o.id = f.org_id WHERE {w} \
                 ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, f.path, f.id LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &a,
        )
        .await?;
    Ok(Page { items, total, page, per_page })
}

/// Stored findings per kind in a subtree (the home page's summary).
pub async fn finding_counts(store: &Store, org: &Visible<Org>) -> StoreResult<Vec<(String, i64)>> {
    store
        .read()
        .fetch_all(
            "SELECT kind, CAST(COUNT(*) AS BIGINT) FROM life_finding WHERE path >= $1 AND path < $2 GROUP BY kind ORDER BY kind",
            &args![org.path.clone(), path::subtree_end(&org.path)],
        )
        .await
}

/// Judge only `org` itself over its year (the calendar and the compliance card).
/// One organization judged on its own (not its subtree), with the parameters given: what judging
/// a large subtree a part at a time reads for the organizations above the parts.
pub async fn evaluate_self(
    store: &Store,
    org: &Visible<Org>,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: dl::Params,
) -> StoreResult<Evaluation> {
    evaluate_in(store, org, from, to, as_of, Some(params), true).await
}

pub async fn card(store: &Store, org: &Visible<Org>, year: i32, as_of: NaiveDate) -> StoreResult<Evaluation> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::Refused("年份无效".into()))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::Refused("年份无效".into()))?;
    evaluate_in(store, org, from, to, as_of, None, true).await
}

// --- added for the record pages ---

/// The record an attachment belongs to, when that record's organization is in scope; anything
/// else (a missing attachment, or one of a record outside the scope) is not found.
pub async fn attachment_record(store: &Store, scope: &Scope, attachment_id: i64) -> StoreResult<i64> {
    let row: Option<(i64, String)> = store
        .read()
        .fetch_optional(
            "SELECT a.record_id, r.path FROM life_attachment a JOIN life_record r ON r.id = a.record_id WHERE a.id = $1",
            &args![attachment_id],
        )
        .await?;
    row.filter(|(_, p)| scope.contains(p)).map(|(id, _)| id).ok_or(StoreError::NotFound("附件"))
}
