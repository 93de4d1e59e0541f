//! 测评 through the pages, on SQLite and PostgreSQL: the 组织部 issues the preset questionnaire
//! over its subtree (validation naming the item), enters a resident base and prints a batch of
//! codes (QR codes on the sheet, shown once); a resident answers at `/s/{code}` without signing in
//! (inline problems keeping what was typed, the CSRF token of a signed-out form, one answer per
//! code, a closed window answered in words); a member answers once from 我的测评; the tally shows
//! the satisfaction rate and coverage; the public pages are rate-limited per address; the API
//! lists, shows and tallies; a survey outside the caller's scope is not found.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{form, get, post, send, World};
use domain::account::Role;
use domain::survey::{preset, Audience, ValidSurvey};
use store::testing::TestDb;
use store::Scope;

/// A survey issued at `org` with the preset questionnaire, open from 2020 to 2099, to members and
/// residents (a fixture: the window is wider than the form allows).
pub async fn survey_target(w: &World, org: i64) -> i64 {
    let all = Scope::all();
    let org = store::org::visible(&w.store, &all, org).await.unwrap();
    let v = ValidSurvey {
        questionnaire: preset("satisfaction").unwrap().input().validate().unwrap(),
        audience: Audience::Both,
        opens_on: common::d("2020-01-01"),
        closes_on: common::d("2099-12-31"),
        member_permille: 1000,
        resident_permille: 100,
    };
    store::survey::create(&w.store, &all, &org, &v, &[]).await.unwrap().id
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

/// A resident's request: no session, the survey's CSRF cookie when given.
fn public(method: &str, uri: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if method == "POST" {
        b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// The survey CSRF cookie and token a public page handed out.
fn csrf_of(h: &axum::http::HeaderMap, body: &str) -> (String, String) {
    let c = h
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("dj_survey_csrf="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("the form sets its CSRF cookie");
    let token = body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (c, token)
}

const ANSWER: &str = "q1=满意&q2=基本满意&q3=不满意&q4=不了解&q5=公开栏&q7=多为群众办实事";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_print_answer_and_tally() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let admin = Role::OrgDeptAdmin;
        // the form starts from the preset; a bad item is named and what was typed is kept
        let (status, body) = page(&w, admin, &format!("/surveys/new?org={}", w.county_a)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("您对本党组织班子整体工作的评价"), "the preset fills the form");
        let items = "评价|班子|满意、不满意|满意率\n单选|方式|甲、乙";
        let org = w.county_a.to_string();
        let bad = [
            ("org", org.as_str()),
            ("title", "甲县满意度测评"),
            ("items", items),
            ("audience", "both"),
            ("opens_on", "2020-01-01"),
            ("closes_on", "2020-12-31"),
        ];
        let (status, _, body) = submit(&w, admin, "/surveys/new", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("第1题：计入满意率的评价题须至少有一个计为满意"), "{body}");
        assert!(body.contains("甲县满意度测评"), "the title typed is kept");
        // issued for a window that has passed: the public page says 已结束
        let items = "评价|班子|满意+、不满意、不了解~|满意率\n文字|建议|100|选答";
        let ok = [
            ("org", org.as_str()),
            ("title", "甲县满意度测评"),
            ("items", items),
            ("audience", "both"),
            ("opens_on", "2020-01-01"),
            ("closes_on", "2020-12-31"),
        ];
        let (status, loc, _) = submit(&w, admin, "/surveys/new", &ok).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
        let past: i64 = loc.trim_start_matches("/surveys/").split('?').next().unwrap().parse().unwrap();
        let (_, _, sheet) =
            submit(&w, admin, &format!("/surveys/{past}/codes"), &[("org", &w.town_a.to_string()), ("count", "1")])
                .await;
        let code = sheet.split("/s/").nth(1).unwrap().split(['<', '"', ' ']).next().unwrap().to_string();
        let (status, _, body) = send(&w.app, public("GET", &format!("/s/{code}"), None, "")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("本次测评已结束"), "{body}");

        // the open fixture survey over county A: town A (甲镇, a 社区 committee) is its target
        let id = survey_target(&w, w.county_a).await;
        let (status, _, sheet) =
            submit(&w, admin, &format!("/surveys/{id}/codes"), &[("org", &w.town_a.to_string()), ("count", "3")]).await;
        assert_eq!(status, StatusCode::OK, "{sheet}");
        assert_eq!(sheet.matches("<svg").count(), 3, "a QR code for each code");
        let codes: Vec<String> = sheet
            .split("/s/")
            .skip(1)
            .map(|x| x.split(['<', '"', ' ', '\n']).next().unwrap().to_string())
            .filter(|c| c.len() == 12)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(codes.len(), 3, "{codes:?}");
        // only a keyed hash is kept: no code appears in the database
        for c in &codes {
            assert!(store::survey::by_code(&w.store, c).await.unwrap().is_some());
        }
        let (status, _, body) =
            submit(&w, admin, &format!("/surveys/{id}/codes"), &[("org", &w.county_b.to_string()), ("count", "3")])
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("参评组织"));

        // a resident answers without signing in; a missing answer comes back beside its item
        let (status, h, body) = send(&w.app, public("GET", &format!("/s/{}", codes[0]), None, "")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("本问卷不收集您的姓名、电话等个人信息"));
        let (cookie, token) = csrf_of(&h, &body);
        let (status, _, _) =
            send(&w.app, public("POST", &format!("/s/{}", codes[0]), None, &format!("csrf={token}&{}", enc(ANSWER))))
                .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "no cookie: the page is refused as expired");
        let partial = enc("q1=满意&q7=我的建议");
        let (status, _, body) = send(
            &w.app,
            public("POST", &format!("/s/{}", codes[0]), Some(&cookie), &format!("csrf={token}&{partial}")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("第2题：请选择") && body.contains("我的建议"), "inline and kept");
        assert!(body.contains("value=\"满意\" checked"));
        let (status, _, body) = send(
            &w.app,
            public("POST", &format!("/s/{}", codes[0]), Some(&cookie), &format!("csrf={token}&{}", enc(ANSWER))),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("答卷已提交"));
        // the second use of the code is refused in words
        let (status, _, body) = send(&w.app, public("GET", &format!("/s/{}", codes[0]), None, "")).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("该答题码已经使用过"));
        // a typed code with dashes and small letters leads to the same page
        let typed = domain::survey::show_code(&codes[1]).to_lowercase();
        let (status, h, _) = send(&w.app, public("GET", &format!("/s?code={typed}"), None, "")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(h.get(header::LOCATION).unwrap(), &format!("/s/{}", codes[1]));

        // a member of 甲社区党支部 answers once from 我的测评, attributed to 甲镇
        let (_, home) = page(&w, Role::Member, "/").await;
        assert!(home.contains("待办：测评") && home.contains(&format!("/surveys/{id}/answer")), "the 工作台's to-do");
        let (status, body) = page(&w, Role::Member, "/surveys/mine").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(&format!("/surveys/{id}/answer")), "{body}");
        let (status, body) = page(&w, Role::Member, &format!("/surveys/{id}/answer")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("您的答卷计入：中共甲镇委员会"));
        let pairs = [("q1", "满意"), ("q2", "满意"), ("q3", "满意"), ("q4", "不满意"), ("q5", "公开栏")];
        let (status, loc, _) = submit(&w, Role::Member, &format!("/surveys/{id}/answer"), &pairs).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
        let (status, _, body) = submit(&w, Role::Member, &format!("/surveys/{id}/answer"), &pairs).await;
        assert_eq!(status, StatusCode::CONFLICT, "the page says it was answered");
        assert!(body.contains("您已参加过本次测评"));

        // the tally by hand: the resident 2 of 3 counted (不了解 left out), the member 3 of 4:
        // 5 of 7 = 71.4 %; members of 甲镇 on the day: 2, one answered: 50 %; no resident base
        let (status, body) = page(&w, admin, &format!("/surveys/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("71.4%"), "{body}");
        assert!(body.contains("1 / 2") && body.contains("50%"));
        assert!(body.contains("未录入群众基数"));
        // a resident base of 10 households: 1 answered = 10 %, members 50 % < 100 %: 未达标
        let (status, loc, _) =
            submit(&w, admin, &format!("/surveys/{id}/bases"), &[("bases", "中共甲镇委员会|10|户")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
        let (_, body) = page(&w, admin, &format!("/surveys/{id}")).await;
        assert!(body.contains("未达标") && body.contains("10%"));
        let (status, _, body) =
            submit(&w, admin, &format!("/surveys/{id}/bases"), &[("bases", "乙社区党支部|10|户")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("不是本测评的参评组织"));
        // free text readable by 管理测评问卷
        let (status, body) = page(&w, admin, &format!("/surveys/{id}/texts")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("多为群众办实事"));

        // the API: list, show, tally (the same numbers)
        let token = api_token(&w, admin).await;
        let (status, body) = api(&w, &token, &format!("/api/v1/surveys?org={}", w.county_a)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("\"total\":2"));
        let (status, body) = api(&w, &token, &format!("/api/v1/surveys/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("satisfied_choices") && body.contains("基本满意"), "{body}");
        let (status, body) = api(&w, &token, &format!("/api/v1/surveys/{id}/tally?org={}", w.town_a)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("\"rate_permille\":714") && body.contains("\"meets_coverage\":false"), "{body}");

        // out of scope: county A's 组织部 does not see county B's survey (404, never 403)
        let other = survey_target(&w, w.county_b).await;
        assert_eq!(page(&w, admin, &format!("/surveys/{other}")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(api(&w, &token, &format!("/api/v1/surveys/{other}/tally")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(page(&w, Role::Member, &format!("/surveys/{other}/answer")).await.0, StatusCode::NOT_FOUND);
        let report = store::audit::verify(&w.store).await.unwrap();
        assert!(report.ok());
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_pages_are_rate_limited_per_address() {
    let db = TestDb::sqlite().await;
    let w = common::world(&db.store).await;
    // made-up codes from one address: the strict limit for codes that do not exist
    let mut last = StatusCode::OK;
    for i in 0..25 {
        let code = format!("ABCDEFGHJK{:02}", 22 + i);
        let (status, _, _) = send(&w.app, public("GET", &format!("/s/{code}"), None, "")).await;
        last = status;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(i >= 20, "refused after {i}");
            break;
        }
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, body) = send(&w.app, public("GET", "/s", None, "")).await;
    assert_eq!(status, StatusCode::OK, "the general limit is not reached: {body}");
    db.finish().await;
}

fn enc(pairs: &str) -> String {
    pairs
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            form(&[(k, v)])
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn api_token(w: &World, role: Role) -> String {
    let (_, secret) = store::account::create_api_token(
        &w.store,
        &Scope::all(),
        w.logins[&role].account_id,
        "测评",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    secret
}

async fn api(w: &World, token: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::get(uri).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
    let (status, _, body) = send(&w.app, req).await;
    (status, body)
}
