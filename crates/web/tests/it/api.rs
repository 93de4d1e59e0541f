//! The JSON API `/api/v1` in process, on SQLite and PostgreSQL: bearer tokens, scope (404
//! outside it), roles (403), validation (422 with Chinese field labels), masking and audited
//! unmasking, import and export, problem+json, and the OpenAPI document (snapshot).

use crate::common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use common::{d, send, World};
use domain::account::Role;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use store::testing::TestDb;
use store::Scope;
use tower::ServiceExt;

/// A fresh API token for the world's account of `role`.
async fn token(w: &World, role: Role) -> String {
    let id = w.logins[&role].account_id;
    store::account::create_api_token(&w.store, &Scope::none(), id, "测试", chrono::Utc::now()).await.unwrap().1
}

fn req(method: Method, uri: &str, token: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.header(header::CONTENT_TYPE, "application/json").body(body.into()).unwrap()
}

/// Send and parse the JSON answer (`Value::Null` when the body is not JSON).
async fn call(w: &World, method: Method, uri: &str, token: &str, body: &str) -> (StatusCode, HeaderMap, Value) {
    let (status, headers, text) = send(&w.app, req(method, uri, Some(token), body.to_string())).await;
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(w: &World, uri: &str, token: &str) -> (StatusCode, Value) {
    let (s, _, v) = call(w, Method::GET, uri, token, "").await;
    (s, v)
}

fn is_problem(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) == Some("application/problem+json")
}

/// The `field` of every entry of a 422's `errors`.
fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

async fn audit_actions(w: &World) -> Vec<store::audit::Record> {
    store::audit::recent(&w.store, 500).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_authenticate_and_nothing_else_does() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let t = token(&w, Role::OrgAdmin).await;

        // no token: 401 problem+json with the challenge
        let (status, h, body) = send(&w.app, req(Method::GET, "/api/v1/orgs", None, "")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(is_problem(&h), "{h:?}");
        assert!(h[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with("Bearer"));
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["status"], 401);
        assert!(v["detail"].as_str().unwrap().contains("缺少 API 令牌"), "{v}");

        // a session cookie is not a credential for the API
        let login = &w.logins[&Role::OrgAdmin];
        let r = Request::get("/api/v1/orgs").header(header::COOKIE, &login.cookie).body(Body::empty()).unwrap();
        assert_eq!(send(&w.app, r).await.0, StatusCode::UNAUTHORIZED);

        // a made-up token, another scheme
        let (s, h, _) = call(&w, Method::GET, "/api/v1/orgs", "dj_0123456789012345678901234567890123456789", "").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(h[header::WWW_AUTHENTICATE].to_str().unwrap().contains("invalid_token"));
        let r = Request::get("/api/v1/orgs")
            .header(header::AUTHORIZATION, format!("Basic {t}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&w.app, r).await.0, StatusCode::UNAUTHORIZED);

        // the real one, in any case of the scheme
        let r = Request::get("/api/v1/orgs")
            .header(header::AUTHORIZATION, format!("bearer {t}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&w.app, r).await.0, StatusCode::OK);

        // revoked: 401 at once
        let id = login.account_id;
        let tok = store::account::list_api_tokens(&w.store, id).await.unwrap();
        store::account::revoke_api_token(&w.store, &Scope::none(), id, tok[0].id).await.unwrap();
        assert_eq!(get(&w, "/api/v1/orgs", &t).await.0, StatusCode::UNAUTHORIZED);

        // a password set by an administrator stops the tokens until its owner changes it
        let new = store::account::NewAccount {
            username: "temp_pw".into(),
            display_name: "临时密码".into(),
            password: common::PASSWORD.into(),
            must_change_password: true,
            grants: vec![(Role::OrgAdmin, Some(w.county_a))],
            ..Default::default()
        };
        let acc = store::account::create_account(&w.store, &Scope::all(), &new, &Default::default()).await.unwrap();
        let (_, t2) =
            store::account::create_api_token(&w.store, &Scope::none(), acc.account.id, "脚本", chrono::Utc::now())
                .await
                .unwrap();
        let (s, v) = get(&w, "/api/v1/orgs", &t2).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("修改密码"), "{v}");
        store::account::set_password(&w.store, &Scope::none(), acc.account.id, "Chosen#2026pass", &Default::default())
            .await
            .unwrap();
        assert_eq!(get(&w, "/api/v1/orgs", &t2).await.0, StatusCode::OK);

        // the document needs no token
        let (s, h, body) = send(&w.app, req(Method::GET, "/api/v1/openapi.json", None, "")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h[header::CONTENT_TYPE], "application/json");
        assert!(body.contains("\"openapi\""));

        // unknown API paths are problem+json too
        let (s, h, _) = call(&w, Method::GET, "/api/v1/nothing", &t2, "").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(is_problem(&h));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizations() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let admin = token(&w, Role::OrgAdmin).await;

        // the roots of the scope, the children of one, a search within the scope
        let (s, v) = get(&w, "/api/v1/orgs", &admin).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["total"], 1);
        assert_eq!(v["items"][0]["id"], w.county_a);
        assert_eq!(v["items"][0]["kind"], "local_committee");
        assert_eq!(v["items"][0]["members"], 2);
        let (_, v) = get(&w, &format!("/api/v1/orgs?parent={}", w.county_a), &admin).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        assert_eq!(v["items"][0]["id"], w.town_a);
        let (_, v) = get(&w, "/api/v1/orgs?q=%E7%A4%BE%E5%8C%BA", &admin).await; // 社区
        assert_eq!(v["total"], 1, "the sibling county's branch is not found: {v}");
        assert_eq!(v["items"][0]["id"], w.branch_a);
        // paging
        let (_, v) = get(&w, "/api/v1/orgs?q=%E4%B8%AD%E5%85%B1&per_page=1&page=2", &admin).await; // 中共
        assert_eq!((v["total"].as_i64(), v["items"].as_array().unwrap().len()), (Some(2), 1), "{v}");
        assert_eq!(v["items"][0]["id"], w.town_a);
        let (s, v) = get(&w, "/api/v1/orgs?per_page=500", &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["per_page"]);
        // out of scope: the same 404 as a missing one
        for id in [w.county_b, w.city, w.branch_b, 999_999] {
            let (s, v) = get(&w, &format!("/api/v1/orgs/{id}"), &admin).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{id}: {v}");
            assert_eq!(v["status"], 404);
        }
        assert_eq!(get(&w, &format!("/api/v1/orgs?parent={}", w.county_b), &admin).await.0, StatusCode::NOT_FOUND);
        assert_eq!(get(&w, "/api/v1/orgs/abc", &admin).await.0, StatusCode::NOT_FOUND);

        // one organization
        let (s, v) = get(&w, &format!("/api/v1/orgs/{}", w.branch_a), &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["name"], "甲社区党支部");
        assert_eq!(v["members"]["total"], 2);
        assert_eq!(v["masked"], true);

        // create: 201, audited
        let body = json!({ "parent_id": w.town_a, "name": "甲村党支部", "kind": "党支部", "sector": "rural",
            "term_start": "2024-03-01", "facilities": [{ "kind": "活动场所", "status": "built", "year": 2020 }] });
        let (s, h, v) = call(&w, Method::POST, "/api/v1/orgs", &admin, &body.to_string()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let new_id = v["id"].as_i64().unwrap();
        assert_eq!(h[header::LOCATION], format!("/api/v1/orgs/{new_id}").as_str());
        assert_eq!(v["kind"], "branch");
        assert_eq!(v["term_end"], "2029-03-01", "TERM-02: a village branch's term is five years");
        assert_eq!(v["facilities"][0]["kind"], "activity_venue");
        let rec = audit_actions(&w).await.into_iter().find(|r| r.action == "org.create").unwrap();
        assert_eq!(rec.target, format!("org:{new_id}"));
        assert!(rec.role.contains("API 令牌"), "{}", rec.role);

        // validation: every problem, by its Chinese label, and nothing written
        let (s, h, v) = call(&w, Method::POST, "/api/v1/orgs", &admin, "{}").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(is_problem(&h));
        assert_eq!(fields(&v), ["上级党组织", "组织名称", "组织类别"], "{v}");
        let body = json!({ "parent_id": w.town_a, "name": "", "kind": "党校", "founded_on": "2030-13-01",
            "term_number": "x", "colour": "red" });
        let (s, _, v) = call(&w, Method::POST, "/api/v1/orgs", &admin, &body.to_string()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let f = fields(&v);
        for want in ["组织名称", "组织类别", "成立日期", "届次", "colour"] {
            assert!(f.contains(&want.to_string()), "{want} in {v}");
        }
        assert!(v["detail"].as_str().unwrap().contains("应为 地方党委、党委"), "{v}");
        let (s, _, v) = call(&w, Method::POST, "/api/v1/orgs", &admin, "{\"name\": ").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["errors"][0]["message"].as_str().unwrap().contains("不是有效的 JSON"), "{v}");
        let (s, _, v) = call(&w, Method::POST, "/api/v1/orgs", &admin, "[1]").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        // under an organization outside the scope: 404, whatever the rest says
        let body = json!({ "parent_id": w.county_b, "name": "乙村党支部", "kind": "branch" });
        assert_eq!(call(&w, Method::POST, "/api/v1/orgs", &admin, &body.to_string()).await.0, StatusCode::NOT_FOUND);
        // a kind the parent may not hold: 409 with the reason
        let body = json!({ "parent_id": w.branch_a, "name": "甲党委", "kind": "党委" });
        let (s, _, v) = call(&w, Method::POST, "/api/v1/orgs", &admin, &body.to_string()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("下不能设立"), "{v}");

        // edit: only what is given changes
        let uri = format!("/api/v1/orgs/{new_id}");
        let (s, _, v) = call(&w, Method::PATCH, &uri, &admin, r#"{"secretary": "李书记", "short_name": "甲村"}"#).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["secretary"].as_str(), v["name"].as_str()), (Some("李书记"), Some("甲村党支部")));
        assert_eq!(v["facilities"].as_array().unwrap().len(), 1);
        let (_, _, v) = call(&w, Method::PATCH, &uri, &admin, r#"{"short_name": null}"#).await;
        assert_eq!(v["short_name"], Value::Null);
        let (s, _, v) = call(&w, Method::PATCH, &uri, &admin, "{}").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["detail"].as_str().unwrap().contains("没有要修改的字段"));
        let (s, _, v) = call(&w, Method::PATCH, &uri, &admin, r#"{"name": "", "parent_id": 1}"#).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["上级党组织", "组织名称"], "{v}");
        let other = format!("/api/v1/orgs/{}", w.branch_b);
        assert_eq!(call(&w, Method::PATCH, &other, &admin, r#"{"name": "x"}"#).await.0, StatusCode::NOT_FOUND);
        assert!(audit_actions(&w)
            .await
            .iter()
            .any(|r| r.action == "org.update" && r.target == format!("org:{new_id}")));

        // roles: a 党务工作者 reads but may not edit organizations; a 党员 sees only its branch
        let worker = token(&w, Role::PartyWorker).await;
        assert_eq!(get(&w, &uri, &worker).await.0, StatusCode::OK);
        let (s, _, v) = call(&w, Method::PATCH, &uri, &worker, r#"{"name": "x"}"#).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(v["detail"].as_str().unwrap().contains("维护党组织"), "{v}");
        let member = token(&w, Role::Member).await;
        let (_, v) = get(&w, "/api/v1/orgs", &member).await;
        assert_eq!(v["items"][0]["id"], w.branch_a);
        assert_eq!(get(&w, &format!("/api/v1/orgs/{}", w.county_a), &member).await.0, StatusCode::NOT_FOUND);
        assert_eq!(call(&w, Method::POST, "/api/v1/orgs", &member, "{}").await.0, StatusCode::FORBIDDEN);
        let auditor = token(&w, Role::AuditAdmin).await;
        assert_eq!(get(&w, "/api/v1/orgs", &auditor).await.0, StatusCode::FORBIDDEN);

        // findings and statistics
        let (s, v) = get(&w, &format!("/api/v1/orgs/{}/findings", w.county_a), &admin).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let items = v["items"].as_array().unwrap();
        assert!(!items.is_empty());
        let f = items.iter().find(|f| f["org_id"] == new_id).expect("the new branch has no members");
        assert!(f["rule_id"].as_str().unwrap().starts_with("ORG-"), "{f}");
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(!f["source"].as_str().unwrap().is_empty() && !f["message"].as_str().unwrap().is_empty());
        assert_eq!(get(&w, &format!("/api/v1/orgs/{}/findings", w.county_b), &admin).await.0, StatusCode::NOT_FOUND);
        let (s, v) = get(&w, &format!("/api/v1/orgs/{}/stats", w.county_a), &admin).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["members"]["total"], 2);
        assert_eq!(v["members"]["female"], 1);
        assert_eq!(v["orgs"]["total"], 4);
        assert_eq!(v["orgs"]["branches"], 2);
        let kinds: Vec<(String, i64)> = v["orgs"]["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| (k["kind"].as_str().unwrap().to_string(), k["count"].as_i64().unwrap()))
            .collect();
        assert_eq!(kinds, [("local_committee".into(), 1), ("committee".into(), 1), ("branch".into(), 2)]);
        assert_eq!(get(&w, &format!("/api/v1/orgs/{}/stats", w.branch_a), &member).await.0, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_masked_and_audited_unmasking() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let admin = token(&w, Role::OrgAdmin).await;
        let worker = token(&w, Role::PartyWorker).await;

        // the roster, masked by default
        let (s, v) = get(&w, &format!("/api/v1/members?org={}", w.branch_a), &admin).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["total"], 2);
        let first = &v["items"][0];
        assert_eq!(first["name"], "甲党员");
        assert_eq!(first["id_number"], "110105********002X");
        assert_eq!(first["phone"], "138****5678");
        assert_eq!(first["org_name"], "甲社区党支部");
        assert_eq!(first["masked"], true);
        let text = v.to_string();
        assert!(!text.contains(common::ID_A) && !text.contains(common::PHONE_A));
        // without org: the caller's only top organization; filters
        let (_, v) = get(&w, "/api/v1/members?name=%E4%BA%8C", &admin).await; // 二
        assert_eq!((v["org_id"].as_i64(), v["total"].as_i64()), (Some(w.county_a), Some(1)), "{v}");
        let (_, v) = get(&w, "/api/v1/members?category=probationary", &admin).await;
        assert_eq!(v["total"], 0);
        let (s, v) = get(&w, "/api/v1/members?category=x&status=y&mobile=maybe", &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["category", "status", "mobile"], "{v}");
        assert_eq!(get(&w, &format!("/api/v1/members?org={}", w.county_b), &admin).await.0, StatusCode::NOT_FOUND);

        // one member; out of scope is 404
        let uri = format!("/api/v1/members/{}", w.member_a);
        let (s, v) = get(&w, &uri, &worker).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["id_number"], "110105********002X");
        for id in [w.member_b, w.city_member] {
            assert_eq!(get(&w, &format!("/api/v1/members/{id}"), &admin).await.0, StatusCode::NOT_FOUND);
        }

        // unmasking: only with the permission, and recorded without the values
        let before = audit_actions(&w).await.len();
        let (s, v) = get(&w, &format!("{uri}?unmask=true"), &worker).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a 党务工作者 has no 查看个人敏感信息");
        assert!(v["detail"].as_str().unwrap().contains("查看个人敏感信息"));
        assert_eq!(audit_actions(&w).await.len(), before);
        let (s, v) = get(&w, &format!("{uri}?unmask=true"), &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((v["id_number"].as_str(), v["phone"].as_str()), (Some(common::ID_A), Some(common::PHONE_A)));
        assert_eq!(v["masked"], false);
        let (_, v) = get(&w, &format!("/api/v1/members?org={}&unmask=1", w.branch_a), &admin).await;
        assert_eq!(v["items"][0]["id_number"], common::ID_A);
        let recs = audit_actions(&w).await;
        let reads: Vec<_> = recs.iter().filter(|r| r.action == "member.read_personal").collect();
        assert_eq!(reads.len(), 2, "one record per unmasked read");
        assert!(reads.iter().any(|r| r.target == format!("member:{}", w.member_a)));
        assert!(reads
            .iter()
            .any(|r| r.target == format!("org:{}", w.branch_a) && r.detail.contains(&w.member_a2.to_string())));
        assert!(recs.iter().all(|r| !r.detail.contains(common::ID_A) && !r.detail.contains(common::PHONE_A)));

        // create: 201, masked answer, audited
        let id = domain::idcard::compose("110105", d("1980-02-03"), 456);
        let body = json!({ "org_id": w.branch_a, "name": "新党员", "id_number": id, "category": "预备党员",
            "join_date": "2026-01-10", "phone": "13700001111", "education": "本科", "is_needy": true });
        let (s, h, v) = call(&w, Method::POST, "/api/v1/members", &worker, &body.to_string()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let new_id = v["id"].as_i64().unwrap();
        assert_eq!(h[header::LOCATION], format!("/api/v1/members/{new_id}").as_str());
        assert_eq!((v["sex"].as_str(), v["birth_date"].as_str()), (Some("female"), Some("1980-02-03")));
        assert_eq!(v["phone"], "137****1111");
        assert_eq!((v["category"].as_str(), v["education"].as_str()), (Some("probationary"), Some("bachelor")));
        assert!(audit_actions(&w)
            .await
            .iter()
            .any(|r| r.action == "member.create" && r.target == format!("member:{new_id}")));
        let (_, v) = get(&w, &format!("/api/v1/orgs/{}/stats", w.branch_a), &worker).await;
        assert_eq!((v["members"]["total"].as_i64(), v["members"]["needy"].as_i64()), (Some(3), Some(1)));

        // validation: every problem by its Chinese label
        let (s, h, v) = call(&w, Method::POST, "/api/v1/members", &worker, "{}").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(is_problem(&h));
        assert_eq!(fields(&v), ["所在党组织", "姓名", "公民身份号码", "人员类别", "入党日期"], "{v}");
        let body = json!({ "org_id": w.branch_a, "name": "坏号码", "id_number": "110105198002034571",
            "category": "full", "join_date": "2000-01-01", "phone": "12345" });
        let (s, _, v) = call(&w, Method::POST, "/api/v1/members", &worker, &body.to_string()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["公民身份号码", "联系电话"], "{v}");
        // the same person twice
        let body = json!({ "org_id": w.branch_a, "name": "重复", "id_number": common::ID_A, "category": "full",
            "join_date": "1975-07-01" });
        let (s, _, v) = call(&w, Method::POST, "/api/v1/members", &worker, &body.to_string()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(fields(&v), ["公民身份号码"], "{v}");
        // into an organization outside the scope, or one that holds no members
        let body = json!({ "org_id": w.branch_b, "name": "x" });
        assert_eq!(
            call(&w, Method::POST, "/api/v1/members", &worker, &body.to_string()).await.0,
            StatusCode::NOT_FOUND
        );
        let body = json!({ "org_id": w.town_a, "name": "党委里的人", "id_number": domain::idcard::compose("110105", d("1981-02-03"), 457),
            "category": "full", "join_date": "2005-01-01" });
        let (s, _, v) = call(&w, Method::POST, "/api/v1/members", &worker, &body.to_string()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(fields(&v), ["所在党组织"], "{v}");
        assert!(v["detail"].as_str().unwrap().contains("党员应编入党支部或党小组"), "{v}");

        // edit
        let uri = format!("/api/v1/members/{new_id}");
        let (s, _, v) =
            call(&w, Method::PATCH, &uri, &worker, r#"{"phone": "13911112222", "job_post": "村委委员"}"#).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["phone"].as_str(), v["job_post"].as_str()), (Some("139****2222"), Some("村委委员")));
        assert_eq!(v["name"], "新党员");
        let stored = store::member::get(&w.store, &Scope::all(), new_id).await.unwrap();
        assert_eq!(stored.phone.as_deref(), Some("13911112222"));
        // a masked value read from the API cannot be written back
        let (s, _, v) = call(&w, Method::PATCH, &uri, &worker, r#"{"phone": "139****2222"}"#).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["errors"][0]["message"].as_str().unwrap().contains("脱敏"), "{v}");
        // a status change
        let (s, _, v) = call(&w, Method::PATCH, &uri, &worker, r#"{"status": "已转出"}"#).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["状态日期"], "{v}");
        let (s, _, v) =
            call(&w, Method::PATCH, &uri, &worker, r#"{"status": "已转出", "status_date": "2026-11-01"}"#).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "transferred_out");
        // moving outside the scope is 404; an empty change 422; a 党员 may not edit
        let (s, _, _) = call(&w, Method::PATCH, &uri, &worker, &json!({ "org_id": w.branch_b }).to_string()).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(call(&w, Method::PATCH, &uri, &worker, "{}").await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let other = format!("/api/v1/members/{}", w.member_b);
        assert_eq!(call(&w, Method::PATCH, &other, &worker, r#"{"name": "x"}"#).await.0, StatusCode::NOT_FOUND);
        let member = token(&w, Role::Member).await;
        assert_eq!(call(&w, Method::PATCH, &uri, &member, r#"{"name": "x"}"#).await.0, StatusCode::FORBIDDEN);
        assert_eq!(get(&w, "/api/v1/members", &member).await.0, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

fn roster_csv(rows: &[(&str, String, &str)]) -> String {
    let mut s = String::from("姓名,公民身份号码,人员类别,入党日期,联系电话,所在党组织\n");
    for (name, id, org) in rows {
        s.push_str(&format!("{name},{id},正式党员,2001-07-01,13600001234,{org}\n"));
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_dry_run_commit_and_masked_export() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let admin = token(&w, Role::OrgAdmin).await;
        let worker = token(&w, Role::PartyWorker).await;
        let id1 = domain::idcard::compose("110105", d("1970-01-01"), 11);
        let id2 = domain::idcard::compose("110105", d("1971-01-01"), 12);
        let id3 = domain::idcard::compose("110105", d("1972-01-01"), 13);
        // the third row names a branch of the sibling county: outside the scope, an error
        let csv = roster_csv(&[
            ("导入一", id1.clone(), ""),
            ("导入二", id2.clone(), "甲社区党支部"),
            ("导入三", id3, "乙社区党支部"),
        ]);
        let uri = format!("/api/v1/import?org={}&format=csv", w.branch_a);

        // a dry run is the default: a report, nothing written
        let (s, _, v) = call(&w, Method::POST, &uri, &worker, &csv).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["rows"].as_u64(), v["ok"].as_u64(), v["bad"].as_u64()), (Some(3), Some(2), Some(1)), "{v}");
        assert_eq!((v["dry_run"].as_bool(), v["written"].as_bool()), (Some(true), Some(false)));
        assert_eq!(v["inserted"], 2);
        assert_eq!(v["kind"], "members");
        assert_eq!(v["errors"][0]["row"], 4);
        assert_eq!(v["errors"][0]["column"], "所在党组织");
        assert!(v["errors"][0]["reason"].as_str().unwrap().contains("找不到党组织"), "{v}");
        assert!(store::member::find_by_id_number(&w.store, &Scope::all(), &id1).await.unwrap().is_none());

        // strict: nothing written while a row is bad
        let (_, _, v) = call(&w, Method::POST, &format!("{uri}&dry_run=false&strict=true"), &worker, &csv).await;
        assert_eq!(v["written"], false, "{v}");
        assert!(store::member::find_by_id_number(&w.store, &Scope::all(), &id1).await.unwrap().is_none());

        // a commit writes the good rows, audited
        let (s, _, v) = call(&w, Method::POST, &format!("{uri}&dry_run=false"), &worker, &csv).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["written"].as_bool(), v["inserted"].as_u64()), (Some(true), Some(2)), "{v}");
        let m = store::member::find_by_id_number(&w.store, &Scope::all(), &id2).await.unwrap().unwrap();
        assert_eq!(m.org_id, w.branch_a);
        assert!(audit_actions(&w).await.iter().any(|r| r.action == "member.import"));

        // a file that is no roster, a target outside the scope, an organizations file without
        // the right to edit organizations
        let (s, _, v) = call(&w, Method::POST, &uri, &worker, "{}").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(!v["detail"].as_str().unwrap().is_empty());
        let out = format!("/api/v1/import?org={}", w.branch_b);
        assert_eq!(call(&w, Method::POST, &out, &worker, &csv).await.0, StatusCode::NOT_FOUND);
        let orgs_csv = "组织名称,上级党组织,组织类别\n新支部,,党支部\n";
        let (s, _, _) = call(&w, Method::POST, &format!("{uri}&kind=orgs"), &worker, orgs_csv).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, v) = call(&w, Method::POST, &format!("/api/v1/import?org={}", w.town_a), &worker, orgs_csv).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "read as a roster, it lacks the roster's columns: {v}");
        let (s, _, v) =
            call(&w, Method::POST, &format!("/api/v1/import?org={}&dry_run=false", w.town_a), &admin, orgs_csv).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["kind"].as_str(), v["inserted"].as_u64()), (Some("orgs"), Some(1)), "{v}");
        let (s, _, v) = call(&w, Method::POST, &format!("{uri}&dry_run=perhaps"), &worker, &csv).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["dry_run"]);

        // export: masked by default
        let (s, h, body) =
            send(&w.app, req(Method::GET, &format!("/api/v1/export?org={}", w.branch_a), Some(&worker), "")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
        assert!(h[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
        assert!(body.contains("甲党员") && body.contains("110105********002X") && body.contains("导入二"), "{body}");
        assert!(!body.contains(common::ID_A) && !body.contains(common::PHONE_A));
        // unmasked: only with the permission, audited
        let unmasked = format!("/api/v1/export?org={}&unmask=true", w.branch_a);
        assert_eq!(send(&w.app, req(Method::GET, &unmasked, Some(&worker), "")).await.0, StatusCode::FORBIDDEN);
        let before = audit_actions(&w).await.iter().filter(|r| r.action == "member.read_personal").count();
        let (s, _, body) = send(&w.app, req(Method::GET, &unmasked, Some(&admin), "")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains(common::ID_A));
        let recs = audit_actions(&w).await;
        assert_eq!(recs.iter().filter(|r| r.action == "member.read_personal").count(), before + 1);
        assert!(recs.iter().all(|r| !r.detail.contains(common::ID_A)));
        // an unmasked .xlsx roster imports back unchanged (its format recognised from the content)
        let uri = format!("/api/v1/export?org={}&format=xlsx&unmask=true", w.branch_a);
        let res = w.app.clone().oneshot(req(Method::GET, &uri, Some(&admin), "")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".xlsx"));
        let xlsx = res.into_body().collect().await.unwrap().to_bytes();
        let r = req(Method::POST, &format!("/api/v1/import?org={}", w.branch_a), Some(&admin), xlsx);
        let (s, _, body) = send(&w.app, r).await;
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            (v["format"].as_str(), v["bad"].as_u64(), v["unchanged"].as_u64()),
            (Some("xlsx"), Some(0), Some(4)),
            "{v}"
        );
        // organizations: contact phones masked too, unless granted
        let town = format!("/api/v1/orgs/{}", w.town_a);
        let (s, _, v) = call(&w, Method::PATCH, &town, &admin, r#"{"contact_phone": "13512345678"}"#).await;
        assert_eq!((s, v["contact_phone"].as_str()), (StatusCode::OK, Some("135****5678")), "{v}");
        let (_, v) = get(&w, &format!("{town}?unmask=true"), &admin).await;
        assert_eq!(v["contact_phone"], "13512345678");
        let orgs_uri = format!("/api/v1/export?what=orgs&org={}", w.county_a);
        let (s, _, body) = send(&w.app, req(Method::GET, &orgs_uri, Some(&worker), "")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            body.contains("中共甲镇委员会") && body.contains("135****5678") && !body.contains("13512345678"),
            "{body}"
        );
        let (_, _, body) = send(&w.app, req(Method::GET, &format!("{orgs_uri}&unmask=true"), Some(&admin), "")).await;
        assert!(body.contains("13512345678"));
        let recs = audit_actions(&w).await;
        assert_eq!(recs.iter().filter(|r| r.action == "org.read_personal").count(), 2);
        assert!(recs.iter().all(|r| !r.detail.contains("13512345678")));
        // organizations, as xlsx
        let (s, h, _) = send(
            &w.app,
            req(Method::GET, &format!("/api/v1/export?what=orgs&format=xlsx&org={}", w.county_a), Some(&admin), ""),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
        assert_eq!(
            send(&w.app, req(Method::GET, &format!("/api/v1/export?org={}", w.county_b), Some(&admin), "")).await.0,
            StatusCode::NOT_FOUND
        );
        let member = token(&w, Role::Member).await;
        assert_eq!(send(&w.app, req(Method::GET, "/api/v1/export", Some(&member), "")).await.0, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

/// Every route of the API as every role with `{}`: a role without the permission gets 403, a
/// record outside the scope 404, and an allowed write reaches validation (422), never a 403/404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_as_every_role() {
    let db = TestDb::sqlite().await;
    let w = common::world(&db.store).await;
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((*role, token(&w, *role).await));
    }
    let (campaign_in, _, _, round_in) = common::campaign_target(&w, w.county_a, "接口活动甲").await;
    let (campaign_out, _, _, round_out) = common::campaign_target(&w, w.county_b, "接口活动乙").await;
    // a task, an innovation list and project, a nomination and a draft plan inside county A and
    // in county B
    let (task_in, assignment_in, evidence_in) = common::task_target(&w, campaign_in, w.county_a, w.town_a).await;
    let (task_out, assignment_out, evidence_out) = common::task_target(&w, campaign_out, w.county_b, w.branch_b).await;
    let (list_in, project_in) = common::innovation_target(&w, campaign_in, w.town_a).await;
    let (list_out, project_out) = common::innovation_target(&w, campaign_out, w.branch_b).await;
    let (nomination_in, nomination_out) = (
        common::secondment_target(&w, w.town_a, w.member_a).await,
        common::secondment_target(&w, w.branch_b, w.member_b).await,
    );
    let (plan_in, plan_out) = (common::plan_target(&w, w.town_a).await, common::plan_target(&w, w.branch_b).await);
    let (survey_in, survey_out) =
        (crate::survey::survey_target(&w, w.town_a).await, crate::survey::survey_target(&w, w.county_b).await);
    // a weak-and-lax identification in the 党员's own branch (read by every role there) and in
    // county B
    let (weak_in, weak_out) = (
        crate::weak_and_lax::weak_target(&w, w.branch_a).await,
        crate::weak_and_lax::weak_target(&w, w.branch_b).await,
    );
    let (cycle_in, cycle_out) = (
        crate::grading_pages::cycle_at(&w, w.town_a, 2026, "区内分类定级").await,
        crate::grading_pages::cycle_at(&w, w.county_b, 2026, "区外分类定级").await,
    );
    // the 党员's own branch's entry, and county B's branch's
    let all = store::Scope::all();
    let (entry_in, entry_out) = (
        store::grading::entry_of(&w.store, &all, cycle_in, w.branch_a).await.unwrap().1.id,
        store::grading::entry_of(&w.store, &all, cycle_out, w.branch_b).await.unwrap().1.id,
    );
    let (posting_in, posting_out) = (
        crate::first_secretary::posting_target(&w, w.branch_a, None).await,
        crate::first_secretary::posting_target(&w, w.branch_b, None).await,
    );
    for spec in
        web::route_specs().into_iter().filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
    {
        for (role, t) in &tokens {
            let (inside, outside) = match spec.target {
                web::Target::Org => (w.branch_a, w.branch_b),
                web::Target::Member => (w.member_a, w.member_b),
                // a fresh draft each time, so an earlier call (a submit) changes nothing here
                web::Target::LifeRecord => (draft_record(&w, w.branch_a).await, draft_record(&w, w.branch_b).await),
                web::Target::Campaign => (campaign_in, campaign_out),
                web::Target::DispatchRound => (round_in, round_out),
                web::Target::CampaignTask => (task_in, task_out),
                web::Target::TaskAssignment => (assignment_in, assignment_out),
                web::Target::TaskEvidence => (evidence_in, evidence_out),
                web::Target::InnovationList => (list_in, list_out),
                web::Target::InnovationProject => (project_in, project_out),
                web::Target::Secondment => (nomination_in, nomination_out),
                web::Target::Plan => (plan_in, plan_out),
                web::Target::Survey => (survey_in, survey_out),
                web::Target::WeakAndLax => (weak_in, weak_out),
                web::Target::GradingCycle => (cycle_in, cycle_out),
                web::Target::GradingEntry => (entry_in, entry_out),
                web::Target::FirstSecretary => (posting_in, posting_out),
                _ => (0, 0),
            };
            let method: Method = spec.method.parse().unwrap();
            let path = |id: i64| spec.path.replace("{id}", &id.to_string());
            let (s, h, v) = call(&w, method.clone(), &path(inside), t, "{}").await;
            let perm = perm_of(spec.method, spec.path);
            let allowed = web::access::role_has(*role, perm);
            let msg = format!("{} {} as {role:?}: {s} {v}", spec.method, spec.path);
            assert!(is_problem(&h) || s.is_success(), "{msg}");
            if !allowed {
                assert_eq!(s, StatusCode::FORBIDDEN, "{msg}");
                continue;
            }
            // a 党员 holds 查看党组织 on its own branch only
            if spec.method == "GET" {
                assert!(s.is_success() || s == StatusCode::UNPROCESSABLE_ENTITY, "{msg}");
            } else if spec.path.ends_with("/publish") {
                // the round is published already: refused in its state
                assert_eq!(s, StatusCode::CONFLICT, "{msg}");
            } else if spec.path == "/api/v1/life/records/{id}/submit" {
                // submitting a record takes no input: the draft is submitted (a plan's submission
                // carries the version read)
                assert_eq!(s, StatusCode::OK, "{msg}");
            } else {
                assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{msg}");
            }
            if !matches!(spec.target, web::Target::None | web::Target::OrgQuery) {
                let (s, _, v) = call(&w, method, &path(outside), t, "{}").await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{} {} outside as {role:?}: {v}", spec.method, spec.path);
            }
        }
    }
    db.finish().await;
}

/// A draft record of a 党课 in `org` (no roster: numbers by hand).
async fn draft_record(w: &World, org: i64) -> i64 {
    let input = domain::life::RecordInput {
        types: vec!["party_lecture".into()],
        title: "接口党课".into(),
        held_on: "2026-10-10".into(),
        place: "会议室".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        lecturer: "书记".into(),
        expected: "2".into(),
        present: "2".into(),
        ..Default::default()
    };
    store::life::create(&w.store, &Scope::all(), org, &input, false).await.unwrap().id
}

fn perm_of(method: &str, path: &str) -> web::access::Perm {
    use web::access::Perm::*;
    match (method, path) {
        ("GET", "/api/v1/orgs" | "/api/v1/orgs/{id}" | "/api/v1/orgs/{id}/findings" | "/api/v1/orgs/{id}/officers") => {
            ReadOrgs
        }
        ("POST" | "PATCH", "/api/v1/orgs" | "/api/v1/orgs/{id}") => EditOrgs,
        ("GET", "/api/v1/orgs/{id}/stats") => Stats,
        ("GET", "/api/v1/members" | "/api/v1/members/{id}") => ReadMembers,
        ("POST" | "PATCH", "/api/v1/members" | "/api/v1/members/{id}") => EditMembers,
        (_, "/api/v1/import" | "/api/v1/export") => Exchange,
        ("GET", "/api/v1/life/records" | "/api/v1/life/records/{id}") => ReadLife,
        ("GET", "/api/v1/life/types" | "/api/v1/life/rules" | "/api/v1/life/findings" | "/api/v1/life/compliance") => {
            ReadLife
        }
        ("POST" | "PUT", "/api/v1/life/records" | "/api/v1/life/records/{id}" | "/api/v1/life/records/{id}/submit") => {
            RecordLife
        }
        ("GET", "/api/v1/orgs/{id}/roster") => RecordLife,
        ("POST", "/api/v1/life/records/{id}/review") => ReviewLife,
        ("POST", "/api/v1/life/records/review") => ReviewLife,
        ("GET", "/api/v1/campaigns" | "/api/v1/campaigns/indicator-sources" | "/api/v1/campaigns/{id}") => {
            ReadCampaigns
        }
        ("GET", "/api/v1/campaigns/rounds/{id}") => ReadCampaigns,
        ("POST", "/api/v1/campaigns/{id}/rounds" | "/api/v1/campaigns/rounds/{id}/publish") => ManageCampaigns,
        (
            "GET",
            "/api/v1/campaigns/{id}/tasks"
            | "/api/v1/campaigns/tasks/{id}"
            | "/api/v1/campaigns/tasks/evidence/{id}"
            | "/api/v1/campaigns/{id}/innovation"
            | "/api/v1/campaigns/innovation/lists/{id}"
            | "/api/v1/campaigns/{id}/projects"
            | "/api/v1/campaigns/projects/{id}"
            | "/api/v1/secondments"
            | "/api/v1/secondments/{id}"
            | "/api/v1/plans"
            | "/api/v1/plans/{id}",
        ) => ReadCampaigns,
        (
            "POST",
            "/api/v1/campaigns/{id}/tasks"
            | "/api/v1/campaigns/tasks/assignments/{id}/cascade"
            | "/api/v1/campaigns/tasks/assignments/{id}/decide"
            | "/api/v1/campaigns/projects/{id}/gates"
            | "/api/v1/secondments/{id}/review"
            | "/api/v1/plans/{id}/review",
        ) => ManageCampaigns,
        (
            "POST" | "PUT",
            "/api/v1/campaigns/tasks/assignments/{id}/report"
            | "/api/v1/campaigns/{id}/innovation/lists"
            | "/api/v1/campaigns/{id}/innovation/updates"
            | "/api/v1/campaigns/innovation/lists/{id}"
            | "/api/v1/campaigns/{id}/projects"
            | "/api/v1/secondments"
            | "/api/v1/plans"
            | "/api/v1/plans/{id}"
            | "/api/v1/plans/{id}/submit"
            | "/api/v1/plans/{id}/milestones",
        ) => ReportCampaigns,
        ("GET", "/api/v1/surveys" | "/api/v1/surveys/{id}" | "/api/v1/surveys/{id}/tally") => ManageSurveys,
        ("GET", "/api/v1/weak-and-lax" | "/api/v1/weak-and-lax/{id}") => ReadGrading,
        (
            "POST",
            "/api/v1/weak-and-lax"
            | "/api/v1/weak-and-lax/proposals"
            | "/api/v1/weak-and-lax/{id}/transition"
            | "/api/v1/weak-and-lax/{id}/items/decide",
        ) => ManageGrading,
        ("POST", "/api/v1/weak-and-lax/{id}/items" | "/api/v1/weak-and-lax/{id}/items/report") => AssessGrading,
        ("GET", "/api/v1/grading/cycles" | "/api/v1/grading/cycles/{id}") => ReadGrading,
        ("GET", "/api/v1/grading/entries/{id}" | "/api/v1/grading/transitions") => ReadGrading,
        ("PUT", "/api/v1/grading/entries/{id}/scores") => AssessGrading,
        ("GET", "/api/v1/first-secretaries" | "/api/v1/first-secretaries/{id}" | "/api/v1/contact-persons") => {
            ReadGrading
        }
        (
            "POST",
            "/api/v1/first-secretaries"
            | "/api/v1/first-secretaries/{id}/logs"
            | "/api/v1/first-secretaries/{id}/days"
            | "/api/v1/first-secretaries/{id}/assessments",
        ) => ManageGrading,
        ("POST", "/api/v1/contact-persons") => AssessGrading,
        other => panic!("no permission known for {other:?}: add the new route here"),
    }
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI document

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

/// The generated document equals the committed snapshot; `UPDATE_SNAPSHOTS=1` rewrites it.
#[test]
fn openapi_snapshot() {
    let now = web::api::openapi_json() + "\n";
    let before = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if now == before {
        return;
    }
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(std::path::Path::new(SNAPSHOT).parent().unwrap()).unwrap();
        std::fs::write(SNAPSHOT, &now).unwrap();
        eprintln!("updated {SNAPSHOT}");
        return;
    }
    let line = now
        .lines()
        .zip(before.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(now.lines().count().min(before.lines().count()));
    panic!(
        "the OpenAPI document differs from {SNAPSHOT} (first at line {}: now {:?}, snapshot {:?}).\n\
         If the API change is intended, run `UPDATE_SNAPSHOTS=1 cargo nextest run -p web -E 'binary(api)'` \
         and commit the snapshot.",
        line + 1,
        now.lines().nth(line).unwrap_or(""),
        before.lines().nth(line).unwrap_or("")
    );
}

/// Every `/api/v1` route of the table is documented with the same method, and nothing else is.
#[test]
fn openapi_documents_every_route() {
    let doc: Value = serde_json::from_str(&web::api::openapi_json()).unwrap();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut routed: Vec<(String, String)> = web::route_specs()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/"))
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    routed.sort();
    assert_eq!(documented, routed);
    // the bearer scheme, required by every operation but the document itself
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(doc["security"][0]["bearer"], json!([]));
    assert_eq!(doc["paths"]["/api/v1/openapi.json"]["get"]["security"], json!([{}]));
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["responses"]["Unauthorized"]["headers"]["WWW-Authenticate"].is_object());
}

/// The documented request fields are the ones the handlers read.
#[test]
fn openapi_request_fields_match_the_parsers() {
    let doc: Value = serde_json::from_str(&web::api::openapi_json()).unwrap();
    let keys = |name: &str| -> Vec<String> {
        let mut k: Vec<String> =
            doc["components"]["schemas"][name]["properties"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let mut org: Vec<String> = web::api::ORG_FIELDS.iter().map(|(k, _)| k.to_string()).collect();
    org.sort();
    // a change carries the version it was made on
    let mut patch = org.clone();
    patch.push("version".into());
    patch.sort();
    assert_eq!(keys("OrgPatch"), patch);
    org.push("parent_id".into());
    org.sort();
    assert_eq!(keys("OrgCreate"), org);
    let mut member: Vec<String> = web::api::MEMBER_FIELDS.iter().map(|(k, _)| k.to_string()).collect();
    member.push("org_id".into());
    member.sort();
    assert_eq!(keys("MemberCreate"), member);
    member.push("version".into());
    member.sort();
    assert_eq!(keys("MemberPatch"), member);
}
