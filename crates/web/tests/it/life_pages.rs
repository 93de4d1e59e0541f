//! The 会议记录 pages: entering a record with attendance from the roster and a resolution, the
//! problems shown beside their fields with what was typed kept, the quorum warning, draft →
//! submit → review (accept, return with a reason) by the superior, attachments, and who may see
//! what. Every test runs on SQLite and on PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{form, get, post, send, world, World};
use domain::account::Role;
use store::testing::TestDb;

const DAY: &str = "2025-09-20";

/// The record id from a redirect to its page.
fn record_id(location: &str) -> i64 {
    location
        .strip_prefix("/life/records/")
        .and_then(|r| r.split(['?', '#', '/']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a record page: {location}"))
}

fn location(h: &axum::http::HeaderMap) -> String {
    h.get(header::LOCATION).expect("a redirect").to_str().unwrap().to_string()
}

/// A 支部党员大会 of branch A on [`DAY`] as the form posts it, both members present, one
/// resolution passed by both votes; `extra` pairs replace or add fields.
fn assembly(w: &World, csrf: &str, extra: &[(&str, &str)]) -> String {
    let a = format!("att_{}", w.member_a);
    let a2 = format!("att_{}", w.member_a2);
    let mut pairs: Vec<(String, String)> = [
        ("csrf", csrf),
        ("action", "draft"),
        ("types", "branch_assembly"),
        ("title", "第三季度支部党员大会"),
        ("held_on", DAY),
        ("start_time", "14:30"),
        ("end_time", "16:00"),
        ("place", "社区党群服务中心"),
        ("host", "甲党员"),
        ("recorder", "甲二党员"),
        ("agenda", "一、讨论接收预备党员"),
        ("minutes", "会议讨论了接收预备党员事项。"),
        ("roster_on", DAY),
        ("roster_kind", "branch"),
        (a.as_str(), "present"),
        (a2.as_str(), "present"),
        ("res_rows", "3"),
        ("res0_text", "同意接收张某为预备党员"),
        ("res0_yes", "2"),
        ("res0_no", "0"),
        ("res0_abstain", "0"),
        ("res0_method", "举手表决"),
        ("res0_result", "pass"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        match pairs.iter_mut().find(|(pk, _)| pk == k) {
            Some(p) => p.1 = v.to_string(),
            None => pairs.push((k.to_string(), v.to_string())),
        }
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form(&refs)
}

/// Enter the standard assembly as the 党务工作者; the new record's id.
async fn enter(w: &World, extra: &[(&str, &str)]) -> i64 {
    let l = &w.logins[&Role::PartyWorker];
    let uri = format!("/orgs/{}/life/new", w.branch_a);
    let (st, h, body) = send(&w.app, post(&uri, &l.cookie, &assembly(w, &l.csrf, extra))).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{}", &body[..body.len().min(3000)]);
    record_id(&location(&h))
}

fn multipart(csrf: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----djlife";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(w: &World, role: Role, record: i64, name: &str, bytes: &[u8]) -> (StatusCode, String, String) {
    let l = &w.logins[&role];
    let (ct, body) = multipart(&l.csrf, name, bytes);
    let req = Request::post(format!("/life/records/{record}/attachments"))
        .header(header::COOKIE, &l.cookie)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let (st, h, body) = send(&w.app, req).await;
    let loc = h.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (st, loc, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_records_an_assembly_from_the_roster_with_a_resolution() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = &w.logins[&Role::PartyWorker];
        // the form lists the branch's roster, every member present by default
        let uri = format!("/orgs/{}/life/new", w.branch_a);
        let (st, _, body) = send(&w.app, get(&uri, &l.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        for s in [
            "甲党员",
            "甲二党员",
            "按日期载入名册",
            "增加一行",
            "保存草稿",
            "保存并提交审核",
            "支部党员大会",
            "主题党日",
        ] {
            assert!(body.contains(s), "form shows {s}");
        }
        assert!(body.contains(&format!("name=\"att_{}\"", w.member_a)));
        // the menu has the entry
        assert!(body.contains("href=\"/life\"") && body.contains("会议记录"));

        // loading the roster of the meeting's date keeps what was typed
        let load = form(&[
            ("csrf", &l.csrf),
            ("action", "roster"),
            ("types", "branch_assembly"),
            ("types", "theme_day"),
            ("title", "联合召开"),
            ("held_on", DAY),
            ("roster_on", "2026-01-01"),
            ("roster_kind", "branch"),
        ]);
        let (st, _, body) = send(&w.app, post(&uri, &l.cookie, &load)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains(&format!("已载入 {DAY} 的名册")));
        assert!(body.contains(&format!("name=\"roster_on\" value=\"{DAY}\"")));
        assert!(body.contains("value=\"联合召开\""));
        assert!(body.contains("value=\"theme_day\" checked"));
        // 增加一行 adds a fourth resolution row
        let more = form(&[("csrf", &l.csrf), ("action", "more_rows"), ("res_rows", "3"), ("res1_text", "第二项")]);
        let (st, _, body) = send(&w.app, post(&uri, &l.cookie, &more)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("name=\"res3_text\"") && !body.contains("name=\"res4_text\""));
        assert!(body.contains("value=\"第二项\""));

        // save: the record page shows everything, the resolution passed
        let id = enter(&w, &[]).await;
        let (st, _, body) = send(&w.app, get(&format!("/life/records/{id}?ok=saved"), &l.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        for s in [
            "第三季度支部党员大会",
            "已保存为草稿",
            "支部党员大会",
            "社区党群服务中心",
            "14:30—16:00",
            "同意接收张某为预备党员",
            "通过",
            "举手表决",
            "草稿",
            "提交审核",
            "会议讨论了接收预备党员事项。",
        ] {
            assert!(body.contains(s), "record page shows {s}");
        }
        assert!(!body.contains("法定人数"), "quorum met: no warning");
        assert!(body.contains(&format!("href=\"/life/records/{id}/edit\"")));
        // no reviewing for a 党务工作者
        assert!(!body.contains("审核通过"));
        let stored = store::life::get(&w.store, &store::Scope::all(), id).await.unwrap();
        assert_eq!((stored.record.expected, stored.record.present, stored.record.voters_present), (2, 2, 2));
        assert_eq!(stored.attendance.len(), 2);
        assert!(stored.resolutions[0].passed);

        // the list of the county and of the branch
        for org in [w.county_a, w.branch_a] {
            let (st, _, body) = send(&w.app, get(&format!("/life?org={org}"), &l.cookie)).await;
            assert_eq!(st, StatusCode::OK);
            assert!(body.contains(&format!("href=\"/life/records/{id}\"")), "listed under {org}");
            assert!(body.contains("2 / 2") && body.contains("甲社区党支部") && body.contains("登记会议"));
        }
        // filters: another type or year hides it
        let (_, _, body) = send(&w.app, get(&format!("/life?org={}&type=party_lecture", w.county_a), &l.cookie)).await;
        assert!(!body.contains(&format!("href=\"/life/records/{id}\"")));
        let (_, _, body) = send(&w.app, get(&format!("/life?org={}&year=2025", w.county_a), &l.cookie)).await;
        assert!(body.contains(&format!("href=\"/life/records/{id}\"")));
        let (_, _, body) = send(&w.app, get(&format!("/life?org={}&status=accepted", w.county_a), &l.cookie)).await;
        assert!(!body.contains(&format!("href=\"/life/records/{id}\"")));
        // the organization page links to both
        let (_, _, body) = send(&w.app, get(&format!("/orgs/{}", w.branch_a), &l.cookie)).await;
        assert!(body.contains(&format!("href=\"/life?org={}\"", w.branch_a)));
        assert!(body.contains(&format!("href=\"/orgs/{}/life/new\"", w.branch_a)));
        // a county committee records nothing itself: its form offers the organization picker of
        // those that record organization life, coming back to the chosen one's form
        let (st, _, body) = send(&w.app, get(&format!("/orgs/{}/life/new", w.county_a), &l.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("data-pick=\"/orgs/pick?perm=record_life\""), "{body}");
        assert!(body.contains("back=%2Forgs%2F%7Bid%7D%2Flife%2Fnew"), "{body}");
        let (_, _, body) =
            send(&w.app, get("/orgs/pick?perm=record_life&back=%2Forgs%2F%7Bid%7D%2Flife%2Fnew", &l.cookie)).await;
        assert!(body.contains(&format!("href=\"/orgs/{}/life/new\"", w.branch_a)), "{body}");
        assert!(body.contains(&format!("href=\"/orgs/{}/life/new\"", w.town_a)), "{body}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_are_shown_beside_their_fields_and_what_was_typed_is_kept() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = &w.logins[&Role::PartyWorker];
        let uri = format!("/orgs/{}/life/new", w.branch_a);
        let a2 = format!("att_{}", w.member_a2);
        // no place, an absence without its reason (no vote: the quorum is not met)
        let body =
            assembly(&w, &l.csrf, &[("place", ""), (a2.as_str(), "absent"), ("res0_text", ""), ("res0_yes", "")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("id=\"e-place\">地点：请填写地点 (REC-05)"), "{page}");
        assert!(page.contains("请假或缺席须注明原因：甲二党员"));
        assert!(page.contains("value=\"第三季度支部党员大会\""), "title kept");
        assert!(page.contains("会议讨论了接收预备党员事项。"), "minutes kept");
        assert!(page.contains("value=\"absent\" selected"), "the absence kept");
        assert!(page.contains("class=\"flagged\""), "the row without a reason is marked");
        assert!(page.contains("value=\"14:30\""));

        // more votes than voters present
        let body = assembly(&w, &l.csrf, &[("res0_yes", "3")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("决议第 1 项：赞成、反对、弃权合计 3 票，超过到会有表决权人数 2"), "{page}");
        assert!(page.contains("value=\"同意接收张某为预备党员\""));
        assert!(page.contains("name=\"res0_yes\" value=\"3\""));
        assert!(page.contains("value=\"社区党群服务中心\""));

        // declared passed with too few ayes
        let body = assembly(&w, &l.csrf, &[("res0_yes", "1"), ("res0_no", "1")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("不能通过 (LIFE-02)"));

        // no type, no title: under their fields
        let body = assembly(&w, &l.csrf, &[("types", ""), ("title", "")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("id=\"e-types\">会议类型：请选择会议类型 (REC-02)"));
        assert!(page.contains("id=\"e-title\">会议主题：请填写会议名称或主题 (REC-03)"));

        // a date changed without reloading the roster: listed again and said so, not saved
        let body = assembly(&w, &l.csrf, &[("held_on", "2025-10-08")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("参会名单已按新的日期/类型更新，请核对后再保存。现列出 2025-10-08 的"));
        assert!(page.contains("name=\"roster_on\" value=\"2025-10-08\""));
        // a date in the future
        let body = assembly(&w, &l.csrf, &[("held_on", "2099-01-01"), ("roster_on", "2099-01-01")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("晚于今天"));
        // a 党课 without its lecturer; a type without a roster takes numbers
        let body = form(&[
            ("csrf", &l.csrf),
            ("types", "heart_talk"),
            ("title", "谈心谈话"),
            ("held_on", DAY),
            ("place", "办公室"),
            ("host", "甲党员"),
            ("recorder", "甲二党员"),
            ("roster_on", DAY),
            ("roster_kind", "none"),
            ("expected", "2"),
            ("present", "3"),
        ]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("id=\"e-present\">实到人数：实到、请假、缺席人数之和超过应到人数"), "{page}");
        assert!(page.contains("name=\"expected\" type=\"text\" value=\"2\""));
        let body = assembly(&w, &l.csrf, &[("types", "party_lecture"), ("res0_text", ""), ("res0_yes", "")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("id=\"e-lecturer\">授课人：党课须填写授课人 (REC-10)"));
        assert_eq!(
            store::life::list(
                &w.store,
                &store::org::visible(&w.store, &store::Scope::all(), w.city).await.unwrap(),
                &Default::default(),
                1,
                10
            )
            .await
            .unwrap()
            .total,
            0,
            "nothing was saved"
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_without_quorum_is_saved_with_a_warning_naming_the_rule() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = &w.logins[&Role::PartyWorker];
        let a2 = format!("att_{}", w.member_a2);
        let reason = format!("reason_{}", w.member_a2);
        let id = enter(
            &w,
            &[
                (a2.as_str(), "leave"),
                (reason.as_str(), "外出务工"),
                ("res0_text", ""),
                ("res0_yes", ""),
                ("res0_no", ""),
                ("res0_abstain", ""),
            ],
        )
        .await;
        let (st, _, body) = send(&w.app, get(&format!("/life/records/{id}?ok=saved"), &l.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("到会有表决权党员 1 名，未超过应到有表决权党员 2 名的半数"), "{body}");
        assert!(body.contains("LIFE-02") && body.contains("法定人数"));
        assert!(body.contains("外出务工") && body.contains("请假"));
        let (_, _, list) = send(&w.app, get(&format!("/life?org={}", w.branch_a), &l.cookie)).await;
        assert!(list.contains("未达法定人数") && list.contains("2 / 1"));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_submit_return_with_a_reason_and_accept_by_the_superior() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let worker = &w.logins[&Role::PartyWorker];
        let admin = &w.logins[&Role::OrgAdmin];
        let id = enter(&w, &[]).await;
        let page = format!("/life/records/{id}");
        // submitting needs the page's button (the confirmation it carries)
        let (st, _, body) =
            send(&w.app, post(&format!("{page}/submit"), &worker.cookie, &form(&[("csrf", &worker.csrf)]))).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("提交审核"));
        let submit = form(&[("csrf", &worker.csrf), ("confirm", "yes")]);
        let (st, h, _) = send(&w.app, post(&format!("{page}/submit"), &worker.cookie, &submit)).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), format!("{page}?ok=submitted"));
        let (_, _, body) = send(&w.app, get(&page, &worker.cookie)).await;
        assert!(body.contains("待审核") && !body.contains(&format!("href=\"{page}/edit\"")));
        // submitted: no editing (409 with the reason), no second submission
        let (st, _, body) = send(&w.app, get(&format!("{page}/edit"), &worker.cookie)).await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert!(body.contains("不能修改"));
        let (st, _, _) = send(&w.app, post(&format!("{page}/submit"), &worker.cookie, &submit)).await;
        assert_eq!(st, StatusCode::CONFLICT);
        // the worker does not review
        let (st, _, _) = send(
            &w.app,
            post(&format!("{page}/review"), &worker.cookie, &form(&[("csrf", &worker.csrf), ("decision", "accept")])),
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // the county's 党组织管理员 sees it waiting, with the review form
        let (_, _, body) = send(&w.app, get(&format!("/life?org={}&view=review", w.county_a), &admin.cookie)).await;
        assert!(body.contains(&format!("href=\"{page}\"")), "in 待我审核");
        assert!(body.contains("待我审核"));
        let (_, _, body) = send(&w.app, get(&page, &admin.cookie)).await;
        assert!(body.contains("审核通过") && body.contains("退回原因"));
        // returning needs a reason
        let ret = form(&[("csrf", &admin.csrf), ("decision", "return"), ("reason", "  ")]);
        let (st, _, body) = send(&w.app, post(&format!("{page}/review"), &admin.cookie, &ret)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("id=\"e-reason\">退回原因：退回时请写明原因"));
        let ret = form(&[("csrf", &admin.csrf), ("decision", "return"), ("reason", "请补充会议照片")]);
        let (st, h, _) = send(&w.app, post(&format!("{page}/review"), &admin.cookie, &ret)).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), format!("{page}?ok=returned"));
        let (_, _, body) = send(&w.app, get(&page, &worker.cookie)).await;
        assert!(body.contains("已退回") && body.contains("请补充会议照片"));

        // the worker edits the returned record: the form is prefilled, and submits again
        let (st, _, body) = send(&w.app, get(&format!("{page}/edit"), &worker.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("value=\"第三季度支部党员大会\"") && body.contains("value=\"同意接收张某为预备党员\""));
        assert!(body.contains("上级退回的原因：请补充会议照片"));
        assert!(body.contains(&format!("name=\"att_{}\"", w.member_a2)));
        let edited = assembly(&w, &worker.csrf, &[("action", "submit"), ("title", "第三季度支部党员大会（补正）")]);
        let (st, h, _) = send(&w.app, post(&format!("{page}/edit"), &worker.cookie, &edited)).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "edit and submit");
        assert_eq!(location(&h), format!("{page}?ok=submitted"));
        // accepted by the superior
        let acc = form(&[("csrf", &admin.csrf), ("decision", "accept")]);
        let (st, _, _) = send(&w.app, post(&format!("{page}/review"), &admin.cookie, &acc)).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, _, body) = send(&w.app, get(&page, &worker.cookie)).await;
        assert!(body.contains("已审核") && body.contains("（补正）"));
        let r = store::life::get(&w.store, &store::Scope::all(), id).await.unwrap().record;
        assert_eq!(r.status, "accepted");
        // a second review is refused with the reason (409)
        let (st, _, body) = send(&w.app, post(&format!("{page}/review"), &admin.cookie, &acc)).await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert!(body.contains("只有待审核的记录可以审核"));
        let (st, _, _) = send(&w.app, get(&format!("{page}/edit"), &worker.cookie)).await;
        assert_eq!(st, StatusCode::CONFLICT);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_of_the_callers_own_top_organization_are_reviewed_above() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let all = store::Scope::all();
        // a 党组织管理员 of the town: the town's own records are reviewed by the county
        let new = store::account::NewAccount {
            username: "town_admin".into(),
            display_name: "镇管理员".into(),
            password: common::PASSWORD.into(),
            grants: vec![(Role::OrgAdmin, Some(w.town_a))],
            ..Default::default()
        };
        let acc = store::account::create_account(&w.store, &all, &new, &Default::default()).await.unwrap();
        let town = common::session_for(&w.store, acc.account.id, "town_admin").await;
        let input = domain::life::RecordInput {
            types: vec!["heart_talk".into()],
            title: "镇党委谈心谈话".into(),
            held_on: DAY.into(),
            place: "镇党委会议室".into(),
            host: "书记".into(),
            recorder: "委员".into(),
            expected: "5".into(),
            present: "5".into(),
            ..Default::default()
        };
        let id = store::life::create(&w.store, &all, w.town_a, &input, true).await.unwrap().id;
        let page = format!("/life/records/{id}");
        let (st, _, body) = send(&w.app, get(&page, &town.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(!body.contains("审核通过"));
        assert!(body.contains("等待上级党组织审核"));
        let acc_form = form(&[("csrf", &town.csrf), ("decision", "accept")]);
        let (st, _, body) = send(&w.app, post(&format!("{page}/review"), &town.cookie, &acc_form)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        assert!(body.contains("上级党组织"));
        // not in the town's 待我审核 either, but in the county's
        let (_, _, body) = send(&w.app, get(&format!("/life?org={}&view=review", w.town_a), &town.cookie)).await;
        assert!(!body.contains(&format!("href=\"{page}\"")));
        let county = &w.logins[&Role::OrgAdmin];
        let (_, _, body) = send(&w.app, get(&format!("/life?view=review&org={}", w.county_a), &county.cookie)).await;
        assert!(body.contains(&format!("href=\"{page}\"")));
        let acc_form = form(&[("csrf", &county.csrf), ("decision", "accept")]);
        let (st, _, _) = send(&w.app, post(&format!("{page}/review"), &county.cookie, &acc_form)).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_are_checked_downloaded_with_safe_headers_and_deleted() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = &w.logins[&Role::PartyWorker];
        let id = enter(&w, &[]).await;
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-test-bytes";
        let (st, loc, _) = upload(&w, Role::PartyWorker, id, "签到表.png", png).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(loc, format!("/life/records/{id}?ok=attached#attachments"));
        let full = store::life::get(&w.store, &store::Scope::all(), id).await.unwrap();
        let att = full.attachments[0].id;
        let (_, _, body) = send(&w.app, get(&format!("/life/records/{id}"), &l.cookie)).await;
        assert!(body.contains("签到表.png") && body.contains("照片（PNG）"));
        assert!(body.contains(&format!("href=\"/life/attachments/{att}\"")));
        // download: the stored type, an attachment disposition with the UTF-8 name, nosniff
        let (st, h, bytes) = send(&w.app, get(&format!("/life/attachments/{att}"), &l.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(h[header::CONTENT_TYPE], "image/png");
        let cd = h[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(cd.starts_with("attachment;"), "{cd}");
        assert!(cd.contains("filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.png"), "{cd}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(bytes, String::from_utf8_lossy(png));
        // a program, and a file whose content does not match its name, are refused on the page
        let (st, _, body) = upload(&w, Role::PartyWorker, id, "setup.exe", b"MZ\x90\0\x03\0\0\0").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("id=\"e-file\"") && body.contains("只接受照片（JPG、PNG）和文档"), "{body}");
        let (st, _, body) = upload(&w, Role::PartyWorker, id, "会议照片.png", b"%PDF-1.7 not a png").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("文件内容与扩展名 .png 不符"));
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(store::life::MAX_ATTACHMENT + 4096, 0);
        let (st, _, body) = upload(&w, Role::PartyWorker, id, "大照片.png", &big).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("超过 10 MB 的上限"));
        let (st, _, body) = upload(&w, Role::PartyWorker, id, "", b"").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请选择要上传的文件"));
        // a 党员 of the branch downloads but does not upload or delete
        let m = &w.logins[&Role::Member];
        let (st, _, _) = send(&w.app, get(&format!("/life/attachments/{att}"), &m.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        let (st, _, _) = upload(&w, Role::Member, id, "x.png", png).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // deleting asks for the confirmation
        let del = format!("/life/attachments/{att}/delete");
        let (st, _, body) = send(&w.app, post(&del, &l.cookie, &form(&[("csrf", &l.csrf)]))).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请勾选“确认”"));
        let (st, _, _) = send(&w.app, post(&del, &m.cookie, &form(&[("csrf", &m.csrf), ("confirm", "yes")]))).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, h, _) = send(&w.app, post(&del, &l.cookie, &form(&[("csrf", &l.csrf), ("confirm", "yes")]))).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), format!("/life/records/{id}?ok=detached#attachments"));
        let (st, _, _) = send(&w.app, get(&format!("/life/attachments/{att}"), &l.cookie)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // once submitted, no more attachments
        let (st, _, _) = upload(&w, Role::PartyWorker, id, "签到表.png", png).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        store::life::submit(&w.store, &store::Scope::all(), id).await.unwrap();
        let (st, _, body) = upload(&w, Role::PartyWorker, id, "又一张.png", png).await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert!(body.contains("不能再添加附件"));
        let (_, _, body) = send(&w.app, get(&format!("/life/records/{id}"), &l.cookie)).await;
        assert!(!body.contains("/delete\"") && !body.contains("enctype=\"multipart/form-data\""));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_read_their_branch_and_other_counties_are_not_found() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let all = store::Scope::all();
        let id = enter(&w, &[]).await;
        let input = domain::life::RecordInput {
            types: vec!["heart_talk".into()],
            title: "乙县的谈心谈话".into(),
            held_on: DAY.into(),
            place: "乙社区".into(),
            host: "书记".into(),
            recorder: "委员".into(),
            expected: "1".into(),
            present: "1".into(),
            ..Default::default()
        };
        let other = store::life::create(&w.store, &all, w.branch_b, &input, false).await.unwrap().id;
        let other_att =
            store::life::add_attachment(&w.store, &all, other, "a.png", b"\x89PNG\r\n\x1a\nxx").await.unwrap();

        // 党员: the branch's records, read only
        let m = &w.logins[&Role::Member];
        let (st, _, body) = send(&w.app, get("/life", &m.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains(&format!("href=\"/life/records/{id}\"")) && !body.contains("登记会议"));
        let (st, _, body) = send(&w.app, get(&format!("/life/records/{id}"), &m.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            body.contains("第三季度支部党员大会") && !body.contains("/edit\"") && !body.contains("提交审核</button>")
        );
        let (st, _, _) = send(&w.app, get(&format!("/orgs/{}/life/new", w.branch_a), &m.cookie)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = send(&w.app, get(&format!("/life/records/{id}/edit"), &m.cookie)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = send(
            &w.app,
            post(&format!("/life/records/{id}/submit"), &m.cookie, &form(&[("csrf", &m.csrf), ("confirm", "yes")])),
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // the county above the branch is not the member's to read
        let (st, _, _) = send(&w.app, get(&format!("/life?org={}", w.county_a), &m.cookie)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // another county's record, list and attachment: not found for everyone of county A
        for role in [Role::PartyWorker, Role::OrgAdmin, Role::Member] {
            let l = &w.logins[&role];
            for uri in [
                format!("/life/records/{other}"),
                format!("/life/records/{other}/edit"),
                format!("/life?org={}", w.county_b),
                format!("/life/attachments/{other_att}"),
            ] {
                let (st, _, body) = send(&w.app, get(&uri, &l.cookie)).await;
                let want = if role == Role::Member && uri.ends_with("/edit") {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::NOT_FOUND
                };
                assert_eq!(st, want, "{uri} as {role:?}");
                assert!(!body.contains("乙县的谈心谈话"));
            }
        }
        let l = &w.logins[&Role::OrgAdmin];
        let (st, _, _) = send(
            &w.app,
            post(
                &format!("/life/records/{other}/review"),
                &l.cookie,
                &form(&[("csrf", &l.csrf), ("decision", "accept")]),
            ),
        )
        .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _, _) = send(&w.app, get(&format!("/orgs/{}/life/new", w.branch_b), &l.cookie)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_roster_follows_the_types_committee_members_only_or_numbers() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = &w.logins[&Role::PartyWorker];
        common::exec(&w.store, "UPDATE member SET job_post = '支部书记' WHERE id = $1", &store::args![w.member_a])
            .await;
        let uri = format!("/orgs/{}/life/new", w.branch_a);
        let a = format!("name=\"att_{}\"", w.member_a);
        let a2 = format!("name=\"att_{}\"", w.member_a2);
        // a committee meeting alone lists the committee
        let load = form(&[("csrf", &l.csrf), ("action", "roster"), ("types", "committee_meeting"), ("held_on", DAY)]);
        let (st, _, body) = send(&w.app, post(&uri, &l.cookie, &load)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains(&a) && !body.contains(&a2), "committee only");
        assert!(body.contains("支部委员会成员") && body.contains("支委"));
        // joined with a 支部党员大会 the whole branch is listed
        let load = form(&[
            ("csrf", &l.csrf),
            ("action", "roster"),
            ("types", "committee_meeting"),
            ("types", "branch_assembly"),
            ("held_on", DAY),
        ]);
        let (_, _, body) = send(&w.app, post(&uri, &l.cookie, &load)).await;
        assert!(body.contains(&a) && body.contains(&a2));
        // saving after switching the types to a committee meeting relists instead of saving
        let body = assembly(&w, &l.csrf, &[("types", "committee_meeting")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("参会名单已按新的日期/类型更新") && page.contains(&a) && !page.contains(&a2));
        assert!(page.contains("决议第 1 项：赞成、反对、弃权合计 2 票，超过到会有表决权人数 1"), "{page}");
        assert!(page.contains("name=\"roster_kind\" value=\"committee\""));
        // the committee meeting of one member present out of one: saved
        let body =
            assembly(&w, &l.csrf, &[("types", "committee_meeting"), ("roster_kind", "committee"), ("res0_yes", "1")]);
        let body = body.replace(&format!("&att_{}=present", w.member_a2), "");
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{page}");
        // a type without a roster takes numbers by hand
        let load = form(&[("csrf", &l.csrf), ("action", "roster"), ("types", "heart_talk"), ("held_on", DAY)]);
        let (_, _, body) = send(&w.app, post(&uri, &l.cookie, &load)).await;
        assert!(body.contains("name=\"expected\"") && body.contains("name=\"present\"") && !body.contains(&a));
        assert!(body.contains("不按党员名册登记"));
        db.finish().await;
    }
}

/// Why a member was away is personal: those who keep the records see every reason, a 党员 only
/// their own; the page and the API read the record through the same use case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absence_reasons_are_for_officers_and_the_member_concerned() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let all = store::Scope::all();
        let roster = store::life::roster(&w.store, &all, w.branch_a, common::d("2026-11-02")).await.unwrap();
        let attendance = roster
            .iter()
            .map(|r| domain::life::AttendanceInput {
                member_id: r.member_id,
                status: if r.member_id == w.member_a { "present".into() } else { "leave".into() },
                reason: if r.member_id == w.member_a { String::new() } else { "病假".into() },
            })
            .collect();
        let input = domain::life::RecordInput {
            types: vec!["branch_assembly".into()],
            title: "支部党员大会".into(),
            held_on: "2026-11-02".into(),
            start_time: "14:00".into(),
            end_time: "16:00".into(),
            agenda: "学习".into(),
            place: "活动室".into(),
            host: "书记".into(),
            recorder: "组织委员".into(),
            minutes: "学习传达上级精神。".into(),
            attendance,
            ..Default::default()
        };
        let id = store::life::create(&w.store, &all, w.branch_a, &input, false).await.unwrap().id;
        let page = format!("/life/records/{id}");
        let worker = &w.logins[&Role::PartyWorker];
        let (st, _, body) = send(&w.app, get(&page, &worker.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("病假"), "the recorder sees the reason");
        let member = &w.logins[&Role::Member];
        let (st, _, body) = send(&w.app, get(&page, &member.cookie)).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(!body.contains("病假"), "another member's reason is not shown to a 党员");
    }
}

/// A probationary member of branch A who joined on 2025-10-01: on the roster of October's
/// meetings, not on September's.
async fn newcomer(w: &World) -> i64 {
    let input = domain::member::MemberInput {
        name: "甲三党员".into(),
        id_number: domain::idcard::compose("110105", common::d("1990-02-03"), 235),
        category: Some(domain::member::Category::Probationary),
        join_date: Some(common::d("2025-10-01")),
        ..Default::default()
    };
    store::member::create(&w.store, &store::Scope::all(), w.branch_a, &input, common::d("2026-11-21")).await.unwrap().id
}

async fn records_of_branch_a(w: &World) -> i64 {
    let all = store::Scope::all();
    let org = store::org::visible(&w.store, &all, w.branch_a).await.unwrap();
    store::life::list(&w.store, &org, &Default::default(), 1, 10).await.unwrap().total
}

/// A save after the meeting's date changed (no script): the roster of the new date is listed,
/// saying so, with the attendance typed for those still on it; every other problem of the form is
/// reported in the same round, each beside its field; nothing is saved until the user saves again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_date_relists_the_roster_and_every_problem_shows_at_once() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let a3 = newcomer(&w).await;
        let l = &w.logins[&Role::PartyWorker];
        let uri = format!("/orgs/{}/life/new", w.branch_a);
        let a2 = format!("att_{}", w.member_a2);
        // the form showed September's roster; the date is now in October, the place is missing,
        // the second member is away without a reason, the resolution has too many votes
        let body = assembly(
            &w,
            &l.csrf,
            &[("held_on", "2025-10-08"), ("place", ""), (a2.as_str(), "absent"), ("res0_yes", "5")],
        );
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("参会名单已按新的日期/类型更新，请核对后再保存"), "{page}");
        assert!(page.contains("现列出 2025-10-08 的本组织党员（含党小组），共 3 人"), "{page}");
        assert!(page.contains("name=\"roster_on\" value=\"2025-10-08\""));
        assert!(page.contains(&format!("name=\"att_{a3}\"")), "the newcomer is listed");
        // every problem at once, beside its field
        assert!(page.contains("id=\"e-place\">地点：请填写地点 (REC-05)"), "{page}");
        assert!(page.contains("请假或缺席须注明原因：甲二党员"), "{page}");
        assert!(page.contains("决议第 1 项：到会人数未超过应到半数，不能进行表决"), "{page}");
        assert!(!page.contains("会议日期或会议类型已改变"), "no refusal of its own");
        // everything typed is kept, the absence too
        assert!(page.contains("value=\"第三季度支部党员大会\"") && page.contains("会议讨论了接收预备党员事项。"));
        assert!(page.contains("value=\"absent\" selected") && page.contains("name=\"res0_yes\" value=\"5\""));
        assert_eq!(records_of_branch_a(&w).await, 0, "nothing was saved");

        // a date change with nothing else wrong: listed and said, not saved; saving again saves
        let reason = format!("reason_{}", w.member_a2);
        let att3 = format!("att_{a3}");
        let mut typed: Vec<(&str, &str)> = vec![
            ("held_on", "2025-10-08"),
            (a2.as_str(), "leave"),
            (reason.as_str(), "外出务工"),
            ("res0_text", ""),
            ("res0_yes", ""),
            ("res0_no", ""),
            ("res0_abstain", ""),
        ];
        let body = assembly(&w, &l.csrf, &typed);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        assert!(page.contains("参会名单已按新的日期/类型更新，请核对后再保存"), "{page}");
        assert!(page.contains("value=\"外出务工\"") && page.contains("value=\"leave\" selected"), "choices kept");
        assert_eq!(records_of_branch_a(&w).await, 0, "nothing was saved");
        typed.extend([("roster_on", "2025-10-08"), (att3.as_str(), "present")]);
        let again = assembly(&w, &l.csrf, &typed);
        let (st, h, page) = send(&w.app, post(&uri, &l.cookie, &again)).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{page}");
        let stored = store::life::get(&w.store, &store::Scope::all(), record_id(&location(&h))).await.unwrap();
        assert_eq!((stored.record.expected, stored.record.present, stored.record.on_leave), (3, 2, 1));

        // back to September: the newcomer's choice is dropped, the others' are kept
        let body = assembly(
            &w,
            &l.csrf,
            &[
                ("roster_on", "2025-10-08"),
                (a2.as_str(), "leave"),
                (reason.as_str(), "病假"),
                (att3.as_str(), "absent"),
            ],
        );
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "the quorum is missed, the vote refused: {page}");
        assert!(page.contains("参会名单已按新的日期/类型更新") && page.contains("共 2 人"), "{page}");
        assert!(!page.contains(&format!("name=\"att_{a3}\"")) && page.contains("value=\"病假\""));
        db.finish().await;
    }
}

/// A wrong date does not hide the other problems: the attendance and the votes are checked
/// against the roster the form shows, in the same round.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_date_does_not_hide_the_other_problems() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = &w.logins[&Role::PartyWorker];
        let uri = format!("/orgs/{}/life/new", w.branch_a);
        let a2 = format!("att_{}", w.member_a2);
        for date in ["2025-09-31", "2099-01-01"] {
            let body = assembly(&w, &l.csrf, &[("held_on", date), (a2.as_str(), "leave"), ("recorder", "")]);
            let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
            assert!(page.contains("id=\"e-held_on\">会议日期："), "{date}: {page}");
            assert!(page.contains("id=\"e-recorder\">记录人：请填写记录人 (REC-07)"), "{date}: {page}");
            assert!(page.contains("请假或缺席须注明原因：甲二党员"), "{date}: {page}");
            assert!(!page.contains("不是本组织党员"), "{date}: checked against the roster shown: {page}");
            assert!(page.contains(&format!("name=\"roster_on\" value=\"{DAY}\"")), "the roster shown stays");
            assert!(page.contains("value=\"leave\" selected"));
        }
        assert_eq!(records_of_branch_a(&w).await, 0, "nothing was saved");
        db.finish().await;
    }
}

/// 全部出席: with the form's script in place; without it, a button that reloads the form with
/// everyone on the roster present and everything else as typed. The attendance block of another
/// date or other types for the script, in the caller's scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_present_in_one_tap_and_the_block_follows_date_and_types() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let l = &w.logins[&Role::PartyWorker];
        let uri = format!("/orgs/{}/life/new", w.branch_a);
        let (st, _, page) = send(&w.app, get(&uri, &l.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("name=\"action\" value=\"all_present\" data-all-present>全部出席</button>"), "{page}");
        assert!(page.contains("<script src=\"/assets/life-form.js\" defer></script>"));
        assert!(page.contains("<select id=\"f-lecturer_member_id\" name=\"lecturer_member_id\""), "a choice");
        assert!(page.contains(&format!("data-attendance=\"/orgs/{}/life/attendance\"", w.branch_a)));
        let (st, h, js) = send(&w.app, get("/assets/life-form.js", "")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
        assert!(js.contains("data-all-present") && js.contains("data-attendance"));

        // without script: everyone present, the rest as typed, nothing saved
        let a = format!("att_{}", w.member_a);
        let a2 = format!("att_{}", w.member_a2);
        let body = assembly(&w, &l.csrf, &[("action", "all_present"), (a.as_str(), "absent"), (a2.as_str(), "leave")]);
        let (st, _, page) = send(&w.app, post(&uri, &l.cookie, &body)).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        assert!(page.contains("已将名册中的 2 人全部标为出席"), "{page}");
        assert_eq!(page.matches("value=\"present\" selected").count(), 2, "{page}");
        assert!(page.contains("value=\"第三季度支部党员大会\"") && page.contains("name=\"res0_yes\" value=\"2\""));
        assert_eq!(records_of_branch_a(&w).await, 0, "nothing was saved");

        // the block of a date and types: the committee only, numbers by hand, a wrong date
        common::exec(&w.store, "UPDATE member SET job_post = '支部书记' WHERE id = $1", &store::args![w.member_a])
            .await;
        let block = format!("/orgs/{}/life/attendance", w.branch_a);
        let (st, h, html) =
            send(&w.app, get(&format!("{block}?held_on={DAY}&types=committee_meeting"), &l.cookie)).await;
        assert_eq!(st, StatusCode::OK, "{html}");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert!(html.starts_with("<section") && html.contains("id=\"attendance-block\""), "{html}");
        assert!(html.contains(&format!("name=\"{a}\"")) && !html.contains(&format!("name=\"{a2}\"")));
        assert!(html.contains("name=\"roster_kind\" value=\"committee\""));
        assert!(html.contains(&format!("name=\"roster_on\" value=\"{DAY}\"")));
        let (_, _, html) = send(&w.app, get(&format!("{block}?held_on={DAY}&types=heart_talk"), &l.cookie)).await;
        assert!(html.contains("name=\"expected\"") && !html.contains(&format!("name=\"{a}\"")));
        let (st, _, text) = send(&w.app, get(&format!("{block}?held_on=2099-01-01"), &l.cookie)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text.contains("会议日期"));
        // a 党员 records nothing; another county's branch is not found
        let m = &w.logins[&Role::Member];
        assert_eq!(send(&w.app, get(&format!("{block}?held_on={DAY}"), &m.cookie)).await.0, StatusCode::FORBIDDEN);
        let other = format!("/orgs/{}/life/attendance?held_on={DAY}", w.branch_b);
        assert_eq!(send(&w.app, get(&other, &l.cookie)).await.0, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}

/// The printed 会议记录: every part of the record on one sheet with the signature lines, linked
/// from the record page; the reasons for absence only for those who see them on the record page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_record_has_every_part_and_the_signature_lines() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let a3 = newcomer(&w).await;
        let (att3, reason3) = (format!("att_{a3}"), format!("reason_{a3}"));
        let id = enter(
            &w,
            &[
                ("held_on", "2025-10-08"),
                ("roster_on", "2025-10-08"),
                (att3.as_str(), "absent"),
                (reason3.as_str(), "外出务工"),
                ("observers", "镇党委联系领导王某"),
            ],
        )
        .await;
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-test-bytes";
        assert_eq!(upload(&w, Role::PartyWorker, id, "签到表.png", png).await.0, StatusCode::SEE_OTHER);
        let l = &w.logins[&Role::PartyWorker];
        let (_, _, page) = send(&w.app, get(&format!("/life/records/{id}"), &l.cookie)).await;
        assert!(page.contains(&format!("href=\"/life/records/{id}/print\">打印</a>")), "{page}");
        let print = format!("/life/records/{id}/print");
        let (st, _, sheet) = send(&w.app, get(&print, &l.cookie)).await;
        assert_eq!(st, StatusCode::OK, "{sheet}");
        for s in [
            "<h1>会议记录</h1>",
            "甲社区党支部",
            "支部党员大会",
            "第三季度支部党员大会",
            "2025-10-08",
            "14:30—16:00",
            "社区党群服务中心",
            "<th scope=\"row\">主持人</th><td>甲党员</td>",
            "<th scope=\"row\">记录人</th><td>甲二党员</td>",
            "一、讨论接收预备党员",
            "会议讨论了接收预备党员事项。",
            "<th scope=\"row\">应到</th><td>3 人（其中有表决权的正式党员 2 人）</td>",
            "<th scope=\"row\">实到</th><td>2 人（有表决权 2 人）：甲党员、甲二党员</td>",
            "<th scope=\"row\">请假及原因</th><td>0 人</td>",
            "<th scope=\"row\">缺席及原因</th><td>1 人：甲三党员（外出务工）</td>",
            "<th scope=\"row\">列席人员</th><td>镇党委联系领导王某</td>",
            "同意接收张某为预备党员",
            "举手表决",
            "通过",
            "签到表.png",
            "主持人（签字）",
            "记录人（签字）",
            "打印人：党务工作者测试",
            "草稿（登记：",
        ] {
            assert!(sheet.contains(s), "the printed record shows {s}: {sheet}");
        }
        assert!(sheet.contains("class=\"print-sheet record-sheet\"") && sheet.contains("class=\"no-print\""));
        // a 党员 of the branch prints it too, without another member's reason
        let m = &w.logins[&Role::Member];
        let (st, _, sheet) = send(&w.app, get(&print, &m.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(sheet.contains("缺席及原因</th><td>1 人：甲三党员</td>") && !sheet.contains("外出务工"), "{sheet}");
        // another county's officer: not found
        let other = store::account::NewAccount {
            username: "county_b_worker".into(),
            display_name: "乙县党务".into(),
            password: common::PASSWORD.into(),
            grants: vec![(Role::PartyWorker, Some(w.county_b))],
            ..Default::default()
        };
        let acc =
            store::account::create_account(&w.store, &store::Scope::all(), &other, &Default::default()).await.unwrap();
        let b = common::session_for(&w.store, acc.account.id, "county_b_worker").await;
        assert_eq!(send(&w.app, get(&print, &b.cookie)).await.0, StatusCode::NOT_FOUND);
        db.finish().await;
    }
}
