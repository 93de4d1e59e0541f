//! 第一书记、党建工作指导员 and 支部联系人 through the pages and the API, on SQLite and PostgreSQL:
//! the 组织部 posts a first secretary (a term outside FS-02 is refused naming 期满日期 and what
//! was typed is kept), records days (a month below FS-07's 20 is flagged), a log and an
//! assessment (FS-09's cap names 考核等次); a worker may not assess (403); a posting out of scope
//! is 404; the first secretary's own account writes their log; a term ending within 90 days is a
//! reminder in the message centre; contacts are assigned and the overview lists the gaps; the API
//! lists, creates, logs and assigns.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{form, get, post, send, World};
use domain::account::Role;
use domain::org::{OrgInput, OrgKind, Sector};
use store::testing::TestDb;
use store::Scope;

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// A village posting (in post since 100 days ago, for the usual two years) to `org`, of the member
/// given (for the access matrix and the API sweep).
pub async fn posting_target(w: &World, org: i64, member: Option<i64>) -> i64 {
    let all = Scope::all();
    let o = store::org::visible(&w.store, &all, org).await.unwrap();
    let v = domain::first_secretary::PostingInput {
        name: "矩阵第一书记".into(),
        member_id: member.map(|m| m.to_string()).unwrap_or_default(),
        sending_unit: "县财政局".into(),
        kind: "village".into(),
        org_ids: vec![org.to_string()],
        starts_on: (today() - chrono::Duration::days(100)).to_string(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    store::first_secretary::create(&w.store, &all, &[o], &v).await.unwrap().id
}

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

async fn village(w: &World, name: &str) -> i64 {
    let input =
        OrgInput { name: name.into(), kind: Some(OrgKind::Branch), sector: Some(Sector::Rural), ..Default::default() };
    store::org::create(&w.store, &Scope::all(), Some(w.town_a), &input, common::d("2026-01-05")).await.unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_secretary_pages_from_posting_to_assessment() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        let v = village(&w, "甲村党支部").await.to_string();
        let (s, body) = page(&w, dept, &format!("/first-secretaries?org={}", w.county_a)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("第一书记与党建工作指导员") && body.contains("登记选派"));
        let (s, body) = page(&w, dept, &format!("/first-secretaries/new?org={v}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("甲村党支部"), "the picker shows the chosen village");
        // the organizations chosen so far are kept as another is picked; one out of scope is 404
        let (s, body) = page(&w, dept, &format!("/first-secretaries/new?org={v}&org2={}", w.branch_a)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("甲村党支部") && body.contains("甲社区党支部"));
        let (s, _) = page(&w, dept, &format!("/first-secretaries/new?org={v}&org2={}", w.branch_b)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // FS-02: a term of half a year is refused, naming the field; what was typed is kept
        let start = (today() - chrono::Duration::days(40)).to_string();
        let short = (today() + chrono::Duration::days(100)).to_string();
        let typed = [
            ("org", v.as_str()),
            ("name", "张驻村"),
            ("sending_unit", "县农业农村局"),
            ("kind", "village"),
            ("starts_on", start.as_str()),
            ("ends_on", short.as_str()),
        ];
        let (s, _, body) = submit(&w, dept, "/first-secretaries/new", &typed).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("期满日期") && body.contains("FS-02") && body.contains("县农业农村局"), "{body}");
        // a village posting to a community branch is refused
        let mut wrong = typed;
        wrong[0] = ("org", "");
        let (s, _, body) = submit(
            &w,
            dept,
            "/first-secretaries/new",
            &[&wrong[1..], &[("org", &w.branch_a.to_string()), ("ends_on", "")]].concat(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("派驻党组织"), "{body}");
        let mut good = typed.to_vec();
        good[5] = ("ends_on", "");
        let (s, loc, _) = submit(&w, dept, "/first-secretaries/new", &good).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
        let id: i64 = loc.trim_start_matches("/first-secretaries/").split('?').next().unwrap().parse().unwrap();
        let rec = format!("/first-secretaries/{id}");

        // FS-07: a month below 20 days is flagged
        let month = today().format("%Y-%m").to_string();
        let (s, _, body) = submit(&w, dept, &format!("{rec}/days"), &[("month", &month), ("days", "40")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("在岗天数"));
        let (s, _, _) = submit(&w, dept, &format!("{rec}/days"), &[("month", &month), ("days", "15")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, body) = page(&w, dept, &rec).await;
        assert!(body.contains("不足 20 天"), "FS-07 flag");
        // the log: content required, then written
        let on = today().to_string();
        let (s, _, body) = submit(&w, dept, &format!("{rec}/logs"), &[("on", &on), ("duty", "serve")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("工作内容"));
        let (s, _, _) =
            submit(&w, dept, &format!("{rec}/logs"), &[("on", &on), ("duty", "serve"), ("content", "走访脱贫户")])
                .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // FS-09: one unexcused absence: not 优秀; a worker may not assess
        let year = chrono::Datelike::year(&today()).to_string();
        let a = [("kind", "yearly"), ("year", year.as_str()), ("grade", "excellent"), ("absences", "1")];
        let (s, _, body) = submit(&w, dept, &format!("{rec}/assessments"), &a).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("考核等次") && body.contains("FS-09"), "{body}");
        let (s, _, _) = submit(&w, worker, &format!("{rec}/assessments"), &a).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) =
            submit(&w, worker, &format!("{rec}/logs"), &[("on", &on), ("duty", "serve"), ("content", "x")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let mut a2 = a.to_vec();
        a2[2] = ("grade", "competent");
        let (s, _, _) = submit(&w, dept, &format!("{rec}/assessments"), &a2).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, body) = page(&w, worker, &rec).await;
        assert!(body.contains("走访脱贫户") && body.contains("称职"), "a worker reads it");

        // out of scope: 404 to read and to write
        let other = posting_target(&w, w.branch_b, None).await;
        let (s, _) = page(&w, dept, &format!("/first-secretaries/{other}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, _) =
            submit(&w, dept, &format!("/first-secretaries/{other}/days"), &[("month", &month), ("days", "20")]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // the first secretary's own account (the 党员 linked to member_a) writes their own log,
        // though the village lies outside the 党员's branch
        let own = posting_target(&w, v.parse().unwrap(), Some(w.member_a)).await;
        let (s, body) = page(&w, Role::Member, &format!("/first-secretaries/{own}")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (s, _, _) = submit(
            &w,
            Role::Member,
            &format!("/first-secretaries/{own}/logs"),
            &[("on", &on), ("duty", "strengthen"), ("content", "讲党课")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, _) = submit(&w, Role::Member, &format!("/first-secretaries/{id}/logs"), &[("content", "x")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "another's posting");
        let (s, _, _) = submit(&w, Role::Member, &format!("/first-secretaries/{own}/assessments"), &a2).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "no self-assessment");

        // a term ending within 90 days is among the 组织部's reminders
        let ending = domain::first_secretary::PostingInput {
            name: "将期满书记".into(),
            sending_unit: "县委办".into(),
            kind: "village".into(),
            org_ids: vec![v.clone()],
            starts_on: (today() - chrono::Duration::days(700)).to_string(),
            ends_on: (today() + chrono::Duration::days(30)).to_string(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let vo = store::org::visible(&w.store, &Scope::all(), v.parse().unwrap()).await.unwrap();
        store::first_secretary::create(&w.store, &Scope::all(), &[vo], &ending).await.unwrap();
        let (_, body) = page(&w, dept, "/messages").await;
        assert!(body.contains("任期提醒") && body.contains("将期满书记"), "{body}");
        let (_, body) = page(&w, dept, &format!("/first-secretaries?org={}&ending=90", w.county_a)).await;
        assert!(body.contains("将期满书记") && !body.contains("张驻村"));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_person_pages() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let dept = Role::OrgDeptAdmin;
        let v = village(&w, "甲村党支部").await.to_string();
        let (s, body) = page(&w, dept, &format!("/contact-persons?org={}", w.county_a)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("没有联系人的党支部") && body.contains("甲村党支部"));
        // the contact is required and named; what was typed is kept
        let (s, _, body) = submit(&w, dept, "/contact-persons/assign", &[("org", &v), ("note", "镇党委委员")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("联系人") && body.contains("镇党委委员"));
        let m = w.member_a.to_string();
        let (s, loc, _) = submit(&w, dept, "/contact-persons/assign", &[("org", &v), ("member_id", &m)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
        let (_, body) = page(&w, dept, &format!("/contact-persons?org={}", w.county_a)).await;
        assert!(body.contains("现任联系人") && body.contains("出勤率"));
        // out of scope: 404
        let (s, _) = page(&w, dept, &format!("/contact-persons/assign?org={}", w.branch_b)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_secretary_api_journey() {
    let db = TestDb::sqlite().await;
    let w = common::world(&db.store).await;
    let all = Scope::all();
    let dept = w.logins[&Role::OrgDeptAdmin].account_id;
    let (_, secret) = store::account::create_api_token(&w.store, &all, dept, "接口", chrono::Utc::now()).await.unwrap();
    let v = village(&w, "甲村党支部").await;
    let call = async |method: Method, uri: &str, body: &str| {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (s, _, b) = send(&w.app, req).await;
        (s, serde_json::from_str::<serde_json::Value>(&b).unwrap_or_default())
    };
    let start = (today() - chrono::Duration::days(10)).to_string();
    let (s, v1) = call(
        Method::POST,
        "/api/v1/first-secretaries",
        &format!(
            r#"{{"name":"王书记","sending_unit":"县委办","kind":"village","org_ids":[{v},{}],"starts_on":"{start}"}}"#,
            w.branch_a
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v1}");
    assert!(v1.to_string().contains("派驻党组织"));
    let (s, p) = call(
        Method::POST,
        "/api/v1/first-secretaries",
        &format!(
            r#"{{"name":"王书记","sending_unit":"县委办","kind":"village","org_ids":[{v}],"starts_on":"{start}"}}"#
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["posting"]["id"].as_i64().unwrap();
    assert_eq!(p["posting"]["status"], "in_post");
    let month = today().format("%Y-%m").to_string();
    let (s, p) = call(
        Method::POST,
        &format!("/api/v1/first-secretaries/{id}/days"),
        &format!(r#"{{"month":"{month}","days":8}}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["days"][0]["short"], true);
    let (s, p) = call(
        Method::POST,
        &format!("/api/v1/first-secretaries/{id}/logs"),
        &format!(r#"{{"on":"{}","duty":"governance","content":"调解邻里纠纷"}}"#, today()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["logs_total"], 1);
    let (s, l) = call(Method::GET, &format!("/api/v1/first-secretaries?org={}&kind=village", w.county_a), "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l["total"], 1);
    let (s, c) =
        call(Method::POST, "/api/v1/contact-persons", &format!(r#"{{"org_id":{v},"member_id":{}}}"#, w.member_a)).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let (s, o) = call(Method::GET, &format!("/api/v1/contact-persons?org={}", w.county_a), "").await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(o["total"], 1);
    assert!(o["without_contact"].as_array().unwrap().iter().any(|b| b == "甲社区党支部"));
    db.finish().await;
}
