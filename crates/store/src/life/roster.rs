//! The roster on a date.

use crate::args;
use crate::db::{lite, now, Exec, Store, Tx};
use crate::error::StoreResult;
use crate::scope::Scope;
use chrono::NaiveDate;
use domain::life::{self as dl, RosterEntry};
use domain::org::Org;
use domain::path;
use std::collections::{HashMap, HashSet};

/// Note a member's move between organizations (inside the moving transaction).
pub async fn record_move(tx: &mut Tx, member_id: i64, from_org: i64, to_org: i64) -> StoreResult<()> {
    let t = now();
    let today = t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).date_naive();
    tx.x()
        .execute(
            "INSERT INTO member_move (member_id, from_org_id, to_org_id, on_date, created_at) VALUES ($1, $2, $3, $4, $5)",
            &args![member_id, from_org, to_org, today, t],
        )
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RosterRow {
    id: i64,
    org_id: i64,
    name: String,
    category: String,
    join_date: NaiveDate,
    full_date: Option<NaiveDate>,
    job_post: Option<String>,
    status: String,
    status_date: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct MoveRow {
    member_id: i64,
    from_org_id: i64,
    on_date: NaiveDate,
}

/// The members of an organization's subtree (a branch with its 党小组) on a date: who had joined
/// the party, had not left it, and belonged there then (moves since are undone), in roster order.
pub async fn roster(store: &Store, scope: &Scope, org_id: i64, on: NaiveDate) -> StoreResult<Vec<RosterEntry>> {
    let org = crate::org::get(store, scope, org_id).await?;
    roster_of(store.read(), &org, on).await
}

pub(crate) async fn roster_of(exec: Exec<'_>, org: &Org, on: NaiveDate) -> StoreResult<Vec<RosterEntry>> {
    if !org.kind.holds_members() {
        return Ok(vec![]);
    }
    let end = path::subtree_end(&org.path);
    // organizations of the subtree (dissolved ones too: members may have left them since)
    let sql = "SELECT id FROM org WHERE path >= $1 AND path < $2";
    let cols = "m.id, m.org_id, m.name, m.category, m.join_date, m.full_date, m.job_post, m.status, m.status_date";
    let (org_ids, mut rows, moves): (Vec<(i64,)>, Vec<RosterRow>, Vec<MoveRow>) = match exec {
        Exec::Sqlite(c) => {
            let ids = sqlx::query_as(&lite(sql)).bind(&org.path).bind(&end).fetch_all(&mut *c).await?;
            let rows = fetch_candidates(Exec::Sqlite(c), cols, &org.path, &end, on).await?;
            (ids, rows.0, rows.1)
        }
        Exec::Pg(c) => {
            let ids = sqlx::query_as(sql).bind(&org.path).bind(&end).fetch_all(&mut *c).await?;
            let rows = fetch_candidates(Exec::Pg(c), cols, &org.path, &end, on).await?;
            (ids, rows.0, rows.1)
        }
        Exec::SqlitePool(p) => {
            let ids = sqlx::query_as(&lite(sql)).bind(&org.path).bind(&end).fetch_all(p).await?;
            let rows = fetch_candidates(Exec::SqlitePool(p), cols, &org.path, &end, on).await?;
            (ids, rows.0, rows.1)
        }
        Exec::PgPool(p) => {
            let ids = sqlx::query_as(sql).bind(&org.path).bind(&end).fetch_all(p).await?;
            let rows = fetch_candidates(Exec::PgPool(p), cols, &org.path, &end, on).await?;
            (ids, rows.0, rows.1)
        }
    };
    let inside: HashSet<i64> = org_ids.into_iter().map(|r| r.0).collect();
    // where each member was on `on`: the origin of their earliest move after it, else where they are
    let mut first_move: HashMap<i64, &MoveRow> = HashMap::new();
    for m in &moves {
        first_move
            .entry(m.member_id)
            .and_modify(|x| {
                if m.on_date < x.on_date {
                    *x = m
                }
            })
            .or_insert(m);
    }
    let current = |r: &RosterRow| r.join_date <= on && (r.status == "normal" || r.status_date.is_some_and(|d| d > on));
    rows.retain(|r| {
        let org_then = first_move.get(&r.id).map_or(r.org_id, |m| m.from_org_id);
        inside.contains(&org_then) && current(r)
    });
    rows.sort_by(|a, b| a.join_date.cmp(&b.join_date).then(a.id.cmp(&b.id)));
    rows.dedup_by_key(|r| r.id);
    Ok(rows
        .into_iter()
        .map(|r| {
            let voter = r.category == "full" && r.full_date.is_none_or(|d| d <= on);
            RosterEntry {
                member_id: r.id,
                committee: r.job_post.as_deref().is_some_and(dl::is_committee_post),
                name: r.name,
                voter,
            }
        })
        .collect())
}

/// Members now in the subtree, plus those who moved out of it after `on`; and the moves after `on`
/// of all of them.
async fn fetch_candidates(
    exec: Exec<'_>,
    cols: &str,
    p: &str,
    end: &str,
    on: NaiveDate,
) -> StoreResult<(Vec<RosterRow>, Vec<MoveRow>)> {
    let members = format!(
        "SELECT {cols} FROM member m WHERE m.path >= $1 AND m.path < $2 \
         UNION SELECT {cols} FROM member m JOIN member_move mv ON mv.member_id = m.id \
         JOIN org f ON f.id = mv.from_org_id WHERE f.path >= $1 AND f.path < $2 AND mv.on_date > $3"
    );
    let moves =
        "SELECT mv.member_id, mv.from_org_id, mv.on_date FROM member_move mv JOIN member m ON m.id = mv.member_id \
                 LEFT JOIN org f ON f.id = mv.from_org_id WHERE mv.on_date > $3 \
                 AND ((m.path >= $1 AND m.path < $2) OR (f.path >= $1 AND f.path < $2))";
    let a = args![p, end, on];
    match exec {
        Exec::Sqlite(c) => {
            let rows = Exec::Sqlite(&mut *c).fetch_all(&members, &a).await?;
            let mv = Exec::Sqlite(c).fetch_all(moves, &a).await?;
            Ok((rows, mv))
        }
        Exec::Pg(c) => {
            let rows = Exec::Pg(&mut *c).fetch_all(&members, &a).await?;
            let mv = Exec::Pg(c).fetch_all(moves, &a).await?;
            Ok((rows, mv))
        }
        Exec::SqlitePool(pool) => Ok((
            Exec::SqlitePool(pool).fetch_all(&members, &a).await?,
            Exec::SqlitePool(pool).fetch_all(moves, &a).await?,
        )),
        Exec::PgPool(pool) => {
            Ok((Exec::PgPool(pool).fetch_all(&members, &a).await?, Exec::PgPool(pool).fetch_all(moves, &a).await?))
        }
    }
}
