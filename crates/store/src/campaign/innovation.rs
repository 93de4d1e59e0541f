//! 创新清单, 创新动态 and 项目化管理 as stored (`domain::campaign::innovation` holds the rules):
//! a participant's list for a year with its items, kept current until its year ends; updates per
//! period of the campaign's cadence (`campaign.update_cadence`); the local versions of the
//! innovation rules a 组织部 sets for its subtree; the findings of a subtree as of a date; projects
//! and the gates they pass; and what the indicator source `innovation_list` counts.
//!
//! Reads below the campaign take the organization they are about (`under`): the participants at
//! or below it, and those above it (a township's user sees its county's line), as a campaign's
//! other parts do. Every write is audited in its transaction.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::campaign::innovation::{
    self as inno, Cadence, CampaignSpan, Finding, ItemFacts, ItemStatus, ListFacts, OrgFacts, Rule, Stage, ValidGate,
    ValidList, ValidProject, ValidRule,
};
use domain::campaign::round::Participant;
use domain::org::Org;
use domain::path;
use domain::{FieldError, FieldErrors};
use serde::Serialize;
use serde_json::{json, Value};

use super::{Access, Campaign};
use crate::args;
use crate::db::{now, Store, Tx, Val};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;

/// A moment as written here: to the millisecond, so the value a form carries back (see
/// [`List::seen`]) compares equal on both backends.
fn stamp() -> DateTime<Utc> {
    let t = now();
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

fn invalid(field: &'static str, message: impl Into<String>) -> StoreError {
    FieldErrors(vec![FieldError::new(field, message)]).into()
}

/// Is the organization at `p` in view from `under` (at or below it, or above it)?
fn near(p: &str, under: &str) -> bool {
    path::is_within(p, under) || path::is_within(under, p)
}

/// The same as SQL over `o.path`, its parameters numbered from `first`.
fn near_sql(under: &str, first: usize) -> (String, Vec<Val>) {
    let mut a: Vec<Val> = vec![under.to_string().into(), path::subtree_end(under).into()];
    let mut conds = vec![format!("(o.path >= ${} AND o.path < ${})", first, first + 1)];
    for anc in path::ancestors(under) {
        a.push(anc.to_string().into());
        conds.push(format!("o.path = ${}", first + a.len() - 1));
    }
    (format!("({})", conds.join(" OR ")), a)
}

async fn participants_near(store: &Store, c: &Campaign, under: &str, on: NaiveDate) -> StoreResult<Vec<Participant>> {
    Ok(super::participants(store, c, on).await?.into_iter().filter(|p| near(&p.path, under)).collect())
}

// ----- the cadence -----

/// How often the campaign's organizations report an update.
pub async fn cadence(store: &Store, c: &Campaign) -> StoreResult<Cadence> {
    let (v,): (String,) =
        store.read().fetch_one("SELECT update_cadence FROM campaign WHERE id = $1", &args![c.id]).await?;
    Ok(Cadence::from_code(&v).unwrap_or(Cadence::Quarter))
}

/// Set the cadence of a campaign whose issuer is in scope. Audited.
pub async fn set_cadence(store: &Store, scope: &Scope, campaign_id: i64, to: Cadence) -> StoreResult<Cadence> {
    let c = super::get_full(store, scope, campaign_id).await?;
    let from = cadence(store, &c).await?;
    let mut tx = store.begin().await?;
    tx.x().execute("UPDATE campaign SET update_cadence = $1 WHERE id = $2", &args![to.code(), c.id]).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "innovation.cadence",
        &format!("campaign:{}", c.id),
        "ok",
        json!({ "from": from.code(), "to": to.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}

// ----- rules -----

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    org_id: i64,
    org_path: String,
    org_name: String,
    rule_id: String,
    value: i64,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    source: String,
}

fn rule_of(r: RuleRow) -> Option<Rule> {
    let kind = inno::rule_ids().into_iter().find(|(id, _)| *id == r.rule_id)?.1;
    Some(Rule {
        id: Some(r.id),
        rule_id: r.rule_id,
        kind,
        value: r.value,
        org_id: Some(r.org_id),
        org_path: Some(r.org_path),
        org_name: Some(r.org_name),
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        source: r.source,
        article: "—".into(),
        confidence: "L".into(),
    })
}

const RULE_COLS: &str = "r.id, r.org_id, o.path AS org_path, o.name AS org_name, r.rule_id, r.value, r.valid_from, \
    r.valid_to, r.source";

/// Every version of the innovation rules: the shipped ones, then the local ones in tree order.
pub async fn rules(store: &Store) -> StoreResult<Vec<Rule>> {
    let rows: Vec<RuleRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {RULE_COLS} FROM innovation_rule r JOIN org o ON o.id = r.org_id ORDER BY o.path, r.rule_id, r.valid_from"
            ),
            &[],
        )
        .await?;
    let mut out = inno::shipped().to_vec();
    out.extend(rows.into_iter().filter_map(rule_of));
    Ok(out)
}

/// Set a local version of a rule for an organization's subtree (in scope), in force from its
/// date. Audited.
pub async fn add_rule(store: &Store, scope: &Scope, org_id: i64, v: &ValidRule) -> StoreResult<Rule> {
    let org = crate::org::get(store, scope, org_id).await?;
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO innovation_rule (org_id, rule_id, value, valid_from, valid_to, source, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &args![
                org.id,
                v.rule_id.clone(),
                v.value,
                v.valid_from,
                v.valid_to,
                v.source.clone(),
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "innovation.rule_add",
        &format!("innovation_rule:{id}"),
        "ok",
        json!({ "org": org.id, "rule": v.rule_id, "value": v.value, "from": v.valid_from, "to": v.valid_to, "source": v.source }),
    )
    .await?;
    tx.commit().await?;
    Ok(Rule {
        id: Some(id),
        rule_id: v.rule_id.clone(),
        kind: v.kind,
        value: v.value,
        org_id: Some(org.id),
        org_path: Some(org.path.clone()),
        org_name: Some(org.name.clone()),
        valid_from: v.valid_from,
        valid_to: v.valid_to,
        source: v.source.clone(),
        article: "—".into(),
        confidence: "L".into(),
    })
}

// ----- lists -----

/// An organization's list for a year.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct List {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub year: i64,
    /// The day it was first submitted (what the deadline, INNO-01, judges).
    pub submitted_on: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl List {
    /// The version an editor read, carried back by the form: a save over a list changed since
    /// is refused.
    pub fn seen(&self) -> i64 {
        self.updated_at.timestamp_millis()
    }
    /// May the list still be changed on `today`? Until its year ends.
    pub fn open_on(&self, today: NaiveDate) -> bool {
        i64::from(today.year()) <= self.year
    }
}

/// One item of a list as stored.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub list_id: i64,
    pub title: String,
    pub goal: String,
    pub measures: String,
    pub owner: String,
    /// One a line: `2026-06-30 完成试点`.
    pub milestones: String,
    pub status: String,
    pub ord: i64,
}

impl Item {
    pub fn status_label(&self) -> &'static str {
        ItemStatus::from_code(&self.status).map_or("", |s| s.label())
    }
    pub fn milestone_lines(&self) -> Vec<String> {
        self.milestones.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    }
    pub fn facts(&self) -> ItemFacts {
        ItemFacts {
            title: self.title.clone(),
            has_measures: !self.measures.trim().is_empty(),
            milestones: self.milestone_lines().len(),
        }
    }
}

const LIST_COLS: &str = "l.id, l.campaign_id, l.org_id, o.name AS org_name, o.path AS org_path, l.year, \
    l.submitted_on, l.created_by, l.created_at, l.updated_at";

async fn list_row(store: &Store, id: i64) -> StoreResult<Option<List>> {
    store
        .read()
        .fetch_optional(
            &format!("SELECT {LIST_COLS} FROM innovation_list l JOIN org o ON o.id = l.org_id WHERE l.id = $1"),
            &args![id],
        )
        .await
}

fn items_json(items: &[domain::campaign::innovation::ValidItem]) -> Value {
    json!(items
        .iter()
        .map(|i| json!({
            "title": i.title, "goal": i.goal, "measures": i.measures, "owner": i.owner,
            "milestones": inno::milestones_text(&i.milestones), "status": i.status.code(),
        }))
        .collect::<Vec<_>>())
}

fn stored_items_json(items: &[Item]) -> Value {
    json!(items
        .iter()
        .map(|i| json!({
            "title": i.title, "goal": i.goal, "measures": i.measures, "owner": i.owner,
            "milestones": i.milestones, "status": i.status,
        }))
        .collect::<Vec<_>>())
}

async fn write_items(tx: &mut Tx, list_id: i64, v: &ValidList) -> StoreResult<()> {
    tx.x().execute("DELETE FROM innovation_item WHERE list_id = $1", &args![list_id]).await?;
    for (i, x) in v.items.iter().enumerate() {
        tx.x()
            .execute(
                "INSERT INTO innovation_item (list_id, title, goal, measures, owner, milestones, status, ord) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &args![
                    list_id,
                    x.title.clone(),
                    x.goal.clone(),
                    x.measures.clone(),
                    x.owner.clone(),
                    inno::milestones_text(&x.milestones),
                    x.status.code(),
                    i as i64
                ],
            )
            .await?;
    }
    Ok(())
}

/// Submit an organization's list for a year (the organization in scope and taking part on
/// `today`; the year the campaign's, this year or the next). One list per organization and year:
/// a second is refused, the first is changed instead. Audited.
pub async fn submit_list(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    org_id: i64,
    v: &ValidList,
    today: NaiveDate,
) -> StoreResult<List> {
    let (c, _) = super::get(store, scope, campaign_id).await?;
    let org = crate::org::get(store, scope, org_id).await?;
    let mut e = FieldErrors::default();
    if !super::participants(store, &c, today).await?.iter().any(|p| p.org_id == org.id) {
        e.push("党组织", format!("{} 不是本活动 {today} 的参与党组织", org.name));
    }
    let (first, last) = (c.starts_on.year(), c.ends_on.year());
    if v.year < first || v.year > last {
        e.push("年度", format!("{} 年不在活动期间（{first} 至 {last} 年）内", v.year));
    } else if v.year < today.year() {
        e.push("年度", format!("{} 年已经结束，不能再提交该年度的清单", v.year));
    } else if v.year > today.year() + 1 {
        e.push("年度", format!("{} 年的清单最早于 {} 年提交", v.year, v.year - 1));
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let existing: Option<(i64, NaiveDate)> = store
        .read()
        .fetch_optional(
            "SELECT id, submitted_on FROM innovation_list WHERE campaign_id = $1 AND org_id = $2 AND year = $3",
            &args![c.id, org.id, v.year],
        )
        .await?;
    let already = |on: NaiveDate| {
        StoreError::Refused(format!("{} {} 年的创新清单已于 {on} 提交，请在该清单的页面修改", org.name, v.year))
    };
    if let Some((_, on)) = existing {
        return Err(already(on));
    }
    let t = stamp();
    let mut tx = store.begin().await?;
    let id = match tx
        .x()
        .scalar(
            "INSERT INTO innovation_list (campaign_id, org_id, year, submitted_on, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &args![c.id, org.id, v.year, today, scope.actor().name.clone(), t, t],
        )
        .await
    {
        Ok(id) => id,
        Err(err) if err.is_unique_violation() => return Err(already(today)),
        Err(err) => return Err(err),
    };
    write_items(&mut tx, id, v).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "innovation.list_submit",
        &format!("innovation_list:{id}"),
        "ok",
        json!({ "campaign": c.id, "org": org.id, "year": v.year, "submitted_on": today, "items": items_json(&v.items) }),
    )
    .await?;
    tx.commit().await?;
    list_row(store, id).await?.ok_or(StoreError::NotFound("创新清单"))
}

/// The campaign of a record of organization `org_path`, when the caller sees the campaign and
/// that organization's line in it; not found as `what` otherwise (never "forbidden": a record out
/// of view does not exist for the caller).
async fn in_view(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    org_path: &str,
    what: &'static str,
) -> StoreResult<(Campaign, Access)> {
    let (c, a) = super::get(store, scope, campaign_id).await.map_err(|_| StoreError::NotFound(what))?;
    if !a.sees(org_path) {
        return Err(StoreError::NotFound(what));
    }
    Ok((c, a))
}

/// A list the caller sees (its campaign visible, its organization's line in view), with the
/// campaign and how much of it the caller sees.
pub async fn get_list(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Campaign, Access, List)> {
    let l = list_row(store, id).await?.ok_or(StoreError::NotFound("创新清单"))?;
    let (c, a) = in_view(store, scope, l.campaign_id, &l.org_path, "创新清单").await?;
    Ok((c, a, l))
}

pub async fn items(store: &Store, l: &List) -> StoreResult<Vec<Item>> {
    store
        .read()
        .fetch_all(
            "SELECT id, list_id, title, goal, measures, owner, milestones, status, ord FROM innovation_item \
             WHERE list_id = $1 ORDER BY ord, id",
            &args![l.id],
        )
        .await
}

/// Change a list (its organization in scope) as the editor read it (`seen`, [`List::seen`]):
/// until its year ends; the day it was submitted stays. Audited with what changed.
pub async fn update_list(
    store: &Store,
    scope: &Scope,
    id: i64,
    seen: i64,
    v: &ValidList,
    today: NaiveDate,
) -> StoreResult<List> {
    let (_, _, l) = get_list(store, scope, id).await?;
    crate::org::get(store, scope, l.org_id).await.map_err(|_| StoreError::NotFound("创新清单"))?;
    if !l.open_on(today) {
        return Err(StoreError::Refused(format!("{} 年已经结束，该年度的创新清单已关闭，不能再修改", l.year)));
    }
    if i64::from(v.year) != l.year {
        return Err(invalid("年度", format!("清单的年度（{} 年）不能修改", l.year)));
    }
    let before = items(store, &l).await?;
    let seen_at = DateTime::from_timestamp_millis(seen).ok_or(StoreError::Stale("创新清单"))?;
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE innovation_list SET updated_at = $1 WHERE id = $2 AND updated_at = $3",
            &args![stamp(), l.id, seen_at],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("创新清单"));
    }
    write_items(&mut tx, l.id, v).await?;
    let mut change =
        crate::audit::diff(&json!({ "items": stored_items_json(&before) }), &json!({ "items": items_json(&v.items) }));
    change["org"] = json!(l.org_id);
    change["year"] = json!(l.year);
    crate::audit::record(&mut tx, scope, "innovation.list_update", &format!("innovation_list:{}", l.id), "ok", change)
        .await?;
    tx.commit().await?;
    list_row(store, l.id).await?.ok_or(StoreError::NotFound("创新清单"))
}

// ----- updates -----

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Update {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub period: String,
    pub reported_on: NaiveDate,
    pub content: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const UPDATE_COLS: &str = "u.id, u.campaign_id, u.org_id, o.name AS org_name, o.path AS org_path, u.period, \
    u.reported_on, u.content, u.created_by, u.created_at";

/// Report an update for a period of the campaign's cadence (`2026-03`, `2026-Q1`), on `today`:
/// the organization in scope and taking part, the period begun and within the campaign. Audited.
pub async fn report_update(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    org_id: i64,
    period: &str,
    content: &str,
    today: NaiveDate,
) -> StoreResult<Update> {
    let (c, _) = super::get(store, scope, campaign_id).await?;
    let org = crate::org::get(store, scope, org_id).await?;
    let cad = cadence(store, &c).await?;
    let mut e = FieldErrors::default();
    if !super::participants(store, &c, today).await?.iter().any(|p| p.org_id == org.id) {
        e.push("党组织", format!("{} 不是本活动 {today} 的参与党组织", org.name));
    }
    let p = match cad.parse_period(period) {
        Ok(p) if p.start > today => {
            e.push("报送期间", format!("{}尚未开始", p.label()));
            None
        }
        Ok(p) if p.end < c.starts_on || p.start > c.ends_on => {
            e.push("报送期间", format!("{}不在活动期间（{}）内", p.label(), c.period()));
            None
        }
        Ok(p) => Some(p),
        Err(m) => {
            e.push("报送期间", m);
            None
        }
    };
    let content = domain::text::required(content, "动态内容", 2000, &mut e);
    let Some(p) = p.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO innovation_update (campaign_id, org_id, period, reported_on, content, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &args![c.id, org.id, p.key.clone(), today, content.clone(), scope.actor().name.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "innovation.update",
        &format!("innovation_update:{id}"),
        "ok",
        json!({ "campaign": c.id, "org": org.id, "period": p.key, "reported_on": today, "content": content }),
    )
    .await?;
    tx.commit().await?;
    store
        .read()
        .fetch_optional(
            &format!("SELECT {UPDATE_COLS} FROM innovation_update u JOIN org o ON o.id = u.org_id WHERE u.id = $1"),
            &args![id],
        )
        .await?
        .ok_or(StoreError::NotFound("创新动态"))
}

/// The updates of a campaign in view from `under`, latest first; paged, with the total.
pub async fn updates(
    store: &Store,
    c: &Campaign,
    under: &Visible<Org>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Update>, i64)> {
    let (cond, near_args) = near_sql(&under.path, 2);
    let mut a: Vec<Val> = vec![c.id.into()];
    a.extend(near_args);
    let from = format!("FROM innovation_update u JOIN org o ON o.id = u.org_id WHERE u.campaign_id = $1 AND {cond}");
    let total = store.read().scalar(&format!("SELECT COUNT(*) {from}"), &a).await?;
    let n = a.len();
    a.push(limit.into());
    a.push(offset.into());
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {UPDATE_COLS} {from} ORDER BY u.reported_on DESC, u.id DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &a,
        )
        .await?;
    Ok((rows, total))
}

// ----- the overview and the findings -----

/// What the lists and updates of a campaign's participants say: the year's list and its items'
/// facts, and the updates (period, date reported) of every participant in `parts`.
async fn facts(store: &Store, c: &Campaign, parts: &[Participant], year: Option<i32>) -> StoreResult<Vec<OrgFacts>> {
    #[derive(sqlx::FromRow)]
    struct L {
        id: i64,
        org_id: i64,
        year: i64,
        submitted_on: NaiveDate,
    }
    #[derive(sqlx::FromRow)]
    struct I {
        list_id: i64,
        title: String,
        measures: String,
        milestones: String,
    }
    let (year_cond, a): (&str, Vec<Val>) = match year {
        Some(y) => ("AND l.year = $2", args![c.id, y].to_vec()),
        None => ("", args![c.id].to_vec()),
    };
    let lists: Vec<L> = store
        .read()
        .fetch_all(
            &format!("SELECT l.id, l.org_id, l.year, l.submitted_on FROM innovation_list l WHERE l.campaign_id = $1 {year_cond}"),
            &a,
        )
        .await?;
    let items: Vec<I> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT i.list_id, i.title, i.measures, i.milestones FROM innovation_item i \
                 JOIN innovation_list l ON l.id = i.list_id WHERE l.campaign_id = $1 {year_cond} ORDER BY i.list_id, i.ord, i.id"
            ),
            &a,
        )
        .await?;
    let updates: Vec<(i64, String, NaiveDate)> = store
        .read()
        .fetch_all("SELECT org_id, period, reported_on FROM innovation_update WHERE campaign_id = $1", &args![c.id])
        .await?;
    let mut by_list: HashMap<i64, Vec<ItemFacts>> = HashMap::new();
    for i in items {
        let stored = Item {
            id: 0,
            list_id: i.list_id,
            title: i.title,
            goal: String::new(),
            measures: i.measures,
            owner: String::new(),
            milestones: i.milestones,
            status: String::new(),
            ord: 0,
        };
        by_list.entry(i.list_id).or_default().push(stored.facts());
    }
    let mut lists_of: HashMap<i64, Vec<ListFacts>> = HashMap::new();
    for l in lists {
        lists_of.entry(l.org_id).or_default().push(ListFacts {
            year: l.year as i32,
            submitted_on: l.submitted_on,
            items: by_list.remove(&l.id).unwrap_or_default(),
        });
    }
    let mut updates_of: HashMap<i64, Vec<(String, NaiveDate)>> = HashMap::new();
    for (org, period, on) in updates {
        updates_of.entry(org).or_default().push((period, on));
    }
    Ok(parts
        .iter()
        .map(|p| OrgFacts {
            org_id: p.org_id,
            name: p.name.clone(),
            path: p.path.clone(),
            lists: lists_of.remove(&p.org_id).unwrap_or_default(),
            updates: updates_of.remove(&p.org_id).unwrap_or_default(),
        })
        .collect())
}

/// One participant's line of the overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverviewRow {
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    /// The year's list: its id, the day it was submitted and how many items it has.
    pub list: Option<(i64, NaiveDate, usize)>,
    /// What makes the list perfunctory (rule id, detail), under the versions of its submission.
    pub perfunctory: Vec<(String, String)>,
    /// Updates reported for the period containing the date.
    pub this_period: usize,
    /// Updates reported in all.
    pub updates: usize,
    /// The latest period reported for.
    pub last_period: Option<String>,
}

/// The participants on `on` in view from `under` (a page of them, in tree order, with the total):
/// each with its list for `year` and its updates.
pub async fn overview(
    store: &Store,
    c: &Campaign,
    under: &Visible<Org>,
    on: NaiveDate,
    year: i32,
    limit: usize,
    offset: usize,
) -> StoreResult<(Vec<OverviewRow>, usize)> {
    let parts = participants_near(store, c, &under.path, on).await?;
    let total = parts.len();
    let page: Vec<Participant> = parts.into_iter().skip(offset).take(limit).collect();
    let rules = rules(store).await?;
    let current = cadence(store, c).await?.period_of(on).key;
    let lists: HashMap<(i64, i64), (i64, NaiveDate)> = store
        .read()
        .fetch_all::<(i64, i64, i64, NaiveDate)>(
            "SELECT id, org_id, year, submitted_on FROM innovation_list WHERE campaign_id = $1 AND year = $2",
            &args![c.id, year],
        )
        .await?
        .into_iter()
        .map(|(id, org, y, d)| ((org, y), (id, d)))
        .collect();
    let facts = facts(store, c, &page, Some(year)).await?;
    let rows = page
        .iter()
        .zip(facts)
        .map(|(p, f)| {
            let l = f.lists.first();
            let mut periods: Vec<&str> = f.updates.iter().map(|(k, _)| k.as_str()).collect();
            periods.sort();
            OverviewRow {
                org_id: p.org_id,
                org_name: p.name.clone(),
                org_path: p.path.clone(),
                list: lists.get(&(p.org_id, i64::from(year))).map(|(id, d)| (*id, *d, l.map_or(0, |l| l.items.len()))),
                perfunctory: l
                    .map(|l| {
                        inno::perfunctory(l, &rules, &p.path).into_iter().map(|(r, d)| (r.rule_id.clone(), d)).collect()
                    })
                    .unwrap_or_default(),
                this_period: f.updates.iter().filter(|(k, _)| *k == current).count(),
                updates: f.updates.len(),
                last_period: periods.last().map(|s| s.to_string()),
            }
        })
        .collect();
    Ok((rows, total))
}

/// The findings (INNO-01 … INNO-05) of the participants in view from `under` as of `on`, in tree
/// order ([`inno::judge`]).
pub async fn findings(store: &Store, c: &Campaign, under: &Visible<Org>, on: NaiveDate) -> StoreResult<Vec<Finding>> {
    let parts = participants_near(store, c, &under.path, on).await?;
    let facts = facts(store, c, &parts, None).await?;
    let rules = rules(store).await?;
    let span = CampaignSpan { starts_on: c.starts_on, ends_on: c.ends_on, cadence: cadence(store, c).await? };
    Ok(inno::judge(&facts, &rules, span, on))
}

/// What the indicator source `innovation_list` reads for a round on `on`: the participants' lists
/// of that year, without judging them.
pub(crate) async fn read_lists(
    store: &Store,
    c: &Campaign,
    parts: &[Participant],
    on: NaiveDate,
) -> StoreResult<Vec<OrgFacts>> {
    facts(store, c, parts, Some(on.year())).await
}

/// The indicator source `innovation_list` for every participant on `on`: 1 when it has a list for
/// the year submitted by the date that is not perfunctory ([`inno::qualifies`]), else 0; as
/// (value, 0) sums.
pub(crate) async fn measured(
    store: &Store,
    c: &Campaign,
    parts: &[Participant],
    on: NaiveDate,
) -> StoreResult<Vec<(f64, f64)>> {
    let facts = read_lists(store, c, parts, on).await?;
    let rules = rules(store).await?;
    Ok(facts
        .iter()
        .map(|f| (if inno::qualifies(&f.lists, &rules, &f.path, on.year(), on) { 1.0 } else { 0.0 }, 0.0))
        .collect())
}

// ----- projects -----

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Project {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub title: String,
    pub summary: String,
    pub stage: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Project {
    pub fn stage(&self) -> Stage {
        Stage::from_code(&self.stage).unwrap_or(Stage::Proposal)
    }
    /// The day it was proposed (China time).
    pub fn proposed_on(&self) -> NaiveDate {
        self.created_at.with_timezone(&domain::dates::china()).date_naive()
    }
}

/// One gate held on a project.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Gate {
    pub id: i64,
    pub project_id: i64,
    /// The stage the gate leads into.
    pub gate: String,
    pub reviewers: String,
    pub score: i64,
    pub passed: i64,
    pub note: String,
    pub decided_on: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl Gate {
    pub fn gate_label(&self) -> &'static str {
        Stage::from_code(&self.gate).map_or("", |s| s.gate_label())
    }
    pub fn passed(&self) -> bool {
        self.passed != 0
    }
}

const PROJECT_COLS: &str =
    "p.id, p.campaign_id, p.org_id, o.name AS org_name, o.path AS org_path, p.title, p.summary, \
    p.stage, p.created_by, p.created_at, p.updated_at";

async fn project_row(store: &Store, id: i64) -> StoreResult<Option<Project>> {
    store
        .read()
        .fetch_optional(
            &format!("SELECT {PROJECT_COLS} FROM innovation_project p JOIN org o ON o.id = p.org_id WHERE p.id = $1"),
            &args![id],
        )
        .await
}

/// The moment a project proposed on `day` is recorded at: now when `day` is today in China, else
/// noon of that day (China time), so a project entered for an earlier day (a record kept on
/// paper, the demo's year) is proposed on that day and its gates may follow it.
fn proposed_at(day: NaiveDate) -> DateTime<Utc> {
    let t = now();
    let china = domain::dates::china();
    if t.with_timezone(&china).date_naive() == day {
        return t;
    }
    day.and_hms_opt(12, 0, 0)
        .and_then(|noon| noon.and_local_timezone(china).single())
        .map_or(t, |noon| noon.with_timezone(&Utc))
}

/// Propose a project for an organization in scope that takes part on `today` or lies below one
/// that does, proposed on `today` ([`Project::proposed_on`]). It stands at the proposal until its
/// approval gate. Audited.
pub async fn propose(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    org_id: i64,
    v: &ValidProject,
    today: NaiveDate,
) -> StoreResult<Project> {
    let (c, _) = super::get(store, scope, campaign_id).await?;
    let org = crate::org::get(store, scope, org_id).await?;
    if !super::participants(store, &c, today).await?.iter().any(|p| path::is_within(&org.path, &p.path)) {
        return Err(invalid("申报单位", format!("{} 不是本活动的参与党组织或其下级党组织", org.name)));
    }
    let t = proposed_at(today);
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO innovation_project (campaign_id, org_id, title, summary, stage, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &args![
                c.id,
                org.id,
                v.title.clone(),
                v.summary.clone(),
                Stage::Proposal.code(),
                scope.actor().name.clone(),
                t,
                t
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "innovation.project_propose",
        &format!("innovation_project:{id}"),
        "ok",
        json!({ "campaign": c.id, "org": org.id, "title": v.title, "summary": v.summary }),
    )
    .await?;
    tx.commit().await?;
    project_row(store, id).await?.ok_or(StoreError::NotFound("创新项目"))
}

/// A project the caller sees, with its campaign and how much of it the caller sees.
pub async fn get_project(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Campaign, Access, Project)> {
    let p = project_row(store, id).await?.ok_or(StoreError::NotFound("创新项目"))?;
    let (c, a) = in_view(store, scope, p.campaign_id, &p.org_path, "创新项目").await?;
    Ok((c, a, p))
}

pub async fn gates(store: &Store, p: &Project) -> StoreResult<Vec<Gate>> {
    store
        .read()
        .fetch_all(
            "SELECT id, project_id, gate, reviewers, score, passed, note, decided_on, created_by, created_at \
             FROM project_gate WHERE project_id = $1 ORDER BY decided_on, id",
            &args![p.id],
        )
        .await
}

/// Hold a gate on a project (its campaign's issuer in scope): only the next gate, on or after the
/// proposal and the gate before it ([`inno::decide`]). Audited with the stage before and after.
pub async fn decide(store: &Store, scope: &Scope, project_id: i64, v: &ValidGate) -> StoreResult<(Project, Gate)> {
    let (c, _, p) = get_project(store, scope, project_id).await?;
    super::get_full(store, scope, c.id).await.map_err(|_| StoreError::NotFound("创新项目"))?;
    let from = p.stage();
    let to = inno::decide(from, v.gate, v.passed).map_err(StoreError::Refused)?;
    let held = gates(store, &p).await?;
    if v.decided_on < p.proposed_on() {
        return Err(invalid("评审日期", format!("{} 早于项目申报日期 {}", v.decided_on, p.proposed_on())));
    }
    if let Some(last) = held.last().filter(|g| v.decided_on < g.decided_on) {
        return Err(invalid(
            "评审日期",
            format!("{} 早于上一次评审（{} {}）", v.decided_on, last.gate_label(), last.decided_on),
        ));
    }
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE innovation_project SET stage = $1, updated_at = $2 WHERE id = $3 AND stage = $4",
            &args![to.code(), now(), p.id, from.code()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该项目刚由他人评审，请刷新后查看".into()));
    }
    let id = tx
        .x()
        .scalar(
            "INSERT INTO project_gate (project_id, gate, reviewers, score, passed, note, decided_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &args![
                p.id,
                v.gate.code(),
                v.reviewers_text(),
                v.score,
                i64::from(v.passed),
                v.note.clone(),
                v.decided_on,
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "innovation.gate",
        &format!("innovation_project:{}", p.id),
        "ok",
        json!({
            "gate": v.gate.code(), "passed": v.passed, "score": v.score, "reviewers": v.reviewers_text(),
            "note": v.note, "decided_on": v.decided_on, "from": from.code(), "to": to.code(),
        }),
    )
    .await?;
    tx.commit().await?;
    let p = project_row(store, p.id).await?.ok_or(StoreError::NotFound("创新项目"))?;
    let g = gates(store, &p).await?.into_iter().find(|g| g.id == id).ok_or(StoreError::NotFound("评审记录"))?;
    Ok((p, g))
}

/// The projects of a campaign in view from `under`, in tree order then latest first; paged, with
/// the total.
pub async fn projects(
    store: &Store,
    c: &Campaign,
    under: &Visible<Org>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Project>, i64)> {
    let (cond, near_args) = near_sql(&under.path, 2);
    let mut a: Vec<Val> = vec![c.id.into()];
    a.extend(near_args);
    let from = format!("FROM innovation_project p JOIN org o ON o.id = p.org_id WHERE p.campaign_id = $1 AND {cond}");
    let total = store.read().scalar(&format!("SELECT COUNT(*) {from}"), &a).await?;
    let n = a.len();
    a.push(limit.into());
    a.push(offset.into());
    let rows = store
        .read()
        .fetch_all(
            &format!("SELECT {PROJECT_COLS} {from} ORDER BY o.path, p.id DESC LIMIT ${} OFFSET ${}", n + 1, n + 2),
            &a,
        )
        .await?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_is_at_below_or_above() {
        assert!(near("00010002", "00010002") && near("000100020003", "00010002") && near("0001", "00010002"));
        assert!(!near("00010003", "00010002") && !near("000100030001", "00010002"));
        let (sql, a) = near_sql("000100020003", 2);
        assert_eq!(sql, "((o.path >= $2 AND o.path < $3) OR o.path = $4 OR o.path = $5)");
        assert_eq!(a.len(), 4);
    }
}
