//! A campaign's tasks through the pages, on SQLite and PostgreSQL: the county's 组织部 assigns a
//! quantified task to its townships (a bad form is shown again with what was typed and each
//! problem beside its field), splits the township's share among its branches (shares that do not
//! add up are refused, naming the field), a 党务工作者 reports progress with a photo (the county is
//! told), the report is returned with a reason (the worker is told) and accepted when reported
//! again; the evidence downloads; the board lists what is given, assigned, overdue and returned,
//! a page at a time; a dispatch round lists the tasks overdue on its date. Every write is audited.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{form, get, post, send, World};
use domain::account::Role;
use store::testing::TestDb;
use store::Scope;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000";

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

/// Report progress as `role` with text fields and files (multipart).
async fn report(
    w: &World,
    role: Role,
    assignment: i64,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (StatusCode, String, String) {
    let l = &w.logins[&role];
    let boundary = "----djtask";
    let mut body = Vec::new();
    for (k, v) in [("csrf", l.csrf.as_str())].iter().chain(fields.iter()) {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/campaigns/tasks/assignments/{assignment}/report"))
        .header(header::COOKIE, &l.cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let (status, h, body) = send(&w.app, req).await;
    let loc = h.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, loc, body)
}

fn id_after(loc: &str, prefix: &str) -> i64 {
    loc.strip_prefix(prefix)
        .and_then(|r| r.split(['?', '/', '#']).next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("{loc}"))
}

async fn last_action(w: &World) -> String {
    store::audit::recent(&w.store, 1).await.unwrap().remove(0).action
}

/// County A's campaign over its townships (2026), with a standard that reads task completion.
async fn campaign(w: &World) -> i64 {
    let all = Scope::all();
    let org = store::org::visible(&w.store, &all, w.county_a).await.unwrap();
    let v = domain::campaign::CampaignInput {
        name: "甲县基层组织建设年".into(),
        kind: "foundation_year".into(),
        starts_on: "2026-01-01".into(),
        ends_on: "2026-12-31".into(),
        takes_part: "level".into(),
        depth: "1".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let c = store::campaign::create(&w.store, &all, &org, &v, &[], &[]).await.unwrap();
    let std = domain::campaign::indicator::StandardInput::from_lines(
        "2026-01-01",
        "",
        "tasks|任务完成率|task_completion||100|linear|100",
    )
    .validate()
    .unwrap();
    store::campaign::standard::add(&w.store, &all, c.id, &std).await.unwrap();
    c.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_from_assignment_to_accepted_progress() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let dept = Role::OrgDeptAdmin;
        let worker = Role::PartyWorker;
        let c = campaign(&w).await;
        let board = format!("/campaigns/{c}/tasks");

        // the board and its form; a bad form shown again with what was typed
        let (status, body) = page(&w, dept, &board).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("布置任务") && body.contains("交办本单位") && body.contains("中共甲县委"), "{body}");
        let (_, body) = page(&w, dept, &format!("/campaigns/{c}")).await;
        assert!(body.contains(&format!("href=\"/campaigns/{c}/tasks\"")), "the campaign's tabs link the tasks");
        let county = w.county_a.to_string();
        let (status, _, body) = submit(
            &w,
            dept,
            &board,
            &[
                ("org", &county),
                ("content", ""),
                ("target", "-1"),
                ("unit", "个"),
                ("due_on", "2027-03-01"),
                ("measures", "整合村级阵地资源"),
                ("assign", "level"),
                ("depth", "1"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("任务内容：") && body.contains("目标数值：") && body.contains("责任人："), "{body}");
        assert!(body.contains("整合村级阵地资源"), "what was typed is kept");
        let (status, _, body) = submit(
            &w,
            dept,
            &board,
            &[
                ("org", &county),
                ("content", "建成村级党群服务站"),
                ("target", "3"),
                ("unit", "个"),
                ("due_on", "2027-03-01"),
                ("responsible", "县委组织部 王某"),
                ("assign", "level"),
                ("depth", "1"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("完成期限：") && body.contains("不在活动期间"), "{body}");

        // assigned to the township
        let (status, loc, body) = submit(
            &w,
            dept,
            &board,
            &[
                ("org", &county),
                ("content", "建成村级党群服务站"),
                ("target", "3"),
                ("unit", "个"),
                ("due_on", "2026-12-31"),
                ("measures", "整合村级阵地资源"),
                ("responsible", "县委组织部 王某"),
                ("assign", "level"),
                ("depth", "1"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let task = id_after(&loc, "/campaigns/tasks/");
        assert_eq!(last_action(&w).await, "campaign_task.create");
        let (status, body) = page(&w, dept, &loc).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains("已布置任务") && body.contains("中共甲镇委员会") && body.contains("任务量 3个"),
            "{body}"
        );
        assert!(body.contains("报送进展") && body.contains("分解给下级"), "{body}");
        let (_, _, seen) = store::campaign::task::get(&w.store, &Scope::all(), task).await.unwrap();
        let town = seen[0].id;

        // the township's share split among its branches: the shares must add up
        let split = format!("/campaigns/tasks/assignments/{town}/cascade");
        let share = format!("share_{}", w.branch_a);
        let (status, _, body) =
            submit(&w, dept, &split, &[(share.as_str(), "2"), ("responsible", "镇党委 李某")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("分解任务量：") && body.contains("合计 2个，应等于本单位承担的 3个"), "{body}");
        let (status, loc, body) =
            submit(&w, dept, &split, &[(share.as_str(), "3"), ("responsible", "镇党委 李某")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(last_action(&w).await, "campaign_task.cascade");
        let sub = id_after(&loc, "/campaigns/tasks/");
        let (_, body) = page(&w, dept, &loc).await;
        assert!(body.contains("甲社区党支部") && body.contains("分解自"), "{body}");
        let (status, _, _) = submit(&w, dept, &split, &[(share.as_str(), "3"), ("responsible", "某")]).await;
        assert_eq!(status, StatusCode::CONFLICT, "split once");
        assert_ne!(sub, task);

        // a worker reports progress with a photo; the county's 组织部 is told
        let (status, _, body) = report(&w, worker, town, &[("value", "1")], &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("进展说明"), "{body}");
        let (status, loc, body) =
            report(&w, worker, town, &[("value", "1"), ("note", "已选址 1 处")], &[("选址.png", PNG)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(loc.ends_with(&format!("#a{town}")), "{loc}");
        assert_eq!(last_action(&w).await, "campaign_task.report");
        let (_, body) = page(&w, dept, "/messages").await;
        assert!(body.contains("中共甲镇委员会 报送了任务进展"), "{body}");
        let (_, body) = page(&w, dept, &loc).await;
        assert!(body.contains("选址.png") && body.contains("审核通过") && body.contains("已选址 1 处"), "{body}");
        let file = {
            let i =
                body.find("/campaigns/tasks/evidence/").expect("an evidence link") + "/campaigns/tasks/evidence/".len();
            body[i..].split('"').next().unwrap().to_string()
        };
        let (status, h, bytes) =
            send(&w.app, get(&format!("/campaigns/tasks/evidence/{file}"), &w.logins[&worker].cookie)).await;
        assert_eq!((status, h.get(header::CONTENT_TYPE).unwrap().to_str().unwrap()), (StatusCode::OK, "image/png"));
        assert!(bytes.starts_with("\u{fffd}PNG"), "the picture itself");

        // returned with a reason (one is needed); the worker is told
        let decide = format!("/campaigns/tasks/assignments/{town}/decide");
        let (status, _, body) = submit(&w, dept, &decide, &[("decision", "return"), ("reason", "")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("退回理由"), "{body}");
        let (status, _, body) = submit(&w, worker, &decide, &[("decision", "accept")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a worker does not decide: {body}");
        let (status, _, body) =
            submit(&w, dept, &decide, &[("decision", "return"), ("reason", "缺少选址照片说明")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let recent: Vec<String> =
            store::audit::recent(&w.store, 2).await.unwrap().into_iter().map(|r| r.action).collect();
        assert_eq!(recent, ["message.post", "campaign_task.return"], "the decision, then its message");
        let (_, body) = page(&w, worker, "/messages").await;
        assert!(body.contains("任务进展被退回"), "{body}");
        let (_, body) = page(&w, worker, &format!("{board}?org={}&tab=overdue", w.town_a)).await;
        assert!(body.contains("被退回待重报"), "{body}");

        // reported again as done, with its evidence, and accepted
        let (status, _, body) =
            report(&w, worker, town, &[("value", "3"), ("done", "1"), ("note", "3 个站点已建成")], &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("佐证材料"), "{body}");
        let (status, _, body) = report(
            &w,
            worker,
            town,
            &[("value", "3"), ("done", "1"), ("note", "3 个站点已建成")],
            &[("验收.png", PNG), ("台账.png", PNG)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (status, _, body) = submit(&w, dept, &decide, &[("decision", "accept")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(last_action(&w).await, "campaign_task.accept");
        let (_, body) = page(&w, dept, &format!("{board}?tab=assigned")).await;
        assert!(body.contains("建成村级党群服务站"), "{body}");
        let (_, body) = page(&w, dept, &format!("/campaigns/tasks/{task}")).await;
        assert!(body.contains("已完成 1 个") && body.contains("3 / 3个"), "{body}");

        // overdue, both directions, and a dispatch round as of a date past the deadline
        let all = Scope::all();
        let org = store::org::visible(&w.store, &all, w.county_a).await.unwrap();
        let late = domain::campaign::task::TaskInput {
            content: "召开党建述职评议会".into(),
            due_on: "2026-06-30".into(),
            responsible: "县委组织部".into(),
            assign: "level".into(),
            depth: "1".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        store::campaign::task::create(&w.store, &all, c, &org, &late, &[], on).await.unwrap();
        let (_, body) = page(&w, dept, &format!("{board}?tab=overdue")).await;
        assert!(body.contains("召开党建述职评议会") && body.contains("逾期"), "{body}");
        let (status, loc, body) = submit(&w, dept, &format!("/campaigns/{c}/rounds"), &[("as_on", "2026-07-15")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, body) = page(&w, dept, &loc).await;
        assert!(
            body.contains("逾期任务") && body.contains("召开党建述职评议会") && body.contains("中共甲镇委员会"),
            "{body}"
        );
        assert!(body.contains("党建规划进展") && body.contains("没有已批准"), "{body}");

        // the township's approved plan, in the next round
        let town = store::org::visible(&w.store, &all, w.town_a).await.unwrap();
        let input = domain::campaign::plan::PlanInput {
            kind: "annual".into(),
            title: "甲镇2026年党建工作计划".into(),
            from_year: "2026".into(),
            targets: domain::campaign::plan::targets_from_lines("示范点|demo_sites|county|1|2026-12-31"),
            ..Default::default()
        };
        let p = store::campaign::plan::create(&w.store, &all, &town, &input.validate().unwrap()).await.unwrap();
        let p = store::campaign::plan::submit(&w.store, &all, p.id, p.version).await.unwrap();
        store::campaign::plan::review(&w.store, &all, p.id, true, "").await.unwrap();
        let today = web_core::pages::today().to_string();
        let (status, loc, body) = submit(&w, dept, &format!("/campaigns/{c}/rounds"), &[("as_on", &today)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, body) = page(&w, dept, &loc).await;
        assert!(
            body.contains("甲镇2026年党建工作计划")
                && body.contains(&format!("/plans/{}", p.id))
                && body.contains("0 / 1"),
            "{body}"
        );
        let (_, body) = page(&w, dept, &format!("/campaigns/{c}/standard")).await;
        assert!(body.contains("任务完成率"), "the registry offers the source");
        assert!(store::audit::verify(&w.store).await.unwrap().ok());
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_is_paged_and_others_see_nothing() {
    let db = TestDb::sqlite().await;
    let w = common::world(&db.store).await;
    let c = campaign(&w).await;
    let all = Scope::all();
    let org = store::org::visible(&w.store, &all, w.county_a).await.unwrap();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    for i in 0..31 {
        let v = domain::campaign::task::TaskInput {
            content: format!("翻页任务{i:02}"),
            due_on: "2026-12-31".into(),
            responsible: "县委组织部".into(),
            assign: "level".into(),
            depth: "1".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        store::campaign::task::create(&w.store, &all, c, &org, &v, &[], on).await.unwrap();
    }
    let uri = format!("/campaigns/{c}/tasks?tab=assigned");
    for (asked, shown) in [("99999", 2), ("0", 1), ("abc", 1)] {
        let (status, body) = page(&w, Role::OrgDeptAdmin, &format!("{uri}&page={asked}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(&format!("第 {shown} / 2 页")), "{asked}: {body}");
    }
    let (_, body) = page(&w, Role::OrgDeptAdmin, &format!("{uri}&page=2")).await;
    assert!(body.contains("翻页任务30") && !body.contains("翻页任务00"), "{body}");
    // a 党员 has no campaign rights; a board of an organization outside the campaign is not found
    let (status, _) = page(&w, Role::Member, &uri).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = page(&w, Role::OrgDeptAdmin, &format!("{uri}&org={}", w.county_b)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    db.finish().await;
}
