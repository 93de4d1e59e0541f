//! The audit trail on both backends: every write is recorded with its actor, personal data is
//! redacted, the hash chain verifies, and tampering (an edited, deleted or truncated record) is found.

use chrono::NaiveDate;
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use store::testing::TestDb;
use store::{audit, member, org, Actor, Scope};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn scope() -> Scope {
    let mut a = Actor::new("张管理", "组织部管理员");
    a.source_ip = Some("10.0.0.8".into());
    Scope::all().acting_as(a)
}

async fn some_writes(s: &store::Store) {
    let sc = scope();
    let today = d("2026-11-21");
    let mk =
        |n: &str, k| OrgInput { name: n.into(), kind: Some(k), sector: Some(Sector::Organs), ..Default::default() };
    let root = org::create(s, &sc, None, &mk("根党委", OrgKind::Committee), today).await.unwrap();
    let a = org::create(s, &sc, Some(root.id), &mk("甲支部", OrgKind::Branch), today).await.unwrap();
    let b = org::create(s, &sc, Some(root.id), &mk("乙党总支", OrgKind::GeneralBranch), today).await.unwrap();
    let mi = MemberInput {
        name: "王五".into(),
        id_number: "11010519491231002X".into(),
        category: Some(Category::Full),
        join_date: Some(d("1975-07-01")),
        phone: Some("13812345678".into()),
        ..Default::default()
    };
    let m = member::create(s, &sc, a.id, &mi, today).await.unwrap();
    let mut edit = mi.clone();
    edit.phone = Some("13987654321".into());
    edit.work_unit = Some("某局".into());
    member::update(s, &sc, m.id, None, &edit, today).await.unwrap();
    org::move_subtree(s, &sc, a.id, b.id).await.unwrap();
    let empty = org::create(s, &sc, Some(root.id), &mk("丙支部", OrgKind::Branch), today).await.unwrap();
    org::dissolve(s, &sc, empty.id, today).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_recorded_and_the_chain_verifies() {
    for db in TestDb::both().await {
        let s = &db.store;
        some_writes(s).await;
        let recs = audit::recent(s, 100).await.unwrap();
        let actions: Vec<&str> = recs.iter().rev().map(|r| r.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "org.create",
                "org.create",
                "org.create",
                "member.create",
                "member.update",
                "org.move",
                "org.create",
                "org.dissolve"
            ]
        );
        for r in &recs {
            assert_eq!(
                (r.actor.as_str(), r.role.as_str(), r.source_ip.as_deref()),
                ("张管理", "组织部管理员", Some("10.0.0.8"))
            );
            assert!(r.at.ends_with("+08:00"), "time with offset: {}", r.at);
            for secret in ["11010519491231002X", "13812345678", "13987654321"] {
                assert!(!r.detail.contains(secret), "personal data in the trail: {}", r.detail);
            }
        }
        let upd = recs.iter().find(|r| r.action == "member.update").unwrap();
        assert!(
            upd.detail.contains("work_unit") && upd.detail.contains("某局") && upd.detail.contains("phone"),
            "{}",
            upd.detail
        );
        assert!(!upd.detail.contains("\"name\""), "unchanged fields are not listed: {}", upd.detail);
        let v = audit::verify(s).await.unwrap();
        assert!(v.ok(), "{:?}", v.problems);
        assert_eq!(v.records, 8);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_found() {
    for db in TestDb::both().await {
        let s = &db.store;
        some_writes(s).await;
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x()).execute("UPDATE audit_log SET actor = '别人' WHERE seq = 3", &[]).await.unwrap();
        tx.commit().await.unwrap();
        let v = audit::verify(s).await.unwrap();
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert!(v.problems[0].contains("第 3 条") && v.problems[0].contains("修改"), "{:?}", v.problems);

        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x()).execute("DELETE FROM audit_log WHERE seq = 5", &[]).await.unwrap();
        tx.commit().await.unwrap();
        let v = audit::verify(s).await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("第 5 至 5 条记录缺失")), "{:?}", v.problems);

        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x()).execute("DELETE FROM audit_log WHERE seq = 8", &[]).await.unwrap();
        tx.commit().await.unwrap();
        let v = audit::verify(s).await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("末尾记录被删除")), "{:?}", v.problems);
        db.finish().await;
    }
}

/// Concurrent writers still produce one unbroken chain (PostgreSQL serialises on the head row).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_keep_one_chain() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let root = org::create(
            &s,
            &scope(),
            None,
            &OrgInput {
                name: "根".into(),
                kind: Some(OrgKind::Committee),
                sector: Some(Sector::Organs),
                ..Default::default()
            },
            d("2026-11-21"),
        )
        .await
        .unwrap();
        let mut hs = vec![];
        for w in 0..4 {
            let s = s.clone();
            hs.push(tokio::spawn(async move {
                for k in 0..15 {
                    let input = OrgInput {
                        name: format!("支部{w}-{k}"),
                        kind: Some(OrgKind::Branch),
                        sector: Some(Sector::Organs),
                        ..Default::default()
                    };
                    org::create(&s, &scope(), Some(root.id), &input, d("2026-11-21")).await.unwrap();
                }
            }));
        }
        for h in hs {
            h.await.unwrap();
        }
        let v = audit::verify(&s).await.unwrap();
        assert!(v.ok(), "{:?}", v.problems);
        assert_eq!(v.records, 61);
        db.finish().await;
    }
}
