//! 软弱涣散 as stored: the local criteria and settings (dated versions, nearest ancestor wins), an
//! organization's identification with its ticked criteria, its life cycle (each step an event),
//! its rectification plan item by item, the WEAK-06 links, the proposals read from organization
//! life and 班子成员, and the daily sweep that keeps the findings (overdue items, missing links) and
//! tells the superior of an item newly overdue once. Every write is audited in its transaction.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::message::{Audience, Draft, Kind as MessageKind};
use domain::org::{Org, Sector};
use domain::path;
use domain::weak_and_lax::{
    self as rules, Criterion, ItemStatus, Origin, Settings, State, Transition, ValidCriterion, ValidItem,
};
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;

mod proposals;
mod sweep;

pub use proposals::*;
pub use sweep::*;

/// One identification of an organization.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct WeakOrg {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub org_sector: String,
    pub year: i64,
    pub state: String,
    pub origin: String,
    pub reason: String,
    pub decision_ref: String,
    pub confirmed_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub monitor_ends_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub last_on: NaiveDate,
    pub county_leader: String,
    pub township_leader: String,
    pub paired_dept: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl WeakOrg {
    pub fn state(&self) -> State {
        State::from_code(&self.state).unwrap_or(State::Suspected)
    }
    pub fn state_label(&self) -> &'static str {
        self.state().label()
    }
    pub fn origin_label(&self) -> &'static str {
        Origin::from_code(&self.origin).map_or("", |o| o.label())
    }
    /// A village organization (WEAK-06 applies to weak villages).
    pub fn is_village(&self) -> bool {
        self.org_sector == Sector::Rural.code()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Tick {
    pub code: String,
    pub label: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub effective_on: NaiveDate,
    pub decision_ref: String,
    pub note: String,
    pub done_by: String,
    pub done_at: DateTime<Utc>,
}

impl Event {
    pub fn action_label(&self) -> &'static str {
        rules::Action::from_code(&self.action).map_or("登记", |a| a.label())
    }
    pub fn to_label(&self) -> &'static str {
        State::from_code(&self.to_state).map_or("", |s| s.label())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub weak_id: i64,
    pub problem: String,
    pub measure: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub evidence: String,
    pub return_reason: String,
    pub reported_by: Option<String>,
    pub reported_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
}

impl Item {
    pub fn status(&self) -> ItemStatus {
        ItemStatus::from_code(&self.status).unwrap_or(ItemStatus::Open)
    }
    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }
    pub fn overdue(&self, today: NaiveDate) -> bool {
        rules::overdue(self.due_on, self.status(), today)
    }
}

/// A local criterion row (for the criteria page).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LocalCriterion {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub code: String,
    pub label: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// One finding of the daily sweep.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Finding {
    pub id: i64,
    pub weak_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: String,
    pub item_id: Option<i64>,
    pub message: String,
    pub computed_on: NaiveDate,
}

impl Finding {
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "overdue_item" => "整改事项逾期",
            "missing_link" => "“四个一”联系不全",
            _ => "",
        }
    }
}

const COLS: &str = "w.id, w.org_id, o.name AS org_name, o.path AS org_path, o.sector AS org_sector, w.year, w.state, \
    w.origin, w.reason, w.decision_ref, w.confirmed_on, w.accepted_on, w.monitor_ends_on, w.closed_on, w.last_on, \
    w.county_leader, w.township_leader, w.paired_dept, w.created_by, w.created_at, w.updated_at, w.version";
const FROM: &str = "weak_org w JOIN org o ON o.id = w.org_id";
const ITEM_COLS: &str = "id, weak_id, problem, measure, owner, due_on, status, evidence, return_reason, reported_by, \
    reported_on, decided_by, decided_on";

/// `$k, $k+1, …` placeholders for `n` values starting at `k`.
fn ph(k: usize, n: usize) -> String {
    (k..k + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn levels(p: &str) -> Vec<String> {
    let mut v: Vec<String> = path::ancestors(p).into_iter().map(str::to_string).collect();
    v.push(p.to_string());
    v
}

// ---- criteria and settings -------------------------------------------------------------------

/// The criteria in force for `org` on `on`: the national list, then the local ones of the
/// organization and its ancestors valid that day (the oldest first).
pub async fn criteria_in_force(store: &Store, org: &Visible<Org>, on: NaiveDate) -> StoreResult<Vec<Criterion>> {
    let mut out = if on >= rules::national_from() { rules::national() } else { Vec::new() };
    let lv = levels(&org.path);
    let mut a: Vec<crate::Val> = args![on, on].to_vec();
    a.extend(lv.iter().map(|l| crate::Val::from(l.clone())));
    let rows: Vec<(String, String)> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT c.code, c.label FROM weak_criterion c JOIN org o ON o.id = c.org_id \
                 WHERE c.valid_from <= $1 AND (c.valid_to IS NULL OR c.valid_to > $2) AND o.path IN ({}) \
                 ORDER BY c.valid_from, c.id",
                ph(3, lv.len())
            ),
            &a,
        )
        .await?;
    for (code, label) in rows {
        if !out.iter().any(|c| c.code == code) {
            out.push(Criterion { code, label });
        }
    }
    Ok(out)
}

/// The local criteria set at `org` and above it, retired ones included.
pub async fn local_criteria(store: &Store, org: &Visible<Org>) -> StoreResult<Vec<LocalCriterion>> {
    let lv = levels(&org.path);
    let a: Vec<crate::Val> = lv.iter().map(|l| crate::Val::from(l.clone())).collect();
    store
        .read()
        .fetch_all(
            &format!(
                "SELECT c.id, c.org_id, o.name AS org_name, c.code, c.label, c.valid_from, c.valid_to \
                 FROM weak_criterion c JOIN org o ON o.id = c.org_id WHERE o.path IN ({}) ORDER BY c.valid_from, c.id",
                ph(1, lv.len())
            ),
            &a,
        )
        .await
}

async fn insert_criterion(
    tx: &mut Tx,
    scope: &Scope,
    org: &Visible<Org>,
    code: Option<&str>,
    v: &ValidCriterion,
) -> StoreResult<String> {
    let id = tx
        .x()
        .scalar(
            "INSERT INTO weak_criterion (org_id, code, label, valid_from, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![org.id, code.unwrap_or(""), v.label.clone(), v.valid_from, scope.actor().name.clone(), now()],
        )
        .await?;
    let code = match code {
        Some(c) => c.to_string(),
        None => {
            let c = format!("C{id}");
            tx.x().execute("UPDATE weak_criterion SET code = $1 WHERE id = $2", &args![c.clone(), id]).await?;
            c
        }
    };
    crate::audit::record(
        tx,
        scope,
        "weak.criterion.add",
        &format!("weak_criterion:{id}"),
        "ok",
        json!({ "org": org.id, "code": code, "label": v.label, "valid_from": v.valid_from }),
    )
    .await?;
    Ok(code)
}

/// Add a local criterion of `org` (a 组织部), in force from its date for the subtree.
pub async fn add_criterion(
    store: &Store,
    scope: &Scope,
    org: &Visible<Org>,
    v: &ValidCriterion,
) -> StoreResult<String> {
    let mut tx = store.begin().await?;
    let code = insert_criterion(&mut tx, scope, org, None, v).await?;
    tx.commit().await?;
    Ok(code)
}

/// Adopt the local preset (WEAK-01 local additions) at `org` from `from`: the criteria of the
/// preset not already in force there that day. Returns how many were added.
pub async fn adopt_preset(store: &Store, scope: &Scope, org: &Visible<Org>, from: NaiveDate) -> StoreResult<usize> {
    let in_force = criteria_in_force(store, org, from).await?;
    let mut tx = store.begin().await?;
    let mut n = 0;
    for (code, label) in rules::LOCAL_PRESET {
        if in_force.iter().any(|c| c.code == *code) {
            continue;
        }
        let v = ValidCriterion { label: (*label).into(), valid_from: from };
        insert_criterion(&mut tx, scope, org, Some(code), &v).await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

/// Retire a local criterion set at an organization in the caller's scope from `on` (not before
/// it began). It stays on the identifications that ticked it.
pub async fn retire_criterion(store: &Store, scope: &Scope, id: i64, on: NaiveDate) -> StoreResult<()> {
    let row: Option<(i64, String, NaiveDate, Option<NaiveDate>)> = store
        .read()
        .fetch_optional(
            "SELECT c.id, o.path, c.valid_from, c.valid_to FROM weak_criterion c JOIN org o ON o.id = c.org_id WHERE c.id = $1",
            &args![id],
        )
        .await?;
    let Some((_, p, from, to)) = row.filter(|r| scope.contains(&r.1)) else {
        return Err(StoreError::NotFound("认定标准"));
    };
    let _ = p;
    if to.is_some() {
        return Err(StoreError::Refused("该认定标准已停用".into()));
    }
    if on < from {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "停用日期",
            format!("{on} 早于施行日期 {from}"),
        )])
        .into());
    }
    let mut tx = store.begin().await?;
    tx.x().execute("UPDATE weak_criterion SET valid_to = $1 WHERE id = $2", &args![on, id]).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "weak.criterion.retire",
        &format!("weak_criterion:{id}"),
        "ok",
        json!({ "valid_to": on }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The settings for `org` on `on`: the nearest ancestor's version in force, else the shipped ones.
pub async fn settings(store: &Store, org: &Visible<Org>, on: NaiveDate) -> StoreResult<Settings> {
    settings_at(store, &org.path, on).await
}

async fn settings_at(store: &Store, org_path: &str, on: NaiveDate) -> StoreResult<Settings> {
    let lv = levels(org_path);
    let mut a: Vec<crate::Val> = args![on].to_vec();
    a.extend(lv.iter().map(|l| crate::Val::from(l.clone())));
    let row: Option<(i64, i64, i64)> = store
        .read()
        .fetch_optional(
            &format!(
                "SELECT s.no_life_months, s.vacancy_months, s.monitor_months FROM weak_setting s JOIN org o ON o.id = s.org_id \
                 WHERE s.valid_from <= $1 AND o.path IN ({}) ORDER BY LENGTH(o.path) DESC, s.valid_from DESC, s.id DESC LIMIT 1",
                ph(2, lv.len())
            ),
            &a,
        )
        .await?;
    Ok(row.map_or(rules::DEFAULT_SETTINGS, |(n, v, m)| Settings {
        no_life_months: n as i32,
        vacancy_months: v as i32,
        monitor_months: m as i32,
    }))
}

/// Set a dated version of the settings at `org`.
pub async fn set_settings(
    store: &Store,
    scope: &Scope,
    org: &Visible<Org>,
    s: &Settings,
    from: NaiveDate,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO weak_setting (org_id, no_life_months, vacancy_months, monitor_months, valid_from, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &args![org.id, s.no_life_months, s.vacancy_months, s.monitor_months, from, scope.actor().name.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "weak.settings",
        &format!("weak_setting:{id}"),
        "ok",
        json!({ "org": org.id, "settings": s, "valid_from": from }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- identifications -------------------------------------------------------------------------

/// An identification whose organization is in the caller's scope.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<WeakOrg> {
    let w: WeakOrg = store
        .read()
        .fetch_optional(&format!("SELECT {COLS} FROM {FROM} WHERE w.id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("软弱涣散整顿记录"))?;
    if scope.contains(&w.org_path) {
        Ok(w)
    } else {
        Err(StoreError::NotFound("软弱涣散整顿记录"))
    }
}

pub async fn ticks(store: &Store, w: &WeakOrg) -> StoreResult<Vec<Tick>> {
    store
        .read()
        .fetch_all("SELECT code, label, evidence FROM weak_tick WHERE weak_id = $1 ORDER BY code", &args![w.id])
        .await
}

pub async fn events(store: &Store, w: &WeakOrg) -> StoreResult<Vec<Event>> {
    store
        .read()
        .fetch_all(
            "SELECT id, action, from_state, to_state, effective_on, decision_ref, note, done_by, done_at FROM weak_event \
             WHERE weak_id = $1 ORDER BY id",
            &args![w.id],
        )
        .await
}

pub async fn items(store: &Store, w: &WeakOrg) -> StoreResult<Vec<Item>> {
    store
        .read()
        .fetch_all(&format!("SELECT {ITEM_COLS} FROM weak_item WHERE weak_id = $1 ORDER BY due_on, id"), &args![w.id])
        .await
}

/// A filter of the list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<State>,
    pub year: Option<i32>,
}

/// The identifications in the subtree of `org`, latest year first then tree order; paged.
pub async fn list(
    store: &Store,
    org: &Visible<Org>,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<WeakOrg>, i64)> {
    let mut w = String::from("o.path >= $1 AND o.path < $2");
    let mut a: Vec<crate::Val> = args![org.path.clone(), path::subtree_end(&org.path)].to_vec();
    if let Some(s) = f.state {
        a.push(s.code().into());
        w.push_str(&format!(" AND w.state = ${}", a.len()));
    }
    if let Some(y) = f.year {
        a.push(y.into());
        w.push_str(&format!(" AND w.year = ${}", a.len()));
    }
    let total = store.read().scalar(&format!("SELECT COUNT(*) FROM {FROM} WHERE {w}"), &a).await?;
    a.push(limit.into());
    a.push(offset.into());
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE {w} ORDER BY w.year DESC, o.path, w.id LIMIT ${} OFFSET ${}",
                a.len() - 1,
                a.len()
            ),
            &a,
        )
        .await?;
    Ok((rows, total))
}

/// How many identifications of each state the subtree holds (for the list's tabs).
pub async fn counts(store: &Store, org: &Visible<Org>, year: Option<i32>) -> StoreResult<Vec<(String, i64)>> {
    let mut a: Vec<crate::Val> = args![org.path.clone(), path::subtree_end(&org.path)].to_vec();
    let mut w = String::from("o.path >= $1 AND o.path < $2");
    if let Some(y) = year {
        a.push(y.into());
        w.push_str(" AND w.year = $3");
    }
    store.read().fetch_all(&format!("SELECT w.state, COUNT(*) FROM {FROM} WHERE {w} GROUP BY w.state"), &a).await
}

async fn open_of(store: &Store, org_id: i64) -> StoreResult<Option<(i64, i64)>> {
    store
        .read()
        .fetch_optional(
            "SELECT id, year FROM weak_org WHERE org_id = $1 AND state NOT IN ('closed', 'dismissed') ORDER BY id LIMIT 1",
            &args![org_id],
        )
        .await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx,
    scope: &Scope,
    org_id: i64,
    year: i32,
    origin: Origin,
    reason: &str,
    ticks: &[(Criterion, String)],
    today: NaiveDate,
) -> StoreResult<i64> {
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO weak_org (org_id, year, state, origin, reason, last_on, created_by, created_at, updated_at) \
             VALUES ($1, $2, 'suspected', $3, $4, $5, $6, $7, $8) RETURNING id",
            &args![org_id, year, origin.code(), reason, today, scope.actor().name.clone(), t, t],
        )
        .await?;
    for (c, ev) in ticks {
        tx.x()
            .execute(
                "INSERT INTO weak_tick (weak_id, code, label, evidence) VALUES ($1, $2, $3, $4)",
                &args![id, c.code.clone(), c.label.clone(), ev.clone()],
            )
            .await?;
    }
    tx.x()
        .execute(
            "INSERT INTO weak_event (weak_id, action, from_state, to_state, effective_on, note, done_by, done_at) \
             VALUES ($1, 'propose', '', 'suspected', $2, $3, $4, $5)",
            &args![id, today, origin.label(), scope.actor().name.clone(), t],
        )
        .await?;
    crate::audit::record(
        tx,
        scope,
        "weak.propose",
        &format!("weak_org:{id}"),
        "ok",
        json!({ "org": org_id, "year": year, "origin": origin.code(), "reason": reason,
                "criteria": ticks.iter().map(|(c, _)| c.code.clone()).collect::<Vec<_>>() }),
    )
    .await?;
    Ok(id)
}

/// Enter an organization as suspected (排查), with the criteria ticked and their facts. Refused
/// while it has an identification still open.
pub async fn create(
    store: &Store,
    scope: &Scope,
    org: &Visible<Org>,
    origin: Origin,
    reason: &str,
    ticks: &[(Criterion, String)],
    today: NaiveDate,
) -> StoreResult<WeakOrg> {
    if let Some((id, year)) = open_of(store, org.id).await? {
        return Err(StoreError::Refused(format!(
            "{}已有{year}年的软弱涣散整顿记录（编号 {id}）尚未结束，请在该记录中办理",
            org.name
        )));
    }
    let mut tx = store.begin().await?;
    let id = insert(&mut tx, scope, org.id, today.year(), origin, reason, ticks, today).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Replace the ticked criteria (while suspected or confirmed), at the version read.
pub async fn set_ticks(
    store: &Store,
    scope: &Scope,
    id: i64,
    version: i64,
    ticks: &[(Criterion, String)],
) -> StoreResult<WeakOrg> {
    let w = get(store, scope, id).await?;
    if !w.state().criteria_editable() {
        return Err(StoreError::Refused(format!("该记录{}，认定标准不能再修改", w.state_label())));
    }
    let before = self::ticks(store, &w).await?;
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE weak_org SET updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3 \
             AND state IN ('suspected', 'confirmed')",
            &args![now(), id, version],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("软弱涣散整顿记录"));
    }
    tx.x().execute("DELETE FROM weak_tick WHERE weak_id = $1", &args![id]).await?;
    for (c, ev) in ticks {
        tx.x()
            .execute(
                "INSERT INTO weak_tick (weak_id, code, label, evidence) VALUES ($1, $2, $3, $4)",
                &args![id, c.code.clone(), c.label.clone(), ev.clone()],
            )
            .await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        "weak.criteria",
        &format!("weak_org:{id}"),
        "ok",
        crate::audit::diff(
            &json!({ "criteria": before.iter().map(|t| format!("{} {}", t.code, t.evidence)).collect::<Vec<_>>() }),
            &json!({ "criteria": ticks.iter().map(|(c, e)| format!("{} {e}", c.code)).collect::<Vec<_>>() }),
        ),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// The facts a transition is judged on.
pub async fn facts(store: &Store, w: &WeakOrg) -> StoreResult<rules::Facts> {
    let ticked = ticks(store, w).await?.len();
    let items = items(store, w).await?;
    Ok(rules::Facts {
        state: w.state(),
        ticked,
        items: items.len(),
        items_accepted: items.iter().filter(|i| i.status() == ItemStatus::Accepted).count(),
        monitor_until: w.monitor_ends_on,
        last_on: Some(w.last_on),
    })
}

/// Apply a checked transition from the state it was judged in (`WHERE state = from`, so two
/// officers cannot both move it); the event, the dates it sets and the audit record in one
/// transaction. Entering 跟踪问效 sets its end by the settings in force that day.
pub async fn apply(store: &Store, scope: &Scope, id: i64, t: &Transition) -> StoreResult<WeakOrg> {
    let w = get(store, scope, id).await?;
    if t.action == rules::Action::Accept {
        // checked again here: every item accepted, read inside the guard below
        let f = facts(store, &w).await?;
        if f.items == 0 || f.items_accepted < f.items {
            return Err(StoreError::Refused(format!(
                "整改事项须全部验收通过后方可销号：共 {} 项，已验收 {} 项",
                f.items, f.items_accepted
            )));
        }
    }
    let ends = if t.to == State::Monitored {
        Some(rules::monitor_until(t.on, &settings_at(store, &w.org_path, t.on).await?))
    } else {
        w.monitor_ends_on
    };
    let mut tx = store.begin().await?;
    let mut a: Vec<crate::Val> = args![t.to.code(), t.on, ends, now(), id, t.from.code()].to_vec();
    let set = match t.to {
        State::Confirmed => {
            a.push(t.on.into());
            a.push(t.decision_ref.clone().into());
            ", confirmed_on = $7, decision_ref = $8"
        }
        State::Accepted => {
            a.push(t.on.into());
            ", accepted_on = $7"
        }
        State::Closed => {
            a.push(t.on.into());
            ", closed_on = $7"
        }
        State::Dismissed => {
            a.push(t.note.clone().into());
            ", reason = $7"
        }
        _ => "",
    };
    let sql = String::from(
        "UPDATE weak_org SET state = $1, last_on = $2, monitor_ends_on = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5 AND state = $6",
    );
    let sql = sql.replacen(" WHERE", &format!("{set} WHERE"), 1);
    let n = tx.x().execute(&sql, &a).await?;
    if n == 0 {
        return Err(StoreError::Refused("该记录已被他人办理，请刷新后查看".into()));
    }
    tx.x()
        .execute(
            "INSERT INTO weak_event (weak_id, action, from_state, to_state, effective_on, decision_ref, note, done_by, done_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &args![
                id,
                t.action.code(),
                t.from.code(),
                t.to.code(),
                t.on,
                t.decision_ref.clone(),
                t.note.clone(),
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        &format!("weak.{}", t.action.code()),
        &format!("weak_org:{id}"),
        "ok",
        json!({ "org": w.org_id, "from": t.from.code(), "to": t.to.code(), "on": t.on,
                "decision_ref": t.decision_ref, "note": t.note, "monitor_ends_on": ends }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Set the WEAK-06 links (names and units as entered).
pub async fn set_links(
    store: &Store,
    scope: &Scope,
    id: i64,
    links: &(String, String, String),
) -> StoreResult<WeakOrg> {
    let w = get(store, scope, id).await?;
    if !w.state().open() {
        return Err(StoreError::Refused(format!("该记录{}，不能修改", w.state_label())));
    }
    let mut tx = store.begin().await?;
    tx.x()
        .execute(
            "UPDATE weak_org SET county_leader = $1, township_leader = $2, paired_dept = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5",
            &args![links.0.clone(), links.1.clone(), links.2.clone(), now(), id],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "weak.links",
        &format!("weak_org:{id}"),
        "ok",
        crate::audit::diff(
            &json!({ "county_leader": w.county_leader, "township_leader": w.township_leader, "paired_dept": w.paired_dept }),
            &json!({ "county_leader": links.0, "township_leader": links.1, "paired_dept": links.2 }),
        ),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

// ---- the rectification plan ------------------------------------------------------------------

/// Add an item to the plan (while confirmed or rectifying).
pub async fn add_item(store: &Store, scope: &Scope, weak_id: i64, v: &ValidItem) -> StoreResult<Item> {
    let w = get(store, scope, weak_id).await?;
    if !w.state().plan_editable() {
        return Err(StoreError::Refused(format!("该记录{}，整改方案不能再增加事项", w.state_label())));
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO weak_item (weak_id, problem, measure, owner, due_on, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
            &args![
                weak_id,
                v.problem.clone(),
                v.measure.clone(),
                v.owner.clone(),
                v.deadline,
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "weak.item.add",
        &format!("weak_item:{id}"),
        "ok",
        json!({ "weak": weak_id, "item": v }),
    )
    .await?;
    tx.commit().await?;
    item(store, scope, id).await.map(|x| x.1)
}

/// An item and its identification, in the caller's scope.
pub async fn item(store: &Store, scope: &Scope, id: i64) -> StoreResult<(WeakOrg, Item)> {
    let i: Item = store
        .read()
        .fetch_optional(&format!("SELECT {ITEM_COLS} FROM weak_item WHERE id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("整改事项"))?;
    let w = get(store, scope, i.weak_id).await.map_err(|_| StoreError::NotFound("整改事项"))?;
    Ok((w, i))
}

/// The organization reports an open or returned item done, with its evidence.
pub async fn report_item(store: &Store, scope: &Scope, id: i64, evidence: &str, on: NaiveDate) -> StoreResult<Item> {
    let (w, i) = item(store, scope, id).await?;
    if w.state() != State::Rectifying {
        return Err(StoreError::Refused(format!("该记录{}，开始整顿后方可报告整改完成", w.state_label())));
    }
    if !i.status().reportable() {
        return Err(StoreError::Refused(format!("该整改事项{}，不能再次报告", i.status_label())));
    }
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE weak_item SET status = 'reported', evidence = $1, reported_by = $2, reported_on = $3 \
             WHERE id = $4 AND status IN ('open', 'returned')",
            &args![evidence, scope.actor().name.clone(), on, id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该整改事项已被他人办理，请刷新后查看".into()));
    }
    crate::audit::record(
        &mut tx,
        scope,
        "weak.item.report",
        &format!("weak_item:{id}"),
        "ok",
        json!({ "weak": w.id, "evidence": evidence }),
    )
    .await?;
    tx.commit().await?;
    item(store, scope, id).await.map(|x| x.1)
}

/// The superior accepts a reported item, or returns it with a reason.
pub async fn decide_item(
    store: &Store,
    scope: &Scope,
    id: i64,
    accept: bool,
    reason: &str,
    on: NaiveDate,
) -> StoreResult<Item> {
    let (w, i) = item(store, scope, id).await?;
    if i.status() != ItemStatus::Reported {
        return Err(StoreError::Refused(format!("该整改事项{}，不在待验收状态", i.status_label())));
    }
    let status = if accept { ItemStatus::Accepted } else { ItemStatus::Returned };
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE weak_item SET status = $1, return_reason = $2, decided_by = $3, decided_on = $4 WHERE id = $5 AND status = 'reported'",
            &args![status.code(), reason, scope.actor().name.clone(), on, id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该整改事项已被他人验收，请刷新后查看".into()));
    }
    crate::audit::record(
        &mut tx,
        scope,
        if accept { "weak.item.accept" } else { "weak.item.return" },
        &format!("weak_item:{id}"),
        "ok",
        json!({ "weak": w.id, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    item(store, scope, id).await.map(|x| x.1)
}
