//! Backends, connections, transactions and the one query path both backends share.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow, Postgres};
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, FromRow, Transaction};

use crate::error::StoreResult;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Clone, Debug)]
enum Pools {
    /// One writer connection (SQLite allows one writer; serialising in-process means no
    /// "database is locked" between our own writers) and a pool of read-only connections.
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
        direct: std::sync::Arc<Direct>,
        path: PathBuf,
    },
    Pg(PgPool),
}

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pools: Pools,
    /// The audit chain's key and checkpoint file ([`crate::audit::attach`]); without them the
    /// store can read but not append to the audit trail.
    audit: Option<std::sync::Arc<crate::audit::Setup>>,
    /// What is kept in memory between reads of this database (whole-subtree views brought up to
    /// date by what changed since: see [`crate::generation::changed_since`]).
    kept: std::sync::Arc<crate::kept::Kept>,
    /// On PostgreSQL, the live sessions and data generations kept in this process and brought up
    /// to date by the database's notifications ([`crate::listen`]).
    live: Option<std::sync::Arc<crate::listen::Live>>,
}

/// A value bound to a query parameter. Both backends accept every variant.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    I64(Option<i64>),
    Text(Option<String>),
    Date(Option<NaiveDate>),
    Bool(bool),
    OptBool(Option<bool>),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
    Bytes(Option<Vec<u8>>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I64(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::I64(v)
    }
}
impl From<i32> for Val {
    fn from(v: i32) -> Self {
        Val::I64(Some(v as i64))
    }
}
impl From<Option<i32>> for Val {
    fn from(v: Option<i32>) -> Self {
        Val::I64(v.map(|v| v as i64))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_string))
    }
}
impl From<&Option<String>> for Val {
    fn from(v: &Option<String>) -> Self {
        Val::Text(v.clone())
    }
}
impl From<NaiveDate> for Val {
    fn from(v: NaiveDate) -> Self {
        Val::Date(Some(v))
    }
}
impl From<Option<NaiveDate>> for Val {
    fn from(v: Option<NaiveDate>) -> Self {
        Val::Date(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}
impl From<Option<DateTime<Utc>>> for Val {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Val::OptTime(v)
    }
}
impl From<Option<bool>> for Val {
    fn from(v: Option<bool>) -> Self {
        Val::OptBool(v)
    }
}
impl From<DateTime<Utc>> for Val {
    fn from(v: DateTime<Utc>) -> Self {
        Val::Time(v)
    }
}

/// The same values as sqlx binds them on SQLite (dates as `YYYY-MM-DD`, times as RFC 3339 with
/// the fraction sqlx writes, flags as 0/1), for [`Store::direct`] reads.
impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Val::I64(Some(v)) => ToSqlOutput::Owned(Value::Integer(*v)),
            Val::Text(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Val::Date(Some(d)) => ToSqlOutput::Owned(Value::Text(d.format("%Y-%m-%d").to_string())),
            Val::Bool(b) | Val::OptBool(Some(b)) => ToSqlOutput::Owned(Value::Integer(*b as i64)),
            Val::Time(t) | Val::OptTime(Some(t)) => {
                ToSqlOutput::Owned(Value::Text(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)))
            }
            Val::Bytes(Some(b)) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Val::I64(None)
            | Val::Text(None)
            | Val::Date(None)
            | Val::OptBool(None)
            | Val::OptTime(None)
            | Val::Bytes(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

/// A `YYYY-MM-DD` column of a [`Store::direct`] read (without chrono's general format parser,
/// which a 50-row page called 150 times).
pub(crate) fn direct_date(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
    direct_opt_date(row, i)?.ok_or(rusqlite::Error::InvalidColumnType(i, "date".into(), rusqlite::types::Type::Null))
}

/// A time column of a [`Store::direct`] read, as sqlx writes them (`2026-11-21T08:00:00.123456789+00:00`),
/// read without chrono's general format parser; anything else through rusqlite's reading.
pub(crate) fn direct_time(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    match direct_opt_time(row, i)? {
        Some(t) => Ok(t),
        None => Err(rusqlite::Error::InvalidColumnType(i, "time".into(), rusqlite::types::Type::Null)),
    }
}

/// A nullable [`direct_time`].
pub(crate) fn direct_opt_time(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    use rusqlite::types::ValueRef;
    let t = match row.get_ref(i)? {
        ValueRef::Null => return Ok(None),
        ValueRef::Text(t) => t,
        _ => return row.get(i),
    };
    Ok(Some(match fast_utc(t) {
        Some(v) => v,
        None => row.get(i)?,
    }))
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]+00:00` (or `Z`) in UTC, or `None` for any other shape.
fn fast_utc(t: &[u8]) -> Option<DateTime<Utc>> {
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        t.get(r)?.iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    if t.len() < 20 || t[4] != b'-' || t[7] != b'-' || t[10] != b'T' || t[13] != b':' || t[16] != b':' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut k = 19;
    let mut nanos = 0u32;
    if t[k] == b'.' {
        let start = k + 1;
        k = start;
        while k < t.len() && t[k].is_ascii_digit() {
            k += 1;
        }
        let digits = k - start;
        if digits == 0 || digits > 9 {
            return None;
        }
        nanos = num(start..k)? * 10u32.pow((9 - digits) as u32);
    }
    match &t[k..] {
        b"+00:00" | b"Z" => {}
        _ => return None,
    }
    let time = chrono::NaiveTime::from_hms_nano_opt(h, mi, sec, nanos)?;
    Some(date.and_time(time).and_utc())
}

/// A nullable `YYYY-MM-DD` column of a [`Store::direct`] read.
pub(crate) fn direct_opt_date(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    use rusqlite::types::ValueRef;
    let bad = || rusqlite::Error::InvalidColumnType(i, "date".into(), rusqlite::types::Type::Text);
    match row.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => {
            let d = |r: std::ops::Range<usize>| -> Option<u32> {
                t.get(r)?.iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
            };
            if t.len() == 10 && t[4] == b'-' && t[7] == b'-' {
                if let (Some(y), Some(m), Some(dd)) = (d(0..4), d(5..7), d(8..10)) {
                    return NaiveDate::from_ymd_opt(y as i32, m, dd).map(Some).ok_or_else(bad);
                }
            }
            // anything else SQLite may hold, the way sqlx would read it
            std::str::from_utf8(t)
                .ok()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .map(Some)
                .ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// `args![a, b, c]` builds an array of `Val` (use `.to_vec()` or `Vec::from` where a `Vec` is needed).
#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => { [$($crate::Val::from($a)),*] };
}

/// A row type that decodes from both backends.
pub trait DbRow: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> DbRow for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Val::I64(v) => q.bind(*v),
                Val::Text(v) => q.bind(v.as_deref()),
                Val::Date(v) => q.bind(*v),
                Val::Bool(v) => q.bind(*v),
                Val::OptBool(v) => q.bind(*v),
                Val::Time(v) => q.bind(*v),
                Val::OptTime(v) => q.bind(*v),
                Val::Bytes(v) => q.bind(v.as_deref()),
            };
        }
        q
    }};
}

/// SQLite reads `$1` as a named parameter; `?1` is its numbered form, which is what we mean. When
/// every parameter appears once and in order (`$1, $2, …`), plain `?` is written instead: sqlx
/// resolves numbered names by a linear scan, which makes binding a 400-row multi-row INSERT
/// (9,600 parameters) quadratic, while anonymous `?` binds in order.
pub(crate) fn lite(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut nums = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            nums.push(sql[start..j].parse::<usize>().unwrap_or(0));
            i = j;
        } else {
            i += 1;
        }
    }
    if nums.iter().enumerate().all(|(k, n)| *n == k + 1) {
        let mut out = String::with_capacity(sql.len());
        let mut chars = sql.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c == '$' {
                out.push('?');
                while chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
                    chars.next();
                }
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.replace('$', "?")
    }
}

/// Where a query runs: a pool (reads) or a transaction's connection.
pub enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    Sqlite(&'a mut SqliteConnection),
    PgPool(&'a PgPool),
    Pg(&'a mut PgConnection),
}

impl Exec<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Exec::SqlitePool(_) | Exec::Sqlite(_) => Backend::Sqlite,
            Exec::PgPool(_) | Exec::Pg(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn execute(self, sql: &str, args: &[Val]) -> StoreResult<u64> {
        Ok(match self {
            Exec::SqlitePool(p) => {
                let s = lite(sql);
                bind_all!(sqlx::query(&s), args).execute(p).await?.rows_affected()
            }
            Exec::Sqlite(c) => {
                let s = lite(sql);
                bind_all!(sqlx::query(&s), args).execute(&mut *c).await?.rows_affected()
            }
            Exec::PgPool(p) => bind_all!(sqlx::query(sql), args).execute(p).await?.rows_affected(),
            Exec::Pg(c) => bind_all!(sqlx::query(sql), args).execute(&mut *c).await?.rows_affected(),
        })
    }

    pub(crate) async fn fetch_all<T: DbRow>(self, sql: &str, args: &[Val]) -> StoreResult<Vec<T>> {
        let q = |s| sqlx::query_as::<_, T>(s);
        let q2 = |s| sqlx::query_as::<_, T>(s);
        Ok(match self {
            Exec::SqlitePool(p) => {
                let s = lite(sql);
                bind_all!(q(&s), args).fetch_all(p).await?
            }
            Exec::Sqlite(c) => {
                let s = lite(sql);
                bind_all!(q(&s), args).fetch_all(&mut *c).await?
            }
            Exec::PgPool(p) => bind_all!(q2(sql), args).fetch_all(p).await?,
            Exec::Pg(c) => bind_all!(q2(sql), args).fetch_all(&mut *c).await?,
        })
    }

    pub(crate) async fn fetch_optional<T: DbRow>(self, sql: &str, args: &[Val]) -> StoreResult<Option<T>> {
        let q = |s| sqlx::query_as::<_, T>(s);
        let q2 = |s| sqlx::query_as::<_, T>(s);
        Ok(match self {
            Exec::SqlitePool(p) => {
                let s = lite(sql);
                bind_all!(q(&s), args).fetch_optional(p).await?
            }
            Exec::Sqlite(c) => {
                let s = lite(sql);
                bind_all!(q(&s), args).fetch_optional(&mut *c).await?
            }
            Exec::PgPool(p) => bind_all!(q2(sql), args).fetch_optional(p).await?,
            Exec::Pg(c) => bind_all!(q2(sql), args).fetch_optional(&mut *c).await?,
        })
    }

    pub(crate) async fn fetch_one<T: DbRow>(self, sql: &str, args: &[Val]) -> StoreResult<T> {
        match self.fetch_optional(sql, args).await? {
            Some(t) => Ok(t),
            None => Err(sqlx::Error::RowNotFound.into()),
        }
    }

    /// A single `BIGINT` value (counts, ids). `NULL` reads as 0.
    pub(crate) async fn scalar(self, sql: &str, args: &[Val]) -> StoreResult<i64> {
        let row: (Option<i64>,) = self.fetch_one(sql, args).await?;
        Ok(row.0.unwrap_or(0))
    }
}

/// An open write transaction. Dropping it without [`Tx::commit`] rolls it back.
pub struct Tx {
    inner: TxInner,
    /// The store's audit setup, so that [`crate::audit::record`] can key the records it appends.
    audit: Option<std::sync::Arc<crate::audit::Setup>>,
    /// On PostgreSQL, what this process keeps of sessions and generations: told of the commit.
    live: Option<std::sync::Arc<crate::listen::Live>>,
    /// What the commit ends, dropped from `live` when it commits.
    ends: Vec<Ends>,
    /// The transaction cannot move a data generation (a session's `last_seen_at`).
    keeps_generations: bool,
}

/// Sessions a transaction ends.
enum Ends {
    Session(String),
    Account(i64),
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn x(&mut self) -> Exec<'_> {
        match &mut self.inner {
            TxInner::Sqlite(t) => Exec::Sqlite(t),
            TxInner::Pg(t) => Exec::Pg(t),
        }
    }
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Pg(_) => Backend::Postgres,
        }
    }
    /// The PostgreSQL connection, for COPY in bulk loads.
    pub fn pg(&mut self) -> Option<&mut PgConnection> {
        match &mut self.inner {
            TxInner::Pg(t) => Some(&mut **t),
            TxInner::Sqlite(_) => None,
        }
    }
    pub(crate) fn audit(&self) -> Option<std::sync::Arc<crate::audit::Setup>> {
        self.audit.clone()
    }
    /// Commit. On PostgreSQL this process's kept generations are then to be read again (a write
    /// saved and the page it leads to must show it), and the sessions the transaction ended are
    /// dropped; both also when the commit failed, as it may have committed all the same.
    pub async fn commit(self) -> StoreResult<()> {
        let done = match self.inner {
            TxInner::Sqlite(t) => t.commit().await,
            TxInner::Pg(t) => t.commit().await,
        };
        if let Some(live) = &self.live {
            if !self.keeps_generations {
                live.written();
            }
            for e in &self.ends {
                match e {
                    Ends::Session(id) => live.forget_session(id),
                    Ends::Account(a) => live.forget_account(*a),
                }
            }
        }
        done?;
        Ok(())
    }

    /// This transaction ends the session with this stored id: dropped from what this process
    /// keeps when it commits.
    pub(crate) fn ends_session(&mut self, id: &str) {
        if self.live.is_some() {
            self.ends.push(Ends::Session(id.to_string()));
        }
    }

    /// This transaction ends sessions of this account or disables it.
    pub(crate) fn ends_account(&mut self, account_id: i64) {
        if self.live.is_some() {
            self.ends.push(Ends::Account(account_id));
        }
    }

    /// This transaction writes nothing a data generation follows (only a session's
    /// `last_seen_at`): the kept generations stay.
    pub(crate) fn keeps_generations(&mut self) {
        self.keeps_generations = true;
    }
    pub async fn rollback(self) -> StoreResult<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Pg(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// Plan each prepared statement once (SQLite's query planner stability guarantee). Otherwise a
/// statement whose bound values the planner looked at (a `status = $n` matched against a partial
/// index's `WHERE status = 'normal'`, a `path >= $n` range estimated from `sqlite_stat4`) is
/// parsed and planned again at every execution, because every bind may change the best plan: the
/// member list spent a fifth of the server's time re-preparing its query. Reads only: a plan
/// chosen without the values still uses the indexes (the member list keeps its path index range).
async fn stable_plans(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: the handle is locked for this thread (the connection's worker waits on that lock),
    // and SQLITE_DBCONFIG_ENABLE_QPSG takes an int and an optional int* for the new setting.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::os::raw::c_int,
            std::ptr::null_mut::<std::os::raw::c_int>(),
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Protocol(format!("sqlite3_db_config(ENABLE_QPSG) failed: {rc}")));
    }
    Ok(())
}

/// How long a writer waits for SQLite's write lock (held by another process) before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

impl Store {
    /// The values kept in memory for this database, one of each type.
    pub fn kept(&self) -> &crate::kept::Kept {
        &self.kept
    }

    /// Open by URL or path: `postgres://…` (or `postgresql://…`) selects PostgreSQL, anything else
    /// is a SQLite file path (an optional `sqlite://` prefix is accepted). Migrations are applied.
    pub async fn open(target: &str) -> StoreResult<Store> {
        let store = if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            Store::open_postgres(target).await?
        } else {
            let p = target.strip_prefix("sqlite://").unwrap_or(target);
            Store::open_sqlite(Path::new(p)).await?
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Open (creating if missing) a SQLite file in WAL mode, without migrating.
    pub async fn open_sqlite(path: &Path) -> StoreResult<Store> {
        let base = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
            .statement_cache_capacity(256)
            .disable_statement_logging();
        // a SQLite connection is a thread in this process, not a socket that can drop: the pool's
        // liveness ping before every acquire is a round trip to that thread for nothing
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(120))
            .connect_with(base.clone().create_if_missing(true))
            .await?;
        // readers mostly wait on their connection's worker thread rather than on a core, so a web
        // request's short queries overlap better with several per core (measured: the member list
        // page went from 816 to 1,459 requests/s going from 2 to 8 readers on two cores)
        let readers = (std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(2) * 4).clamp(4, 16);
        let reader = SqlitePoolOptions::new()
            .max_connections(readers)
            .test_before_acquire(false)
            .after_connect(|conn, _| Box::pin(stable_plans(conn)))
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(base.read_only(true))
            .await?;
        let direct = std::sync::Arc::new(Direct::new(path));
        Ok(Store {
            pools: Pools::Sqlite { writer, reader, direct, path: path.to_path_buf() },
            audit: None,
            kept: Default::default(),
            live: None,
        })
    }

    /// Connect to PostgreSQL, without migrating.
    pub async fn open_postgres(url: &str) -> StoreResult<Store> {
        let opts = PgConnectOptions::from_str(url)?.disable_statement_logging();
        // a connection is not pinged before each use (a round trip per query); a broken one
        // fails its query and is replaced
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        Ok(Store { pools: Pools::Pg(pool), audit: None, kept: Default::default(), live: Some(Default::default()) })
    }

    /// Apply the embedded migrations of this backend that the database lacks. A database that is
    /// already up to date is only checked (applied migrations must match the embedded ones), so a
    /// least-privilege application role that may not run DDL can open it (see README "PostgreSQL").
    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &PG_MIGRATIONS,
        };
        #[derive(sqlx::FromRow)]
        struct Applied {
            version: i64,
            checksum: Vec<u8>,
        }
        let applied: Option<Vec<Applied>> =
            self.read().fetch_all("SELECT version, checksum FROM _sqlx_migrations WHERE success", &[]).await.ok();
        if let Some(applied) = applied {
            let up_to_date = migrator.iter().filter(|m| m.migration_type.is_up_migration()).all(|m| {
                applied.iter().any(|a| a.version == m.version && a.checksum.as_slice() == m.checksum.as_ref())
            });
            if up_to_date {
                return Ok(());
            }
        }
        match &self.pools {
            Pools::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Pools::Pg(p) => PG_MIGRATIONS.run(p).await.map_err(|e| match e {
                sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(d))
                    if d.code().as_deref() == Some("42501") =>
                {
                    crate::StoreError::Refused(
                        "数据库需要升级结构，但当前数据库账号没有建表权限：请用数据库所有者账号运行 dangjian migrate"
                            .into(),
                    )
                }
                e => e.into(),
            })?,
        }
        Ok(())
    }

    /// Migrations applied to this database, as (version, description).
    pub async fn applied_migrations(&self) -> StoreResult<Vec<(i64, String)>> {
        self.read()
            .fetch_all("SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version", &[])
            .await
    }

    /// The same store with the audit chain's key and checkpoint file (see [`crate::audit::attach`],
    /// which also checks the key against the database).
    pub(crate) fn with_audit(mut self, setup: crate::audit::Setup) -> Store {
        self.audit = Some(std::sync::Arc::new(setup));
        self
    }

    /// The audit chain's key and checkpoint file, when attached.
    pub fn audit_setup(&self) -> Option<&crate::audit::Setup> {
        self.audit.as_deref()
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Pg(_) => Backend::Postgres,
        }
    }

    /// The SQLite file, when on SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.pools {
            Pools::Sqlite { path, .. } => Some(path),
            Pools::Pg(_) => None,
        }
    }

    /// Where the data lives, for a status page: the SQLite file, or PostgreSQL's server address,
    /// port, database and user as the server reports them (never a password).
    pub async fn location(&self) -> StoreResult<String> {
        match &self.pools {
            Pools::Sqlite { path, .. } => Ok(path.display().to_string()),
            Pools::Pg(p) => {
                let (db, user, host, port): (String, String, Option<String>, Option<i64>) = sqlx::query_as(
                    "SELECT current_database(), CAST(current_user AS TEXT), host(inet_server_addr()), \
                     CAST(inet_server_port() AS BIGINT)",
                )
                .fetch_one(p)
                .await?;
                let server = match (host, port) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (None, Some(p)) => format!("本机套接字（端口 {p}）"),
                    _ => "本机套接字".to_string(),
                };
                Ok(format!("{server} / {db}（用户 {user}）"))
            }
        }
    }

    /// Run a short read on this thread, on one of SQLite's direct read connections; `None` on
    /// PostgreSQL (the caller reads through [`Store::read`] there). For the hot paths of every page
    /// (the session check, the member list, the health check): a query through sqlx's SQLite
    /// driver is a command sent to the connection's worker thread and an answer sent back, which
    /// cost about as much as the list's own SQLite work. Only for reads that take well under a
    /// millisecond: the calling thread (a web server's worker) waits for it.
    pub fn direct<R>(&self, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<R>) -> Option<StoreResult<R>> {
        match &self.pools {
            Pools::Sqlite { direct, .. } => Some(direct.run(f)),
            Pools::Pg(_) => None,
        }
    }

    /// [`Store::direct`] for a read that may take longer (a count or a sort over a large subtree):
    /// on a multi-threaded runtime the worker hands its other tasks to another thread first
    /// (`block_in_place`), so they are not held up; elsewhere it is [`Store::direct`].
    pub fn direct_long<R>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<R>,
    ) -> Option<StoreResult<R>> {
        let multi = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        if multi {
            tokio::task::block_in_place(|| self.direct(f))
        } else {
            self.direct(f)
        }
    }

    /// Does the database answer? (`SELECT 1` through the path the pages' reads take.)
    pub async fn ping(&self) -> StoreResult<()> {
        if let Some(r) = self.direct(|c| c.prepare_cached("SELECT 1")?.query_row([], |r| r.get::<_, i64>(0))) {
            return r.map(|_| ());
        }
        self.read().scalar("SELECT CAST(1 AS BIGINT)", &[]).await.map(|_| ())
    }

    /// On PostgreSQL, what this process keeps of sessions and generations, its listener started
    /// if it is not running.
    pub(crate) fn live(&self) -> Option<&std::sync::Arc<crate::listen::Live>> {
        match (&self.pools, &self.live) {
            (Pools::Pg(p), Some(live)) => {
                live.start(p);
                Some(live)
            }
            _ => None,
        }
    }

    /// On PostgreSQL, what the session cache is doing (see [`crate::listen`]); `None` on SQLite,
    /// which reads the session in-process.
    pub fn session_cache(&self) -> Option<crate::listen::Status> {
        self.live.as_ref().map(|l| l.status())
    }

    /// Where reads run.
    pub fn read(&self) -> Exec<'_> {
        match &self.pools {
            Pools::Sqlite { reader, .. } => Exec::SqlitePool(reader),
            Pools::Pg(p) => Exec::PgPool(p),
        }
    }

    /// Begin a write transaction (`BEGIN IMMEDIATE` on SQLite, so that a transaction that reads
    /// before it writes cannot fail to upgrade its lock).
    pub async fn begin(&self) -> StoreResult<Tx> {
        let inner = match &self.pools {
            Pools::Sqlite { writer, .. } => TxInner::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Pg(p) => TxInner::Pg(p.begin().await?),
        };
        Ok(Tx { inner, audit: self.audit.clone(), live: self.live.clone(), ends: Vec::new(), keeps_generations: false })
    }

    /// A consistent online copy of the SQLite file (`VACUUM INTO`), safe while the server runs.
    pub async fn backup_sqlite(&self, dest: &Path) -> StoreResult<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => {
                let d = dest.to_string_lossy().replace('\'', "''");
                sqlx::query(&format!("VACUUM INTO '{d}'")).execute(writer).await?;
                Ok(())
            }
            Pools::Pg(_) => Err(crate::StoreError::Refused(
                "PostgreSQL 请使用 pg_dump 备份，例如：pg_dump --format=custom --file=dangjian.dump \"$DATABASE_URL\""
                    .into(),
            )),
        }
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { writer, reader, direct, .. } => {
                direct.close();
                reader.close().await;
                writer.close().await;
            }
            Pools::Pg(p) => {
                if let Some(live) = &self.live {
                    live.stop();
                }
                p.close().await
            }
        }
    }

    /// Update the query planner's statistics after a bulk load. On PostgreSQL the tables are
    /// vacuumed too: a bulk load leaves the counters of the data generations and the change log
    /// with many dead row versions that every read would step over until autovacuum came by.
    pub async fn analyze(&self) -> StoreResult<()> {
        match &self.pools {
            // outside a transaction, as VACUUM must be
            Pools::Pg(_) => {
                self.read().execute("VACUUM (ANALYZE)", &[]).await?;
                Ok(())
            }
            Pools::Sqlite { .. } => {
                let mut tx = self.begin().await?;
                tx.x().execute("ANALYZE", &[]).await?;
                tx.commit().await
            }
        }
    }
}

/// SQLite's direct read connections ([`Store::direct`]): read-only, opened on first use and kept
/// for reuse (one per thread that reads at the same moment, at most [`Direct::KEEP`] kept idle).
/// They use the same SQLite library as sqlx's connections (one `libsqlite3-sys`), see the same
/// WAL file, and plan each statement once like sqlx's readers.
#[derive(Debug)]
pub(crate) struct Direct {
    path: PathBuf,
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
}

impl Direct {
    const KEEP: usize = 16;

    fn new(path: &Path) -> Direct {
        Direct { path: path.to_path_buf(), idle: std::sync::Mutex::new(Vec::new()) }
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let c = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        c.busy_timeout(SQLITE_BUSY_TIMEOUT)?;
        c.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        c.pragma_update(None, "cache_size", -65536)?;
        c.pragma_update(None, "temp_store", "memory")?;
        c.set_prepared_statement_cache_capacity(64);
        Ok(c)
    }

    fn run<R>(&self, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<R>) -> StoreResult<R> {
        let taken = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match taken {
            Some(c) => c,
            None => self.open().map_err(direct_error)?,
        };
        let out = f(&conn).map_err(direct_error);
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < Self::KEEP {
                idle.push(conn);
            }
        }
        out
    }

    fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

fn direct_error(e: rusqlite::Error) -> crate::StoreError {
    match e {
        rusqlite::Error::QueryReturnedNoRows => crate::StoreError::Db(sqlx::Error::RowNotFound),
        e => crate::StoreError::Db(sqlx::Error::Protocol(format!("SQLite: {e}"))),
    }
}

/// The current time, for `created_at` / `updated_at`.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::lite;

    #[test]
    fn placeholders_for_sqlite() {
        assert_eq!(lite("SELECT $1, $2 WHERE x = $3"), "SELECT ?, ? WHERE x = ?");
        assert_eq!(lite("VALUES ($1, $2, $1)"), "VALUES (?1, ?2, ?1)");
        assert_eq!(lite("WHERE a = $2 AND b = $1"), "WHERE a = ?2 AND b = ?1");
        assert_eq!(lite("SELECT 1"), "SELECT 1");
        assert_eq!(lite("x = $10"), "x = ?10");
    }

    #[test]
    fn fast_times_read_as_chrono_does() {
        use chrono::{DateTime, Utc};
        for s in [
            "2026-11-21T16:19:01.651129925+00:00",
            "2026-11-21T16:19:01+00:00",
            "2026-11-21T16:19:01.5+00:00",
            "2026-01-02T03:04:05.000001Z",
            "1999-12-31T23:59:59.999999999+00:00",
        ] {
            let want: DateTime<Utc> = DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
            assert_eq!(super::fast_utc(s.as_bytes()), Some(want), "{s}");
        }
        // shapes it leaves to the general reader
        for s in ["2026-11-21 16:19:01+00:00", "2026-11-21T16:19:01+08:00", "2026-11-21T16:19:01.+00:00", "x"] {
            assert_eq!(super::fast_utc(s.as_bytes()), None, "{s}");
        }
        // what sqlx writes is what the fast path reads
        let now = Utc::now();
        let written = now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
        assert_eq!(super::fast_utc(written.as_bytes()), Some(now));
    }
}
