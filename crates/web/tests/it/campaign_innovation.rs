//! 创新清单, 创新动态 and 项目化管理 through the pages, on SQLite and PostgreSQL: a county's
//! 组织部 sets a local deadline; a 党务工作者 submits its township's list (a bad form shown again
//! with what was typed and each problem named), sees it found perfunctory, keeps it current (a
//! save over a changed list refused), reports an update; the cadence changes; a project is
//! proposed and passes its approval gate (a skipped gate refused, a failure without a reason
//! refused), the township is told; every write audited.

use crate::common;

use axum::http::{header, StatusCode};
use chrono::Datelike;
use common::{form, get, post, send, World};
use domain::account::Role;
use domain::campaign::innovation::Cadence;
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

/// The pairs of one item row of a list form.
fn row<'a>(title: &'a str, measures: &'a str, milestones: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("goal", "群众办事不出村"),
        ("measures", measures),
        ("owner", "王某"),
        ("milestones", milestones),
        ("status", status),
    ]
}

/// A gate's decision as the form sends it.
fn gate<'a>(g: &'a str, result: &'a str, note: &'a str, day: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("gate", g),
        ("reviewers", "王某、李某、张某"),
        ("score", "82"),
        ("result", result),
        ("note", note),
        ("decided_on", day),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_updates_and_projects_through_the_pages() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        let today = web_core::pages::today();
        let y = today.year();
        let year = y.to_string();
        // county A's campaign over its township, from the start of this year
        let all = Scope::all();
        let issuer = store::org::visible(&w.store, &all, w.county_a).await.unwrap();
        let v = domain::campaign::CampaignInput {
            name: "甲县创新型党组织创建".into(),
            kind: "innovation".into(),
            starts_on: format!("{y}-01-01"),
            ends_on: format!("{}-12-31", y + 1),
            takes_part: "level".into(),
            depth: "1".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let c = store::campaign::create(&w.store, &all, &issuer, &v, &[], &[]).await.unwrap().id;
        let base = format!("/campaigns/{c}/innovation");
        let (status, body) = page(&w, dept, &base).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("创新清单") && body.contains("创新项目") && body.contains("INNO-05"), "{body}");

        // the county sets the list deadline at the end of the year (so the test holds on any day)
        let (status, _, body) = submit(&w, dept, &format!("{base}/rules"), &[("rule_id", "INNO-09")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("适用党组织：") && body.contains("规则：") && body.contains("依据："), "{body}");
        let county = w.county_a.to_string();
        let (status, loc, body) = submit(
            &w,
            dept,
            &format!("{base}/rules"),
            &[
                ("rule_org", &county),
                ("rule_id", "INNO-01"),
                ("value", "12-31"),
                ("valid_from", "2020-01-01"),
                ("source", "县委组织部关于创新清单的通知"),
            ],
        )
        .await;
        assert_eq!((status, loc.as_str()), (StatusCode::SEE_OTHER, format!("{base}?ok=rule").as_str()), "{body}");
        let (_, body) = page(&w, dept, &base).await;
        assert!(body.contains("每年 12 月 31 日前提交") && body.contains("中共甲县委及下级"), "{body}");

        // a list without its organization and with a bad milestone is shown again as typed
        let town = w.town_a.to_string();
        let bad_milestone = format!("{y}-06-31 完成试点");
        let mut pairs = vec![("year", year.as_str())];
        pairs.extend(row("党建+政务服务", "设立党员代办岗", &bad_milestone, "ongoing"));
        let (status, _, body) = submit(&w, worker, &format!("{base}/lists"), &pairs).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("提交单位：") && body.contains("里程碑：第 1 项：第 1 行"), "{body}");
        assert!(body.contains("设立党员代办岗") && body.contains(&bad_milestone), "what was typed is kept");

        // a thin list: submitted, and found perfunctory
        let m1 = format!("{y}-06-30 完成试点");
        let mut pairs = vec![("list_org", town.as_str()), ("year", year.as_str())];
        pairs.extend(row("党建+政务服务", "设立党员代办岗", &m1, "ongoing"));
        pairs.extend(row("网格化管理", "", "", "planned"));
        // a blank row (the status alone) is skipped
        pairs.extend([
            ("title", ""),
            ("goal", ""),
            ("measures", ""),
            ("owner", ""),
            ("milestones", ""),
            ("status", "planned"),
        ]);
        let (status, loc, body) = submit(&w, worker, &format!("{base}/lists"), &pairs).await;
        assert_eq!((status, loc.as_str()), (StatusCode::SEE_OTHER, format!("{base}?ok=list").as_str()), "{body}");
        let (_, body) = page(&w, worker, &base).await;
        assert!(body.contains("只有 2 项，少于 3 项") && body.contains("“网格化管理”没有里程碑"), "{body}");
        assert!(
            body.contains("“网格化管理”未写明措施")
                && !body.contains("年创新清单逾期提交")
                && !body.contains("年创新清单未提交"),
            "{body}"
        );
        let (status, _, body) = submit(&w, worker, &format!("{base}/lists"), &pairs).await;
        assert_eq!(status, StatusCode::CONFLICT, "one list a year: {body}");
        assert!(body.contains("请在该清单的页面修改"), "{body}");

        // kept current on its own page; a save over a changed list is refused
        let lid: i64 = store::testing::raw(w.store.read())
            .fetch_one::<(i64,)>("SELECT MAX(id) FROM innovation_list", &[])
            .await
            .unwrap()
            .0;
        let list_uri = format!("/campaigns/innovation/lists/{lid}");
        let (status, body) = page(&w, worker, &list_uri).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("内容简单应付") && body.contains("更新清单") && body.contains("期限"), "{body}");
        let seen = body.split("name=\"seen\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
        let (m2, m3) = (format!("{y}-09-30 全面推开"), format!("{y}-12-20 总结"));
        let mut pairs = vec![("year", year.as_str()), ("seen", "1")];
        pairs.extend(row("党建+政务服务", "设立党员代办岗", &m1, "done"));
        pairs.extend(row("网格化管理", "党员联系网格", &m2, "ongoing"));
        pairs.extend(row("党员先锋岗", "亮身份、作承诺", &m3, "planned"));
        let (status, _, body) = submit(&w, worker, &list_uri, &pairs).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("已被他人修改") && body.contains("党员先锋岗"), "{body}");
        pairs[1].1 = &seen;
        let (status, loc, body) = submit(&w, worker, &list_uri, &pairs).await;
        assert_eq!(
            (status, loc.as_str()),
            (StatusCode::SEE_OTHER, format!("{list_uri}?ok=list_saved").as_str()),
            "{body}"
        );
        let (_, body) = page(&w, dept, &base).await;
        assert!(!body.contains("只有 2 项") && !body.contains("未写明措施") && body.contains("符合要求"), "{body}");

        // an update for this period
        let period = Cadence::Quarter.period_of(today).key;
        let (status, _, body) = submit(
            &w,
            worker,
            &format!("{base}/updates"),
            &[("update_org", &town), ("period", "2026-13"), ("content", "设立代办岗 12 个")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("报送期间：") && body.contains("设立代办岗 12 个"), "{body}");
        let (status, _, body) = submit(
            &w,
            worker,
            &format!("{base}/updates"),
            &[("update_org", &town), ("period", &period), ("content", "设立代办岗 12 个")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, body) = page(&w, worker, &base).await;
        assert!(body.contains("设立代办岗 12 个") && body.contains(&period), "{body}");

        // the cadence is the county department's
        let (status, _, _) = submit(&w, worker, &format!("{base}/cadence"), &[("cadence", "month")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, body) = submit(&w, dept, &format!("{base}/cadence"), &[("cadence", "weekly")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _, _) = submit(&w, dept, &format!("{base}/cadence"), &[("cadence", "month")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, body) = page(&w, dept, &base).await;
        assert!(body.contains("创新动态每月报送一次"), "{body}");

        // a project: proposed by the worker, its gates held by the department in order
        let projects = format!("/campaigns/{c}/projects");
        let (status, _, body) = submit(&w, worker, &projects, &[("title", ""), ("summary", "以网格为单元")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("申报单位：") && body.contains("项目名称：") && body.contains("以网格为单元"), "{body}");
        let (status, loc, body) = submit(
            &w,
            worker,
            &projects,
            &[("org", &town), ("title", "党建引领网格治理"), ("summary", "以网格为单元")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let project_uri = loc.split('?').next().unwrap().to_string();
        let (_, body) = page(&w, dept, &project_uri).await;
        assert!(body.contains("已申报，待立项评审") && body.contains("登记立项评审"), "{body}");
        let gates = format!("{project_uri}/gates");
        let d = today.to_string();
        let (status, _, body) = submit(&w, dept, &gates, &gate("implementation", "passed", "", &d)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("须先通过立项评审"), "{body}");
        let (status, _, body) = submit(&w, dept, &gates, &gate("approval", "failed", "", &d)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("评审意见：未通过时须写明意见") && body.contains("王某、李某、张某"), "{body}");
        let (status, _, _) = submit(&w, worker, &gates, &gate("approval", "passed", "", &d)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a worker holds no gate");
        let (status, loc, body) = submit(&w, dept, &gates, &gate("approval", "passed", "", &d)).await;
        assert_eq!(
            (status, loc.as_str()),
            (StatusCode::SEE_OTHER, format!("{project_uri}?ok=gate").as_str()),
            "{body}"
        );
        let (_, body) = page(&w, worker, &project_uri).await;
        assert!(body.contains("已立项，待实施启动") && body.contains("立项评审") && body.contains("82"), "{body}");
        let (_, body) = page(&w, worker, &projects).await;
        assert!(body.contains("党建引领网格治理") && body.contains("已立项，待实施启动"), "{body}");
        let (_, body) = page(&w, worker, "/messages").await;
        assert!(body.contains("创新项目通过立项评审"), "{body}");

        // audited
        let actions: Vec<String> =
            store::audit::recent(&w.store, 200).await.unwrap().into_iter().map(|r| r.action).collect();
        for a in [
            "innovation.rule_add",
            "innovation.list_submit",
            "innovation.list_update",
            "innovation.update",
            "innovation.cadence",
            "innovation.project_propose",
            "innovation.gate",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
        }
        db.finish().await;
    }
}
