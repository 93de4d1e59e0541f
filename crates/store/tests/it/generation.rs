//! Data generations (store::generation, migration 0006): the database advances the 'orgs'
//! generation on every change to organizations, facilities, members and roll-ups, whoever makes
//! it, and not on other writes; a kept value is given out again only while its generation holds.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, TimeZone, Utc};
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use store::generation::{current, Cache, Topic};
use store::testing::TestDb;
use store::{member, org, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn now(s: &Store) -> i64 {
    current(s, Topic::Orgs).await.unwrap()
}

async fn top_committee(s: &Store, name: &str) -> domain::org::Org {
    let input = OrgInput {
        name: name.into(),
        kind: Some(OrgKind::LocalCommittee),
        sector: Some(Sector::Organs),
        ..Default::default()
    };
    org::create(s, &Scope::all(), None, &input, d("2026-11-21")).await.unwrap()
}

fn moved(g: &mut i64, label: &str, after: i64) {
    assert!(after > *g, "{label}: the generation should have moved past {g}, is {after}");
    *g = after;
}

fn person(name: &str, seq: u32) -> MemberInput {
    MemberInput {
        name: name.into(),
        id_number: domain::idcard::compose("110105", d("1970-01-01"), seq),
        category: Some(Category::Full),
        join_date: Some(d("1995-07-01")),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_to_the_tree_advances_the_generation_and_nothing_else_does() {
    for db in TestDb::both().await {
        let s = &db.store;
        let (all, today) = (Scope::all(), d("2026-11-21"));
        let mut g = now(s).await;
        let city = top_committee(s, "中共测试市委").await;
        moved(&mut g, "org create", now(s).await);
        let branch_input = OrgInput {
            name: "测试党支部".into(),
            kind: Some(OrgKind::Branch),
            sector: Some(Sector::Organs),
            ..Default::default()
        };
        let branch = org::create(s, &all, Some(city.id), &branch_input, today).await.unwrap();
        moved(&mut g, "child create", now(s).await);
        let m = member::create(s, &all, branch.id, &person("甲", 11), today).await.unwrap();
        moved(&mut g, "member create", now(s).await);
        member::update(s, &all, m.id, None, &person("甲改", 11), today).await.unwrap();
        moved(&mut g, "member edit", now(s).await);
        org::update(s, &all, branch.id, &OrgInput { name: "测试党支部（改）".into(), ..branch_input.clone() }, today)
            .await
            .unwrap();
        moved(&mut g, "org edit", now(s).await);
        // a raw statement, as a maintenance script would write it, is seen too
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE org_facility SET status = status WHERE org_id = $1", &store::args![branch.id])
            .await
            .unwrap();
        store::testing::raw(tx.x()).execute("DELETE FROM org_facility WHERE org_id = -1", &[]).await.unwrap();
        tx.commit().await.unwrap();
        // (an UPDATE or DELETE that touches no row may or may not advance it: never stale either way)
        g = now(s).await;
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE org_stats SET total = total WHERE org_id = $1", &store::args![city.id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        moved(&mut g, "roll-up write", now(s).await);
        // a rolled-back change leaves it where it was
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE member SET name = '回滚' WHERE id = $1", &store::args![m.id])
            .await
            .unwrap();
        drop(tx);
        assert_eq!(now(s).await, g, "a rolled-back change");
        // writes to other tables: an account, a session, the audit trail
        let acc = store::account::create_account(
            s,
            &all,
            &store::account::NewAccount {
                username: "gen_user".into(),
                display_name: "测试".into(),
                password: "Gen#2026password".into(),
                member_id: None,
                must_change_password: false,
                grants: vec![],
                created_by: None,
            },
            &domain::account::PasswordPolicy::default(),
        )
        .await
        .unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 21, 1, 0, 0).unwrap();
        let limits = store::account::SessionLimits::default();
        let sess =
            store::account::create_session(s, &all, acc.account.id, None, None, t0, &limits, false).await.unwrap();
        assert_eq!(now(s).await, g, "accounts, sessions and their audit records are another topic");
        // the session's read carries the generation, as one statement
        let (_, seen) = store::account::touch_session_with(s, &sess.token, t0, &limits).await.unwrap().unwrap();
        assert_eq!(seen.of(Topic::Orgs), g);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_by_another_process_is_seen_and_a_kept_value_is_read_again() {
    for db in TestDb::both().await {
        let s = &db.store;
        let all = Scope::all();
        let root = top_committee(s, "中共测试县委").await;
        let cache: Cache<i64, String> = Cache::new(Topic::Orgs, 8);
        let loads = AtomicUsize::new(0);
        let read_name = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, StoreError>(org::get(s, &all, root.id).await?.name)
        };
        assert_eq!(cache.get_or_load(s, None, root.id, read_name).await.unwrap(), "中共测试县委");
        assert_eq!(cache.get_or_load(s, None, root.id, read_name).await.unwrap(), "中共测试县委");
        assert_eq!(loads.load(Ordering::SeqCst), 1, "unchanged: the kept value");
        // another process (its own connections) renames the organization
        let other = db.another().await;
        let mut tx = other.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE org SET name = '中共改名县委' WHERE id = $1", &store::args![root.id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(cache.get_or_load(s, None, root.id, read_name).await.unwrap(), "中共改名县委");
        assert_eq!(loads.load(Ordering::SeqCst), 2, "changed elsewhere: read again");
        // a generation seen earlier in the request is used as given: an older one misses
        let seen = store::generation::Generations { orgs: now(s).await - 1, ..Default::default() };
        assert_eq!(cache.get_or_load(s, Some(seen), root.id, read_name).await.unwrap(), "中共改名县委");
        assert_eq!(loads.load(Ordering::SeqCst), 3);
        other.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn the_cache_keeps_at_most_its_capacity() {
    let db = TestDb::sqlite().await;
    let s = &db.store;
    let cache: Cache<i64, i64> = Cache::new(Topic::Orgs, 3);
    for k in 0..10 {
        let v = cache.get_or_load(s, None, k, || async { Ok::<_, StoreError>(k * 10) }).await.unwrap();
        assert_eq!(v, k * 10);
        assert!(cache.len() <= 3, "{} kept", cache.len());
    }
    assert!(!cache.is_empty());
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_organization_is_given_only_within_the_scope_and_a_change_shows_at_once() {
    for db in TestDb::both().await {
        let s = &db.store;
        let (all, today) = (Scope::all(), d("2026-11-21"));
        let city = top_committee(s, "中共测试市委").await;
        let input = OrgInput {
            name: "测试党支部".into(),
            kind: Some(OrgKind::Branch),
            sector: Some(Sector::Organs),
            ..Default::default()
        };
        let branch = org::create(s, &all, Some(city.id), &input, today).await.unwrap();
        let other = top_committee(s, "中共邻市委").await;
        let own = Scope::subtrees(vec![city.path.clone()]);
        let elsewhere = Scope::subtrees(vec![other.path.clone()]);
        let got = org::visible_seen(s, &own, branch.id, None).await.unwrap();
        assert_eq!(got.name, "测试党支部");
        // kept now, but not for a caller who may not see it
        assert!(matches!(org::visible_seen(s, &elsewhere, branch.id, None).await, Err(StoreError::NotFound(_))));
        // renamed by another process: the next read shows it
        let other_process = db.another().await;
        org::update(
            &other_process,
            &all,
            branch.id,
            &OrgInput { name: "测试第二党支部".into(), ..input.clone() },
            today,
        )
        .await
        .unwrap();
        let seen = store::generation::Generations { orgs: now(s).await, ..Default::default() };
        assert_eq!(org::visible_seen(s, &own, branch.id, Some(seen)).await.unwrap().name, "测试第二党支部");
        // dissolved: not found, like a fresh read
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE org SET dissolved_on = $1 WHERE id = $2", &store::args![today, branch.id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(org::visible_seen(s, &own, branch.id, None).await, Err(StoreError::NotFound(_))));
        assert!(matches!(org::visible_seen(s, &own, 999_999, None).await, Err(StoreError::NotFound(_))));
        db.finish().await;
    }
}
