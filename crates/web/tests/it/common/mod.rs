//! A small world for web tests: a city with two counties, a township and branches, members in
//! them, and one signed-in account per role (sessions made directly in the store, so no test
//! pays for Argon2 more than it means to).
//!
//! ```text
//! 中共测试市委 (city)                          ← ancestor of the grant
//! ├── 市直机关党支部 (city_branch)  member: city_member
//! ├── 中共甲县委 (county_a)                    ← every business grant is on this one
//! │   └── 中共甲镇委员会 (town_a)
//! │       └── 甲社区党支部 (branch_a)  members: member_a (linked to the 党员 account), member_a2
//! └── 中共乙县委 (county_b)                    ← sibling
//!     └── 乙社区党支部 (branch_b)  member: member_b
//! ```
#![allow(dead_code)]

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use chrono::NaiveDate;
use domain::account::{PasswordPolicy, Role};
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use http_body_util::BodyExt;
use store::account::NewAccount;
use store::{member, org, Scope, Store};
use tower::ServiceExt;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub const PASSWORD: &str = "Test#2026pass";

/// A signed-in account: its id, the cookie header value and the session's CSRF token.
#[derive(Clone)]
pub struct Login {
    pub account_id: i64,
    pub username: String,
    pub cookie: String,
    pub csrf: String,
}

pub struct World {
    pub store: Store,
    pub app: axum::Router,
    pub city: i64,
    pub city_branch: i64,
    pub county_a: i64,
    pub town_a: i64,
    pub branch_a: i64,
    pub county_b: i64,
    pub branch_b: i64,
    pub member_a: i64,
    pub member_a2: i64,
    pub member_b: i64,
    pub city_member: i64,
    /// One account per role; business roles are granted on `county_a`, 党员 is `member_a`.
    pub logins: HashMap<Role, Login>,
}

pub const ID_A: &str = "11010519491231002X";
pub const PHONE_A: &str = "13812345678";

fn member_input(name: &str, id: &str, phone: &str) -> MemberInput {
    MemberInput {
        name: name.into(),
        id_number: id.into(),
        category: Some(Category::Full),
        join_date: Some(d("1975-07-01")),
        phone: Some(phone.into()),
        ..Default::default()
    }
}

/// Build the world on `store` with today = 2026-11-21.
pub async fn world(store: &Store) -> World {
    let all = Scope::all();
    let today = d("2026-11-21");
    let mk = |n: &str, k| OrgInput {
        name: n.into(),
        kind: Some(k),
        sector: Some(Sector::Community),
        has_committee: k != OrgKind::Branch,
        ..Default::default()
    };
    let city = org::create(store, &all, None, &mk("中共测试市委", OrgKind::LocalCommittee), today).await.unwrap();
    let city_branch =
        org::create(store, &all, Some(city.id), &mk("市直机关党支部", OrgKind::Branch), today).await.unwrap();
    let county_a =
        org::create(store, &all, Some(city.id), &mk("中共甲县委", OrgKind::LocalCommittee), today).await.unwrap();
    let town_a =
        org::create(store, &all, Some(county_a.id), &mk("中共甲镇委员会", OrgKind::Committee), today).await.unwrap();
    let branch_a =
        org::create(store, &all, Some(town_a.id), &mk("甲社区党支部", OrgKind::Branch), today).await.unwrap();
    let county_b =
        org::create(store, &all, Some(city.id), &mk("中共乙县委", OrgKind::LocalCommittee), today).await.unwrap();
    let branch_b =
        org::create(store, &all, Some(county_b.id), &mk("乙社区党支部", OrgKind::Branch), today).await.unwrap();
    let member_a =
        member::create(store, &all, branch_a.id, &member_input("甲党员", ID_A, PHONE_A), today).await.unwrap();
    let member_a2 = member::create(
        store,
        &all,
        branch_a.id,
        &member_input("甲二党员", &domain::idcard::compose("110105", d("1950-03-04"), 121), "13900001111"),
        today,
    )
    .await
    .unwrap();
    let member_b = member::create(
        store,
        &all,
        branch_b.id,
        &member_input("乙党员", &domain::idcard::compose("110105", d("1952-05-06"), 342), "13900002222"),
        today,
    )
    .await
    .unwrap();
    let city_member = member::create(
        store,
        &all,
        city_branch.id,
        &member_input("市直党员", &domain::idcard::compose("110105", d("1950-01-02"), 563), "13900003333"),
        today,
    )
    .await
    .unwrap();

    let mut logins = HashMap::new();
    let policy = PasswordPolicy::default();
    for role in Role::ALL {
        let username = format!("u_{}", role.code());
        let org_id = role.needs_org().then_some(county_a.id);
        let new = NewAccount {
            username: username.clone(),
            display_name: format!("{}测试", role.label()),
            password: PASSWORD.into(),
            grants: vec![(*role, org_id)],
            member_id: (*role == Role::Member).then_some(member_a.id),
            ..Default::default()
        };
        let acc = store::account::create_account(store, &all, &new, &policy).await.unwrap();
        let login = session_for(store, acc.account.id, &username).await;
        logins.insert(*role, login);
    }
    let app = web::router(web::AppState::new(store.clone()));
    World {
        store: store.clone(),
        app,
        city: city.id,
        city_branch: city_branch.id,
        county_a: county_a.id,
        town_a: town_a.id,
        branch_a: branch_a.id,
        county_b: county_b.id,
        branch_b: branch_b.id,
        member_a: member_a.id,
        member_a2: member_a2.id,
        member_b: member_b.id,
        city_member: city_member.id,
        logins,
    }
}

/// A full (second factor done) session for an account, made in the store.
pub async fn session_for(store: &Store, account_id: i64, username: &str) -> Login {
    let s = store::account::create_session(
        store,
        &Scope::none(),
        account_id,
        Some("127.0.0.1"),
        Some("test"),
        chrono::Utc::now(),
        &Default::default(),
        false,
    )
    .await
    .unwrap();
    Login { account_id, username: username.to_string(), cookie: format!("dj_session={}", s.token), csrf: s.csrf_token }
}

pub async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

pub fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

pub fn post(uri: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

/// A form body from pairs, percent-encoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn cookie_value(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|r| r.split(';').next().unwrap_or("").to_string()))
}

pub fn hidden_csrf(body: &str) -> String {
    let i = body.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    body[i..i + body[i..].find('"').unwrap()].to_string()
}

/// Run one statement in its own transaction (for tests that tamper with rows directly).
pub async fn exec(store: &Store, sql: &str, args: &[store::Val]) {
    let mut tx = store.begin().await.unwrap();
    store::testing::raw(tx.x()).execute(sql, args).await.unwrap();
    tx.commit().await.unwrap();
}

/// An API token of the test world's account with `role`.
pub async fn api_token(w: &World, role: Role) -> String {
    let id = w.logins[&role].account_id;
    store::account::create_api_token(&w.store, &Scope::none(), id, "测试", chrono::Utc::now()).await.unwrap().1
}

/// An API request with a bearer token and a JSON body.
pub fn api_request(method: axum::http::Method, uri: &str, token: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A campaign issued by `issuer` over the level below it, with a standard, a document, a reported
/// value and a published round: (campaign, document, report, round).
pub async fn campaign_target(w: &World, issuer: i64, name: &str) -> (i64, i64, i64, i64) {
    let all = store::Scope::all();
    let org = store::org::visible(&w.store, &all, issuer).await.unwrap();
    let v = domain::campaign::CampaignInput {
        name: name.into(),
        kind: "service".into(),
        starts_on: "2026-01-01".into(),
        ends_on: "2026-12-31".into(),
        takes_part: "level".into(),
        depth: "1".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let leaders = domain::campaign::parse_leaders("组长 王某 书记").unwrap();
    let c = store::campaign::create(&w.store, &all, &org, &v, &[], &leaders).await.unwrap();
    let std = domain::campaign::indicator::StandardInput::from_lines(
        "2026-01-01",
        "",
        "centers|服务中心覆盖率|facility_coverage|service_center|50|linear|90\nserved|办结率|reported||50|linear|95|||%",
    )
    .validate()
    .unwrap();
    store::campaign::standard::add(&w.store, &all, c.id, &std).await.unwrap();
    let doc =
        store::campaign::add_document(&w.store, &all, c.id, "实施方案", "方案.png", b"\x89PNG\r\n\x1a\n0000".to_vec())
            .await
            .unwrap();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let first = store::campaign::participants(&w.store, &c, on).await.unwrap()[0].org_id;
    let report =
        store::campaign::reported::submit(&w.store, &all, c.id, first, "served", on, 96_000, "台账").await.unwrap().id;
    let round = store::campaign::round::compute(&w.store, &all, c.id, on, "", &store::NoProgress).await.unwrap();
    store::campaign::round::publish(&w.store, &all, round.id, "").await.unwrap();
    (c.id, doc, report, round.id)
}

/// An innovation list of 2026 (three items in full) and a proposed project of `org`, which takes
/// part in the campaign: (list, project).
pub async fn innovation_target(w: &World, campaign: i64, org: i64) -> (i64, i64) {
    use domain::campaign::innovation::{ItemInput, ListInput, ProjectInput};
    let all = store::Scope::all();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let item = |t: &str| ItemInput {
        title: t.into(),
        measures: "具体措施".into(),
        milestones: "2026-09-30 完成".into(),
        ..Default::default()
    };
    let list = ListInput { year: "2026".into(), items: vec![item("甲"), item("乙"), item("丙")] }.validate().unwrap();
    let l = store::campaign::innovation::submit_list(&w.store, &all, campaign, org, &list, on).await.unwrap();
    let p = ProjectInput { title: "矩阵项目".into(), summary: String::new() }.validate().unwrap();
    let p = store::campaign::innovation::propose(&w.store, &all, campaign, org, &p, on).await.unwrap();
    (l.id, p.id)
}

/// A task of campaign `c` assigned by its issuer one level down, progress reported on the
/// assignment of `holder` with a picture: (task, assignment, evidence file).
pub async fn task_target(w: &World, c: i64, issuer: i64, holder: i64) -> (i64, i64, i64) {
    let all = store::Scope::all();
    let org = store::org::visible(&w.store, &all, issuer).await.unwrap();
    let v = domain::campaign::task::TaskInput {
        content: "矩阵任务".into(),
        target: "2".into(),
        unit: "个".into(),
        due_on: "2026-12-31".into(),
        responsible: "组织部".into(),
        assign: "level".into(),
        depth: "1".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let t = store::campaign::task::create(&w.store, &all, c, &org, &v, &[], on).await.unwrap();
    let (_, _, seen) = store::campaign::task::get(&w.store, &all, t.id).await.unwrap();
    let a = seen.iter().find(|a| a.org_id == holder).expect("the holder's assignment").id;
    let r = domain::campaign::task::ReportInput { value: "1".into(), done: false, note: "推进中".into() }
        .validate(true)
        .unwrap();
    let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
    let rep = store::campaign::task::report(&w.store, &all, a, &r, vec![("现场.png".into(), png)]).await.unwrap();
    let ev = store::campaign::task::reports(&w.store, &[a]).await.unwrap();
    let file = ev.iter().find(|(x, _)| x.id == rep.id).unwrap().1[0].id;
    (t.id, a, file)
}

/// A waiting secondment nomination of `member` by the unit `unit` (2027-03-01 to 2027-08-31,
/// every attestation given).
pub async fn secondment_target(w: &World, unit: i64, member: i64) -> i64 {
    let all = store::Scope::all();
    let unit = store::org::visible(&w.store, &all, unit).await.unwrap();
    let n = store::campaign::secondment::NewNomination {
        member_id: member,
        category: domain::campaign::retirement::Category::Male,
        party_post: true,
        full_time: true,
        writing: true,
        starts_on: d("2027-03-01"),
        ends_on: d("2027-08-31"),
        host_unit: String::new(),
    };
    store::campaign::secondment::nominate(&w.store, &all, &unit, &n, None).await.unwrap().id
}

/// A draft annual plan of 2026 of `org`, one target and one milestone.
pub async fn plan_target(w: &World, org: i64) -> i64 {
    let all = store::Scope::all();
    let org = store::org::visible(&w.store, &all, org).await.unwrap();
    let v = domain::campaign::plan::PlanInput {
        kind: "annual".into(),
        title: "矩阵党建规划".into(),
        from_year: "2026".into(),
        to_year: String::new(),
        targets: domain::campaign::plan::targets_from_lines("示范点|demo_sites||1|2026-12-31"),
        milestones: "2026-06-30 矩阵里程碑".into(),
    }
    .validate()
    .unwrap();
    store::campaign::plan::create(&w.store, &all, &org, &v).await.unwrap().id
}
