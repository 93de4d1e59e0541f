//! 班子成员 pages and what the organization-life API takes from them, on SQLite and PostgreSQL:
//! appointing a 书记 shown on the organization page in place of the 书记 text, a second 书记 at
//! the same time refused naming the one in post (422, input kept), ending a term that stays in the
//! history, correcting one (audited), who may (维护党组织) and where (404 outside the scope); and a
//! record's 所属年度 (LIFE-18) and lecturer (LIFE-06S) through the API.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{form, get, post, send, World};
use domain::account::Role;
use serde_json::{json, Value};
use store::testing::TestDb;
use store::Scope;

async fn submit(w: &World, role: Role, uri: &str, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
    let l = &w.logins[&role];
    let mut all = vec![("csrf", l.csrf.as_str())];
    all.extend_from_slice(pairs);
    let (status, h, body) = send(&w.app, post(uri, &l.cookie, &form(&all))).await;
    let loc = h.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, loc, body)
}

async fn page(w: &World, role: Role, uri: &str) -> (StatusCode, String) {
    let (status, _, body) = send(&w.app, get(uri, &w.logins[&role].cookie)).await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_are_appointed_shown_ended_and_corrected_with_their_history() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let admin = Role::OrgAdmin;
        let town = format!("/orgs/{}", w.town_a);
        // the record's 书记 text until officers are recorded
        common::exec(
            &w.store,
            "UPDATE org SET secretary = $1 WHERE id = $2",
            &[store::Val::from("旧文本书记"), store::Val::from(w.town_a)],
        )
        .await;
        let (_, body) = page(&w, admin, &town).await;
        assert!(body.contains("旧文本书记") && body.contains("尚未登记班子成员"), "{body}");

        let member = w.member_a.to_string();
        let (status, loc, body) = submit(
            &w,
            admin,
            &format!("{town}/officers"),
            &[("member_id", &member), ("role", "secretary"), ("duties", ""), ("started_on", "2024-01-01")],
        )
        .await;
        assert_eq!(
            (status, loc.as_str()),
            (StatusCode::SEE_OTHER, format!("{town}/officers?ok=added").as_str()),
            "{body}"
        );
        let (_, body) = page(&w, admin, &town).await;
        assert!(body.contains("甲党员") && body.contains("2024-01-01 起"), "{body}");
        assert!(!body.contains("旧文本书记"), "the officers replace the 书记 text: {body}");
        assert!(body.contains(&format!("{town}/officers")), "a link to the history");

        // a second 书记 at the same time: refused, naming who is in post, the input kept
        let other = w.member_a2.to_string();
        let (status, _, body) = submit(
            &w,
            admin,
            &format!("{town}/officers"),
            &[("member_id", &other), ("role", "secretary"), ("duties", "组织委员"), ("started_on", "2025-01-01")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("同一时间只能有一名书记") && body.contains("甲党员"), "{body}");
        assert!(body.contains("value=\"组织委员\""), "input kept: {body}");

        // ending the term keeps it in the history
        let terms =
            service::org::officers::history(&w.store, &service::Ctx::operator(store::Actor::system()), w.town_a)
                .await
                .unwrap();
        let id = terms[0].id.to_string();
        let (status, loc, _) =
            submit(&w, admin, &format!("{town}/officers/end"), &[("officer", &id), ("ended_on", "2025-12-31")]).await;
        assert_eq!((status, loc.contains("ok=ended")), (StatusCode::SEE_OTHER, true));
        let (_, body) = page(&w, admin, &format!("{town}/officers")).await;
        assert!(body.contains("已离任") && body.contains("2025-12-31"), "{body}");
        let (_, body) = page(&w, admin, &town).await;
        assert!(body.contains("目前无在任班子成员"), "{body}");

        // correcting: the form shows the term, saving changes the post, the audit keeps it
        let (status, body) = page(&w, admin, &format!("{town}/officers/correct?officer={id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("更正任职") && body.contains("value=\"2024-01-01\""), "{body}");
        let (status, _, body) = submit(
            &w,
            admin,
            &format!("{town}/officers/correct"),
            &[
                ("officer", &id),
                ("member_id", &member),
                ("role", "deputy"),
                ("duties", "宣传委员"),
                ("started_on", "2024-01-01"),
                ("ended_on", "2025-12-31"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let actions: Vec<String> =
            store::audit::recent(&w.store, 10).await.unwrap().into_iter().map(|r| r.action).collect();
        assert!(["officer.add", "officer.end", "officer.correct"].iter().all(|a| actions.iter().any(|x| x == a)));

        // the API lists the history with who is in post
        let (status, v) = api(&w, Method::GET, &format!("/api/v1/orgs/{}/officers", w.town_a), Value::Null).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(
            (v[0]["role"].as_str(), v[0]["ended_on"].as_str(), v[0]["current"].as_bool()),
            (Some("deputy"), Some("2025-12-31"), Some(false))
        );
        let (status, _) = api(&w, Method::GET, &format!("/api/v1/orgs/{}/officers", w.branch_b), Value::Null).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // who and where: a 党务工作者 reads but may not appoint; the other county is not found
        let (status, body) = page(&w, Role::PartyWorker, &format!("{town}/officers")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("副书记") && !body.contains("登记任职"), "{body}");
        let (status, _, _) = submit(
            &w,
            Role::PartyWorker,
            &format!("{town}/officers"),
            &[("member_id", &member), ("role", "member"), ("started_on", "2026-01-01")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = page(&w, admin, &format!("/orgs/{}/officers", w.branch_b)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}

async fn api(w: &World, method: Method, uri: &str, body: Value) -> (StatusCode, Value) {
    let token = store::account::create_api_token(
        &w.store,
        &Scope::none(),
        w.logins[&Role::OrgAdmin].account_id,
        "测试",
        chrono::Utc::now(),
    )
    .await
    .unwrap()
    .1;
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, text) = send(&w.app, req).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_shows_and_accepts_the_year_a_record_counts_for_and_its_lecturer() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let meeting = |year: Value| {
            json!({
                "org_id": w.branch_a,
                "types": ["组织生活会"],
                "title": "2025年度组织生活会",
                "held_on": "2026-01-24",
                "start_time": "14:30",
                "end_time": "17:00",
                "place": "社区党群服务中心",
                "host": "甲党员",
                "recorder": "甲二党员",
                "agenda": "对照检查，批评和自我批评",
                "minutes": "开展批评和自我批评。",
                "belongs_to_year": year,
            })
        };
        // left out: the window in force says 2025 (LIFE-18)
        let (status, v) = api(&w, Method::POST, "/api/v1/life/records", meeting(Value::Null)).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(v["belongs_to_year"], 2025, "{v}");
        // a year the meeting cannot count for: 422 naming the field
        let (status, v) = api(&w, Method::POST, "/api/v1/life/records", meeting(json!(2023))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v["errors"].as_array().unwrap().iter().any(|e| e["field"] == "所属年度"), "{v}");

        // the lecturer chosen from the roster by member id, named by that member's name
        let lecture = json!({
            "org_id": w.branch_a,
            "types": ["党课"],
            "title": "专题党课",
            "held_on": "2026-10-10",
            "start_time": "09:00",
            "end_time": "10:30",
            "place": "社区党群服务中心",
            "host": "甲党员",
            "recorder": "甲二党员",
            "agenda": "专题党课",
            "minutes": "授课。",
            "lecturer_member_id": w.member_a2,
        });
        let (status, v) = api(&w, Method::POST, "/api/v1/life/records", lecture).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!((v["lecturer"].as_str(), v["lecturer_member_id"].as_i64()), (Some("甲二党员"), Some(w.member_a2)));
        assert_eq!(v["belongs_to_year"], 2026);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_sets_its_own_window_for_the_year_a_meeting_counts_for() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let dept = Role::OrgDeptAdmin;
        let (status, body) = page(&w, dept, "/life/rules").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("LIFE-18") && body.contains("3 月 31 日"), "the shipped window is shown: {body}");
        // a window past the first half of the year is refused, naming the field
        let county = w.county_a.to_string();
        let (status, _, body) = submit(
            &w,
            dept,
            "/life/rules/year",
            &[("org", &county), ("until", "07-01"), ("valid_from", "2026-01-01"), ("source", "甲县委组织部通知")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("截止月日") && body.contains("06-30"), "{body}");
        let (status, loc, _) = submit(
            &w,
            dept,
            "/life/rules/year",
            &[("org", &county), ("until", "01-15"), ("valid_from", "2020-01-01"), ("source", "甲县委组织部通知")],
        )
        .await;
        assert_eq!((status, loc.as_str()), (StatusCode::SEE_OTHER, "/life/rules?ok=year"));
        let (_, body) = page(&w, dept, "/life/rules").await;
        assert!(body.contains("1 月 15 日") && body.contains("甲县委组织部通知"), "{body}");
        // only the organization department sets it
        let (status, _, _) =
            submit(&w, Role::OrgAdmin, "/life/rules/year", &[("org", &county), ("until", "01-15")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}
