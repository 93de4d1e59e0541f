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
        assert!(body.contains("<li>核准定级（组织部）</li>"), "each step with who acts: {body}");
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

/// Does the page's form hold `value` in its field `name` (as `fields_partial.html` draws it)?
fn has_value(body: &str, name: &str, value: &str) -> bool {
    body.split("<input ")
        .any(|tag| tag.contains(&format!("name=\"{name}\"")) && tag.contains(&format!("value=\"{value}\"")))
}

/// 开展分类定级 (GRADE-07): the form refuses a missing organization and a bad year naming each
/// field in Chinese and keeps what was typed; opened from the presets it makes the scheme and the
/// catalogue of that year and lists the county's grassroots organizations as entries. A member
/// may not open a cycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_is_opened_from_the_form() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let l = &w.logins[&Role::OrgDeptAdmin];
        let (status, _, body) = send(&w.app, get("/grading/new", &l.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("新建：百分制四档") && body.contains("支部自评、满意度测评"), "{body}");

        let county = w.county_a.to_string();
        let bad = [
            ("csrf", l.csrf.as_str()),
            ("org", ""),
            ("year", "二〇二六"),
            ("title", "甲县定级"),
            ("scheme", "preset:points"),
            ("catalogue", "preset"),
            ("steps", "grade07"),
        ];
        let (status, _, body) = send(&w.app, post("/grading/new", &l.cookie, &form(&bad))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请选择开展定级的党组织"), "{body}");
        assert!(body.contains("年度：请填写 2000 至 2100 的年度"), "{body}");
        assert!(has_value(&body, "title", "甲县定级") && has_value(&body, "year", "二〇二六"), "typed kept");
        // nothing was made from the presets while the form was refused
        assert!(service::grading::schemes(&w.store, &service::Ctx::operator(store::Actor::system()))
            .await
            .unwrap()
            .is_empty());

        let good = [
            ("csrf", l.csrf.as_str()),
            ("org", county.as_str()),
            ("year", "2026"),
            ("title", "甲县2026年度分类定级"),
            ("scheme", "preset:points"),
            ("catalogue", "preset"),
            ("steps", "grade07"),
        ];
        let (status, h, _) = send(&w.app, post("/grading/new", &l.cookie, &form(&good))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let to = h[axum::http::header::LOCATION].to_str().unwrap().to_string();
        assert!(to.ends_with("?ok=opened"), "{to}");
        let (_, _, body) = send(&w.app, get(&to, &l.cookie)).await;
        assert!(
            body.contains("已开展分类定级") && body.contains("甲社区党支部") && body.contains("中共甲镇委员会"),
            "{body}"
        );
        // the same year again: refused, the form kept, pointing at the scheme just made
        let again = [
            ("csrf", l.csrf.as_str()),
            ("org", county.as_str()),
            ("year", "2026"),
            ("title", "甲县2026年度分类定级"),
            ("scheme", "preset:points"),
            ("catalogue", "preset"),
            ("steps", "grade07"),
        ];
        let (status, _, body) = send(&w.app, post("/grading/new", &l.cookie, &form(&again))).await;
        assert!(status.is_client_error(), "{status} {body}");

        let m = &w.logins[&Role::Member];
        let (status, _, _) = send(&w.app, get("/grading/new", &m.cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

async fn shift_publicity(w: &World, cycle: i64) {
    let mut tx = w.store.begin().await.unwrap();
    store::testing::raw(tx.x())
        .execute(
            "UPDATE grade_cycle SET publicity_on = $1, publicity_end_on = $2 WHERE id = $3",
            &[
                store::Val::from(common::d("2026-01-01")),
                store::Val::from(common::d("2026-01-05")),
                store::Val::from(cycle),
            ],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// An organization graded through its sheet (GRADE-05/06/07): a bad score is refused naming the
/// item and keeps what was typed; a stale save is refused whole (409) and the form keeps the
/// typed values; returning a step needs a reason; the grade is computed and published; a member
/// objects during publicity; finalizing waits for the answer; a final grade changes only by a
/// recorded review. The API gives the same sheet, and a score sent without its version is 422.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_is_graded_through_its_sheet() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let s = &w.store;
        let cycle = cycle_at(&w, w.county_a, 2026, "甲县2026年度分类定级").await;
        let (_, e) = store::grading::entry_of(s, &Scope::all(), cycle, w.branch_a).await.unwrap();
        let sheet = format!("/grading/entries/{}", e.id);
        let a = &w.logins[&Role::OrgDeptAdmin];
        let (status, _, body) = send(&w.app, get(&sheet, &a.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("党组织带头人") && body.contains("保存评分") && body.contains("支部自评"), "{body}");

        // too many points: refused naming the item, typed values kept
        let score = |leader: &str, results: &str, v: &str| {
            form(&[
                ("csrf", a.csrf.as_str()),
                ("kind", "superior"),
                ("v_leader", v),
                ("p_leader", leader),
                ("n_leader", "书记履职好"),
                ("v_results", v),
                ("p_results", results),
                ("n_results", ""),
            ])
        };
        let (status, _, body) = send(&w.app, post(&format!("{sheet}/score"), &a.cookie, &score("16", "20", "0"))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("“党组织带头人”分数须在 0 至 15 之间"), "{body}");
        assert!(body.contains("name=\"p_leader\" value=\"16\"") && body.contains("value=\"书记履职好\""), "typed kept");
        let (status, _, _) = send(&w.app, post(&format!("{sheet}/score"), &a.cookie, &score("14", "20", "0"))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, body) = send(&w.app, get(&format!("{sheet}?ok=scored"), &a.cookie)).await;
        assert!(body.contains("已保存评分") && body.contains("name=\"p_leader\" value=\"14\""), "{body}");
        // a save on the version read before: stale, refused whole, typed kept
        let (status, _, body) = send(&w.app, post(&format!("{sheet}/score"), &a.cookie, &score("13", "21", "0"))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("name=\"p_results\" value=\"21\""), "typed kept after a stale save");
        let scores = store::grading::scores(s, &e).await.unwrap();
        assert!(scores.iter().any(|x| x.item == "leader" && x.points_milli == 14_000), "the stale save wrote nothing");

        // steps: returning needs a reason; moving on works with the version read
        let (_, e1) = store::grading::entry_of(s, &Scope::all(), cycle, w.branch_a).await.unwrap();
        let v = e1.version.to_string();
        let (status, _, body) = send(
            &w.app,
            post(
                &format!("{sheet}/step"),
                &a.cookie,
                &form(&[("csrf", &a.csrf), ("version", &v), ("action", "forward")]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, e2) = store::grading::entry_of(s, &Scope::all(), cycle, w.branch_a).await.unwrap();
        assert_eq!(e2.step, 1);
        let v = e2.version.to_string();
        let (status, _, body) = send(
            &w.app,
            post(
                &format!("{sheet}/step"),
                &a.cookie,
                &form(&[("csrf", &a.csrf), ("version", &v), ("action", "return"), ("reason", "")]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("退回时须写明理由"), "{body}");

        // compute and publish from the cycle's page; the member objects on the sheet
        for act in ["compute", "publish"] {
            let (status, _, body) =
                send(&w.app, post(&format!("/grading/{cycle}/{act}"), &a.cookie, &form(&[("csrf", &a.csrf)]))).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{act}: {body}");
        }
        let m = &w.logins[&Role::Member];
        let (status, _, body) = send(&w.app, get("/grading/mine", &m.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("甲社区党支部") && body.contains("公示中") && body.contains("提出异议"), "{body}");
        let (status, _, body) =
            send(&w.app, post(&format!("{sheet}/object"), &m.cookie, &form(&[("csrf", &m.csrf), ("body", "")]))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _, _) = send(
            &w.app,
            post(
                &format!("{sheet}/object"),
                &m.cookie,
                &form(&[("csrf", &m.csrf), ("body", "工作业绩评分偏低"), ("anonymous", "1")]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // the member does not see the assessors' scores
        let (_, _, body) = send(&w.app, get(&sheet, &m.cookie)).await;
        assert!(
            !body.contains("保存评分") && !body.contains("书记履职好") && body.contains("工作业绩评分偏低"),
            "{body}"
        );

        // finalizing: refused while publicity lasts and while the objection is unanswered
        shift_publicity(&w, cycle).await;
        let (status, _, body) =
            send(&w.app, post(&format!("/grading/{cycle}/finalize"), &a.cookie, &form(&[("csrf", &a.csrf)]))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let objection = store::grading::objections(s, &e).await.unwrap()[0].id.to_string();
        let (status, _, _) = send(
            &w.app,
            post(
                &format!("{sheet}/answer"),
                &a.cookie,
                &form(&[
                    ("csrf", &a.csrf),
                    ("objection", &objection),
                    (&format!("answer_{objection}"), "已复核，评分有据"),
                ]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, body) =
            send(&w.app, post(&format!("/grading/{cycle}/finalize"), &a.cookie, &form(&[("csrf", &a.csrf)]))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

        // the lowest grade's organizations become suspected weak and lax, once
        let (_, ef) = store::grading::entry_of(s, &Scope::all(), cycle, w.branch_a).await.unwrap();
        assert_eq!(ef.grade.as_deref(), Some("poor"), "{ef:?}");
        let (status, h, _) =
            send(&w.app, post(&format!("/grading/{cycle}/weak"), &a.cookie, &form(&[("csrf", &a.csrf)]))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, body) = send(&w.app, get(h[axum::http::header::LOCATION].to_str().unwrap(), &a.cookie)).await;
        assert!(body.contains("已列为疑似软弱涣散党组织"), "{body}");
        let county = org::visible(s, &Scope::all(), w.county_a).await.unwrap();
        let f = store::weak_and_lax::Filter { state: None, year: None };
        let (weak, _) = store::weak_and_lax::list(s, &county, &f, 50, 0).await.unwrap();
        assert!(weak.iter().any(|x| x.org_id == w.branch_a && x.reason.contains("较差")), "{weak:?}");
        let before = weak.len();
        send(&w.app, post(&format!("/grading/{cycle}/weak"), &a.cookie, &form(&[("csrf", &a.csrf)]))).await;
        assert_eq!(store::weak_and_lax::list(s, &county, &f, 50, 0).await.unwrap().1 as usize, before, "not twice");

        // a final grade changes only by a recorded review, with its reason
        let (status, _, body) = send(
            &w.app,
            post(&format!("{sheet}/review"), &a.cookie, &form(&[("csrf", &a.csrf), ("grade", "good"), ("reason", "")])),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _, body) = send(
            &w.app,
            post(
                &format!("{sheet}/review"),
                &a.cookie,
                &form(&[("csrf", &a.csrf), ("grade", "good"), ("reason", "复核：工作业绩有新材料")]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, _, body) = send(&w.app, get(&sheet, &a.cookie)).await;
        assert!(body.contains("复核：工作业绩有新材料") && body.contains("已定级"), "{body}");

        // the API: the same sheet; a score needs its version (422), and is refused once final (409)
        let token = api_token(&w, Role::OrgDeptAdmin).await;
        let api = format!("/api/v1/grading/entries/{}", e.id);
        let (status, _, body) = send(&w.app, api_request(Method::GET, &api, &token, "")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["state"], "final");
        assert_eq!(v["reviews"][0]["new_grade"], "good");
        assert!(v["objections"][0]["raised_by"].is_null(), "anonymous: {body}");
        let (status, _, body) = send(
            &w.app,
            api_request(
                Method::PUT,
                &format!("{api}/scores"),
                &token,
                r#"{"assessor_kind": "superior", "items": [{"item": "leader", "points": "12"}]}"#,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("version"), "{body}");
        let (status, _, body) = send(
            &w.app,
            api_request(
                Method::PUT,
                &format!("{api}/scores"),
                &token,
                r#"{"assessor_kind": "superior", "items": [{"item": "leader", "points": "12", "version": 1}]}"#,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        // out of scope: county B's entry is not found
        let other = cycle_at(&w, w.county_b, 2026, "乙县2026年度分类定级").await;
        let (_, eb) = store::grading::entry_of(s, &Scope::all(), other, w.branch_b).await.unwrap();
        let (status, _, _) = send(&w.app, get(&format!("/grading/entries/{}", eb.id), &a.cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}

/// 晋位升级 on the page and the API: two years' final grades of a subtree give the matrix, the
/// organizations behind a cell, and the API's counts; a later year before an earlier one is
/// refused naming the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transitions_on_page_and_api() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let s = &w.store;
        let path = org::get(s, &Scope::all(), w.county_a).await.unwrap().path;
        let sc = Scope::subtrees([path]).acting_as(Actor::new("组织部", "组织部管理员"));
        let root = org::visible(s, &sc, w.county_a).await.unwrap();
        for (year, leader) in [(2024, 15_000), (2025, 5_000)] {
            let c = cycle_at(&w, w.county_a, year, &format!("甲县{year}年度分类定级")).await;
            let c = store::grading::cycle(s, &sc, c).await.unwrap();
            for org in [w.town_a, w.branch_a] {
                let (_, e) = store::grading::entry_of(s, &sc, c.id, org).await.unwrap();
                let items: Vec<store::grading::ScoreInput> =
                    [("leader", leader), ("thinking", 10_000), ("support", 10_000), ("results", 25_000)]
                        .into_iter()
                        .map(|(i, p)| store::grading::ScoreInput {
                            item: i.into(),
                            points_milli: p,
                            note: String::new(),
                            version: 0,
                        })
                        .collect();
                store::grading::score(s, &sc, e.id, domain::grading::AssessorKind::Superior, &items).await.unwrap();
            }
            let on = common::d(&format!("{year}-12-01"));
            store::grading::compute(s, &sc, &root, &c, on).await.unwrap();
            let c = store::grading::cycle(s, &sc, c.id).await.unwrap();
            store::grading::publish(s, &sc, &root, &c, on).await.unwrap();
            let c = store::grading::cycle(s, &sc, c.id).await.unwrap();
            store::grading::finalize(s, &sc, &root, &c, common::d(&format!("{year}-12-31"))).await.unwrap();
        }
        // 甲镇 was weak and lax in 2024 and its rectification was accepted that year
        let op = service::Ctx::operator(store::Actor::system());
        let code = domain::weak_and_lax::national()[0].code.clone();
        let ticks = [domain::weak_and_lax::TickInput { code, evidence: "班子不团结".into() }];
        let weak =
            service::weak_and_lax::create(s, &op, w.town_a, "排查", &ticks, common::d("2024-03-01")).await.unwrap();
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute(
                "UPDATE weak_org SET year = 2024, state = 'closed', accepted_on = $1 WHERE id = $2",
                &[store::Val::from(common::d("2024-11-01")), store::Val::from(weak.id)],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let a = &w.logins[&Role::OrgDeptAdmin];
        let uri = format!("/grading/progress?org={}&from=2024&to=2025", w.county_a);
        let (status, _, body) = send(&w.app, get(&uri, &a.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("晋位升级 0") && body.contains("降级 2"), "both fell by the leader's ten points: {body}");
        assert!(body.contains("<svg"), "a chart beside the table");
        // the effect of rectification: the accepted weak organization and its grades in both years
        let part = &body[body.find("id=\"rectified\"").unwrap()..];
        assert!(part.contains("中共甲镇委员会") && part.contains("2024-11-01") && part.contains("降级"), "{part}");
        let t = service::grading::grade_progress::transitions(
            s,
            &service::Ctx::operator(store::Actor::system()),
            w.county_a,
            2024,
            2025,
        )
        .await
        .unwrap();
        let (from, to) = t.matrix.cells.keys().next().unwrap().clone();
        // the cell's link as the matrix gives it
        let at = body.find("cell=").expect("a cell's link");
        let cell = &body[at..at + body[at..].find('#').unwrap()];
        let (_, _, body) = send(&w.app, get(&format!("{uri}&{cell}"), &a.cookie)).await;
        assert!(body.contains("甲社区党支部") && body.contains(&format!("2024年{from} → 2025年{to}")), "{body}");

        let token = api_token(&w, Role::OrgDeptAdmin).await;
        let api = format!("/api/v1/grading/transitions?org={}&from=2024&to=2025", w.county_a);
        let (status, _, body) = send(&w.app, api_request(Method::GET, &api, &token, "")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!((v["up"].as_i64(), v["down"].as_i64()), (Some(0), Some(2)), "{body}");
        assert_eq!(v["moved"].as_array().unwrap().len(), 2);
        let (status, _, body) = send(
            &w.app,
            api_request(
                Method::GET,
                &format!("/api/v1/grading/transitions?org={}&from=2025&to=2024", w.county_a),
                &token,
                "",
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("年度"), "{body}");
        db.finish().await;
    }
}

/// Schemes and catalogues as a 组织部 sets them (RULES §19: every bound, cap, quota and window is
/// versioned data): made from a preset, then a new version typed; bounds out of order and a
/// catalogue not adding up to 100 points are refused naming the field, with what was typed kept;
/// a county reads the city's scheme but may not version it (404).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemes_and_catalogues_are_versioned_by_their_owner() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let s = &w.store;
        let a = &w.logins[&Role::OrgDeptAdmin];
        let county = w.county_a.to_string();
        let (status, h, body) = send(
            &w.app,
            post(
                "/grading/schemes",
                &a.cookie,
                &form(&[
                    ("csrf", &a.csrf),
                    ("org", &county),
                    ("name", "甲县星级评定办法"),
                    ("preset", "scored_stars"),
                    ("valid_from", "2026-01-01"),
                ]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let page = h[axum::http::header::LOCATION].to_str().unwrap().to_string();
        let id = page.trim_start_matches("/grading/schemes/").split('?').next().unwrap().to_string();
        let (_, _, body) = send(&w.app, get(&page, &a.cookie)).await;
        assert!(body.contains("五星 ≥ 95") && body.contains("不超过 10%"), "the preset in words: {body}");

        let version = |bands: &str, top: &str| {
            form(&[
                ("csrf", &a.csrf),
                ("valid_from", "2027-01-01"),
                ("note", "2027年起五星比例收紧"),
                ("bands", bands),
                ("publicity_days", "7"),
                ("combine", "trimmed_mean"),
                ("top_band", "star5"),
                ("top_max", top),
                ("bottom_band", "star1"),
                ("bottom_community", "10"),
                ("bottom_other", "5"),
                ("rules", "GRADE-10"),
            ])
        };
        let good = "star5|五星|95\nstar4|四星|85\nstar3|三星|75\nstar2|二星|65\nstar1|一星|60\nnone|未定星|0";
        let bad = "star5|五星|80\nstar4|四星|85\nnone|未定星|0";
        let (status, _, body) =
            send(&w.app, post(&format!("/grading/schemes/{id}"), &a.cookie, &version(bad, "8"))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("等次：“四星”的分数下限须低于“五星”"), "{body}");
        assert!(body.contains("star5|五星|80"), "typed kept");
        let (status, _, body) =
            send(&w.app, post(&format!("/grading/schemes/{id}"), &a.cookie, &version(good, "8"))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, versions) =
            service::grading::scheme(s, &service::Ctx::operator(store::Actor::system()), id.parse().unwrap())
                .await
                .unwrap();
        assert_eq!(versions.len(), 2);
        let latest = versions[0].scheme().unwrap();
        assert_eq!((latest.top_quota.unwrap().max_permille, latest.publicity_days), (80, 7));

        // the catalogue: 100 points or refused
        let (status, h, _) = send(
            &w.app,
            post(
                "/grading/catalogues",
                &a.cookie,
                &form(&[("csrf", &a.csrf), ("org", &county), ("name", "甲县指标"), ("valid_from", "2026-01-01")]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let cpage = h[axum::http::header::LOCATION].to_str().unwrap().split('?').next().unwrap().to_string();
        let items = domain::grading::input::CatalogueInput::from_catalogue(&Catalogue::preset()).items;
        let over = items.replace("leader|党组织带头人|评定|15", "leader|党组织带头人|评定|20");
        let typed = |items: &str| {
            form(&[
                ("csrf", &a.csrf),
                ("valid_from", "2027-01-01"),
                ("items", items),
                ("bonus_cap", "5"),
                ("deduction_cap", "10"),
            ])
        };
        let (status, _, body) = send(&w.app, post(&cpage, &a.cookie, &typed(&over))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("合计须为 100 分") && body.contains("党组织带头人|评定|20"), "{body}");
        let fixed = over.replace("thinking|工作思路|评定|10", "thinking|工作思路|评定|5");
        let (status, _, body) = send(&w.app, post(&cpage, &a.cookie, &typed(&fixed))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

        // the city's scheme: read in the county, not versioned there
        let city = cycle_at(&w, w.city, 2026, "全市分类定级").await;
        let city_scheme = store::grading::cycle(s, &Scope::all(), city).await.unwrap().scheme_id;
        let (status, _, body) = send(&w.app, get(&format!("/grading/schemes/{city_scheme}"), &a.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains("保存新版本"), "no form for a scheme owned above");
        let (status, _, _) =
            send(&w.app, post(&format!("/grading/schemes/{city_scheme}"), &a.cookie, &version(good, "8"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}

/// GRADE-04 from the registry: a catalogue item reading a creation campaign's task completion
/// (the campaign named by its id) gives each organization the share of the campaign's tasks due
/// within its subtree confirmed done, kept on the entry with its source and as-of date.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaigns_tasks_feed_the_grade() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let s = &w.store;
        let (campaign, _, _, _) = common::campaign_target(&w, w.county_a, "甲县创建活动").await;
        let (_, assignment, _) = common::task_target(&w, campaign, w.county_a, w.town_a).await;
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute(
                "UPDATE task_assignment SET done = 1, done_on = $1 WHERE id = $2",
                &[store::Val::from(common::d("2026-06-02")), store::Val::from(assignment)],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut cat = Catalogue::preset();
        let item = cat.items.iter_mut().find(|i| i.code == "thinking").unwrap();
        item.kind = domain::grading::ItemKind::Computed;
        item.label = "创建任务完成率".into();
        item.source = "task_completion".into();
        item.param = campaign.to_string();
        item.target_milli = 100_000;
        cat.validate().unwrap();
        let path = org::get(s, &Scope::all(), w.county_a).await.unwrap().path;
        let sc = Scope::subtrees([path]).acting_as(Actor::new("组织部", "组织部管理员"));
        let root = org::visible(s, &sc, w.county_a).await.unwrap();
        let from = common::d("2024-01-01");
        let scheme = store::grading::create_scheme(s, &sc, &root, "办法", from, &Scheme::preset("points").unwrap())
            .await
            .unwrap();
        let c = store::grading::create_catalogue(s, &sc, &root, "含创建任务", from, &cat).await.unwrap();
        let cycle =
            store::grading::open_cycle(s, &sc, &root, 2026, "甲县定级", scheme.id, c.id, &StepPreset::Grade07.steps())
                .await
                .unwrap();
        store::grading::compute(s, &sc, &root, &cycle, common::d("2026-12-31")).await.unwrap();
        let value = |org: i64| {
            let sc = sc.clone();
            async move {
                let (_, e) = store::grading::entry_of(s, &sc, cycle.id, org).await.unwrap();
                e.computed().into_iter().find(|x| x.item == "thinking").unwrap()
            }
        };
        let town = value(w.town_a).await;
        assert_eq!((town.value, town.points_milli, town.as_of), (100.0, 10_000, common::d("2026-12-31")));
        assert_eq!(town.source, "任务完成率", "kept with its source");
        assert_eq!(value(w.branch_a).await.value, 0.0, "no task within the branch");
        // the sheet names the source and the date
        let (_, e) = store::grading::entry_of(s, &sc, cycle.id, w.town_a).await.unwrap();
        let a = &w.logins[&Role::OrgDeptAdmin];
        let (_, _, body) = send(&w.app, get(&format!("/grading/entries/{}", e.id), &a.cookie)).await;
        assert!(
            body.contains("创建任务完成率") && body.contains("任务完成率</td>") && body.contains("2026-12-31"),
            "{body}"
        );
        assert!(!body.contains("未知来源"), "{body}");
        db.finish().await;
    }
}
