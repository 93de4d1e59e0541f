//! 软弱涣散 through the pages and the API, on SQLite and PostgreSQL: the 组织部 enters a suspected
//! organization ticking criteria with their facts (a tick without facts is refused, naming the
//! field, and what was typed is kept), confirms it with the decision's reference, the branch's
//! worker drafts the plan and reports items done, the 组织部 accepts them and 销号 follows only
//! when every item is accepted; a worker cannot decide; out of scope is 404; the list filters by
//! state; the proposals page proposes from data; the API reads and moves a record.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{form, get, post, send, World};
use domain::account::Role;
use domain::weak_and_lax::{Origin, TickInput};
use store::testing::TestDb;
use store::Scope;

/// A suspected identification of `org`, ticking WEAK-01 item 4 (for the access matrix and the
/// API sweep).
pub async fn weak_target(w: &World, org: i64) -> i64 {
    let all = Scope::all();
    let o = store::org::visible(&w.store, &all, org).await.unwrap();
    let today = chrono::Utc::now().date_naive();
    let in_force = store::weak_and_lax::criteria_in_force(&w.store, &o, today).await.unwrap();
    let ticks = domain::weak_and_lax::check_ticks(
        &[TickInput { code: "N04".into(), evidence: "半年无组织生活记录".into() }],
        &in_force,
    )
    .unwrap();
    store::weak_and_lax::create(&w.store, &all, &o, Origin::Manual, "矩阵排查", &ticks, today).await.unwrap().id
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_identification_to_closure_through_the_pages() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        let branch = w.branch_a.to_string();

        // the menu leads to the list
        let (s, body) = page(&w, dept, &format!("/weak-and-lax?org={}", w.county_a)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("软弱涣散党组织整顿") && body.contains("排查登记"));
        let (s, body) = page(&w, dept, &format!("/weak-and-lax/new?org={}", w.town_a)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("组织制度形同虚设、不开展组织活动"), "the national criteria (WEAK-01)");

        // a tick without its facts is refused, naming the field, keeping what was typed
        let (s, _, body) = submit(
            &w,
            dept,
            "/weak-and-lax/new",
            &[("org", &branch), ("tick", "N04"), ("ev_N04", ""), ("reason", "乡镇复核属实")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("事实依据") && body.contains("乡镇复核属实"));
        let (s, loc, _) = submit(
            &w,
            dept,
            "/weak-and-lax/new",
            &[("org", &branch), ("tick", "N04"), ("ev_N04", "全年仅一次党员大会"), ("reason", "乡镇复核属实")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
        let id: i64 = loc.trim_start_matches("/weak-and-lax/").split('?').next().unwrap().parse().unwrap();
        let rec = format!("/weak-and-lax/{id}");

        // confirming needs the decision's reference; a worker may not decide (403)
        let (s, _, body) = submit(&w, dept, &format!("{rec}/transition"), &[("action", "confirm")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("认定依据"));
        let (s, _, _) = submit(&w, worker, &format!("{rec}/transition"), &[("action", "confirm")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = submit(
            &w,
            dept,
            &format!("{rec}/transition"),
            &[("action", "confirm"), ("decision_ref", "县委常委会〔2026〕5号")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // the branch's worker drafts the plan: a past deadline is refused and the form kept
        let (s, _, body) = submit(
            &w,
            worker,
            &format!("{rec}/plan"),
            &[
                ("problem", "组织生活不经常"),
                ("measure", "每月主题党日"),
                ("owner", "支部书记"),
                ("deadline", "2020-01-01"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("完成时限") && body.contains("每月主题党日"));
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string();
        for p in ["组织生活不经常", "党员教育薄弱"] {
            let (s, _, _) = submit(
                &w,
                worker,
                &format!("{rec}/plan"),
                &[("problem", p), ("measure", "按月落实"), ("owner", "支部书记"), ("deadline", &due)],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER);
        }
        let (s, _, _) = submit(&w, dept, &format!("{rec}/transition"), &[("action", "start")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let r = store::weak_and_lax::get(&w.store, &Scope::all(), id).await.unwrap();
        let items = store::weak_and_lax::items(&w.store, &r).await.unwrap();
        assert_eq!(items.len(), 2);
        for i in &items {
            let (s, _, _) = submit(
                &w,
                worker,
                &format!("{rec}/items/report"),
                &[("item", &i.id.to_string()), ("evidence", "已落实")],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER);
        }
        // a return needs a reason; one accepted, one returned: 销号 refused (409), naming the plan
        let (a, b) = (items[0].id.to_string(), items[1].id.to_string());
        let (s, _, body) =
            submit(&w, dept, &format!("{rec}/items/decide"), &[("item", &b), ("decision", "return")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("退回理由"));
        submit(&w, dept, &format!("{rec}/items/decide"), &[("item", &a), ("decision", "accept")]).await;
        submit(
            &w,
            dept,
            &format!("{rec}/items/decide"),
            &[("item", &b), ("decision", "return"), ("reason", "缺少记录")],
        )
        .await;
        let (s, _, body) = submit(&w, dept, &format!("{rec}/transition"), &[("action", "accept")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("整改事项须全部验收通过后方可销号"), "{body}");
        submit(&w, worker, &format!("{rec}/items/report"), &[("item", &b), ("evidence", "补充会议记录")]).await;
        submit(&w, dept, &format!("{rec}/items/decide"), &[("item", &b), ("decision", "accept")]).await;
        let (s, _, _) = submit(&w, dept, &format!("{rec}/transition"), &[("action", "accept")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, body) = page(&w, dept, &rec).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("已验收销号") && body.contains("县委常委会〔2026〕5号") && body.contains("转入跟踪问效"));
        let (_, body) = page(&w, dept, &format!("/weak-and-lax?org={}&state=accepted", w.county_a)).await;
        assert!(body.contains(&format!("/weak-and-lax/{id}")));
        let (_, body) = page(&w, dept, &format!("/weak-and-lax?org={}&state=rectifying", w.county_a)).await;
        assert!(!body.contains(&format!("/weak-and-lax/{id}\"")));
        let (s, _) = page(&w, dept, &format!("/weak-and-lax?org={}&state=nonsense", w.county_a)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        // out of scope: another county's record is 404, page and API alike
        let other = weak_target(&w, w.branch_b).await;
        let (s, _) = page(&w, dept, &format!("/weak-and-lax/{other}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, _) = submit(&w, dept, &format!("/weak-and-lax/{other}/transition"), &[("action", "dismiss")]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // the proposals page and the findings page answer, and a proposal run reports its counts
        let (s, loc, _) = submit(&w, dept, &format!("/weak-and-lax/proposals?org={}", w.county_a), &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, body) = page(&w, dept, &loc).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("已检查"), "{body}");
        let (s, loc, _) = submit(&w, dept, &format!("/weak-and-lax/findings?org={}", w.county_a), &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(page(&w, dept, &loc).await.0, StatusCode::OK);
        let (s, body) = page(&w, dept, &format!("/weak-and-lax/criteria?org={}", w.county_a)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("N10"));
        assert!(store::audit::verify(&w.store).await.unwrap().ok());
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_reads_and_moves_a_record() {
    let db = TestDb::sqlite().await;
    let w = common::world(&db.store).await;
    let all = Scope::all();
    let dept = w.logins[&Role::OrgDeptAdmin].account_id;
    let (_, secret) = store::account::create_api_token(&w.store, &all, dept, "接口", chrono::Utc::now()).await.unwrap();
    let id = weak_target(&w, w.branch_a).await;
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
    let (s, v) = call(Method::GET, &format!("/api/v1/weak-and-lax?org={}", w.county_a), "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 1);
    let (s, v) = call(Method::GET, &format!("/api/v1/weak-and-lax/{id}"), "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["criteria"][0]["code"], "N04");
    let (s, v) = call(Method::POST, &format!("/api/v1/weak-and-lax/{id}/transition"), r#"{"action":"confirm"}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v.to_string().contains("认定依据"));
    let (s, v) = call(
        Method::POST,
        &format!("/api/v1/weak-and-lax/{id}/transition"),
        r#"{"action":"confirm","decision_ref":"县委常委会〔2026〕5号"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["record"]["state"], "confirmed");
    let (s, v) = call(Method::POST, &format!("/api/v1/weak-and-lax/{id}/transition"), r#"{"action":"accept"}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    db.finish().await;
}
