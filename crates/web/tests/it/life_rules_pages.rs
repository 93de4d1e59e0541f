//! The organization-life rules page (`/life/rules`: types and every rule version; local rule
//! versions and local types for the organization department) and a 党组's 党建工作分工
//! (`/orgs/{id}/divisions`), on SQLite and PostgreSQL: listing, adding with errors beside their
//! fields and the typed values kept, the county grant's clear refusal to add types, roles (403)
//! and scope (404).

use crate::common;

use axum::http::{header, StatusCode};
use common::{form, get, post, send, world, Login, World};
use domain::account::Role;
use domain::org::{OrgInput, OrgKind, Sector};
use store::testing::TestDb;
use store::Scope;

fn location(h: &axum::http::HeaderMap) -> String {
    h.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// POST a form with the login's CSRF token first.
async fn submit(w: &World, l: &Login, uri: &str, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
    let mut all = vec![("csrf", l.csrf.as_str())];
    all.extend_from_slice(pairs);
    let (status, h, body) = send(&w.app, post(uri, &l.cookie, &form(&all))).await;
    (status, location(&h), body)
}

/// What a reader sees of a page: its text without tags, scripts or styles, spaces collapsed.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        let tag = &rest[i..];
        let skip =
            ["<script", "<style", "<title"].iter().find(|t| tag.starts_with(**t)).map(|t| format!("</{}", &t[1..]));
        rest = match skip {
            Some(close) => &tag[tag.find(&close).unwrap_or(0)..],
            None => tag,
        };
        rest = &rest[rest.find('>').map_or(rest.len(), |j| j + 1)..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn page(w: &World, l: &Login, uri: &str) -> (StatusCode, String) {
    let (status, _, body) = send(&w.app, get(uri, &l.cookie)).await;
    (status, body)
}

/// A login granted `role` on `org`.
async fn login_on(w: &World, username: &str, role: Role, org: i64) -> Login {
    let new = store::account::NewAccount {
        username: username.into(),
        display_name: username.into(),
        password: common::PASSWORD.into(),
        grants: vec![(role, Some(org))],
        ..Default::default()
    };
    let acc = store::account::create_account(&w.store, &Scope::all(), &new, &Default::default()).await.unwrap();
    common::session_for(&w.store, acc.account.id, username).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_and_types() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let dept = w.logins[&Role::OrgDeptAdmin].clone(); // 组织部管理员 of county A
        let county_a = w.county_a.to_string();

        // the types and every national rule version, grouped by type, with the forms
        let (status, body) = page(&w, &dept, "/life/rules").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for s in [
            "规则与类型",
            "支部党员大会",
            "有表决权党员过半数",
            "LIFE-01",
            "每季度至少 1 次",
            "2018-10-28 起",
            "全国",
            "《中国共产党支部工作条例（试行）》 第十一条",
            "高：正式文本明确规定",
            "增加本地规则版本",
            "中共甲县委",
            "中共甲镇委员会",
        ] {
            assert!(body.contains(s), "{s} missing: {body}");
        }
        assert!(!body.contains("中共乙县委"), "another county is no choice");
        // what the page says names types, organizations, frequencies and grades in Chinese, never
        // by their internal codes (those stay in links and form values)
        let text = visible_text(&body);
        let mut codes: Vec<&str> = domain::life::shipped_types().iter().map(|t| t.code.as_str()).collect();
        codes.extend(domain::life::Applies::ALL.iter().map(|a| a.code()));
        codes.extend(domain::life::PeriodKind::ALL.iter().map(|p| p.code()));
        codes.extend(OrgKind::ALL.iter().map(|k| k.code()));
        for code in codes {
            assert!(!text.contains(code), "{code} shown: {text}");
        }
        assert!(!text.contains(" H ") && text.contains("高 正式文本明确规定"), "the grade in words: {text}");
        // a county's department cannot add types: said plainly, no form
        assert!(body.contains("只能由最上级党组织的组织部增加"), "{body}");
        assert!(!body.contains("action=\"/life/types\""));

        // a local version: 党课 monthly instead of quarterly for county A
        let rule = [
            ("org", county_a.as_str()),
            ("type_code", "party_lecture"),
            ("applies", ""),
            ("period", "month"),
            ("min", "1"),
            ("valid_from", "2026-01-01"),
            ("valid_to", ""),
            ("source", "甲县委组织部关于加强党课教育的通知（甲组发〔2025〕3号）"),
            ("article", "第二条"),
        ];
        let (status, loc, body) = submit(&w, &dept, "/life/rules", &rule).await;
        assert_eq!((status, loc.as_str()), (StatusCode::SEE_OTHER, "/life/rules?ok=rule"), "{body}");
        let (_, body) = page(&w, &dept, &loc).await;
        assert!(body.contains("已增加本地规则版本"), "{body}");
        let i = body.find("id=\"type-party_lecture\"").expect("the 党课 group");
        let group = &body[i..i + body[i..].find("</table>").unwrap()];
        for s in [
            "LIFE-06",
            "每季度至少 1 次",
            "每月至少 1 次",
            "2026-01-01 起",
            "本地",
            "中共甲县委",
            "甲组发〔2025〕3号） 第二条",
        ] {
            assert!(group.contains(s), "{s} missing from the 党课 rules: {group}");
        }
        let rules = store::life::rules(&w.store).await.unwrap();
        let local = rules.iter().find(|r| r.org_id == Some(w.county_a)).expect("stored");
        assert_eq!((local.period, local.min, local.confidence.as_str()), (domain::life::PeriodKind::Month, 1, "L"));
        assert!(store::audit::recent(&w.store, 20).await.unwrap().iter().any(|r| r.action == "life.rule.add"));

        // bad input: every problem beside its field, what was typed kept
        let bad = [
            ("org", county_a.as_str()),
            ("type_code", "party_lecture"),
            ("period", "weekly"),
            ("min", "x"),
            ("valid_from", "2026-13-01"),
            ("source", ""),
        ];
        let (status, _, body) = submit(&w, &dept, "/life/rules", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        for s in [
            "频次：应为 每月、每季度 或 每年",
            "至少次数：应为 0–31 的整数",
            "生效日期：",
            "依据文件：请填写本地规定的文件名称",
        ] {
            assert!(body.contains(s), "{s} missing: {body}");
        }
        assert!(body.contains("value=\"x\"") && body.contains("value=\"2026-13-01\""), "typed values kept");
        assert!(body.contains("aria-invalid=\"true\""));
        // an organization outside the scope, or none
        let elsewhere = w.county_b.to_string();
        let (status, _, body) = submit(&w, &dept, "/life/rules", &[("org", elsewhere.as_str())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("党组织：不存在或不在您的管理范围内"), "{body}");
        let (status, _, body) = submit(&w, &dept, "/life/rules", &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("党组织：请选择党组织"), "{body}");
        assert_eq!(store::life::rules(&w.store).await.unwrap().len(), rules.len(), "nothing more was stored");

        // adding a type from the county: a clear refusal on the page, nothing added
        let types_before = store::life::types(&w.store).await.unwrap().len();
        let ty = [("label", "党员冬训"), ("code", "winter_training"), ("roster", "branch")];
        let (status, _, body) = submit(&w, &dept, "/life/types", &ty).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("组织生活规则与类型") && body.contains("只能由最上级党组织的组织部增加"), "{body}");
        assert!(body.contains("role=\"alert\""), "{body}");
        assert_eq!(store::life::types(&w.store).await.unwrap().len(), types_before);

        // the city's department adds one; bad input first
        let city_dept = login_on(&w, "city_dept", Role::OrgDeptAdmin, w.city).await;
        let (_, body) = page(&w, &city_dept, "/life/rules").await;
        assert!(body.contains("action=\"/life/types\"") && body.contains("中共乙县委"), "{body}");
        let (status, _, body) =
            submit(&w, &city_dept, "/life/types", &[("label", ""), ("code", "Winter Training"), ("roster", "x")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        for s in [
            "类型名称：请填写 1–30 字的名称",
            "类型代码：应为 2–40 位小写英文字母",
            "参会范围：应为 branch",
            "value=\"Winter Training\"",
        ] {
            assert!(body.contains(s), "{s} missing: {body}");
        }
        let (status, loc, body) = submit(&w, &city_dept, "/life/types", &ty).await;
        assert_eq!((status, loc.as_str()), (StatusCode::SEE_OTHER, "/life/rules?ok=type"), "{body}");
        let (_, body) = page(&w, &dept, "/life/rules").await;
        assert!(body.contains("党员冬训") && body.contains("本地增加"), "{body}");
        assert!(!visible_text(&body).contains("winter_training"), "the new type by its name only");
        let (status, _, body) = submit(&w, &city_dept, "/life/types", &ty).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("已存在"), "{body}");

        // roles: the forms are the organization department's; reading is everyone's in the tree
        let worker = &w.logins[&Role::PartyWorker];
        let (status, body) = page(&w, worker, "/life/rules").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("LIFE-06") && !body.contains("增加本地规则版本"), "{body}");
        assert!(body.contains("href=\"/life/rules\""), "in the menu");
        assert_eq!(submit(&w, worker, "/life/rules", &rule).await.0, StatusCode::FORBIDDEN);
        assert_eq!(submit(&w, worker, "/life/types", &ty).await.0, StatusCode::FORBIDDEN);
        let admin = &w.logins[&Role::OrgAdmin];
        assert_eq!(submit(&w, admin, "/life/rules", &rule).await.0, StatusCode::FORBIDDEN);
        assert_eq!(page(&w, &w.logins[&Role::Member], "/life/rules").await.0, StatusCode::OK);
        let (status, body) = page(&w, &w.logins[&Role::SecurityAdmin], "/life/rules").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        // a form without the session's token
        let (status, _, _) = send(&w.app, post("/life/rules", &dept.cookie, &form(&rule))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn party_group_divisions() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let all = Scope::all();
        let today = common::d("2026-11-21");
        let group = |name: &str| OrgInput {
            name: name.into(),
            kind: Some(OrgKind::LeadingGroup),
            sector: Some(Sector::Organs),
            ..Default::default()
        };
        let g = store::org::create(&w.store, &all, Some(w.county_a), &group("甲县教育局党组"), today).await.unwrap().id;
        let other =
            store::org::create(&w.store, &all, Some(w.county_b), &group("乙县教育局党组"), today).await.unwrap().id;
        let admin = w.logins[&Role::OrgAdmin].clone();
        let uri = format!("/orgs/{g}/divisions");

        // the organization page links to it for a 党组 only
        let (_, body) = page(&w, &admin, &format!("/orgs/{g}")).await;
        assert!(body.contains(&format!("href=\"{uri}\"")), "{body}");
        let (_, body) = page(&w, &admin, &format!("/orgs/{}", w.branch_a)).await;
        assert!(!body.contains("/divisions"), "{body}");

        // none yet: said, with the finding it causes
        let (status, body) = page(&w, &admin, &uri).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("尚未登记") && body.contains("LIFE-15") && body.contains("登记分工"), "{body}");

        // add one
        let entry =
            [("member_name", "张局长"), ("post", "党组书记"), ("duty", "全面负责党建工作"), ("since", "2026-01-05")];
        let (status, loc, body) = submit(&w, &admin, &uri, &entry).await;
        assert_eq!((status, loc.clone()), (StatusCode::SEE_OTHER, format!("{uri}?ok=added")), "{body}");
        let (_, body) = page(&w, &admin, &loc).await;
        for s in ["已登记党建工作分工", "张局长", "党组书记", "全面负责党建工作", "2026-01-05", "删除"]
        {
            assert!(body.contains(s), "{s} missing: {body}");
        }
        assert!(!body.contains("尚未登记"));
        // bad input: beside the fields, kept
        let bad = [("member_name", ""), ("post", "党组成员"), ("duty", ""), ("since", "2026-02-30")];
        let (status, _, body) = submit(&w, &admin, &uri, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        for s in ["姓名：请填写姓名", "分工：请填写分工", "起始日期：", "value=\"党组成员\"", "value=\"2026-02-30\""]
        {
            assert!(body.contains(s), "{s} missing: {body}");
        }
        // a 党务工作者 records too
        let worker = w.logins[&Role::PartyWorker].clone();
        let second =
            [("member_name", "李副局长"), ("post", "党组成员"), ("duty", "联系机关党支部"), ("since", "2026-03-01")];
        assert_eq!(submit(&w, &worker, &uri, &second).await.0, StatusCode::SEE_OTHER);
        let list = store::life::divisions(&w.store, &all, g).await.unwrap();
        assert_eq!(list.iter().map(|d| d.member_name.as_str()).collect::<Vec<_>>(), ["张局长", "李副局长"]);
        assert!(store::audit::recent(&w.store, 20).await.unwrap().iter().any(|r| r.action == "life.division.add"));

        // delete one; deleting it again, or nothing, is refused on the page
        let del = format!("{uri}/delete");
        let id = list[0].id.to_string();
        let (status, loc, _) = submit(&w, &admin, &del, &[("division", id.as_str())]).await;
        assert_eq!((status, loc), (StatusCode::SEE_OTHER, format!("{uri}?ok=deleted")));
        let (_, body) = page(&w, &admin, &uri).await;
        assert!(!body.contains("张局长") && body.contains("李副局长"), "{body}");
        let (status, _, body) = submit(&w, &admin, &del, &[("division", id.as_str())]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("已不存在"), "{body}");
        let (status, _, body) = submit(&w, &admin, &del, &[("division", "")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请选择要删除的分工"), "{body}");
        assert_eq!(store::life::divisions(&w.store, &all, g).await.unwrap().len(), 1);

        // not a 党组: said so, nothing recorded
        let (status, body) = page(&w, &admin, &format!("/orgs/{}/divisions", w.branch_a)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("不是党组") && !body.contains("登记分工"), "{body}");
        let (status, _, body) = submit(&w, &admin, &format!("/orgs/{}/divisions", w.branch_a), &entry).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("不是党组"), "{body}");

        // roles and scope
        let member = &w.logins[&Role::Member];
        assert_eq!(page(&w, member, &uri).await.0, StatusCode::NOT_FOUND, "a 党员 reads only the own branch");
        assert_eq!(submit(&w, member, &uri, &entry).await.0, StatusCode::FORBIDDEN);
        let other_uri = format!("/orgs/{other}/divisions");
        assert_eq!(page(&w, &admin, &other_uri).await.0, StatusCode::NOT_FOUND);
        assert_eq!(submit(&w, &admin, &other_uri, &entry).await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            submit(&w, &admin, &format!("{other_uri}/delete"), &[("division", "1")]).await.0,
            StatusCode::NOT_FOUND
        );
        assert!(store::life::divisions(&w.store, &all, other).await.unwrap().is_empty());
        let (status, _, _) = send(&w.app, post(&uri, &admin.cookie, &form(&entry))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
        db.finish().await;
    }
}
