//! 班子成员: the officers of an organization with their terms (see `domain::officer`).
//!
//! Scope: a term belongs to its organization; reading or changing it needs the organization in
//! the caller's scope, and naming a member needs the member in scope too. A term is never
//! deleted: ending it sets its end date, correcting it keeps the change in the audit trail.

use crate::args;
use crate::db::{now, Exec, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;
use chrono::{DateTime, NaiveDate, Utc};
use domain::officer::{OfficerRole, Term, ValidOfficer};
use domain::org::Org;
use domain::{path, FieldErrors};
use serde::Serialize;
use serde_json::json;

/// One term as stored, with the member's name and where the member is enrolled.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Officer {
    pub id: i64,
    pub org_id: i64,
    pub member_id: i64,
    pub name: String,
    /// The organization the member is enrolled in (the member record's).
    pub member_org: String,
    pub role: String,
    pub duties: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Officer {
    pub fn role(&self) -> OfficerRole {
        OfficerRole::parse(&self.role).unwrap_or(OfficerRole::Member)
    }
    pub fn role_label(&self) -> &'static str {
        self.role().label()
    }
    /// In post on `on`.
    pub fn current_on(&self, on: NaiveDate) -> bool {
        self.started_on <= on && self.ended_on.is_none_or(|e| on <= e)
    }
    pub fn term(&self) -> Term {
        Term {
            org_id: self.org_id,
            member_id: self.member_id,
            name: self.name.clone(),
            role: self.role(),
            started_on: self.started_on,
            ended_on: self.ended_on,
        }
    }
}

const COLS: &str = "f.id, f.org_id, f.member_id, m.name, mo.name AS member_org, f.role, f.duties, f.started_on, \
    f.ended_on, f.created_at, f.updated_at";
const FROM: &str = "org_officer f JOIN member m ON m.id = f.member_id JOIN org mo ON mo.id = m.org_id";

/// The terms of an organization: with `on`, those in post that day (书记 first); without, the
/// whole history, latest first.
pub async fn list(store: &Store, org: &Visible<Org>, on: Option<NaiveDate>) -> StoreResult<Vec<Officer>> {
    let order = "CASE f.role WHEN 'secretary' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END";
    match on {
        Some(d) => {
            store
                .read()
                .fetch_all(
                    &format!(
                        "SELECT {COLS} FROM {FROM} WHERE f.org_id = $1 AND f.started_on <= $2 \
                         AND (f.ended_on IS NULL OR f.ended_on >= $3) ORDER BY {order}, f.started_on, f.id"
                    ),
                    &args![org.id, d, d],
                )
                .await
        }
        None => {
            store
                .read()
                .fetch_all(
                    &format!(
                        "SELECT {COLS} FROM {FROM} WHERE f.org_id = $1 ORDER BY f.started_on DESC, {order}, f.id DESC"
                    ),
                    &args![org.id],
                )
                .await
        }
    }
}

async fn load(exec: Exec<'_>, id: i64) -> StoreResult<Option<(Officer, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        officer: Officer,
        org_path: String,
    }
    let row: Option<Row> = exec
        .fetch_optional(
            &format!("SELECT {COLS}, o.path AS org_path FROM {FROM} JOIN org o ON o.id = f.org_id WHERE f.id = $1"),
            &args![id],
        )
        .await?;
    Ok(row.map(|r| (r.officer, r.org_path)))
}

/// One term whose organization is in scope; anything else is not found.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Officer> {
    load(store.read(), id)
        .await?
        .filter(|(_, p)| scope.contains(p))
        .map(|(o, _)| o)
        .ok_or(StoreError::NotFound("班子成员"))
}

/// The member a term names: a member record in scope.
async fn member_in(tx: &mut Tx, scope: &Scope, member_id: i64) -> StoreResult<(String, String)> {
    #[derive(sqlx::FromRow)]
    struct M {
        name: String,
        path: String,
    }
    let m: Option<M> = tx.x().fetch_optional("SELECT name, path FROM member WHERE id = $1", &args![member_id]).await?;
    match m.filter(|m| scope.contains(&m.path)) {
        Some(m) => Ok((m.name, m.path)),
        None => Err(FieldErrors(vec![domain::FieldError::new(
            "党员",
            format!("编号 {member_id} 的党员不存在或不在管理范围内"),
        )])
        .into()),
    }
}

/// Refuse a term that overlaps another of the same organization: a second 书记 at the same
/// time, or the same member twice.
async fn check_overlap(tx: &mut Tx, org_id: i64, v: &ValidOfficer, except: Option<i64>) -> StoreResult<()> {
    let others: Vec<Officer> = tx
        .x()
        .fetch_all(
            &format!("SELECT {COLS} FROM {FROM} WHERE f.org_id = $1 AND f.id <> $2"),
            &args![org_id, except.unwrap_or(0)],
        )
        .await?;
    let mut e = FieldErrors::default();
    for o in others.iter().filter(|o| o.term().overlaps(v.started_on, v.ended_on)) {
        let till = o.ended_on.map_or("至今".to_string(), |d| d.to_string());
        if o.member_id == v.member_id {
            e.push(
                "任职日期",
                format!("{} 在本组织已有 {} 至 {till} 的{}任职，日期重叠", o.name, o.started_on, o.role_label()),
            );
        } else if v.role == OfficerRole::Secretary && o.role() == OfficerRole::Secretary {
            e.push(
                "任职日期",
                format!("{} 至 {till} 书记为 {}，同一时间只能有一名书记；请先为其登记离任", o.started_on, o.name),
            );
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e.into())
    }
}

fn detail(org: &Org, name: &str, v: &ValidOfficer) -> serde_json::Value {
    json!({
        "org": org.id, "member": v.member_id, "name": name, "role": v.role.code(), "duties": v.duties_text(),
        "started_on": v.started_on, "ended_on": v.ended_on,
    })
}

/// Appoint: a new term for an organization in scope. Checked, written and audited in one
/// transaction.
pub async fn add(store: &Store, scope: &Scope, org_id: i64, v: &ValidOfficer) -> StoreResult<Officer> {
    let org = crate::org::get(store, scope, org_id).await?;
    let mut tx = store.begin().await?;
    let (name, _) = member_in(&mut tx, scope, v.member_id).await?;
    check_overlap(&mut tx, org.id, v, None).await?;
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO org_officer (org_id, member_id, role, duties, started_on, ended_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &args![org.id, v.member_id, v.role.code(), v.duties_text(), v.started_on, v.ended_on, t, t],
        )
        .await?;
    crate::audit::record(&mut tx, scope, "officer.add", &format!("org_officer:{id}"), "ok", detail(&org, &name, v))
        .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// End a term on a date (the last day in post). The term stays in the history.
pub async fn end(store: &Store, scope: &Scope, id: i64, on: NaiveDate) -> StoreResult<Officer> {
    let old = get(store, scope, id).await?;
    if let Some(e) = old.ended_on {
        return Err(StoreError::Refused(format!(
            "{} 的{}任职已于 {e} 结束；如日期有误请更正",
            old.name,
            old.role_label()
        )));
    }
    if on < old.started_on {
        return Err(FieldErrors(vec![domain::FieldError::new(
            "离任日期",
            format!("{on} 早于任职日期 {}", old.started_on),
        )])
        .into());
    }
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE org_officer SET ended_on = $1, updated_at = $2 WHERE id = $3 AND ended_on IS NULL",
            &args![on, now(), id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该任职已被他人结束，请刷新后查看".into()));
    }
    crate::audit::record(
        &mut tx,
        scope,
        "officer.end",
        &format!("org_officer:{id}"),
        "ok",
        json!({ "org": old.org_id, "member": old.member_id, "name": old.name, "role": old.role, "ended_on": on }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Correct a term entered wrongly (who, post, 分工, dates); the audit trail keeps what it was.
pub async fn correct(store: &Store, scope: &Scope, id: i64, v: &ValidOfficer) -> StoreResult<Officer> {
    let old = get(store, scope, id).await?;
    let org = crate::org::get(store, scope, old.org_id).await?;
    let mut tx = store.begin().await?;
    let (name, _) = member_in(&mut tx, scope, v.member_id).await?;
    check_overlap(&mut tx, org.id, v, Some(id)).await?;
    tx.x()
        .execute(
            "UPDATE org_officer SET member_id = $1, role = $2, duties = $3, started_on = $4, ended_on = $5, updated_at = $6 \
             WHERE id = $7",
            &args![v.member_id, v.role.code(), v.duties_text(), v.started_on, v.ended_on, now(), id],
        )
        .await?;
    let before = json!({
        "org": old.org_id, "member": old.member_id, "name": old.name, "role": old.role, "duties": old.duties,
        "started_on": old.started_on, "ended_on": old.ended_on,
    });
    crate::audit::record(
        &mut tx,
        scope,
        "officer.correct",
        &format!("org_officer:{id}"),
        "ok",
        crate::audit::diff(&before, &detail(&org, &name, v)),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

#[derive(sqlx::FromRow)]
struct TermRow {
    org_id: i64,
    member_id: i64,
    name: String,
    role: String,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
}

impl TermRow {
    fn into_term(self) -> Term {
        Term {
            org_id: self.org_id,
            member_id: self.member_id,
            name: self.name,
            role: OfficerRole::parse(&self.role).unwrap_or(OfficerRole::Member),
            started_on: self.started_on,
            ended_on: self.ended_on,
        }
    }
}

/// The 书记 terms of every organization of a subtree (the compliance engine's input; the caller
/// has the subtree in scope).
pub async fn secretary_terms(store: &Store, org: &Visible<Org>, only_self: bool) -> StoreResult<Vec<Term>> {
    let end = if only_self { format!("{}\u{1}", org.path) } else { path::subtree_end(&org.path) };
    let rows: Vec<TermRow> = store
        .read()
        .fetch_all(
            "SELECT f.org_id, f.member_id, m.name, f.role, f.started_on, f.ended_on FROM org_officer f \
             JOIN member m ON m.id = f.member_id JOIN org o ON o.id = f.org_id \
             WHERE o.path >= $1 AND o.path < $2 AND f.role = 'secretary' ORDER BY f.org_id, f.started_on",
            &args![org.path.clone(), end],
        )
        .await?;
    Ok(rows.into_iter().map(TermRow::into_term).collect())
}

/// The 书记 terms of the organizations `ids` (a kept evaluation brought up to date).
pub(crate) async fn secretary_terms_of(store: &Store, ids: &[i64]) -> StoreResult<Vec<Term>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT f.org_id, f.member_id, m.name, f.role, f.started_on, f.ended_on FROM org_officer f \
         JOIN member m ON m.id = f.member_id WHERE f.org_id IN ({}) AND f.role = 'secretary' \
         ORDER BY f.org_id, f.started_on",
        marks.join(", ")
    );
    let a: Vec<crate::Val> = ids.iter().map(|i| crate::Val::from(*i)).collect();
    let rows: Vec<TermRow> = store.read().fetch_all(&sql, &a).await?;
    Ok(rows.into_iter().map(TermRow::into_term).collect())
}

/// The officers in post on a date of an organization and its ancestors (whoever may give a
/// 党课 there as a 书记 or 委员), for matching a lecturer's name to a member.
pub(crate) async fn officers_around(exec: Exec<'_>, org: &Org, on: NaiveDate) -> StoreResult<Vec<Term>> {
    let mut paths: Vec<String> = path::ancestors(&org.path).into_iter().map(str::to_string).collect();
    paths.push(org.path.clone());
    let marks: Vec<String> = (0..paths.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT f.org_id, f.member_id, m.name, f.role, f.started_on, f.ended_on FROM org_officer f \
         JOIN member m ON m.id = f.member_id JOIN org o ON o.id = f.org_id \
         WHERE f.started_on <= $1 AND (f.ended_on IS NULL OR f.ended_on >= $2) AND o.path IN ({})",
        marks.join(", ")
    );
    let mut a = args![on, on].to_vec();
    a.extend(paths.into_iter().map(crate::Val::from));
    let rows: Vec<TermRow> = exec.fetch_all(&sql, &a).await?;
    Ok(rows.into_iter().map(TermRow::into_term).collect())
}

/// One row of an officers sheet (班子成员): the organization by name, short name or number, the member by ID
/// number (or by name within the organization's subtree), the post, the 分工, the dates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportRow {
    pub line: usize,
    pub org: String,
    pub member: String,
    pub role: String,
    pub duties: String,
    pub started_on: String,
    pub ended_on: String,
}

/// What an import did, or every problem it found (nothing is written then).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub added: usize,
    pub skipped: usize,
    pub errors: Vec<String>,
}

/// Import officers' terms: every row is checked first, and only a sheet without problems is
/// written, in one transaction, each term audited. A row identical to a stored term is skipped,
/// so importing the same sheet twice adds nothing.
pub async fn import(store: &Store, scope: &Scope, rows: &[ImportRow], today: NaiveDate) -> StoreResult<ImportReport> {
    #[derive(sqlx::FromRow)]
    struct OrgHit {
        id: i64,
        path: String,
    }
    #[derive(sqlx::FromRow)]
    struct MemberHit {
        id: i64,
        path: String,
    }
    let mut report = ImportReport::default();
    let mut planned: Vec<(Org, ValidOfficer)> = Vec::new();
    for r in rows {
        let at = |m: String| format!("第 {} 行：{m}", r.line);
        let orgs: Vec<OrgHit> = store
            .read()
            .fetch_all(
                "SELECT id, path FROM org WHERE (name = $1 OR short_name = $2 OR CAST(id AS TEXT) = $3) \
                 AND dissolved_on IS NULL",
                &args![r.org.trim(), r.org.trim(), r.org.trim()],
            )
            .await?;
        let orgs: Vec<OrgHit> = orgs.into_iter().filter(|o| scope.contains(&o.path)).collect();
        let org = match orgs.as_slice() {
            [o] => crate::org::get(store, scope, o.id).await?,
            [] => {
                report.errors.push(at(format!("党组织“{}”不存在或不在管理范围内", r.org.trim())));
                continue;
            }
            _ => {
                report.errors.push(at(format!("党组织“{}”有重名，请填写组织编号", r.org.trim())));
                continue;
            }
        };
        let key = r.member.trim();
        let members: Vec<MemberHit> = store
            .read()
            .fetch_all("SELECT id, path FROM member WHERE id_number = $1 AND status = 'normal'", &args![key])
            .await?;
        let members: Vec<MemberHit> = if members.is_empty() {
            let end = path::subtree_end(&org.path);
            store
                .read()
                .fetch_all(
                    "SELECT id, path FROM member WHERE name = $1 AND status = 'normal' AND path >= $2 AND path < $3",
                    &args![key, org.path.clone(), end],
                )
                .await?
        } else {
            members
        };
        let members: Vec<MemberHit> = members.into_iter().filter(|m| scope.contains(&m.path)).collect();
        let member_id = match members.as_slice() {
            [m] => m.id,
            [] => {
                report.errors.push(at(format!("党员“{key}”不存在或不在管理范围内（可填写公民身份号码）")));
                continue;
            }
            _ => {
                report.errors.push(at(format!("党员“{key}”有重名，请填写公民身份号码")));
                continue;
            }
        };
        let input = domain::officer::OfficerInput {
            member_id: member_id.to_string(),
            role: r.role.clone(),
            duties: r.duties.clone(),
            started_on: r.started_on.clone(),
            ended_on: r.ended_on.clone(),
        };
        match domain::officer::validate(&input, today) {
            Ok(v) => planned.push((org, v)),
            Err(e) => report.errors.push(at(e.to_string())),
        }
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let mut tx = store.begin().await?;
    for (org, v) in &planned {
        let same: Option<(i64,)> = tx
            .x()
            .fetch_optional(
                "SELECT id FROM org_officer WHERE org_id = $1 AND member_id = $2 AND role = $3 AND started_on = $4",
                &args![org.id, v.member_id, v.role.code(), v.started_on],
            )
            .await?;
        if same.is_some() {
            report.skipped += 1;
            continue;
        }
        if let Err(StoreError::Invalid(e)) = check_overlap(&mut tx, org.id, v, None).await {
            report.errors.push(format!("{}：{e}", org.name));
            continue;
        }
        let (name, _) = member_in(&mut tx, scope, v.member_id).await?;
        let t = now();
        let id = tx
            .x()
            .scalar(
                "INSERT INTO org_officer (org_id, member_id, role, duties, started_on, ended_on, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &args![org.id, v.member_id, v.role.code(), v.duties_text(), v.started_on, v.ended_on, t, t],
            )
            .await?;
        crate::audit::record(
            &mut tx,
            scope,
            "officer.import",
            &format!("org_officer:{id}"),
            "ok",
            detail(org, &name, v),
        )
        .await?;
        report.added += 1;
    }
    if !report.errors.is_empty() {
        // the transaction is dropped: nothing of the sheet is written
        report.added = 0;
        return Ok(report);
    }
    tx.commit().await?;
    Ok(report)
}

/// One term written in bulk (the demo city), without the per-row checks and audit of [`add`]:
/// the caller generated consistent terms inside its own transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkOfficer {
    pub org_id: i64,
    pub member_id: i64,
    pub role: OfficerRole,
    pub duties: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// Write terms in bulk inside the caller's transaction.
pub async fn insert_bulk(tx: &mut Tx, rows: &[BulkOfficer]) -> StoreResult<()> {
    const COLS: usize = 8;
    for chunk in rows.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO org_officer (org_id, member_id, role, duties, started_on, ended_on, created_at, updated_at) VALUES ",
        );
        let mut a: Vec<crate::Val> = Vec::with_capacity(chunk.len() * COLS);
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * COLS;
            let marks: Vec<String> = (1..=COLS).map(|k| format!("${}", b + k)).collect();
            sql.push_str(&format!("({})", marks.join(", ")));
            a.extend(args![
                r.org_id,
                r.member_id,
                r.role.code(),
                r.duties.as_str(),
                r.started_on,
                r.ended_on,
                r.created_at,
                r.created_at
            ]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    Ok(())
}
