//! Data generations (store::generation, migration 0006): the database advances the 'orgs'
//! generation on every change to organizations, facilities, members and roll-ups, whoever makes
//! it, and not on other writes; a kept value is given out again only while its generation holds.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, TimeZone, Utc};
use domain::member::{Category, Education, MemberInput};
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

/// The statistics summed from the kept figures, and read afresh from the rows: the same.
async fn figures_agree(s: &Store, org_id: i64, today: NaiveDate, label: &str) -> serde_json::Value {
    let all = Scope::all();
    let kept = store::statistics::of(s, org::visible(s, &all, org_id).await.unwrap(), today).await.unwrap();
    let read = store::statistics::of_read(s, org::visible(s, &all, org_id).await.unwrap(), today).await.unwrap();
    let (kept, read) = (serde_json::to_value(&kept).unwrap(), serde_json::to_value(&read).unwrap());
    assert_eq!(kept, read, "{label}: the kept figures differ from the rows");
    kept
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_statistics_agree_with_the_rows_after_every_kind_of_change() {
    for db in TestDb::both().await {
        let s = &db.store;
        let (all, today) = (Scope::all(), d("2026-11-21"));
        let mk = |name: &str, kind, sector| OrgInput {
            name: name.into(),
            kind: Some(kind),
            sector: Some(sector),
            ..Default::default()
        };
        let city = top_committee(s, "中共测试市委").await;
        let county =
            org::create(s, &all, Some(city.id), &mk("中共测试县委", OrgKind::LocalCommittee, Sector::Organs), today)
                .await
                .unwrap();
        let town =
            org::create(s, &all, Some(county.id), &mk("中共测试镇委员会", OrgKind::Committee, Sector::Rural), today)
                .await
                .unwrap();
        let village = org::create(s, &all, Some(town.id), &mk("测试村党支部", OrgKind::Branch, Sector::Rural), today)
            .await
            .unwrap();
        let organ =
            org::create(s, &all, Some(county.id), &mk("测试局机关党支部", OrgKind::Branch, Sector::Organs), today)
                .await
                .unwrap();
        let people = [
            ("甲", "1955-11-21", Category::Full, Education::Bachelor, "汉族"),
            ("乙", "1955-11-22", Category::Full, Education::HighSchool, "苗族"),
            ("丙", "1995-11-21", Category::Probationary, Education::Postgraduate, "汉族"),
            ("丁", "1995-11-22", Category::Full, Education::Bachelor, "汉族"),
            ("戊", "1980-02-29", Category::Full, Education::College, "土家族"),
        ];
        let mut ids = Vec::new();
        for (i, (name, born, cat, edu, eth)) in people.iter().enumerate() {
            let org_id = if i % 2 == 0 { village.id } else { organ.id };
            let input = MemberInput {
                name: name.to_string(),
                id_number: domain::idcard::compose("110105", d(born), 11 + i as u32 * 2),
                birth_date: Some(d(born)),
                category: Some(*cat),
                education: Some(*edu),
                ethnicity: Some(eth.to_string()),
                join_date: Some(if *cat == Category::Probationary { d("2026-07-01") } else { d("2020-07-01") }),
                ..Default::default()
            };
            ids.push(member::create(s, &all, org_id, &input, today).await.unwrap().id);
        }
        for o in [city.id, county.id, town.id, village.id, organ.id] {
            figures_agree(s, o, today, "first view").await;
        }
        let first = figures_agree(s, city.id, today, "first view").await;
        assert_eq!(first["members"], 5);
        // the age bands move with the day
        figures_agree(s, city.id, d("2026-11-22"), "the next day").await;
        // a member added, edited, moved, gone: through the store and by another process
        let extra = MemberInput {
            name: "己".into(),
            id_number: domain::idcard::compose("110105", d("2001-05-05"), 31),
            category: Some(Category::Full),
            join_date: Some(d("2024-07-01")),
            ..Default::default()
        };
        let added = member::create(s, &all, organ.id, &extra, today).await.unwrap();
        let after = figures_agree(s, city.id, today, "a member added").await;
        assert_eq!(after["members"], 6, "the kept figures must see the new member");
        member::update(
            s,
            &all,
            added.id,
            None,
            &MemberInput { education: Some(Education::Postgraduate), ..extra.clone() },
            today,
        )
        .await
        .unwrap();
        figures_agree(s, county.id, today, "a member edited").await;
        let other = db.another().await;
        let mut tx = other.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute(
                "UPDATE member SET org_id = $1, path = $2 WHERE id = $3",
                &store::args![village.id, village.path.clone(), ids[1]],
            )
            .await
            .unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE member SET status = 'deceased' WHERE id = $1", &store::args![ids[2]])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for o in [city.id, town.id, village.id, organ.id] {
            figures_agree(s, o, today, "members moved and gone elsewhere").await;
        }
        // the service network: a station built, the town dissolved
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute(
                "INSERT INTO org_facility (org_id, kind, status, year) VALUES ($1, 'service_station', 'built', 2025)",
                &store::args![village.id],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let built = figures_agree(s, city.id, today, "a station built").await;
        assert_eq!(built["village_stations"]["covered"], 1);
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x())
            .execute("UPDATE org SET dissolved_on = $1 WHERE id = $2", &store::args![today, town.id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        figures_agree(s, city.id, today, "a township dissolved").await;
        db.finish().await;
    }
}
