//! Input an attacker or a careless paste sends: a scope switch that would send the browser to
//! another site, ids that are not numbers, over-long text and control characters. Each answer is a
//! clear refusal in Chinese naming the field, and nothing is stored. On SQLite and PostgreSQL.

use crate::common;

use axum::http::{header, Method, StatusCode};
use common::*;
use domain::account::Role;
use serde_json::Value;
use store::testing::TestDb;
use store::Scope;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scope_switch_goes_back_only_to_this_site() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let admin = &w.logins[&Role::OrgAdmin];
        for back in ["/\\evil.example", "//evil.example", "https://evil.example/", "/\\/evil.example"] {
            let body = form(&[("csrf", &admin.csrf), ("org", ""), ("back", back)]);
            let (st, h, _) = send(&w.app, post("/scope", &admin.cookie, &body)).await;
            assert_eq!(st, StatusCode::SEE_OTHER, "{back}");
            assert_eq!(h[header::LOCATION], "/", "{back}");
        }
        let body = form(&[("csrf", &admin.csrf), ("org", ""), ("back", "/members?page=2")]);
        let (_, h, _) = send(&w.app, post("/scope", &admin.cookie, &body)).await;
        assert_eq!(h[header::LOCATION], "/members?page=2");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_paths_and_queries_answer_in_chinese() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let admin = &w.logins[&Role::OrgAdmin];
        for uri in ["/orgs/abc", "/members/12x", "/orgs/99999999999999999999999"] {
            let (st, h, body) = send(&w.app, get(uri, &admin.cookie)).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{uri}");
            assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{uri}");
            assert!(body.contains("请求无效") && body.contains("编号应为数字"), "{uri}: {body}");
            assert!(!body.contains("Invalid URL") && !body.contains("Cannot parse"), "{body}");
        }
        // the API: problem+json, Chinese, for the framework's refusals too
        let t = api_token(&w, Role::OrgAdmin).await;
        let (st, h, body) = send(&w.app, api_request(Method::PUT, "/api/v1/orgs", &t, "{}")).await;
        assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/problem+json"), "{h:?}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["detail"].as_str().unwrap().contains("请求方式"), "{v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlong_text_and_control_characters_are_refused_naming_the_field() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let t = api_token(&w, Role::OrgAdmin).await;
        let uri = format!("/api/v1/orgs/{}", w.town_a);
        let huge = "长".repeat(10_000);
        let body = serde_json::json!({ "short_name": huge, "address": "地".repeat(201), "secretary": "王\u{0}斌" })
            .to_string();
        let (st, _, text) = send(&w.app, api_request(Method::PATCH, &uri, &t, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let errors = v["errors"].as_array().unwrap();
        let says = |field: &str, what: &str| {
            errors.iter().any(|e| e["field"] == field && e["message"].as_str().unwrap_or("").contains(what))
        };
        assert!(says("简称", "不能超过 50 个字"), "{v}");
        assert!(says("地址", "不能超过 200 个字"), "{v}");
        assert!(says("书记", "控制字符"), "{v}");
        // nothing was written
        let o = store::org::get(&w.store, &Scope::all(), w.town_a).await.unwrap();
        assert!(o.short_name.is_none() && o.address.is_none() && o.secretary.is_none(), "{o:?}");

        // a member's name with a NUL, through the page form
        let admin = &w.logins[&Role::OrgAdmin];
        let body = form(&[
            ("csrf", &admin.csrf),
            ("name", "张\u{0}三"),
            ("id_number", "110105199001011230"),
            ("category", "full"),
        ]);
        let (st, _, page) =
            send(&w.app, post(&format!("/orgs/{}/members/new", w.branch_a), &admin.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("控制字符"), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_security_admin_is_shown_names_locked_everywhere() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let victim = w.logins[&Role::OrgDeptAdmin].username.clone();
        let now = chrono::Utc::now();
        let limits = store::account::LoginLimits::default();
        let mut n = 0;
        for a in 1..=5 {
            for _ in 0..4 {
                n += 1;
                let at = now - chrono::Duration::seconds(60 - n);
                let ip = format!("10.8.0.{a}");
                store::account::verify_login(&w.store, &victim, "wrong", Some(&ip), at, &limits).await.unwrap();
            }
        }
        let guard = &w.logins[&Role::SecurityAdmin];
        let (st, _, page) = send(&w.app, get("/admin/accounts", &guard.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("登录锁定") && page.contains(&victim) && page.contains("10.8.0.5"), "{page}");
    }
}
