//! Every role signs in to a home page of its own; the menu offers only what the role may do.

use crate::common;

use axum::http::StatusCode;
use common::{get, send, world};
use domain::account::Role;
use store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_sees_its_own_menu() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    for role in Role::ALL {
        let l = &w.logins[role];
        let (status, _, body) = send(&w.app, get("/", &l.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{role:?}: {body}");
        let sees_roster = body.contains("href=\"/members\"");
        assert_eq!(sees_roster, matches!(role, Role::OrgDeptAdmin | Role::OrgAdmin | Role::PartyWorker), "{role:?}");
        assert_eq!(body.contains("href=\"/audit\""), *role == Role::AuditAdmin, "{role:?}");
        assert_eq!(body.contains("href=\"/admin/accounts\""), *role == Role::SecurityAdmin, "{role:?}");
        assert_eq!(body.contains("href=\"/system\""), *role == Role::SystemAdmin, "{role:?}");
        let confirms = matches!(role, Role::OrgDeptAdmin | Role::OrgAdmin);
        assert_eq!(body.contains("href=\"/admin/grants/pending\""), confirms, "{role:?}: 授权确认 for officers only");
        // the administrator triad sees no business figures
        if role.is_admin_triad() {
            assert!(!body.contains("中共甲县委"), "{role:?} sees no organization");
        }
    }
    db.finish().await;
}

/// The statistics page is shared between callers for a short time, but a write through the
/// server shows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_follow_a_write_at_once() {
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let l = &w.logins[&Role::OrgAdmin];
    let figure = |body: &str| {
        // the first figure is the member count
        let i = body.find("class=\"n\"").expect("figures") + 10;
        body[i..i + body[i..].find('<').unwrap()].trim().to_string()
    };
    let uri = format!("/stats?org={}", w.county_a);
    let (_, _, before) = send(&w.app, get(&uri, &l.cookie)).await;
    assert_eq!(figure(&before), "2");
    let id = domain::idcard::compose("520302", common::d("1960-02-03"), 35);
    let form = common::form(&[
        ("csrf", &l.csrf),
        ("name", "统计新人"),
        ("id_number", &id),
        ("category", "full"),
        ("join_date", "1990-07-01"),
        ("full_date", "1991-07-01"),
    ]);
    let (status, _, body) =
        send(&w.app, common::post(&format!("/orgs/{}/members/new", w.branch_a), &l.cookie, &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, after) = send(&w.app, get(&uri, &l.cookie)).await;
    assert_eq!(figure(&after), "3", "the new member is counted at once");
    db.finish().await;
}
