//! 党建规划 as stored: an organization's annual or multi-year plan with its targets (each reading
//! a registry source, see [`super::measure::measure_org`]) and dated milestones. Drafted and
//! changed while a draft or returned (at the version the editor read), submitted, then approved or
//! returned with a reason; milestones of an approved plan are marked done. Every write is audited
//! in its transaction.

use chrono::{DateTime, NaiveDate, Utc};
use domain::campaign::plan::{PlanKind, PlanStatus, ValidPlan};
use domain::org::Org;
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Plan {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub kind: String,
    pub title: String,
    pub from_year: i64,
    pub to_year: i64,
    pub status: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Plan {
    pub fn kind(&self) -> PlanKind {
        PlanKind::from_code(&self.kind).unwrap_or(PlanKind::Annual)
    }
    pub fn kind_label(&self) -> &'static str {
        self.kind().label()
    }
    pub fn status(&self) -> PlanStatus {
        PlanStatus::from_code(&self.status).unwrap_or(PlanStatus::Draft)
    }
    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }
    /// `2026年`, `2026—2028年`.
    pub fn years(&self) -> String {
        domain::campaign::plan::years(self.from_year as i32, self.to_year as i32)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Target {
    pub id: i64,
    pub plan_id: i64,
    pub label: String,
    pub source: String,
    pub param: String,
    pub target_milli: i64,
    pub due_on: NaiveDate,
    pub measures: String,
    pub responsible: String,
    pub ord: i64,
}

impl Target {
    /// The target as checked, for writing it back into the form.
    pub fn as_valid(&self) -> domain::campaign::plan::PlanTarget {
        domain::campaign::plan::PlanTarget {
            label: self.label.clone(),
            source: self.source.clone(),
            param: self.param.clone(),
            target_milli: self.target_milli,
            due_on: self.due_on,
            measures: self.measures.clone(),
            responsible: self.responsible.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Milestone {
    pub id: i64,
    pub plan_id: i64,
    pub due_on: NaiveDate,
    pub content: String,
    pub done_on: Option<NaiveDate>,
}

const COLS: &str = "p.id, p.org_id, o.name AS org_name, o.path AS org_path, p.kind, p.title, p.from_year, p.to_year, \
    p.status, p.reason, p.created_by, p.created_at, p.updated_at, p.reviewed_by, p.reviewed_at, p.version";
const FROM: &str = "party_plan p JOIN org o ON o.id = p.org_id";

fn detail(v: &ValidPlan) -> serde_json::Value {
    json!({
        "kind": v.kind.code(), "title": v.title, "from_year": v.from_year, "to_year": v.to_year,
        "targets": v.targets.iter().map(domain::campaign::plan::target_line).collect::<Vec<_>>(),
        "milestones": v.milestones.iter().map(|m| format!("{} {}", m.due_on, m.content)).collect::<Vec<_>>(),
    })
}

async fn write_parts(tx: &mut Tx, id: i64, v: &ValidPlan) -> StoreResult<()> {
    tx.x().execute("DELETE FROM plan_target WHERE plan_id = $1", &args![id]).await?;
    for (i, t) in v.targets.iter().enumerate() {
        tx.x()
            .execute(
                "INSERT INTO plan_target (plan_id, label, source, param, target_milli, due_on, measures, responsible, ord) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &args![
                    id,
                    t.label.clone(),
                    t.source.clone(),
                    t.param.clone(),
                    t.target_milli,
                    t.due_on,
                    t.measures.clone(),
                    t.responsible.clone(),
                    i as i64
                ],
            )
            .await?;
    }
    tx.x().execute("DELETE FROM plan_milestone WHERE plan_id = $1", &args![id]).await?;
    for m in &v.milestones {
        tx.x()
            .execute(
                "INSERT INTO plan_milestone (plan_id, due_on, content) VALUES ($1, $2, $3)",
                &args![id, m.due_on, m.content.clone()],
            )
            .await?;
    }
    Ok(())
}

/// Refuse a second plan of the same kind of the organization over overlapping years (one
/// returned to be changed counts: it is changed, not drafted again).
async fn check_overlap(store: &Store, org_id: i64, v: &ValidPlan, except: Option<i64>) -> StoreResult<()> {
    let other: Option<(i64, String, i64, i64)> = store
        .read()
        .fetch_optional(
            "SELECT id, title, from_year, to_year FROM party_plan WHERE org_id = $1 AND kind = $2 \
             AND from_year <= $3 AND to_year >= $4 AND id <> $5 ORDER BY from_year LIMIT 1",
            &args![org_id, v.kind.code(), v.to_year, v.from_year, except.unwrap_or(0)],
        )
        .await?;
    match other {
        Some((_, title, f, t)) => Err(StoreError::Refused(format!(
            "本组织已有{}“{title}”（{}），与{}重叠；请修改已有的{}",
            v.kind.label(),
            domain::campaign::plan::years(f as i32, t as i32),
            v.years(),
            v.kind.label()
        ))),
        None => Ok(()),
    }
}

/// Draft a plan of an organization in the caller's scope.
pub async fn create(store: &Store, scope: &Scope, org: &Visible<Org>, v: &ValidPlan) -> StoreResult<Plan> {
    check_overlap(store, org.id, v, None).await?;
    let mut tx = store.begin().await?;
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO party_plan (org_id, kind, title, from_year, to_year, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8) RETURNING id",
            &args![org.id, v.kind.code(), v.title.clone(), v.from_year, v.to_year, scope.actor().name.clone(), t, t],
        )
        .await?;
    write_parts(&mut tx, id, v).await?;
    let mut d = detail(v);
    d["org"] = json!(org.id);
    crate::audit::record(&mut tx, scope, "plan.create", &format!("party_plan:{id}"), "ok", d).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// A plan whose organization is in the caller's scope.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Plan> {
    let p: Plan = store
        .read()
        .fetch_optional(&format!("SELECT {COLS} FROM {FROM} WHERE p.id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("党建规划"))?;
    if scope.contains(&p.org_path) {
        Ok(p)
    } else {
        Err(StoreError::NotFound("党建规划"))
    }
}

pub async fn targets(store: &Store, p: &Plan) -> StoreResult<Vec<Target>> {
    store
        .read()
        .fetch_all(
            "SELECT id, plan_id, label, source, param, target_milli, due_on, measures, responsible, ord FROM plan_target \
             WHERE plan_id = $1 ORDER BY ord, id",
            &args![p.id],
        )
        .await
}

pub async fn milestones(store: &Store, p: &Plan) -> StoreResult<Vec<Milestone>> {
    store
        .read()
        .fetch_all(
            "SELECT id, plan_id, due_on, content, done_on FROM plan_milestone WHERE plan_id = $1 ORDER BY due_on, id",
            &args![p.id],
        )
        .await
}

/// Change a draft or returned plan at the version the editor read; a returned plan stays returned
/// until it is submitted again.
pub async fn update(store: &Store, scope: &Scope, id: i64, version: i64, v: &ValidPlan) -> StoreResult<Plan> {
    let old = get(store, scope, id).await?;
    if !old.status().editable() {
        return Err(StoreError::Refused(format!("该规划{}，不能修改", old.status_label())));
    }
    check_overlap(store, old.org_id, v, Some(id)).await?;
    let old_targets = targets(store, &old).await?;
    let old_milestones = milestones(store, &old).await?;
    let before = json!({
        "kind": old.kind, "title": old.title, "from_year": old.from_year, "to_year": old.to_year,
        "targets": old_targets.iter().map(|t| domain::campaign::plan::target_line(&t.as_valid())).collect::<Vec<_>>(),
        "milestones": old_milestones.iter().map(|m| format!("{} {}", m.due_on, m.content)).collect::<Vec<_>>(),
    });
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE party_plan SET kind = $1, title = $2, from_year = $3, to_year = $4, updated_at = $5, version = version + 1 \
             WHERE id = $6 AND version = $7 AND status IN ('draft', 'returned')",
            &args![v.kind.code(), v.title.clone(), v.from_year, v.to_year, now(), id, version],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("党建规划"));
    }
    write_parts(&mut tx, id, v).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "plan.update",
        &format!("party_plan:{id}"),
        "ok",
        crate::audit::diff(&before, &detail(v)),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Submit a draft or returned plan, at the version the submitter read, to the superior.
pub async fn submit(store: &Store, scope: &Scope, id: i64, version: i64) -> StoreResult<Plan> {
    let p = get(store, scope, id).await?;
    if !p.status().editable() {
        return Err(StoreError::Refused(format!("该规划{}，不能再次提交", p.status_label())));
    }
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE party_plan SET status = 'submitted', updated_at = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND status IN ('draft', 'returned')",
            &args![now(), id, version],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("党建规划"));
    }
    crate::audit::record(
        &mut tx,
        scope,
        "plan.submit",
        &format!("party_plan:{id}"),
        "ok",
        json!({ "org": p.org_id, "from": p.status }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Approve a submitted plan, or return it with a reason (required).
pub async fn review(store: &Store, scope: &Scope, id: i64, approve: bool, reason: &str) -> StoreResult<Plan> {
    let p = get(store, scope, id).await?;
    if !p.status().reviewable() {
        return Err(StoreError::Refused(format!("该规划{}，不在待审核状态", p.status_label())));
    }
    let reason = reason.trim();
    if !approve && reason.is_empty() {
        return Err(domain::FieldErrors(vec![domain::FieldError::new("退回理由", "退回时须写明理由")]).into());
    }
    let status = if approve { PlanStatus::Approved } else { PlanStatus::Returned };
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE party_plan SET status = $1, reason = $2, reviewed_by = $3, reviewed_at = $4, updated_at = $5, \
             version = version + 1 WHERE id = $6 AND status = 'submitted'",
            &args![status.code(), reason, scope.actor().name.clone(), now(), now(), id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该规划已被他人审核，请刷新后查看".into()));
    }
    crate::audit::record(
        &mut tx,
        scope,
        if approve { "plan.approve" } else { "plan.return" },
        &format!("party_plan:{id}"),
        "ok",
        json!({ "org": p.org_id, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Mark a milestone of an approved plan done on `on` (not before the plan's first year).
pub async fn milestone_done(
    store: &Store,
    scope: &Scope,
    plan_id: i64,
    milestone_id: i64,
    on: NaiveDate,
) -> StoreResult<Milestone> {
    let p = get(store, scope, plan_id).await?;
    if p.status() != PlanStatus::Approved {
        return Err(StoreError::Refused(format!("该规划{}，批准后才能登记里程碑完成情况", p.status_label())));
    }
    let m = milestones(store, &p)
        .await?
        .into_iter()
        .find(|m| m.id == milestone_id)
        .ok_or_else(|| domain::FieldErrors(vec![domain::FieldError::new("里程碑", "不是本规划的里程碑")]))?;
    if let Some(d) = m.done_on {
        return Err(StoreError::Refused(format!("该里程碑已于 {d} 完成")));
    }
    if chrono::Datelike::year(&on) < p.from_year as i32 {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "完成日期",
            format!("{on} 早于规划期（{}）", p.years()),
        )])
        .into());
    }
    let mut tx = store.begin().await?;
    tx.x()
        .execute("UPDATE plan_milestone SET done_on = $1 WHERE id = $2 AND done_on IS NULL", &args![on, m.id])
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "plan.milestone",
        &format!("party_plan:{plan_id}"),
        "ok",
        json!({ "milestone": m.id, "content": m.content, "done_on": on }),
    )
    .await?;
    tx.commit().await?;
    Ok(Milestone { done_on: Some(on), ..m })
}

/// The plans of organizations in the subtree of `org`: latest years first, then tree order; paged.
pub async fn list(store: &Store, org: &Visible<Org>, limit: i64, offset: i64) -> StoreResult<(Vec<Plan>, i64)> {
    let total = store
        .read()
        .scalar(
            &format!("SELECT COUNT(*) FROM {FROM} WHERE o.path >= $1 AND o.path < $2"),
            &args![org.path.clone(), path::subtree_end(&org.path)],
        )
        .await?;
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE o.path >= $1 AND o.path < $2 \
                 ORDER BY p.to_year DESC, p.from_year DESC, o.path, p.id LIMIT $3 OFFSET $4"
            ),
            &args![org.path.clone(), path::subtree_end(&org.path), limit, offset],
        )
        .await?;
    Ok((rows, total))
}

/// The organization's own plans covering `year` (multi-year first, then annual).
pub async fn of_org(store: &Store, org: &Visible<Org>, year: i32) -> StoreResult<Vec<Plan>> {
    store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE p.org_id = $1 AND p.from_year <= $2 AND p.to_year >= $3 \
                 ORDER BY CASE p.kind WHEN 'multi_year' THEN 0 ELSE 1 END, p.id"
            ),
            &args![org.id, year, year],
        )
        .await
}

/// Where a participant of a dispatch round stands against one of its own approved plans on the
/// round's date: how many of the plan's targets the registry measures as reached, and how many
/// are past their date unreached. Kept with the round (`dispatch_plan`) and frozen with it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct RoundPlan {
    pub org_id: i64,
    pub plan_id: i64,
    pub kind: String,
    pub title: String,
    pub from_year: i64,
    pub to_year: i64,
    pub targets: i64,
    pub reached: i64,
    pub overdue: i64,
}

impl RoundPlan {
    pub fn kind_label(&self) -> &'static str {
        PlanKind::from_code(&self.kind).unwrap_or(PlanKind::Annual).label()
    }
    /// `2026年`, `2026—2028年`.
    pub fn years(&self) -> String {
        domain::campaign::plan::years(self.from_year as i32, self.to_year as i32)
    }
}

/// Measure the approved plans of every participant covering `on`'s year (as approved when the round
/// is computed), over each participant's subtree as of `on`: every (source, parameter) the plans' targets read is read once for all the
/// participants that have such a target, as a round's indicators are.
pub async fn in_round(
    store: &Store,
    c: &super::Campaign,
    issuer: &Visible<Org>,
    parts: &[domain::campaign::round::Participant],
    on: NaiveDate,
) -> StoreResult<Vec<RoundPlan>> {
    use chrono::Datelike;
    use std::collections::{BTreeMap, HashMap};
    let year = on.year();
    let within = "p.status = 'approved' AND p.from_year <= $1 AND p.to_year >= $2 AND o.path >= $3 AND o.path < $4";
    let a = || args![year, year, issuer.path.clone(), path::subtree_end(&issuer.path)];
    let taking: HashMap<i64, usize> = parts.iter().enumerate().map(|(i, p)| (p.org_id, i)).collect();
    let plans: Vec<(i64, i64, String, String, i64, i64)> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT p.id, p.org_id, p.kind, p.title, p.from_year, p.to_year FROM {FROM} WHERE {within} \
                 ORDER BY o.path, CASE p.kind WHEN 'multi_year' THEN 0 ELSE 1 END, p.id"
            ),
            &a(),
        )
        .await?;
    let plans: Vec<_> = plans.into_iter().filter(|p| taking.contains_key(&p.1)).collect();
    if plans.is_empty() {
        return Ok(Vec::new());
    }
    let targets: Vec<(i64, String, String, i64, NaiveDate)> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT t.plan_id, t.source, t.param, t.target_milli, t.due_on FROM plan_target t \
                 JOIN party_plan p ON p.id = t.plan_id JOIN org o ON o.id = p.org_id WHERE {within} ORDER BY t.plan_id, t.ord"
            ),
            &a(),
        )
        .await?;
    let mut of_plan: HashMap<i64, Vec<(String, String, i64, NaiveDate)>> = HashMap::new();
    for (plan, source, param, target, due) in targets {
        of_plan.entry(plan).or_default().push((source, param, target, due));
    }
    // the participants with a plan, and one indicator per (source, parameter) their targets read
    let mut holders: Vec<usize> = plans.iter().map(|p| taking[&p.1]).collect();
    holders.sort_unstable();
    holders.dedup();
    let subset: Vec<_> = holders.iter().map(|i| parts[*i].clone()).collect();
    let mut reads: BTreeMap<(String, String), ()> = BTreeMap::new();
    for p in &plans {
        for (source, param, _, _) in of_plan.get(&p.0).into_iter().flatten() {
            reads.insert((source.clone(), param.clone()), ());
        }
    }
    let code = |source: &str, param: &str| format!("{source}:{param}");
    let indicators: Vec<domain::campaign::indicator::Indicator> = reads
        .keys()
        .map(|(source, param)| domain::campaign::indicator::Indicator {
            code: code(source, param),
            label: String::new(),
            source: source.clone(),
            param: param.clone(),
            weight: 0,
            scoring: domain::campaign::indicator::Scoring::Linear,
            target_milli: 0,
            steps: Vec::new(),
            unit: String::new(),
        })
        .collect();
    let measured = super::measure::measure(store, c, issuer, &subset, &indicators, on).await?;
    let mut out = Vec::with_capacity(plans.len());
    for (id, org_id, kind, title, from_year, to_year) in plans {
        let ts = of_plan.remove(&id).unwrap_or_default();
        let (mut reached, mut overdue) = (0, 0);
        for (source, param, target, due) in &ts {
            let hi = domain::campaign::indicator::source(source).is_none_or(|s| s.higher_is_better);
            let value = measured.get(&(org_id, code(source, param))).map_or(0.0, |m| m.value());
            match domain::campaign::plan::standing(hi, *target, value, *due, on) {
                domain::campaign::plan::Standing::Reached => reached += 1,
                domain::campaign::plan::Standing::Overdue => overdue += 1,
                _ => {}
            }
        }
        out.push(RoundPlan {
            org_id,
            plan_id: id,
            kind,
            title,
            from_year,
            to_year,
            targets: ts.len() as i64,
            reached,
            overdue,
        });
    }
    Ok(out)
}
