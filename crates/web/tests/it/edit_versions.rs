//! Every edit carries the version of the record it was made on. A save made after somebody else
//! changed the record is refused (409) instead of silently reverting that change: the page shows
//! what differs and keeps what the user typed, the API answers problem+json. On SQLite and
//! PostgreSQL.

use crate::common;

use axum::http::{header, Method, StatusCode};
use common::*;
use domain::account::Role;
use serde_json::Value;
use store::testing::TestDb;
use store::Scope;

fn hidden_version(page: &str) -> String {
    let at = page.find("name=\"version\" value=\"").expect("the form carries the record's version");
    let rest = &page[at + "name=\"version\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_organization_edit_is_refused_and_shows_both() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let admin = &w.logins[&Role::OrgAdmin];
        let edit = format!("/orgs/{}/edit", w.town_a);
        let (st, _, page) = send(&w.app, get(&edit, &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        let seen = hidden_version(&page);
        assert_eq!(seen, "1");

        // meanwhile another officer names the secretary
        let t = api_token(&w, Role::OrgDeptAdmin).await;
        let uri = format!("/api/v1/orgs/{}", w.town_a);
        let (st, _, body) = send(&w.app, api_request(Method::PATCH, &uri, &t, r#"{"secretary": "李四"}"#)).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["version"], 2);

        // the first save, made on version 1, is refused: both values shown, the typed one kept
        let o = store::org::get(&w.store, &Scope::all(), w.town_a).await.unwrap();
        let typed = |version: &str| {
            form(&[
                ("csrf", &admin.csrf),
                ("version", version),
                ("name", &o.name),
                ("kind", o.kind.code()),
                ("sector", o.sector.code()),
                ("formed_by", o.formed_by.code()),
                ("has_committee", "1"),
                ("secretary", "王五"),
            ])
        };
        let (st, _, page) = send(&w.app, post(&edit, &admin.cookie, &typed(&seen))).await;
        assert_eq!(st, StatusCode::CONFLICT, "{page}");
        assert!(page.contains("已被他人修改") && page.contains("您的修改没有保存"), "{page}");
        assert!(page.contains("李四") && page.contains("王五"), "both values are shown: {page}");
        assert!(page.contains("value=\"王五\""), "what the user typed is kept in the form");
        assert_eq!(hidden_version(&page), "2", "saving again applies what the user typed");
        let stored = store::org::get(&w.store, &Scope::all(), w.town_a).await.unwrap();
        assert_eq!(stored.secretary.as_deref(), Some("李四"), "nothing was written");

        // saving again, knowingly, on the stored version
        let (st, _, _) = send(&w.app, post(&edit, &admin.cookie, &typed("2"))).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let stored = store::org::get(&w.store, &Scope::all(), w.town_a).await.unwrap();
        assert_eq!((stored.secretary.as_deref(), stored.version), (Some("王五"), 3));

        // the API: a stale version is 409 problem+json; without one the change applies
        let (st, h, body) =
            send(&w.app, api_request(Method::PATCH, &uri, &t, r#"{"version": 2, "address": "甲镇一号"}"#)).await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/problem+json"));
        assert!(body.contains("已被他人修改"), "{body}");
        let (st, _, _) =
            send(&w.app, api_request(Method::PATCH, &uri, &t, r#"{"version": 3, "address": "甲镇一号"}"#)).await;
        assert_eq!(st, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_member_edit_is_refused_and_shows_both() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let admin = &w.logins[&Role::OrgAdmin];
        let edit = format!("/members/{}/edit", w.member_a);
        let (st, _, page) = send(&w.app, get(&edit, &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        let seen = hidden_version(&page);

        let t = api_token(&w, Role::OrgDeptAdmin).await;
        let uri = format!("/api/v1/members/{}", w.member_a);
        let (st, _, body) = send(&w.app, api_request(Method::PATCH, &uri, &t, r#"{"work_unit": "甲镇卫生院"}"#)).await;
        assert_eq!(st, StatusCode::OK, "{body}");

        let m = store::member::get(&w.store, &Scope::all(), w.member_a).await.unwrap();
        let body = form(&[
            ("csrf", &admin.csrf),
            ("version", &seen),
            ("name", &m.name),
            ("sex", m.sex.code()),
            ("id_number", &domain::mask::id_number(&m.id_number)),
            ("ethnicity", &m.ethnicity),
            ("birth_date", &m.birth_date.to_string()),
            ("category", m.category.code()),
            ("join_date", &m.join_date.to_string()),
            ("full_date", &m.full_date.map(|d| d.to_string()).unwrap_or_default()),
            ("work_unit", "甲镇中学"),
        ]);
        let (st, _, page) = send(&w.app, post(&edit, &admin.cookie, &body)).await;
        assert_eq!(st, StatusCode::CONFLICT, "{page}");
        assert!(page.contains("已被他人修改") && page.contains("甲镇卫生院") && page.contains("甲镇中学"), "{page}");
        let stored = store::member::get(&w.store, &Scope::all(), w.member_a).await.unwrap();
        assert_eq!(stored.work_unit.as_deref(), Some("甲镇卫生院"), "nothing was written");
        assert!(!page.contains(&m.id_number), "the ID number stays masked");

        let (st, _, body) =
            send(&w.app, api_request(Method::PATCH, &uri, &t, &format!(r#"{{"version": {seen}, "work_unit": "x"}}"#)))
                .await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_meeting_record_edit_is_refused_and_keeps_what_was_typed() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let all = Scope::all();
        let input = domain::life::RecordInput {
            types: vec!["heart_talk".into()],
            title: "镇党委谈心谈话".into(),
            held_on: "2026-11-02".into(),
            place: "镇党委会议室".into(),
            host: "书记".into(),
            recorder: "委员".into(),
            expected: "5".into(),
            present: "5".into(),
            ..Default::default()
        };
        let id = store::life::create(&w.store, &all, w.town_a, &input, false).await.unwrap().id;
        let admin = &w.logins[&Role::OrgAdmin];
        let edit = format!("/life/records/{id}/edit");
        let (st, _, page) = send(&w.app, get(&edit, &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        let seen = hidden_version(&page);
        // meanwhile another recorder changes the place
        let other = domain::life::RecordInput { place: "村委会议室".into(), ..input.clone() };
        store::life::update(&w.store, &all, id, &other).await.unwrap();

        let typed = |version: &str| {
            form(&[
                ("csrf", &admin.csrf),
                ("version", version),
                ("action", "draft"),
                ("types", "heart_talk"),
                ("title", "镇党委谈心谈话（补记）"),
                ("held_on", "2026-11-02"),
                ("place", "镇党委会议室"),
                ("host", "书记"),
                ("recorder", "委员"),
                ("expected", "5"),
                ("present", "5"),
            ])
        };
        let (st, _, page) = send(&w.app, post(&edit, &admin.cookie, &typed(&seen))).await;
        assert_eq!(st, StatusCode::CONFLICT, "{page}");
        assert!(page.contains("已被他人修改") && page.contains("镇党委谈心谈话（补记）"), "{page}");
        let stored = store::life::get(&w.store, &all, id).await.unwrap().record;
        assert_eq!((stored.place.as_str(), stored.title.as_str()), ("村委会议室", "镇党委谈心谈话"), "nothing written");
        // saving again on the version the page now carries applies what was typed
        let (st, _, _) = send(&w.app, post(&edit, &admin.cookie, &typed(&hidden_version(&page)))).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let stored = store::life::get(&w.store, &all, id).await.unwrap().record;
        assert_eq!(stored.title, "镇党委谈心谈话（补记）");
    }
}

/// The organization-life API's change of a record carries the version it was read at, like the
/// page's form: without it the change is refused naming the field, a stale one answers 409
/// problem+json and writes nothing, the current one applies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_record_api_change_carries_its_version() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let all = Scope::all();
        let input = domain::life::RecordInput {
            types: vec!["heart_talk".into()],
            title: "镇党委谈心谈话".into(),
            held_on: "2026-11-02".into(),
            place: "镇党委会议室".into(),
            host: "书记".into(),
            recorder: "委员".into(),
            expected: "5".into(),
            present: "5".into(),
            ..Default::default()
        };
        let id = store::life::create(&w.store, &all, w.town_a, &input, false).await.unwrap().id;
        let t = api_token(&w, Role::PartyWorker).await;
        let uri = format!("/api/v1/life/records/{id}");
        let (st, _, body) = send(&w.app, api_request(Method::GET, &uri, &t, "")).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let seen = serde_json::from_str::<Value>(&body).unwrap()["version"].as_i64().expect("the record's version");
        let change = |version: Option<i64>, title: &str| {
            let mut v = serde_json::json!({
                "types": ["heart_talk"], "title": title, "held_on": "2026-11-02", "place": "镇党委会议室",
                "host": "书记", "recorder": "委员", "expected": 5, "present": 5,
            });
            if let Some(n) = version {
                v["version"] = n.into();
            }
            v.to_string()
        };

        // without a version: refused, naming the field, nothing written
        let (st, h, body) = send(&w.app, api_request(Method::PUT, &uri, &t, &change(None, "改了标题"))).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/problem+json"));
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["errors"][0]["field"], "记录版本", "{body}");
        assert!(v["errors"][0]["message"].as_str().unwrap().contains("version"), "{body}");
        let (st, _, body) = send(&w.app, api_request(Method::PUT, &uri, &t, &change(None, ""))).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = serde_json::from_str(&body).unwrap();
        let fields: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["记录版本", "会议主题"], "every problem at once: {body}");

        // meanwhile another recorder changes the place: the change made on the old version is 409
        let other = domain::life::RecordInput { place: "村委会议室".into(), ..input.clone() };
        store::life::update(&w.store, &all, id, &other).await.unwrap();
        let (st, h, body) = send(&w.app, api_request(Method::PUT, &uri, &t, &change(Some(seen), "改了标题"))).await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/problem+json"));
        assert!(body.contains("会议记录已被他人修改"), "{body}");
        let stored = store::life::get(&w.store, &all, id).await.unwrap().record;
        assert_eq!((stored.title.as_str(), stored.place.as_str()), ("镇党委谈心谈话", "村委会议室"), "nothing written");

        // on the stored version it applies, and the answer carries the next one
        let (st, _, body) =
            send(&w.app, api_request(Method::PUT, &uri, &t, &change(Some(stored.version), "改了标题"))).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((v["title"].as_str(), v["version"].as_i64()), (Some("改了标题"), Some(stored.version + 1)));
        db.finish().await;
    }
}
