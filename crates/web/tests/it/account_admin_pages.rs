//! 账号安全 and the administrator triad's pages (三员分立), on SQLite and PostgreSQL: password
//! change and the forced change, second factor, API tokens, sessions; the 安全管理员's accounts and
//! grants; the 审计管理员's viewer, export and chain check; the 系统管理员's status page; and
//! each of them refused everywhere else.

use crate::common;

use axum::http::{header, HeaderMap, StatusCode};
use common::{cookie_value, form, get, post, send, session_for, world, Login, World, PASSWORD};
use domain::account::{PasswordPolicy, Role};
use store::account::{self as acc, NewAccount};
use store::testing::TestDb;
use store::{Scope, Store};

fn location(h: &HeaderMap) -> String {
    h.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// Records of this action (newest first), as (actor, result, target, detail).
async fn audit_of(store: &Store, action: &str) -> Vec<(String, String, String, String)> {
    store::audit::recent(store, 2000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == action)
        .map(|r| (r.actor, r.result, r.target, r.detail))
        .collect()
}

/// Another 安全管理员, made at the command line's level (so it is in effect), signed in.
async fn second_security_admin(store: &Store) -> Login {
    let new = NewAccount {
        username: "u_sec2".into(),
        display_name: "第二安全管理员".into(),
        password: PASSWORD.into(),
        grants: vec![(Role::SecurityAdmin, None)],
        ..Default::default()
    };
    let a = acc::create_account(store, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap();
    session_for(store, a.account.id, "u_sec2").await
}

async fn post_form(w: &World, uri: &str, l: &Login, pairs: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
    let mut all = vec![("csrf", l.csrf.as_str())];
    all.extend_from_slice(pairs);
    send(&w.app, post(uri, &l.cookie, &form(&all))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_change_checks_and_renews_the_session() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = w.logins[&Role::OrgAdmin].clone();

        let (status, _, body) = send(&w.app, get("/account", &l.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("账号安全") && body.contains("u_org_admin"), "{body}");
        assert!(body.contains("还有 89 天") || body.contains("还有 90 天"), "expiry under MLPS: {body}");
        assert!(body.contains("本机"), "the current session is marked");

        let (status, _, body) = send(&w.app, get("/account/password", &l.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("至少 8 个字符"), "policy shown: {body}");
        assert!(!body.contains("notice warn"), "no forced-change banner");

        // wrong current password: refused beside the field, recorded
        let (status, _, body) = post_form(
            &w,
            "/account/password",
            &l,
            &[("current", "Wrong#2026pass"), ("new", "Better#2027pw"), ("repeat", "Better#2027pw")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("当前密码：当前密码不正确"), "{body}");
        assert!(!body.contains("Better#2027pw") && !body.contains("Wrong#2026pass"), "passwords never echoed");
        let rec = audit_of(&db.store, "account.password").await;
        assert_eq!(rec[0].1, "invalid");

        // policy violations and a mismatch, every one named
        let (status, _, body) =
            post_form(&w, "/account/password", &l, &[("current", PASSWORD), ("new", "abc"), ("repeat", "abd")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("新密码：至少需要 8 个字符"), "{body}");
        assert!(body.contains("新密码：须包含大写字母"), "{body}");
        assert!(body.contains("确认新密码：两次输入的新密码不一致"), "{body}");
        assert!(!body.contains("value=\"abc\""), "passwords never echoed");

        // CSRF refused, nothing changed
        let (status, _, _) = send(
            &w.app,
            post(
                "/account/password",
                &l.cookie,
                &form(&[
                    ("csrf", "nope"),
                    ("current", PASSWORD),
                    ("new", "Better#2027pw"),
                    ("repeat", "Better#2027pw"),
                ]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // success: a new session for this browser, every old one ended
        let (status, h, _) = post_form(
            &w,
            "/account/password",
            &l,
            &[("current", PASSWORD), ("new", "Better#2027pw"), ("repeat", "Better#2027pw")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), "/account?ok=password");
        let token = cookie_value(&h, "dj_session").expect("a new session cookie");
        let (status, h, _) = send(&w.app, get("/account", &l.cookie)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "the old session is over");
        assert_eq!(location(&h), "/login");
        let (status, _, body) = send(&w.app, get("/account?ok=password", &format!("dj_session={token}"))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("密码已修改"), "{body}");
        let rec = audit_of(&db.store, "account.password").await;
        assert_eq!(rec[0].1, "ok");
        assert!(!rec[0].3.contains("Better#2027pw"), "no password in the trail");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_password_is_changed_before_anything_else() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let new = NewAccount {
            username: "temp.user".into(),
            display_name: "临时用户".into(),
            password: "Temp#2026word".into(),
            must_change_password: true,
            grants: vec![(Role::PartyWorker, Some(w.county_a))],
            ..Default::default()
        };
        let a = acc::create_account(&db.store, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap();
        let l = session_for(&db.store, a.account.id, "temp.user").await;
        for page in ["/", "/members", "/account", "/account/totp"] {
            let (status, h, _) = send(&w.app, get(page, &l.cookie)).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
            assert_eq!(location(&h), "/account/password", "{page}");
        }
        let (status, _, body) = send(&w.app, get("/account/password", &l.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("临时密码") && body.contains("notice warn"), "the banner says why: {body}");
        let (status, h, _) = post_form(
            &w,
            "/account/password",
            &l,
            &[("current", "Temp#2026word"), ("new", "Mine#2026pass"), ("repeat", "Mine#2026pass")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), "/", "straight on to work");
        let token = cookie_value(&h, "dj_session").unwrap();
        let (status, _, _) = send(&w.app, get("/", &format!("dj_session={token}"))).await;
        assert_eq!(status, StatusCode::OK);
        let a = acc::get_account_with_grants(&db.store, a.account.id).await.unwrap();
        assert!(!a.account.must_change_password);

        // an expired password (MLPS: 90 days) is changed first too, and the banner says why
        let l = w.logins[&Role::PartyWorker].clone();
        let old = chrono::Utc::now() - chrono::Duration::days(100);
        let mut tx = db.store.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute(
                "UPDATE account SET password_changed_at = $1 WHERE id = $2",
                &[store::Val::Time(old), store::Val::from(l.account_id)],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (status, h, _) = send(&w.app, get("/members", &l.cookie)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), "/account/password");
        let (_, _, body) = send(&w.app, get("/account/password", &l.cookie)).await;
        assert!(body.contains("已使用超过 90 天"), "{body}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_are_created_once_and_revoked_only_by_their_owner() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = w.logins[&Role::OrgAdmin].clone();
        let (status, _, body) = post_form(&w, "/account/tokens", &l, &[("name", "  ")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("令牌名称：请为令牌起个名字"), "{body}");
        let long = "长".repeat(51);
        let (status, _, body) = post_form(&w, "/account/tokens", &l, &[("name", &long)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains(&format!("value=\"{long}\"")), "what was typed is kept");

        let (status, _, body) = post_form(&w, "/account/tokens", &l, &[("name", "季度报表")]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("只显示这一次"), "{body}");
        let i = body.find("<code>dj_").expect("the token is shown") + 6;
        let token = &body[i..i + 43];
        let (t, owner) = acc::resolve_api_token(&db.store, token, chrono::Utc::now()).await.unwrap().unwrap();
        assert_eq!(owner.id, l.account_id);
        // shown once: the next view lists the name, not the token
        let (_, _, body) = send(&w.app, get("/account", &l.cookie)).await;
        assert!(body.contains("季度报表") && !body.contains(token));

        // someone else's token: 404, even with a valid form
        let other = w.logins[&Role::PartyWorker].clone();
        let (ot, _) = acc::create_api_token(&db.store, &Scope::all(), other.account_id, "别人的", chrono::Utc::now())
            .await
            .unwrap();
        let (status, _, _) =
            post_form(&w, &format!("/account/tokens/{}/revoke", ot.id), &l, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = post_form(&w, "/account/tokens/999999/revoke", &l, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(acc::list_api_tokens(&db.store, other.account_id).await.unwrap()[0].revoked_at.is_none());

        // own token: confirmation required, then revoked and audited
        let uri = format!("/account/tokens/{}/revoke", t.id);
        let (status, _, body) = post_form(&w, &uri, &l, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请勾选确认"), "{body}");
        let (status, h, _) = post_form(&w, &uri, &l, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), "/account?ok=token_revoked");
        assert!(acc::resolve_api_token(&db.store, token, chrono::Utc::now()).await.unwrap().is_none());
        let rec = audit_of(&db.store, "api_token.revoke").await;
        assert_eq!((rec[0].0.as_str(), rec[0].2.clone()), ("u_org_admin", format!("api_token:{}", t.id)));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_factor_enrol_and_switch_off_and_sign_out_elsewhere() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let l = w.logins[&Role::OrgAdmin].clone();
    let (status, _, body) = send(&w.app, get("/account/totp", &l.cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("开始绑定验证器"));
    let (status, _, body) = post_form(&w, "/account/totp", &l, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no action: nothing happens");
    let (status, _, body2) = post_form(&w, "/account/totp", &l, &[("action", "begin")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body2.contains("otpauth://totp/"), "{body2}");
    let enrol = acc::pending_totp_enrolment(&db.store, l.account_id).await.unwrap().unwrap();
    assert!(body2.contains(&enrol.secret_base32));
    // a wrong code: the secret is shown again beside the error
    let (status, _, body) = post_form(&w, "/account/totp", &l, &[("action", "confirm"), ("code", "000000")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("验证码：") && body.contains(&enrol.secret_base32), "{body}");
    let secret = domain::account::base32_decode(&enrol.secret_base32).unwrap();
    let code = domain::account::totp(&secret, chrono::Utc::now().timestamp());
    let (status, _, body) = post_form(&w, "/account/totp", &l, &[("action", "confirm"), ("code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("请保存恢复码"));
    assert_eq!(acc::recovery_codes_left(&db.store, l.account_id).await.unwrap(), 10);
    let (_, _, body) = send(&w.app, get("/account", &l.cookie)).await;
    assert!(body.contains("10 个"), "recovery codes left: {body}");

    // new recovery codes need a confirmation
    let (status, _, _) = post_form(&w, "/account/recovery", &l, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, body) = post_form(&w, "/account/recovery", &l, &[("confirm", "yes")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("请保存恢复码"));

    // switching off: password and confirmation
    let (status, _, body) =
        post_form(&w, "/account/totp", &l, &[("action", "disable"), ("password", "wrong#Pass1"), ("confirm", "yes")])
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("当前密码：当前密码不正确"));
    let (status, h, _) =
        post_form(&w, "/account/totp", &l, &[("action", "disable"), ("password", PASSWORD), ("confirm", "yes")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), "/account?ok=totp_off");
    assert!(!acc::get_account_with_grants(&db.store, l.account_id).await.unwrap().account.has_totp);

    // a role that requires the second factor cannot switch it off
    let sec = w.logins[&Role::SecurityAdmin].clone();
    post_form(&w, "/account/totp", &sec, &[("action", "begin")]).await;
    let e = acc::pending_totp_enrolment(&db.store, sec.account_id).await.unwrap().unwrap();
    let code = domain::account::totp(
        &domain::account::base32_decode(&e.secret_base32).unwrap(),
        chrono::Utc::now().timestamp(),
    );
    post_form(&w, "/account/totp", &sec, &[("action", "confirm"), ("code", &code)]).await;
    let (_, _, body) = send(&w.app, get("/account/totp", &sec.cookie)).await;
    assert!(!body.contains("关闭两步验证</button>"), "no switch-off form for a required second factor");
    let (status, _, body) =
        post_form(&w, "/account/totp", &sec, &[("action", "disable"), ("password", PASSWORD), ("confirm", "yes")])
            .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("您的角色要求两步验证"), "{body}");

    // sign out everywhere else
    let other = session_for(&db.store, l.account_id, &l.username).await;
    let (status, _, _) = post_form(&w, "/account/sessions/end-others", &l, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = post_form(&w, "/account/sessions/end-others", &l, &[("confirm", "yes")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&w.app, get("/", &other.cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the other session is over");
    let (status, _, _) = send(&w.app, get("/", &l.cookie)).await;
    assert_eq!(status, StatusCode::OK, "this one stays");
    assert_eq!(audit_of(&db.store, "session.end_others").await.len(), 1);
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_admin_creates_an_account_and_grants_it() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let sec = w.logins[&Role::SecurityAdmin].clone();

        let (status, _, body) = send(&w.app, get("/admin/accounts", &sec.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("u_org_admin") && body.contains("共 7 个账号"), "{body}");
        let (_, _, body) = send(&w.app, get("/admin/accounts?q=PARTY", &sec.cookie)).await;
        assert!(body.contains("u_party_worker") && !body.contains("u_org_admin"), "{body}");
        let (_, _, body) = send(&w.app, get("/admin/accounts?role=audit_admin", &sec.cookie)).await;
        assert!(body.contains("u_audit_admin") && body.contains("共 1 个账号"), "{body}");

        // validation keeps what was typed
        let (status, _, body) = post_form(
            &w,
            "/admin/accounts/new",
            &sec,
            &[("action", "create"), ("username", "A!"), ("display_name", " "), ("id_number", "123")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("用户名：") && body.contains("姓名：请填写姓名"), "{body}");
        assert!(body.contains("党员身份号码：应为 18 位"), "{body}");
        assert!(body.contains("value=\"A!\"") && body.contains("value=\"123\""));
        // only csrf: nothing written
        let before = acc::list_accounts(&db.store).await.unwrap().len();
        let (status, _, _) = post_form(&w, "/admin/accounts/new", &sec, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(acc::list_accounts(&db.store).await.unwrap().len(), before);

        // the member lookup answers found + a masked name only, and is recorded
        let id2 = domain::idcard::compose("110105", common::d("1950-03-04"), 121);
        let (status, _, body) =
            post_form(&w, "/admin/accounts/new", &sec, &[("action", "lookup"), ("id_number", &id2)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("甲***") && !body.contains("甲二党员"), "{body}");
        assert!(!body.contains("甲社区党支部"), "no organization of the member");
        let rec = audit_of(&db.store, "account.member_lookup").await;
        assert_eq!(rec[0].1, "found");
        assert!(!rec[0].3.contains(&id2), "no ID number in the trail");
        let (_, _, body) =
            post_form(&w, "/admin/accounts/new", &sec, &[("action", "lookup"), ("id_number", common::ID_A)]).await;
        assert!(body.contains("该党员已有账号"), "{body}");

        let (status, _, body) = post_form(
            &w,
            "/admin/accounts/new",
            &sec,
            &[("action", "create"), ("username", "New.User"), ("display_name", "新同志"), ("id_number", &id2)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("账号已创建") && body.contains("只显示这一次"), "{body}");
        let created = acc::find_account(&db.store, "new.user").await.unwrap();
        assert!(created.account.must_change_password);
        assert_eq!(created.account.member_id, Some(w.member_a2));
        let marker = "<p class=\"secret\"><code>";
        let i = body.find(marker).unwrap() + marker.len();
        let password = &body[i..i + body[i..].find('<').unwrap()];
        assert!(matches!(
            acc::verify_login(&db.store, "new.user", password, None, chrono::Utc::now(), &Default::default())
                .await
                .unwrap(),
            acc::LoginOutcome::Ok { .. }
        ));
        let id = created.account.id;
        let uri = format!("/admin/accounts/{id}/grant");

        // choosing the organization by name
        let (status, _, body) =
            send(&w.app, get(&format!("/admin/accounts/{id}?org_q=%E4%B9%99%E5%8E%BF"), &sec.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("中共测试市委 › 中共乙县委"), "{body}");
        assert!(body.contains(&format!("value=\"{}\"", w.county_b)));

        // a business role needs an organization and a confirmation
        let (status, _, body) = post_form(&w, &uri, &sec, &[("role", "org_admin"), ("org_q", "乙县")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("党组织：") && body.contains("确认授权：请勾选确认"), "{body}");
        assert!(body.contains("中共测试市委 › 中共乙县委"), "the search is kept");
        assert!(acc::get_account_with_grants(&db.store, id).await.unwrap().grants.is_empty());

        // the administrator who created the account (and saw its password) may not propose
        let county_b = w.county_b.to_string();
        let (status, _, body) =
            post_form(&w, &uri, &sec, &[("role", "org_admin"), ("org", &county_b), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("该账号是您创建的"), "{body}");
        assert!(acc::requests_of(&db.store, id).await.unwrap().is_empty());

        // a second 安全管理员 proposes: 待确认, no effect until a business officer confirms
        let sec2 = second_security_admin(&db.store).await;
        let county_a = w.county_a.to_string();
        let (status, h, _) =
            post_form(&w, &uri, &sec2, &[("role", "org_admin"), ("org", &county_a), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), format!("/admin/accounts/{id}?ok=proposed"));
        assert!(acc::get_account_with_grants(&db.store, id).await.unwrap().grants.is_empty());
        let (_, _, body) = send(&w.app, get(&format!("/admin/accounts/{id}?ok=proposed"), &sec.cookie)).await;
        assert!(body.contains("待确认") && body.contains("中共甲县委") && body.contains("u_sec2"), "{body}");
        let rec = audit_of(&db.store, "account.grant_propose").await;
        assert_eq!((rec[0].0.as_str(), rec[0].2.clone()), ("u_sec2", format!("account:{id}")));
        let req = acc::requests_of(&db.store, id).await.unwrap()[0].id.to_string();
        let officer = w.logins[&Role::OrgDeptAdmin].clone();
        let (status, h, _) = post_form(
            &w,
            "/admin/grants/pending",
            &officer,
            &[("request", &req), ("decision", "confirm"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), "/admin/grants/pending?ok=confirmed");
        let a = acc::get_account_with_grants(&db.store, id).await.unwrap();
        assert_eq!(a.grants[0].role, Role::OrgAdmin);
        assert_eq!(a.grants[0].org_id, Some(w.county_a));
        let rec = audit_of(&db.store, "account.grant_confirm").await;
        assert_eq!((rec[0].0.as_str(), rec[0].2.clone()), ("u_org_dept_admin", format!("account:{id}")));
        let (_, _, body) = send(&w.app, get(&format!("/admin/accounts/{id}"), &sec.cookie)).await;
        assert!(body.contains("已确认") && body.contains("中共甲县委"), "{body}");

        // 三员分立: refused with the rule's own words, nothing written
        let (status, _, body) = post_form(&w, &uri, &sec, &[("role", "audit_admin"), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("不能授予") && body.contains("不能同时担任业务角色"), "{body}");
        let aud = w.logins[&Role::AuditAdmin].account_id;
        let (status, _, body) = post_form(
            &w,
            &format!("/admin/accounts/{aud}/grant"),
            &sec,
            &[("role", "security_admin"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("安全管理员和审计管理员不能由同一账号兼任"), "{body}");
        assert_eq!(acc::get_account_with_grants(&db.store, aud).await.unwrap().grants.len(), 1);

        // not one's own grants
        let (status, _, body) = post_form(
            &w,
            &format!("/admin/accounts/{}/grant", sec.account_id),
            &sec,
            &[("role", "system_admin"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("不能修改自己账号的授权"), "{body}");

        // revoke, with a confirmation
        let revoke = format!("/admin/accounts/{id}/revoke");
        let (status, _, _) = post_form(&w, &revoke, &sec, &[("role", "org_admin"), ("org", &county_a)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, _) =
            post_form(&w, &revoke, &sec, &[("role", "org_admin"), ("org", &county_a), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(acc::get_account_with_grants(&db.store, id).await.unwrap().grants.is_empty());

        // a reset password is temporary and shown once
        let (status, _, _) = post_form(&w, &format!("/admin/accounts/{id}/reset-password"), &sec, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, body) =
            post_form(&w, &format!("/admin/accounts/{id}/reset-password"), &sec, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("密码已重置"), "{body}");
        assert_eq!(audit_of(&db.store, "account.password_reset").await.len(), 1);

        // a missing account is 404
        let (status, _, _) = send(&w.app, get("/admin/accounts/999999", &sec.cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = post_form(&w, "/admin/accounts/999999/disable", &sec, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_an_account_ends_its_sessions() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let sec = w.logins[&Role::SecurityAdmin].clone();
        let pw = w.logins[&Role::PartyWorker].clone();
        let uri = format!("/admin/accounts/{}/disable", pw.account_id);
        let (status, _, body) = post_form(&w, &uri, &sec, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("停用账号前请勾选"), "{body}");
        let (status, _, _) = send(&w.app, get("/", &pw.cookie)).await;
        assert_eq!(status, StatusCode::OK, "still signed in");

        let (status, h, _) = post_form(&w, &uri, &sec, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), format!("/admin/accounts/{}?ok=disabled", pw.account_id));
        let (status, h, _) = send(&w.app, get("/members", &pw.cookie)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), "/login", "its cookie goes to the login page");
        let (_, _, body) = send(&w.app, get(&format!("/admin/accounts/{}", pw.account_id), &sec.cookie)).await;
        assert!(body.contains("已停用") && body.contains("0 个会话"), "{body}");
        let rec = audit_of(&db.store, "account.disable").await;
        assert_eq!(rec[0].0, "u_security_admin");

        // not oneself
        let (status, _, _) =
            post_form(&w, &format!("/admin/accounts/{}/disable", sec.account_id), &sec, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!acc::get_account_with_grants(&db.store, sec.account_id).await.unwrap().account.is_disabled);

        let (status, _, _) =
            post_form(&w, &format!("/admin/accounts/{}/enable", pw.account_id), &sec, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(!acc::get_account_with_grants(&db.store, pw.account_id).await.unwrap().account.is_disabled);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_viewer_filters_and_exports() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let aud = w.logins[&Role::AuditAdmin].clone();
        let sec = w.logins[&Role::SecurityAdmin].clone();
        let pw = w.logins[&Role::PartyWorker].account_id;
        post_form(&w, &format!("/admin/accounts/{pw}/disable"), &sec, &[("confirm", "yes")]).await;
        // a record whose target would be a formula in a spreadsheet
        store::audit::record_now(
            &db.store,
            &Scope::all(),
            "test.formula",
            "=HYPERLINK(\"x\")",
            "ok",
            serde_json::json!({}),
        )
        .await
        .unwrap();

        let (status, _, body) = send(&w.app, get("/audit", &aud.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("时间（北京时间）"), "times in China time: {body}");
        let disabled = body.find("<span title=\"account.disable\">停用账号</span>").expect("the disabling");
        assert!(body.find("test.formula").unwrap() < disabled, "newest first");

        let (status, _, body) =
            send(&w.app, get("/audit?actor=u_security_admin&action=account.&result=ok", &aud.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("共 1 条"), "{body}");
        assert!(body.contains("停用账号") && body.contains(&format!("account:{pw}")), "{body}");
        assert!(body.contains("停用：</span>否 → 是"), "before and after: {body}");
        assert!(body.contains("安全管理员") && body.contains("unknown"), "role and source address: {body}");

        let (_, _, body) = send(&w.app, get(&format!("/audit?target=account:{pw}"), &aud.cookie)).await;
        assert!(body.contains("开始会话") && !body.contains("test.formula"), "{body}");

        // time filters in China time
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        let (_, _, body) = send(&w.app, get(&format!("/audit?from={today}&to={today}"), &aud.cookie)).await;
        assert!(body.contains("test.formula"));
        let tomorrow = today.succ_opt().unwrap();
        let (_, _, body) = send(&w.app, get(&format!("/audit?from={tomorrow}T00:00"), &aud.cookie)).await;
        assert!(body.contains("共 0 条") && body.contains("没有符合条件的记录"), "{body}");
        let (status, _, body) = send(&w.app, get("/audit?from=yesterday&actor=zz", &aud.cookie)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("起始时间：") && body.contains("value=\"zz\""), "{body}");

        // the export: the filtered records, BOM, guarded cells, itself recorded
        let (status, h, body) = send(&w.app, get("/audit/export?action=test.", &aud.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
        assert!(h[header::CONTENT_DISPOSITION].to_str().unwrap().contains("attachment"));
        assert!(body.starts_with('\u{feff}'), "BOM for Excel");
        assert_eq!(body.lines().count(), 2, "header and the one record: {body}");
        assert!(body.contains("\"'=HYPERLINK(\"\"x\"\")\""), "formula guarded: {body}");
        let rec = audit_of(&db.store, "audit.export").await;
        assert_eq!(rec.len(), 1);
        assert_eq!((rec[0].0.as_str(), rec[0].1.as_str()), ("u_audit_admin", "ok"));
        assert!(rec[0].3.contains("\"records\":1") && rec[0].3.contains("test."), "{}", rec[0].3);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_viewer_speaks_chinese() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let aud = w.logins[&Role::AuditAdmin].clone();
        // a 党组织管理员 of 甲县委 adds a probationary member to 甲社区党支部, then makes them full
        let county = store::org::get(&db.store, &Scope::all(), w.county_a).await.unwrap();
        let scope = Scope::subtrees([county.path.clone()]).acting_as(store::Actor::new("u_org_admin", "党组织管理员"));
        let today = common::d("2026-11-21");
        let mut input = domain::member::MemberInput {
            name: "审计党员".into(),
            id_number: domain::idcard::compose("110105", common::d("1990-03-04"), 201),
            category: Some(domain::member::Category::Probationary),
            join_date: Some(common::d("2026-01-10")),
            ..Default::default()
        };
        let m = store::member::create(&db.store, &scope, w.branch_a, &input, today).await.unwrap();
        input.category = Some(domain::member::Category::Full);
        input.join_date = Some(common::d("2025-01-10"));
        input.full_date = Some(common::d("2026-01-10"));
        store::member::update(&db.store, &scope, m.id, None, &input, today).await.unwrap();
        // a scope whose path names no organization (one that has since moved, say)
        let gone = Scope::subtrees(["99990001".to_string()]).acting_as(store::Actor::new("u_gone", "党务工作者"));
        store::audit::record_now(&db.store, &gone, "member.read_personal", "member:1", "ok", serde_json::json!({}))
            .await
            .unwrap();

        let (status, _, body) = send(&w.app, get("/audit", &aud.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        // actions, targets and fields by their Chinese names, coded values by their labels
        for want in [
            "新增党员",
            "修改党员信息",
            "开始会话",
            &format!("党员（编号 {}）", m.id),
            "姓名：</span>审计党员",
            "人员类别：</span>预备党员",
            "人员类别：</span>预备党员 → 正式党员",
            "党籍状态：</span>正常",
            "性别：</span>男",
            "是否流动党员：</span>否",
            "党组织：</span>甲社区党支部",
            "待完成两步验证：</span>否",
            "范围 中共甲县委",
            "范围 99990001",
        ] {
            assert!(body.contains(want), "{want}: {body}");
        }
        // no developer keys, codes or tree paths
        for raw in ["is_totp_pending", "probationary", "after.", "category", "org_id", "expires_at", &county.path] {
            assert!(!body.contains(raw), "{raw} shown: {body}");
        }
        // times in China time to the second, those in the details too
        let records = store::audit::recent(&db.store, 2000).await.unwrap();
        let created = records.iter().find(|r| r.action == "member.create").unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(&created.at).unwrap().with_timezone(&chrono::Utc);
        let shown = (at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string();
        assert!(body.contains(&format!(">{shown}<")), "{shown}: {body}");
        assert!(!body.contains(&created.at), "the stored time is not shown as stored");
        let session = records.iter().find(|r| r.action == "session.create").unwrap();
        let expires: serde_json::Value = serde_json::from_str(&session.detail).unwrap();
        let expires = expires["expires_at"].as_str().unwrap().to_string();
        let expires_utc = chrono::DateTime::parse_from_rfc3339(&expires).unwrap().with_timezone(&chrono::Utc);
        let expires_shown = (expires_utc + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string();
        assert!(body.contains(&format!("到期时间：</span>{expires_shown}")), "{expires_shown}: {body}");
        assert!(!body.contains(&expires), "{expires} shown as stored");

        // the export keeps the records as stored, for programs and for checking against the chain
        let (status, _, csv) = send(&w.app, get("/audit/export?action=member.create", &aud.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(csv.contains("probationary") && csv.contains(&created.at) && csv.contains("新增党员"), "{csv}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_check_finds_a_tampered_record() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let aud = w.logins[&Role::AuditAdmin].clone();
        let (status, _, body) = send(&w.app, get("/audit/verify", &aud.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("审计链完整"), "{body}");
        let mut tx = db.store.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE audit_log SET actor = $1 WHERE seq = 3", &[store::Val::from("someone")])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (status, _, body) = send(&w.app, get("/audit/verify", &aud.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("审计链已被破坏") && body.contains("第 3 条记录的内容被修改"), "{body}");
        db.finish().await;
    }
}

/// A deleted head and a cut-off tail are named findings on the page, in Chinese, never an error
/// page; the system page shows the key's identifier and the last checkpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_check_names_a_deleted_head_and_a_cut_off_tail() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let aud = w.logins[&Role::AuditAdmin].clone();
        let sys = w.logins[&Role::SystemAdmin].clone();
        let c = store::audit::checkpoint(&db.store).await.unwrap().expect("an intact chain is signed");
        let (_, _, body) = send(&w.app, get("/system", &sys.cookie)).await;
        let id = store::testing::test_key().id();
        assert!(body.contains(&format!("已启用，标识 {id}")) && body.contains(&format!("到第 {} 条", c.seq)), "{body}");
        let mut tx = db.store.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("DELETE FROM audit_log WHERE seq > $1", &[store::Val::from(c.seq - 2)])
            .await
            .unwrap();
        store::testing::raw(tx.x()).execute("DELETE FROM audit_head", &[]).await.unwrap();
        tx.commit().await.unwrap();
        let (status, _, body) = send(&w.app, get("/audit/verify", &aud.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("审计链已被破坏") && body.contains("链头（audit_head）缺失"), "{body}");
        let missing = format!("第 {}–{} 条审计记录缺失（检查点 2 记录到第 {} 条）", c.seq - 1, c.seq, c.seq);
        assert!(body.contains(&missing), "{missing}: {body}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_page_shows_the_system_and_no_business_data() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let sys = w.logins[&Role::SystemAdmin].clone();
        let (status, _, body) = send(&w.app, get("/system", &sys.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        let backend = db.store.backend().name();
        assert!(body.contains(backend) && body.contains(env!("CARGO_PKG_VERSION")), "{body}");
        let latest = db.store.applied_migrations().await.unwrap().last().unwrap().0;
        assert!(body.contains(&format!("{latest:04}")), "schema version {latest}: {body}");
        assert!(body.contains("每 90 天须更换") && body.contains("30 分钟") && body.contains("12 小时"), "{body}");
        for name in ["中共测试市委", "中共甲县委", "甲社区党支部", "甲党员", "乙党员", "市直党员"]
        {
            assert!(!body.contains(name), "{name} on the system page");
        }
        assert!(!body.contains("password="), "no password in the location");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_administrator_stays_on_their_own_pages() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let new = NewAccount {
        username: "target".into(),
        display_name: "目标账号".into(),
        password: PASSWORD.into(),
        ..Default::default()
    };
    let some =
        acc::create_account(&db.store, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap().account.id;
    let detail = format!("/admin/accounts/{some}");
    let pages: [(&str, Role); 7] = [
        ("/admin/accounts", Role::SecurityAdmin),
        ("/admin/accounts/new", Role::SecurityAdmin),
        (&detail, Role::SecurityAdmin),
        ("/audit", Role::AuditAdmin),
        ("/audit/export", Role::AuditAdmin),
        ("/audit/verify", Role::AuditAdmin),
        ("/system", Role::SystemAdmin),
    ];
    for role in Role::ALL {
        let l = &w.logins[role];
        for (page, owner) in &pages {
            let (status, _, body) = send(&w.app, get(page, &l.cookie)).await;
            let want = if role == owner { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(status, want, "{role:?} {page}: {body}");
        }
        // POSTs too, before anything is read or written
        let (status, _, _) = post_form(&w, &format!("{detail}/disable"), l, &[("confirm", "yes")]).await;
        let want = if *role == Role::SecurityAdmin { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN };
        assert_eq!(status, want, "{role:?} disable");
        let (status, _, _) = post_form(&w, "/admin/accounts/new", l, &[("action", "lookup")]).await;
        let want = if *role == Role::SecurityAdmin { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(status, want, "{role:?} new");
        // everyone has their own account page
        let (status, _, _) = send(&w.app, get("/account", &l.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{role:?} /account");
    }
    assert_eq!(audit_of(&db.store, "account.disable").await.len(), 1);
    db.finish().await;
}

/// Enrolling a phone: a QR code drawn on the server, and the same key until it is confirmed —
/// a reload or a mistyped code does not change what the phone was given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolling_a_phone_shows_a_qr_code_and_keeps_the_key_until_confirmed() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = w.logins[&Role::PartyWorker].clone();
        let (_, _, first) = post_form(&w, "/account/totp", &l, &[("action", "begin")]).await;
        assert!(first.contains("<svg") && first.contains("二维码"), "{first}");
        let e1 = acc::pending_totp_enrolment(&db.store, l.account_id).await.unwrap().unwrap();
        // again (a reload of the form's answer, or a second click)
        post_form(&w, "/account/totp", &l, &[("action", "begin")]).await;
        let e2 = acc::pending_totp_enrolment(&db.store, l.account_id).await.unwrap().unwrap();
        assert_eq!(e1.secret_base32, e2.secret_base32, "the pending key stays");
        // a wrong code shows the same key again, with its QR code
        let (status, _, body) = post_form(&w, "/account/totp", &l, &[("action", "confirm"), ("code", "000000")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains(&e1.secret_base32) && body.contains("<svg"), "{body}");
    }
}
