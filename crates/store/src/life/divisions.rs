//! 党组 work divisions.

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use chrono::NaiveDate;
use domain::org::OrgKind;
use domain::FieldErrors;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Division {
    pub id: i64,
    pub org_id: i64,
    pub member_name: String,
    pub post: String,
    pub duty: String,
    pub since: NaiveDate,
}

/// The work division of a 党组 in scope.
pub async fn divisions(store: &Store, scope: &Scope, org_id: i64) -> StoreResult<Vec<Division>> {
    let org = crate::org::get(store, scope, org_id).await?;
    store
        .read()
        .fetch_all(
            "SELECT id, org_id, member_name, post, duty, since FROM party_division WHERE org_id = $1 ORDER BY id",
            &args![org.id],
        )
        .await
}

/// A division entry as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DivisionInput {
    pub member_name: String,
    pub post: String,
    pub duty: String,
    pub since: String,
}

/// Record one member's party-building work division for a 党组 in scope. Audited.
pub async fn add_division(store: &Store, scope: &Scope, org_id: i64, input: &DivisionInput) -> StoreResult<i64> {
    let org = crate::org::get(store, scope, org_id).await?;
    let mut e = FieldErrors::default();
    if org.kind != OrgKind::LeadingGroup {
        e.push("党组织", "党建工作分工只为党组登记");
    }
    for (v, f, max) in [(&input.member_name, "姓名", 30), (&input.post, "职务", 40), (&input.duty, "分工", 500)] {
        if v.trim().is_empty() {
            e.push(f, format!("请填写{f}"));
        } else if v.trim().chars().count() > max {
            e.push(f, format!("不能超过 {max} 字"));
        }
    }
    let since = domain::dates::parse_date(&input.since).map_err(|m| e.push("起始日期", m)).ok();
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO party_division (org_id, member_name, post, duty, since, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![org.id, input.member_name.trim(), input.post.trim(), input.duty.trim(), since, now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.division.add",
        &format!("org:{}", org.id),
        "ok",
        json!({ "division": id, "name": input.member_name.trim(), "post": input.post.trim(), "duty": input.duty.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Remove a division entry of a 党组 in scope. Audited.
pub async fn delete_division(store: &Store, scope: &Scope, org_id: i64, id: i64) -> StoreResult<()> {
    let list = divisions(store, scope, org_id).await?;
    let d = list.into_iter().find(|d| d.id == id).ok_or(StoreError::NotFound("分工"))?;
    let mut tx = store.begin().await?;
    tx.x().execute("DELETE FROM party_division WHERE id = $1", &args![id]).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.division.delete",
        &format!("org:{org_id}"),
        "ok",
        json!({ "division": id, "name": d.member_name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
