//! One export path for pages, API and command line: the organizations' contact phones are masked
//! in a page export unless the caller holds 查看个人敏感信息 there and asks, and the audit record
//! says what the file actually holds. On SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::*;
use domain::account::Role;
use domain::org::{OrgInput, OrgKind, Sector};
use store::testing::TestDb;
use store::{org, Scope};

const PHONE: &str = "13512345678";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_exports_of_organizations_mask_contact_phones_and_the_audit_tells_the_truth() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let w = world(&s).await;
        let input = OrgInput {
            name: "中共甲街道工委".into(),
            kind: Some(OrgKind::Committee),
            sector: Some(Sector::Community),
            has_committee: true,
            contact_phone: Some(PHONE.into()),
            ..Default::default()
        };
        org::create(&s, &Scope::all(), Some(w.county_a), &input, d("2026-11-21")).await.unwrap();
        let url = format!("/export/download?org={}&what=orgs&format=csv", w.county_a);
        let masked = domain::mask::phone(PHONE);

        // a 党务工作者 (no 查看个人敏感信息): masked, and refused when forcing it
        let worker = &w.logins[&Role::PartyWorker];
        let (st, _, text) = send(&w.app, get(&url, &worker.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(text.contains(&masked) && !text.contains(PHONE), "{text}");
        let (st, _, text) = send(&w.app, get(&format!("{url}&unmask=yes"), &worker.cookie)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!text.contains(PHONE));

        // the officer: masked by default too; in full only when asked
        let admin = &w.logins[&Role::OrgAdmin];
        let (_, _, text) = send(&w.app, get(&url, &admin.cookie)).await;
        assert!(text.contains(&masked) && !text.contains(PHONE), "{text}");
        let (st, _, text) = send(&w.app, get(&format!("{url}&unmask=yes"), &admin.cookie)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(text.contains(PHONE));

        // the audit: two masked exports and one unmasked, whose personal read is recorded too
        let recs = store::audit::recent(&s, 200).await.unwrap();
        let exports: Vec<_> = recs.iter().filter(|r| r.action == "org.export").collect();
        assert_eq!(exports.len(), 3, "every export is recorded");
        assert_eq!(exports.iter().filter(|r| r.detail.contains("\"unmasked\":false")).count(), 2);
        assert_eq!(exports.iter().filter(|r| r.detail.contains("\"unmasked\":true")).count(), 1);
        let reads: Vec<_> = recs.iter().filter(|r| r.action == "org.read_personal").collect();
        assert_eq!(reads.len(), 1);
        assert!(reads[0].detail.contains("\"via\":\"page\""), "{}", reads[0].detail);
        assert!(recs.iter().all(|r| !r.detail.contains(PHONE)));
    }
}
