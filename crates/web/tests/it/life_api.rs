//! The organization-life API (`/api/v1/life/…`, `/api/v1/orgs/{id}/roster`) in process, on SQLite
//! and PostgreSQL: entering a record from JSON with attendance (counts, warnings naming the rule),
//! every problem at once (422), the draft → submitted → returned/accepted flow, the superior-only
//! review (403 for one's own organization), scope (404 outside), the types and rule versions, the
//! daily job's findings with their evidence, and a live compliance evaluation.

use crate::common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use common::{enc, send, World};
use domain::account::Role;
use serde_json::{json, Value};
use store::testing::TestDb;
use store::Scope;

/// A fresh API token for an account.
async fn token_for(w: &World, account_id: i64) -> String {
    store::account::create_api_token(&w.store, &Scope::none(), account_id, "测试", chrono::Utc::now()).await.unwrap().1
}

async fn token(w: &World, role: Role) -> String {
    token_for(w, w.logins[&role].account_id).await
}

async fn call(w: &World, method: Method, uri: &str, token: &str, body: &str) -> (StatusCode, HeaderMap, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, headers, text) = send(&w.app, req).await;
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(w: &World, uri: &str, token: &str) -> (StatusCode, Value) {
    let (s, _, v) = call(w, Method::GET, uri, token, "").await;
    (s, v)
}

async fn post(w: &World, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let (s, _, v) = call(w, Method::POST, uri, token, &body.to_string()).await;
    (s, v)
}

async fn put(w: &World, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let (s, _, v) = call(w, Method::PUT, uri, token, &body.to_string()).await;
    (s, v)
}

/// The `field` of every entry of a 422's `errors`.
fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

/// The message of the first error about `field`.
fn message<'a>(v: &'a Value, field: &str) -> &'a str {
    v["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or("")
}

/// A 支部党员大会 of branch A with both of its members' attendance.
fn assembly(w: &World, second: &str) -> Value {
    json!({
        "org_id": w.branch_a,
        "types": ["支部党员大会"],
        "title": "讨论发展党员",
        "held_on": "2026-10-15",
        "start_time": "14:30",
        "end_time": "16:00",
        "place": "社区党群服务中心",
        "host": "甲党员",
        "recorder": "甲二党员",
        "minutes": "会议讨论了发展党员事项。",
        "attendance": [
            { "member_id": w.member_a, "status": "出席" },
            { "member_id": w.member_a2, "status": second, "reason": "出差" },
        ],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_entered_reviewed_and_scoped() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let admin = token(&w, Role::OrgAdmin).await; // on county A: reviews what is below it
        let worker = token(&w, Role::PartyWorker).await;

        // the roster of branch A on the meeting's date: names and flags, no personal data
        let (s, v) = get(&w, &format!("/api/v1/orgs/{}/roster?date=2026-10-15", w.branch_a), &worker).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["total"].as_i64(), v["voters"].as_i64()), (Some(2), Some(2)), "{v}");
        let names: Vec<&str> = v["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["甲党员", "甲二党员"]);
        assert_eq!(
            v["members"][0].as_object().unwrap().keys().cloned().collect::<Vec<_>>(),
            ["committee", "member_id", "name", "voter"]
        );
        let (s, v) = get(&w, &format!("/api/v1/orgs/{}/roster?date=2026-13-01", w.branch_a), &worker).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["date".to_string()]));

        // entered with attendance: one present, one on leave → saved, with the quorum warning
        let (s, h, v) =
            call(&w, Method::POST, "/api/v1/life/records", &worker, &assembly(&w, "请假").to_string()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().unwrap();
        assert_eq!(h[header::LOCATION], format!("/api/v1/life/records/{id}").as_str());
        assert_eq!(v["types"], json!(["branch_assembly"]));
        assert_eq!(v["type_labels"], "支部党员大会");
        assert_eq!(v["status"], "draft");
        assert_eq!(
            (v["expected"].as_i64(), v["present"].as_i64(), v["leave"].as_i64(), v["absent"].as_i64()),
            (Some(2), Some(1), Some(1), Some(0))
        );
        assert_eq!((v["voters_expected"].as_i64(), v["voters_present"].as_i64()), (Some(2), Some(1)));
        assert_eq!(v["quorum_ok"], false);
        let warning = v["warnings"][0].as_str().unwrap();
        assert!(warning.contains("LIFE-02") && warning.contains("法定人数"), "{warning}");
        assert_eq!(v["attendance"][1]["status"], "leave");
        assert_eq!(v["attendance"][1]["reason"], "出差");
        assert_eq!(v["reviewable"], false, "a 党务工作者 does not review");
        let audit = store::audit::recent(&w.store, 50).await.unwrap();
        let rec = audit.iter().find(|r| r.action == "life.create").expect("audited");
        assert_eq!(rec.target, format!("life_record:{id}"));
        assert!(rec.role.contains("API 令牌"), "{}", rec.role);

        // every problem at once, each with its field; rules named
        let (s, v) = post(&w, "/api/v1/life/records", &worker, json!({})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["党组织", "会议类型", "会议主题", "会议日期", "地点", "主持人", "记录人"], "{v}");
        let mut body = assembly(&w, "出席");
        body.as_object_mut().unwrap().remove("place");
        body["resolutions"] =
            json!([{ "text": "同意接收为预备党员", "yes": 1, "no": 1, "abstain": 0, "declared": true }]);
        let (s, v) = post(&w, "/api/v1/life/records", &worker, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(fields(&v), ["地点", "决议"], "{v}");
        assert!(message(&v, "地点").contains("REC-05"), "{v}");
        assert!(message(&v, "决议").contains("LIFE-02") && message(&v, "决议").contains("不能通过"), "{v}");
        // wrong shapes, a stranger in the attendance, an unknown field, a future date
        let mut body = assembly(&w, "出席");
        body["types"] = json!("branch_assembly");
        body["held_on"] = json!("2099-01-01");
        body["attendance"] = json!([{ "member_id": w.member_b, "status": "出席" }]);
        body["colour"] = json!("red");
        let (s, v) = post(&w, "/api/v1/life/records", &worker, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["会议类型", "会议日期", "colour"], "{v}");
        let mut body = assembly(&w, "出席");
        body["attendance"] = json!([{ "member_id": w.member_b, "status": "出席" }]);
        let (s, v) = post(&w, "/api/v1/life/records", &worker, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message(&v, "出席情况").contains("REC-08"), "a member of another branch: {v}");
        // an organization that holds no meetings of its own
        let mut body = assembly(&w, "出席");
        body["org_id"] = json!(w.county_a);
        let (s, v) = post(&w, "/api/v1/life/records", &worker, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(fields(&v).contains(&"党组织".to_string()), "{v}");

        // read it; the list leaves the minutes out
        let uri = format!("/api/v1/life/records/{id}");
        let (s, v) = get(&w, &uri, &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["reviewable"], true, "county A's administrator reviews branch A's records");
        assert_eq!(v["minutes"], "会议讨论了发展党员事项。");
        assert_eq!(v["warnings"], json!([]));
        let (s, v) = get(&w, &format!("/api/v1/life/records?org={}", w.branch_a), &worker).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["total"], 1);
        assert_eq!(v["items"][0]["id"], id);
        assert!(v["items"][0].get("minutes").is_none() && v["items"][0].get("attendance").is_none());
        assert_eq!(v["items"][0]["has_minutes"], true);
        assert_eq!(get(&w, "/api/v1/life/records?type=theme_day", &worker).await.1["total"], 0);
        let query = format!("/api/v1/life/records?type={}&status={}", enc("支部党员大会"), enc("草稿"));
        assert_eq!(get(&w, &query, &worker).await.1["total"], 1);
        assert_eq!(get(&w, "/api/v1/life/records?from=2026-10-16", &worker).await.1["total"], 0);
        let (s, v) = get(&w, "/api/v1/life/records?type=picnic&status=x&from=yesterday", &worker).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["from", "type", "status"], "{v}");

        // change it, on the version read: both present now
        let mut body = assembly(&w, "出席");
        body.as_object_mut().unwrap().remove("org_id");
        body["version"] = get(&w, &uri, &worker).await.1["version"].clone();
        let (s, v) = put(&w, &uri, &worker, body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["present"].as_i64(), v["quorum_ok"].as_bool()), (Some(2), Some(true)));
        assert_eq!(v["warnings"], json!([]));
        assert_eq!(v["attendance"][1]["reason"], Value::Null, "no reason kept for someone present");
        let (s, v) = put(&w, &uri, &worker, json!({ "title": "" })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(fields(&v).contains(&"会议主题".to_string()));

        // submit; no more changes until it comes back
        let (s, v) = post(&w, &format!("{uri}/submit"), &worker, json!({})).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("submitted")), "{v}");
        assert!(v["submitted_at"].is_string());
        let (s, v) = put(&w, &uri, &worker, body.clone()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("待审核"), "{v}");
        assert_eq!(post(&w, &format!("{uri}/submit"), &worker, json!({})).await.0, StatusCode::CONFLICT);

        // review: only the superior, with a conclusion, a reason to return
        let review = format!("{uri}/review");
        assert_eq!(post(&w, &review, &worker, json!({ "accept": true })).await.0, StatusCode::FORBIDDEN);
        let (s, v) = post(&w, &review, &admin, json!({})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["审核结论".to_string()]));
        let (s, v) = post(&w, &review, &admin, json!({ "accept": false })).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["退回原因".to_string()]));
        let (s, v) = post(&w, &review, &admin, json!({ "accept": false, "reason": "请补充决议内容" })).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["status"].as_str(), v["return_reason"].as_str()), (Some("returned"), Some("请补充决议内容")));
        // returned: editable again, back to a draft, submitted once more, accepted
        body["version"] = get(&w, &uri, &worker).await.1["version"].clone();
        let (s, v) = put(&w, &uri, &worker, body.clone()).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("draft")), "{v}");
        assert_eq!(post(&w, &review, &admin, json!({ "accept": true })).await.0, StatusCode::CONFLICT, "a draft");
        assert_eq!(post(&w, &format!("{uri}/submit"), &worker, json!({})).await.0, StatusCode::OK);
        let (s, v) = post(&w, &review, &admin, json!({ "accept": true })).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("accepted")), "{v}");
        assert!(v["reviewed_by"].is_string());
        let (s, v) = post(&w, &review, &admin, json!({ "accept": true })).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert_eq!(put(&w, &uri, &worker, body.clone()).await.0, StatusCode::CONFLICT);

        // the branch's own administrator sees the record but does not review it
        let new = store::account::NewAccount {
            username: "branch_admin".into(),
            display_name: "支部管理员".into(),
            password: common::PASSWORD.into(),
            grants: vec![(Role::OrgAdmin, Some(w.branch_a))],
            ..Default::default()
        };
        let acc = store::account::create_account(&w.store, &Scope::all(), &new, &Default::default()).await.unwrap();
        let own = token_for(&w, acc.account.id).await;
        let mut submitted = assembly(&w, "出席");
        submitted["submit"] = json!(true);
        let (s, v) = post(&w, "/api/v1/life/records", &own, submitted).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::CREATED, Some("submitted")), "{v}");
        let own_id = v["id"].as_i64().unwrap();
        assert_eq!(v["reviewable"], false);
        let (s, v) = post(&w, &format!("/api/v1/life/records/{own_id}/review"), &own, json!({ "accept": true })).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("上级党组织"), "{v}");
        assert_eq!(get(&w, &format!("/api/v1/life/records/{own_id}"), &own).await.1["status"], "submitted");

        // the other county: the same 404 as a missing record, for reads and writes alike
        let other = domain::life::RecordInput {
            types: vec!["party_lecture".into()],
            title: "乙县党课".into(),
            held_on: "2026-10-10".into(),
            place: "会议室".into(),
            host: "书记".into(),
            recorder: "委员".into(),
            lecturer: "书记".into(),
            ..Default::default()
        };
        let other = store::life::create(&w.store, &Scope::all(), w.branch_b, &other, true).await.unwrap().id;
        for id in [other, 999_999] {
            let uri = format!("/api/v1/life/records/{id}");
            assert_eq!(get(&w, &uri, &admin).await.0, StatusCode::NOT_FOUND);
            assert_eq!(put(&w, &uri, &admin, body.clone()).await.0, StatusCode::NOT_FOUND);
            assert_eq!(post(&w, &format!("{uri}/submit"), &admin, json!({})).await.0, StatusCode::NOT_FOUND);
            let (s, v) = post(&w, &format!("{uri}/review"), &admin, json!({ "accept": true })).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
            assert_eq!(v["status"], 404);
        }
        let mut elsewhere = assembly(&w, "出席");
        elsewhere["org_id"] = json!(w.branch_b);
        assert_eq!(post(&w, "/api/v1/life/records", &admin, elsewhere).await.0, StatusCode::NOT_FOUND);
        for uri in [
            format!("/api/v1/orgs/{}/roster", w.branch_b),
            format!("/api/v1/life/records?org={}", w.county_b),
            format!("/api/v1/life/findings?org={}", w.county_b),
            format!("/api/v1/life/compliance?org={}", w.county_b),
        ] {
            assert_eq!(get(&w, &uri, &admin).await.0, StatusCode::NOT_FOUND, "{uri}");
        }
        // nothing of the other county was changed
        let o = store::life::get(&w.store, &Scope::all(), other).await.unwrap();
        assert_eq!(o.record.status, "submitted");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn types_rules_findings_and_compliance() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let admin = token(&w, Role::OrgAdmin).await;
        let member = token(&w, Role::Member).await;
        let all = Scope::all();

        // the types, for anyone who reads organization life
        let (s, v) = get(&w, "/api/v1/life/types", &member).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let types = v.as_array().unwrap();
        assert_eq!(types.len(), domain::life::shipped_types().len());
        assert_eq!(types[0]["code"], "branch_assembly");
        assert_eq!((types[0]["roster"].as_str(), types[0]["quorum"].as_str()), (Some("branch"), Some("voters")));

        // local rule versions: 党课 monthly in county A from 2025; another in county B, not shown
        let local = |org: i64| store::life::RuleInput {
            org_id: org,
            type_code: "party_lecture".into(),
            period: "month".into(),
            min: "1".into(),
            valid_from: "2025-01-01".into(),
            source: "县委组织部〔2024〕1号".into(),
            article: "第三条".into(),
            ..Default::default()
        };
        store::life::add_rule(&w.store, &all, &local(w.county_a)).await.unwrap();
        store::life::add_rule(&w.store, &all, &local(w.county_b)).await.unwrap();
        let (s, v) = get(&w, "/api/v1/life/rules", &admin).await;
        assert_eq!(s, StatusCode::OK);
        let rules = v.as_array().unwrap();
        let l01 = rules.iter().find(|r| r["rule_id"] == "LIFE-01").unwrap();
        assert_eq!((l01["period"].as_str(), l01["min"].as_i64()), (Some("quarter"), Some(1)));
        assert_eq!((l01["scope_org_id"].clone(), l01["confidence"].as_str()), (Value::Null, Some("H")));
        assert_eq!(l01["article"], "第十一条");
        assert_eq!(l01["requirement"], "每季度至少 1 次");
        assert_eq!(l01["applies"], json!(["branch"]));
        let locals: Vec<&Value> = rules.iter().filter(|r| !r["scope_org_id"].is_null()).collect();
        assert_eq!(locals.len(), 1, "county B's version is not county A's business: {locals:?}");
        assert_eq!(locals[0]["scope_org_name"], "中共甲县委");
        assert_eq!((locals[0]["rule_id"].as_str(), locals[0]["period"].as_str()), (Some("LIFE-06"), Some("month")));
        assert!(locals[0]["id"].is_i64());
        // the branch's member sees the county's version too (it governs the branch)
        let (_, v) = get(&w, "/api/v1/life/rules", &member).await;
        assert_eq!(v.as_array().unwrap().iter().filter(|r| !r["scope_org_id"].is_null()).count(), 1);

        // live compliance of last year: every quarter of the 支部党员大会 missing, under LIFE-01
        let (s, v) = get(&w, &format!("/api/v1/life/compliance?org={}&year=2025", w.branch_a), &admin).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["from"].as_str(), v["to"].as_str()), (Some("2025-01-01"), Some("2025-12-31")));
        assert_eq!(v["children_only"], false);
        let org = &v["orgs"][0];
        assert_eq!(org["id"], w.branch_a);
        let line =
            |code: &str| org["lines"].as_array().unwrap().iter().find(|l| l["type_code"] == code).unwrap().clone();
        let assembly = line("branch_assembly");
        assert_eq!(assembly["cells"].as_array().unwrap().len(), 4);
        let cell = &assembly["cells"][0];
        assert_eq!((cell["key"].as_str(), cell["state"].as_str()), (Some("2025-Q1"), Some("missing")));
        assert_eq!(
            (cell["rule_id"].as_str(), cell["min"].as_i64(), cell["held"].as_i64()),
            (Some("LIFE-01"), Some(1), Some(0))
        );
        // the county's local version makes 党课 monthly for its branches
        let lecture = line("party_lecture");
        assert_eq!(lecture["cells"].as_array().unwrap().len(), 12);
        assert_eq!(lecture["cells"][0]["period"], "month");
        let missing = org["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "missing" && f["rule_id"] == "LIFE-01")
            .expect("a missing finding of LIFE-01");
        assert!(missing["evidence"]["requirement"].as_str().unwrap().contains("LIFE-01"), "{missing}");
        assert_eq!(missing["evidence"]["counted"], json!([]));
        assert_eq!(org["rate"], 0.0);
        // the county, by child, and the children's totals only when asked
        let (s, v) = get(&w, &format!("/api/v1/life/compliance?org={}&year=2025&quarter=1", w.county_a), &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["to"], "2025-03-31");
        assert_eq!(v["children"].as_array().unwrap().len(), 1);
        assert_eq!(v["children"][0]["id"], w.town_a);
        assert_eq!(v["children"][0]["orgs"], 2);
        assert!(v["children"][0]["findings"].as_i64().unwrap() > 0);
        assert_eq!(v["orgs"].as_array().unwrap().len(), 3);
        let (_, v) =
            get(&w, &format!("/api/v1/life/compliance?org={}&year=2025&children_only=true", w.county_a), &admin).await;
        assert_eq!((v["children_only"].as_bool(), v["orgs"].as_array().unwrap().len()), (Some(true), 0));
        assert_eq!(v["totals"]["findings"], v["children"][0]["findings"]);
        let (s, v) = get(&w, "/api/v1/life/compliance?year=1999&quarter=5&children_only=maybe", &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["year", "quarter", "children_only"], "{v}");

        // the daily job's findings, evidence as an object
        let (_, v) = get(&w, "/api/v1/life/findings", &admin).await;
        assert_eq!((v["total"].as_i64(), v["last_run"].clone()), (Some(0), Value::Null), "before the first run");
        let today = chrono::NaiveDate::parse_from_str("2026-11-21", "%Y-%m-%d").unwrap();
        store::life::run_daily(&w.store, today, None).await.unwrap();
        let (s, v) = get(&w, &format!("/api/v1/life/findings?org={}&per_page=200", w.branch_a), &admin).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["last_run"], "2026-11-21");
        let items = v["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(items.iter().all(|f| f["org_id"] == w.branch_a && f["evidence"].is_object()), "{v}");
        assert!(items.iter().all(|f| f["evidence"]["requirement"].is_string() && f["computed_on"] == "2026-11-21"));
        let kinds: Vec<&str> = items.iter().map(|f| f["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"missing") && kinds.contains(&"silent"), "{kinds:?}");
        let (_, v) =
            get(&w, &format!("/api/v1/life/findings?org={}&kind={}", w.branch_a, enc("静默组织")), &admin).await;
        assert_eq!(v["total"], 1, "{v}");
        assert_eq!(v["items"][0]["kind_label"], "静默组织");
        let (s, v) = get(&w, "/api/v1/life/findings?kind=none&per_page=0", &admin).await;
        assert_eq!(
            (s, fields(&v)),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["per_page".to_string(), "kind".to_string()])
        );
        // a 党员 sees only the own branch's
        let (s, v) = get(&w, "/api/v1/life/findings?per_page=200", &member).await;
        assert_eq!(s, StatusCode::OK);
        assert!(v["items"].as_array().unwrap().iter().all(|f| f["org_id"] == w.branch_a));
        assert_eq!(get(&w, &format!("/api/v1/life/findings?org={}", w.town_a), &member).await.0, StatusCode::NOT_FOUND);
        // roles: a 党员 does not enter records or read rosters; the administrators read nothing here
        assert_eq!(post(&w, "/api/v1/life/records", &member, json!({})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(get(&w, &format!("/api/v1/orgs/{}/roster", w.branch_a), &member).await.0, StatusCode::FORBIDDEN);
        let sec = token(&w, Role::SecurityAdmin).await;
        assert_eq!(get(&w, "/api/v1/life/types", &sec).await.0, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

/// The documented request fields of a record are the ones the handler reads.
#[test]
fn record_schema_matches_the_parser() {
    let doc: Value = serde_json::from_str(&web::api::openapi_json()).unwrap();
    let keys = |name: &str| -> Vec<String> {
        let mut k: Vec<String> =
            doc["components"]["schemas"][name]["properties"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let fields: Vec<String> = web::api::LIFE_FIELDS.iter().map(|(k, _)| k.to_string()).collect();
    let with = |extra: &[&str]| {
        let mut f = fields.clone();
        f.extend(extra.iter().map(|k| k.to_string()));
        f.sort();
        f
    };
    // a change carries the version it was read at; a new record names its organization
    assert_eq!(keys("LifeRecordUpdate"), with(&["version"]));
    assert_eq!(keys("LifeRecordCreate"), with(&["org_id", "submit"]));
    for path in ["/api/v1/life/records", "/api/v1/life/compliance", "/api/v1/orgs/{id}/roster"] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}
