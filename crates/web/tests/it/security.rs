//! Security behaviour through the web layer, on SQLite and PostgreSQL: CSRF on every
//! state-changing route (generated from the router), login lockout, no user enumeration, session
//! idle and absolute timeouts, sessions ended when an account is disabled, cookie flags, and the
//! audit trail's tamper detection.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{cookie_value, form, get, hidden_csrf, post, send, world, World};
use domain::account::Role;
use store::testing::TestDb;

/// Sign in through the login form: (status, session cookie if any, body).
async fn login(w: &World, username: &str, password: &str) -> (StatusCode, Option<String>, String) {
    let (_, h, page) = send(&w.app, get("/login", "")).await;
    let pre = cookie_value(&h, "dj_login_csrf").unwrap();
    let body = form(&[("csrf", &hidden_csrf(&page)), ("username", username), ("password", password)]);
    let (status, h, body) = send(&w.app, post("/login", &format!("dj_login_csrf={pre}"), &body)).await;
    (status, cookie_value(&h, "dj_session").map(|c| format!("dj_session={c}")), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_post_route_refuses_a_missing_or_wrong_csrf_token() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let l = &w.logins[&Role::OrgAdmin];
    let before = store::audit::verify(&w.store).await.unwrap().records;
    let mut checked = 0;
    for spec in web::route_specs() {
        if spec.method != "POST" || spec.path.starts_with("/api/") {
            continue; // the API takes bearer tokens, never cookies, so it cannot be forged cross-site
        }
        let uri = spec.path.replace("{id}", &w.county_a.to_string());
        for token in ["", "csrf=wrong", "csrf="] {
            let req = Request::post(&uri)
                .header(header::COOKIE, &l.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("{token}&username=u_org_admin&password=x&confirm=yes")))
                .unwrap();
            let (status, _, _) = send(&w.app, req).await;
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND || status.is_client_error(),
                "POST {uri} with {token:?}: {status}"
            );
            assert_ne!(status, StatusCode::OK, "POST {uri} with {token:?}");
            assert!(!status.is_redirection(), "POST {uri} with {token:?} redirected: it acted");
        }
        checked += 1;
    }
    assert!(checked >= 3, "{checked} POST routes");
    // nothing was written: only sign-in refusals may have been recorded
    let after = store::audit::verify(&w.store).await.unwrap();
    let written: i64 = after.records - before;
    let (acts,): (i64,) = store::testing::raw(w.store.read())
        .fetch_one("SELECT COUNT(*) FROM audit_log WHERE seq > $1 AND action NOT LIKE 'login%'", &store::args![before])
        .await
        .unwrap();
    assert_eq!(acts, 0, "{written} records written by forged requests");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockout_after_five_failures_and_no_enumeration() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        // wrong password and unknown user: the same status and the same words
        let (s1, c1, b1) = login(&w, "u_org_admin", "wrong-Password#1").await;
        let (s2, c2, b2) = login(&w, "no_such_user", "wrong-Password#1").await;
        assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
        assert!(c1.is_none() && c2.is_none());
        let msg = |b: &str| b.contains("用户名或密码错误");
        assert!(msg(&b1) && msg(&b2));
        // four more failures: locked, and then even the right password is refused with the
        // lockout message, for a real and an unknown account alike
        for _ in 0..4 {
            login(&w, "u_org_admin", "wrong-Password#1").await;
            login(&w, "no_such_user", "wrong-Password#1").await;
        }
        let (s, c, b) = login(&w, "u_org_admin", common::PASSWORD).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
        assert!(c.is_none() && b.contains("登录失败次数过多"));
        let (s, _, b) = login(&w, "no_such_user", common::PASSWORD).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "an unknown account locks the same way: {b}");
        // another account is unaffected
        let (s, c, _) = login(&w, "u_party_worker", common::PASSWORD).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(c.is_some());
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_flags_and_a_new_id_at_every_login() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let (_, h, page) = send(&w.app, get("/login", "")).await;
    let pre = cookie_value(&h, "dj_login_csrf").unwrap();
    let body = form(&[("csrf", &hidden_csrf(&page)), ("username", "u_party_worker"), ("password", common::PASSWORD)]);
    // a session id planted by an attacker is not adopted
    let planted = "dj_session=".to_string() + &"a".repeat(64);
    let (status, h, _) = send(&w.app, post("/login", &format!("dj_login_csrf={pre}; {planted}"), &body)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let set = h.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    let session = set.iter().find(|c| c.starts_with("dj_session=")).unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    assert!(!session.contains(&"a".repeat(64)));
    let first = cookie_value(&h, "dj_session").unwrap();
    let (_, second, _) = login(&w, "u_party_worker", common::PASSWORD).await;
    assert_ne!(Some(format!("dj_session={first}")), second, "a new id at every login");
    // under TLS the cookie is Secure
    let mut state = web::AppState::new(w.store.clone());
    state.secure_cookies = true;
    let app = web::router(state);
    let (_, h, _) = send(&app, get("/login", "")).await;
    let c = h.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(c.contains("; Secure"), "{c}");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_absolute_timeouts_and_disable_end_sessions() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = w.logins[&Role::PartyWorker].clone();
        let ok = |status: StatusCode| status == StatusCode::OK;
        assert!(ok(send(&w.app, get("/", &l.cookie)).await.0));
        // idle for 31 minutes: ended
        let ago = chrono::Utc::now() - chrono::Duration::minutes(31);
        common::exec(
            &w.store,
            "UPDATE session SET last_seen_at = $1 WHERE account_id = $2",
            &store::args![ago, l.account_id],
        )
        .await;
        let (status, h, _) = send(&w.app, get("/", &l.cookie)).await;
        assert_eq!((status, h.get(header::LOCATION).unwrap().to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
        // used a minute ago but signed in 12 hours ago: ended
        let l = common::session_for(&w.store, l.account_id, &l.username).await;
        let now = chrono::Utc::now();
        common::exec(&w.store,
                "UPDATE session SET created_at = $1, expires_at = $2, last_seen_at = $3 WHERE account_id = $4 AND ended_at IS NULL",
                &store::args![
                    now - chrono::Duration::hours(12),
                    now - chrono::Duration::seconds(1),
                    now - chrono::Duration::minutes(1),
                    l.account_id
                ],
            )
            .await;
        assert_eq!(send(&w.app, get("/", &l.cookie)).await.0, StatusCode::SEE_OTHER);
        // disabling an account ends all its sessions at once
        let a = common::session_for(&w.store, l.account_id, &l.username).await;
        let b = common::session_for(&w.store, l.account_id, &l.username).await;
        assert!(ok(send(&w.app, get("/", &a.cookie)).await.0) && ok(send(&w.app, get("/", &b.cookie)).await.0));
        store::account::disable_account(&w.store, &store::Scope::all(), l.account_id).await.unwrap();
        for s in [&a, &b] {
            assert_eq!(send(&w.app, get("/", &s.cookie)).await.0, StatusCode::SEE_OTHER);
        }
        // the record of why
        let ended: Vec<(String,)> = store::testing::raw(w.store.read())
            .fetch_all(
                "SELECT detail FROM audit_log WHERE action = 'session.end' OR action = 'account.disable' ORDER BY seq",
                &store::args![],
            )
            .await
            .unwrap();
        let text: String = ended.into_iter().map(|(d,)| d).collect();
        assert!(text.contains("idle_timeout") && text.contains("absolute_timeout"), "{text}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_every_page() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let l = &w.logins[&Role::OrgAdmin];
    for spec in web::route_specs().iter().filter(|s| s.method == "GET") {
        let uri = spec.path.replace("{id}", &w.county_a.to_string());
        let (_, h, _) = send(&w.app, get(&uri, &l.cookie)).await;
        let csp = h.get(header::CONTENT_SECURITY_POLICY).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"), "{uri}: {csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{uri}: no inline script");
        assert_eq!(h.get(header::X_FRAME_OPTIONS).unwrap(), "DENY", "{uri}");
        assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff", "{uri}");
        assert!(h.get(header::REFERRER_POLICY).is_some(), "{uri}");
    }
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_chain_detects_an_edited_and_a_deleted_record() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        // some audited work through the web: sign-ins
        login(&w, "u_org_admin", common::PASSWORD).await;
        login(&w, "u_org_admin", "wrong").await;
        let v = store::audit::verify(&w.store).await.unwrap();
        assert!(v.ok() && v.records > 10, "{:?}", v.problems);
        if w.store.backend() == store::Backend::Sqlite {
            // the SQLite file can be edited by anyone holding it: the chain shows it
            common::exec(&w.store, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3", &store::args![]).await;
            let v = store::audit::verify(&w.store).await.unwrap();
            assert!(!v.ok() && v.problems.iter().any(|p| p.contains('3')), "{:?}", v.problems);
            common::exec(&w.store, "DELETE FROM audit_log WHERE seq = 5", &store::args![]).await;
            let v = store::audit::verify(&w.store).await.unwrap();
            assert!(v.problems.len() >= 2, "{:?}", v.problems);
        }
        db.finish().await;
    }
}
