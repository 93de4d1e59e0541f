//! A campaign's tasks and innovation work, 跟岗学习 nominations and 党建规划 through the JSON API,
//! on SQLite and PostgreSQL, one journey a part: made, read, acted on (the state moving as on the
//! pages), bad input answered 422 with each problem naming its field in Chinese, a record outside
//! the caller's scope 404 like a missing one, a role without the permission 403, and every write
//! in the audit trail under the token that made it.

use crate::common;

use axum::http::{header, HeaderMap, Method, StatusCode};
use base64::Engine;
use chrono::Datelike;
use common::{send, World};
use domain::account::Role;
use domain::member::{Category, MemberInput};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use store::testing::TestDb;
use store::Scope;
use tower::ServiceExt;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000";

async fn call(w: &World, role: Role, method: Method, uri: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
    let token = common::api_token(w, role).await;
    let body = if body.is_null() { String::new() } else { body.to_string() };
    let (status, headers, text) = send(&w.app, common::api_request(method, uri, &token, &body)).await;
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(w: &World, role: Role, uri: &str) -> (StatusCode, Value) {
    let (s, _, v) = call(w, role, Method::GET, uri, Value::Null).await;
    (s, v)
}

async fn post(w: &World, role: Role, uri: &str, body: Value) -> (StatusCode, Value) {
    let (s, _, v) = call(w, role, Method::POST, uri, body).await;
    (s, v)
}

/// The fields of a 422's `errors`, and that every message is in Chinese.
fn fields(v: &Value) -> Vec<String> {
    let errs = v["errors"].as_array().unwrap_or_else(|| panic!("no errors: {v}"));
    for e in errs {
        let m = e["message"].as_str().unwrap_or("");
        assert!(m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "a Chinese message: {e}");
    }
    errs.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect()
}

fn has(v: &Value, field: &str, part: &str) -> bool {
    v["errors"].as_array().is_some_and(|a| {
        a.iter().any(|e| e["field"] == field && e["message"].as_str().is_some_and(|m| m.contains(part)))
    })
}

/// The latest audit records hold `action` on `target`, written through an API token.
async fn audited(w: &World, action: &str, target: &str) {
    let recent = store::audit::recent(&w.store, 6).await.unwrap();
    assert!(
        recent.iter().any(|r| r.action == action && r.target == target && r.role.contains("API 令牌")),
        "{action} on {target} in {:?}",
        recent.iter().map(|r| (&r.action, &r.target, &r.role)).collect::<Vec<_>>()
    );
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id: {v}"))
}

/// County A's campaign over its township, this year and the next (so the journeys hold on any
/// day).
async fn campaign(w: &World, issuer: i64, name: &str) -> i64 {
    let y = web_core::pages::today().year();
    let all = Scope::all();
    let org = store::org::visible(&w.store, &all, issuer).await.unwrap();
    let v = domain::campaign::CampaignInput {
        name: name.into(),
        kind: "innovation".into(),
        starts_on: format!("{y}-01-01"),
        ends_on: format!("{}-12-31", y + 1),
        takes_part: "level".into(),
        depth: "1".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    store::campaign::create(&w.store, &all, &org, &v, &[], &[]).await.unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_through_the_api() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        let y = web_core::pages::today().year() + 1;
        let c = campaign(&w, w.county_a, "甲县基层组织建设年").await;
        let board = format!("/api/v1/campaigns/{c}/tasks");

        // bad input: every problem at once, each naming its field
        let (s, v) = post(
            &w,
            dept,
            &board,
            json!({"org_id": w.county_a, "content": "", "target": -1, "unit": "个", "due_on": "明年", "assign": "level", "colour": "红"}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let f = fields(&v);
        for field in ["任务内容", "目标数值", "完成期限", "责任人", "colour"] {
            assert!(f.iter().any(|x| x == field), "{field} in {v}");
        }
        let (s, v) = post(&w, dept, &board, json!({"content": "x", "target": "十二"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(has(&v, "布置单位", "org_id") && has(&v, "目标数值", "应为大于 0 的数"), "{v}");
        // a worker may not assign
        assert_eq!(post(&w, worker, &board, json!({})).await.0, StatusCode::FORBIDDEN);

        // assigned to the township
        let due = format!("{y}-06-30");
        let (s, h, v) = call(
            &w,
            dept,
            Method::POST,
            &board,
            json!({"org_id": w.county_a, "content": "建设党员群众服务站", "target": 4, "unit": "个",
                   "due_on": due, "responsible": "组织科 王某", "assign": "level", "depth": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let task = id(&v);
        assert_eq!(h[header::LOCATION], format!("/api/v1/campaigns/tasks/{task}").as_str());
        assert_eq!((v["target"].as_str(), v["target_text"].as_str()), (Some("4"), Some("4个")));
        audited(&w, "campaign_task.create", &format!("campaign_task:{task}")).await;

        // the board: the county's assigned list, the township's own list
        let (s, v) = get(&w, dept, &format!("{board}?tab=assigned")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["tab"].as_str(), v["counts"]["assigned"].as_i64()), (Some("assigned"), Some(1)), "{v}");
        assert_eq!(v["assigned"][0]["task"]["id"], task);
        assert!(v["mine"].as_array().unwrap().is_empty() && v["can_assign"] == true, "{v}");
        let (s, v) = get(&w, worker, &format!("{board}?org={}", w.town_a)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let mine = &v["mine"][0];
        assert_eq!((mine["org_id"].as_i64(), mine["status"].as_str()), (Some(w.town_a), Some("open")), "{v}");
        let a = id(mine);
        assert_eq!(get(&w, worker, &format!("{board}?tab=late")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, v) = get(&w, dept, &format!("/api/v1/campaigns/tasks/{task}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["total"], 1);
        let section = &v["assignments"][0];
        assert_eq!((section["assignment"]["id"].as_i64(), &section["can_split"]), (Some(a), &json!(true)), "{v}");

        // split among the township's branches: shares that do not add up are refused
        let cascade = format!("/api/v1/campaigns/tasks/assignments/{a}/cascade");
        let (s, v) = post(
            &w,
            dept,
            &cascade,
            json!({"shares": [{"org_id": w.branch_a, "share": 3}], "responsible": "镇党委 李某"}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "分解任务量", "应等于本单位承担的 4个"), "{v}");
        let (s, v) = post(&w, dept, &cascade, json!({"shares": [{"org_id": w.branch_a}], "responsible": "李某"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "分解任务量", "任务量：不能为空"), "{v}");
        let (s, v) = post(
            &w,
            dept,
            &cascade,
            json!({"shares": [{"org_id": w.branch_a, "share": "4"}], "responsible": "镇党委 李某"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let split = id(&v);
        assert_eq!((v["parent_assignment_id"].as_i64(), v["org_id"].as_i64()), (Some(a), Some(w.town_a)));
        audited(&w, "campaign_task.cascade", &format!("campaign_task:{split}")).await;

        // progress with a photo; a file that is not base64 names the evidence
        let report = format!("/api/v1/campaigns/tasks/assignments/{a}/report");
        let b64 = base64::engine::general_purpose::STANDARD.encode(PNG);
        let (s, v) = post(
            &w,
            worker,
            &report,
            json!({"value": 2, "note": "", "files": [{"name": "现场.png", "content": "不是base64"}]}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "佐证材料", "Base64") && has(&v, "进展说明", "不能为空"), "{v}");
        let (s, v) = post(&w, worker, &report, json!({"done": true, "note": "已全部建成"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "佐证材料", "须附佐证材料"), "a report of completion needs evidence: {v}");
        let (s, v) = post(
            &w,
            worker,
            &report,
            json!({"value": 2, "note": "两个站点已建成", "files": [{"name": "现场.png", "content": b64}]}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["assignment"]["status"], "reported");
        let r = &v["reports"][0];
        assert_eq!((r["value"].as_str(), r["decision"].as_str()), (Some("2"), Some("pending")), "{v}");
        let href = r["evidence"][0]["href"].as_str().unwrap().to_string();
        audited(&w, "campaign_task.report", &format!("task_report:{}", id(r))).await;
        let token = common::api_token(&w, dept).await;
        let res = w.app.clone().oneshot(common::api_request(Method::GET, &href, &token, "")).await.unwrap();
        assert_eq!(
            (res.status(), res.headers()[header::CONTENT_TYPE].to_str().unwrap()),
            (StatusCode::OK, "image/png")
        );
        assert_eq!(res.into_body().collect().await.unwrap().to_bytes().as_ref(), PNG);
        // one report waits: another is refused
        let (s, v) = post(&w, worker, &report, json!({"value": 3, "note": "又建成一个"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("等待布置单位审核"), "{v}");

        // returned with a reason (a return without one names it), reported again, accepted
        let decide = format!("/api/v1/campaigns/tasks/assignments/{a}/decide");
        assert_eq!(post(&w, worker, &decide, json!({"accept": true})).await.0, StatusCode::FORBIDDEN);
        let (s, v) = post(&w, dept, &decide, json!({"accept": false})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "退回理由", "退回时须写明理由"), "{v}");
        let (s, v) = post(&w, dept, &decide, json!({"accept": false, "reason": "照片看不清"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            (v["assignment"]["status"].as_str(), v["reports"][0]["reason"].as_str()),
            (Some("returned"), Some("照片看不清"))
        );
        audited(&w, "campaign_task.return", &format!("task_report:{}", id(&v["reports"][0]))).await;
        let (s, v) = post(
            &w,
            worker,
            &report,
            json!({"value": "4", "done": true, "note": "四个站点均已建成", "files": [{"name": "验收.png", "content": b64}]}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, v) = post(&w, dept, &decide, json!({"accept": true})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            (v["assignment"]["complete"].as_bool(), v["assignment"]["progress"].as_str()),
            (Some(true), Some("4")),
            "{v}"
        );
        audited(&w, "campaign_task.accept", &format!("task_report:{}", id(&v["reports"][0]))).await;
        let (s, v) = post(&w, dept, &decide, json!({"accept": true})).await;
        assert_eq!(s, StatusCode::CONFLICT, "nothing waits: {v}");

        // county B's task and its parts are not found, like missing ones
        let cb = campaign(&w, w.county_b, "乙县基层组织建设年").await;
        let (t_b, a_b, e_b) = common::task_target(&w, cb, w.county_b, w.branch_b).await;
        for uri in [
            format!("/api/v1/campaigns/{cb}/tasks"),
            format!("/api/v1/campaigns/tasks/{t_b}"),
            format!("/api/v1/campaigns/tasks/evidence/{e_b}"),
        ] {
            assert_eq!(get(&w, worker, &uri).await.0, StatusCode::NOT_FOUND, "{uri}");
        }
        let uri = format!("/api/v1/campaigns/tasks/assignments/{a_b}/report");
        assert_eq!(post(&w, worker, &uri, json!({"note": "越界"})).await.0, StatusCode::NOT_FOUND);
        let uri = format!("/api/v1/campaigns/tasks/assignments/{a_b}/decide");
        assert_eq!(post(&w, dept, &uri, json!({"accept": true})).await.0, StatusCode::NOT_FOUND);
        // a 党员 reads no campaigns
        assert_eq!(get(&w, Role::Member, &board).await.0, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn innovation_through_the_api() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        let today = web_core::pages::today();
        let y = today.year();
        let c = campaign(&w, w.county_a, "甲县创新型党组织创建").await;
        let base = format!("/api/v1/campaigns/{c}");

        // a list with a bad milestone and an unknown status: each problem names its field
        let lists = format!("{base}/innovation/lists");
        let (s, v) = post(
            &w,
            worker,
            &lists,
            json!({"org_id": w.town_a, "year": y, "items": [
                {"title": "党建+政务服务", "measures": "设立党员代办岗", "milestones": [format!("{y}-06-31 完成试点")], "status": "半途"}
            ]}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "里程碑", "第 1 项") && has(&v, "状态", "第 1 项"), "{v}");
        let (s, v) = post(&w, worker, &lists, json!({"items": "一项"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "党组织", "org_id") && has(&v, "清单条目", "应为一个列表"), "{v}");

        // a thin list: saved, and found perfunctory
        let (s, h, v) = call(
            &w,
            worker,
            Method::POST,
            &lists,
            json!({"org_id": w.town_a, "year": y, "items": [
                {"title": "党建+政务服务", "measures": "设立党员代办岗", "milestones": [format!("{y}-06-30 完成试点")], "status": "ongoing"},
                {"title": "网格化管理"}
            ]}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let list = id(&v);
        assert_eq!(h[header::LOCATION], format!("/api/v1/campaigns/innovation/lists/{list}").as_str());
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        assert!(v["perfunctory"].as_array().unwrap().iter().any(|p| p["rule_id"] == "INNO-02"), "{v}");
        audited(&w, "innovation.list_submit", &format!("innovation_list:{list}")).await;
        let (s, v) =
            post(&w, worker, &lists, json!({"org_id": w.town_a, "year": y, "items": [{"title": "再交一份"}]})).await;
        assert!(s == StatusCode::CONFLICT || s == StatusCode::UNPROCESSABLE_ENTITY, "one list a year: {s} {v}");

        // kept current at the version read: without it 422, with an old one 409
        let one = format!("/api/v1/campaigns/innovation/lists/{list}");
        let (s, v) = get(&w, worker, &one).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let version = v["version"].as_i64().unwrap();
        let three = json!([
            {"title": "党建+政务服务", "measures": "设立党员代办岗", "milestones": [format!("{y}-06-30 完成试点")]},
            {"title": "网格化管理", "measures": "划分网格", "milestones": [format!("{y}-09-30 全覆盖")]},
            {"title": "红色物业", "measures": "物业党支部", "milestones": [format!("{y}-12-31 建成")]}
        ]);
        let (s, _, v) = call(&w, worker, Method::PUT, &one, json!({"items": three})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "版本", "version"), "{v}");
        let (s, _, v) = call(&w, worker, Method::PUT, &one, json!({"version": version, "items": three})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["items"].as_array().unwrap().len(), 3);
        assert!(v["perfunctory"].as_array().unwrap().is_empty(), "{v}");
        audited(&w, "innovation.list_update", &format!("innovation_list:{list}")).await;
        let (s, _, v) = call(&w, worker, Method::PUT, &one, json!({"version": version, "items": three})).await;
        assert_eq!(s, StatusCode::CONFLICT, "changed meanwhile: {v}");

        // an update for this quarter (the cadence unless the issuer sets another)
        let period = format!("{y}-Q{}", today.month0() / 3 + 1);
        let updates = format!("{base}/innovation/updates");
        let (s, v) = post(&w, worker, &updates, json!({"org_id": w.town_a, "period": "明年"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (s, v) =
            post(&w, worker, &updates, json!({"org_id": w.town_a, "period": period, "content": "代办岗办理 12 件"}))
                .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        audited(&w, "innovation.update", &format!("innovation_update:{}", id(&v))).await;

        // the overview as the issuer's side reads it
        let (s, v) = get(&w, dept, &format!("{base}/innovation?on={today}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["org_id"].as_i64(), v["cadence"].as_str()), (Some(w.county_a), Some("quarter")), "{v}");
        let town = v["participants"].as_array().unwrap().iter().find(|p| p["org_id"] == w.town_a).cloned().unwrap();
        assert_eq!((town["list"]["id"].as_i64(), town["updates"].as_i64()), (Some(list), Some(1)), "{v}");
        assert!(v["rules_in_force"].as_array().unwrap().iter().any(|r| r["rule_id"] == "INNO-01"), "{v}");
        assert_eq!(v["updates"][0]["content"], "代办岗办理 12 件");
        assert_eq!(get(&w, dept, &format!("{base}/innovation?on=昨天")).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        // a project proposed, then held through its first gate
        let projects = format!("{base}/projects");
        let (s, v) = post(&w, worker, &projects, json!({"org_id": w.town_a, "title": ""})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "项目名称", "不能为空"), "{v}");
        let (s, h, v) = call(
            &w,
            worker,
            Method::POST,
            &projects,
            json!({"org_id": w.town_a, "title": "智慧党建平台", "summary": "线上三会一课"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let project = v["project"]["id"].as_i64().unwrap();
        assert_eq!(h[header::LOCATION], format!("/api/v1/campaigns/projects/{project}").as_str());
        assert_eq!(
            (v["project"]["stage"].as_str(), v["project"]["next_gate"].as_str()),
            (Some("proposal"), Some("approval"))
        );
        audited(&w, "innovation.project_propose", &format!("innovation_project:{project}")).await;
        let (s, v) = get(&w, worker, &projects).await;
        assert_eq!((s, v["total"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
        let gates = format!("/api/v1/campaigns/projects/{project}/gates");
        assert_eq!(post(&w, worker, &gates, json!({})).await.0, StatusCode::FORBIDDEN);
        let (s, v) = post(&w, dept, &gates, json!({"reviewers": [], "score": 120, "passed": false})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            has(&v, "评审人", "至少一名") && has(&v, "评分", "") && has(&v, "评审意见", "未通过时须写明意见"),
            "{v}"
        );
        let (s, v) =
            post(&w, dept, &gates, json!({"gate": "mid_term", "reviewers": ["王某"], "score": 90, "passed": true}))
                .await;
        assert_eq!(s, StatusCode::CONFLICT, "no gate skipped: {v}");
        let (s, v) = post(&w, dept, &gates, json!({"reviewers": ["王某", "李某"], "score": 88, "passed": true})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["project"]["stage"], "approval");
        assert_eq!(v["gates"][0]["reviewers"], json!(["王某", "李某"]));
        audited(&w, "innovation.gate", &format!("innovation_project:{project}")).await;
        let (s, v) = get(&w, worker, &format!("/api/v1/campaigns/projects/{project}")).await;
        assert_eq!((s, v["project"]["standing"].as_str()), (StatusCode::OK, Some("已立项，待实施启动")), "{v}");

        // county B's list and project are not found; its campaign takes nothing from county A
        let cb = campaign(&w, w.county_b, "乙县创新型党组织创建").await;
        let (l_b, p_b) = common::innovation_target(&w, cb, w.branch_b).await;
        for uri in [
            format!("/api/v1/campaigns/{cb}/innovation"),
            format!("/api/v1/campaigns/innovation/lists/{l_b}"),
            format!("/api/v1/campaigns/projects/{p_b}"),
        ] {
            assert_eq!(get(&w, worker, &uri).await.0, StatusCode::NOT_FOUND, "{uri}");
        }
        let (s, _, _) =
            call(&w, worker, Method::PUT, &format!("/api/v1/campaigns/innovation/lists/{l_b}"), json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let uri = format!("/api/v1/campaigns/{cb}/innovation/lists");
        assert_eq!(post(&w, worker, &uri, json!({"org_id": w.branch_b})).await.0, StatusCode::NOT_FOUND);
        db.finish().await;
    }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secondment_nomination_through_the_api() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        let y = web_core::pages::today().year() + 1;
        let zhang = member(&w, w.branch_a, "小张", "1985-05-01", 15).await;
        member(&w, w.branch_a, "小刘", "1986-01-01", 17).await;
        let liu2 = member(&w, w.branch_a, "小刘", "1990-01-01", 19).await;
        let (from, to) = (format!("{y}-03-01"), format!("{y}-08-31"));

        // bad input: every problem at once
        let (s, v) =
            post(&w, worker, "/api/v1/secondments", json!({"org_id": w.town_a, "ends_on": "八月", "writing": "是"}))
                .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "具备一定的文字写作能力", "true 或 false"), "{v}");
        let (s, v) = post(&w, worker, "/api/v1/secondments", json!({"org_id": w.town_a, "ends_on": "八月"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            has(&v, "党员", "请选择")
                && has(&v, "跟岗开始日期", "不能为空")
                && fields(&v).contains(&"跟岗结束日期".into()),
            "{v}"
        );
        // a name several members share: the choice is listed with their numbers
        let (s, v) = post(
            &w,
            worker,
            "/api/v1/secondments",
            json!({"org_id": w.town_a, "member_name": "小刘", "starts_on": from, "ends_on": to}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "党员", &format!("编号 {liu2}")) && !v.to_string().contains("110105"), "{v}");
        // another county's unit is not found
        let (s, _) = post(&w, worker, "/api/v1/secondments", json!({"org_id": w.branch_b, "member_id": zhang})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // by name, one member: nominated, the conditions checked today
        let (s, h, v) = call(
            &w,
            worker,
            Method::POST,
            "/api/v1/secondments",
            json!({"org_id": w.town_a, "member_name": "小张", "starts_on": from, "ends_on": to,
                   "host_unit": "区委组织部党建办", "party_post": true, "full_time": true}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let n = v["nomination"]["id"].as_i64().unwrap();
        assert_eq!(h[header::LOCATION], format!("/api/v1/secondments/{n}").as_str());
        assert_eq!(v["nomination"]["member_id"], zhang);
        assert!(v["checked_today"] == true && v["retirement"].as_str().unwrap().contains("RETIRE-02"), "{v}");
        assert!(
            v["failures"].as_array().unwrap().iter().any(|f| f["rule_id"] == "SEC-04"),
            "writing not attested: {v}"
        );
        assert!(!v.to_string().contains("110105"), "no ID number: {v}");
        audited(&w, "secondment.nominate", &format!("secondment_nomination:{n}")).await;
        // the same member over the same period again is refused
        let (s, v) = post(
            &w,
            worker,
            "/api/v1/secondments",
            json!({"org_id": w.town_a, "member_id": zhang, "starts_on": from, "ends_on": to}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("与本次期间重叠"), "{v}");

        // the list, those waiting
        let (s, v) = get(&w, dept, &format!("/api/v1/secondments?org={}&pending=true", w.county_a)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["total"].as_i64(), v["items"][0]["failing"].as_u64()), (Some(1), Some(1)), "{v}");
        assert_eq!(get(&w, dept, "/api/v1/secondments?pending=也许").await.0, StatusCode::UNPROCESSABLE_ENTITY);

        // the county decides: a failing nominee needs a reason to be accepted
        let review = format!("/api/v1/secondments/{n}/review");
        assert_eq!(post(&w, worker, &review, json!({"accept": true})).await.0, StatusCode::FORBIDDEN);
        let (s, v) = post(&w, dept, &review, json!({"accept": true})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "理由", "SEC-04"), "{v}");
        let (s, v) = post(&w, dept, &review, json!({"accept": true, "reason": "写作能力经面谈确认"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["nomination"]["status"].as_str(), v["checked_today"].as_bool()), (Some("accepted"), Some(false)));
        assert!(v["failures"].as_array().unwrap().iter().any(|f| f["rule_id"] == "SEC-04"), "kept: {v}");
        audited(&w, "secondment.accept", &format!("secondment_nomination:{n}")).await;
        let (s, v) = post(&w, dept, &review, json!({"accept": false, "reason": "再议"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "decided: {v}");

        // county B's nomination is not found
        let other = common::secondment_target(&w, w.branch_b, w.member_b).await;
        assert_eq!(get(&w, dept, &format!("/api/v1/secondments/{other}")).await.0, StatusCode::NOT_FOUND);
        let uri = format!("/api/v1/secondments/{other}/review");
        assert_eq!(post(&w, dept, &uri, json!({"accept": false, "reason": "越界"})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(get(&w, dept, &format!("/api/v1/secondments?org={}", w.county_b)).await.0, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_through_the_api() {
    for db in TestDb::both().await {
        let w = common::world(&db.store).await;
        let (dept, worker) = (Role::OrgDeptAdmin, Role::PartyWorker);
        let today = web_core::pages::today();
        let y = today.year();

        // a campaign-only source is refused, naming the target; the years are checked
        let bad = json!({"org_id": w.town_a, "kind": "annual", "title": "甲镇党建年度计划", "from_year": y, "to_year": y + 2,
            "targets": [{"label": "经费", "source": "funding", "target": 10, "due_on": format!("{y}-12-31")}]});
        let (s, v) = post(&w, worker, "/api/v1/plans", bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "规划目标", "只在创建活动中计算") && has(&v, "截止年度", "只含一个年度"), "{v}");
        let (s, v) = post(&w, worker, "/api/v1/plans", json!({"kind": "annual", "targets": {}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "党组织", "org_id") && has(&v, "规划目标", "应为一个列表"), "{v}");
        let (s, _) = post(&w, worker, "/api/v1/plans", json!({"org_id": w.branch_b})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another county's organization");

        // drafted: the progress is computed, never typed
        let body = json!({"org_id": w.town_a, "kind": "annual", "title": "甲镇党建年度计划", "from_year": y,
            "targets": [{"label": "示范点", "source": "demo_sites", "target": 1, "due_on": format!("{y}-12-31"), "responsible": "组织委员"}],
            "milestones": [{"due_on": format!("{y}-06-30"), "content": "完成服务站改造"}]});
        let (s, h, v) = call(&w, worker, Method::POST, "/api/v1/plans", body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let plan = v["plan"]["id"].as_i64().unwrap();
        assert_eq!(h[header::LOCATION], format!("/api/v1/plans/{plan}").as_str());
        assert_eq!((v["plan"]["status"].as_str(), v["plan"]["version"].as_i64()), (Some("draft"), Some(1)), "{v}");
        let t = &v["targets"][0];
        assert_eq!((t["source_label"].as_str(), t["value_text"].as_str()), (Some("示范点数量"), Some("0个")), "{v}");
        assert!(v["can_edit"] == true && v["can_review"] == false, "{v}");
        audited(&w, "plan.create", &format!("party_plan:{plan}")).await;
        let (s, v) = get(&w, dept, &format!("/api/v1/plans?org={}", w.county_a)).await;
        assert_eq!((s, v["items"][0]["id"].as_i64()), (StatusCode::OK, Some(plan)), "{v}");
        let one = format!("/api/v1/plans/{plan}");
        let (s, v) = get(&w, worker, &format!("{one}?on={y}-01-31")).await;
        assert_eq!((s, v["on"].as_str()), (StatusCode::OK, Some(format!("{y}-01-31").as_str())), "{v}");

        // changed at the version read: without it 422, with an old one 409
        let change = json!({"kind": "annual", "title": "甲镇党建年度计划（修订）", "from_year": y,
            "targets": [{"label": "示范点", "source": "示范点数量", "target": 2, "due_on": format!("{y}-12-31")}],
            "milestones": [{"due_on": format!("{y}-06-30"), "content": "完成服务站改造"}]});
        let (s, _, v) = call(&w, worker, Method::PUT, &one, change.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "版本", "version"), "{v}");
        let mut with = change.clone();
        with["version"] = json!(1);
        let (s, _, v) = call(&w, worker, Method::PUT, &one, with.clone()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["plan"]["version"].as_i64(), v["targets"][0]["target"].as_str()), (Some(2), Some("2")), "{v}");
        audited(&w, "plan.update", &format!("party_plan:{plan}")).await;
        let (s, _, v) = call(&w, worker, Method::PUT, &one, with).await;
        assert_eq!(s, StatusCode::CONFLICT, "stale: {v}");

        // submitted at its version, returned with a reason, submitted again, approved
        let submit = format!("{one}/submit");
        assert_eq!(post(&w, worker, &submit, json!({})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(post(&w, worker, &submit, json!({"version": 1})).await.0, StatusCode::CONFLICT);
        let (s, v) = post(&w, worker, &submit, json!({"version": 2})).await;
        assert_eq!((s, v["plan"]["status"].as_str()), (StatusCode::OK, Some("submitted")), "{v}");
        audited(&w, "plan.submit", &format!("party_plan:{plan}")).await;
        let (s, _, v) = call(&w, worker, Method::PUT, &one, json!({"version": 3})).await;
        assert_eq!(s, StatusCode::CONFLICT, "a submitted plan is not changed: {v}");
        let review = format!("{one}/review");
        assert_eq!(post(&w, worker, &review, json!({"accept": true})).await.0, StatusCode::FORBIDDEN);
        let (s, v) = post(&w, dept, &review, json!({"accept": false, "reason": " "})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "退回理由", "退回时须写明理由"), "{v}");
        let (s, v) = post(&w, dept, &review, json!({"accept": false, "reason": "目标偏低"})).await;
        assert_eq!((s, v["plan"]["status"].as_str()), (StatusCode::OK, Some("returned")), "{v}");
        audited(&w, "plan.return", &format!("party_plan:{plan}")).await;
        let version = v["plan"]["version"].as_i64().unwrap();
        assert_eq!(post(&w, worker, &submit, json!({"version": version})).await.0, StatusCode::OK);
        let (s, v) = post(&w, dept, &review, json!({"accept": true})).await;
        assert_eq!((s, v["plan"]["status"].as_str()), (StatusCode::OK, Some("approved")), "{v}");
        audited(&w, "plan.approve", &format!("party_plan:{plan}")).await;

        // a round of the county's campaign over its townships gives where the township stood
        let c = campaign(&w, w.county_a, "甲县创建活动").await;
        let std = domain::campaign::indicator::StandardInput::from_lines(
            &format!("{y}-01-01"),
            "",
            "sites|示范点数量|demo_sites||100|linear|1",
        )
        .validate()
        .unwrap();
        store::campaign::standard::add(&w.store, &Scope::all(), c, &std).await.unwrap();
        let (s, v) =
            post(&w, dept, &format!("/api/v1/campaigns/{c}/rounds"), json!({"as_on": today.to_string()})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, v) = get(&w, dept, &format!("/api/v1/campaigns/rounds/{}", v["id"])).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let p = &v["plans"][0];
        assert_eq!(
            (p["org_id"].as_i64(), p["plan_id"].as_i64(), p["targets"].as_i64(), p["reached"].as_i64()),
            (Some(w.town_a), Some(plan), Some(1), Some(0)),
            "{v}"
        );

        // a milestone done (not in the future)
        let (_, v) = get(&w, worker, &one).await;
        let m = v["milestones"][0]["id"].as_i64().unwrap();
        let milestones = format!("{one}/milestones");
        let tomorrow = today.succ_opt().unwrap().to_string();
        let (s, v) = post(&w, worker, &milestones, json!({"milestone_id": m, "done_on": tomorrow})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(has(&v, "完成日期", "晚于今天"), "{v}");
        let (s, v) = post(&w, worker, &milestones, json!({"milestone_id": m})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["milestones"][0]["done_on"], today.to_string());
        audited(&w, "plan.milestone", &format!("party_plan:{plan}")).await;

        // county B's plan is not found
        let other = common::plan_target(&w, w.branch_b).await;
        assert_eq!(get(&w, worker, &format!("/api/v1/plans/{other}")).await.0, StatusCode::NOT_FOUND);
        let (s, _, _) = call(&w, worker, Method::PUT, &format!("/api/v1/plans/{other}"), json!({"version": 1})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let uri = format!("/api/v1/plans/{other}/review");
        assert_eq!(post(&w, dept, &uri, json!({"accept": true})).await.0, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}
