//! The compliance views of organization life: the subtree table (numbers, sorting), its `.xlsx`
//! roll-up, an organization's card with explained findings, the calendar, the stored findings of
//! the daily job and the home page's to-dos — on SQLite and PostgreSQL.
//!
//! Seeded for 2025 (every period over): 甲社区党支部 held its 主题党日 every month except March;
//! a second branch 甲村党支部 under 甲镇 held nothing.

use crate::common;

use axum::http::{header, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::{d, get, send, world, World};
use domain::account::Role;
use domain::org::{OrgInput, OrgKind, Sector};
use http_body_util::BodyExt;
use store::testing::TestDb;
use store::Scope;
use tower::ServiceExt;

/// 甲社区党支部's 主题党日 of 2025: every month but March; the record ids by month.
async fn seed(w: &World) -> (i64, Vec<(u32, i64)>) {
    let all = Scope::all();
    let quiet = OrgInput {
        name: "甲村党支部".into(),
        kind: Some(OrgKind::Branch),
        sector: Some(Sector::Community),
        ..Default::default()
    };
    let quiet = store::org::create(&w.store, &all, Some(w.town_a), &quiet, d("2026-11-21")).await.unwrap();
    let mut ids = Vec::new();
    for m in (1..=12).filter(|m| *m != 3) {
        let input = domain::life::RecordInput {
            types: vec!["theme_day".into()],
            title: format!("{m}月主题党日"),
            held_on: format!("2025-{m:02}-15"),
            place: "党员活动室".into(),
            host: "书记".into(),
            recorder: "委员".into(),
            minutes: "学习讨论".into(),
            expected: "2".into(),
            present: "2".into(),
            ..Default::default()
        };
        let saved = store::life::create(&w.store, &all, w.branch_a, &input, true).await.unwrap();
        ids.push((m, saved.id));
    }
    (quiet.id, ids)
}

/// The `<tr>` of the table holding `name`.
fn row<'a>(body: &'a str, name: &str) -> &'a str {
    let table = &body[body.find("<table class=\"life-table\">").expect("the table")..];
    let at = table.find(name).unwrap_or_else(|| panic!("no row for {name}"));
    let start = table[..at].rfind("<tr").unwrap();
    let end = at + table[at..].find("</tr>").unwrap();
    &table[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliance_views() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let (quiet, records) = seed(&w).await;
        let worker = &w.logins[&Role::PartyWorker];

        // the county's table: its child 甲镇 with the subtree's numbers, as the engine counts them
        let (status, _, body) =
            send(&w.app, get(&format!("/life/compliance?org={}&year=2025", w.county_a), &worker.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let town = store::org::get(&w.store, &Scope::all(), w.town_a).await.unwrap();
        let county = store::org::visible(&w.store, &Scope::all(), w.county_a).await.unwrap();
        let ev = store::life::evaluate(&w.store, &county, d("2025-01-01"), d("2025-12-31"), d("2026-11-21"), None)
            .await
            .unwrap();
        let (due, met, _, _) = ev.totals_under(&town.path);
        let r = row(&body, "中共甲镇委员会");
        assert!(r.contains(&format!("<td class=\"num\">{due}</td><td class=\"num\">{met}</td>")), "{r}");
        assert!(r.contains(&format!("/life/compliance?org={}&year=2025", w.town_a)), "drill-down link: {r}");
        assert!(r.contains(&format!("/orgs/{}/life?year=2025", w.town_a)), "card link: {r}");
        assert!(body.contains("<svg role=\"img\""), "the chart");
        assert!(body.contains("完成率最低的"), "the ranking");

        // the town's table: each branch's numbers by hand. A branch without a committee owes in
        // 2025: 支部党员大会 4, 党课 4, 主题党日 12, 组织生活会 1, 民主评议党员 1, 谈心谈话 1 = 23.
        let town_page = format!("/life/compliance?org={}&year=2025", w.town_a);
        let (_, _, body) = send(&w.app, get(&town_page, &worker.cookie)).await;
        let r = row(&body, "甲社区党支部");
        assert!(r.contains("<td class=\"num\">23</td><td class=\"num\">11</td>"), "{r}");
        assert!(r.contains("47.8%"), "{r}");
        assert!(row(&body, "甲村党支部").contains("<td class=\"num\">23</td><td class=\"num\">0</td>"));
        // the ranking names the silent branch first
        let ranking = &body[body.find("class=\"ranking\"").expect("ranking")..];
        assert!(ranking.find("甲村党支部").unwrap() < ranking.find("甲社区党支部").unwrap());
        // one quarter: March is missing, so the first quarter's 主题党日 is 2 of 3
        let (_, _, q1) =
            send(&w.app, get(&format!("/life/compliance?org={}&year=2025&quarter=1", w.town_a), &worker.cookie)).await;
        assert!(q1.contains("2025年第一季度"));
        // Q1: 支部党员大会 1, 党课 1, 主题党日 3 due; 2 met
        assert!(row(&q1, "甲社区党支部").contains("<td class=\"num\">5</td><td class=\"num\">2</td>"), "{q1}");

        // sorting by rate: ascending puts the silent branch first, descending last
        let order = |body: &str| {
            let t = &body[body.find("<table class=\"life-table\">").unwrap()..];
            t.find("甲村党支部").unwrap() < t.find("甲社区党支部").unwrap()
        };
        let (_, _, tree) = send(&w.app, get(&town_page, &worker.cookie)).await;
        assert!(!order(&tree), "tree order: 甲社区 was created first");
        let (_, _, asc) = send(&w.app, get(&format!("{town_page}&sort=rate"), &worker.cookie)).await;
        assert!(order(&asc));
        assert!(asc.contains("完成率 ↑"), "the sorted column is marked");
        let (_, _, desc) = send(&w.app, get(&format!("{town_page}&sort=rate&desc=1"), &worker.cookie)).await;
        assert!(!order(&desc));
        let (_, _, by_met) = send(&w.app, get(&format!("{town_page}&sort=met&desc=1"), &worker.cookie)).await;
        assert!(!order(&by_met));
        let (_, _, by_name) = send(&w.app, get(&format!("{town_page}&sort=name"), &worker.cookie)).await;
        assert!(by_name.contains("党组织 ↑"));

        // the quarterly roll-up as .xlsx, audited
        let req = get(&format!("/life/compliance.xlsx?org={}&year=2025&quarter=1", w.county_a), &worker.cookie);
        let res = w.app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains("dangjian-life-2025Q1.xlsx"));
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range("汇总").unwrap();
        let text = |r: u32, c: u32| sheet.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
        let theme = (0..sheet.width() as u32).find(|c| text(2, *c) == "主题党日").expect("主题党日 column");
        let branch = (4..sheet.height() as u32).find(|r| text(*r, 0) == "甲社区党支部").expect("branch row");
        assert_eq!(sheet.get_value((branch, theme)), Some(&Data::Float(3.0)));
        assert_eq!(sheet.get_value((branch, theme + 1)), Some(&Data::Float(2.0)));
        let problems = wb.worksheet_range("问题清单").unwrap();
        assert!((1..problems.height() as u32).any(|r| problems.get_value((r, 3)).is_some_and(|v| *v == "LIFE-07")
            && problems.get_value((r, 5)).is_some_and(|v| *v == "2025年3月")));
        let audit = store::audit::recent(&w.store, 5).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "life.export" && a.target == format!("org:{}", w.county_a)));

        // the card: a missing cell, the finding explained with its rule, links to counted records
        let card = format!("/orgs/{}/life?year=2025", w.branch_a);
        let (status, _, body) = send(&w.app, get(&card, &worker.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("class=\"cell st-missing\"") && body.contains(">未召开<"), "a 未召开 cell");
        assert!(body.contains("title=\"2025年3月：未召开"), "March's cell says what it is");
        assert!(body.contains(&format!("/life/records/{}", records[0].1)), "links to the counted records");
        let explain = &body[body.find("<details class=\"finding\">").expect("findings in details")..];
        assert!(explain.contains("<code>LIFE-07</code>") && explain.contains("支部工作条例"), "rule and source");
        assert!(explain.contains("2025年3月") && explain.contains("主题党日"));
        assert!(body.contains("/orgs/") && body.contains("?year=2024") && body.contains("?year=2026"), "year switcher");

        // the calendar: May's record on the 15th
        let (status, _, body) =
            send(&w.app, get(&format!("/life/calendar?org={}&month=2025-05", w.branch_a), &worker.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let may = records.iter().find(|(m, _)| *m == 5).unwrap().1;
        let day = &body[body.find("data-date=\"2025-05-15\"").expect("the 15th")..];
        let day = &day[..day.find("</td>").unwrap()];
        assert!(day.contains(&format!("/life/records/{may}")) && day.contains("5月主题党日"), "{day}");
        assert!(body.contains("month=2025-04") && body.contains("month=2025-06"), "previous and next month");
        assert!(body.contains("本月应完成") && body.contains("2025年5月"), "what falls due");

        // home before the daily job: it says so
        let (_, _, home) = send(&w.app, get("/", &worker.cookie)).await;
        assert!(home.contains("待办：组织生活") && home.contains("每日检查尚未运行"), "{home}");
        let (_, _, list) = send(&w.app, get("/life/findings", &worker.cookie)).await;
        assert!(list.contains("每日检查尚未运行"));

        // the daily job (judging 2025 and 2026 on 15 February 2026)
        let report = store::life::run_daily(&w.store, d("2026-02-15"), None).await.unwrap();
        assert!(report.findings > 0);
        let (_, _, home) = send(&w.app, get("/", &worker.cookie)).await;
        assert!(home.contains("待办：组织生活") && home.contains("未按期召开"), "{home}");
        assert!(home.contains("2026-02-15"), "when the job ran");
        assert!(home.contains(&format!("/life/findings?org={}", w.county_a)), "查看全部");
        assert!(home.contains(&format!("/orgs/{}/life?year=", w.branch_a)), "links to cards");
        // a 党务工作者 granted on 甲社区党支部 sees that branch's to-dos only
        let policy = domain::account::PasswordPolicy::default();
        let acc = store::account::create_account(
            &w.store,
            &Scope::all(),
            &store::account::NewAccount {
                username: "branch_worker".into(),
                display_name: "支部党务工作者".into(),
                password: common::PASSWORD.into(),
                grants: vec![(Role::PartyWorker, Some(w.branch_a))],
                ..Default::default()
            },
            &policy,
        )
        .await
        .unwrap();
        let bw = common::session_for(&w.store, acc.account.id, "branch_worker").await;
        let (_, _, home) = send(&w.app, get("/", &bw.cookie)).await;
        let todos = &home[home.find("待办：组织生活").unwrap()..];
        assert!(todos.contains(&format!("/orgs/{}/life?year=", w.branch_a)), "{todos}");
        assert!(!todos.contains("甲村党支部") && !todos.contains(&format!("/orgs/{quiet}/life")), "{todos}");

        // the stored findings, by kind, each explained
        let (status, _, body) =
            send(&w.app, get(&format!("/life/findings?org={}&kind=missing", w.county_a), &worker.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("<code>LIFE-07</code>") && body.contains("2026-02-15"), "{body}");
        assert!(!body.contains("<span class=\"kind\">静默组织</span>"), "one kind only");
        assert!(body.contains(&format!("/orgs/{}/life?year=2025", w.branch_a)), "the org links to its card");

        // out of scope: a sibling county's organizations answer 404
        for uri in [
            format!("/life/compliance?org={}", w.county_b),
            format!("/life/compliance.xlsx?org={}", w.county_b),
            format!("/orgs/{}/life", w.branch_b),
            format!("/life/calendar?org={}", w.branch_b),
            format!("/life/findings?org={}", w.county_b),
        ] {
            assert_eq!(send(&w.app, get(&uri, &worker.cookie)).await.0, StatusCode::NOT_FOUND, "{uri}");
        }

        // a 党员 sees their branch's card, and nothing above it
        let member = &w.logins[&Role::Member];
        let (status, _, body) = send(&w.app, get(&card, &member.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(">未召开<") && !body.contains("登记会议"), "read only");
        let (status, _, _) = send(&w.app, get(&format!("/orgs/{}/life", w.town_a), &member.cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, body) = send(&w.app, get("/life/compliance?year=2025", &member.cookie)).await;
        assert_eq!(status, StatusCode::OK, "their branch by default");
        assert!(body.contains("甲社区党支部"));
        db.finish().await;
    }
}

/// REC-13: a record kept without its signed 签到表 or photos is a finding on the card naming the
/// rule; once a file is kept with it, the finding is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rec_13_a_record_without_attachments_is_a_finding_until_one_is_kept() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let (_, records) = seed(&w).await;
        let worker = &w.logins[&Role::PartyWorker];
        let card = format!("/orgs/{}/life?year=2025", w.branch_a);
        let findings = |body: &str| body[body.find("发现的问题").expect("findings")..].to_string();
        // March's 主题党日, entered late and still a draft: files may still be added to it
        let input = domain::life::RecordInput {
            types: vec!["theme_day".into()],
            title: "3月主题党日".into(),
            held_on: "2025-03-20".into(),
            place: "党员活动室".into(),
            host: "书记".into(),
            recorder: "委员".into(),
            minutes: "学习讨论".into(),
            expected: "2".into(),
            present: "2".into(),
            ..Default::default()
        };
        let march = store::life::create(&w.store, &Scope::all(), w.branch_a, &input, false).await.unwrap().id;

        // every record was kept without any file: one REC-13 finding each
        let (status, _, body) = send(&w.app, get(&card, &worker.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let found = findings(&body);
        assert_eq!(found.matches("<code>REC-13</code>").count(), records.len() + 1, "{found}");
        assert!(found.contains("“3月主题党日”未上传签到表、照片等附件"), "{found}");
        assert!(found.contains("未上传签到表等附件"), "the kind is named");

        // the signed 签到表 kept with March's record: its finding is gone, the others remain
        store::life::add_attachment(&w.store, &Scope::all(), march, "签到表.pdf", b"%PDF-1.4\n%signed\n")
            .await
            .unwrap();
        let (_, _, body) = send(&w.app, get(&card, &worker.cookie)).await;
        let found = findings(&body);
        assert_eq!(found.matches("<code>REC-13</code>").count(), records.len(), "{found}");
        assert!(!found.contains("“3月主题党日”未上传"), "{found}");
        db.finish().await;
    }
}

/// The printed compliance card: the year chosen as on the card, each type's cells, the findings
/// with their rule IDs, printed on and by; the card links to it; a sibling's sheet is not found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compliance_card_prints_on_one_landscape_sheet() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let (_, records) = seed(&w).await;
        let worker = &w.logins[&Role::PartyWorker];

        // the card offers the sheet of the year it shows
        let (_, _, card) = send(&w.app, get(&format!("/orgs/{}/life?year=2025", w.branch_a), &worker.cookie)).await;
        let print = format!("/orgs/{}/life/print?year=2025", w.branch_a);
        assert!(card.contains(&format!("href=\"{print}\">打印</a>")), "{card}");

        let (status, _, body) = send(&w.app, get(&print, &worker.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let sheet = &body[body.find("<article class=\"print-sheet print-landscape\">").expect("the sheet")..];
        assert!(sheet.contains("<h1>组织生活合规卡片</h1>"));
        assert!(
            sheet.contains("中共甲县委 / 中共甲镇委员会 / 甲社区党支部 · 2025年度"),
            "the chain and the year: {sheet}"
        );
        // each type's cells: March's 主题党日 missed, the others held, with their dates
        assert!(sheet.contains("title=\"2025年3月：未召开（LIFE-07）\""), "{sheet}");
        assert!(sheet.contains("title=\"2025年5月：已召开（LIFE-07）\""));
        assert!(sheet.contains(">5月15日<"), "the counted record's date");
        for ty in ["主题党日", "支部党员大会", "组织生活会"] {
            assert!(sheet.contains(&format!("class=\"type\">{ty}</th>")), "{ty}");
        }
        // the findings with their rule IDs, in a table that prints
        let findings = &sheet[sheet.find("发现的问题").unwrap()..];
        assert!(findings.contains("<code>LIFE-07</code>") && findings.contains("2025年3月应召开主题党日"));
        assert!(findings.contains("<code>LIFE-01</code>") && findings.contains("<code>REC-13</code>"));
        assert!(!findings.contains("<details"), "nothing folded away on paper");
        // printed on and by, for the archive
        let today = web_core::pages::today().format("%Y年%m月%d日").to_string();
        assert!(sheet.contains(&format!("打印日期：{today}")) && sheet.contains("打印人："), "{sheet}");
        assert!(body.contains(&format!("/orgs/{}/life?year=2025", w.branch_a)), "back to the card");
        assert!(!sheet.contains(&format!("/life/records/{}", records[0].1)), "dates, not links, on paper");

        // another year, as on the card; a sibling county's branch is not found; a 党员 reads theirs
        let (status, _, body) =
            send(&w.app, get(&format!("/orgs/{}/life/print?year=2024", w.branch_a), &worker.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("甲社区党支部 · 2024年度"));
        let (status, _, _) =
            send(&w.app, get(&format!("/orgs/{}/life/print?year=2025", w.branch_b), &worker.cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let member = &w.logins[&Role::Member];
        let (status, _, body) = send(&w.app, get(&print, &member.cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("甲社区党支部 · 2025年度"), "{body}");
        db.finish().await;
    }
}
