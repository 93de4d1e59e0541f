//! The one organization picker (`/orgs/pick`: a page without JavaScript, JSON for its script) on
//! the pages that pick an organization, and the top bar's search (`/search`), through the whole
//! application: matches with their parents, the caller's scope, no silent cap on the demo city,
//! members found by ID number (full, last 4, last 6) masked and audited.

use crate::common::{self, d, send, world, ID_A};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::account::{PasswordPolicy, Role};
use store::account::NewAccount;
use store::testing::TestDb;
use store::Scope;

fn json_get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .unwrap()
}

async fn json(app: &axum::Router, uri: &str, cookie: &str) -> serde_json::Value {
    let (st, h, body) = send(app, json_get(uri, cookie)).await;
    assert_eq!(st, StatusCode::OK, "{uri}: {body}");
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picker_lists_matches_with_their_parents_in_the_callers_scope() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let admin = &w.logins[&Role::OrgAdmin];

        // the export page offers the picker, not a list cut at some length
        let (st, _, body) = send(&w.app, common::get("/export", &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("data-pick=\"/orgs/pick?perm=exchange\""), "{body}");
        assert!(body.contains("/orgs/pick?perm=exchange&#38;field=org&#38;back="), "{body}");
        assert!(!body.contains("<select id=\"org\""), "{body}");
        assert_eq!(body.matches("<script src=\"/assets/picker.js\" defer></script>").count(), 1);
        let (st, h, js) = send(&w.app, common::get("/assets/picker.js", "")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
        assert!(js.contains("application/json"));

        // without JavaScript: the page of matches, each with its parents, each a link back to
        // the asking page with the organization chosen
        let uri = "/orgs/pick?perm=exchange&field=org&back=%2Fexport%3Fwhat%3Dorgs&q=%E7%A4%BE%E5%8C%BA";
        let (st, _, body) = send(&w.app, common::get(uri, &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("甲社区党支部") && !body.contains("乙社区党支部"), "{body}");
        assert!(body.contains("上级：中共甲县委 › 中共甲镇委员会"), "{body}");
        assert!(body.contains(&format!("href=\"/export?what=orgs&#38;org={}\"", w.branch_a)), "{body}");
        assert!(body.contains("共 <strong>1</strong> 个"), "{body}");
        // a link back elsewhere than this site is not followed
        let (_, _, body) =
            send(&w.app, common::get("/orgs/pick?perm=exchange&back=%2F%2Fevil.example&q=%E7%94%B2", &admin.cookie))
                .await;
        assert!(!body.contains("evil.example"), "{body}");

        // for the script: JSON
        let v = json(&w.app, "/orgs/pick?perm=exchange&q=%E7%A4%BE%E5%8C%BA", &admin.cookie).await;
        assert_eq!(v["total"], 1);
        assert_eq!(v["items"][0]["id"], w.branch_a);
        assert_eq!(v["items"][0]["parents"], serde_json::json!(["中共甲县委", "中共甲镇委员会"]));
        assert!(v["more"].is_null());
        // what the asking page acts under decides what is offered: a meeting is entered by an
        // organization that records organization life, a member joins a branch
        let v = json(&w.app, "/orgs/pick?perm=record_life", &admin.cookie).await;
        let ids: Vec<i64> = v["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert!(ids.contains(&w.branch_a) && ids.contains(&w.town_a) && !ids.contains(&w.county_a), "{v}");
        let v = json(&w.app, "/orgs/pick?perm=member_org", &admin.cookie).await;
        assert_eq!(v["total"], 1, "{v}");
        assert_eq!(v["items"][0]["id"], w.branch_a);
        // the other county is not found, by any name
        let v = json(&w.app, "/orgs/pick?perm=orgs&q=%E4%B9%99", &admin.cookie).await;
        assert_eq!(v["total"], 0, "{v}");

        // a role without the permission is refused; an unknown purpose is not found
        let member = &w.logins[&Role::Member];
        let (st, _, _) = send(&w.app, common::get("/orgs/pick?perm=exchange", &member.cookie)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = send(&w.app, common::get("/orgs/pick?perm=orgs", &member.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        let guard = &w.logins[&Role::SecurityAdmin];
        let (st, _, _) = send(&w.app, common::get("/orgs/pick", &guard.cookie)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = send(&w.app, common::get("/orgs/pick?perm=audit", &admin.cookie)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // the pages that pick: import, statistics, the roster, the calendar, a new member's
        // branch, a meeting's organization, a move's new parent
        for (uri, purpose) in [
            ("/import".to_string(), "exchange"),
            (format!("/stats?org={}", w.county_a), "stats"),
            (format!("/members?org={}", w.county_a), "members"),
            (format!("/life/calendar?org={}", w.branch_a), "life"),
            (format!("/orgs/{}/members/new", w.county_a), "member_org"),
            (format!("/orgs/{}/life/new", w.county_a), "record_life"),
            (format!("/orgs/{}/move", w.branch_a), "edit_orgs"),
        ] {
            let (st, _, body) = send(&w.app, common::get(&uri, &admin.cookie)).await;
            assert_eq!(st, StatusCode::OK, "{uri}");
            assert!(body.contains(&format!("data-pick=\"/orgs/pick?perm={purpose}\"")), "{uri}: {body}");
        }
        // the chosen organization shown with its parents
        let (_, _, body) =
            send(&w.app, common::get(&format!("/life/calendar?org={}", w.branch_a), &admin.cookie)).await;
        assert!(body.contains("上级：中共甲县委 › 中共甲镇委员会"), "{body}");
        // the meeting's and the member's pick pages send the choice on to its form
        let (st, h, _) =
            send(&w.app, common::get(&format!("/orgs/{}/life/new?org={}", w.county_a, w.branch_a), &admin.cookie))
                .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(h[header::LOCATION], format!("/orgs/{}/life/new", w.branch_a).as_str());
        let (st, h, _) =
            send(&w.app, common::get(&format!("/orgs/{}/members/new?org={}", w.county_a, w.branch_a), &admin.cookie))
                .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(h[header::LOCATION], format!("/orgs/{}/members/new", w.branch_a).as_str());
        db.finish().await;
    }
}

async fn body_has_post_box(w: &common::World, login: &common::Login) -> bool {
    let (_, _, body) = send(&w.app, common::get("/", &login.cookie)).await;
    body.contains("<form class=\"topsearch\" method=\"post\" action=\"/search\"")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_bar_search_finds_members_by_name_and_id_number_and_organizations() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let admin = &w.logins[&Role::OrgAdmin];
        let search = |q: &str| format!("/search?q={}", common::enc(q));
        let trail = |s: store::Store| async move {
            store::audit::recent(&s, 50).await.unwrap().into_iter().filter(|r| r.action == "member.search_id").count()
        };

        // the top bar carries the search for business roles only
        let guard = &w.logins[&Role::SecurityAdmin];
        let (_, _, body) = send(&w.app, common::get("/account", &guard.cookie)).await;
        assert!(!body.contains("action=\"/search\""));
        let (st, _, _) = send(&w.app, common::get(&search("甲"), &guard.cookie)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // the full number, the last four and the last six characters: found, masked, audited; the
        // box sends by POST, so the number is in no URL
        assert!(body_has_post_box(&w, admin).await);
        let masked = domain::mask::id_number(ID_A);
        for q in [ID_A.to_string(), ID_A[14..].to_string(), ID_A[12..].to_lowercase()] {
            let before = trail(w.store.clone()).await;
            let req = common::post("/search", &admin.cookie, &common::form(&[("csrf", &admin.csrf), ("q", &q)]));
            let (st, _, body) = send(&w.app, req).await;
            assert_eq!(st, StatusCode::OK, "{q}");
            assert!(body.contains(&format!("href=\"/members/{}\"", w.member_a)), "{q}: {body}");
            assert!(body.contains(&format!(">{masked}<")) && !body.contains(&format!(">{ID_A}<")), "{q}: masked");
            assert!(!body.contains(&format!("q={ID_A}")), "no link carries the number");
            assert_eq!(trail(w.store.clone()).await, before + 1, "{q}: audited");
        }
        let (st, _, _) =
            send(&w.app, common::post("/search", &admin.cookie, &common::form(&[("csrf", "x"), ("q", ID_A)]))).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let recs = store::audit::recent(&w.store, 50).await.unwrap();
        assert!(recs.iter().filter(|r| r.action == "member.search_id").all(|r| !r.detail.contains(ID_A)));
        // a member of the other county is not found by their number
        let b = store::member::get(&w.store, &Scope::all(), w.member_b).await.unwrap();
        let before = trail(w.store.clone()).await;
        let (st, _, body) = send(&w.app, common::get(&search(&b.id_number), &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(!body.contains("乙党员") && body.contains("共 0 人"), "{body}");
        assert_eq!(trail(w.store.clone()).await, before, "finding nobody is not recorded");

        // by name: members and organizations of the caller's scope
        let (_, _, body) = send(&w.app, common::get(&search("党员"), &admin.cookie)).await;
        assert!(body.contains("甲党员") && body.contains("甲二党员"), "{body}");
        assert!(!body.contains("乙党员") && !body.contains("市直党员"), "{body}");
        let (_, _, body) = send(&w.app, common::get(&search("社区"), &admin.cookie)).await;
        assert!(body.contains(&format!("href=\"/orgs/{}\"", w.branch_a)) && !body.contains("乙社区党支部"), "{body}");
        // digits of no use: what to type instead
        let (st, _, body) = send(&w.app, common::get(&search("123"), &admin.cookie)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("末 4–6 位"), "{body}");

        // a 党员 finds organizations, never members
        let member = &w.logins[&Role::Member];
        let (st, _, body) = send(&w.app, common::get(&search("甲"), &member.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(!body.contains("/members/"), "{body}");
        let (st, _, _) = send(&w.app, common::get(&search(&ID_A[14..]), &member.cookie)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        db.finish().await;
    }
}

/// The demo city's ~5,000 organizations (about 4,000 grassroots organizations and their 党小组):
/// every one reachable through the picker, page by page, for the 组织部; hundreds of 第一党小组
/// told apart by their parents; a county's user never sees another county's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_city_every_organization_reachable_in_scope() {
    let db = TestDb::sqlite().await;
    let opts = demo::DemoOptions { scale: demo::Scale::City, seed: 2026, today: d("2026-11-21") };
    let summary = demo::build(&db.store, &opts, &store::NoProgress).await.unwrap();
    let all = Scope::all();
    let everyone = store::org::subtree(&db.store, &all, summary.root_id, None).await.unwrap();
    assert!(everyone.len() > 4000, "{}", everyone.len());
    let counties = store::org::children(&db.store, &all, summary.root_id).await.unwrap();
    let county = counties.iter().find(|c| c.kind == domain::org::OrgKind::LocalCommittee).unwrap();
    let login = |role: Role, org: i64, name: &'static str| {
        let store = db.store.clone();
        async move {
            let new = NewAccount {
                username: name.into(),
                display_name: name.into(),
                password: common::PASSWORD.into(),
                grants: vec![(role, Some(org))],
                ..Default::default()
            };
            let acc =
                store::account::create_account(&store, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap();
            common::session_for(&store, acc.account.id, name).await
        }
    };
    let zzb = login(Role::OrgDeptAdmin, summary.root_id, "zzb_t").await;
    let xian = login(Role::OrgAdmin, county.id, "xian_t").await;
    let app = web::router(web::AppState::new(db.store.clone()));

    // page by page, the whole city: nothing cut
    let first = json(&app, "/orgs/pick?perm=exchange", &zzb.cookie).await;
    let total = first["total"].as_i64().unwrap();
    assert_eq!(total, everyone.len() as i64);
    assert_eq!(first["more"], format!("共 {total} 个，请输入更多字缩小范围"));
    let pages = first["pages"].as_i64().unwrap();
    let mut seen = std::collections::HashSet::new();
    for p in 1..=pages {
        let v = json(&app, &format!("/orgs/pick?perm=exchange&page={p}"), &zzb.cookie).await;
        for i in v["items"].as_array().unwrap() {
            assert!(seen.insert(i["id"].as_i64().unwrap()));
        }
    }
    assert_eq!(seen.len(), everyone.len());
    assert!(everyone.iter().all(|n| seen.contains(&n.org.id)));

    // a repeated name: each hit with its parents, no two alike on a page
    let v = json(&app, "/orgs/pick?perm=exchange&q=%E7%AC%AC%E4%B8%80%E5%85%9A%E5%B0%8F%E7%BB%84", &zzb.cookie).await;
    assert!(v["total"].as_i64().unwrap() > 100, "{v}");
    let chains: std::collections::HashSet<String> =
        v["items"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(chains.len(), v["items"].as_array().unwrap().len());
    // and with a word of the parent's name, the one meant
    let item = &v["items"][0];
    let parent = item["parents"].as_array().unwrap().last().unwrap().as_str().unwrap().to_string();
    let q = common::enc(&format!("{parent} 第一党小组"));
    let one = json(&app, &format!("/orgs/pick?perm=exchange&q={q}"), &zzb.cookie).await;
    assert!(one["items"].as_array().unwrap().iter().any(|i| i["id"] == item["id"]), "{one}");

    // a county's user: exactly the county's subtree, nothing of another county
    let mine: std::collections::HashSet<i64> =
        store::org::subtree(&db.store, &all, county.id, None).await.unwrap().into_iter().map(|n| n.org.id).collect();
    let first = json(&app, "/orgs/pick?perm=exchange", &xian.cookie).await;
    assert_eq!(first["total"].as_i64().unwrap(), mine.len() as i64);
    for p in 1..=first["pages"].as_i64().unwrap() {
        let v = json(&app, &format!("/orgs/pick?perm=exchange&page={p}"), &xian.cookie).await;
        for i in v["items"].as_array().unwrap() {
            assert!(mine.contains(&i["id"].as_i64().unwrap()), "outside the county: {i}");
        }
    }
    let other = counties.iter().find(|c| c.id != county.id && c.kind == county.kind).unwrap();
    let v = json(&app, &format!("/orgs/pick?perm=orgs&q={}", common::enc(&other.name)), &xian.cookie).await;
    assert_eq!(v["total"], 0, "{v}");
    db.finish().await;
}
