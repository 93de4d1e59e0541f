//! 第一书记 and 党建工作指导员 as stored: a posting with its receiving organizations, its days
//! there month by month, its work log and its assessments; ending it (期满, 召回); the
//! organizations with a village posting in post on a day (WEAK-06); the terms ending soon (read
//! by the message centre). A posting is in the caller's scope when one of its receiving
//! organizations is; a posting's own member reads and writes it through [`get_own`]. Every write
//! is audited in its transaction.

use chrono::{DateTime, NaiveDate, Utc};
use domain::first_secretary::{
    self as rules, AssessKind, Duty, Grade, Kind, Status, ValidAssess, ValidDays, ValidEnd, ValidLog, ValidPosting,
};
use domain::org::Org;
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::{Val, Visible};

/// A receiving organization of a posting.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PostOrg {
    pub posting_id: i64,
    pub id: i64,
    pub name: String,
    pub path: String,
}

/// A posting.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Posting {
    pub id: i64,
    pub member_id: Option<i64>,
    pub name: String,
    pub sending_unit: String,
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub duties: String,
    pub status: String,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    #[sqlx(skip)]
    pub orgs: Vec<PostOrg>,
}

impl Posting {
    pub fn kind(&self) -> Kind {
        Kind::from_code(&self.kind).unwrap_or(Kind::Village)
    }
    pub fn kind_label(&self) -> &'static str {
        self.kind().label()
    }
    pub fn status(&self) -> Status {
        Status::from_code(&self.status).unwrap_or(Status::InPost)
    }
    /// Where it stands on `today`: a posting still 在岗 past its end is 期满.
    pub fn status_on(&self, today: NaiveDate) -> Status {
        match self.status() {
            Status::InPost if self.ends_on < today => Status::Expired,
            s => s,
        }
    }
    pub fn status_label_on(&self, today: NaiveDate) -> &'static str {
        self.status_on(today).label()
    }
    pub fn duties(&self) -> Vec<Duty> {
        self.duties.split(',').filter_map(Duty::from_code).collect()
    }
    pub fn duty_labels(&self) -> String {
        self.duties().iter().map(|d| d.label()).collect::<Vec<_>>().join("、")
    }
    pub fn org_names(&self) -> String {
        self.orgs.iter().map(|o| o.name.clone()).collect::<Vec<_>>().join("、")
    }
    /// Days until the end of the term, while in post.
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        (self.status_on(today) == Status::InPost).then(|| rules::days_left(self.ends_on, today))
    }
}

/// A month's days there.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Days {
    pub month: String,
    pub days: i64,
    pub note: String,
    pub recorded_by: String,
    #[sqlx(skip)]
    /// Below the minimum in force that month for the kind (FS-07, FS-13).
    pub short: bool,
    #[sqlx(skip)]
    pub min: i64,
}

/// A work-log entry.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Log {
    pub id: i64,
    pub logged_on: NaiveDate,
    pub duty: String,
    pub content: String,
    pub created_by: String,
}

impl Log {
    pub fn duty_label(&self) -> &'static str {
        Duty::from_code(&self.duty).map_or("", |d| d.label())
    }
}

/// An assessment.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Assessment {
    pub id: i64,
    pub kind: String,
    pub year: i64,
    pub grade: String,
    pub absences: i64,
    pub note: String,
    pub assessed_by: String,
}

impl Assessment {
    pub fn kind_label(&self) -> &'static str {
        AssessKind::from_code(&self.kind).map_or("", |k| k.label())
    }
    pub fn grade_label(&self) -> &'static str {
        Grade::from_code(&self.grade).map_or("", |g| g.label())
    }
}

const COLS: &str = "p.id, p.member_id, p.name, p.sending_unit, p.kind, p.starts_on, p.ends_on, p.duties, p.status, \
    p.ended_on, p.end_reason, p.created_by, p.created_at, p.updated_at, p.version";

/// `$k, $k+1, …` placeholders for `n` values starting at `k`.
fn ph(k: usize, n: usize) -> String {
    (k..k + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Fill in the receiving organizations of the postings.
async fn with_orgs(store: &Store, mut rows: Vec<Posting>) -> StoreResult<Vec<Posting>> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let ids: Vec<Val> = rows.iter().map(|p| Val::from(p.id)).collect();
    let orgs: Vec<PostOrg> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT po.posting_id, o.id, o.name, o.path FROM fs_posting_org po JOIN org o ON o.id = po.org_id \
                 WHERE po.posting_id IN ({}) ORDER BY o.path",
                ph(1, ids.len())
            ),
            &ids,
        )
        .await?;
    for p in &mut rows {
        p.orgs = orgs.iter().filter(|o| o.posting_id == p.id).cloned().collect();
    }
    Ok(rows)
}

async fn read(store: &Store, id: i64) -> StoreResult<Option<Posting>> {
    let row: Option<Posting> =
        store.read().fetch_optional(&format!("SELECT {COLS} FROM fs_posting p WHERE p.id = $1"), &args![id]).await?;
    Ok(match row {
        Some(p) => with_orgs(store, vec![p]).await?.pop(),
        None => None,
    })
}

/// A posting one of whose receiving organizations is in the caller's scope.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Posting> {
    read(store, id)
        .await?
        .filter(|p| p.orgs.iter().any(|o| scope.contains(&o.path)))
        .ok_or(StoreError::NotFound("选派记录"))
}

/// A posting whose person is the member `member_id` (the first secretary's own account).
pub async fn get_own(store: &Store, member_id: i64, id: i64) -> StoreResult<Posting> {
    read(store, id).await?.filter(|p| p.member_id == Some(member_id)).ok_or(StoreError::NotFound("选派记录"))
}

/// A filter of the list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    /// Only those in post whose term ends within this many days.
    pub ending_within: Option<i64>,
}

/// The postings with a receiving organization in the subtree of `org`, the soonest ending first;
/// paged. `today` judges the status filter (a posting in post past its end is 期满).
pub async fn list(
    store: &Store,
    org: &Visible<Org>,
    f: &Filter,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Posting>, i64)> {
    let mut a: Vec<Val> = args![org.path.clone(), path::subtree_end(&org.path)].to_vec();
    let mut w = String::from(
        "EXISTS (SELECT 1 FROM fs_posting_org po JOIN org o ON o.id = po.org_id WHERE po.posting_id = p.id \
         AND o.path >= $1 AND o.path < $2)",
    );
    if let Some(k) = f.kind {
        a.push(k.code().into());
        w.push_str(&format!(" AND p.kind = ${}", a.len()));
    }
    match f.status {
        Some(Status::Recalled) => w.push_str(" AND p.status = 'recalled'"),
        Some(s) => {
            a.push(today.into());
            let n = a.len();
            w.push_str(&if s == Status::InPost {
                format!(" AND p.status = 'in_post' AND p.ends_on >= ${n}")
            } else {
                format!(" AND (p.status = 'expired' OR (p.status = 'in_post' AND p.ends_on < ${n}))")
            });
        }
        None => {}
    }
    if let Some(days) = f.ending_within {
        a.push(today.into());
        a.push((today + chrono::Duration::days(days)).into());
        w.push_str(&format!(
            " AND p.status = 'in_post' AND p.ends_on >= ${} AND p.ends_on <= ${}",
            a.len() - 1,
            a.len()
        ));
    }
    let w = format!("({w})");
    let total = store.read().scalar(&format!("SELECT COUNT(*) FROM fs_posting p WHERE {w}"), &a).await?;
    a.push(limit.into());
    a.push(offset.into());
    let rows: Vec<Posting> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM fs_posting p WHERE {w} ORDER BY p.ends_on, p.id LIMIT ${} OFFSET ${}",
                a.len() - 1,
                a.len()
            ),
            &a,
        )
        .await?;
    Ok((with_orgs(store, rows).await?, total))
}

/// Create a posting to the receiving organizations (each read through the caller's scope). A
/// member named must be in the caller's scope as well.
pub async fn create(store: &Store, scope: &Scope, orgs: &[Visible<Org>], v: &ValidPosting) -> StoreResult<Posting> {
    if let Some(m) = v.member_id {
        let p: Option<(String,)> =
            store.read().fetch_optional("SELECT path FROM member WHERE id = $1", &args![m]).await?;
        if !p.is_some_and(|(p,)| scope.contains(&p)) {
            return Err(domain::FieldErrors(vec![domain::FieldError::new("党员", "在您的范围内没有这名党员")]).into());
        }
    }
    let t = now();
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO fs_posting (member_id, name, sending_unit, kind, starts_on, ends_on, duties, status, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_post', $8, $9, $10) RETURNING id",
            &args![
                v.member_id,
                v.name.clone(),
                v.sending_unit.clone(),
                v.kind.code(),
                v.starts_on,
                v.ends_on,
                v.duty_codes(),
                scope.actor().name.clone(),
                t,
                t
            ],
        )
        .await?;
    for o in orgs {
        tx.x().execute("INSERT INTO fs_posting_org (posting_id, org_id) VALUES ($1, $2)", &args![id, o.id]).await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        "first_secretary.create",
        &format!("fs_posting:{id}"),
        "ok",
        json!({ "name": v.name, "member": v.member_id, "sending_unit": v.sending_unit, "kind": v.kind.code(),
                "orgs": orgs.iter().map(|o| o.id).collect::<Vec<_>>(), "starts_on": v.starts_on, "ends_on": v.ends_on,
                "duties": v.duty_codes() }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// End a posting in post: 期满 or 召回 with its reason, at the version read.
pub async fn end(store: &Store, scope: &Scope, p: &Posting, v: &ValidEnd) -> StoreResult<()> {
    if p.status() != Status::InPost {
        return Err(StoreError::Refused(format!("该选派已{}，不能再办理", p.status().label())));
    }
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE fs_posting SET status = $1, ended_on = $2, end_reason = $3, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6 AND status = 'in_post'",
            &args![v.status.code(), v.on, v.reason.clone(), now(), p.id, p.version],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("选派记录"));
    }
    crate::audit::record(
        &mut tx,
        scope,
        &format!("first_secretary.{}", v.status.code()),
        &format!("fs_posting:{}", p.id),
        "ok",
        json!({ "status": v.status.code(), "on": v.on, "reason": v.reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Record (or correct) a month's days there.
pub async fn set_days(store: &Store, scope: &Scope, p: &Posting, v: &ValidDays) -> StoreResult<()> {
    let month = v.month_text();
    let before: Option<(i64,)> = store
        .read()
        .fetch_optional("SELECT days FROM fs_days WHERE posting_id = $1 AND month = $2", &args![p.id, month.clone()])
        .await?;
    let mut tx = store.begin().await?;
    tx.x().execute("DELETE FROM fs_days WHERE posting_id = $1 AND month = $2", &args![p.id, month.clone()]).await?;
    tx.x()
        .execute(
            "INSERT INTO fs_days (posting_id, month, days, note, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &args![p.id, month.clone(), v.days, v.note.clone(), scope.actor().name.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "first_secretary.days",
        &format!("fs_posting:{}", p.id),
        "ok",
        json!({ "month": month, "days": v.days, "before": before.map(|b| b.0), "note": v.note }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The months recorded, latest first, each judged against the minimum in force that month.
pub async fn days(store: &Store, p: &Posting) -> StoreResult<Vec<Days>> {
    let mut rows: Vec<Days> = store
        .read()
        .fetch_all(
            "SELECT month, days, note, recorded_by FROM fs_days WHERE posting_id = $1 ORDER BY month DESC",
            &args![p.id],
        )
        .await?;
    for r in &mut rows {
        let on = rules::parse_month(&r.month).unwrap_or(p.starts_on);
        let params = rules::params(on);
        r.min = params.min_days(p.kind()) as i64;
        r.short = rules::days_short(p.kind(), r.days as i32, &params);
    }
    Ok(rows)
}

/// Add a work-log entry.
pub async fn add_log(store: &Store, scope: &Scope, p: &Posting, v: &ValidLog) -> StoreResult<i64> {
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO fs_log (posting_id, logged_on, duty, content, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![p.id, v.on, v.duty.code(), v.content.clone(), scope.actor().name.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "first_secretary.log",
        &format!("fs_log:{id}"),
        "ok",
        json!({ "posting": p.id, "on": v.on, "duty": v.duty.code(), "content": v.content }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The work log, latest first; paged.
pub async fn logs(store: &Store, p: &Posting, limit: i64, offset: i64) -> StoreResult<(Vec<Log>, i64)> {
    let total = store.read().scalar("SELECT COUNT(*) FROM fs_log WHERE posting_id = $1", &args![p.id]).await?;
    let rows = store
        .read()
        .fetch_all(
            "SELECT id, logged_on, duty, content, created_by FROM fs_log WHERE posting_id = $1 \
             ORDER BY logged_on DESC, id DESC LIMIT $2 OFFSET $3",
            &args![p.id, limit, offset],
        )
        .await?;
    Ok((rows, total))
}

/// Record an assessment (one of each kind a year).
pub async fn assess(store: &Store, scope: &Scope, p: &Posting, v: &ValidAssess) -> StoreResult<i64> {
    let dup: Option<(i64,)> = store
        .read()
        .fetch_optional(
            "SELECT id FROM fs_assessment WHERE posting_id = $1 AND kind = $2 AND year = $3",
            &args![p.id, v.kind.code(), v.year],
        )
        .await?;
    if dup.is_some() {
        return Err(StoreError::Refused(format!("{} 年的{}已登记", v.year, v.kind.label())));
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO fs_assessment (posting_id, kind, year, grade, absences, note, assessed_by, assessed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &args![
                p.id,
                v.kind.code(),
                v.year,
                v.grade.code(),
                v.absences,
                v.note.clone(),
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "first_secretary.assess",
        &format!("fs_assessment:{id}"),
        "ok",
        json!({ "posting": p.id, "kind": v.kind.code(), "year": v.year, "grade": v.grade.code(),
                "absences": v.absences, "note": v.note }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn assessments(store: &Store, p: &Posting) -> StoreResult<Vec<Assessment>> {
    store
        .read()
        .fetch_all(
            "SELECT id, kind, year, grade, absences, note, assessed_by FROM fs_assessment WHERE posting_id = $1 \
             ORDER BY year DESC, kind",
            &args![p.id],
        )
        .await
}

/// WEAK-06: the organizations of the subtree at `root` with a 驻村第一书记 in post on `on`
/// (posted by then, the term not ended, not recalled or ended before that day).
pub async fn village_orgs_on(store: &Store, root: &str, on: NaiveDate) -> StoreResult<std::collections::HashSet<i64>> {
    let rows: Vec<(i64,)> = store
        .read()
        .fetch_all(
            "SELECT DISTINCT po.org_id FROM fs_posting p JOIN fs_posting_org po ON po.posting_id = p.id \
             JOIN org o ON o.id = po.org_id WHERE o.path >= $1 AND o.path < $2 AND p.kind = 'village' \
             AND p.starts_on <= $3 AND p.ends_on >= $4 AND (p.ended_on IS NULL OR p.ended_on >= $5)",
            &args![root.to_string(), path::subtree_end(root), on, on, on],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A term ending soon, as the message centre lists it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Ending {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub ends_on: NaiveDate,
}

impl Ending {
    pub fn kind_label(&self) -> &'static str {
        Kind::from_code(&self.kind).map_or("", |k| k.label())
    }
}

/// The postings in post with a receiving organization in `scope` whose term ends in `[from, to]`,
/// soonest first, at most `limit`, and how many there are in all.
pub async fn terms_ending(
    store: &Store,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> StoreResult<(Vec<Ending>, i64)> {
    if scope.roots().is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut a: Vec<Val> = args![from, to].to_vec();
    let mut w = String::from("p.status = 'in_post' AND p.ends_on >= $1 AND p.ends_on <= $2");
    if !scope.is_all() {
        let mut ranges = Vec::new();
        for r in scope.roots() {
            a.push(Val::from(r.clone()));
            a.push(Val::from(path::subtree_end(r)));
            ranges.push(format!("(o.path >= ${} AND o.path < ${})", a.len() - 1, a.len()));
        }
        w.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM fs_posting_org po JOIN org o ON o.id = po.org_id WHERE po.posting_id = p.id AND ({}))",
            ranges.join(" OR ")
        ));
    }
    let total =
        store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM fs_posting p WHERE {w}"), &a).await?;
    let n = a.len();
    a.push(Val::from(limit));
    let items = store
        .read()
        .fetch_all(
            &format!(
                "SELECT p.id, p.name, p.kind, p.ends_on FROM fs_posting p WHERE {w} ORDER BY p.ends_on, p.id LIMIT ${}",
                n + 1
            ),
            &a,
        )
        .await?;
    Ok((items, total))
}

/// How many postings of each kind are in post on `on` in the subtree (the demo's summary and the
/// list's heading).
pub async fn in_post_counts(store: &Store, org: &Visible<Org>, on: NaiveDate) -> StoreResult<Vec<(String, i64)>> {
    store
        .read()
        .fetch_all(
            "SELECT p.kind, COUNT(DISTINCT p.id) FROM fs_posting p JOIN fs_posting_org po ON po.posting_id = p.id \
             JOIN org o ON o.id = po.org_id WHERE o.path >= $1 AND o.path < $2 AND p.status = 'in_post' \
             AND p.starts_on <= $3 AND p.ends_on >= $4 GROUP BY p.kind",
            &args![org.path.clone(), path::subtree_end(&org.path), on, on],
        )
        .await
}
