//! Test support: fresh databases on both backends, so one conformance suite runs on each.
//!
//! PostgreSQL is a real server: `DANGJIAN_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) names an administrative connection used to create
//! one throw-away database per test. If the server cannot be reached the test fails loudly: a
//! missing PostgreSQL must never turn into skipped tests.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;

use crate::db::{DbRow, Exec, Store};
use crate::error::StoreResult;
use crate::Val;

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database for one test; call [`TestDb::finish`] to drop it (a panicking test leaves it behind
/// and the next run's sweep removes it).
pub struct TestDb {
    pub store: Store,
    /// What the store was opened on: the SQLite file or the PostgreSQL URL.
    location: String,
    pg_name: Option<String>,
    /// The SQLite file (if any) and the audit checkpoint file.
    dir: tempfile::TempDir,
}

/// The fixed audit key of every test database.
pub fn test_key() -> crate::audit::Key {
    crate::audit::Key::from_bytes(*b"dangjian test audit key, fixed!!")
}

/// The test key with its checkpoint file in `dir`.
pub fn test_setup(dir: &std::path::Path) -> crate::audit::Setup {
    crate::audit::Setup { key: test_key(), checkpoints: dir.join("audit-checkpoints.log") }
}

/// Open `location` (migrating it) with the test key attached.
async fn open_keyed(location: &str, dir: &std::path::Path) -> Store {
    let store = Store::open(location).await.expect("open the test database");
    crate::audit::attach(store, test_setup(dir)).await.expect("attach the test audit key").0
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn admin_url() -> String {
    std::env::var("DANGJIAN_TEST_PG").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_string())
}

fn url_for(admin: &str, db: &str) -> String {
    match admin.rfind('/') {
        Some(i) if admin[..i].contains("://") && admin[i..].len() > 1 && !admin[i..].contains('@') => {
            let (base, rest) = admin.split_at(i);
            let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
            format!("{base}/{db}{query}")
        }
        _ => format!("{}/{db}", admin.trim_end_matches('/')),
    }
}

impl TestDb {
    /// A fresh, migrated SQLite database in a temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = dir.path().join("test.db").to_str().expect("utf-8 path").to_string();
        let store = open_keyed(&location, dir.path()).await;
        TestDb { store, location, pg_name: None, dir }
    }

    /// A fresh, migrated PostgreSQL database on the real server.
    pub async fn postgres() -> TestDb {
        let admin = admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is required for the tests and is not reachable at {admin}: {e}. \
                 Start it (scripts/test and .ci/run do) or set DANGJIAN_TEST_PG."
            )
        });
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        sweep(&mut conn, secs).await;
        let name = format!("dj_t_{secs}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
        conn.close().await.ok();
        let location = url_for(&admin, &name);
        let dir = tempfile::tempdir().expect("temp dir");
        let store = open_keyed(&location, dir.path()).await;
        TestDb { store, location, pg_name: Some(name), dir }
    }

    /// Both backends, SQLite first.
    pub async fn both() -> Vec<TestDb> {
        vec![TestDb::sqlite().await, TestDb::postgres().await]
    }

    /// The same database opened again, with connections of its own: what another process (the
    /// command line, a second server) sees and writes.
    pub async fn another(&self) -> Store {
        open_keyed(&self.location, self.dir.path()).await
    }

    /// The same database opened again without the audit key (it can read, not append).
    pub async fn open_plain(&self) -> Store {
        Store::open(&self.location).await.expect("open the test database again")
    }

    /// The audit setup of this database (the test key and its checkpoint file).
    pub fn audit_setup(&self) -> crate::audit::Setup {
        test_setup(self.dir.path())
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Some(name) = self.pg_name {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
            }
        }
    }
}

/// Drop test databases left behind by runs more than an hour old.
async fn sweep(conn: &mut sqlx::PgConnection, now: u64) {
    let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'dj\\_t\\_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for (n,) in names {
        let ts: u64 = n.split('_').nth(2).and_then(|s| s.parse().ok()).unwrap_or(now);
        if now.saturating_sub(ts) > 3600 {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)")).execute(&mut *conn).await;
        }
    }
}

/// Raw SQL, for tests that must do what the store never does: tamper with the audit trail, or
/// write as another process would. Product code runs its SQL inside `store` only (raw execution
/// is private to it); `crates/web/tests/it/scope_rule.rs` checks that no crate's own source calls
/// this.
pub fn raw(e: Exec<'_>) -> Raw<'_> {
    Raw(e)
}

/// See [`raw`].
pub struct Raw<'a>(Exec<'a>);

impl Raw<'_> {
    pub async fn execute(self, sql: &str, args: &[Val]) -> StoreResult<u64> {
        self.0.execute(sql, args).await
    }
    pub async fn fetch_all<T: DbRow>(self, sql: &str, args: &[Val]) -> StoreResult<Vec<T>> {
        self.0.fetch_all(sql, args).await
    }
    pub async fn fetch_optional<T: DbRow>(self, sql: &str, args: &[Val]) -> StoreResult<Option<T>> {
        self.0.fetch_optional(sql, args).await
    }
    pub async fn fetch_one<T: DbRow>(self, sql: &str, args: &[Val]) -> StoreResult<T> {
        self.0.fetch_one(sql, args).await
    }
    pub async fn scalar(self, sql: &str, args: &[Val]) -> StoreResult<i64> {
        self.0.scalar(sql, args).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn url_for_replaces_database() {
        assert_eq!(
            super::url_for("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(super::url_for("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
    }
}
