//! The organization and member pages on SQLite and PostgreSQL: the tree, the detail page, create,
//! edit, move (preview, then confirm), dissolve, the roster with filters, sorting and paging, the
//! member detail with its audited unmask, member create, edit and status changes, 我的信息; and
//! the refusals: validation keeping input, out of scope 404, CSRF, the 党员 account's limits.

use crate::common;

use axum::http::{header, StatusCode};
use chrono::{Duration, NaiveDate};
use common::{d, form, get, post, send, world, Login, World, ID_A, PHONE_A};
use domain::account::Role;
use domain::member::{Category, MemberInput, Status};
use domain::org::{OrgInput, OrgKind};
use store::testing::TestDb;
use store::Scope;

fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(8)).date_naive()
}

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

async fn page(w: &World, l: &Login, uri: &str) -> (StatusCode, String) {
    let (status, _, body) = send(&w.app, get(uri, &l.cookie)).await;
    (status, body)
}

async fn audit_actions(w: &World, n: i64) -> Vec<(String, String, String)> {
    store::audit::recent(&w.store, n).await.unwrap().into_iter().map(|r| (r.action, r.target, r.detail)).collect()
}

fn org_admin(w: &World) -> Login {
    w.logins[&Role::OrgAdmin].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_and_detail() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let a = org_admin(&w);
        let (status, body) = page(&w, &a, "/orgs").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("中共甲县委") && body.contains("中共甲镇委员会"), "{body}");
        assert!(!body.contains("甲社区党支部"), "collapsed below the first level");
        assert!(!body.contains("中共乙县委") && !body.contains("中共测试市委"));
        // expanding the town shows its branch, with member counts
        let (_, body) = page(&w, &a, &format!("/orgs?root={}&open={}", w.county_a, w.town_a)).await;
        assert!(body.contains("甲社区党支部"), "{body}");
        assert!(body.contains(&format!("open=#o{}", w.town_a)), "a link collapses it again: {body}");
        // search within the subtree
        let (_, body) = page(&w, &a, "/orgs?q=%E7%A4%BE%E5%8C%BA").await;
        assert!(body.contains("甲社区党支部") && !body.contains("乙社区党支部"), "{body}");
        // a bad query parameter is a 404, not a parse error
        assert_eq!(page(&w, &a, "/orgs?root=abc").await.0, StatusCode::NOT_FOUND);

        let (status, body) = page(&w, &a, &format!("/orgs/{}", w.branch_a)).await;
        assert_eq!(status, StatusCode::OK);
        for s in ["甲党员", "甲二党员", "新增党员", "转移", "撤销", "ORG-01", "/stats?org="] {
            assert!(body.contains(s), "{s} missing: {body}");
        }
        let focus = format!("name=\"back\" value=\"/orgs/{}\"", w.branch_a);
        assert!(body.contains(&focus), "设为当前范围 posts to /scope with a way back: {body}");
        assert!(!body.contains(ID_A) && !body.contains(PHONE_A));
        // the top of the caller's own grant can be edited but not moved or dissolved
        let (_, body) = page(&w, &a, &format!("/orgs/{}", w.county_a)).await;
        assert!(body.contains("新建下级组织") && body.contains("/edit\""));
        assert!(!body.contains(&format!("/orgs/{}/move", w.county_a)), "{body}");
        // a 党务工作者 sees the page without the organization actions
        let pw = &w.logins[&Role::PartyWorker];
        let (_, body) = page(&w, pw, &format!("/orgs/{}", w.branch_a)).await;
        assert!(body.contains("新增党员") && !body.contains("/edit\"") && !body.contains("撤销"));
        assert_eq!(page(&w, pw, &format!("/orgs/{}/new", w.town_a)).await.0, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_and_edit_org() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let a = org_admin(&w);
        let uri = format!("/orgs/{}/new", w.town_a);
        let (status, body) = page(&w, &a, &uri).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<option value=\"branch\"") && !body.contains("<option value=\"local_committee\""));
        // only the CSRF token: every required field named, nothing written
        let (status, _, body) = submit(&w, &a, &uri, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("组织名称：不能为空") && body.contains("组织类别：不能为空"), "{body}");
        // problems beside their fields, what was typed kept
        let bad = [
            ("name", "新建村党支部"),
            ("kind", "branch"),
            ("founded_on", "2099-01-01"),
            ("term_number", "三"),
            ("contact_phone", "13900009999"),
            ("fac_activity_venue", "built"),
            ("fac_activity_venue_year", "1800"),
        ];
        let (status, _, body) = submit(&w, &a, &uri, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("value=\"新建村党支部\"") && body.contains("value=\"13900009999\""), "{body}");
        assert!(body.contains("<option value=\"branch\" selected"));
        assert!(body.contains("成立日期：不能晚于今天") && body.contains("届次：“三”不是整数"), "{body}");
        assert!(body.contains("阵地设施：活动场所 的年份 1800 不合理"), "{body}");
        assert!(store::org::search(&w.store, &Scope::all(), w.city, "新建村", 5).await.unwrap().is_empty());
        // valid: created, audited, shown with a notice
        let good = [
            ("name", "新建村党支部"),
            ("kind", "branch"),
            ("sector", "rural"),
            ("founded_on", "2020-05-01"),
            ("term_start", "2024-01-10"),
            ("contact_phone", "13900009999"),
            ("fac_activity_venue", "built"),
            ("fac_activity_venue_year", "2021"),
        ];
        let (status, loc, _) = submit(&w, &a, &uri, &good).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(loc.ends_with("?ok=created"), "{loc}");
        let id: i64 = loc.trim_start_matches("/orgs/").trim_end_matches("?ok=created").parse().unwrap();
        let o = store::org::get(&w.store, &Scope::all(), id).await.unwrap();
        assert_eq!((o.parent_id, o.kind, o.term_end), (Some(w.town_a), OrgKind::Branch, Some(d("2029-01-10"))));
        assert_eq!(o.facilities.len(), 1);
        assert!(audit_actions(&w, 3).await.iter().any(|(a, t, _)| a == "org.create" && *t == format!("org:{id}")));
        let (_, body) = page(&w, &a, &loc).await;
        assert!(body.contains("已新建党组织") && body.contains("活动场所") && body.contains("建成（2021 年）"));
        // a duplicate name under the same parent is a field error
        let (status, _, body) = submit(&w, &a, &uri, &good).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("组织名称：同一上级党组织下已有"), "{body}");
        // a kind the parent cannot hold is refused by the store with its message
        let (status, _, body) =
            submit(&w, &a, &format!("/orgs/{}/new", w.branch_a), &[("name", "某党委"), ("kind", "committee")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("下不能设立党委"), "{body}");

        // edit: the masked phone left as it is keeps the stored number
        let edit = format!("/orgs/{id}/edit");
        let (_, body) = page(&w, &a, &edit).await;
        assert!(body.contains("value=\"139****9999\"") && !body.contains("13900009999"), "{body}");
        let (status, loc, _) = submit(
            &w,
            &a,
            &edit,
            &[
                ("name", "新建村第二党支部"),
                ("kind", "branch"),
                ("sector", "rural"),
                ("term_start", "2024-01-10"),
                ("contact_phone", "139****9999"),
                ("secretary", "王书记"),
            ],
        )
        .await;
        assert_eq!((status, loc.as_str()), (StatusCode::SEE_OTHER, format!("/orgs/{id}?ok=saved").as_str()));
        let o = store::org::get(&w.store, &Scope::all(), id).await.unwrap();
        assert_eq!(o.name, "新建村第二党支部");
        assert_eq!(o.contact_phone.as_deref(), Some("13900009999"));
        assert_eq!(o.secretary.as_deref(), Some("王书记"));
        assert!(o.facilities.is_empty(), "facilities follow the form");
        // an edit with errors keeps what was typed
        let (status, _, body) =
            submit(&w, &a, &edit, &[("name", ""), ("kind", "branch"), ("annual_funds", "-5")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("组织名称：不能为空") && body.contains("年度运转经费：不能为负数"));
        assert!(body.contains("value=\"-5\""));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_with_preview_then_confirm() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let a = org_admin(&w);
        let uri = format!("/orgs/{}/move", w.branch_a);
        // the new parent is picked with the organization picker, within the caller's scope
        let (status, body) = page(&w, &a, &uri).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("/orgs/pick?perm=edit_orgs&#38;field=to&#38;back=%2Forgs%2F"), "{body}");
        let (status, body) = page(&w, &a, "/orgs/pick?perm=edit_orgs&field=to&q=%E5%8E%BF%E5%A7%94").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("中共甲县委") && !body.contains("中共乙县委"), "{body}");
        // back from the picker's page: the preview of the one picked
        let (status, body) = page(&w, &a, &format!("{uri}?to={}", w.county_a)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("请确认转移") && body.contains("name=\"confirm\" value=\"yes\""), "{body}");
        // nothing chosen
        let (status, _, body) = submit(&w, &a, &uri, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请先搜索并选择"));
        // the preview names what moves, from where to where, and moves nothing
        let to = w.county_a.to_string();
        let (status, _, body) = submit(&w, &a, &uri, &[("to", &to)]).await;
        assert_eq!(status, StatusCode::OK);
        for s in ["请确认转移", "甲社区党支部", "<strong>0</strong> 个下级党组织", "<strong>2</strong> 名党员"]
        {
            assert!(body.contains(s), "{s}: {body}");
        }
        assert!(body.contains("从“<strong>中共甲镇委员会</strong>”之下，转到“<strong>中共甲县委</strong>”之下"));
        assert!(body.contains("name=\"confirm\" value=\"yes\""));
        let o = store::org::get(&w.store, &Scope::all(), w.branch_a).await.unwrap();
        assert_eq!(o.parent_id, Some(w.town_a));
        // confirmed: moved and audited
        let (status, loc, _) = submit(&w, &a, &uri, &[("to", &to), ("confirm", "yes")]).await;
        assert_eq!((status, loc), (StatusCode::SEE_OTHER, format!("/orgs/{}?ok=moved", w.branch_a)));
        let o = store::org::get(&w.store, &Scope::all(), w.branch_a).await.unwrap();
        assert_eq!(o.parent_id, Some(w.county_a));
        assert!(audit_actions(&w, 3).await.iter().any(|(a, _, _)| a == "org.move"));
        // refusals: into its own subtree, out of scope (404), the top of the caller's grant
        let (status, _, body) =
            submit(&w, &a, &format!("/orgs/{}/move", w.town_a), &[("to", &w.town_a.to_string())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("不能转移到它自己或它的下级党组织之下"), "{body}");
        let (status, _, _) = submit(&w, &a, &uri, &[("to", &w.county_b.to_string()), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let top = format!("/orgs/{}/move", w.county_a);
        let (status, body) = page(&w, &a, &top).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("顶层党组织") && !body.contains("name=\"to\""), "{body}");
        let (status, _, body) = submit(&w, &a, &top, &[("to", &w.town_a.to_string()), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("顶层党组织"));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dissolve_needs_name_and_an_empty_org() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let a = org_admin(&w);
        let day = today().to_string();
        // members remain: the store's refusal is shown
        let uri = format!("/orgs/{}/dissolve", w.branch_a);
        let (status, body) = page(&w, &a, &uri).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<strong>2</strong> 名") && body.contains("确认名称"));
        let (status, _, body) = submit(&w, &a, &uri, &[("date", &day), ("name", "甲社区党支部")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("还有 2 名党员，不能撤销"), "{body}");
        // children remain
        let (status, _, body) =
            submit(&w, &a, &format!("/orgs/{}/dissolve", w.town_a), &[("date", &day), ("name", "中共甲镇委员会")])
                .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("下级党组织，不能撤销"), "{body}");
        // an empty branch: the typed name must match
        let input = OrgInput { name: "待撤销党支部".into(), kind: Some(OrgKind::Branch), ..Default::default() };
        let empty = store::org::create(&w.store, &Scope::all(), Some(w.town_a), &input, today()).await.unwrap();
        let uri = format!("/orgs/{}/dissolve", empty.id);
        let (status, _, body) = submit(&w, &a, &uri, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("撤销日期：不能为空") && body.contains("确认名称：与组织全称"), "{body}");
        let (status, _, body) = submit(&w, &a, &uri, &[("date", &day), ("name", "待撤销")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("value=\"待撤销\""));
        assert!(store::org::get(&w.store, &Scope::all(), empty.id).await.is_ok());
        let (status, loc, _) = submit(&w, &a, &uri, &[("date", &day), ("name", "待撤销党支部")]).await;
        assert_eq!((status, loc), (StatusCode::SEE_OTHER, format!("/orgs/{}?ok=dissolved", w.town_a)));
        assert!(store::org::get(&w.store, &Scope::all(), empty.id).await.is_err());
        assert!(audit_actions(&w, 2).await.iter().any(|(a, _, _)| a == "org.dissolve"));
        // the top of the caller's own grant
        let (status, _, body) =
            submit(&w, &a, &format!("/orgs/{}/dissolve", w.county_a), &[("date", &day), ("name", "中共甲县委")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("顶层党组织"));
        db.finish().await;
    }
}

fn member(name: &str, id: &str, join: NaiveDate, cat: Category) -> MemberInput {
    MemberInput {
        name: name.into(),
        id_number: id.into(),
        category: Some(cat),
        join_date: Some(join),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_filters_sorts_pages_and_masks() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let pw = &w.logins[&Role::PartyWorker];
        let (status, body) = page(&w, pw, "/members").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("甲党员") && body.contains("甲二党员") && !body.contains("乙党员"));
        assert!(body.contains("110105********002X") && body.contains("138****5678"));
        assert!(!body.contains(ID_A) && !body.contains(PHONE_A));
        assert!(body.contains("甲社区党支部"), "organization column");
        // name filter
        let (_, body) = page(&w, pw, "/members?name=%E4%BA%8C").await;
        assert!(body.contains("甲二党员") && !body.contains(">甲党员<"), "{body}");
        // birth date order, both ways (甲党员 1949, 甲二党员 1950)
        let (_, body) = page(&w, pw, "/members?sort=birth_date&dir=asc").await;
        assert!(body.find(">甲党员<").unwrap() < body.find(">甲二党员<").unwrap());
        let (_, body) = page(&w, pw, "/members?sort=birth_date&dir=desc").await;
        assert!(body.find(">甲党员<").unwrap() > body.find(">甲二党员<").unwrap());
        assert!(body.contains("sort=birth_date&amp;dir=asc") || body.contains("sort=birth_date&#38;dir=asc"));
        // flags
        let mut needy = member(
            "困难党员甲",
            &domain::idcard::compose("110105", d("1960-01-01"), 11),
            d("1990-01-01"),
            Category::Full,
        );
        needy.is_needy = true;
        store::member::create(&w.store, &Scope::all(), w.branch_a, &needy, today()).await.unwrap();
        let (_, body) = page(&w, pw, "/members?needy=1").await;
        assert!(body.contains("困难党员甲") && !body.contains(">甲二党员<"), "{body}");
        // 55 more members: two pages of 50
        let mut tx = w.store.begin().await.unwrap();
        let rows: Vec<store::member::BulkRow> = (0..55)
            .map(|i| store::member::BulkRow {
                org_id: w.branch_a,
                org_path: String::new(),
                member: member(
                    &format!("批量{i:02}"),
                    &domain::idcard::compose("110105", d("1970-01-01") + Duration::days(i), 21),
                    d("1995-01-01"),
                    Category::Full,
                )
                .validate(today())
                .unwrap(),
            })
            .collect();
        let path = store::org::get(&w.store, &Scope::all(), w.branch_a).await.unwrap().path;
        let rows: Vec<_> = rows.into_iter().map(|r| store::member::BulkRow { org_path: path.clone(), ..r }).collect();
        store::member::insert_new(&mut tx, &rows).await.unwrap();
        tx.commit().await.unwrap();
        let (_, body) = page(&w, pw, "/members?sort=name").await;
        assert!(body.contains("共 58 名") && body.contains("第 1/2 页"), "{body}");
        assert_eq!(body.matches("href=\"/members/").count(), 50);
        let (_, body) = page(&w, pw, "/members?sort=name&page=2").await;
        assert_eq!(body.matches("href=\"/members/").count(), 8);
        // the page keeps its order (the database builds it as one JSON array)
        let at = |n: &str| body.find(&format!(">{n}<")).unwrap_or_else(|| panic!("{n} missing: {body}"));
        assert!(at("批量49") < at("批量54") && at("批量54") < at("甲二党员") && at("甲二党员") < at("甲党员"));
        // past the last page: the last page, its rows
        let (_, body) = page(&w, pw, "/members?sort=name&page=3").await;
        assert!(body.contains("共 58 名") && body.contains("第 2/2 页"), "{body}");
        assert_eq!(body.matches("href=\"/members/").count(), 8);
        // former members are listed by status, not in the current roll
        store::member::change_status(
            &w.store,
            &Scope::all(),
            w.member_a2,
            store::member::StatusChange::Leave(Status::Deceased),
            today(),
            "病故",
            today(),
        )
        .await
        .unwrap();
        let (_, body) = page(&w, pw, "/members").await;
        assert!(!body.contains(">甲二党员<"));
        let (_, body) = page(&w, pw, "/members?status=deceased").await;
        assert!(body.contains(">甲二党员<") && body.contains("死亡（"), "{body}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_detail_masked_and_unmask_audited() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let a = org_admin(&w);
        let uri = format!("/members/{}", w.member_a);
        let (status, body) = page(&w, &a, &uri).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("110105********002X") && body.contains("138****5678"));
        assert!(!body.contains(ID_A) && !body.contains(PHONE_A));
        assert!(body.contains("显示完整身份证号和手机号") && body.contains("?unmask=1"));
        assert!(!audit_actions(&w, 5).await.iter().any(|(a, _, _)| a == "member.read_personal"));
        let (status, body) = page(&w, &a, &format!("{uri}?unmask=1")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(ID_A) && body.contains(PHONE_A));
        let rec = store::audit::recent(&w.store, 1).await.unwrap().remove(0);
        assert_eq!(
            (rec.action.as_str(), rec.target.clone()),
            ("member.read_personal", format!("member:{}", w.member_a))
        );
        assert_eq!(rec.actor, a.username);
        assert!(!rec.detail.contains(ID_A) && !rec.detail.contains(PHONE_A));
        // without 查看个人敏感信息: no link, and asking shows masked data and records nothing
        let pw = &w.logins[&Role::PartyWorker];
        let (_, body) = page(&w, pw, &uri).await;
        assert!(!body.contains("?unmask=1"));
        let before = store::audit::recent(&w.store, 1).await.unwrap()[0].seq;
        let (status, body) = page(&w, pw, &format!("{uri}?unmask=1")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains(ID_A) && body.contains("110105********002X"));
        assert_eq!(store::audit::recent(&w.store, 1).await.unwrap()[0].seq, before);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_create_edit_and_status() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let pw = w.logins[&Role::PartyWorker].clone();
        let uri = format!("/orgs/{}/members/new", w.branch_a);
        let (status, body) = page(&w, &pw, &uri).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("name=\"id_number\""));
        let (status, _, body) = submit(&w, &pw, &uri, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("姓名：不能为空") && body.contains("公民身份号码：不能为空"), "{body}");
        assert!(body.contains("入党日期：不能为空"));
        let new_id = domain::idcard::compose("520302", d("1990-02-03"), 35);
        let join = (today() - Duration::days(400)).to_string();
        let typed = [
            ("name", "新党员"),
            ("id_number", new_id.as_str()),
            ("category", "probationary"),
            ("join_date", join.as_str()),
            ("full_date", "2020-01-01"),
            ("phone", "13700001111"),
            ("is_mobile", "1"),
            ("ethnicity", "苗族"),
        ];
        let (status, _, body) = submit(&w, &pw, &uri, &typed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("转正日期：预备党员不应填写转正日期") && body.contains("流动去向：流动党员应填写流动去向")
        );
        assert!(body.contains("value=\"新党员\"") && body.contains(&format!("value=\"{new_id}\"")));
        assert!(body.contains("<option value=\"苗族\" selected") && body.contains("value=\"13700001111\""));
        let mut ok = typed.to_vec();
        ok.retain(|(k, _)| *k != "full_date");
        ok.push(("mobile_to", "浙江省宁波市"));
        let (status, loc, _) = submit(&w, &pw, &uri, &ok).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let mid: i64 = loc.trim_start_matches("/members/").trim_end_matches("?ok=member_created").parse().unwrap();
        let m = store::member::get(&w.store, &Scope::all(), mid).await.unwrap();
        assert_eq!((m.category, m.ethnicity.as_str(), m.is_mobile), (Category::Probationary, "苗族", true));
        assert!(audit_actions(&w, 2)
            .await
            .iter()
            .any(|(a, t, _)| a == "member.create" && *t == format!("member:{mid}")));

        // edit without 查看个人敏感信息: the ID number is shown masked and read only; whatever is
        // sent for it, the stored one stays; a phone left masked stays
        let edit = format!("/members/{mid}/edit");
        let (_, body) = page(&w, &pw, &edit).await;
        assert!(body.contains("value=\"520302********") && !body.contains(&new_id), "{body}");
        assert!(body.contains("readonly") && body.contains("value=\"137****1111\""));
        let masked_id = domain::mask::id_number(&new_id);
        let (status, loc, body) = submit(
            &w,
            &pw,
            &edit,
            &[
                ("name", "新党员改"),
                ("id_number", ID_A),
                ("category", "probationary"),
                ("join_date", join.as_str()),
                ("phone", "137****1111"),
                ("ethnicity", "苗族"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(loc, format!("/members/{mid}?ok=saved"));
        let m = store::member::get(&w.store, &Scope::all(), mid).await.unwrap();
        assert_eq!((m.name.as_str(), m.id_number.as_str()), ("新党员改", new_id.as_str()));
        assert_eq!(m.phone.as_deref(), Some("13700001111"));
        assert!(!m.is_mobile, "unticked");
        // with it (组织部门): the masked value unchanged keeps the number, a new one replaces it
        let a = org_admin(&w);
        let base = [("name", "新党员改"), ("category", "probationary"), ("join_date", join.as_str())];
        let mut f = base.to_vec();
        f.push(("id_number", masked_id.as_str()));
        assert_eq!(submit(&w, &a, &edit, &f).await.0, StatusCode::SEE_OTHER);
        assert_eq!(store::member::get(&w.store, &Scope::all(), mid).await.unwrap().id_number, new_id);
        let other_id = domain::idcard::compose("520302", d("1990-02-03"), 57);
        let mut f = base.to_vec();
        f.push(("id_number", other_id.as_str()));
        assert_eq!(submit(&w, &a, &edit, &f).await.0, StatusCode::SEE_OTHER);
        assert_eq!(store::member::get(&w.store, &Scope::all(), mid).await.unwrap().id_number, other_id);

        // status: 转正 too early is a field error; then done with its reason, recorded and shown
        let st = format!("/members/{mid}/status");
        let (status, body) = page(&w, &pw, &st).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("转为正式党员") && body.contains("停止党籍"));
        let early = (today() - Duration::days(100)).to_string();
        let (status, _, body) = submit(&w, &pw, &st, &[("change", "confirm"), ("date", &early)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("原因：不能为空") && body.contains("确认办理：请核对后勾选"), "{body}");
        let (status, _, body) = submit(
            &w,
            &pw,
            &st,
            &[("change", "confirm"), ("date", &early), ("reason", "支部大会通过"), ("confirm", "1")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("日期：转正日期不能早于入党日期满一年"), "{body}");
        assert!(body.contains("支部大会通过"), "reason kept");
        let on = (today() - Duration::days(30)).to_string();
        let (status, loc, _) = submit(
            &w,
            &pw,
            &st,
            &[("change", "confirm"), ("date", &on), ("reason", "经镇党委批准按期转正"), ("confirm", "1")],
        )
        .await;
        assert_eq!((status, loc), (StatusCode::SEE_OTHER, format!("/members/{mid}?ok=status")));
        let m = store::member::get(&w.store, &Scope::all(), mid).await.unwrap();
        assert_eq!((m.category, m.full_date.map(|d| d.to_string())), (Category::Full, Some(on.clone())));
        let recs = audit_actions(&w, 1).await;
        assert_eq!(recs[0].0, "member.status");
        assert!(recs[0].2.contains("经镇党委批准按期转正"));
        // then transferred out: no longer current; the history lists both
        let (status, _, _) = submit(
            &w,
            &pw,
            &st,
            &[("change", "transferred_out"), ("date", &today().to_string()), ("reason", "转往乙县"), ("confirm", "1")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let m = store::member::get(&w.store, &Scope::all(), mid).await.unwrap();
        assert_eq!(m.status, Status::TransferredOut);
        let (_, body) = page(&w, &pw, &format!("/members/{mid}")).await;
        for s in ["登记为预备党员", "转为正式党员", "经镇党委批准按期转正", "转出", "转往乙县"]
        {
            assert!(body.contains(s), "{s}: {body}");
        }
        assert!(!body.contains("办理党籍变更"), "nothing more to do for a transferred member");
        let (status, _, body) =
            submit(&w, &pw, &st, &[("change", "deceased"), ("date", &on), ("reason", "x"), ("confirm", "1")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("不能办理"), "{body}");
        // a committee holds no members: the page offers the picker of branches
        let (status, body) = page(&w, &pw, &format!("/orgs/{}/members/new", w.town_a)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("data-pick=\"/orgs/pick?perm=member_org\""), "{body}");
        let (_, body) = page(&w, &pw, "/orgs/pick?perm=member_org&back=%2Forgs%2F%7Bid%7D%2Fmembers%2Fnew").await;
        assert!(body.contains(&format!("href=\"/orgs/{}/members/new\"", w.branch_a)), "{body}");
        let (status, _, _) = submit(&w, &pw, &format!("/orgs/{}/members/new", w.town_a), &ok).await;
        assert_eq!(status, StatusCode::CONFLICT);
        db.finish().await;
    }
}

/// The routes of these pages, with their targets.
fn my_routes() -> Vec<web::RouteSpec> {
    web::route_specs()
        .into_iter()
        .filter(|r| r.path.starts_with("/orgs") || r.path.starts_with("/members") || r.path == "/me")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_scope_is_404_and_csrf_is_checked() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let a = org_admin(&w);
    let routes = my_routes();
    assert!(routes.len() >= 15, "{routes:?}");
    for r in &routes {
        let targets: Vec<i64> = match r.target {
            web::Target::Org => vec![w.county_b, w.city, w.branch_b],
            web::Target::Member => vec![w.member_b, w.city_member],
            _ => continue,
        };
        for t in targets {
            let uri = r.path.replace("{id}", &t.to_string());
            let (status, _) = match r.method {
                "GET" => page(&w, &a, &uri).await,
                _ => {
                    let (s, _, b) = submit(&w, &a, &uri, &[("confirm", "yes")]).await;
                    (s, b)
                }
            };
            assert_eq!(status, StatusCode::NOT_FOUND, "{} {uri}", r.method);
        }
    }
    // an account with no member record has no 我的信息
    assert_eq!(page(&w, &a, "/me").await.0, StatusCode::NOT_FOUND);
    // every POST with a wrong token is refused before anything is written
    let before = store::audit::recent(&w.store, 1).await.unwrap()[0].seq;
    for r in routes.iter().filter(|r| r.method == "POST") {
        let id = match r.target {
            web::Target::Member => w.member_a2,
            _ if r.path.ends_with("/new") => w.branch_a,
            _ => w.branch_a,
        };
        let uri = r.path.replace("{id}", &id.to_string());
        let body = form(&[
            ("csrf", "forged"),
            ("name", "甲社区党支部"),
            ("kind", "branch"),
            ("date", &today().to_string()),
            ("to", &w.county_a.to_string()),
            ("confirm", "yes"),
            ("change", "deceased"),
            ("reason", "x"),
        ]);
        let (status, _, _) = send(&w.app, post(&uri, &a.cookie, &body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "POST {uri}");
    }
    assert_eq!(store::audit::recent(&w.store, 1).await.unwrap()[0].seq, before, "nothing written");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn party_member_sees_own_record_and_branch_only() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let m = &w.logins[&Role::Member];
        let (status, body) = page(&w, m, "/me").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("甲党员") && body.contains("110105********002X") && !body.contains(ID_A));
        assert!(body.contains("甲社区党支部") && body.contains("/me?unmask=1"));
        let (status, body) = page(&w, m, "/me?unmask=1").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(ID_A) && body.contains(PHONE_A));
        let rec = store::audit::recent(&w.store, 1).await.unwrap().remove(0);
        assert_eq!((rec.action, rec.target), ("member.read_personal".to_string(), format!("member:{}", w.member_a)));
        // the branch's basics, without the roster or any action
        let (status, body) = page(&w, m, &format!("/orgs/{}", w.branch_a)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("甲社区党支部") && body.contains("基本情况"));
        assert!(!body.contains("甲二党员") && !body.contains("/members?org=") && !body.contains("新增党员"));
        assert!(!body.contains("/edit\"") && !body.contains("/stats?org="));
        assert_eq!(page(&w, m, &format!("/orgs/{}", w.town_a)).await.0, StatusCode::NOT_FOUND);
        assert_eq!(page(&w, m, "/members").await.0, StatusCode::FORBIDDEN);
        assert_eq!(page(&w, m, &format!("/members/{}", w.member_a)).await.0, StatusCode::FORBIDDEN);
        assert_eq!(page(&w, m, &format!("/members/{}/edit", w.member_a)).await.0, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

/// The member list and the statistics page keep what they read (store::generation): a change made
/// by another process on the same database (the command line, another server) shows on the very
/// next view, and so does one made through this server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_and_statistics_show_a_change_made_elsewhere_at_once() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let oa = org_admin(&w);
        let roster = format!("/members?org={}", w.county_a);
        let stats = format!("/stats?org={}", w.county_a);
        let total = |n: i64| format!("合计</strong></td><td class=\"num\"><strong>{n}</strong>");
        for _ in 0..2 {
            let (status, body) = page(&w, &oa, &roster).await;
            assert_eq!(status, StatusCode::OK);
            assert!(body.contains(">甲党员<") && body.contains("共 2 名"), "{body}");
            let (status, body) = page(&w, &oa, &stats).await;
            assert_eq!(status, StatusCode::OK);
            assert!(body.contains(&total(2)), "{body}");
        }
        // another process renames a member (a raw statement) and adds one (through the store)
        let other = db.another().await;
        let mut tx = other.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE member SET name = '甲党员改名' WHERE id = $1", &store::args![w.member_a])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let added = member(
            "另一进程党员",
            &domain::idcard::compose("110105", d("1980-02-02"), 31),
            d("2001-07-01"),
            Category::Full,
        );
        store::member::create(&other, &Scope::all(), w.branch_a, &added, today()).await.unwrap();
        // SQLite reads the file on every view; a PostgreSQL server learns of another's change by
        // the database's notification, milliseconds after the commit: wait for it (at most 2 s)
        let mut seen = String::new();
        for _ in 0..40 {
            seen = page(&w, &oa, &roster).await.1;
            if seen.contains("共 3 名") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(seen.contains(">甲党员改名<") && seen.contains(">另一进程党员<") && seen.contains("共 3 名"), "{seen}");
        let (_, body) = page(&w, &oa, &stats).await;
        assert!(body.contains(&total(3)), "{body}");
        // a status change through this server: the former member leaves the list and the count
        let (status, _, body) = submit(
            &w,
            &oa,
            &format!("/members/{}/status", w.member_a2),
            &[("change", "transferred_out"), ("date", &today().to_string()), ("reason", "转往外地"), ("confirm", "1")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, body) = page(&w, &oa, &roster).await;
        assert!(!body.contains(">甲二党员<") && body.contains("共 2 名"), "{body}");
        let (_, body) = page(&w, &oa, &stats).await;
        assert!(body.contains(&total(2)), "{body}");
        other.close().await;
        db.finish().await;
    }
}

/// The printed 党员信息卡: the member's fields and history on one sheet, masked by default; in full
/// only for a role that may see personal data, and that read is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_member_card_prints_masked_unless_allowed() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let url = format!("/members/{}/print", w.member_a);
        let worker = &w.logins[&Role::PartyWorker];
        let (st, _, page) = send(&w.app, get(&url, &worker.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("党员信息卡") && page.contains("甲党员") && page.contains("甲社区党支部"), "{page}");
        assert!(page.contains("中共甲县委 / 中共甲镇委员会 / 甲社区党支部"), "the chain of organizations: {page}");
        assert!(!page.contains(ID_A) && page.contains(&domain::mask::id_number(ID_A)));
        let (_, _, page) = send(&w.app, get(&format!("{url}?unmask=1"), &worker.cookie)).await;
        assert!(!page.contains(ID_A) && page.contains("没有查看完整身份证号"), "quietly masked: {page}");

        let admin = &w.logins[&Role::OrgAdmin];
        let before = store::audit::recent(&w.store, 500).await.unwrap().len();
        let (_, _, page) = send(&w.app, get(&format!("{url}?unmask=1"), &admin.cookie)).await;
        assert!(page.contains(ID_A) && page.contains("含完整证件号"), "{page}");
        let recs = store::audit::recent(&w.store, 500).await.unwrap();
        assert_eq!(recs.len(), before + 1);
        assert_eq!(recs[0].action, "member.read_personal");

        // another county's member is not found
        let (st, _, _) = send(&w.app, get(&format!("/members/{}/print", w.member_b), &admin.cookie)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
}

/// The organization page leads to what is done with the organization: its compliance card, its
/// calendar and its export, each only for a role that may open it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_page_links_to_its_card_calendar_and_export() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        let id = w.branch_a;
        let admin = &w.logins[&Role::OrgAdmin];
        let (st, _, page) = send(&w.app, get(&format!("/orgs/{id}"), &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        for link in [format!("/orgs/{id}/life\""), format!("/life/calendar?org={id}\""), format!("/export?org={id}\"")]
        {
            assert!(page.contains(&link), "{link} on the page");
        }
        let member = &w.logins[&Role::Member];
        let (_, _, page) = send(&w.app, get(&format!("/orgs/{id}"), &member.cookie)).await;
        assert!(!page.contains(&format!("/export?org={id}\"")), "a 党员 exports nothing");
    }
}
