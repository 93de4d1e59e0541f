//! The PostgreSQL steps of the README, in the order written, against the real server: an owner
//! role owns the database and runs `migrate` (which adopts the audit key) and writes as the demo
//! would; then the grants (`store::pg_grants`, what `dangjian pg-grants` runs); then the
//! application role serves: its audited writes succeed, and it cannot update, delete or truncate
//! the audit trail or its head.

use std::time::{SystemTime, UNIX_EPOCH};

use domain::org::{OrgInput, OrgKind, Sector};
use store::testing::{admin_url, raw};
use store::{audit, org, Scope, Store};

fn url(admin: &str, user: &str, db: &str) -> String {
    let host = admin.split('@').nth(1).and_then(|h| h.split('/').next()).unwrap_or("127.0.0.1:5432");
    format!("postgres://{user}:pw@{host}/{db}")
}

async fn admin_exec(admin: &Store, sql: &str) {
    let mut tx = admin.begin().await.unwrap();
    raw(tx.x()).execute(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    tx.commit().await.unwrap();
}

/// What the application role tries on its own connection: refused by the database.
async fn refused(app: &Store, sql: &str) -> String {
    let mut tx = app.begin().await.unwrap();
    let e = raw(tx.x()).execute(sql, &[]).await.expect_err(sql);
    tx.rollback().await.ok();
    e.to_string()
}

fn branch(name: &str) -> OrgInput {
    OrgInput { name: name.into(), kind: Some(OrgKind::Branch), sector: Some(Sector::Organs), ..Default::default() }
}

#[tokio::test]
async fn documented_owner_and_app_roles_work_as_written() {
    let admin_u = admin_url();
    let admin = Store::open_postgres(&admin_u).await.expect("PostgreSQL is required for the tests");
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let tag = format!("{secs}_{}", std::process::id());
    let (owner_r, app_r, dbname) =
        (format!("dj_r_{tag}_owner"), format!("dj_r_{tag}_app"), format!("dj_t_{tag}_grants"));
    // the README's first step, as the cluster's administrator
    for sql in
        [format!("CREATE ROLE {owner_r} LOGIN PASSWORD 'pw'"), format!("CREATE ROLE {app_r} LOGIN PASSWORD 'pw'")]
    {
        admin_exec(&admin, &sql).await;
    }
    {
        // CREATE DATABASE cannot run inside a transaction
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&admin_u).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {dbname} OWNER {owner_r}")).execute(&mut c).await.unwrap();
        c.close().await.ok();
    }
    let dir = tempfile::tempdir().unwrap();
    let setup = audit::Setup { key: audit::Key::generate(), checkpoints: dir.path().join("checkpoints.log") };

    // the owner: dangjian migrate (creates the schema, adopts the key), then writes as the demo does
    let owner = Store::open(&url(&admin_u, &owner_r, &dbname)).await.expect("the owner migrates");
    let (owner, adoption) = audit::attach(owner, setup.clone()).await.unwrap();
    assert!(adoption.newly);
    let root = org::create(
        &owner,
        &Scope::all(),
        None,
        &OrgInput {
            name: "根党委".into(),
            kind: Some(OrgKind::Committee),
            sector: Some(Sector::Organs),
            ..Default::default()
        },
        chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
    )
    .await
    .unwrap();
    // the owner: dangjian pg-grants --role APP
    let ran = store::pg_grants::apply(&owner, &app_r).await.expect("the owner grants");
    assert!(ran.iter().any(|s| s.contains("audit_head")));

    // the application role: dangjian serve opens the up-to-date database and writes, audited
    let app = Store::open(&url(&admin_u, &app_r, &dbname)).await.expect("the app role opens an up-to-date database");
    let (app, adoption) = audit::attach(app, setup.clone()).await.expect("the app role finds the adopted key");
    assert!(!adoption.newly);
    org::create(
        &app,
        &Scope::all(),
        Some(root.id),
        &branch("甲支部"),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
    )
    .await
    .expect("an audited write as the application role");
    audit::record_now(&app, &Scope::all(), "test.append", "x", "ok", serde_json::json!({})).await.expect("append");
    let v = audit::verify(&app).await.unwrap();
    assert!(v.ok() && v.records == 3, "{:?}", v.problems);
    assert!(audit::checkpoint(&app).await.unwrap().is_ok(), "the app role writes checkpoints");

    // and it cannot rewrite the trail or move the head
    for sql in [
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE audit_head SET seq = 1",
        "DELETE FROM audit_head",
        "TRUNCATE audit_head",
        "INSERT INTO audit_head (id, seq, hash) VALUES (2, 0, 'x')",
        "UPDATE audit_key SET from_seq = 9",
        "DELETE FROM audit_key",
        "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE",
    ] {
        let e = refused(&app, sql).await;
        assert!(e.contains("permission denied"), "{sql}: {e}");
    }
    // nor append a record that does not follow the head
    let e = refused(
        &app,
        "INSERT INTO audit_log (seq, at, actor, role, scope, action, target, result, detail, prev_hash, hash) \
         VALUES (99, 'x', 'x', 'x', 'x', 'x', 'x', 'x', '{}', 'x', 'x')",
    )
    .await;
    assert!(e.contains("does not follow the chain head"), "{e}");
    assert!(audit::verify(&app).await.unwrap().ok());

    app.close().await;
    owner.close().await;
    {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&admin_u).await.unwrap();
        sqlx::query(&format!("DROP DATABASE {dbname} WITH (FORCE)")).execute(&mut c).await.unwrap();
        c.close().await.ok();
    }
    // roles are cluster-wide: drop this run's, and any an earlier failed run left behind an hour ago
    let old: Vec<(String,)> = raw(admin.read())
        .fetch_all("SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'dj\\_r\\_%'", &[])
        .await
        .unwrap();
    for (r,) in old {
        let ts: u64 = r.split('_').nth(2).and_then(|s| s.parse().ok()).unwrap_or(secs);
        if r.contains(&tag) || secs.saturating_sub(ts) > 3600 {
            let mut tx = admin.begin().await.unwrap();
            let _ = raw(tx.x()).execute(&format!("DROP ROLE IF EXISTS {r}"), &[]).await;
            tx.commit().await.ok();
        }
    }
    let left: i64 = raw(admin.read())
        .scalar(&format!("SELECT COUNT(*) FROM pg_roles WHERE rolname LIKE 'dj\\_r\\_{tag}%'"), &[])
        .await
        .unwrap();
    assert_eq!(left, 0, "this run's roles are dropped");
    admin.close().await;
}
