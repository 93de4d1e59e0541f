//! On PostgreSQL, live sessions and the data generations kept in the server's process and brought
//! up to date by the database's notifications (store::listen, migration 0017). A second store on
//! the same database stands for another server: what it changes must reach this one's checks
//! within a short wait (polled; nothing here asserts a speed), and what this one changes must be
//! on its very next check. When the listener's connection is killed, checks read the database
//! until it is back, and then are answered from memory again.

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::account::PasswordPolicy;
use domain::org::{OrgInput, OrgKind, Sector};
use store::account::{self, NewAccount, NewSession, SessionLimits};
use store::generation::{current, Generations, Topic};
use store::testing::{raw, TestDb};
use store::{args, org, Scope, Store};

/// How long a change made elsewhere may take to arrive.
const WAIT: Duration = Duration::from_secs(2);

fn limits() -> SessionLimits {
    SessionLimits::default()
}

async fn account_with_sessions(s: &Store, name: &str, n: usize, now: DateTime<Utc>) -> (i64, Vec<NewSession>) {
    let input = NewAccount {
        username: name.into(),
        display_name: format!("{name} 同志"),
        password: "Zunyi-Branch-2026".into(),
        ..Default::default()
    };
    let id = account::create_account(s, &Scope::all(), &input, &PasswordPolicy::default()).await.unwrap().account.id;
    let mut sessions = Vec::new();
    for _ in 0..n {
        sessions.push(account::create_session(s, &Scope::all(), id, None, None, now, &limits(), false).await.unwrap());
    }
    (id, sessions)
}

async fn check(s: &Store, token: &str, now: DateTime<Utc>) -> Option<Generations> {
    account::touch_session_with(s, token, now, &limits()).await.unwrap().map(|(_, g)| g)
}

fn served(s: &Store) -> u64 {
    s.session_cache().expect("PostgreSQL keeps sessions").served
}

/// The first check starts the listener; wait until it listens.
async fn listening(s: &Store, token: &str, now: DateTime<Utc>) {
    check(s, token, now).await;
    let start = Instant::now();
    while !s.session_cache().unwrap().listening {
        assert!(start.elapsed() < Duration::from_secs(10), "the listener did not connect: {:?}", s.session_cache());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The session is live and its check answered from memory (read once first if need be).
async fn kept(s: &Store, token: &str, now: DateTime<Utc>, label: &str) -> Generations {
    for _ in 0..3 {
        let before = served(s);
        let g = check(s, token, now).await.unwrap_or_else(|| panic!("{label}: the session should be live"));
        if served(s) > before {
            return g;
        }
    }
    panic!("{label}: the check is not answered from memory: {:?}", s.session_cache());
}

/// Poll `f` until it is true, for at most [`WAIT`].
async fn within<F, Fut>(label: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if f().await {
            return;
        }
        assert!(start.elapsed() < WAIT, "{label}: not seen within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn committee(name: &str) -> OrgInput {
    OrgInput {
        name: name.into(),
        kind: Some(OrgKind::LocalCommittee),
        sector: Some(Sector::Organs),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_or_an_account_disabled_by_another_server_stops_working() {
    let db = TestDb::postgres().await;
    let s = &db.store;
    let now = Utc::now();
    let (a, sa) = account_with_sessions(s, "zhang.san", 2, now).await;
    let (_, sb) = account_with_sessions(s, "li.si", 3, now).await;
    listening(s, &sa[0].token, now).await;
    for x in sa.iter().chain(&sb) {
        kept(s, &x.token, now, "before").await;
    }
    let other = db.another().await;

    // signed out on the other server
    assert!(account::end_session(&other, &Scope::all(), &sb[0].token).await.unwrap());
    within("a sign-out elsewhere", || async { check(s, &sb[0].token, now).await.is_none() }).await;
    kept(s, &sb[1].token, now, "the account's other session").await;

    // ended by a statement typed into psql
    let mut tx = other.begin().await.unwrap();
    raw(tx.x())
        .execute(
            "UPDATE session SET ended_at = $1 WHERE id = $2",
            &args![now, domain::account::sha256_hex(&sb[1].token)],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    within("a session ended in the database", || async { check(s, &sb[1].token, now).await.is_none() }).await;

    // the account disabled in the database, its sessions left as they were: the account's
    // notification drops them here, and the check then ends them as it always has
    let mut tx = other.begin().await.unwrap();
    raw(tx.x()).execute("UPDATE account SET is_disabled = TRUE WHERE id = $1", &args![a]).await.unwrap();
    tx.commit().await.unwrap();
    within("an account disabled in the database", || async { check(s, &sa[0].token, now).await.is_none() }).await;
    within("its other session", || async { check(s, &sa[1].token, now).await.is_none() }).await;
    let ended: i64 = raw(s.read())
        .scalar("SELECT COUNT(*) FROM session WHERE account_id = $1 AND ended_at IS NOT NULL", &args![a])
        .await
        .unwrap();
    assert_eq!(ended, 2, "both recorded as ended");

    // disabled through the other server's account functions
    kept(s, &sb[2].token, now, "li.si's last session").await;
    let b = account::touch_session(s, &sb[2].token, now, &limits()).await.unwrap().unwrap().account_id;
    account::disable_account(&other, &Scope::all(), b).await.unwrap();
    within("an account disabled elsewhere", || async { check(s, &sb[2].token, now).await.is_none() }).await;
    other.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generation_moved_by_another_server_is_seen() {
    let db = TestDb::postgres().await;
    let s = &db.store;
    let now = Utc::now();
    let (_, ss) = account_with_sessions(s, "zhang.san", 1, now).await;
    let token = &ss[0].token;
    listening(s, token, now).await;
    let before = kept(s, token, now, "before").await;
    let other = db.another().await;
    org::create(&other, &Scope::all(), None, &committee("中共另一服务器市委"), now.date_naive()).await.unwrap();
    let moved = current(&other, Topic::Orgs).await.unwrap();
    assert!(moved > before.orgs);
    within("the organization tree's generation", || async { check(s, token, now).await.unwrap().orgs == moved }).await;
    // a member's row changed by a statement: the generations are read again and kept again
    let mut tx = other.begin().await.unwrap();
    raw(tx.x()).execute("UPDATE org SET name = name || '（改）'", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let moved = current(&other, Topic::Orgs).await.unwrap();
    within("a statement's change", || async { check(s, token, now).await.unwrap().orgs == moved }).await;
    assert_eq!(kept(s, token, now, "kept again").await.orgs, moved);
    other.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_this_server_writes_is_on_its_very_next_check() {
    let db = TestDb::postgres().await;
    let s = &db.store;
    let now = Utc::now();
    let (a, sa) = account_with_sessions(s, "zhang.san", 4, now).await;
    let token = &sa[0].token;
    listening(s, token, now).await;
    let all = Scope::all();
    let city = org::create(s, &all, None, &committee("中共测试市委"), now.date_naive()).await.unwrap();
    for i in 0..20 {
        kept(s, token, now, "between writes").await;
        // saved, and the page it leads to checks the session next: no wait in between
        org::update(s, &all, city.id, &committee(&format!("中共测试市委{i}")), now.date_naive()).await.unwrap();
        let seen = check(s, token, now).await.unwrap();
        assert_eq!(seen.orgs, current(s, Topic::Orgs).await.unwrap(), "write {i}");
    }
    // ended here: gone at once, not when the notification comes
    kept(s, &sa[1].token, now, "before sign-out").await;
    assert!(account::end_session(s, &all, &sa[1].token).await.unwrap());
    assert!(check(s, &sa[1].token, now).await.is_none(), "signed out");
    kept(s, &sa[2].token, now, "before the others are ended").await;
    kept(s, &sa[3].token, now, "before the others are ended").await;
    assert_eq!(account::end_other_sessions(s, &all, a, token).await.unwrap(), 2);
    assert!(check(s, &sa[2].token, now).await.is_none(), "ended from another session");
    assert!(check(s, &sa[3].token, now).await.is_none(), "ended from another session");
    kept(s, token, now, "before disabling").await;
    account::disable_account(s, &all, a).await.unwrap();
    assert!(check(s, token, now).await.is_none(), "disabled");
    // a timeout is a read, and ends it
    let (_, sb) = account_with_sessions(s, "li.si", 1, now).await;
    kept(s, &sb[0].token, now, "before the timeout").await;
    assert!(check(s, &sb[0].token, now + limits().idle).await.is_none(), "idle");
    assert!(check(s, &sb[0].token, now).await.is_none(), "stays ended");
    db.finish().await;
}

/// Terminate this database's listener connections (as an operator, or a failover, would).
async fn kill_listener(admin: &Store) {
    let killed: Vec<(bool,)> = raw(admin.read())
        .fetch_all(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = $1",
            &args![store::listen::APPLICATION_NAME],
        )
        .await
        .unwrap();
    assert_eq!(killed, vec![(true,)], "one listener");
}

/// Wait until the listener has connected again since it had connected `since` times.
async fn back(s: &Store, since: u64) {
    let start = Instant::now();
    loop {
        let st = s.session_cache().unwrap();
        if st.connects > since && st.listening {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "not back: {st:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_listener_killed_checks_read_the_database_until_it_is_back() {
    let db = TestDb::postgres().await;
    let s = &db.store;
    let now = Utc::now();
    let (_, ss) = account_with_sessions(s, "zhang.san", 5, now).await;
    listening(s, &ss[0].token, now).await;
    for x in &ss {
        kept(s, &x.token, now, "before").await;
    }
    let other = db.another().await;

    // changed while nobody listens (no notification will ever say so), and not looked at until
    // the listener is back: what was kept before must not be given out after
    let first = s.session_cache().unwrap().connects;
    kill_listener(&other).await;
    assert!(account::end_session(&other, &Scope::all(), &ss[0].token).await.unwrap());
    let mut tx = other.begin().await.unwrap();
    raw(tx.x()).execute("UPDATE data_gen SET n = n + 1 WHERE topic = 'messages'", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let messages = current(&other, Topic::Messages).await.unwrap();
    back(s, first).await;
    // (the generations first: read again with a live session, they no longer send every check
    // to the database, so the ended session's check shows what is kept of it)
    within("a generation moved while the listener was gone", || async {
        check(s, &ss[1].token, now).await.unwrap().messages == messages
    })
    .await;
    assert_eq!(kept(s, &ss[1].token, now, "answered from memory again").await.messages, messages);
    within("a session ended while the listener was gone", || async { check(s, &ss[0].token, now).await.is_none() })
        .await;

    // looked at at once: right after the kill, whether the loss is noticed yet or not
    kept(s, &ss[2].token, now, "before the second kill").await;
    let second = s.session_cache().unwrap().connects;
    kill_listener(&other).await;
    assert!(account::end_session(&other, &Scope::all(), &ss[2].token).await.unwrap());
    within("a session ended just after the kill", || async { check(s, &ss[2].token, now).await.is_none() }).await;
    assert!(check(s, &ss[3].token, now).await.is_some(), "another session lives on");
    back(s, second).await;

    // and the new connection hears what changes
    kept(s, &ss[4].token, now, "after").await;
    assert!(account::end_session(&other, &Scope::all(), &ss[4].token).await.unwrap());
    within("a sign-out elsewhere after the listener came back", || async {
        check(s, &ss[4].token, now).await.is_none()
    })
    .await;
    other.close().await;
    db.finish().await;
}

#[tokio::test]
async fn sqlite_keeps_nothing() {
    let db = TestDb::sqlite().await;
    assert!(db.store.session_cache().is_none());
    db.finish().await;
}
