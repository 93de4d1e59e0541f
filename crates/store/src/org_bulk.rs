//! Bulk writes of a generated subtree (the demo builder) and the whole-tree reads it starts
//! from: multi-row `INSERT`s of organizations one level at a time (each statement returning the
//! new ids with their paths), their `org_stats` rows (zero counts; members' roll-ups are added by
//! [`crate::member::insert_new`]) and their facilities, inside the caller's transaction.
//!
//! The parameters appear once and in order, so SQLite binds them as anonymous `?` (see
//! [`crate::db::lite`]) and binding stays linear. Nothing is audited per row: the builder audits
//! the build once.

use chrono::NaiveDate;
use domain::org::{Facility, ValidOrg};

use crate::db::{now, Store, Tx};
use crate::error::StoreResult;
use crate::Val;

/// Most organizations one [`insert_orgs`] call takes (20 parameters each).
pub const MAX_ORG_ROWS: usize = 200;
/// Rows per statement of the narrower tables.
const SMALL_ROWS: usize = 500;

fn placeholders(rows: usize, width: usize) -> String {
    let mut s = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..width {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(r * width + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// One organization to write: its place in the tree and its checked fields.
pub struct BulkOrg<'a> {
    pub parent_id: Option<i64>,
    pub path: &'a str,
    pub next_child: i64,
    pub org: &'a ValidOrg,
}

/// Write up to [`MAX_ORG_ROWS`] organizations (parents already written) in one statement; the
/// new (id, path) pairs, in no particular order.
pub async fn insert_orgs(tx: &mut Tx, rows: &[BulkOrg<'_>]) -> StoreResult<Vec<(i64, String)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    debug_assert!(rows.len() <= MAX_ORG_ROWS);
    let sql = format!(
        "INSERT INTO org (parent_id, path, next_child, name, short_name, kind, sector, region_code, formed_by, founded_on, \
         has_committee, term_number, term_start, term_end, secretary, contact_phone, address, annual_funds, created_at, \
         updated_at) VALUES {} RETURNING id, path",
        placeholders(rows.len(), 20)
    );
    let now = now();
    let mut args: Vec<Val> = Vec::with_capacity(rows.len() * 20);
    for r in rows {
        let v = r.org;
        args.extend([
            Val::I64(r.parent_id),
            Val::from(r.path),
            Val::from(r.next_child),
            Val::from(v.name.as_str()),
            Val::from(v.short_name.clone()),
            Val::from(v.kind.code()),
            Val::from(v.sector.code()),
            Val::from(v.region_code.clone()),
            Val::from(v.formed_by.code()),
            Val::from(v.founded_on),
            Val::from(v.has_committee),
            Val::from(v.term_number),
            Val::from(v.term_start),
            Val::from(v.term_end),
            Val::from(v.secretary.clone()),
            Val::from(v.contact_phone.clone()),
            Val::from(v.address.clone()),
            Val::from(v.annual_funds),
            Val::from(now),
            Val::from(now),
        ]);
    }
    tx.x().fetch_all(&sql, &args).await
}

/// The empty `org_stats` rows of newly written organizations, as (id, path).
pub async fn insert_stats_rows(tx: &mut Tx, rows: &[(i64, &str)]) -> StoreResult<()> {
    for chunk in rows.chunks(SMALL_ROWS) {
        let sql = format!("INSERT INTO org_stats (org_id, path) VALUES {}", placeholders(chunk.len(), 2));
        let args: Vec<Val> = chunk.iter().flat_map(|(id, p)| [Val::from(*id), Val::from(*p)]).collect();
        tx.x().execute(&sql, &args).await?;
    }
    Ok(())
}

/// The facilities of newly written organizations, as (organization id, facility).
pub async fn insert_facilities(tx: &mut Tx, rows: &[(i64, &Facility)]) -> StoreResult<()> {
    for chunk in rows.chunks(SMALL_ROWS / 2) {
        let sql =
            format!("INSERT INTO org_facility (org_id, kind, status, year) VALUES {}", placeholders(chunk.len(), 4));
        let args: Vec<Val> = chunk
            .iter()
            .flat_map(|(id, f)| {
                [Val::from(*id), Val::from(f.kind.code()), Val::from(f.status.code()), Val::from(f.year)]
            })
            .collect();
        tx.x().execute(&sql, &args).await?;
    }
    Ok(())
}

/// Record how many children a subtree gave an organization written earlier.
pub async fn set_next_child(tx: &mut Tx, id: i64, next: i64) -> StoreResult<()> {
    tx.x().execute("UPDATE org SET next_child = $1 WHERE id = $2", &[Val::from(next), Val::from(id)]).await?;
    Ok(())
}

/// How many organizations the database holds, dissolved ones included (the builder writes only
/// into an empty database).
pub async fn org_count(store: &Store) -> StoreResult<i64> {
    store.read().scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM org", &[]).await
}

/// Every live organization, in path order: (id, parent id, path, name, short name, kind code,
/// sector code, has committee, founded on, secretary).
pub type OrgLine =
    (i64, Option<i64>, String, String, Option<String>, String, Option<String>, bool, Option<NaiveDate>, Option<String>);

/// The live organizations of the whole tree, for the builder's year of organization life.
pub async fn live_orgs(tx: &mut Tx) -> StoreResult<Vec<OrgLine>> {
    tx.x()
        .fetch_all(
            "SELECT id, parent_id, path, name, short_name, kind, sector, has_committee, founded_on, secretary FROM org \
             WHERE dissolved_on IS NULL ORDER BY path",
            &[],
        )
        .await
}

/// A member as the builder reads it back: (id, organization id, name, category code, joined on,
/// full member since, party post, status code, status date, mobile, lost contact, birth date).
pub type MemberLine = (
    i64,
    i64,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<String>,
    String,
    Option<NaiveDate>,
    bool,
    bool,
    NaiveDate,
);

/// Every member of the database, by id.
pub async fn all_members(tx: &mut Tx) -> StoreResult<Vec<MemberLine>> {
    tx.x()
        .fetch_all(
            "SELECT id, org_id, name, category, join_date, full_date, job_post, status, status_date, is_mobile, \
             is_lost_contact, birth_date FROM member ORDER BY id",
            &[],
        )
        .await
}
