//! Bulk writes of organization-life records (the demo builder): records with ids chosen by the
//! caller, their attendance, resolutions and attachments, and 党组 work divisions, as chunked
//! multi-row `INSERT`s inside the caller's transaction.
//!
//! The rows are the ones [`crate::life::create`] and [`crate::life::add_attachment`] would write
//! for the same checked record ([`domain::life::validate`]): the same columns, the same
//! `has_attendance` rule, the same digest. Nothing is audited per record: the builder audits the
//! build once.
//!
//! Statements stay under both backends' parameter limits (SQLite 32,766, PostgreSQL 65,535); the
//! parameters appear once and in order, so SQLite binds them as anonymous `?` (see
//! [`crate::db::lite`]) and binding stays linear. (Measured on the city demo: sending attendance
//! as one JSON array per statement, or through PostgreSQL's `COPY`, was no faster; on
//! PostgreSQL most of the time is the two foreign-key checks of every attendance row.)

use chrono::{DateTime, NaiveDate, Utc};
use domain::life::{RecordStatus, ValidRecord};

use crate::db::{Backend, Tx};
use crate::error::StoreResult;
use crate::Val;

/// Parameters per statement: under SQLite's 32,766.
const MAX_PARAMS: usize = 30_000;

const RECORD_COLS: &str = "id, org_id, path, types, title, held_on, start_time, end_time, place, host, recorder, \
    lecturer, agenda, minutes, observers, expected, present, on_leave, absent, voters_expected, voters_present, \
    has_attendance, quorum_ok, status, return_reason, submitted_at, reviewed_at, reviewed_by, created_by, created_on, \
    created_at, updated_at, belongs_to_year, lecturer_member_id";
const RECORD_WIDTH: usize = 34;

/// One record to write, checked by [`domain::life::validate`] against the roster of its date.
#[derive(Debug, Clone)]
pub struct BulkRecord {
    /// Chosen by the caller, from [`next_record_id`] on.
    pub id: i64,
    pub org_id: i64,
    pub path: String,
    pub record: ValidRecord,
    pub status: RecordStatus,
    pub return_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub created_by: String,
    pub created_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// Files kept with the record (REC-13), added by its recorder when it was entered.
    pub attachments: Vec<BulkAttachment>,
}

/// A file kept with a record: the 签到表, a photo.
#[derive(Debug, Clone)]
pub struct BulkAttachment {
    pub name: String,
    /// As [`crate::life::sniff`] finds it.
    pub mime: &'static str,
    pub content: Vec<u8>,
}

impl BulkRecord {
    /// Attendance recorded, as [`crate::life::create`] decides it.
    pub fn has_attendance(&self) -> bool {
        let v = &self.record;
        !v.attendance.is_empty() || (v.counts.expected > 0 && v.counts.present > 0)
    }
    fn updated_at(&self) -> DateTime<Utc> {
        self.reviewed_at.or(self.submitted_at).unwrap_or(self.created_at).max(self.created_at)
    }
}

/// One 党组 member's party-building work division.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkDivision {
    pub org_id: i64,
    pub member_name: String,
    pub post: String,
    pub duty: String,
    pub since: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// What a call wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub records: u64,
    pub attendance: u64,
    pub resolutions: u64,
    pub attachments: u64,
}

/// The stored findings of the whole database by kind code (the builder's summary).
pub async fn finding_counts_all(store: &crate::Store) -> StoreResult<Vec<(String, i64)>> {
    store.read().fetch_all("SELECT kind, CAST(COUNT(*) AS BIGINT) FROM life_finding GROUP BY kind", &[]).await
}

/// The first free record id.
pub async fn next_record_id(tx: &mut Tx) -> StoreResult<i64> {
    Ok(tx.x().scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM life_record", &[]).await? + 1)
}

/// `INSERT INTO table (cols) VALUES ($1, …), (…)` for `rows` rows of `width` parameters.
fn statement(head: &str, rows: usize, width: usize) -> String {
    let mut s = String::with_capacity(head.len() + rows * width * 8);
    s.push_str(head);
    let mut n = 0;
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                s.push_str(", ");
            }
            n += 1;
            s.push('$');
            s.push_str(&n.to_string());
        }
        s.push(')');
    }
    s
}

/// Multi-row statements of one table. Only a few row counts are ever used — the full size, and
/// 1,000, 100, 10 and 1 rows for what is left — so the backend's statement cache holds a handful
/// of prepared statements instead of one large one for every remainder (which cost both the
/// time to prepare each and hundreds of megabytes of cached statements).
struct Shape {
    head: String,
    width: usize,
    built: Vec<(usize, String)>,
}

impl Shape {
    fn new(table: &str, cols: &str, width: usize) -> Shape {
        Shape { head: format!("INSERT INTO {table} ({cols}) VALUES "), width, built: Vec::new() }
    }
    fn rows_per_statement(&self) -> usize {
        MAX_PARAMS / self.width
    }
    fn sql(&mut self, rows: usize) -> &str {
        let i = match self.built.iter().position(|(n, _)| *n == rows) {
            Some(i) => i,
            None => {
                self.built.push((rows, statement(&self.head, rows, self.width)));
                self.built.len() - 1
            }
        };
        &self.built[i].1
    }
    /// Insert `args.len() / width` rows.
    async fn run(&mut self, tx: &mut Tx, args: &[Val]) -> StoreResult<()> {
        debug_assert_eq!(args.len() % self.width, 0);
        let mut left = args;
        while !left.is_empty() {
            let rows = left.len() / self.width;
            let n = [self.rows_per_statement(), 1000, 100, 10, 1].into_iter().find(|n| *n <= rows).unwrap_or(1);
            let (now, rest) = left.split_at(n * self.width);
            let sql = self.sql(n);
            tx.x().execute(sql, now).await?;
            left = rest;
        }
        Ok(())
    }
}

/// Write records with their attendance and resolutions.
pub async fn insert(tx: &mut Tx, records: &[BulkRecord]) -> StoreResult<Written> {
    let mut w = Written::default();
    insert_records(tx, records, &mut w).await?;
    let mut shape =
        Shape::new("life_resolution", "record_id, seq, text, voters_expected, yes, no, abstain, method, passed", 9);
    let per = shape.rows_per_statement();
    let mut a: Vec<Val> = Vec::new();
    let mut rows = 0;
    for r in records {
        for (i, res) in r.record.resolutions.iter().enumerate() {
            a.extend([
                Val::from(r.id),
                Val::from(i as i64 + 1),
                Val::from(res.text.as_str()),
                Val::from(res.voters_expected),
                Val::from(res.yes),
                Val::from(res.no),
                Val::from(res.abstain),
                Val::from(res.method.as_str()),
                Val::from(res.passed),
            ]);
            rows += 1;
            if rows == per {
                shape.run(tx, &a).await?;
                w.resolutions += rows as u64;
                a.clear();
                rows = 0;
            }
        }
    }
    if rows > 0 {
        shape.run(tx, &a).await?;
        w.resolutions += rows as u64;
    }
    insert_attachments(tx, records, &mut w).await?;
    Ok(w)
}

/// The records' attachments, with their size and digest.
async fn insert_attachments(tx: &mut Tx, records: &[BulkRecord], w: &mut Written) -> StoreResult<()> {
    let mut shape =
        Shape::new("life_attachment", "record_id, name, mime, size, sha256, content, created_by, created_at", 8);
    // a few thousand files of a few kilobytes at a time, not one statement of megabytes
    let per = shape.rows_per_statement().min(1000);
    let mut a: Vec<Val> = Vec::new();
    let mut rows = 0;
    for r in records {
        for f in &r.attachments {
            a.extend([
                Val::from(r.id),
                Val::from(f.name.as_str()),
                Val::from(f.mime),
                Val::from(f.content.len() as i64),
                Val::from(crate::life::sha256_hex(&f.content)),
                Val::Bytes(Some(f.content.clone())),
                Val::from(r.created_by.as_str()),
                Val::from(r.created_at),
            ]);
            rows += 1;
            if rows == per {
                shape.run(tx, &a).await?;
                w.attachments += rows as u64;
                a.clear();
                rows = 0;
            }
        }
    }
    if rows > 0 {
        shape.run(tx, &a).await?;
        w.attachments += rows as u64;
    }
    Ok(())
}

/// Write 党组 work divisions.
pub async fn insert_divisions(tx: &mut Tx, rows: &[BulkDivision]) -> StoreResult<()> {
    let mut shape = Shape::new("party_division", "org_id, member_name, post, duty, since, created_at", 6);
    for chunk in rows.chunks(shape.rows_per_statement()) {
        let a: Vec<Val> = chunk
            .iter()
            .flat_map(|d| {
                [
                    Val::from(d.org_id),
                    Val::from(d.member_name.as_str()),
                    Val::from(d.post.as_str()),
                    Val::from(d.duty.as_str()),
                    Val::from(d.since),
                    Val::from(d.created_at),
                ]
            })
            .collect();
        shape.run(tx, &a).await?;
    }
    Ok(())
}

/// After writing records with explicit ids: on PostgreSQL, move the id sequence past them so
/// records entered later get fresh ids (SQLite takes the next rowid by itself).
pub async fn finish(tx: &mut Tx) -> StoreResult<()> {
    if tx.backend() == Backend::Postgres {
        tx.x()
            .execute(
                "SELECT setval(pg_get_serial_sequence('life_record', 'id'), m) FROM (SELECT MAX(id) AS m FROM life_record) x \
                 WHERE m IS NOT NULL",
                &[],
            )
            .await?;
    }
    Ok(())
}

/// Records and their attendance.
async fn insert_records(tx: &mut Tx, records: &[BulkRecord], w: &mut Written) -> StoreResult<()> {
    let mut shape = Shape::new("life_record", RECORD_COLS, RECORD_WIDTH);
    for chunk in records.chunks(shape.rows_per_statement()) {
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * RECORD_WIDTH);
        for r in chunk {
            let v = &r.record;
            a.extend([
                Val::from(r.id),
                Val::from(r.org_id),
                Val::from(r.path.as_str()),
                Val::from(v.types.join(",")),
                Val::from(v.title.as_str()),
                Val::from(v.held_on),
                Val::from(&v.start_time),
                Val::from(&v.end_time),
                Val::from(v.place.as_str()),
                Val::from(v.host.as_str()),
                Val::from(v.recorder.as_str()),
                Val::from(&v.lecturer),
                Val::from(&v.agenda),
                Val::from(&v.minutes),
                Val::from(&v.observers),
                Val::from(v.counts.expected),
                Val::from(v.counts.present),
                Val::from(v.counts.leave),
                Val::from(v.counts.absent),
                Val::from(v.counts.voters_expected),
                Val::from(v.counts.voters_present),
                Val::from(r.has_attendance()),
                Val::OptBool(v.quorum_ok),
                Val::from(r.status.code()),
                Val::from(&r.return_reason),
                Val::OptTime(r.submitted_at),
                Val::OptTime(r.reviewed_at),
                Val::from(&r.reviewed_by),
                Val::from(r.created_by.as_str()),
                Val::from(r.created_on),
                Val::from(r.created_at),
                Val::from(r.updated_at()),
                Val::from(v.belongs_to_year.map(i64::from)),
                Val::from(v.lecturer_member_id),
            ]);
        }
        shape.run(tx, &a).await?;
        w.records += chunk.len() as u64;
    }

    let mut shape = Shape::new("life_attendance", "record_id, member_id, name, is_voter, status, reason", 6);
    let per = shape.rows_per_statement();
    let mut a: Vec<Val> = Vec::with_capacity(per * 6);
    let mut rows = 0;
    for r in records {
        for at in &r.record.attendance {
            a.extend([
                Val::from(r.id),
                Val::from(at.member_id),
                Val::from(at.name.as_str()),
                Val::from(at.voter),
                Val::from(at.status.code()),
                Val::Text((!at.reason.is_empty()).then(|| at.reason.clone())),
            ]);
            rows += 1;
            if rows == per {
                shape.run(tx, &a).await?;
                w.attendance += rows as u64;
                a.clear();
                rows = 0;
            }
        }
    }
    if rows > 0 {
        shape.run(tx, &a).await?;
        w.attendance += rows as u64;
    }

    Ok(())
}

/// The records (not drafts) of the organizations `org_ids` held in `[from, to]`: (id, organization,
/// held on, type codes, 列席人员) — for the demo builder writing who sat in.
pub async fn records_of(
    store: &crate::Store,
    org_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<(i64, i64, NaiveDate, String, Option<String>)>> {
    let mut out = Vec::new();
    for chunk in org_ids.chunks(500) {
        let mut a: Vec<Val> = vec![Val::from(from), Val::from(to)];
        a.extend(chunk.iter().map(|i| Val::from(*i)));
        let ph: Vec<String> = (3..3 + chunk.len()).map(|i| format!("${i}")).collect();
        let rows: Vec<(i64, i64, NaiveDate, String, Option<String>)> = store
            .read()
            .fetch_all(
                &format!(
                    "SELECT id, org_id, held_on, types, observers FROM life_record WHERE held_on >= $1 AND held_on <= $2 \
                     AND status <> 'draft' AND org_id IN ({}) ORDER BY org_id, held_on, id",
                    ph.join(", ")
                ),
                &a,
            )
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Write the 列席人员 of records (the demo builder: the branches' contacts sitting in), in one
/// transaction; not audited per record, like the rest of the builder's writes.
pub async fn set_observers(store: &crate::Store, rows: &[(i64, String)]) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    for (id, observers) in rows {
        tx.x()
            .execute(
                "UPDATE life_record SET observers = $1 WHERE id = $2",
                &[Val::from(observers.clone()), Val::from(*id)],
            )
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::statement;

    #[test]
    fn statements_number_parameters_in_order() {
        assert_eq!(statement("INSERT INTO t (a, b) VALUES ", 2, 2), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert_eq!(crate::db::lite(&statement("X ", 2, 3)), "X (?, ?, ?), (?, ?, ?)");
    }
}
