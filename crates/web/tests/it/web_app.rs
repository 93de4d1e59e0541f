//! The web application in process, on SQLite and PostgreSQL: sign-in, CSRF, scope (404 outside
//! it), masking, security headers.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use domain::account::{PasswordPolicy, Role};
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use http_body_util::BodyExt;
use store::account::NewAccount;
use store::testing::TestDb;
use store::{member, org, Scope};
use tower::ServiceExt;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Fixture {
    app: axum::Router,
    city: i64,
    county: i64,
    other_county: i64,
}

async fn fixture(s: &store::Store) -> Fixture {
    let all = Scope::all();
    let today = d("2026-11-21");
    let mk =
        |n: &str, k| OrgInput { name: n.into(), kind: Some(k), sector: Some(Sector::Community), ..Default::default() };
    let city = org::create(s, &all, None, &mk("中共测试市委", OrgKind::LocalCommittee), today).await.unwrap();
    let county = org::create(s, &all, Some(city.id), &mk("中共甲县委", OrgKind::LocalCommittee), today).await.unwrap();
    let other = org::create(s, &all, Some(city.id), &mk("中共乙县委", OrgKind::LocalCommittee), today).await.unwrap();
    let branch = org::create(s, &all, Some(county.id), &mk("甲社区党支部", OrgKind::Branch), today).await.unwrap();
    member::create(
        s,
        &all,
        branch.id,
        &MemberInput {
            name: "测试党员".into(),
            id_number: "11010519491231002X".into(),
            category: Some(Category::Full),
            join_date: Some(d("1975-07-01")),
            phone: Some("13812345678".into()),
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap();
    let new = NewAccount {
        username: "xian".into(),
        display_name: "县里的管理员".into(),
        password: "County#2026dj".into(),
        grants: vec![(Role::OrgAdmin, Some(county.id))],
        ..Default::default()
    };
    store::account::create_account(s, &all, &new, &PasswordPolicy::default()).await.unwrap();
    let app = web::router(web::AppState::new(s.clone()));
    Fixture { app, city: city.id, county: county.id, other_county: other.id }
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, headers, body)
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

fn post(uri: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

fn cookie_value(h: &axum::http::HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|r| r.split(';').next().unwrap_or("").to_string()))
}

fn hidden_csrf(body: &str) -> String {
    let i = body.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    body[i..i + body[i..].find('"').unwrap()].to_string()
}

/// Sign in as `xian`; returns the session cookie header value and the page CSRF token.
async fn sign_in(app: &axum::Router, password: &str) -> Result<(String, String), (StatusCode, String)> {
    let (_, h, body) = send(app, get("/login", "")).await;
    let pre = cookie_value(&h, "dj_login_csrf").unwrap();
    let csrf = hidden_csrf(&body);
    let form = format!("csrf={csrf}&username=xian&password={}", password.replace('#', "%23"));
    let (status, h, body) = send(app, post("/login", &format!("dj_login_csrf={pre}"), &form)).await;
    if status != StatusCode::SEE_OTHER {
        return Err((status, body));
    }
    let session = format!("dj_session={}", cookie_value(&h, "dj_session").unwrap());
    let (_, _, home) = send(app, get("/", &session)).await;
    Ok((session, hidden_csrf(&home)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_scope_and_masking() {
    for db in TestDb::both().await {
        let f = fixture(&db.store).await;
        // not signed in: to the login page
        let (status, h, _) = send(&f.app, get("/", "")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(h.get(header::LOCATION).unwrap(), "/login");
        // security headers everywhere
        let (_, h, _) = send(&f.app, get("/login", "")).await;
        assert!(h.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().contains("script-src 'self'"));
        assert_eq!(h.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
        assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");

        let (session, csrf) = sign_in(&f.app, "County#2026dj").await.unwrap();
        let (status, _, body) = send(&f.app, get("/", &session)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("工作台") && body.contains("中共甲县委"), "{body}");
        // ORG-01: the branch has one full member
        assert!(body.contains("ORG-01"), "findings on the home page");
        // own subtree: yes; the city above and the sibling county: 404
        assert_eq!(send(&f.app, get(&format!("/orgs/{}", f.county), &session)).await.0, StatusCode::OK);
        assert_eq!(send(&f.app, get(&format!("/orgs/{}", f.city), &session)).await.0, StatusCode::NOT_FOUND);
        assert_eq!(send(&f.app, get(&format!("/orgs/{}", f.other_county), &session)).await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            send(&f.app, get(&format!("/members?org={}", f.other_county), &session)).await.0,
            StatusCode::NOT_FOUND
        );
        // the roster masks ID numbers and phones
        let (status, _, body) = send(&f.app, get("/members", &session)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("110105********002X") && body.contains("138****5678"), "{body}");
        assert!(!body.contains("11010519491231002X") && !body.contains("13812345678"));
        // logout needs the CSRF token
        let (status, _, _) = send(&f.app, post("/logout", &session, "csrf=wrong")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = send(&f.app, post("/logout", &session, &format!("csrf={csrf}"))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) = send(&f.app, get("/", &session)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "the session ended");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_refusals() {
    for db in TestDb::both().await {
        let f = fixture(&db.store).await;
        // wrong password and unknown user: the same answer
        let (status, body) = sign_in(&f.app, "wrong-password").await.unwrap_err();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("用户名或密码错误"));
        let (_, h, page) = send(&f.app, get("/login", "")).await;
        let pre = cookie_value(&h, "dj_login_csrf").unwrap();
        let form = format!("csrf={}&username=nobody&password=whatever", hidden_csrf(&page));
        let (status2, _, body2) = send(&f.app, post("/login", &format!("dj_login_csrf={pre}"), &form)).await;
        assert_eq!(status2, status);
        assert!(body2.contains("用户名或密码错误"));
        // a login without the pre-session CSRF cookie is refused
        let (status, _, _) = send(&f.app, post("/login", "", "csrf=x&username=xian&password=County%232026dj")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}
