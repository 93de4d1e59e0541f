//! Property tests for path maintenance: after any sequence of creates and subtree moves, every
//! path is its parent's path plus one segment, members carry their organization's path, paths are
//! unique, and the roll-ups equal a full recompute.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use domain::path;
use proptest::prelude::*;
use store::testing::TestDb;
use store::{member, org, rollup, Scope, Store};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    /// add a committee under the n-th committee
    AddCommittee(usize),
    /// add a branch with k members under the n-th committee
    AddBranch(usize, u8),
    /// move the n-th committee or branch under the m-th committee
    Move(usize, usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(
        prop_oneof![
            (0usize..50).prop_map(Op::AddCommittee),
            ((0usize..50), (0u8..4)).prop_map(|(n, k)| Op::AddBranch(n, k)),
            ((0usize..50), (0usize..50)).prop_map(|(a, b)| Op::Move(a, b)),
        ],
        1..40,
    )
}

async fn apply(s: &Store, ops: &[Op]) {
    let all = Scope::all();
    let today = d("2026-11-21");
    let root = org::create(
        s,
        &all,
        None,
        &OrgInput {
            name: "根".into(),
            kind: Some(OrgKind::LocalCommittee),
            sector: Some(Sector::Organs),
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap();
    let mut committees = vec![root.id];
    let mut movable: Vec<i64> = vec![];
    let mut seq = 0u32;
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::AddCommittee(n) => {
                let parent = committees[n % committees.len()];
                let o = org::create(
                    s,
                    &all,
                    Some(parent),
                    &OrgInput {
                        name: format!("党委{i}"),
                        kind: Some(OrgKind::Committee),
                        sector: Some(Sector::Organs),
                        ..Default::default()
                    },
                    today,
                )
                .await
                .unwrap();
                committees.push(o.id);
                movable.push(o.id);
            }
            Op::AddBranch(n, k) => {
                let parent = committees[n % committees.len()];
                let b = org::create(
                    s,
                    &all,
                    Some(parent),
                    &OrgInput {
                        name: format!("支部{i}"),
                        kind: Some(OrgKind::Branch),
                        sector: Some(Sector::Organs),
                        ..Default::default()
                    },
                    today,
                )
                .await
                .unwrap();
                movable.push(b.id);
                for _ in 0..*k {
                    seq += 1;
                    let birth = d("1960-01-01") + chrono::Duration::days(seq as i64);
                    let mi = MemberInput {
                        name: format!("员{seq}"),
                        id_number: domain::idcard::compose("520302", birth, seq % 1000),
                        category: Some(if seq.is_multiple_of(3) { Category::Probationary } else { Category::Full }),
                        join_date: Some(if seq.is_multiple_of(3) { d("2026-01-01") } else { d("1990-01-01") }),
                        full_date: if seq.is_multiple_of(3) { None } else { Some(d("1991-01-01")) },
                        ..Default::default()
                    };
                    member::create(s, &all, b.id, &mi, today).await.unwrap();
                }
            }
            Op::Move(a, b) => {
                if movable.is_empty() {
                    continue;
                }
                let what = movable[a % movable.len()];
                let to = committees[b % committees.len()];
                // refusals (into own subtree, same parent) are fine; anything else is a bug
                match org::move_subtree(s, &all, what, to).await {
                    Ok(_) | Err(store::StoreError::Refused(_)) => {}
                    Err(e) => panic!("move failed: {e}"),
                }
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct O {
    id: i64,
    parent_id: Option<i64>,
    path: String,
}
#[derive(sqlx::FromRow)]
struct M {
    org_id: i64,
    path: String,
}

async fn check_invariants(s: &Store) {
    let orgs: Vec<O> =
        store::testing::raw(s.read()).fetch_all("SELECT id, parent_id, path FROM org", &[]).await.unwrap();
    let by_id: HashMap<i64, &O> = orgs.iter().map(|o| (o.id, o)).collect();
    let paths: HashSet<&str> = orgs.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(paths.len(), orgs.len(), "paths are unique");
    for o in &orgs {
        assert!(path::is_valid(&o.path));
        match o.parent_id {
            Some(p) => {
                let parent = by_id[&p];
                assert_eq!(path::parent(&o.path), Some(parent.path.as_str()), "org {} under {}", o.id, p);
            }
            None => assert_eq!(path::depth(&o.path), 1),
        }
    }
    let members: Vec<M> =
        store::testing::raw(s.read()).fetch_all("SELECT org_id, path FROM member", &[]).await.unwrap();
    for m in &members {
        assert_eq!(m.path, by_id[&m.org_id].path, "member path follows its org");
    }
    let stale: Vec<(String, String)> = store::testing::raw(s.read())
        .fetch_all("SELECT s.path, o.path FROM org_stats s JOIN org o ON o.id = s.org_id WHERE s.path <> o.path", &[])
        .await
        .unwrap();
    assert!(stale.is_empty(), "roll-up rows follow their org: {stale:?}");
    let bad = rollup::verify(s).await.unwrap();
    assert!(bad.is_empty(), "roll-ups agree with a recompute: {bad:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn paths_survive_random_moves_sqlite(ops in ops()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let db = TestDb::sqlite().await;
            apply(&db.store, &ops).await;
            check_invariants(&db.store).await;
            db.finish().await;
        });
    }
}

/// The same on both backends with one fixed, long pseudo-random sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_survive_a_long_move_sequence_on_both_backends() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    };
    let ops: Vec<Op> = (0..150)
        .map(|_| match next() % 3 {
            0 => Op::AddCommittee(next() % 50),
            1 => Op::AddBranch(next() % 50, (next() % 4) as u8),
            _ => Op::Move(next() % 50, next() % 50),
        })
        .collect();
    for db in TestDb::both().await {
        apply(&db.store, &ops).await;
        check_invariants(&db.store).await;
        db.finish().await;
    }
}
