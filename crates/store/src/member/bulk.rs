//! Bulk reads and writes (export, import).

use crate::args;
use crate::db::{now, Store, Tx, Val};
use crate::error::StoreResult;
use crate::rollup::{self, Counts};
use crate::scope::Scope;
use chrono::NaiveDate;
use domain::member::{Member, Status, ValidMember};
use domain::path;
use serde::Serialize;
use std::collections::HashMap;

use super::*;

/// Stream every member (any status) of a subtree in tree order, in chunks, for exports.
pub async fn for_each_chunk<F>(store: &Store, scope: &Scope, org_id: i64, chunk: i64, mut f: F) -> StoreResult<()>
where
    F: FnMut(Vec<Member>) -> StoreResult<()>,
{
    let org = crate::org::get(store, scope, org_id).await?;
    let end = path::subtree_end(&org.path);
    let (mut last_path, mut last_id) = (org.path.clone(), -1i64);
    loop {
        let rows: Vec<MemberRow> = store
            .read()
            .fetch_all(
                &format!(
                    "SELECT {MEMBER_COLS} FROM member m WHERE m.path < $1 AND (m.path > $2 OR (m.path = $2 AND m.id > $3)) \
                     ORDER BY m.path, m.id LIMIT $4"
                ),
                &args![end.clone(), last_path.clone(), last_id, chunk],
            )
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let items: Vec<Member> = rows.into_iter().map(MemberRow::into_member).collect();
        let last = items.last().expect("non-empty");
        last_path = last.path.clone();
        last_id = last.id;
        let done = (items.len() as i64) < chunk;
        f(items)?;
        if done {
            return Ok(());
        }
    }
}

/// The outcome of a bulk write.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct BulkReport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A row for a bulk write: a validated member and where it goes.
#[derive(Debug, Clone)]
pub struct BulkRow {
    pub org_id: i64,
    pub org_path: String,
    pub member: ValidMember,
}

/// Why a bulk row was refused (the caller reports it against the input row).
#[derive(Debug, Clone)]
pub struct BulkReject {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// Insert or update many members inside the caller's transaction. Bulk writes do not audit each
/// row: the caller records one summary with [`crate::audit::record`] in the same transaction. A row whose ID number matches a
/// current member in scope updates that member (so re-importing a file duplicates no one); one
/// matching a member outside the scope is rejected. Roll-ups are applied once per organization.
pub async fn upsert_batch(
    tx: &mut Tx,
    scope: &Scope,
    rows: &[BulkRow],
    report: &mut BulkReport,
) -> StoreResult<Vec<BulkReject>> {
    let mut rejects = Vec::new();
    if rows.is_empty() {
        return Ok(rejects);
    }
    // existing current members with these ID numbers
    let mut existing: HashMap<String, Member> = HashMap::new();
    for chunk in rows.chunks(500) {
        let (ph, a) = crate::org::in_list(1, chunk.iter().map(|r| Val::from(r.member.id_number.clone())));
        let found: Vec<MemberRow> = tx
            .x()
            .fetch_all(
                &format!("SELECT {MEMBER_COLS} FROM member m WHERE m.status = 'normal' AND m.id_number IN ({ph})"),
                &a,
            )
            .await?;
        for r in found {
            let m = r.into_member();
            existing.insert(m.id_number.clone(), m);
        }
    }
    let mut deltas: HashMap<String, Counts> = HashMap::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    // an existing member may be written by one row of a batch only (a second row would apply its
    // roll-up change twice)
    let mut touched: HashMap<i64, usize> = HashMap::new();
    let mut inserts: Vec<&BulkRow> = Vec::new();
    let t = now();
    for (i, r) in rows.iter().enumerate() {
        let v = &r.member;
        if v.status.is_current() {
            if let Some(first) = seen.insert(&v.id_number, i) {
                rejects.push(BulkReject {
                    index: i,
                    field: "公民身份号码",
                    message: format!("与本批第 {} 行重复", first + 1),
                });
                continue;
            }
        }
        match existing.get(&v.id_number) {
            Some(old) if !scope.contains(&old.path) => {
                rejects.push(BulkReject {
                    index: i,
                    field: "公民身份号码",
                    message: "已在其他党组织登记为党员，请办理组织关系转接，不要重复登记".into(),
                });
            }
            Some(old) => {
                if let Some(first) = touched.insert(old.id, i) {
                    rejects.push(BulkReject {
                        index: i,
                        field: "公民身份号码",
                        message: format!("与本批第 {} 行是同一名党员", first + 1),
                    });
                    continue;
                }
                if old.org_id == r.org_id && old_equals(old, v) {
                    report.unchanged += 1;
                    continue;
                }
                write_row(tx, old.id, r, t).await?;
                if old.org_id != r.org_id {
                    crate::life::record_move(tx, old.id, old.org_id, r.org_id).await?;
                }
                let minus = Counts::default().minus(&Counts::of(&facts_of_member(old)));
                deltas.entry(old.path.clone()).or_default().add(&minus);
                deltas.entry(r.org_path.clone()).or_default().add(&Counts::of(&facts_of_valid(v)));
                report.updated += 1;
            }
            None => inserts.push(r),
        }
    }
    insert_many(tx, &inserts, t).await?;
    for r in &inserts {
        deltas.entry(r.org_path.clone()).or_default().add(&Counts::of(&facts_of_valid(&r.member)));
    }
    report.inserted += inserts.len() as u64;
    rollup::apply_many(tx, &deltas).await?;
    Ok(rejects)
}

/// Overwrite the stored member `id` with a bulk row.
async fn write_row(tx: &mut Tx, id: i64, r: &BulkRow, t: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
    let mut a = member_args(&r.member);
    a.extend(args![r.org_id, r.org_path.clone(), t, id]);
    tx.x()
        .execute(
            "UPDATE member SET name = $1, sex = $2, id_number = $3, ethnicity = $4, birth_date = $5, education = $6, \
             category = $7, join_date = $8, full_date = $9, job_post = $10, phone = $11, work_unit = $12, \
             residence_community = $13, occupation = $14, is_mobile = $15, mobile_to = $16, is_lost_contact = $17, \
             is_needy = $18, status = $19, status_date = $20, org_id = $21, path = $22, updated_at = $23, version = version + 1 WHERE id = $24",
            &a,
        )
        .await?;
    Ok(())
}

/// Former members (history rows: 停止党籍, 出党, 死亡, 已转出) in bulk. A row that matches a stored
/// former-member record in scope with the same ID number, status and status date updates that
/// record (or leaves it unchanged), so re-importing history duplicates no one. A row for someone
/// who is a *current* member in scope is not written: its index is returned, for the caller to
/// apply as a status change through [`upsert_batch`] or to insert as an earlier episode through
/// [`insert_new`]. The rest are inserted. Former members are not counted, so roll-ups do not
/// change. Rows are expected to be distinct by (ID number, status, status date).
pub async fn upsert_history_batch(
    tx: &mut Tx,
    scope: &Scope,
    rows: &[BulkRow],
    report: &mut BulkReport,
) -> StoreResult<Vec<usize>> {
    let mut stored: HashMap<(String, Status, Option<NaiveDate>), Member> = HashMap::new();
    let mut current: HashMap<String, String> = HashMap::new();
    let mut ids: Vec<&str> = rows.iter().map(|r| r.member.id_number.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let (ph, a) = crate::org::in_list(1, chunk.iter().map(|s| Val::from(*s)));
        let found: Vec<MemberRow> = tx
            .x()
            .fetch_all(&format!("SELECT {MEMBER_COLS} FROM member m WHERE m.id_number IN ({ph}) ORDER BY m.id"), &a)
            .await?;
        for m in found.into_iter().map(MemberRow::into_member) {
            if m.status.is_current() {
                current.insert(m.id_number.clone(), m.path.clone());
            } else if scope.contains(&m.path) {
                stored.entry((m.id_number.clone(), m.status, m.status_date)).or_insert(m);
            }
        }
    }
    let t = now();
    let mut deferred = Vec::new();
    let mut inserts: Vec<&BulkRow> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let v = &r.member;
        debug_assert!(!v.status.is_current());
        if let Some(old) = stored.get(&(v.id_number.clone(), v.status, v.status_date)) {
            if old.org_id == r.org_id && old_equals(old, v) {
                report.unchanged += 1;
            } else {
                write_row(tx, old.id, r, t).await?;
                report.updated += 1;
            }
        } else if current.get(&v.id_number).is_some_and(|p| scope.contains(p)) {
            deferred.push(i);
        } else {
            inserts.push(r);
        }
    }
    insert_many(tx, &inserts, t).await?;
    report.inserted += inserts.len() as u64;
    Ok(deferred)
}

fn old_equals(old: &Member, v: &ValidMember) -> bool {
    old.name == v.name
        && old.sex == v.sex
        && old.ethnicity == v.ethnicity
        && old.birth_date == v.birth_date
        && old.education == v.education
        && old.category == v.category
        && old.join_date == v.join_date
        && old.full_date == v.full_date
        && old.job_post == v.job_post
        && old.phone == v.phone
        && old.work_unit == v.work_unit
        && old.residence_community == v.residence_community
        && old.occupation == v.occupation
        && old.is_mobile == v.is_mobile
        && old.mobile_to == v.mobile_to
        && old.is_lost_contact == v.is_lost_contact
        && old.is_needy == v.is_needy
        && old.status == v.status
        && old.status_date == v.status_date
}

/// Multi-row INSERTs, 400 rows per statement (24 parameters a row stays under both backends'
/// parameter limits).
async fn insert_many(tx: &mut Tx, rows: &[&BulkRow], t: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
    const PER_STMT: usize = 400;
    for chunk in rows.chunks(PER_STMT) {
        let mut sql = format!("INSERT INTO member ({INSERT_COLS}) VALUES ");
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * INSERT_WIDTH);
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..INSERT_WIDTH {
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", i * INSERT_WIDTH + j + 1));
            }
            sql.push(')');
            a.extend(member_args(&r.member));
            a.extend(args![r.org_id, r.org_path.clone(), t, t]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    Ok(())
}

/// Insert validated members known to be new (demo builder): no look-ups, roll-ups in one pass.
pub async fn insert_new(tx: &mut Tx, rows: &[BulkRow]) -> StoreResult<()> {
    let refs: Vec<&BulkRow> = rows.iter().collect();
    insert_many(tx, &refs, now()).await?;
    let mut deltas: HashMap<String, Counts> = HashMap::new();
    for r in rows {
        deltas.entry(r.org_path.clone()).or_default().add(&Counts::of(&facts_of_valid(&r.member)));
    }
    rollup::apply_many(tx, &deltas).await
}
