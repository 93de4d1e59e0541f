//! 创建活动 through the pages, on SQLite and PostgreSQL: a 组织部 issues a campaign (a bad form is
//! shown again with what was typed and each problem beside its field), sets its standard; a
//! 党务工作者 reports a value, which is returned with a reason (the reporter is told) and accepted
//! when reported again; a dispatch round is computed as a draft, published (frozen with its digest:
//! computing it again is refused), printed, exported as a workbook and given its on-site meeting; a
//! participant of a city campaign reads only its own line; demonstration sites and training classes
//! are named and held, and rotation coverage follows the secretaries in post. Every write is audited.

use crate::common;

use axum::http::{header, StatusCode};
use common::{form, get, post, send, World};
use domain::account::Role;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_from_issue_to_published_round() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let dept = Role::OrgDeptAdmin;
        let worker = Role::PartyWorker;
        let county = w.county_a.to_string();

        // the form, and a bad one shown again with what was typed
        let (status, body) = page(&w, dept, &format!("/campaigns/new?org={county}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("发起创建活动") && body.contains("中共甲县委"), "{body}");
        let (status, _, body) = submit(
            &w,
            dept,
            "/campaigns/new",
            &[
                ("org", &county),
                ("name", ""),
                ("kind", "service"),
                ("theme", "服务群众最后一公里"),
                ("starts_on", "2026-03-01"),
                ("ends_on", "2026-01-01"),
                ("takes_part", "level"),
                ("depth", "1"),
                ("leaders", "副组长 李某 部长"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body.contains("活动名称：") && body.contains("结束日期：") && body.contains("须有且只有一名组长"),
            "{body}"
        );
        assert!(body.contains("服务群众最后一公里") && body.contains("副组长 李某 部长"), "what was typed is kept");

        // issued
        let (status, loc, body) = submit(
            &w,
            dept,
            "/campaigns/new",
            &[
                ("org", &county),
                ("name", "甲县服务型党组织创建"),
                ("kind", "service"),
                ("ideas", "服务、创新、整合"),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2026-12-31"),
                ("takes_part", "level"),
                ("depth", "1"),
                ("leaders", "组长 王某 县委副书记\n副组长 李某 县委组织部部长\n成员单位 县委宣传部\n成员单位 县民政局"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let id = id_after(&loc, "/campaigns/");
        let (_, body) = page(&w, dept, &format!("/campaigns/{id}")).await;
        assert!(body.contains("县委副书记") && body.contains("成员单位（2 个）") && body.contains("创新"), "{body}");

        // the standard: a computed source and a reported one
        let lines = "centers|服务中心覆盖率|facility_coverage|service_center|40|linear|90\n\
                     served|服务群众事项办结率|reported||60|steps|0|80:60、95:100|%";
        let (status, _, body) = submit(
            &w,
            dept,
            &format!("/campaigns/{id}/standard"),
            &[("valid_from", "2026-01-01"), ("lines", "x|坏|nowhere||0|linear|1")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("不在指标来源目录中") && body.contains("x|坏|nowhere"), "{body}");
        let (status, loc, body) =
            submit(&w, dept, &format!("/campaigns/{id}/standard"), &[("valid_from", "2026-01-01"), ("lines", lines)])
                .await;
        assert_eq!(
            (status, loc.as_str()),
            (StatusCode::SEE_OTHER, format!("/campaigns/{id}/standard?ok=standard").as_str()),
            "{body}"
        );

        // a worker reports, the department returns it with a reason, the worker is told
        let town = w.town_a.to_string();
        let report = [
            ("org", town.as_str()),
            ("code", "served"),
            ("as_on", "2026-05-31"),
            ("value", "88"),
            ("evidence", "办结台账第 3 册"),
        ];
        let (status, _, body) = submit(&w, worker, &format!("/campaigns/{id}/reports"), &report).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let rid: i64 = store::testing::raw(w.store.read())
            .fetch_one::<(i64,)>("SELECT MAX(id) FROM indicator_report", &[])
            .await
            .unwrap()
            .0;
        let (status, _, _) =
            submit(&w, dept, &format!("/campaigns/reports/{rid}/review"), &[("decision", "return"), ("reason", "")])
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a return needs its reason");
        let (status, _, _) = submit(
            &w,
            dept,
            &format!("/campaigns/reports/{rid}/review"),
            &[("decision", "return"), ("reason", "台账页码对不上")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, body) = page(&w, worker, "/messages").await;
        assert!(body.contains("被退回") && body.contains("台账页码对不上"), "{body}");
        // a worker may not review
        let (status, _, _) =
            submit(&w, worker, &format!("/campaigns/reports/{rid}/review"), &[("decision", "accept")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let report = [
            ("org", town.as_str()),
            ("code", "served"),
            ("as_on", "2026-05-31"),
            ("value", "96"),
            ("evidence", "办结台账第 3 册（更正）"),
        ];
        submit(&w, worker, &format!("/campaigns/{id}/reports"), &report).await;
        let rid2 = rid + 1;
        let (status, _, _) =
            submit(&w, dept, &format!("/campaigns/reports/{rid2}/review"), &[("decision", "accept")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // a round: a draft, then published and frozen
        let (status, loc, body) =
            submit(&w, dept, &format!("/campaigns/{id}/rounds"), &[("as_on", "2999-01-01"), ("title", "")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a round of the future: {body}");
        assert!(body.contains("调度日期"), "{body}");
        let _ = loc;
        let (status, loc, body) =
            submit(&w, dept, &format!("/campaigns/{id}/rounds"), &[("as_on", "2026-06-30"), ("title", "")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let round = id_after(&loc, "/campaigns/rounds/");
        let (_, body) = page(&w, dept, &format!("/campaigns/rounds/{round}")).await;
        assert!(
            body.contains("第1次调度")
                && body.contains("草稿")
                && body.contains("中共甲镇委员会")
                && body.contains("96"),
            "{body}"
        );
        let (status, _, body) =
            submit(&w, dept, &format!("/campaigns/rounds/{round}/publish"), &[("summary", "服务中心建设仍需加快。")])
                .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, body) = page(&w, dept, &format!("/campaigns/rounds/{round}")).await;
        assert!(
            body.contains("校验值") && body.contains("与发布时一致") && body.contains("服务中心建设仍需加快"),
            "{body}"
        );
        let (status, _, body) = submit(&w, dept, &format!("/campaigns/rounds/{round}/recompute"), &[]).await;
        assert_eq!(status, StatusCode::CONFLICT, "a published round is frozen: {body}");
        assert!(body.contains("已发布"), "{body}");

        // the workbook and the meeting
        let (status, h, body) =
            send(&w.app, get(&format!("/campaigns/rounds/{round}/export.xlsx"), &w.logins[&dept].cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
        assert!(body.starts_with("PK"), "an xlsx file");
        let (status, _, body) = submit(
            &w,
            dept,
            &format!("/campaigns/rounds/{round}/meeting"),
            &[
                ("kind", "on_site"),
                ("held_on", "2026-07-05"),
                ("place", "甲镇便民服务中心"),
                ("speakers", "中共甲镇委员会\n甲社区党支部"),
                ("summary", "一站式服务经验可推广。"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, body) = page(&w, dept, &format!("/campaigns/rounds/{round}")).await;
        assert!(
            body.contains("现场会") && body.contains("甲镇便民服务中心") && body.contains("（2 个单位）"),
            "{body}"
        );

        // a city campaign: county A's officers read only their own line
        let (_, _, _, city_round) = common::campaign_target(&w, w.city, "全市服务型党组织创建").await;
        let (status, body) = page(&w, dept, &format!("/campaigns/rounds/{city_round}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("仅显示本单位") && body.contains("中共甲县委") && !body.contains("中共乙县委"), "{body}");
        let (status, _, _) =
            submit(&w, dept, &format!("/campaigns/rounds/{city_round}/meeting"), &[("kind", "on_site")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the city's round is not county A's to change");

        // audited
        let actions: Vec<String> =
            store::audit::recent(&w.store, 200).await.unwrap().into_iter().map(|r| r.action).collect();
        for a in [
            "campaign.create",
            "campaign.standard",
            "campaign.report",
            "campaign.report_return",
            "campaign.report_accept",
            "dispatch.compute",
            "dispatch.publish",
            "dispatch.export",
            "dispatch.meeting",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
        }
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_and_training_with_rotation_coverage() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let dept = Role::OrgDeptAdmin;
        let town = w.town_a.to_string();
        let (status, _, body) = submit(
            &w,
            dept,
            "/sites/new",
            &[
                ("org", &town),
                ("level", "国家级"),
                ("feature", ""),
                ("named_on", "2026-05-01"),
                ("cadres", "王某 组织干事 2026-05-02"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("级别：") && body.contains("示范特色："), "{body}");
        let (status, loc, body) = submit(
            &w,
            dept,
            "/sites/new",
            &[
                ("org", &town),
                ("level", "county"),
                ("feature", "网格化管理、组团式服务"),
                ("named_on", "2026-05-01"),
                ("cadres", "王某 县委组织部干事 2026-05-02"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let site = id_after(&loc, "/sites/");
        let (_, body) = page(&w, dept, &format!("/sites?org={}", w.county_a)).await;
        assert!(body.contains("网格化管理") && body.contains("有效示范点 1 个"), "{body}");
        let (status, _, _) =
            submit(&w, dept, &format!("/sites/{site}/review"), &[("on", "2026-11-01"), ("decision", "revoke")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, body) = page(&w, dept, &format!("/sites?org={}", w.county_a)).await;
        assert!(body.contains("有效示范点 0 个"), "{body}");

        // a class; coverage follows the secretaries in post
        let all = Scope::all();
        let term = domain::officer::OfficerInput {
            member_id: w.member_a.to_string(),
            role: "secretary".into(),
            started_on: "2025-01-01".into(),
            ..Default::default()
        };
        let v = domain::officer::validate(&term, common::d("2026-12-01")).unwrap();
        store::officer::add(&w.store, &all, w.branch_a, &v).await.unwrap();
        let (_, body) = page(&w, dept, &format!("/training/coverage?org={}&on=2026-12-01", w.county_a)).await;
        assert!(body.contains("0.0%") && body.contains("甲党员"), "untrained listed: {body}");
        assert_eq!(body.matches("未轮训的书记").count(), 1, "one list of the untrained: {body}");
        assert!(!body.contains("class=\"pager\""), "one page needs no pager");
        let county = w.county_a.to_string();
        let (status, loc, body) = submit(
            &w,
            dept,
            "/training/new",
            &[
                ("org", &county),
                ("name", "2026年党支部书记轮训班"),
                ("audience", "branch_secretaries"),
                ("starts_on", "2026-04-01"),
                ("ends_on", "2026-04-05"),
                ("sessions", "5"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let class = id_after(&loc, "/training/");
        let rows = format!("{} 3", w.member_a);
        let (status, _, _) =
            submit(&w, Role::PartyWorker, &format!("/training/{class}/attend"), &[("rows", &rows)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, body) = page(&w, dept, &format!("/training/coverage?org={}&on=2026-12-01", w.county_a)).await;
        assert!(body.contains("0.0%"), "3 of 5 sessions does not complete: {body}");
        let rows = format!("{} 4", w.member_a);
        submit(&w, Role::PartyWorker, &format!("/training/{class}/attend"), &[("rows", &rows)]).await;
        let (_, body) = page(&w, dept, &format!("/training/coverage?org={}&on=2026-12-01", w.county_a)).await;
        assert!(body.contains("100.0%") && body.contains("全部已轮训"), "{body}");
        let (status, _, body) = submit(
            &w,
            Role::PartyWorker,
            &format!("/training/{class}/attend"),
            &[("rows", &format!("{} 9", w.member_a))],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("出勤课次"), "{body}");
        db.finish().await;
    }
}
