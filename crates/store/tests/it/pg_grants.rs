//! The PostgreSQL grants documented in the README: the application's role may append to the audit
//! trail and read it, but cannot update, delete or truncate audit rows.

use store::testing::{admin_url, TestDb};
use store::{audit, Scope};

#[tokio::test]
async fn app_role_cannot_rewrite_the_audit_trail() {
    let db = TestDb::postgres().await;
    // the database name, from the store's own connection
    let (dbname,): (String,) =
        store::testing::raw(db.store.read()).fetch_one("SELECT current_database()::text", &[]).await.unwrap();
    let role = format!("dj_app_{}", std::process::id());
    let owner = db.store.clone();
    let mut tx = owner.begin().await.unwrap();
    for stmt in [
        format!("DROP ROLE IF EXISTS {role}"),
        format!("CREATE ROLE {role} LOGIN PASSWORD 'app'"),
        format!("GRANT CONNECT ON DATABASE {dbname} TO {role}"),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role}"),
    ] {
        store::testing::raw(tx.x()).execute(&stmt, &[]).await.unwrap();
    }
    tx.commit().await.unwrap();

    // connect as the application role (migrations already applied: opening must still work)
    let admin = admin_url();
    let host = admin.split('@').nth(1).and_then(|h| h.split('/').next()).unwrap_or("127.0.0.1:5432");
    let app_url = format!("postgres://{role}:app@{host}/{dbname}");
    let app = store::Store::open(&app_url).await.expect("the app role opens an up-to-date database");
    audit::record_now(&app, &Scope::all(), "test.append", "x", "ok", serde_json::json!({}))
        .await
        .expect("append allowed");
    let mut tx = app.begin().await.unwrap();
    let e = store::testing::raw(tx.x()).execute("UPDATE audit_log SET actor = 'x'", &[]).await.unwrap_err();
    assert!(e.to_string().contains("permission denied"), "{e}");
    drop(tx);
    let mut tx = app.begin().await.unwrap();
    let e = store::testing::raw(tx.x()).execute("DELETE FROM audit_log", &[]).await.unwrap_err();
    assert!(e.to_string().contains("permission denied"), "{e}");
    drop(tx);
    assert!(audit::verify(&app).await.unwrap().ok());
    app.close().await;

    let mut tx = owner.begin().await.unwrap();
    for stmt in [
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"),
        format!("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}"),
        format!("REVOKE ALL ON SCHEMA public FROM {role}"),
        format!("REVOKE ALL ON DATABASE {dbname} FROM {role}"),
    ] {
        store::testing::raw(tx.x()).execute(&stmt, &[]).await.unwrap();
    }
    tx.commit().await.unwrap();
    db.finish().await;
    // the role is cluster-wide: drop it once the database (and its grants) are gone
    let admin_store = store::Store::open_postgres(&admin).await.unwrap();
    let mut tx = admin_store.begin().await.unwrap();
    store::testing::raw(tx.x()).execute(&format!("DROP ROLE IF EXISTS {role}"), &[]).await.unwrap();
    tx.commit().await.unwrap();
}
