//! The error policy: every response carries its request id; an internal error shows the user a
//! calm sentence with that id and nothing of the system, and is logged once with the id, the
//! matched route and the status — never with the request's query or personal data.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::account::Role;
use serde_json::Value;
use store::testing::TestDb;
use store::Scope;

use crate::common::{get, send, world, ID_A};

/// Log lines written while a test runs, as the server would write them for a collector.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn drop_table(store: &store::Store, table: &str) {
    let mut tx = store.begin().await.unwrap();
    store::testing::raw(tx.x()).execute(&format!("DROP TABLE {table}"), &[]).await.unwrap();
    tx.commit().await.unwrap();
}

async fn internal_errors_are_logged_once_with_their_request_id(db: TestDb) {
    let w = world(&db.store).await;
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // a page that works: the id is on the response and in the log line of the request
    let admin = &w.logins[&Role::OrgAdmin];
    let (status, headers, _) = send(&w.app, get(&format!("/members?org={}&q={ID_A}", w.county_a), &admin.cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let ok_id = headers["x-request-id"].to_str().unwrap().to_string();
    let line = logs.text().lines().find(|l| l.contains(&ok_id)).map(str::to_string).expect("the request is logged");
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["route"], "/members");
    assert_eq!(v["method"], "GET");
    assert_eq!(v["status"], 200);
    assert_eq!(v["account"], admin.account_id);
    assert!(v["latency_ms"].as_f64().is_some());
    assert!(!logs.text().contains(ID_A), "the query string (an ID number) is never logged");

    // the stored findings are gone: the page and the API fail inside, and say only so
    drop_table(&w.store, "life_finding").await;
    let (status, headers, body) = send(&w.app, get(&format!("/life/findings?org={}", w.county_a), &admin.cookie)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let page_id = headers["x-request-id"].to_str().unwrap().to_string();
    assert!(body.contains("系统繁忙") && body.contains(&page_id), "the page names the request id: {body}");
    assert!(!body.contains("life_finding") && !body.contains("no such table") && !body.contains("relation"), "{body}");

    let (_, token) =
        store::account::create_api_token(&w.store, &Scope::none(), admin.account_id, "测试", chrono::Utc::now())
            .await
            .unwrap();
    let req = Request::get(format!("/api/v1/life/findings?org={}", w.county_a))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&w.app, req).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let api_id = headers["x-request-id"].to_str().unwrap().to_string();
    let p: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["request_id"], api_id.as_str());
    assert!(!body.contains("life_finding"), "{body}");

    // each failure is logged once as an error with its detail, and once as its request line
    let text = logs.text();
    for id in [&page_id, &api_id] {
        let lines: Vec<Value> =
            text.lines().filter(|l| l.contains(id.as_str())).map(|l| serde_json::from_str(l).unwrap()).collect();
        let errors: Vec<&Value> = lines.iter().filter(|l| l["level"] == "ERROR").collect();
        assert_eq!(errors.len(), 1, "one error line for {id}: {text}");
        assert!(errors[0]["error"].as_str().unwrap().contains("life_finding"), "the log keeps the detail: {text}");
        let requests: Vec<&Value> = lines.iter().filter(|l| l["status"] == 500).collect();
        assert_eq!(requests.len(), 1, "one request line for {id}");
    }
    assert!(text.contains("\"route\":\"/life/findings\"") && text.contains("\"route\":\"/api/v1/life/findings\""));
    db.finish().await;
}

#[tokio::test]
async fn internal_errors_are_logged_once_with_their_request_id_sqlite() {
    internal_errors_are_logged_once_with_their_request_id(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn internal_errors_are_logged_once_with_their_request_id_postgres() {
    internal_errors_are_logged_once_with_their_request_id(TestDb::postgres().await).await;
}

/// A 404 of a path no route matches still has an id, in the header and the problem body.
#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let (status, headers, body) = send(&w.app, get("/api/v1/nothing-here", "")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let id = headers["x-request-id"].to_str().unwrap();
    let p: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["request_id"], id);
    let (_, h2, _) = send(&w.app, get("/healthz", "")).await;
    assert_ne!(h2["x-request-id"], headers["x-request-id"], "ids differ between requests");
    db.finish().await;
}
