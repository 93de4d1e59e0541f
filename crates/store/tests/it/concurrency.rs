//! SQLite under concurrent writers: no "database is locked" reaches a caller, whether the writers
//! share one process's store or come from separate handles (as separate processes would).

use chrono::NaiveDate;
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use store::{member, org, rollup, Scope, Store};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn input(seq: u32) -> MemberInput {
    let birth = d("1960-01-01") + chrono::Duration::days(seq as i64);
    MemberInput {
        name: format!("并发{seq}"),
        id_number: domain::idcard::compose("520302", birth, seq % 1000),
        category: Some(Category::Full),
        join_date: Some(d("2000-07-01")),
        full_date: Some(d("2001-07-01")),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_see_locked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.db");
    let open = || async {
        let s = Store::open(file.to_str().unwrap()).await.unwrap();
        store::audit::attach(s, store::testing::test_setup(dir.path())).await.unwrap().0
    };
    let main = open().await;
    let all = Scope::all();
    let root = org::create(
        &main,
        &all,
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
    let mut branches = vec![];
    for i in 0..4 {
        let b = org::create(
            &main,
            &all,
            Some(root.id),
            &OrgInput {
                name: format!("支部{i}"),
                kind: Some(OrgKind::Branch),
                sector: Some(Sector::Organs),
                ..Default::default()
            },
            d("2026-11-21"),
        )
        .await
        .unwrap();
        branches.push(b.id);
    }
    // four separate handles = four independent writer connections on the same file
    let mut handles = vec![];
    for (w, b) in branches.iter().enumerate() {
        let s = if w % 2 == 0 { main.clone() } else { open().await };
        let b = *b;
        handles.push(tokio::spawn(async move {
            for k in 0..40u32 {
                let seq = w as u32 * 1000 + k;
                member::create(&s, &Scope::all(), b, &input(seq), d("2026-11-21")).await.map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(())
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap_or_else(|e| panic!("a writer failed: {e}"));
    }
    assert_eq!(rollup::subtree(&main, &all, root.id).await.unwrap().total, 160);
    assert!(rollup::verify(&main).await.unwrap().is_empty());
}
