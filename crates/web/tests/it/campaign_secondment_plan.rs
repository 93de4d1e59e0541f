//! 跟岗学习 and 党建规划 through the pages, on SQLite and PostgreSQL. A 党务工作者 nominates
//! members found by name (a choice offered when several share it); the nomination page shows the
//! conditions failing today and the statutory retirement that decides SEC-02, on both sides of
//! 2025-01-01 (RETIRE-01 before, RETIRE-02 from then on); the 组织部 above the unit decides — a
//! reason to reject, and to accept a failing nominee — the failures are kept, the unit is told,
//! and nobody decides on their own organization's nomination. A plan is drafted (campaign-only
//! sources refused, naming the field), changed at the version read, submitted, returned with a
//! reason, approved; its progress is computed as of today and shown on the plan page and the
//! organization page; milestones are marked done. Every write is audited.

use crate::common;

use axum::http::{header, StatusCode};
use chrono::Datelike;
use common::{form, get, post, send, World};
use domain::account::Role;
use domain::member::{Category, MemberInput};
use store::testing::TestDb;
use store::Scope;

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

fn id_after(loc: &str, prefix: &str) -> i64 {
    loc.strip_prefix(prefix)
        .and_then(|r| r.split(['?', '/', '#']).next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("{loc}"))
}

async fn member(w: &World, org: i64, name: &str, birth: &str, seq: u32) -> i64 {
    let input = MemberInput {
        name: name.into(),
        id_number: domain::idcard::compose("110105", common::d(birth), seq),
        category: Some(Category::Full),
        join_date: Some(common::d("2010-07-01")),
        ..Default::default()
    };
    store::member::create(&w.store, &Scope::all(), org, &input, common::d("2026-11-21")).await.unwrap().id
}

/// The latest audit records name `action` (a decision is followed by the message it posts).
async fn audited(w: &World, action: &str) {
    let recent: Vec<String> = store::audit::recent(&w.store, 3).await.unwrap().into_iter().map(|r| r.action).collect();
    assert!(recent.iter().any(|a| a == action), "{action} in {recent:?}");
}

const PERIOD: [(&str, &str); 2] = [("starts_on", "2027-03-01"), ("ends_on", "2027-08-31")];

async fn nominate(w: &World, org: i64, name: &str, flags: &[(&str, &str)]) -> (StatusCode, String, String) {
    let org = org.to_string();
    let mut pairs = vec![("org", org.as_str()), ("member_name", name), ("host_unit", "区委组织部党建办")];
    pairs.extend_from_slice(&PERIOD);
    pairs.extend_from_slice(flags);
    submit(w, Role::PartyWorker, "/secondments/new", &pairs).await
}

const ALL_MET: [(&str, &str); 3] = [("party_post", "1"), ("full_time", "1"), ("writing", "1")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secondment_from_nomination_to_decision() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        // a man reaching 60 on 2024-12-15 retires under RETIRE-01; one reaching it on 2025-01-15
        // under RETIRE-02, a month later
        member(&w, w.branch_a, "老王", "1964-12-15", 11).await;
        member(&w, w.branch_a, "老李", "1965-01-15", 13).await;
        member(&w, w.branch_a, "小张", "1985-05-01", 15).await;
        let liu1 = member(&w, w.branch_a, "小刘", "1986-01-01", 17).await;
        member(&w, w.branch_a, "小刘", "1990-01-01", 19).await;
        member(&w, w.branch_b, "乙小赵", "1985-01-01", 21).await;

        // the form names the conditions in force; a bad one names each field
        let (status, body) = page(&w, worker, &format!("/secondments/new?org={}", w.town_a)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("SEC-02") && body.contains("跟岗开始时距法定退休年龄不少于 2 年"), "{body}");
        let (status, _, body) = submit(&w, worker, "/secondments/new", &[("org", &w.town_a.to_string())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("党员：请选择被推荐的党员") && body.contains("跟岗开始日期：不能为空"), "{body}");
        let (status, _, body) = nominate(&w, w.town_a, "乙小赵", &ALL_MET).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("中共甲镇委员会及其下级党组织中没有姓名含“乙小赵”的在册党员"), "{body}");
        // two of a name: a choice, then the one chosen
        let (status, _, body) = nominate(&w, w.town_a, "小刘", &ALL_MET).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("有 2 名党员姓名含“小刘”，请选择") && body.contains("1986 年生"), "{body}");
        assert!(!body.contains("110105"), "no ID number offered: {body}");
        let (town, liu) = (w.town_a.to_string(), liu1.to_string());
        let mut pairs = vec![("org", town.as_str()), ("member", liu.as_str())];
        pairs.extend(PERIOD.iter().chain(ALL_MET.iter()));
        let (status, loc, body) = submit(&w, worker, "/secondments/new", &pairs).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let liu_n = id_after(&loc, "/secondments/");
        audited(&w, "secondment.nominate").await;
        // the same member again over an overlapping period is refused
        let (status, _, body) = submit(&w, worker, "/secondments/new", &pairs).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("与本次期间重叠"), "{body}");

        let (status, loc, _) = nominate(&w, w.town_a, "小张", &ALL_MET).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let zhang = id_after(&loc, "/secondments/");
        let (_, body) = page(&w, worker, &loc).await;
        assert!(body.contains("已提交推荐") && body.contains("符合全部选派条件"), "{body}");
        assert!(body.contains("法定退休年龄63岁，RETIRE-02"), "{body}");
        assert!(!body.contains("提交审核意见"), "a worker does not decide: {body}");

        // both sides of 2025-01-01: the retirement that decides SEC-02, through the page
        let (_, loc, _) = nominate(&w, w.town_a, "老王", &[("party_post", "1"), ("full_time", "1")]).await;
        let wang = id_after(&loc, "/secondments/");
        let (_, body) = page(&w, dept, &loc).await;
        assert!(body.contains("2024-12-15（法定退休年龄60岁，RETIRE-01）"), "{body}");
        assert!(
            body.contains("SEC-02")
                && body.contains("跟岗开始时已达到法定退休年龄（2024-12-15 退休，法定退休年龄60岁）"),
            "{body}"
        );
        assert!(body.contains("SEC-04") && body.contains("未证明具备一定的文字写作能力"), "{body}");
        assert!(body.contains("提交审核意见"), "the county decides on its township's nomination: {body}");
        let (_, loc, _) = nominate(&w, w.town_a, "老李", &ALL_MET).await;
        let li = id_after(&loc, "/secondments/");
        let (_, body) = page(&w, dept, &loc).await;
        assert!(body.contains("2025-02-15（法定退休年龄60岁1个月，RETIRE-02）"), "{body}");
        assert!(body.contains("跟岗开始时已达到法定退休年龄（2025-02-15 退休，法定退休年龄60岁1个月）"), "{body}");

        // the list: those waiting first, each with its check
        let (_, body) = page(&w, dept, &format!("/secondments?org={}&show=pending", w.county_a)).await;
        assert!(body.contains("老王") && body.contains("2 项不符合") && body.contains("符合全部条件"), "{body}");

        // deciding: a worker may not; a reason to reject and to accept a failing nominee
        let (status, _, _) =
            submit(&w, worker, &format!("/secondments/{wang}/review"), &[("decision", "reject")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, body) =
            submit(&w, dept, &format!("/secondments/{wang}/review"), &[("decision", "reject")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("理由：不同意时须写明理由"), "{body}");
        let (status, _, body) =
            submit(&w, dept, &format!("/secondments/{wang}/review"), &[("decision", "accept")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("有 2 项条件不符合（SEC-02、SEC-04），同意时须写明理由"), "{body}");
        let (status, loc, _) = submit(
            &w,
            dept,
            &format!("/secondments/{wang}/review"),
            &[("decision", "reject"), ("reason", "已达到法定退休年龄")],
        )
        .await;
        assert_eq!(
            (status, loc.as_str()),
            (StatusCode::SEE_OTHER, format!("/secondments/{wang}?ok=nomination_rejected").as_str())
        );
        audited(&w, "secondment.reject").await;
        let (_, body) = page(&w, worker, &loc).await;
        assert!(
            body.contains("未同意") && body.contains("审核当日的核对结果") && body.contains("已达到法定退休年龄"),
            "{body}"
        );
        assert!(body.contains("跟岗开始时已达到法定退休年龄（2024-12-15 退休"), "the failures are kept: {body}");
        let (status, _, body) =
            submit(&w, dept, &format!("/secondments/{wang}/review"), &[("decision", "accept"), ("reason", "x")]).await;
        assert_eq!(status, StatusCode::CONFLICT, "decided once: {body}");
        let (status, _, _) = submit(&w, dept, &format!("/secondments/{zhang}/review"), &[("decision", "accept")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        audited(&w, "secondment.accept").await;
        let (status, _, _) = submit(
            &w,
            dept,
            &format!("/secondments/{li}/review"),
            &[("decision", "accept"), ("reason", "经研究同意，跟岗期间办理返聘")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let _ = liu_n;

        // the unit is told
        let (_, body) = page(&w, worker, "/messages").await;
        assert!(body.contains("老王 的跟岗学习推荐未同意") && body.contains("小张 的跟岗学习推荐已同意"), "{body}");

        // nobody decides on their own organization's nomination
        let (status, loc, _) = nominate(&w, w.county_a, "小刘", &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "two of that name: a choice first");
        assert!(loc.is_empty());
        let (status, loc, _) = nominate(&w, w.county_a, "老王", &ALL_MET).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let own = id_after(&loc, "/secondments/");
        let (_, body) = page(&w, dept, &loc).await;
        assert!(!body.contains("提交审核意见"), "{body}");
        let (status, _, body) =
            submit(&w, dept, &format!("/secondments/{own}/review"), &[("decision", "accept"), ("reason", "x")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("由推荐单位的上级审核"), "{body}");
        assert!(store::audit::verify(&w.store).await.unwrap().ok());
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_from_draft_to_approval_with_its_progress() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        let all = Scope::all();
        // a county-level demonstration site below 甲镇; 甲镇 itself has no service centre
        let site = domain::campaign::site::SiteInput {
            org_id: w.branch_a.to_string(),
            level: "county".into(),
            feature: "网格化管理".into(),
            named_on: "2026-03-01".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        store::campaign::site::add(&w.store, &all, &site, None).await.unwrap();
        let y = (chrono::Utc::now() + chrono::Duration::hours(8)).year();
        let (ys, due, mid) = (y.to_string(), format!("{y}-12-31"), format!("{y}-01-01"));
        let town = w.town_a.to_string();
        let targets = format!(
            "县级示范点|示范点数量|县级|1|{due}|培育示范支部|组织委员\n服务中心覆盖率|facility_coverage|service_center|100|{due}"
        );
        let milestones = format!("{mid} 制定实施方案");

        let (status, body) = page(&w, worker, &format!("/plans/new?org={town}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("支部书记轮训覆盖率") && body.contains("只在创建活动中计算"), "{body}");
        // campaign-only sources and a two-year plan are refused, naming the fields
        let bad = format!("经费|投入经费||10|{due}");
        let (status, _, body) = submit(
            &w,
            worker,
            "/plans/new",
            &[
                ("org", &town),
                ("kind", "multi_year"),
                ("title", "甲镇党建规划"),
                ("from_year", &ys),
                ("to_year", &(y + 1).to_string()),
                ("targets", &bad),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("规划目标：第 1 项：指标来源“投入经费”只在创建活动中计算"), "{body}");
        assert!(body.contains("截止年度：三至五年规划应跨 3 至 5 个年度"), "{body}");
        assert!(body.contains("经费|投入经费"), "what was typed is kept");

        let good = [
            ("org", town.as_str()),
            ("kind", "annual"),
            ("title", "甲镇年度党建工作计划"),
            ("from_year", ys.as_str()),
            ("targets", targets.as_str()),
            ("milestones", milestones.as_str()),
        ];
        let (status, loc, body) = submit(&w, worker, "/plans/new", &good).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let id = id_after(&loc, "/plans/");
        audited(&w, "plan.create").await;
        let (status, _, body) = submit(&w, worker, "/plans/new", &good).await;
        assert_eq!(status, StatusCode::CONFLICT, "one annual plan a year: {body}");
        assert!(body.contains("已有年度计划"), "{body}");

        // progress computed as of today from the registry
        let (_, body) = page(&w, worker, &loc).await;
        assert!(body.contains("已保存规划草稿") && body.contains("已达成 1 / 2 项"), "{body}");
        assert!(body.contains("0.0%（0/1）") && body.contains("推进中") && body.contains("1个"), "{body}");
        assert!(body.contains("提交审核") && !body.contains("批准"), "{body}");

        // changed at the version read
        let (status, body) = page(&w, worker, &format!("/plans/{id}/edit")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("县级示范点|示范点数量|县级|1|") && body.contains("name=\"version\" value=\"1\""),
            "{body}"
        );
        let mut changed: Vec<(&str, &str)> = good.iter().filter(|(k, _)| *k != "org").copied().collect();
        changed.retain(|(k, _)| *k != "title");
        changed.push(("title", "甲镇年度党建工作计划修订稿"));
        let mut stale = changed.clone();
        stale.push(("version", "0"));
        let (status, _, body) = submit(&w, worker, &format!("/plans/{id}/edit"), &stale).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("已被他人修改"), "{body}");
        let mut fresh = changed.clone();
        fresh.push(("version", "1"));
        let (status, loc, _) = submit(&w, worker, &format!("/plans/{id}/edit"), &fresh).await;
        assert_eq!((status, loc.as_str()), (StatusCode::SEE_OTHER, format!("/plans/{id}?ok=plan_saved").as_str()));
        audited(&w, "plan.update").await;

        // not reviewed before it is submitted; submitted by its button
        let (status, _, _) = submit(&w, dept, &format!("/plans/{id}/review"), &[("decision", "approve")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _, _) = submit(&w, worker, &format!("/plans/{id}/submit"), &[("version", "2")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, _) =
            submit(&w, worker, &format!("/plans/{id}/submit"), &[("version", "2"), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        audited(&w, "plan.submit").await;
        assert_eq!(page(&w, worker, &format!("/plans/{id}/edit")).await.0, StatusCode::CONFLICT);

        // returned with a reason, the town told; changed and submitted again; approved
        let (status, _, _) = submit(&w, worker, &format!("/plans/{id}/review"), &[("decision", "approve")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, body) = submit(&w, dept, &format!("/plans/{id}/review"), &[("decision", "return")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("退回理由：退回时须写明理由"), "{body}");
        let (status, _, _) =
            submit(&w, dept, &format!("/plans/{id}/review"), &[("decision", "return"), ("reason", "目标应量化到村")])
                .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        audited(&w, "plan.return").await;
        let (_, body) = page(&w, worker, "/messages").await;
        assert!(body.contains("年度计划“甲镇年度党建工作计划修订稿”被退回"), "{body}");
        let (_, body) = page(&w, worker, &format!("/plans/{id}")).await;
        assert!(body.contains("上级已退回：目标应量化到村"), "{body}");
        let mut again = changed.clone();
        again.push(("version", "4"));
        let (status, _, body) = submit(&w, worker, &format!("/plans/{id}/edit"), &again).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (status, _, _) =
            submit(&w, worker, &format!("/plans/{id}/submit"), &[("version", "5"), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) = submit(&w, dept, &format!("/plans/{id}/review"), &[("decision", "approve")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        audited(&w, "plan.approve").await;

        // milestones of the approved plan
        let (_, body) = page(&w, worker, &format!("/plans/{id}")).await;
        assert!(body.contains("已批准") && body.contains("登记完成"), "{body}");
        let i = body.find("name=\"milestone\" value=\"").expect("a milestone form") + 24;
        let m = body[i..i + body[i..].find('"').unwrap()].to_string();
        let (status, _, _) = submit(&w, worker, &format!("/plans/{id}/milestones"), &[("milestone", &m)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a date is needed");
        let (status, _, _) =
            submit(&w, worker, &format!("/plans/{id}/milestones"), &[("milestone", &m), ("done_on", &mid)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        audited(&w, "plan.milestone").await;
        let (_, body) = page(&w, worker, &format!("/plans/{id}")).await;
        assert!(body.contains(&format!("{mid} 完成")), "{body}");

        // the organization page's card, the list, and what is outside the scope
        let (_, body) = page(&w, worker, &format!("/orgs/{}", w.town_a)).await;
        assert!(body.contains("党建规划") && body.contains("甲镇年度党建工作计划修订稿"), "{body}");
        assert!(body.contains("已批准 · 目标已达成 1/2"), "{body}");
        let (_, body) = page(&w, worker, &format!("/orgs/{}", w.county_a)).await;
        assert!(
            body.contains("本年度尚无党建规划") && body.contains(&format!("/plans/new?org={}", w.county_a)),
            "{body}"
        );
        let (_, body) = page(&w, Role::Member, &format!("/orgs/{}", w.branch_a)).await;
        assert!(!body.contains("党建规划"), "a 党员 reads no campaigns: {body}");
        let (_, body) = page(&w, dept, &format!("/plans?org={}", w.county_a)).await;
        assert!(body.contains("甲镇年度党建工作计划修订稿") && body.contains("已批准"), "{body}");
        assert_eq!(page(&w, worker, &format!("/plans?org={}", w.city)).await.0, StatusCode::NOT_FOUND);

        // nobody approves their own organization's plan
        let county = w.county_a.to_string();
        let own = [
            ("org", county.as_str()),
            ("kind", "annual"),
            ("title", "甲县年度党建工作计划"),
            ("from_year", ys.as_str()),
            ("targets", targets.as_str()),
        ];
        let (status, loc, _) = submit(&w, worker, "/plans/new", &own).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let own_id = id_after(&loc, "/plans/");
        submit(&w, worker, &format!("/plans/{own_id}/submit"), &[("version", "1"), ("confirm", "yes")]).await;
        let (status, _, body) = submit(&w, dept, &format!("/plans/{own_id}/review"), &[("decision", "approve")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("由上级党组织审核"), "{body}");
        assert!(store::audit::verify(&w.store).await.unwrap().ok());
        db.finish().await;
    }
}
