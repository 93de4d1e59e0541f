//! Every role signs in to a home page of its own; the menu offers only what the role may do.

mod common;

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
        // the administrator triad sees no business figures
        if role.is_admin_triad() {
            assert!(!body.contains("中共甲县委"), "{role:?} sees no organization");
        }
    }
    db.finish().await;
}
