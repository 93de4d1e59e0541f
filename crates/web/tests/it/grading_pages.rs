//! 分类定级 through the pages and the API, on SQLite and PostgreSQL: the cycles list shows the
//! cycles opened over or within the caller's scope (a sibling county's cycle is not shown), to
//! the 组织部 and to a member alike, and the API gives the same page with its total; bad paging
//! is refused naming the field. A cycle's page lists its steps and the entries of the caller's
//! subtree, filtered by grade; a sibling county's cycle is not found.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{api_request, api_token, form, get, post, send, World};
use domain::account::Role;
use domain::grading::{Catalogue, Scheme, StepPreset};
use store::testing::TestDb;
use store::{org, Actor, Scope};

/// A cycle for `year` over `org`'s subtree from the shipped presets (GRADE-05/06 points scheme,
/// GRADE-07 steps), opened as that organization's 组织部.
pub async fn cycle_at(w: &World, org_id: i64, year: i32, title: &str) -> i64 {
    let s = &w.store;
    let path = org::get(s, &Scope::all(), org_id).await.unwrap().path;
    let sc = Scope::subtrees([path]).acting_as(Actor::new("组织部", "组织部管理员"));
    let root = org::visible(s, &sc, org_id).await.unwrap();
    let from = common::d("2024-01-01");
    let scheme = store::grading::create_scheme(s, &sc, &root, "分类定级办法", from, &Scheme::preset("points").unwrap())
        .await
        .unwrap();
    let cat = store::grading::create_catalogue(s, &sc, &root, "评分指标", from, &Catalogue::preset()).await.unwrap();
    store::grading::open_cycle(s, &sc, &root, year, title, scheme.id, cat.id, &StepPreset::Grade07.steps())
        .await
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cycles_list_on_pages_and_api() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let own = cycle_at(&w, w.county_a, 2026, "甲县2026年度基层党组织分类定级").await;
        let sibling = cycle_at(&w, w.county_b, 2026, "乙县2026年度基层党组织分类定级").await;

        for role in [Role::OrgDeptAdmin, Role::Member] {
            let (status, _, body) = send(&w.app, get("/grading", &w.logins[&role].cookie)).await;
            assert_eq!(status, StatusCode::OK, "{role:?}");
            assert!(body.contains("甲县2026年度基层党组织分类定级"), "{role:?} sees its county's cycle");
            assert!(!body.contains("乙县2026年度"), "{role:?} does not see a sibling county's cycle");
            // GRADE-07: the steps of the cycle are listed in order
            assert!(body.contains("支部自评 → 党员群众满意度测评 → 上级评定 → 核准定级"), "{body}");
            assert!(body.contains("未公示"));
        }

        // the cycle's page: its steps and the entries of the caller's subtree; a sibling's is 404
        let admin = &w.logins[&Role::OrgDeptAdmin].cookie;
        let (status, _, body) = send(&w.app, get(&format!("/grading/{own}"), admin)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<li>核准定级</li>"), "{body}");
        let branch = org::get(&w.store, &Scope::all(), w.branch_a).await.unwrap().name;
        assert!(body.contains(&branch), "the entries list {branch}");
        assert!(body.contains("评定中"), "entries not yet computed are being assessed");
        // a grade nobody has yet: the filter leaves nothing
        let (status, _, body) = send(&w.app, get(&format!("/grading/{own}?grade=good"), admin)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains(&branch), "{body}");
        let (status, _, _) = send(&w.app, get(&format!("/grading/{sibling}"), admin)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // finalizing before the grades are computed and published is refused, and says why
        let csrf = w.logins[&Role::OrgDeptAdmin].csrf.clone();
        let (status, _, body) =
            send(&w.app, post(&format!("/grading/{own}/finalize"), admin, &form(&[("csrf", &csrf)]))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("未能定级"));
        // computing grades: back to the cycle with a notice; a sibling's cycle cannot be computed
        let (status, h, _) =
            send(&w.app, post(&format!("/grading/{own}/compute"), admin, &form(&[("csrf", &csrf)]))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(h[axum::http::header::LOCATION], format!("/grading/{own}?ok=computed").as_str());
        let (_, _, body) = send(&w.app, get(&format!("/grading/{own}?ok=computed"), admin)).await;
        assert!(body.contains("已按定级方案计算等次"));
        let (status, _, _) =
            send(&w.app, post(&format!("/grading/{sibling}/compute"), admin, &form(&[("csrf", &csrf)]))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // a member reads the cycle but is offered no actions
        let (_, _, body) = send(&w.app, get(&format!("/grading/{own}"), &w.logins[&Role::Member].cookie)).await;
        assert!(!body.contains("/finalize"), "{body}");

        let token = api_token(&w, Role::OrgDeptAdmin).await;
        let (status, _, body) = send(&w.app, api_request(Method::GET, "/api/v1/grading/cycles", &token, "")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["total"], 1);
        assert_eq!(v["items"][0]["id"], own);
        assert_eq!(v["items"][0]["year"], 2026);
        assert_eq!(v["items"][0]["steps"][3], "核准定级");

        // one cycle with its entries (computed above); a sibling county's is not found
        let (status, _, body) =
            send(&w.app, api_request(Method::GET, &format!("/api/v1/grading/cycles/{own}"), &token, "")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["cycle"]["id"], own);
        assert!(v["total"].as_i64().unwrap() > 0, "{body}");
        assert!(v["entries"].as_array().unwrap().iter().any(|e| e["org_name"] == branch.as_str()), "{body}");
        let (status, _, _) =
            send(&w.app, api_request(Method::GET, &format!("/api/v1/grading/cycles/{sibling}"), &token, "")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, _, body) =
            send(&w.app, api_request(Method::GET, "/api/v1/grading/cycles?per_page=0", &token, "")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("per_page"), "{body}");
    }
}

/// The 党员群众满意度测评 step (GRADE-07): an assessor reads the satisfaction rates of a cycle from a
/// survey's tally; a target answered half satisfied gets 50.0 %, named with the survey as its
/// source, which the GRADE-06 cap then reads; an unknown survey is refused naming the field, and
/// a role without 分类定级评分 is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn satisfaction_is_read_from_a_surveys_tally() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let s = &w.store;
        let cycle = cycle_at(&w, w.county_a, 2026, "甲县2026年度分类定级").await;
        let survey_id = crate::survey::survey_target(&w, w.county_a).await;
        let survey = store::survey::get(s, &Scope::all(), survey_id).await.unwrap();
        let target = store::survey::targets(s, &survey).await.unwrap().into_iter().next().expect("a target");
        // two residents answer for the target: one satisfied on every item, one not
        let q = domain::survey::preset("satisfaction").unwrap().input().validate().unwrap();
        let codes = store::survey::issue_codes(
            s,
            &Scope::all().acting_as(Actor::new("组织部", "组织部管理员")),
            &survey,
            target.org_id,
            2,
        )
        .await
        .unwrap();
        for (code, choice) in codes.iter().zip(["满意", "不满意"]) {
            let mut pairs: Vec<(String, String)> = (1..=4).map(|i| (format!("q{i}"), choice.to_string())).collect();
            pairs.push(("q5".into(), "公开栏".into()));
            let a = q.check_answer(&pairs).expect("a valid answer");
            store::survey::answer_with_code(s, code, &a, common::d("2026-06-01")).await.unwrap();
        }

        let admin = &w.logins[&Role::OrgDeptAdmin].cookie;
        let csrf = w.logins[&Role::OrgDeptAdmin].csrf.clone();
        let sid = survey_id.to_string();
        let (status, h, _) = send(
            &w.app,
            post(&format!("/grading/{cycle}/satisfaction"), admin, &form(&[("csrf", &csrf), ("survey", &sid)])),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let back = h[axum::http::header::LOCATION].to_str().unwrap().to_string();
        let (_, _, body) = send(&w.app, get(&back, admin)).await;
        assert!(body.contains("已从测评《"), "{body}");
        let sc = Scope::all();
        let (_, e) = store::grading::entry_of(s, &sc, cycle, target.org_id).await.unwrap();
        assert_eq!(e.satisfaction_permille, Some(500), "one of two answers satisfied");
        assert!(e.satisfaction_source.starts_with("测评《"), "{}", e.satisfaction_source);

        // no such survey: refused, the field named
        let (status, _, body) = send(
            &w.app,
            post(&format!("/grading/{cycle}/satisfaction"), admin, &form(&[("csrf", &csrf), ("survey", "abc")])),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("测评"), "{body}");
        // a member may not
        let member = &w.logins[&Role::Member];
        let (status, _, _) = send(
            &w.app,
            post(
                &format!("/grading/{cycle}/satisfaction"),
                &member.cookie,
                &form(&[("csrf", &member.csrf), ("survey", &sid)]),
            ),
        )
        .await;
        assert!(matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{status}");
        db.finish().await;
    }
}
