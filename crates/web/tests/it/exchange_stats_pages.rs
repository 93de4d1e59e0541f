//! 数据导入, 数据导出 and 统计分析 in process, on SQLite and PostgreSQL: upload and dry run, the
//! report with its bad rows, the error workbook, one commit only, jobs private to their account and
//! scope; exports masked by default, unmasked only with permission and audited; statistics of the
//! test world and of the demo city; 404 outside the scope, CSRF on every POST.

use crate::common;

use std::io::Cursor;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::*;
use domain::account::{PasswordPolicy, Role};
use domain::member::{Category, MemberInput, Status};
use domain::org::{Facility, FacilityKind, FacilityStatus, OrgInput, OrgKind, Sector};
use http_body_util::BodyExt;
use store::account::NewAccount;
use store::testing::TestDb;
use store::{member, Scope, Store};
use tower::ServiceExt;

const BOUNDARY: &str = "----djtestboundary7MA4YWxk";

/// A multipart form: text fields, then the file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn upload_req(cookie: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/import")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(body))
        .unwrap()
}

/// Send and keep the body's bytes (downloads).
async fn send_raw(app: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn location(h: &HeaderMap) -> String {
    h.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

fn id_of(born: &str, seq: u32) -> String {
    domain::idcard::compose("110105", d(born), seq)
}

async fn roster(s: &Store, org_id: i64) -> Vec<domain::member::Member> {
    let mut out = Vec::new();
    member::for_each_chunk(s, &Scope::all(), org_id, 500, |c| {
        out.extend(c);
        Ok(())
    })
    .await
    .unwrap();
    out
}

async fn audit_actions(s: &Store) -> Vec<store::audit::Record> {
    store::audit::recent(s, 200).await.unwrap()
}

/// Another account with a role on an organization, signed in.
async fn extra_login(s: &Store, username: &str, role: Role, org: i64) -> Login {
    let new = NewAccount {
        username: username.into(),
        display_name: username.into(),
        password: PASSWORD.into(),
        grants: vec![(role, Some(org))],
        ..Default::default()
    };
    let acc = store::account::create_account(s, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap();
    session_for(s, acc.account.id, username).await
}

/// Two good rows (one with no organization: it joins the target), three bad ones: an invalid ID
/// number, an organization outside the caller's scope, an unknown category.
fn roster_csv() -> String {
    let lines = [
        "姓名,公民身份号码,人员类别,入党日期,所在党组织,联系电话".to_string(),
        format!("新党员甲,{},正式党员,2005-07-01,,13700000001", id_of("1980-01-01", 11)),
        format!("新党员乙,{},预备党员,2026-03-01,甲社区党支部,13700000002", id_of("1998-05-06", 13)),
        "坏号码,123,正式党员,2005-07-01,甲社区党支部,".to_string(),
        format!("越界者,{},正式党员,2005-07-01,乙社区党支部,", id_of("1985-02-03", 15)),
        format!("类别错,{},老党员,2005-07-01,甲社区党支部,", id_of("1986-02-03", 17)),
    ];
    lines.join("\n") + "\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_report_errors_commit_once() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let w = world(&s).await;
        let admin = &w.logins[&Role::OrgAdmin];
        let csv = roster_csv();
        let branch = w.branch_a.to_string();

        // the form offers the organization picker of the scope, not what is outside it
        let (st, _, body) = send(&w.app, get("/import", &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("data-pick=\"/orgs/pick?perm=exchange\"") && !body.contains("乙社区党支部"), "{body}");
        assert!(body.contains("enctype=\"multipart/form-data\""));

        // CSRF first: a forged upload is refused and stores nothing
        let forged = multipart(&[("csrf", "nope"), ("org", &branch)], Some(("名册.csv", csv.as_bytes())));
        let (st, _, _) = send(&w.app, upload_req(&admin.cookie, forged)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // upload: a dry run, then the report
        let body = multipart(&[("csrf", &admin.csrf), ("org", &branch)], Some(("新党员名册.csv", csv.as_bytes())));
        let (st, h, text) = send(&w.app, upload_req(&admin.cookie, body)).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{text}");
        let job_url = location(&h);
        assert!(job_url.starts_with("/import/"), "{job_url}");
        let job_id: i64 = job_url.trim_start_matches("/import/").parse().unwrap();
        assert_eq!(roster(&s, w.branch_a).await.len(), 2, "the dry run writes nothing");

        let (st, _, page) = send(&w.app, get(&job_url, &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        assert!(page.contains("新党员名册.csv"));
        for (row, needle) in [(4, "公民身份号码"), (5, "找不到党组织“乙社区党支部”"), (6, "人员类别")]
        {
            assert!(page.contains(&format!("第 {row} 行")), "row {row}: {page}");
            assert!(page.contains(needle), "{needle}: {page}");
        }
        assert!(!page.contains("第 2 行") && !page.contains("第 3 行"), "good rows are not listed");
        assert!(page.contains("<div class=\"n\">5</div><div class=\"l\">读取行数</div>"), "{page}");
        assert!(page.contains("<div class=\"n\">2</div><div class=\"l\">将新增</div>"), "{page}");
        assert!(page.contains("确认导入") && page.contains(&format!("/import/{job_id}/errors.xlsx")));
        assert!(!page.contains("dj-import-"), "no server path in the report");

        // the error workbook: the three bad rows with their reasons
        let (st, h, bytes) = send_raw(&w.app, get(&format!("/import/{job_id}/errors.xlsx"), &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
        assert!(h[header::CONTENT_DISPOSITION].to_str().unwrap().contains("filename*=UTF-8''"));
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c: &Data| c.to_string()).collect()).collect();
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[0].last().map(String::as_str), Some("错误原因"));
        let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, ["坏号码", "越界者", "类别错"]);

        // nobody else sees the job: another account of the same scope, one of another scope
        let worker = &w.logins[&Role::PartyWorker];
        let outsider = extra_login(&s, "u_county_b", Role::OrgAdmin, w.county_b).await;
        for other in [worker, &outsider] {
            for url in [job_url.clone(), format!("/import/{job_id}/errors.xlsx")] {
                let (st, _, _) = send(&w.app, get(&url, &other.cookie)).await;
                assert_eq!(st, StatusCode::NOT_FOUND, "{} {url}", other.username);
            }
            let f = form(&[("csrf", &other.csrf), ("confirm", "yes")]);
            let (st, _, _) = send(&w.app, post(&format!("/import/{job_id}/commit"), &other.cookie, &f)).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{}", other.username);
        }
        // nor does the owner through a scope that no longer covers the target
        let county_b_path = store::org::get(&s, &Scope::all(), w.county_b).await.unwrap().path;
        let narrowed = Scope::subtrees([county_b_path]);
        assert!(store::import_job::get(&s, &narrowed, admin.account_id, job_id).await.is_err());
        // a role without 导入导出 is refused outright
        let (st, _, _) = send(&w.app, get(&job_url, &w.logins[&Role::Member].cookie)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // commit: CSRF, then the explicit confirmation, then the import
        let url = format!("/import/{job_id}/commit");
        let (st, _, _) = send(&w.app, post(&url, &admin.cookie, &form(&[("csrf", "bad"), ("confirm", "yes")]))).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, page) = send(&w.app, post(&url, &admin.cookie, &form(&[("csrf", &admin.csrf)]))).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("确认"), "{page}");
        assert_eq!(roster(&s, w.branch_a).await.len(), 2);

        let ok = form(&[("csrf", &admin.csrf), ("confirm", "yes")]);
        let (st, h, _) = send(&w.app, post(&url, &admin.cookie, &ok)).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location(&h), format!("/import/{job_id}?ok=committed"));
        let names: Vec<String> = roster(&s, w.branch_a).await.into_iter().map(|m| m.name).collect();
        assert_eq!(names.len(), 4, "{names:?}");
        for n in ["甲党员", "甲二党员", "新党员甲", "新党员乙"] {
            assert!(names.iter().any(|x| x == n), "{n}: {names:?}");
        }
        assert_eq!(roster(&s, w.branch_b).await.len(), 1, "nothing written outside the scope");
        let audit = audit_actions(&s).await;
        let imports: Vec<_> = audit.iter().filter(|r| r.action == "member.import").collect();
        assert_eq!(imports.len(), 1);
        assert_eq!(imports[0].actor, admin.username);
        assert!(audit.iter().any(|r| r.action == "import.upload" && r.actor == admin.username));

        let (st, _, page) = send(&w.app, get(&format!("/import/{job_id}?ok=committed"), &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("导入完成") && page.contains("已导入"), "{page}");
        assert!(page.contains("<div class=\"n\">2</div><div class=\"l\">已新增</div>"), "{page}");
        assert!(!page.contains("/commit"), "no second commit button");

        // a second commit is refused and imports nothing
        let (st, _, page) = send(&w.app, post(&url, &admin.cookie, &ok)).await;
        assert_eq!(st, StatusCode::CONFLICT, "{page}");
        assert!(page.contains("已经导入过"), "{page}");
        assert_eq!(roster(&s, w.branch_a).await.len(), 4);
        assert_eq!(audit_actions(&s).await.iter().filter(|r| r.action == "member.import").count(), 1);

        // the caller's recent imports list it
        let (_, _, body) = send(&w.app, get("/import", &admin.cookie)).await;
        assert!(body.contains(&format!("/import/{job_id}")) && body.contains("已导入"));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_problems_are_shown_beside_their_fields() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let w = world(&s).await;
        let admin = &w.logins[&Role::OrgAdmin];

        // only a CSRF token, not even multipart: the form's problems, nothing stored
        let (st, _, page) = send(&w.app, post("/import", &admin.cookie, &form(&[("csrf", &admin.csrf)]))).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("选择文件：请选择要导入的文件"), "{page}");
        assert!(page.contains("导入到的党组织：请选择导入到的党组织"), "{page}");
        let (st, _, _) = send(&w.app, post("/import", &admin.cookie, "csrf=x")).await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // an old Excel file, with the choices kept
        let branch = w.branch_a.to_string();
        let body = multipart(&[("csrf", &admin.csrf), ("org", &branch), ("strict", "yes")], Some(("名册.xls", b"x")));
        let (st, _, page) = send(&w.app, upload_req(&admin.cookie, body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("另存为"), "{page}");
        assert!(page.contains(&format!("name=\"org\" value=\"{branch}\"")), "target kept: {page}");
        assert!(page.contains("name=\"strict\" value=\"yes\" checked"), "strict kept");

        // a target outside the scope is a problem of that field
        let other = w.branch_b.to_string();
        let csv = roster_csv();
        let body = multipart(&[("csrf", &admin.csrf), ("org", &other)], Some(("名册.csv", csv.as_bytes())));
        let (st, _, page) = send(&w.app, upload_req(&admin.cookie, body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("导入到的党组织：导入到的党组织不存在或不在您的管理范围内"), "{page}");
        assert!(!page.contains("乙社区党支部"));

        // an organization file needs 维护党组织, which a 党务工作者 lacks
        let worker = &w.logins[&Role::PartyWorker];
        let orgs = "组织名称,上级党组织,组织类别,所属领域\n新建党支部,,党支部,社区\n";
        let town = w.town_a.to_string();
        let body = multipart(&[("csrf", &worker.csrf), ("org", &town)], Some(("组织.csv", orgs.as_bytes())));
        let (st, _, page) = send(&w.app, upload_req(&worker.cookie, body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("维护党组织"), "{page}");

        // strict mode: the report says nothing will be written and offers no commit
        let body = multipart(
            &[("csrf", &admin.csrf), ("org", &branch), ("strict", "yes")],
            Some(("名册.csv", csv.as_bytes())),
        );
        let (st, h, _) = send(&w.app, upload_req(&admin.cookie, body)).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, _, page) = send(&w.app, get(&location(&h), &admin.cookie)).await;
        assert!(page.contains("严格模式") && !page.contains("确认导入</button>"), "{page}");

        // no access for roles without 导入导出
        for role in [Role::Member, Role::SecurityAdmin, Role::AuditAdmin, Role::SystemAdmin] {
            let (st, _, _) = send(&w.app, get("/import", &w.logins[&role].cookie)).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{role:?}");
        }
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_masked_unless_allowed_and_asked_for() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let w = world(&s).await;
        // a former member: only with the option
        member::create(
            &s,
            &Scope::all(),
            w.branch_a,
            &MemberInput {
                name: "已故党员".into(),
                id_number: id_of("1930-01-01", 21),
                category: Some(Category::Full),
                join_date: Some(d("1950-07-01")),
                status: Some(Status::Deceased),
                status_date: Some(d("2020-01-01")),
                ..Default::default()
            },
            d("2026-11-21"),
        )
        .await
        .unwrap();
        let admin = &w.logins[&Role::OrgAdmin];
        let (st, _, page) = send(&w.app, get("/export", &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("包含完整身份证号和手机号"), "{page}");
        assert!(page.contains("中共甲县委") && !page.contains("中共乙县委"));

        // masked by default, current members only, a Chinese file name
        let url = format!("/export/download?org={}&what=members&format=csv", w.county_a);
        let (st, h, bytes) = send_raw(&w.app, get(&url, &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(disposition.contains(&format!("filename*=UTF-8''{}", enc("中共甲县委-党员名册-"))), "{disposition}");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("甲党员") && text.contains("甲二党员") && !text.contains("乙党员"), "{text}");
        assert!(!text.contains(ID_A) && !text.contains(PHONE_A), "{text}");
        assert!(text.contains(&domain::mask::id_number(ID_A)) && text.contains(&domain::mask::phone(PHONE_A)));
        assert!(!text.contains("已故党员"));
        let with_former = format!("{url}&former=yes");
        let (_, _, bytes) = send_raw(&w.app, get(&with_former, &admin.cookie)).await;
        assert!(String::from_utf8(bytes).unwrap().contains("已故党员"));

        // unmasked when asked for by a role that may see personal data; audited without values
        let (st, _, bytes) = send_raw(&w.app, get(&format!("{url}&unmask=yes"), &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(ID_A) && text.contains(PHONE_A));
        let audit = audit_actions(&s).await;
        let rec = audit.iter().find(|r| r.action == "member.export_unmasked").expect("unmasked export audited");
        assert_eq!(rec.actor, admin.username);
        assert!(rec.detail.contains("\"rows\":2") && rec.detail.contains("\"unmasked\":true"), "{}", rec.detail);
        assert!(!rec.detail.contains(ID_A) && !rec.detail.contains(PHONE_A));
        assert!(audit.iter().any(|r| r.action == "member.export" && r.detail.contains("\"unmasked\":false")));

        // a 党务工作者 has no 查看个人敏感信息: not offered, and refused when forced
        let worker = &w.logins[&Role::PartyWorker];
        let (_, _, page) = send(&w.app, get("/export", &worker.cookie)).await;
        assert!(!page.contains("包含完整身份证号和手机号"), "{page}");
        let (st, h, bytes) = send_raw(&w.app, get(&format!("{url}&unmask=yes"), &worker.cookie)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(h.get(header::CONTENT_DISPOSITION).is_none());
        let page = String::from_utf8(bytes).unwrap();
        assert!(page.contains("没有查看") && !page.contains(ID_A));
        let unmasked = audit_actions(&s).await.iter().filter(|r| r.action == "member.export_unmasked").count();
        assert_eq!(unmasked, 1);

        // organizations as .xlsx, inside the scope only
        let url = format!("/export/download?org={}&what=orgs&format=xlsx", w.county_a);
        let (st, h, bytes) = send_raw(&w.app, get(&url, &worker.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
        let names: Vec<String> = sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
        assert_eq!(names, ["中共甲县委", "中共甲镇委员会", "甲社区党支部"]);

        // outside the scope: 404; nonsense choices: the form with its problems
        let (st, _, _) =
            send(&w.app, get(&format!("/export/download?org={}&what=members&format=csv", w.county_b), &admin.cookie))
                .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _, _) =
            send(&w.app, get(&format!("/export/download?org={}&what=members&format=csv", w.city), &admin.cookie)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _, page) =
            send(&w.app, get(&format!("/export/download?org={}&what=x&format=pdf", w.county_a), &admin.cookie)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("导出内容：") && page.contains("文件格式："), "{page}");
        let (st, _, _) = send(&w.app, get("/export", &w.logins[&Role::Member].cookie)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_of_the_test_world() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let w = world(&s).await;
        let all = Scope::all();
        let today = d("2026-11-21");
        // a young minority member with a degree, and a service centre for the township
        member::create(
            &s,
            &all,
            w.branch_a,
            &MemberInput {
                name: "年轻党员".into(),
                id_number: id_of("1999-06-01", 31),
                ethnicity: Some("苗族".into()),
                education: Some(domain::member::Education::Bachelor),
                category: Some(Category::Probationary),
                join_date: Some(d("2026-01-10")),
                ..Default::default()
            },
            today,
        )
        .await
        .unwrap();
        let town = OrgInput {
            name: "中共甲镇委员会".into(),
            kind: Some(OrgKind::Committee),
            sector: Some(Sector::Community),
            has_committee: true,
            facilities: vec![Facility {
                kind: FacilityKind::ServiceCenter,
                status: FacilityStatus::Built,
                year: Some(2020),
            }],
            ..Default::default()
        };
        store::org::update(&s, &all, w.town_a, &town, today).await.unwrap();

        // the store's figures agree with the roster
        let r = store::statistics::subtree(&s, &all, w.county_a, web_today()).await.unwrap();
        let people = roster(&s, w.county_a).await;
        assert_eq!(r.members, people.len() as i64);
        let count = |v: &[store::statistics::Slice], code: &str| v.iter().find(|x| x.code == code).unwrap().count;
        assert_eq!(
            count(&r.by_sex, "female"),
            people.iter().filter(|m| m.sex == domain::member::Sex::Female).count() as i64
        );
        assert_eq!(count(&r.by_category, "probationary"), 1);
        assert_eq!(count(&r.by_ethnicity, "minority"), 1);
        assert_eq!(count(&r.by_education, "bachelor"), 1);
        for band in store::statistics::AgeBand::ALL {
            let expected = people
                .iter()
                .filter(|m| store::statistics::AgeBand::of_birth(m.birth_date, web_today()) == band)
                .count();
            assert_eq!(count(&r.by_age, band.code()), expected as i64, "{band:?}");
        }
        assert_eq!(count(&r.by_age, "gt70"), 2);
        assert_eq!(count(&r.by_age, "le30"), 1);
        assert_eq!((r.township_centers.units, r.township_centers.covered), (1, 1));
        assert_eq!((r.village_stations.units, r.village_stations.covered), (1, 0));
        assert_eq!(count(&r.orgs_by_kind, "local_committee"), 1);
        assert_eq!(count(&r.grassroots_by_sector, "community"), 2);

        // the page: the caller's root by default, each chart with its table
        let admin = &w.logins[&Role::PartyWorker];
        let (st, _, page) = send(&w.app, get("/stats", &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        assert!(page.contains("统计分析 <small class=\"muted\">中共甲县委</small>"), "{page}");
        assert!(page.contains("<div class=\"n\">3</div><div class=\"l\">党员</div>"), "{page}");
        assert_eq!(
            page.matches("<svg role=\"img\"").count(),
            9,
            "six member charts, two organization charts, coverage"
        );
        // no script but the organization picker's own (the page works without it)
        assert_eq!(page.matches("<script").count(), page.matches("<script src=\"/assets/picker.js\" defer>").count());
        for row in [
            "<td>预备党员</td><td class=\"num\">1</td><td class=\"num\">33.3%</td>",
            "<td>70岁以上</td><td class=\"num\">2</td><td class=\"num\">66.7%</td>",
            "<td>30岁及以下</td><td class=\"num\">1</td><td class=\"num\">33.3%</td>",
            "<td>少数民族</td><td class=\"num\">1</td>",
            "<td>大学本科</td><td class=\"num\">1</td>",
            "<td>乡镇（街道）<br><span class=\"muted\">党务政务综合服务中心</span></td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">100.0%</td>",
            "<td>村（社区）<br><span class=\"muted\">党员群众综合服务站</span></td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">0.0%</td>",
        ] {
            assert!(page.contains(row), "{row}\n{page}");
        }
        // a subtree below the grant; the drill-down links
        let (st, _, page) = send(&w.app, get(&format!("/stats?org={}", w.branch_a), &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("<div class=\"n\">3</div><div class=\"l\">党员</div>"));
        assert!(page.contains(&format!("/stats?org={}", w.town_a)), "up link");
        // outside the scope (sibling, ancestor) and nonsense: 404
        for org in [w.county_b.to_string(), w.city.to_string(), w.branch_b.to_string(), "abc".into(), "999999".into()] {
            let (st, _, _) = send(&w.app, get(&format!("/stats?org={org}"), &admin.cookie)).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{org}");
            let (st, _, _) = send(&w.app, get(&format!("/stats/export.csv?org={org}"), &admin.cookie)).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{org}");
        }
        let (st, h, body) = send(&w.app, get(&format!("/stats/export.csv?org={}", w.county_a), &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(h[header::CONTENT_DISPOSITION].to_str().unwrap().contains("filename*=UTF-8''"));
        assert!(body.contains("\"年龄\",\"70岁以上\",2,66.7%"), "{body}");
        for role in [Role::Member, Role::SecurityAdmin] {
            let (st, _, _) = send(&w.app, get("/stats", &w.logins[&role].cookie)).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{role:?}");
        }
        db.finish().await;
    }
}

/// The date the pages count ages on (China time).
fn web_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The demo city (speech 000): 224 of 243 townships and streets with a 党务政务综合服务中心
/// (92.2%), 1276 of 1990 villages and communities with a 党员群众综合服务站 (64.1%).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_city_service_network_coverage() {
    let db = TestDb::sqlite().await;
    let opts = demo::DemoOptions { scale: demo::Scale::City, seed: 2026, today: d("2026-11-21") };
    let summary = demo::build(&db.store, &opts, &store::NoProgress).await.unwrap();
    let r = store::statistics::subtree(&db.store, &Scope::all(), summary.root_id, d("2026-11-21")).await.unwrap();
    assert_eq!((r.township_centers.covered, r.township_centers.units), (224, 243));
    assert_eq!((r.village_stations.covered, r.village_stations.units), (1276, 1990));
    assert_eq!(r.township_centers.percent(), 92.2);
    assert_eq!(r.village_stations.percent(), 64.1);
    assert_eq!(r.members, summary.members as i64);
    assert_eq!(r.grassroots_orgs(), summary.grassroots_orgs as i64);
    let female = r.by_sex.iter().find(|x| x.code == "female").unwrap().count;
    assert_eq!(female, summary.female as i64);
    db.finish().await;
}

/// Upload `file` to the import page as `login` into `org`: the report page of the dry run.
async fn dry_run_report(w: &World, login: &Login, org: i64, name: &str, file: &[u8]) -> String {
    let org = org.to_string();
    let body = multipart(&[("csrf", &login.csrf), ("org", &org)], Some((name, file)));
    let (st, h, text) = send(&w.app, upload_req(&login.cookie, body)).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{text}");
    let (st, _, page) = send(&w.app, get(&location(&h), &login.cookie)).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_templates_carry_the_importers_headers_and_an_example_that_imports() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let w = world(&s).await;
        let worker = &w.logins[&Role::PartyWorker];

        // the import page offers the template
        let (_, _, body) = send(&w.app, get("/import", &worker.cookie)).await;
        assert!(body.contains("href=\"/import/template.xlsx\"") && body.contains("下载导入模板"), "{body}");

        // the workbook: the roster sheet with exactly the importer's headers and one example row,
        // and the guide naming every column
        let (st, h, bytes) = send_raw(&w.app, get("/import/template.xlsx", &worker.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
        let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.contains("attachment") && disposition.contains(&enc("党员名册导入模板.xlsx")),
            "{disposition}"
        );
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(wb.sheet_names(), ["党员名册", "填写说明"]);
        let sheet = wb.worksheet_range("党员名册").unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c: &Data| c.to_string()).collect()).collect();
        assert_eq!(rows[0], exchange::member_headers());
        assert_eq!(rows.len(), 2, "the header and the example: {rows:?}");
        let guide = wb.worksheet_range("填写说明").unwrap();
        let text: Vec<String> =
            guide.rows().flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect();
        assert!(text.iter().any(|t| t.contains("正式党员、预备党员")), "accepted values named: {text:?}");
        assert!(text.iter().filter(|t| *t == "必填").count() >= 4, "required columns marked: {text:?}");

        // its example row imports cleanly into a branch (dry run: no problem, one member to add)
        let page = dry_run_report(&w, worker, w.branch_a, "党员名册导入模板.xlsx", &bytes).await;
        assert!(page.contains("<div class=\"n\">1</div><div class=\"l\">读取行数</div>"), "{page}");
        assert!(page.contains("<div class=\"n\">0</div><div class=\"l\">有误</div>"), "{page}");
        assert!(page.contains("<div class=\"n\">1</div><div class=\"l\">将新增</div>"), "{page}");
        assert!(!page.contains("有误的行"), "{page}");

        // the CSV template: the same headers and example
        let (st, h, bytes) = send_raw(&w.app, get("/import/template.csv", &worker.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
        let csv = String::from_utf8(bytes.clone()).unwrap();
        assert!(csv.starts_with(&format!("\u{feff}{}\n", exchange::member_headers().join(","))), "{csv}");
        let page = dry_run_report(&w, worker, w.branch_a, "党员名册导入模板.csv", &bytes).await;
        assert!(page.contains("<div class=\"n\">0</div><div class=\"l\">有误</div>"), "{page}");
        assert!(page.contains("<div class=\"n\">1</div><div class=\"l\">将新增</div>"), "{page}");

        // the organizations' template, for whoever may maintain organizations, under a committee
        let admin = &w.logins[&Role::OrgAdmin];
        let (st, _, bytes) = send_raw(&w.app, get("/import/template.xlsx?kind=orgs", &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(wb.sheet_names(), ["党组织", "填写说明"]);
        let sheet = wb.worksheet_range("党组织").unwrap();
        let head: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(head, exchange::org_headers());
        let page = dry_run_report(&w, admin, w.town_a, "党组织导入模板.xlsx", &bytes).await;
        assert!(page.contains("<div class=\"n\">0</div><div class=\"l\">有误</div>"), "{page}");
        assert!(page.contains("<div class=\"n\">1</div><div class=\"l\">将新增</div>"), "{page}");

        // not for a role that may not import
        let (st, _, _) = send(&w.app, get("/import/template.xlsx", &w.logins[&Role::Member].cookie)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        db.finish().await;
    }
}
