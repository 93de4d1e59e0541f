//! 培训班 as stored: classes, their trainees (members in the organizer's scope) and attendance;
//! rotation coverage of branch secretaries with the list of the untrained.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::campaign::training::{completes, Audience, ValidClass};
use domain::org::Org;
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Class {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub campaign_id: Option<i64>,
    pub name: String,
    pub audience: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub place: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub trainees: i64,
    pub completed: i64,
}

impl Class {
    pub fn audience_label(&self) -> &'static str {
        Audience::from_code(&self.audience).map_or("", |a| a.label())
    }
}

const COLS: &str =
    "k.id, k.org_id, o.name AS org_name, o.path AS org_path, k.campaign_id, k.name, k.audience, k.starts_on, \
    k.ends_on, k.sessions, k.place, k.created_by, k.created_at, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM training_trainee t WHERE t.class_id = k.id) AS trainees, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM training_trainee t WHERE t.class_id = k.id AND t.completed = 1) AS completed";

pub async fn add(
    store: &Store,
    scope: &Scope,
    org: &Visible<Org>,
    v: &ValidClass,
    campaign_id: Option<i64>,
) -> StoreResult<Class> {
    if let Some(c) = campaign_id {
        super::get(store, scope, c).await?;
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO training_class (org_id, campaign_id, name, audience, starts_on, ends_on, sessions, place, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &args![
                org.id,
                campaign_id,
                v.name.clone(),
                v.audience.code(),
                v.starts_on,
                v.ends_on,
                v.sessions,
                v.place.clone(),
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "training.add",
        &format!("training_class:{id}"),
        "ok",
        json!({ "org": org.id, "name": v.name, "audience": v.audience.code(), "starts_on": v.starts_on, "ends_on": v.ends_on, "sessions": v.sessions }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Class> {
    let k: Class = store
        .read()
        .fetch_optional(
            &format!("SELECT {COLS} FROM training_class k JOIN org o ON o.id = k.org_id WHERE k.id = $1"),
            &args![id],
        )
        .await?
        .ok_or(StoreError::NotFound("培训班"))?;
    if scope.contains(&k.org_path) {
        Ok(k)
    } else {
        Err(StoreError::NotFound("培训班"))
    }
}

/// Classes organized within a subtree, latest first; paged.
pub async fn list(store: &Store, org: &Visible<Org>, limit: i64, offset: i64) -> StoreResult<(Vec<Class>, i64)> {
    let a = args![org.path.clone(), path::subtree_end(&org.path)];
    let total = store
        .read()
        .scalar(
            "SELECT COUNT(*) FROM training_class k JOIN org o ON o.id = k.org_id WHERE o.path >= $1 AND o.path < $2",
            &a,
        )
        .await?;
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM training_class k JOIN org o ON o.id = k.org_id WHERE o.path >= $1 AND o.path < $2 \
                 ORDER BY k.starts_on DESC, k.id DESC LIMIT $3 OFFSET $4"
            ),
            &args![org.path.clone(), path::subtree_end(&org.path), limit, offset],
        )
        .await?;
    Ok((rows, total))
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Trainee {
    pub member_id: i64,
    pub name: String,
    pub org_name: String,
    pub attended: i64,
    pub completed: i64,
}

pub async fn trainees(store: &Store, k: &Class) -> StoreResult<Vec<Trainee>> {
    store
        .read()
        .fetch_all(
            "SELECT t.member_id, m.name, o.name AS org_name, t.attended, t.completed FROM training_trainee t \
             JOIN member m ON m.id = t.member_id JOIN org o ON o.id = m.org_id WHERE t.class_id = $1 ORDER BY m.path, m.name",
            &args![k.id],
        )
        .await
}

/// Enrol members (each in the caller's scope) and record the sessions each attended; completion
/// follows from attendance. All or nothing, audited.
pub async fn attend(store: &Store, scope: &Scope, class_id: i64, rows: &[(i64, i64)]) -> StoreResult<Class> {
    let k = get(store, scope, class_id).await?;
    let mut e = domain::FieldErrors::default();
    for (member, attended) in rows {
        let p: Option<(String,)> =
            store.read().fetch_optional("SELECT path FROM member WHERE id = $1", &args![*member]).await?;
        if !p.is_some_and(|(p,)| scope.contains(&p)) {
            e.push("学员", format!("编号 {member} 的党员不存在或不在管理范围内"));
        }
        if *attended < 0 || *attended > k.sessions {
            e.push("出勤课次", format!("编号 {member} 的出勤课次应为 0 至 {}", k.sessions));
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut tx = store.begin().await?;
    for (member, attended) in rows {
        let done = completes(*attended, k.sessions) as i64;
        let n = tx
            .x()
            .execute(
                "UPDATE training_trainee SET attended = $1, completed = $2 WHERE class_id = $3 AND member_id = $4",
                &args![*attended, done, k.id, *member],
            )
            .await?;
        if n == 0 {
            tx.x()
                .execute(
                    "INSERT INTO training_trainee (class_id, member_id, attended, completed) VALUES ($1, $2, $3, $4)",
                    &args![k.id, *member, *attended, done],
                )
                .await?;
        }
    }
    crate::audit::record(
        &mut tx,
        scope,
        "training.attend",
        &format!("training_class:{}", k.id),
        "ok",
        json!({ "trainees": rows.iter().map(|(m, a)| json!({"member": m, "attended": a})).collect::<Vec<_>>() }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, class_id).await
}

/// A branch secretary in post on a date and whether trained that year.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Secretary {
    pub member_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub trained: i64,
}

/// Rotation coverage of a subtree on `on`: every branch secretary in post (班子成员 records) and
/// whether each completed a class ending in that year by then; untrained first.
pub async fn coverage(store: &Store, org: &Visible<Org>, on: NaiveDate) -> StoreResult<Vec<Secretary>> {
    let from = NaiveDate::from_ymd_opt(on.year(), 1, 1).expect("1 January");
    store
        .read()
        .fetch_all(
            "SELECT f.member_id, m.name, o.id AS org_id, o.name AS org_name, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM training_trainee t JOIN training_class k ON k.id = t.class_id \
               WHERE t.member_id = f.member_id AND t.completed = 1 AND k.ends_on >= $3 AND k.ends_on <= $4) THEN 1 ELSE 0 END AS BIGINT) AS trained \
             FROM org_officer f JOIN org o ON o.id = f.org_id JOIN member m ON m.id = f.member_id \
             WHERE o.path >= $1 AND o.path < $2 AND (o.founded_on IS NULL OR o.founded_on <= $7) AND (o.dissolved_on IS NULL OR o.dissolved_on > $8) \
             AND f.role = 'secretary' AND f.started_on <= $5 AND (f.ended_on IS NULL OR f.ended_on >= $6) AND o.kind IN ('branch', 'joint_branch', 'temporary_branch') \
             ORDER BY trained, o.path",
            &args![org.path.clone(), path::subtree_end(&org.path), from, on, on, on, on, on],
        )
        .await
}
