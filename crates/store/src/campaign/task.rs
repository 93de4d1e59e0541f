//! 任务 as stored: a task an organization of a campaign assigns down its own subtree, one
//! assignment per organization it goes to, and a task split from an assignment (`parent_assignment_id`)
//! when its holder passes its share on to its subordinates. Progress is reported with evidence
//! (kept in the database, checked as organization-life attachments are) and accepted or returned
//! by the assigner; an accepted report sets the assignment's progress, and completes it when it is
//! marked done or reaches the share (`done_on` is the day of that decision, so completion is read
//! as of any date).
//!
//! Scope: a caller whose scope holds the assigner sees the task in full; a caller below it sees
//! the assignments within or above its scope (its own organizations'); anything else is not
//! found. Every write is audited in its transaction; the message telling the assigner that
//! progress waits for it is posted in the reporting transaction.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::campaign::task::{self as dt, Notice, ValidCascade, ValidReport, ValidTask};
use domain::campaign::TakesPart;
use domain::org::Org;
use domain::path;
use domain::{FieldError, FieldErrors};
use serde::Serialize;
use serde_json::json;

use super::{chosen_paths, Access, Campaign};
use crate::args;
use crate::db::{now, Store, Val};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;

/// A task as stored, with its assigner's name and path.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub parent_assignment_id: Option<i64>,
    pub content: String,
    pub target_milli: Option<i64>,
    pub unit: String,
    pub due_on: NaiveDate,
    pub measures: String,
    pub responsible: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl Task {
    pub fn quantified(&self) -> bool {
        self.target_milli.is_some()
    }
    /// `12个` or `是否完成`.
    pub fn target_text(&self) -> String {
        dt::target_text(self.target_milli, &self.unit)
    }
}

/// One organization's share of a task, with what its task says.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Assignment {
    pub id: i64,
    pub task_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub share_milli: Option<i64>,
    pub status: String,
    pub progress_milli: i64,
    pub done: i64,
    pub done_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
    pub campaign_id: i64,
    pub content: String,
    pub unit: String,
    pub due_on: NaiveDate,
    pub assigner_id: i64,
    pub assigner_name: String,
    pub assigner_path: String,
    /// The task its holder split it into, if it did.
    pub cascade_id: Option<i64>,
}

impl Assignment {
    pub fn status(&self) -> dt::Status {
        dt::Status::from_code(&self.status).unwrap_or(dt::Status::Open)
    }
    pub fn status_label(&self) -> &'static str {
        if self.complete() {
            "已完成"
        } else {
            self.status().label()
        }
    }
    pub fn complete(&self) -> bool {
        self.done == 1
    }
    pub fn overdue_on(&self, on: NaiveDate) -> bool {
        dt::overdue(self.due_on, if self.complete() { self.done_on } else { None }, on)
    }
    /// `5 / 12个`, or `已完成` / `未完成` for a deliverable.
    pub fn progress_text(&self) -> String {
        match self.share_milli {
            Some(s) => format!(
                "{} / {}{}",
                domain::campaign::indicator::fmt_milli(self.progress_milli),
                domain::campaign::indicator::fmt_milli(s),
                self.unit
            ),
            None if self.complete() => "已完成".into(),
            None => "未完成".into(),
        }
    }
    /// Progress towards the share (0 to 1); a deliverable is 0 or 1.
    pub fn fraction(&self) -> f64 {
        match self.share_milli {
            Some(s) => dt::progress(self.progress_milli, s),
            None => f64::from(u8::from(self.complete())),
        }
    }
}

/// Progress as reported.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub assignment_id: i64,
    pub value_milli: Option<i64>,
    pub done: i64,
    pub note: String,
    pub decision: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl Report {
    pub fn decision_label(&self) -> &'static str {
        match self.decision.as_str() {
            "accepted" => "已通过",
            "returned" => "已退回",
            _ => "待审核",
        }
    }
    pub fn pending(&self) -> bool {
        self.decision.is_empty()
    }
}

/// An evidence file of a report, without its content.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    pub report_id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const TASK_COLS: &str =
    "t.id, t.campaign_id, t.org_id, o.name AS org_name, o.path AS org_path, t.parent_assignment_id, \
    t.content, t.target_milli, t.unit, t.due_on, t.measures, t.responsible, t.created_by, t.created_at";
const TASK_FROM: &str = "campaign_task t JOIN org o ON o.id = t.org_id";

const A_COLS: &str = "a.id, a.task_id, a.org_id, o.name AS org_name, o.path AS org_path, a.share_milli, a.status, \
    a.progress_milli, a.done, a.done_on, a.updated_at, t.campaign_id, t.content, t.unit, t.due_on, \
    t.org_id AS assigner_id, p.name AS assigner_name, p.path AS assigner_path, \
    (SELECT MIN(c.id) FROM campaign_task c WHERE c.parent_assignment_id = a.id) AS cascade_id";
const A_FROM: &str =
    "task_assignment a JOIN campaign_task t ON t.id = a.task_id JOIN org o ON o.id = a.org_id JOIN org p ON p.id = t.org_id";

const R_COLS: &str =
    "id, assignment_id, value_milli, done, note, decision, reason, created_by, created_at, decided_by, decided_at";
const E_COLS: &str = "id, report_id, name, mime, size, sha256, created_by, created_at";

fn invalid(field: &'static str, m: impl Into<String>) -> StoreError {
    FieldErrors(vec![FieldError::new(field, m)]).into()
}

async fn load_task(store: &Store, id: i64) -> StoreResult<Option<Task>> {
    store.read().fetch_optional(&format!("SELECT {TASK_COLS} FROM {TASK_FROM} WHERE t.id = $1"), &args![id]).await
}

async fn load_assignment(store: &Store, id: i64) -> StoreResult<Option<Assignment>> {
    store.read().fetch_optional(&format!("SELECT {A_COLS} FROM {A_FROM} WHERE a.id = $1"), &args![id]).await
}

async fn assignments_of(store: &Store, task_id: i64) -> StoreResult<Vec<Assignment>> {
    store
        .read()
        .fetch_all(&format!("SELECT {A_COLS} FROM {A_FROM} WHERE a.task_id = $1 ORDER BY o.path"), &args![task_id])
        .await
}

/// The campaign's territory: the issuer's subtree, and for a chosen set only the chosen
/// organizations with what is above them up to the issuer and below them.
struct Territory {
    issuer: String,
    chosen: Option<Vec<String>>,
}

impl Territory {
    async fn of(store: &Store, c: &Campaign) -> StoreResult<Territory> {
        let chosen = match c.takes_part() {
            TakesPart::Chosen => Some(chosen_paths(store.read(), c.id).await?),
            TakesPart::Level => None,
        };
        Ok(Territory { issuer: c.org_path.clone(), chosen })
    }
    fn holds(&self, p: &str) -> bool {
        path::is_within(p, &self.issuer)
            && self.chosen.as_ref().is_none_or(|ch| ch.iter().any(|x| path::is_within(p, x) || path::is_within(x, p)))
    }
}

/// What the caller sees of a task whose campaign it sees: everything when the assigner is in
/// its scope, else the assignments within or above its scope's roots below the assigner.
async fn access_to(store: &Store, scope: &Scope, t: &Task) -> StoreResult<Option<Access>> {
    if super::get(store, scope, t.campaign_id).await.is_err() {
        return Ok(None);
    }
    if scope.contains(&t.org_path) {
        return Ok(Some(Access { full: true, roots: vec![] }));
    }
    let roots: Vec<String> =
        scope.roots().iter().filter(|r| path::is_within(r, &t.org_path) && **r != t.org_path).cloned().collect();
    Ok((!roots.is_empty()).then_some(Access { full: false, roots }))
}

/// A task the caller may see, with how much, and the assignments it sees (in tree order).
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Task, Access, Vec<Assignment>)> {
    let t = load_task(store, id).await?.ok_or(StoreError::NotFound("任务"))?;
    let Some(access) = access_to(store, scope, &t).await? else {
        return Err(StoreError::NotFound("任务"));
    };
    let seen: Vec<Assignment> =
        assignments_of(store, t.id).await?.into_iter().filter(|a| access.sees(&a.org_path)).collect();
    if !access.full && seen.is_empty() {
        return Err(StoreError::NotFound("任务"));
    }
    Ok((t, access, seen))
}

/// An assignment whose holder is in the caller's scope (what reporting progress and splitting
/// the share need), with its task. Anything else is not found.
pub async fn held(store: &Store, scope: &Scope, assignment_id: i64) -> StoreResult<(Task, Assignment)> {
    let a = load_assignment(store, assignment_id).await?.ok_or(StoreError::NotFound("任务"))?;
    let t = load_task(store, a.task_id).await?.ok_or(StoreError::NotFound("任务"))?;
    if !scope.contains(&a.org_path) || super::get(store, scope, t.campaign_id).await.is_err() {
        return Err(StoreError::NotFound("任务"));
    }
    Ok((t, a))
}

/// An assignment whose task's assigner is in the caller's scope (what deciding on its progress
/// needs), with its task. Anything else is not found.
pub async fn assigned(store: &Store, scope: &Scope, assignment_id: i64) -> StoreResult<(Task, Assignment)> {
    let a = load_assignment(store, assignment_id).await?.ok_or(StoreError::NotFound("任务"))?;
    let t = load_task(store, a.task_id).await?.ok_or(StoreError::NotFound("任务"))?;
    if !scope.contains(&t.org_path) || super::get(store, scope, t.campaign_id).await.is_err() {
        return Err(StoreError::NotFound("任务"));
    }
    Ok((t, a))
}

/// An assignment the caller sees (its own, or any of a task it sees in full), with its task.
pub async fn assignment(store: &Store, scope: &Scope, assignment_id: i64) -> StoreResult<(Task, Assignment)> {
    let a = load_assignment(store, assignment_id).await?.ok_or(StoreError::NotFound("任务"))?;
    let (t, access, _) = get(store, scope, a.task_id).await?;
    if !access.sees(&a.org_path) {
        return Err(StoreError::NotFound("任务"));
    }
    Ok((t, a))
}

#[derive(sqlx::FromRow)]
struct Unit {
    id: i64,
    name: String,
    path: String,
}

async fn insert_assignments(
    tx: &mut crate::Tx,
    task_id: i64,
    shares: &[(i64, Option<i64>)],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    for chunk in shares.chunks(200) {
        let mut sql =
            String::from("INSERT INTO task_assignment (task_id, org_id, share_milli, status, updated_at) VALUES ");
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * 5);
        for (i, (org, share)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = a.len();
            sql.push_str(&format!("(${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5));
            a.extend(args![task_id, *org, *share, dt::Status::Open.code(), at]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    Ok(())
}

/// Assign a task from `assigner` (an organization of the campaign in the caller's scope) down its
/// subtree: to every organization `v.depth` levels below it that exists on `on`, or to `chosen`
/// (below it, in scope). Each assignee's share is the task's target. One transaction, audited.
pub async fn create(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    assigner: &Visible<Org>,
    v: &ValidTask,
    chosen: &[i64],
    on: NaiveDate,
) -> StoreResult<Task> {
    let (c, _) = super::get(store, scope, campaign_id).await?;
    let land = Territory::of(store, &c).await?;
    let mut e = FieldErrors::default();
    if !land.holds(&assigner.path) {
        e.push("布置单位", format!("{} 不在本活动的范围内", assigner.name));
    }
    if v.due_on < c.starts_on || v.due_on > c.ends_on {
        e.push("完成期限", format!("{} 不在活动期间 {} 内", v.due_on, c.period()));
    }
    let mut to: Vec<Unit> = Vec::new();
    match v.assign {
        dt::Assign::Level => {
            let depth = v.depth.unwrap_or(1);
            let len = (assigner.path.len() + path::SEG_WIDTH * depth as usize) as i64;
            let rows: Vec<Unit> = store
                .read()
                .fetch_all(
                    "SELECT o.id, o.name, o.path FROM org o WHERE o.path > $1 AND o.path < $2 AND length(o.path) = $3 \
                     AND (o.founded_on IS NULL OR o.founded_on <= $4) AND (o.dissolved_on IS NULL OR o.dissolved_on > $5) \
                     ORDER BY o.path",
                    &args![assigner.path.clone(), path::subtree_end(&assigner.path), len, on, on],
                )
                .await?;
            to = rows.into_iter().filter(|r| land.holds(&r.path)).collect();
            if to.is_empty() {
                e.push("承办单位", format!("{} 以下第 {depth} 级没有属于本活动范围的党组织", assigner.name));
            }
        }
        dt::Assign::Chosen => {
            if chosen.is_empty() {
                e.push("承办单位", "指定党组织时至少选择一个");
            }
            for id in chosen {
                match crate::org::get(store, scope, *id).await {
                    Ok(o) if !path::is_within(&o.path, &assigner.path) || o.path == assigner.path => {
                        e.push("承办单位", format!("{} 不是 {} 的下级党组织", o.name, assigner.name))
                    }
                    Ok(o) if !land.holds(&o.path) => e.push("承办单位", format!("{} 不在本活动的范围内", o.name)),
                    Ok(o) if to.iter().any(|x| x.id == o.id) => {}
                    Ok(o) => to.push(Unit { id: o.id, name: o.name, path: o.path }),
                    Err(_) => e.push("承办单位", format!("编号 {id} 的党组织不存在或不在管理范围内")),
                }
            }
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut tx = store.begin().await?;
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO campaign_task (campaign_id, org_id, content, target_milli, unit, due_on, measures, responsible, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &args![
                c.id,
                assigner.id,
                v.content.clone(),
                v.target_milli,
                v.unit.clone(),
                v.due_on,
                v.measures.clone(),
                v.responsible.clone(),
                scope.actor().name.clone(),
                t
            ],
        )
        .await?;
    let shares: Vec<(i64, Option<i64>)> = to.iter().map(|u| (u.id, v.target_milli)).collect();
    insert_assignments(&mut tx, id, &shares, t).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "campaign_task.create",
        &format!("campaign_task:{id}"),
        "ok",
        json!({
            "campaign": c.id, "org": assigner.id, "content": v.content, "target_milli": v.target_milli, "unit": v.unit,
            "due_on": v.due_on, "measures": v.measures, "responsible": v.responsible, "assign": v.assign.code(),
            "depth": v.depth, "assignees": to.iter().map(|u| u.id).collect::<Vec<_>>(),
        }),
    )
    .await?;
    tx.commit().await?;
    load_task(store, id).await?.ok_or(StoreError::NotFound("任务"))
}

/// The direct subordinates of an organization that exist on `on`, in tree order: whom its holder
/// may split an assignment among.
pub async fn subordinates(store: &Store, a: &Assignment, on: NaiveDate) -> StoreResult<Vec<(i64, String)>> {
    let rows: Vec<Unit> = store
        .read()
        .fetch_all(
            "SELECT o.id, o.name, o.path FROM org o WHERE o.parent_id = $1 \
             AND (o.founded_on IS NULL OR o.founded_on <= $2) AND (o.dissolved_on IS NULL OR o.dissolved_on > $3) \
             ORDER BY o.path",
            &args![a.org_id, on, on],
        )
        .await?;
    Ok(rows.into_iter().map(|u| (u.id, u.name)).collect())
}

/// Split a held assignment among the holder's direct subordinates (existing on `on`): a task of
/// its own, split from the assignment, whose target is the share received. Once per assignment,
/// and not once it is complete. One transaction, audited.
pub async fn cascade(
    store: &Store,
    scope: &Scope,
    assignment_id: i64,
    v: &ValidCascade,
    on: NaiveDate,
) -> StoreResult<Task> {
    let (task, a) = held(store, scope, assignment_id).await?;
    if a.complete() {
        return Err(StoreError::Refused("该任务已审核确认完成，不再分解".into()));
    }
    if let Some(c) = a.cascade_id {
        return Err(StoreError::Refused(format!("本单位已分解过该任务（任务编号 {c}），每项任务只分解一次")));
    }
    let subs = subordinates(store, &a, on).await?;
    let mut e = FieldErrors::default();
    for (org, _) in &v.shares {
        if !subs.iter().any(|(id, _)| id == org) {
            e.push("分解单位", format!("编号 {org} 的党组织不是 {} 的直属下级", a.org_name));
        }
    }
    if v.due_on > task.due_on {
        e.push("完成期限", format!("{} 晚于上级下达的期限 {}", v.due_on, task.due_on));
    }
    let total: i64 = v.shares.iter().filter_map(|(_, s)| *s).sum();
    match a.share_milli {
        Some(s) if total != s || v.shares.iter().any(|(_, x)| x.is_none()) => e.push(
            "分解任务量",
            format!(
                "各单位任务量合计 {}，应等于本单位承担的 {}",
                dt::target_text(Some(total), &task.unit),
                dt::target_text(Some(s), &task.unit)
            ),
        ),
        None if v.shares.iter().any(|(_, x)| x.is_some()) => e.push("分解任务量", "是否完成类任务不分配数量"),
        _ => {}
    }
    if v.shares.is_empty() {
        e.push("分解单位", "至少选择一个下级党组织");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut tx = store.begin().await?;
    let t = now();
    // claim the assignment first (on PostgreSQL the row stays locked until commit, so a second
    // split cannot slip in between the check and the insert)
    tx.x().execute("UPDATE task_assignment SET updated_at = $1 WHERE id = $2", &args![t, a.id]).await?;
    let already =
        tx.x().scalar("SELECT COUNT(*) FROM campaign_task WHERE parent_assignment_id = $1", &args![a.id]).await?;
    if already > 0 {
        return Err(StoreError::Refused("该任务已被他人分解，请刷新后查看".into()));
    }
    let id = tx
        .x()
        .scalar(
            "INSERT INTO campaign_task (campaign_id, org_id, parent_assignment_id, content, target_milli, unit, due_on, \
             measures, responsible, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &args![
                task.campaign_id,
                a.org_id,
                a.id,
                task.content.clone(),
                a.share_milli,
                task.unit.clone(),
                v.due_on,
                v.measures.clone(),
                v.responsible.clone(),
                scope.actor().name.clone(),
                t
            ],
        )
        .await?;
    insert_assignments(&mut tx, id, &v.shares, t).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "campaign_task.cascade",
        &format!("campaign_task:{id}"),
        "ok",
        json!({
            "campaign": task.campaign_id, "from_task": task.id, "assignment": a.id, "org": a.org_id,
            "due_on": v.due_on, "measures": v.measures, "responsible": v.responsible,
            "shares": v.shares.iter().map(|(o, s)| json!({ "org": o, "share_milli": s })).collect::<Vec<_>>(),
        }),
    )
    .await?;
    tx.commit().await?;
    load_task(store, id).await?.ok_or(StoreError::NotFound("任务"))
}

/// Most evidence files one report takes.
pub const MAX_EVIDENCE: usize = 10;

/// Report progress on a held assignment with its evidence files ((name, content); empty file
/// inputs are skipped): not while an earlier report waits for a decision, nor once complete; a
/// report of completion needs evidence. The assignment waits for the assigner's decision, and its
/// assigner is told (a message in the same transaction, the assignee's earlier 退回 message
/// handled). One transaction, audited.
pub async fn report(
    store: &Store,
    scope: &Scope,
    assignment_id: i64,
    v: &ValidReport,
    files: Vec<(String, Vec<u8>)>,
) -> StoreResult<Report> {
    use sha2::Digest;
    let (task, a) = held(store, scope, assignment_id).await?;
    if a.complete() {
        return Err(StoreError::Refused("该任务已审核确认完成，无需再报送".into()));
    }
    if a.status() == dt::Status::Reported {
        return Err(StoreError::Refused("上次报送的进展还在等待布置单位审核，审核后再报送".into()));
    }
    let mut e = FieldErrors::default();
    let mut kept = Vec::new();
    for (name, content) in files {
        let name = crate::life::attachments::clean_name(&name);
        if name.is_empty() && content.is_empty() {
            continue;
        }
        if name.is_empty() {
            e.push("佐证材料", "文件缺少名称");
        } else if content.is_empty() {
            e.push("佐证材料", format!("“{name}”是空文件"));
        } else if content.len() > crate::life::MAX_ATTACHMENT {
            e.push("佐证材料", format!("“{name}”有 {:.1} MB，超过 10 MB 的上限", content.len() as f64 / 1048576.0));
        } else {
            match crate::life::sniff(&name, &content) {
                Ok(mime) => kept.push((name, mime, content)),
                Err(m) => e.push("佐证材料", format!("“{name}”：{m}")),
            }
        }
    }
    if kept.len() > MAX_EVIDENCE {
        e.push("佐证材料", format!("一次最多 {MAX_EVIDENCE} 个文件"));
    }
    if v.done && kept.is_empty() && !e.has("佐证材料") {
        e.push("佐证材料", "报告完成须附佐证材料（照片、文件等）");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut tx = store.begin().await?;
    let t = now();
    let n = tx
        .x()
        .execute(
            "UPDATE task_assignment SET status = $1, updated_at = $2 WHERE id = $3 AND status <> $4 AND done = 0",
            &args![dt::Status::Reported.code(), t, a.id, dt::Status::Reported.code()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该任务的进展已由他人报送，请刷新后查看".into()));
    }
    let by = scope.actor().name.clone();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO task_report (assignment_id, value_milli, done, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![a.id, v.value_milli, i64::from(v.done), v.note.clone(), by.clone(), t],
        )
        .await?;
    let mut files_detail = Vec::new();
    for (name, mime, content) in kept {
        let sha: String = sha2::Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
        let size = content.len() as i64;
        tx.x()
            .execute(
                "INSERT INTO task_evidence (report_id, name, mime, size, sha256, content, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &args![id, name.clone(), mime, size, sha.clone(), Val::Bytes(Some(content)), by.clone(), t],
            )
            .await?;
        files_detail.push(json!({ "name": name, "size": size, "sha256": sha }));
    }
    let notice = Notice { task_id: task.id, assignment_id: a.id, assignee: &a.org_name, content: &task.content };
    let progress = match (v.value_milli, v.done) {
        (Some(x), done) => format!(
            "累计完成 {}{}（任务量 {}）{}",
            domain::campaign::indicator::fmt_milli(x),
            task.unit,
            dt::target_text(a.share_milli, &task.unit),
            if done { "，报告已完成" } else { "" }
        ),
        (None, true) => "报告已完成".to_string(),
        (None, false) => "报送进展".to_string(),
    };
    crate::message::handled_in(&mut tx, &format!("task_assignment:{}", a.id), domain::message::Kind::Notice).await?;
    crate::message::post_in(&mut tx, scope, a.org_id, &task.org_path, &notice.reported(id, &progress, &v.note)).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "campaign_task.report",
        &format!("task_report:{id}"),
        "ok",
        json!({
            "campaign": task.campaign_id, "task": task.id, "assignment": a.id, "org": a.org_id,
            "value_milli": v.value_milli, "done": v.done, "note": v.note, "files": files_detail,
        }),
    )
    .await?;
    tx.commit().await?;
    one_report(store, id).await
}

async fn one_report(store: &Store, id: i64) -> StoreResult<Report> {
    store
        .read()
        .fetch_optional(&format!("SELECT {R_COLS} FROM task_report WHERE id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("进展"))
}

/// Accept or return the report waiting on an assignment whose assigner is in the caller's scope;
/// returning needs a reason. Accepting sets the progress (the reported value, if any) and
/// completes the assignment, on `on`, when the report says done or the progress reaches the
/// share. One transaction, audited; the messages telling the assigner side of the report are
/// handled.
pub async fn decide(
    store: &Store,
    scope: &Scope,
    assignment_id: i64,
    accept: bool,
    reason: &str,
    on: NaiveDate,
) -> StoreResult<(Task, Assignment, Report)> {
    let (task, a) = assigned(store, scope, assignment_id).await?;
    if a.status() != dt::Status::Reported {
        return Err(StoreError::Refused(format!("该任务{}，没有等待审核的进展", a.status_label())));
    }
    let reason = reason.trim();
    if !accept && reason.is_empty() {
        return Err(invalid("退回理由", "退回时须写明理由"));
    }
    if reason.chars().count() > 500 {
        return Err(invalid("退回理由", "不超过 500 个字"));
    }
    let r: Report = store
        .read()
        .fetch_optional(
            &format!(
                "SELECT {R_COLS} FROM task_report WHERE assignment_id = $1 AND decision = '' ORDER BY id DESC LIMIT 1"
            ),
            &args![a.id],
        )
        .await?
        .ok_or_else(|| StoreError::Refused("没有等待审核的进展".into()))?;
    let mut tx = store.begin().await?;
    let t = now();
    let by = scope.actor().name.clone();
    let (progress, done) = if accept {
        let p = r.value_milli.unwrap_or(a.progress_milli);
        (p, dt::complete(a.share_milli, p, r.done == 1))
    } else {
        (a.progress_milli, false)
    };
    let status = if accept { dt::Status::Accepted } else { dt::Status::Returned };
    let n = tx
        .x()
        .execute(
            "UPDATE task_assignment SET status = $1, progress_milli = $2, done = $3, done_on = $4, updated_at = $5 \
             WHERE id = $6 AND status = $7",
            &args![status.code(), progress, i64::from(done), done.then_some(on), t, a.id, dt::Status::Reported.code()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该进展已被他人审核，请刷新后查看".into()));
    }
    tx.x()
        .execute(
            "UPDATE task_report SET decision = $1, reason = $2, decided_by = $3, decided_at = $4 WHERE id = $5",
            &args![status.code(), reason, by, t, r.id],
        )
        .await?;
    crate::message::handled_in(&mut tx, &format!("task_report:{}", r.id), domain::message::Kind::Notice).await?;
    crate::audit::record(
        &mut tx,
        scope,
        if accept { "campaign_task.accept" } else { "campaign_task.return" },
        &format!("task_report:{}", r.id),
        "ok",
        json!({
            "campaign": task.campaign_id, "task": task.id, "assignment": a.id, "org": a.org_id,
            "progress_milli": progress, "done": done, "done_on": done.then_some(on), "reason": reason,
        }),
    )
    .await?;
    tx.commit().await?;
    let a = load_assignment(store, a.id).await?.ok_or(StoreError::NotFound("任务"))?;
    let r = one_report(store, r.id).await?;
    Ok((task, a, r))
}

/// The reports of some assignments (latest first), each with its evidence files.
pub async fn reports(store: &Store, assignment_ids: &[i64]) -> StoreResult<Vec<(Report, Vec<Evidence>)>> {
    if assignment_ids.is_empty() {
        return Ok(vec![]);
    }
    let ph: Vec<String> = (1..=assignment_ids.len()).map(|i| format!("${i}")).collect();
    let a: Vec<Val> = assignment_ids.iter().map(|i| Val::from(*i)).collect();
    let rows: Vec<Report> = store
        .read()
        .fetch_all(
            &format!("SELECT {R_COLS} FROM task_report WHERE assignment_id IN ({}) ORDER BY id DESC", ph.join(", ")),
            &a,
        )
        .await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ph: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
    let a: Vec<Val> = rows.iter().map(|r| Val::from(r.id)).collect();
    let files: Vec<Evidence> = store
        .read()
        .fetch_all(
            &format!("SELECT {E_COLS} FROM task_evidence WHERE report_id IN ({}) ORDER BY id", ph.join(", ")),
            &a,
        )
        .await?;
    let mut by: HashMap<i64, Vec<Evidence>> = HashMap::new();
    for f in files {
        by.entry(f.report_id).or_default().push(f);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let files = by.remove(&r.id).unwrap_or_default();
            (r, files)
        })
        .collect())
}

/// An evidence file with its content, for a caller who sees its assignment.
pub async fn evidence(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Evidence, Vec<u8>)> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        file: Evidence,
        content: Vec<u8>,
        assignment_id: i64,
    }
    let row: Row = store
        .read()
        .fetch_optional(
            "SELECT e.id, e.report_id, e.name, e.mime, e.size, e.sha256, e.created_by, e.created_at, e.content, r.assignment_id \
             FROM task_evidence e JOIN task_report r ON r.id = e.report_id WHERE e.id = $1",
            &args![id],
        )
        .await?
        .ok_or(StoreError::NotFound("文件"))?;
    assignment(store, scope, row.assignment_id).await.map_err(|_| StoreError::NotFound("文件"))?;
    Ok((row.file, row.content))
}

/// A task assigned by an organization, with how its assignments stand.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Assigned {
    #[sqlx(flatten)]
    pub task: Task,
    pub assignments: i64,
    pub complete: i64,
    pub waiting: i64,
}

/// The tasks of a campaign `org` assigned (its own and those it split from what it received),
/// by deadline; paged.
pub async fn assigned_by(
    store: &Store,
    c: &Campaign,
    org: &Visible<Org>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Assigned>, i64)> {
    let total = store
        .read()
        .scalar("SELECT COUNT(*) FROM campaign_task WHERE campaign_id = $1 AND org_id = $2", &args![c.id, org.id])
        .await?;
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {TASK_COLS}, \
                 CAST((SELECT COUNT(*) FROM task_assignment a WHERE a.task_id = t.id) AS BIGINT) AS assignments, \
                 CAST((SELECT COUNT(*) FROM task_assignment a WHERE a.task_id = t.id AND a.done = 1) AS BIGINT) AS complete, \
                 CAST((SELECT COUNT(*) FROM task_assignment a WHERE a.task_id = t.id AND a.status = 'reported') AS BIGINT) AS waiting \
                 FROM {TASK_FROM} WHERE t.campaign_id = $1 AND t.org_id = $2 ORDER BY t.due_on, t.id LIMIT $3 OFFSET $4"
            ),
            &args![c.id, org.id, limit, offset],
        )
        .await?;
    Ok((rows, total))
}

/// The assignments of a campaign's tasks given to `org`, those waiting for it first (open or
/// returned), then by deadline; paged.
pub async fn assigned_to(
    store: &Store,
    c: &Campaign,
    org: &Visible<Org>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Assignment>, i64)> {
    let total = store
        .read()
        .scalar(
            "SELECT COUNT(*) FROM task_assignment a JOIN campaign_task t ON t.id = a.task_id \
             WHERE t.campaign_id = $1 AND a.org_id = $2",
            &args![c.id, org.id],
        )
        .await?;
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {A_COLS} FROM {A_FROM} WHERE t.campaign_id = $1 AND a.org_id = $2 \
                 ORDER BY a.done, CASE a.status WHEN 'returned' THEN 0 WHEN 'open' THEN 1 WHEN 'accepted' THEN 2 ELSE 3 END, \
                 t.due_on, a.id LIMIT $3 OFFSET $4"
            ),
            &args![c.id, org.id, limit, offset],
        )
        .await?;
    Ok((rows, total))
}

/// The findings of `org` in a campaign on `on`, both directions (given to it, or assigned by it):
/// assignments past their deadline and not complete by then, and returned reports not yet
/// reported again; by deadline, paged.
pub async fn findings(
    store: &Store,
    c: &Campaign,
    org: &Visible<Org>,
    on: NaiveDate,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Assignment>, i64)> {
    let cond = "t.campaign_id = $1 AND (a.org_id = $2 OR t.org_id = $3) AND \
         ((t.due_on < $4 AND NOT (a.done = 1 AND a.done_on <= $5)) OR (a.status = 'returned' AND a.done = 0))";
    let total = store
        .read()
        .scalar(
            &format!("SELECT COUNT(*) FROM task_assignment a JOIN campaign_task t ON t.id = a.task_id WHERE {cond}"),
            &args![c.id, org.id, org.id, on, on],
        )
        .await?;
    let rows = store
        .read()
        .fetch_all(
            &format!("SELECT {A_COLS} FROM {A_FROM} WHERE {cond} ORDER BY t.due_on, o.path, a.id LIMIT $6 OFFSET $7"),
            &args![c.id, org.id, org.id, on, on, limit, offset],
        )
        .await?;
    Ok((rows, total))
}

/// How the assignments below an organization stand: the organization's own, and each direct
/// subordinate's subtree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Completion {
    pub org_id: i64,
    pub org_name: String,
    /// The organization's own assignments (else a subordinate's subtree).
    pub own: bool,
    pub assignments: i64,
    /// Complete by the date.
    pub complete: i64,
    /// Overdue on the date.
    pub overdue: i64,
    /// Quantified assignments, and their mean progress towards their shares (0 to 1).
    pub quantified: i64,
    pub progress: f64,
}

impl Completion {
    /// Share of the assignments complete (0 to 1); none is 0.
    pub fn rate(&self) -> f64 {
        if self.assignments == 0 {
            0.0
        } else {
            self.complete as f64 / self.assignments as f64
        }
    }
}

/// Completion of a campaign's tasks in the subtree of `org` on `on`: its own assignments and each
/// direct subordinate's subtree (those with assignments), in tree order.
pub async fn completion(
    store: &Store,
    c: &Campaign,
    org: &Visible<Org>,
    on: NaiveDate,
) -> StoreResult<Vec<Completion>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        path: String,
        share_milli: Option<i64>,
        progress_milli: i64,
        done: i64,
        done_on: Option<NaiveDate>,
        due_on: NaiveDate,
    }
    let rows: Vec<Row> = store
        .read()
        .fetch_all(
            "SELECT o.path, a.share_milli, a.progress_milli, a.done, a.done_on, t.due_on \
             FROM task_assignment a JOIN campaign_task t ON t.id = a.task_id JOIN org o ON o.id = a.org_id \
             WHERE t.campaign_id = $1 AND o.path >= $2 AND o.path < $3",
            &args![c.id, org.path.clone(), path::subtree_end(&org.path)],
        )
        .await?;
    let subs: Vec<Unit> = store
        .read()
        .fetch_all("SELECT o.id, o.name, o.path FROM org o WHERE o.parent_id = $1 ORDER BY o.path", &args![org.id])
        .await?;
    let mut out: Vec<Completion> = std::iter::once((org.id, org.name.clone(), true))
        .chain(subs.iter().map(|u| (u.id, u.name.clone(), false)))
        .map(|(org_id, org_name, own)| Completion {
            org_id,
            org_name,
            own,
            assignments: 0,
            complete: 0,
            overdue: 0,
            quantified: 0,
            progress: 0.0,
        })
        .collect();
    let child_len = org.path.len() + path::SEG_WIDTH;
    let index: HashMap<&str, usize> = subs.iter().enumerate().map(|(i, u)| (u.path.as_str(), i + 1)).collect();
    for r in &rows {
        let i = if r.path.len() < child_len { Some(0) } else { index.get(&r.path[..child_len]).copied() };
        let Some(i) = i else { continue };
        let x = &mut out[i];
        let done_by = r.done == 1 && r.done_on.is_some_and(|d| d <= on);
        x.assignments += 1;
        x.complete += i64::from(done_by);
        x.overdue += i64::from(dt::overdue(r.due_on, if r.done == 1 { r.done_on } else { None }, on));
        if let Some(s) = r.share_milli {
            x.quantified += 1;
            x.progress += dt::progress(r.progress_milli, s);
        }
    }
    for x in &mut out {
        if x.quantified > 0 {
            x.progress /= x.quantified as f64;
        }
    }
    out.retain(|x| x.assignments > 0);
    Ok(out)
}

/// The assignments of a campaign's tasks overdue on `as_on` (past their deadline and not
/// complete by that day), by deadline then tree order: (organization, its name, the task, the
/// deadline). What a dispatch round as of that date lists as 逾期任务.
pub async fn overdue_on(
    store: &Store,
    c: &Campaign,
    as_on: NaiveDate,
) -> StoreResult<Vec<(i64, String, String, NaiveDate)>> {
    store
        .read()
        .fetch_all(
            "SELECT a.org_id, o.name, t.content, t.due_on \
             FROM task_assignment a JOIN campaign_task t ON t.id = a.task_id JOIN org o ON o.id = a.org_id \
             WHERE t.campaign_id = $1 AND t.due_on < $2 AND NOT (a.done = 1 AND a.done_on <= $3) \
             ORDER BY t.due_on, o.path, a.id",
            &args![c.id, as_on, as_on],
        )
        .await
}
