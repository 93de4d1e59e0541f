//! 消息 and bulk review through the whole application: a returned record reaches the branch's
//! recorder (message centre, 工作台, the top bar's count) and nobody outside its organization;
//! read and unread; the 待我审核 view accepts sixty records at once; the API refuses a bulk review
//! as a whole, naming the record, when one record is not the caller's to review, and a return
//! without a reason.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{form, get, post, send, world, Login, World};
use domain::account::{PasswordPolicy, Role};
use domain::life::RecordInput;
use store::testing::TestDb;
use store::{Actor, Scope};

async fn account(w: &World, name: &str, role: Role, org: i64) -> Login {
    let new = store::account::NewAccount {
        username: name.into(),
        display_name: format!("{name}测试"),
        password: common::PASSWORD.into(),
        grants: vec![(role, Some(org))],
        ..Default::default()
    };
    let id = store::account::create_account(&w.store, &Scope::all(), &new, &PasswordPolicy::default())
        .await
        .unwrap()
        .account
        .id;
    common::session_for(&w.store, id, name).await
}

fn input(title: &str) -> RecordInput {
    RecordInput {
        types: vec!["party_lecture".into()],
        title: title.into(),
        held_on: "2026-10-10".into(),
        place: "会议室".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        lecturer: "书记".into(),
        expected: "3".into(),
        present: "3".into(),
        ..Default::default()
    }
}

/// A record of `org` entered and submitted by `by`.
async fn submitted(w: &World, by: &str, org: i64, title: &str) -> i64 {
    let scope = Scope::all().acting_as(Actor::new(by, "党务工作者"));
    store::life::create(&w.store, &scope, org, &input(title), true).await.unwrap().id
}

/// The number in the top bar's 消息 link, if shown.
fn top_count(body: &str) -> Option<i64> {
    let i = body.find("class=\"messages-link\"")?;
    let rest = &body[i..body[i..].find("</a>").map(|e| i + e)?];
    let c = rest.find("class=\"count\"")?;
    let n = &rest[c..];
    let start = n.find('>')? + 1;
    n[start..start + n[start..].find('<')?].trim().parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_record_reaches_the_branch_recorder_and_nobody_else() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let recorder = account(&w, "zhibu_a", Role::PartyWorker, w.branch_a).await;
        let stranger = account(&w, "zhibu_b", Role::PartyWorker, w.branch_b).await;
        let id = submitted(&w, "zhibu_a", w.branch_a, "十月党课").await;

        // before: nothing for the recorder; the reviewer above (county A) has the submission
        let (_, _, home) = send(&w.app, get("/", &recorder.cookie)).await;
        assert_eq!(top_count(&home), None, "no unread count shown at 0");
        let reviewer = &w.logins[&Role::OrgAdmin];
        let (_, _, page) = send(&w.app, get("/messages", &reviewer.cookie)).await;
        assert!(page.contains("待审核：甲社区党支部的会议记录"), "{page}");

        // the superior returns it with a reason
        let body = form(&[("csrf", &reviewer.csrf), ("decision", "return"), ("reason", "缺少签到表")]);
        let (status, _, _) = send(&w.app, post(&format!("/life/records/{id}/review"), &reviewer.cookie, &body)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // the branch's recorder: the top bar's count, the 工作台 and the message centre
        let (_, _, home) = send(&w.app, get("/", &recorder.cookie)).await;
        assert_eq!(top_count(&home), Some(1), "{home}");
        assert!(home.contains("未读消息"), "{home}");
        let (status, _, page) = send(&w.app, get("/messages?show=unread", &recorder.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("会议记录被退回：十月党课") && page.contains("缺少签到表"), "{page}");
        let mid: i64 = {
            let i = page.find("name=\"id\" value=\"").unwrap() + 17;
            page[i..i + page[i..].find('"').unwrap()].parse().unwrap()
        };
        // another organization's user sees nothing and cannot mark it
        let (_, _, other) = send(&w.app, get("/messages", &stranger.cookie)).await;
        assert!(!other.contains("十月党课"), "{other}");
        assert_eq!(top_count(&other), None);
        let body = form(&[("csrf", &stranger.csrf), ("id", &mid.to_string())]);
        let (status, _, _) = send(&w.app, post("/messages/read", &stranger.cookie, &body)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, _, home) = send(&w.app, get("/", &recorder.cookie)).await;
        assert_eq!(top_count(&home), Some(1), "still unread");

        // opening it marks it read and leads to the record
        let body = form(&[("csrf", &recorder.csrf), ("id", &mid.to_string()), ("open", "1")]);
        let (status, h, _) = send(&w.app, post("/messages/read", &recorder.cookie, &body)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(h.get(header::LOCATION).unwrap(), &format!("/life/records/{id}"));
        let (_, _, page) = send(&w.app, get("/messages?show=unread", &recorder.cookie)).await;
        assert!(page.contains("没有未读消息"), "{page}");
        assert_eq!(top_count(&page), None);
        let (_, _, page) = send(&w.app, get("/messages", &recorder.cookie)).await;
        assert!(page.contains("十月党课") && page.contains("已读"), "kept, read: {page}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_all_read_and_the_top_bar_count() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let reviewer = &w.logins[&Role::OrgAdmin];
        for i in 0..3 {
            submitted(&w, "someone", w.branch_a, &format!("党课{i}")).await;
        }
        let (_, _, page) = send(&w.app, get("/account", &reviewer.cookie)).await;
        assert_eq!(top_count(&page), Some(3), "every page's top bar");
        let (_, _, home) = send(&w.app, get("/", &reviewer.cookie)).await;
        assert!(home.contains("条记录待我审核"), "{home}");
        let body = form(&[("csrf", &reviewer.csrf)]);
        let (status, h, _) = send(&w.app, post("/messages/read-all", &reviewer.cookie, &body)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(h.get(header::LOCATION).unwrap(), "/messages?marked=3");
        let (_, _, page) = send(&w.app, get("/messages?marked=3", &reviewer.cookie)).await;
        assert!(page.contains("已将 3 条消息标为已读"));
        assert_eq!(top_count(&page), None);
        // a post without the session's token changes nothing
        let (status, _, _) = send(&w.app, post("/messages/read-all", &reviewer.cookie, "csrf=nope")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_view_accepts_sixty_records_at_once() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let reviewer = &w.logins[&Role::OrgAdmin];
        let mut ids = Vec::new();
        for i in 0..60 {
            ids.push(submitted(&w, "zhibu_a", w.branch_a, &format!("党课{i:02}")).await);
        }
        let (_, _, page) =
            send(&w.app, get(&format!("/life?org={}&view=review&select=all", w.county_a), &reviewer.cookie)).await;
        assert!(page.contains("审核通过所选") && page.contains("本页全选"), "{page}");
        assert_eq!(page.matches("type=\"checkbox\" name=\"id\"").count(), 50, "a page of 50");
        assert_eq!(page.matches(" checked>").count(), 50, "all selected on the page");

        // returning without a reason: refused, naming the record, nothing written
        let mut pairs: Vec<(&str, String)> = vec![("csrf", reviewer.csrf.clone()), ("org", w.county_a.to_string())];
        pairs.extend(ids.iter().map(|id| ("id", id.to_string())));
        let body = |decision: &str| {
            let mut p: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            p.push(("decision", decision));
            form(&p)
        };
        let (status, _, page) = send(&w.app, post("/life/records/review", &reviewer.cookie, &body("return"))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("时请写明原因") && page.contains("党课00"), "{page}");
        assert_eq!(store::life::get(&w.store, &Scope::all(), ids[0]).await.unwrap().record.status, "submitted");

        let (status, h, _) = send(&w.app, post("/life/records/review", &reviewer.cookie, &body("accept"))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(h.get(header::LOCATION).unwrap().to_str().unwrap().contains("done=accepted&n=60"));
        for id in &ids {
            assert_eq!(store::life::get(&w.store, &Scope::all(), *id).await.unwrap().record.status, "accepted");
        }
        let audit = store::audit::recent(&w.store, 500).await.unwrap();
        assert_eq!(audit.iter().filter(|a| a.action == "life.accept").count(), 60, "audited per record");
        db.finish().await;
    }
}

async fn api(w: &World, token: &str, body: &str) -> (StatusCode, String) {
    let req = Request::post("/api/v1/life/records/review")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, body) = send(&w.app, req).await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_refuses_a_bulk_review_as_a_whole() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        // a 党组织管理员 of the township: reviews its branches, not its own records
        let town = account(&w, "town_admin", Role::OrgAdmin, w.town_a).await;
        let token =
            store::account::create_api_token(&w.store, &Scope::none(), town.account_id, "测试", chrono::Utc::now())
                .await
                .unwrap()
                .1;
        let a = submitted(&w, "zhibu_a", w.branch_a, "支部党课").await;
        let own = submitted(&w, "town_worker", w.town_a, "镇党委本级党课").await;

        let (status, body) =
            api(&w, &token, &format!(r#"{{"accept": true, "records": [{{"id": {a}}}, {{"id": {own}}}]}}"#)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.contains("镇党委本级党课"), "names the record: {body}");
        assert_eq!(
            store::life::get(&w.store, &Scope::all(), a).await.unwrap().record.status,
            "submitted",
            "nothing written"
        );

        let (status, body) = api(&w, &token, &format!(r#"{{"accept": false, "records": [{{"id": {a}}}]}}"#)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("退回原因") && body.contains("支部党课"), "{body}");

        let (status, body) =
            api(&w, &token, &format!(r#"{{"accept": false, "reason": "请补充纪要", "records": [{{"id": {a}}}]}}"#))
                .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("\"reviewed\":1"), "{body}");
        let r = store::life::get(&w.store, &Scope::all(), a).await.unwrap().record;
        assert_eq!((r.status.as_str(), r.return_reason.as_deref()), ("returned", Some("请补充纪要")));
        db.finish().await;
    }
}
