//! Pages past the end of a list, on SQLite and PostgreSQL: a page number past the last page shows
//! the last page (第 2/2 页, its rows), and a page number of 0, below 0, too long or not a number
//! shows the first page; never an empty list under 第 99999/2 页, never an error. The roster, the
//! children of an organization, the audit trail and the meeting records.

use crate::common;

use axum::http::StatusCode;
use common::{d, form, get, post, send, world, World};
use domain::account::Role;
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use store::testing::TestDb;
use store::Scope;

/// Page numbers as they may come in an address, and the page each must show of a list of `last`
/// pages.
fn asked(last: i64) -> Vec<(&'static str, i64)> {
    vec![("99999", last), ("99999999999999999999999", last), ("0", 1), ("-3", 1), ("abc", 1), ("1.5", 1), ("", 1)]
}

/// The "第 x/y 页" a page shows.
fn shown_page(body: &str) -> Option<(i64, i64)> {
    let at = body.find("第 ")?;
    let rest = &body[at + "第 ".len()..];
    let (x, rest) = rest.split_once('/')?;
    let y: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    Some((x.trim().parse().ok()?, y.parse().ok()?))
}

/// 55 more members in branch A (57 in all: two pages of 50) and 51 more branches under town A
/// (52 children: two pages of 50).
async fn longer_lists(w: &World) {
    let all = Scope::all();
    let today = d("2026-11-21");
    for i in 0..55u32 {
        let m = MemberInput {
            name: format!("翻页党员{i:02}"),
            id_number: domain::idcard::compose("110105", d("1980-01-01"), 500 + i),
            category: Some(Category::Full),
            join_date: Some(d("2005-07-01")),
            ..Default::default()
        };
        store::member::create(&w.store, &all, w.branch_a, &m, today).await.unwrap();
    }
    for i in 0..51 {
        let o = OrgInput {
            name: format!("翻页第{i:02}党支部"),
            kind: Some(OrgKind::Branch),
            sector: Some(Sector::Community),
            ..Default::default()
        };
        store::org::create(&w.store, &all, Some(w.town_a), &o, today).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_past_the_end_shows_the_last_page_and_a_bad_number_the_first() {
    for db in TestDb::both().await {
        let w = world(&db.store).await;
        // a meeting record of branch A (entered before the branch grows, so its roster is two)
        let worker = &w.logins[&Role::PartyWorker];
        let (a, a2) = (format!("att_{}", w.member_a), format!("att_{}", w.member_a2));
        let record = form(&[
            ("csrf", &worker.csrf),
            ("action", "draft"),
            ("types", "branch_assembly"),
            ("title", "翻页支部党员大会"),
            ("held_on", "2025-09-20"),
            ("start_time", "14:30"),
            ("end_time", "16:00"),
            ("place", "社区党群服务中心"),
            ("host", "甲党员"),
            ("recorder", "甲二党员"),
            ("agenda", "学习"),
            ("minutes", "会议学习了有关文件。"),
            ("roster_on", "2025-09-20"),
            ("roster_kind", "branch"),
            (&a, "present"),
            (&a2, "present"),
        ]);
        let (st, _, body) =
            send(&w.app, post(&format!("/orgs/{}/life/new", w.branch_a), &worker.cookie, &record)).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{}", &body[..body.len().min(3000)]);
        longer_lists(&w).await;
        let admin = &w.logins[&Role::OrgAdmin];
        let auditor = &w.logins[&Role::AuditAdmin];

        // the roster: 57 members, 2 pages
        for (raw, want) in asked(2) {
            let uri = format!("/members?org={}&page={raw}", w.branch_a);
            let (st, _, body) = send(&w.app, get(&uri, &admin.cookie)).await;
            assert_eq!(st, StatusCode::OK, "{uri}: {body}");
            assert_eq!(shown_page(&body), Some((want, 2)), "{uri}");
            assert!(body.contains("翻页党员"), "{uri}: the page's rows are shown");
        }

        // the children of an organization: 52, 2 pages
        for (raw, want) in asked(2) {
            let uri = format!("/orgs/{}?cpage={raw}", w.town_a);
            let (st, _, body) = send(&w.app, get(&uri, &admin.cookie)).await;
            assert_eq!(st, StatusCode::OK, "{uri}: {body}");
            assert_eq!(shown_page(&body), Some((want, 2)), "{uri}");
            assert!(body.contains("翻页第"), "{uri}: the page's children are shown");
        }

        // the audit trail: well over 50 records
        let (_, _, first) = send(&w.app, get("/audit", &auditor.cookie)).await;
        let (_, pages) = shown_page(&first).expect("the audit pager");
        assert!(pages >= 2, "{first}");
        for (raw, want) in asked(pages) {
            let uri = format!("/audit?page={raw}");
            let (st, _, body) = send(&w.app, get(&uri, &auditor.cookie)).await;
            assert_eq!(st, StatusCode::OK, "{uri}: {body}");
            assert_eq!(shown_page(&body), Some((want, pages)), "{uri}");
            assert!(!body.contains("没有符合条件的记录"), "{uri}: the page's records are shown");
        }
        // and with filters kept
        let (_, _, body) = send(&w.app, get("/audit?action=org.&page=99999", &auditor.cookie)).await;
        assert!(body.contains("org.create") && !body.contains("没有符合条件的记录"), "{body}");

        // the meeting records: one record, one page
        for (raw, _) in asked(1) {
            let uri = format!("/life?org={}&page={raw}", w.branch_a);
            let (st, _, body) = send(&w.app, get(&uri, &worker.cookie)).await;
            assert_eq!(st, StatusCode::OK, "{uri}: {body}");
            assert!(body.contains("翻页支部党员大会"), "{uri}: the record is listed");
            assert!(!body.contains("没有符合条件的会议记录"), "{uri}");
        }
        db.finish().await;
    }
}
