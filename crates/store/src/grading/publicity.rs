//! Publicity, objections, final grades and their reviews, and a member's own grades.

use super::*;

/// Put every graded entry of a cycle in publicity from `today` for the scheme's publicity days.
pub async fn publish(
    store: &Store,
    scope: &Scope,
    root: &Visible<Org>,
    c: &Cycle,
    today: NaiveDate,
) -> StoreResult<Cycle> {
    if root.id != c.org_id {
        return Err(StoreError::NotFound("定级工作"));
    }
    let scheme = scheme_version(store, c.scheme_version_id).await?.scheme()?;
    let waiting: i64 = store
        .read()
        .scalar("SELECT COUNT(*) FROM grade_entry WHERE cycle_id = $1 AND state IN ('open', 'returned')", &args![c.id])
        .await?;
    if waiting > 0 {
        return Err(StoreError::Refused(format!("还有 {waiting} 个党组织尚未计算等次，请先计算等次再公示")));
    }
    if c.publicity_on.is_some() {
        return Err(StoreError::Refused("本次定级已公示".into()));
    }
    let end = today + Duration::days(scheme.publicity_days - 1);
    let mut tx = store.begin().await?;
    tx.x()
        .execute(
            "UPDATE grade_cycle SET publicity_on = $1, publicity_end_on = $2 WHERE id = $3",
            &args![today, end, c.id],
        )
        .await?;
    let n = tx
        .x()
        .execute(
            "UPDATE grade_entry SET state = 'publicity', updated_at = $1, version = version + 1 WHERE cycle_id = $2 AND state = 'graded'",
            &args![now(), c.id],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.publish",
        &format!("grade_cycle:{}", c.id),
        "ok",
        json!({ "from": today, "to": end, "days": scheme.publicity_days, "entries": n }),
    )
    .await?;
    tx.commit().await?;
    cycle(store, scope, c.id).await
}

/// Raise an objection to an entry in publicity (its window open on `today`). Anonymous: the
/// assessors do not see who raised it (the audit trail keeps the account, for the 审计管理员).
pub async fn object(
    store: &Store,
    scope: &Scope,
    entry_id: i64,
    anonymous: bool,
    body: &str,
    today: NaiveDate,
) -> StoreResult<Objection> {
    let (c, e) = entry(store, scope, entry_id).await?;
    if e.state() != EntryState::Publicity || !c.in_publicity(today) {
        return Err(StoreError::Refused(format!("{}的等次不在公示期内，不能提出异议", e.org_name)));
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(invalid("异议内容", "请写明异议内容"));
    }
    if body.chars().count() > 1000 {
        return Err(invalid("异议内容", "异议内容不超过 1000 字"));
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO grade_objection (entry_id, raised_by, is_anonymous, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &args![e.id, (!anonymous).then(|| scope.actor().name.clone()), anonymous, body, now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.objection",
        &format!("grade_entry:{}", e.id),
        "ok",
        json!({ "objection": id, "anonymous": anonymous }),
    )
    .await?;
    tx.commit().await?;
    objection(store, id).await
}

async fn objection(store: &Store, id: i64) -> StoreResult<Objection> {
    store
        .read()
        .fetch_optional(
            "SELECT id, entry_id, raised_by, is_anonymous, body, answer, answered_by, answered_at, created_at \
             FROM grade_objection WHERE id = $1",
            &args![id],
        )
        .await?
        .ok_or(StoreError::NotFound("异议"))
}

pub async fn objections(store: &Store, e: &Entry) -> StoreResult<Vec<Objection>> {
    store
        .read()
        .fetch_all(
            "SELECT id, entry_id, raised_by, is_anonymous, body, answer, answered_by, answered_at, created_at \
             FROM grade_objection WHERE entry_id = $1 ORDER BY id",
            &args![e.id],
        )
        .await
}

/// An objection with its entry, for the list of a cycle's objections.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CycleObjection {
    pub id: i64,
    pub entry_id: i64,
    pub org_name: String,
    pub raised_by: Option<String>,
    pub is_anonymous: bool,
    pub body: String,
    pub answer: String,
    pub answered_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The objections to entries of a cycle the caller sees, unanswered first.
pub async fn cycle_objections(store: &Store, scope: &Scope, c: &Cycle) -> StoreResult<Vec<CycleObjection>> {
    let (sc, mut a) = scope_sql(scope, "o.path", 2);
    let mut all = vec![Val::from(c.id)];
    all.append(&mut a);
    store
        .read()
        .fetch_all(
            &format!(
                "SELECT j.id, j.entry_id, o.name AS org_name, j.raised_by, j.is_anonymous, j.body, j.answer, j.answered_by, j.created_at \
                 FROM grade_objection j JOIN grade_entry e ON e.id = j.entry_id JOIN org o ON o.id = e.org_id \
                 WHERE e.cycle_id = $1 AND {sc} ORDER BY CASE WHEN j.answered_by IS NULL THEN 0 ELSE 1 END, j.id"
            ),
            &all,
        )
        .await
}

/// Answer an objection (once).
pub async fn answer(store: &Store, scope: &Scope, objection_id: i64, text: &str) -> StoreResult<Objection> {
    let o = objection(store, objection_id).await?;
    let (_, e) = entry(store, scope, o.entry_id).await.map_err(|_| StoreError::NotFound("异议"))?;
    if text.trim().is_empty() {
        return Err(invalid("答复", "请填写答复内容"));
    }
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE grade_objection SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answered_by IS NULL",
            &args![text.trim(), scope.actor().name.clone(), now(), o.id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该异议已答复".into()));
    }
    crate::audit::record(
        &mut tx,
        scope,
        "grading.answer",
        &format!("grade_entry:{}", e.id),
        "ok",
        json!({ "objection": o.id, "answer": text.trim() }),
    )
    .await?;
    tx.commit().await?;
    objection(store, o.id).await
}

/// Make the grades of a cycle final: only after its publicity window has closed (`today` after
/// its last day) and every objection is answered.
pub async fn finalize(
    store: &Store,
    scope: &Scope,
    root: &Visible<Org>,
    c: &Cycle,
    today: NaiveDate,
) -> StoreResult<usize> {
    if root.id != c.org_id {
        return Err(StoreError::NotFound("定级工作"));
    }
    let Some(end) = c.publicity_end_on else {
        return Err(StoreError::Refused("尚未公示，公示期满后才能确定等次".into()));
    };
    if today <= end {
        return Err(StoreError::Refused(format!("公示期至 {end} 结束，期满后才能确定等次")));
    }
    let open: i64 = store
        .read()
        .scalar(
            "SELECT COUNT(*) FROM grade_objection j JOIN grade_entry e ON e.id = j.entry_id \
             WHERE e.cycle_id = $1 AND j.answered_by IS NULL",
            &args![c.id],
        )
        .await?;
    if open > 0 {
        return Err(StoreError::Refused(format!("还有 {open} 条异议未答复，全部答复后才能确定等次")));
    }
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE grade_entry SET state = 'final', is_final = $1, updated_at = $2, version = version + 1 \
             WHERE cycle_id = $3 AND state = 'publicity'",
            &args![true, now(), c.id],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.finalize",
        &format!("grade_cycle:{}", c.id),
        "ok",
        json!({ "entries": n }),
    )
    .await?;
    tx.commit().await?;
    Ok(n as usize)
}

/// Change a final grade on review, recording the old grade, the new one and the reason.
pub async fn review(store: &Store, scope: &Scope, entry_id: i64, new_grade: &str, reason: &str) -> StoreResult<Review> {
    let (c, e) = entry(store, scope, entry_id).await?;
    if e.state() != EntryState::Final {
        return Err(StoreError::Refused(format!("{}的等次{}，确定后才能复核", e.org_name, e.state_label())));
    }
    let scheme = scheme_version(store, c.scheme_version_id).await?.scheme()?;
    let mut errs = FieldErrors::default();
    if scheme.position(new_grade).is_none() {
        errs.push(
            "复核等次",
            format!(
                "请从本方案的等次中选择（{}）",
                scheme.bands.iter().map(|b| b.label.as_str()).collect::<Vec<_>>().join("、")
            ),
        );
    }
    if reason.trim().is_empty() {
        errs.push("复核理由", "请写明复核理由");
    }
    let old = e.grade.clone().unwrap_or_default();
    if errs.is_empty() && old == new_grade {
        errs.push("复核等次", "复核等次与原等次相同");
    }
    if !errs.is_empty() {
        return Err(errs.into());
    }
    let mut tx = store.begin().await?;
    let t = now();
    let n = tx
        .x()
        .execute(
            "UPDATE grade_entry SET grade = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND grade = $4",
            &args![new_grade, t, e.id, old.clone()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("等次"));
    }
    let id = tx
        .x()
        .scalar(
            "INSERT INTO grade_review (entry_id, old_grade, new_grade, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![e.id, old.clone(), new_grade, reason.trim(), scope.actor().name.clone(), t],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.review",
        &format!("grade_entry:{}", e.id),
        "ok",
        json!({ "org": e.org_id, "old": old, "new": new_grade, "reason": reason.trim() }),
    )
    .await?;
    tx.commit().await?;
    store
        .read()
        .fetch_one(
            "SELECT id, entry_id, old_grade, new_grade, reason, created_by, created_at FROM grade_review WHERE id = $1",
            &args![id],
        )
        .await
}

pub async fn reviews(store: &Store, e: &Entry) -> StoreResult<Vec<Review>> {
    store
        .read()
        .fetch_all(
            "SELECT id, entry_id, old_grade, new_grade, reason, created_by, created_at FROM grade_review WHERE entry_id = $1 ORDER BY id",
            &args![e.id],
        )
        .await
}

/// The latest entry of an organization the caller sees in publicity or final (what a member sees
/// of their own organization).
pub async fn own_entries(store: &Store, scope: &Scope, limit: i64) -> StoreResult<Vec<Entry>> {
    let (sc, a) = scope_sql(scope, "o.path", 1);
    let mut all = a;
    all.push(Val::from(limit));
    let n = all.len();
    store
        .read()
        .fetch_all(
            &format!(
                "SELECT {ENTRY_COLS} FROM {ENTRY_FROM} WHERE e.state IN ('publicity', 'final') AND {sc} \
                 ORDER BY e.updated_at DESC, e.id DESC LIMIT ${n}"
            ),
            &all,
        )
        .await
}
