//! Separation of duties through the pages: no single administrator can give himself business
//! data. A 安全管理员 creates an account (and sees its initial password) but may not propose its
//! business roles; a second 安全管理员 proposes; the grant counts for nothing until a business
//! officer whose scope covers the organization confirms it; no officer decides on their own
//! account; revoking is immediate. On SQLite and PostgreSQL.

use crate::common;

use axum::http::{header, HeaderMap, StatusCode};
use common::{form, get, post, send, session_for, world, Login, World, ID_A, PASSWORD};
use domain::account::{PasswordPolicy, Role};
use store::account::{self as acc, NewAccount};
use store::testing::TestDb;
use store::{Scope, Store};

fn location(h: &HeaderMap) -> String {
    h.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

async fn post_form(w: &World, uri: &str, l: &Login, pairs: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
    let mut all = vec![("csrf", l.csrf.as_str())];
    all.extend_from_slice(pairs);
    send(&w.app, post(uri, &l.cookie, &form(&all))).await
}

/// An account made at the command line (so its grants are in effect at once), signed in.
async fn bootstrapped(store: &Store, name: &str, grants: Vec<(Role, Option<i64>)>) -> Login {
    let new = NewAccount {
        username: name.into(),
        display_name: name.into(),
        password: PASSWORD.into(),
        grants,
        ..Default::default()
    };
    let a = acc::create_account(store, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap();
    session_for(store, a.account.id, name).await
}

/// What the account sees of the member with ID number `ID_A`, asking for it unmasked.
async fn reads_id_number(w: &World, l: &Login) -> bool {
    let (status, _, body) = send(&w.app, get(&format!("/members/{}?unmask=1", w.member_a), &l.cookie)).await;
    let shown = body.contains(ID_A);
    assert_eq!(shown, status == StatusCode::OK, "{status} {body}");
    if !shown {
        assert!(matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{status}");
    }
    shown
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_single_administrator_gives_himself_business_data() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let sec = w.logins[&Role::SecurityAdmin].clone();

        // the 安全管理员 creates an account and is shown its initial password
        let (status, _, body) = post_form(
            &w,
            "/admin/accounts/new",
            &sec,
            &[("action", "create"), ("username", "mole"), ("display_name", "内线")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("另一名安全管理员"), "the next step names the second person: {body}");
        let marker = "<p class=\"secret\"><code>";
        let i = body.find(marker).unwrap() + marker.len();
        let initial = body[i..i + body[i..].find('<').unwrap()].to_string();
        let mole = acc::find_account(&db.store, "mole").await.unwrap().account.id;
        let grant_uri = format!("/admin/accounts/{mole}/grant");
        let city = w.city.to_string();

        // … and grants it 组织部管理员 on the city: refused, he created it
        let (status, _, body) =
            post_form(&w, &grant_uri, &sec, &[("role", "org_dept_admin"), ("org", &city), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("该账号是您创建的"), "{body}");
        assert!(acc::get_account_with_grants(&db.store, mole).await.unwrap().grants.is_empty());
        assert!(acc::requests_of(&db.store, mole).await.unwrap().is_empty());

        // he signs in as it (changing the initial password as required): no business data
        acc::change_password(&db.store, &Scope::none(), mole, &initial, "Inside#2027pw", &PasswordPolicy::default())
            .await
            .unwrap();
        let mole_login = session_for(&db.store, mole, "mole").await;
        assert!(!reads_id_number(&w, &mole_login).await);
        let (status, _, _) = send(&w.app, get("/members", &mole_login.cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // a second 安全管理员 proposes it: pending, still nothing
        let sec2 = bootstrapped(&db.store, "sec2", vec![(Role::SecurityAdmin, None)]).await;
        let (status, h, body) =
            post_form(&w, &grant_uri, &sec2, &[("role", "org_dept_admin"), ("org", &city), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(location(&h), format!("/admin/accounts/{mole}?ok=proposed"));
        let (_, _, body) = send(&w.app, get(&format!("/admin/accounts/{mole}?ok=proposed"), &sec2.cookie)).await;
        assert!(body.contains("待确认") && body.contains("中共测试市委"), "{body}");
        assert!(!reads_id_number(&w, &mole_login).await, "a pending grant has no effect");
        let (_, _, body) = send(&w.app, get("/admin/accounts?q=mole", &sec.cookie)).await;
        assert!(body.contains("无") && body.contains("1 项待确认"), "the list tells it: {body}");
        let req = acc::requests_of(&db.store, mole).await.unwrap()[0].id.to_string();
        let confirm = [("request", req.as_str()), ("decision", "confirm"), ("confirm", "yes")];

        // an administrator cannot confirm it, whichever
        for admin in [&sec, &sec2] {
            let (status, _, _) = send(&w.app, get("/admin/grants/pending", &admin.cookie)).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, _, _) = post_form(&w, "/admin/grants/pending", admin, &confirm).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        // nor an officer whose scope does not cover the city (not listed, and not found)
        let county_officer = w.logins[&Role::OrgDeptAdmin].clone();
        let (status, _, body) = send(&w.app, get("/admin/grants/pending", &county_officer.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains("mole") && body.contains("没有待确认的授权申请"), "{body}");
        let (status, _, _) = post_form(&w, "/admin/grants/pending", &county_officer, &confirm).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!reads_id_number(&w, &mole_login).await);

        // the city's officer sees it in the menu and on the page, and confirms: in effect
        let officer = bootstrapped(&db.store, "city.officer", vec![(Role::OrgDeptAdmin, Some(w.city))]).await;
        let (_, _, home) = send(&w.app, get("/", &officer.cookie)).await;
        assert!(home.contains("/admin/grants/pending") && home.contains("授权确认"), "the menu links it");
        let (status, _, body) = send(&w.app, get("/admin/grants/pending", &officer.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("mole") && body.contains("组织部管理员") && body.contains("sec2"), "{body}");
        let (status, _, body) =
            post_form(&w, "/admin/grants/pending", &officer, &[("request", req.as_str()), ("decision", "confirm")])
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("确认：确认授权前请勾选"), "{body}");
        assert!(!reads_id_number(&w, &mole_login).await);
        let (status, h, _) = post_form(&w, "/admin/grants/pending", &officer, &confirm).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), "/admin/grants/pending?ok=confirmed");
        assert!(reads_id_number(&w, &mole_login).await, "confirmed by a business officer: in effect");
        let (status, _, _) = post_form(&w, "/admin/grants/pending", &officer, &confirm).await;
        assert_eq!(status, StatusCode::CONFLICT, "decided once");

        // an officer never confirms a grant to their own account
        let officer_uri = format!("/admin/accounts/{}/grant", officer.account_id);
        let branch = w.branch_a.to_string();
        let (status, _, _) =
            post_form(&w, &officer_uri, &sec2, &[("role", "party_worker"), ("org", &branch), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let own = acc::requests_of(&db.store, officer.account_id).await.unwrap()[0].id.to_string();
        let (_, _, body) = send(&w.app, get("/admin/grants/pending", &officer.cookie)).await;
        assert!(!body.contains(&format!("name=\"request\" value=\"{own}\"")), "own requests are not listed");
        let (status, _, body) = post_form(
            &w,
            "/admin/grants/pending",
            &officer,
            &[("request", own.as_str()), ("decision", "confirm"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("不能确认或退回给自己账号的授权"), "{body}");
        // someone else decides it: rejected, with a reason
        let (status, _, body) = post_form(
            &w,
            "/admin/grants/pending",
            &county_officer,
            &[("request", own.as_str()), ("decision", "reject"), ("reason", " ")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("退回理由：请写明退回的理由"), "{body}");
        let (status, _, _) = post_form(
            &w,
            "/admin/grants/pending",
            &county_officer,
            &[("request", own.as_str()), ("decision", "reject"), ("reason", "已是组织部管理员，无需此授权")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, body) = send(&w.app, get(&format!("/admin/accounts/{}", officer.account_id), &sec.cookie)).await;
        assert!(body.contains("已退回") && body.contains("已是组织部管理员，无需此授权"), "{body}");

        // a password reset shows the administrator the new password: the business grants wait for
        // an officer again
        let county_id = county_officer.account_id;
        let (status, _, body) =
            post_form(&w, &format!("/admin/accounts/{county_id}/reset-password"), &sec, &[("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("只显示这一次") && body.contains("业务授权已转为“待确认”"), "{body}");
        assert!(acc::get_account_with_grants(&db.store, county_id).await.unwrap().grants.is_empty());
        let taken_over = session_for(&db.store, county_id, "u_org_dept_admin").await;
        acc::set_password(&db.store, &Scope::none(), county_id, "Taken#2027over", &PasswordPolicy::default())
            .await
            .unwrap();
        let taken_over = session_for(&db.store, taken_over.account_id, "u_org_dept_admin").await;
        assert!(!reads_id_number(&w, &taken_over).await, "the reset account sees nothing until confirmed");
        let back = acc::requests_of(&db.store, county_id).await.unwrap();
        assert_eq!((back[0].role, back[0].proposed_by_name.as_str()), (Role::OrgDeptAdmin, "u_security_admin"));
        let back = back[0].id.to_string();
        let (status, _, _) = post_form(
            &w,
            "/admin/grants/pending",
            &officer,
            &[("request", back.as_str()), ("decision", "confirm"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(reads_id_number(&w, &taken_over).await, "confirmed again by the officer above");

        // revoking takes one administrator and is immediate
        let (status, _, _) = post_form(
            &w,
            &format!("/admin/accounts/{mole}/revoke"),
            &sec,
            &[("role", "org_dept_admin"), ("org", &city), ("confirm", "yes")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(!reads_id_number(&w, &mole_login).await, "revoked: at once");

        // every step recorded as the person who took it, and the chain holds
        let trail: Vec<(String, String)> =
            store::audit::recent(&db.store, 5000).await.unwrap().into_iter().map(|r| (r.action, r.actor)).collect();
        for (action, actor) in [
            ("account.create", "u_security_admin"),
            ("account.grant_propose", "sec2"),
            ("account.grant_confirm", "city.officer"),
            ("account.grant_reject", "u_org_dept_admin"),
            ("account.revoke", "u_security_admin"),
        ] {
            assert!(trail.iter().any(|(a, b)| a == action && b == actor), "{action} by {actor}: {trail:?}");
        }
        assert!(store::audit::verify(&db.store).await.unwrap().ok());
        db.finish().await;
    }
}
