//! On PostgreSQL, the live sessions and the data generations kept in this process, so that the
//! session check every page makes (see [`crate::account::touch_session_with`]) is not a round trip
//! to the database each time. On SQLite that read is in-process already and nothing is kept here.
//!
//! The database tells every server of a change by a notification on [`CHANNEL`], sent when the
//! transaction that made it commits, whoever made it (migration 0017): a session ended or changed
//! in anything but its `last_seen_at`, an account or its grants changed, a data generation moved.
//! A background task listens on its own connection and drops what the notification names, so
//! that ending a session or disabling an account elsewhere takes effect here within milliseconds
//! of the commit, not after a time to live.
//!
//! It fails safe. What is kept is given out only while the listener is connected, has been since
//! the value was read, and has heard its own heartbeat (a notification it sends itself) within
//! [`LEASE`]: on every connect the kept sessions are dropped and the generations are to be read
//! again; on any error or lost connection everything is dropped and every check reads the
//! database, as without this cache, until the listener is back. A value read from the database
//! is kept only if nothing was dropped while it was being read (the epochs below), so a read
//! that raced a notification cannot put back what the notification dropped.
//!
//! Writes of this process are seen at once: a committed write transaction of this store marks the
//! generations to be read again before the next check uses them ([`crate::db::Tx::commit`]), and
//! ending a session or an account's sessions here drops them when the transaction commits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};

use crate::account::Session;
use crate::generation::Generations;

/// The notification channel (migration 0017). Payloads: `s:<session id>` (a session changed or
/// was deleted), `a:<account id>` (an account or its grants changed), `g` (a data generation
/// moved), `*` (anything: a table emptied), and `p:…`, a listener's heartbeat to itself (ignored
/// by the others).
pub const CHANNEL: &str = "dangjian_session";

/// The listener connection's `application_name`, so that an operator (or a test) can find it in
/// `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "dangjian listener";

/// How often the listener proves that notifications reach it (a notification to itself).
const HEARTBEAT: Duration = Duration::from_secs(2);
/// How long that proof may take before the connection is given up.
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(3);
/// What is kept is given out only within this long of the listener's last sign of life: a
/// connection that hangs without an error (a network cut) stops the cache within this time.
const LEASE: Duration = Duration::from_secs(5);
/// Waits between attempts to connect again: doubling from the first to the last.
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_LAST: Duration = Duration::from_secs(5);
/// At most this many sessions are kept (when full, all are dropped and read again).
const MAX_SESSIONS: usize = 50_000;

/// The sessions and generations kept for one PostgreSQL database, shared by the clones of a
/// [`crate::Store`].
#[derive(Default)]
pub struct Live {
    state: Mutex<State>,
    /// The listening task has been started (and not ended since).
    started: AtomicBool,
    /// The store was closed: nothing is started again.
    closed: AtomicBool,
    task: Mutex<Option<tokio::task::AbortHandle>>,
    /// Checks answered from memory, for the status and the tests.
    served: AtomicU64,
}

#[derive(Default)]
struct State {
    /// The listener is connected and listening.
    listening: bool,
    /// Its last sign of life.
    alive_at: Option<Instant>,
    /// Live sessions by their stored id (the token's SHA-256).
    sessions: HashMap<String, Session>,
    /// The generations, or `None` when they are to be read again.
    generations: Option<Generations>,
    /// Advanced whenever kept sessions are dropped (a notification, a session ended here, the
    /// listener connecting or lost) ...
    session_epoch: u64,
    /// ... and whenever the generations are to be read again.
    generation_epoch: u64,
    /// How many times the listener has connected.
    connects: u64,
}

/// Taken before a read of the database, given back to [`Live::fill`] with what was read: the
/// values are kept only if nothing was dropped in between.
#[derive(Clone, Copy, Debug)]
pub struct Ticket {
    session_epoch: u64,
    generation_epoch: u64,
}

/// What the cache is doing, for a status page and the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// The listener is connected and alive: kept values are given out.
    pub listening: bool,
    /// Sessions kept.
    pub sessions: usize,
    /// The generations are kept (not to be read again).
    pub has_generations: bool,
    /// Session checks answered from memory since the store was opened.
    pub served: u64,
    /// How many times the listener has connected (more than once: it was lost and came back).
    pub connects: u64,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("status", &self.status()).finish()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop();
    }
}

fn newest(a: Generations, b: Generations) -> Generations {
    Generations { orgs: a.orgs.max(b.orgs), life: a.life.max(b.life), messages: a.messages.max(b.messages) }
}

impl State {
    fn usable(&self) -> bool {
        self.listening && self.alive_at.is_some_and(|t| t.elapsed() < LEASE)
    }

    fn drop_sessions(&mut self) {
        self.sessions.clear();
        self.session_epoch += 1;
    }

    fn drop_generations(&mut self) {
        self.generations = None;
        self.generation_epoch += 1;
    }
}

impl Live {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Start listening (once; again if the task ended), on a connection of its own made with the
    /// pool's options. Outside a Tokio runtime nothing is started and nothing is kept.
    pub fn start(self: &Arc<Self>, pool: &PgPool) {
        if self.started.load(Ordering::Acquire)
            || self.closed.load(Ordering::Acquire)
            || self.started.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            self.started.store(false, Ordering::Release);
            return;
        };
        let opts = (*pool.connect_options()).clone().application_name(APPLICATION_NAME);
        let handle = rt.spawn(listen(Arc::downgrade(self), opts));
        *self.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle.abort_handle());
    }

    /// Stop listening and drop everything (the store is closing).
    pub fn stop(&self) {
        self.closed.store(true, Ordering::Release);
        if let Some(task) = self.task.lock().unwrap_or_else(|e| e.into_inner()).take() {
            task.abort();
        }
        self.lost();
    }

    /// The kept session with this id and the kept generations, if both are kept and the listener
    /// is alive.
    pub fn get(&self, id: &str) -> Option<(Session, Generations)> {
        let state = self.lock();
        if !state.usable() {
            return None;
        }
        let g = state.generations?;
        let s = state.sessions.get(id)?.clone();
        drop(state);
        self.served.fetch_add(1, Ordering::Relaxed);
        Some((s, g))
    }

    /// Before reading the session and generations from the database: `None` while nothing may be
    /// kept.
    pub fn ticket(&self) -> Option<Ticket> {
        let state = self.lock();
        state
            .listening
            .then_some(Ticket { session_epoch: state.session_epoch, generation_epoch: state.generation_epoch })
    }

    /// Keep a live session and the generations read with it, each only if nothing of its kind was
    /// dropped since `ticket` was taken.
    pub fn fill(&self, ticket: Ticket, id: &str, session: &Session, generations: Generations) {
        let mut state = self.lock();
        if !state.listening {
            return;
        }
        if state.generation_epoch == ticket.generation_epoch {
            state.generations = Some(match state.generations {
                Some(kept) => newest(kept, generations),
                None => generations,
            });
        }
        if state.session_epoch == ticket.session_epoch {
            if state.sessions.len() >= MAX_SESSIONS && !state.sessions.contains_key(id) {
                state.sessions.clear();
            }
            state.sessions.insert(id.to_string(), session.clone());
        }
    }

    /// A session ended or changed (here or as a notification says).
    pub fn forget_session(&self, id: &str) {
        let mut state = self.lock();
        state.sessions.remove(id);
        state.session_epoch += 1;
    }

    /// An account changed (disabled, its sessions ended, its grants): its sessions are read again.
    pub fn forget_account(&self, account_id: i64) {
        let mut state = self.lock();
        state.sessions.retain(|_, s| s.account_id != account_id);
        state.session_epoch += 1;
    }

    /// This process committed a write: the generations are read again before they are used.
    pub fn written(&self) {
        self.lock().drop_generations();
    }

    pub fn status(&self) -> Status {
        let state = self.lock();
        Status {
            listening: state.usable(),
            sessions: state.sessions.len(),
            has_generations: state.generations.is_some(),
            served: self.served.load(Ordering::Relaxed),
            connects: state.connects,
        }
    }

    /// The listener is connected and listening: start afresh (the generations are read by the
    /// next check).
    fn connected(&self) {
        let mut state = self.lock();
        state.drop_sessions();
        state.drop_generations();
        state.listening = true;
        state.alive_at = Some(Instant::now());
        state.connects += 1;
    }

    /// The listener is lost (or stopped): nothing is given out until it is back.
    fn lost(&self) {
        let mut state = self.lock();
        state.listening = false;
        state.alive_at = None;
        state.drop_sessions();
        state.drop_generations();
    }

    fn alive(&self) {
        let mut state = self.lock();
        if state.listening {
            state.alive_at = Some(Instant::now());
        }
    }

    fn notified(&self, payload: &str) {
        let mut state = self.lock();
        if payload.starts_with("p:") {
            // a listener's heartbeat: nothing changed
        } else if payload == "g" {
            state.drop_generations();
        } else if let Some(id) = payload.strip_prefix("s:") {
            state.sessions.remove(id);
            state.session_epoch += 1;
        } else if let Some(account) = payload.strip_prefix("a:").and_then(|a| a.parse::<i64>().ok()) {
            state.sessions.retain(|_, s| s.account_id != account);
            state.session_epoch += 1;
        } else {
            // `*`, or anything this version does not know: drop everything
            state.drop_sessions();
            state.drop_generations();
        }
    }
}

/// Marks the cache lost when the listening task ends for any reason (an error, the runtime
/// shutting down, an abort), so that the next check starts it again.
struct Running(Weak<Live>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(live) = self.0.upgrade() {
            live.lost();
            live.started.store(false, Ordering::Release);
        }
    }
}

/// The listening task: connect, listen, pass the notifications on; on any failure mark the cache
/// lost and connect again after a pause. Ends when the store is gone.
async fn listen(live: Weak<Live>, opts: PgConnectOptions) {
    let _running = Running(live.clone());
    // this listener's own pings are told apart from other servers' by this
    let me: u64 = rand::random();
    let mut pause = RETRY_FIRST;
    loop {
        if live.strong_count() == 0 {
            return;
        }
        // a pool of one connection of its own, made afresh for every attempt and closed after
        // it, so that a connection given up on is never used again
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .max_lifetime(None)
            .idle_timeout(None)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(opts.clone());
        if let Ok(mut listener) = PgListener::connect_with(&pool).await {
            if listener.listen(CHANNEL).await.is_ok() && serve(&live, &mut listener, me).await {
                pause = RETRY_FIRST;
                // an operator sees why page views read the database again until it is back
                tracing::warn!(
                    channel = CHANNEL,
                    "session cache: the database's notifications stopped; every session check reads the database until they are back"
                );
            }
            drop(listener);
        }
        if let Some(l) = live.upgrade() {
            l.lost();
        }
        pool.close().await;
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RETRY_LAST);
    }
}

/// Pass notifications on until the connection fails or the store is gone; `true` if it got as far
/// as connected.
///
/// Every [`HEARTBEAT`] the listener notifies the channel itself (`p:…`, which every server
/// ignores) and must hear it back within [`HEARTBEAT_TIMEOUT`]: that proves not only that the
/// connection answers but that notifications reach it (a connection pooler in transaction mode,
/// for one, would answer queries and lose them). The first ping, right after `LISTEN`, is what
/// marks the cache connected.
async fn serve(live: &Weak<Live>, listener: &mut PgListener, me: u64) -> bool {
    let mut connected = false;
    let mut sent = 0u64;
    // the ping awaited and by when, or when the next is due
    let mut awaited: Option<String> = None;
    let mut until = tokio::time::Instant::now();
    loop {
        match tokio::time::timeout_at(until, listener.try_recv()).await {
            Ok(Ok(Some(n))) => {
                let payload = n.payload();
                if awaited.as_deref() == Some(payload) {
                    let Some(l) = live.upgrade() else { return connected };
                    if connected {
                        l.alive();
                    } else {
                        // from here on every change is heard: start afresh
                        tracing::info!(channel = CHANNEL, "session cache: listening to the database's notifications");
                        l.connected();
                        connected = true;
                    }
                    awaited = None;
                    until = tokio::time::Instant::now() + HEARTBEAT;
                } else if payload.starts_with("p:") {
                    // another server's ping (or an old one of ours)
                } else if connected {
                    match live.upgrade() {
                        Some(l) => l.notified(payload),
                        None => return connected,
                    }
                }
                // (before the first ping is back, a change needs no telling: the cache starts
                // empty when it is)
            }
            // the connection was lost (sqlx may have connected again already, but notifications
            // in between are lost: start afresh) or failed
            Ok(Ok(None)) | Ok(Err(_)) => return connected,
            // the ping did not come back in time
            Err(_) if awaited.is_some() => return connected,
            Err(_) => {
                sent += 1;
                let ping = format!("p:{me:016x}:{sent}");
                let sending = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(&ping).execute(&mut *listener);
                match tokio::time::timeout(HEARTBEAT_TIMEOUT, sending).await {
                    Ok(Ok(_)) => {}
                    _ => return connected,
                }
                if live.strong_count() == 0 {
                    return connected;
                }
                awaited = Some(ping);
                until = tokio::time::Instant::now() + HEARTBEAT_TIMEOUT;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn session(account_id: i64) -> Session {
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        Session {
            account_id,
            created_at: t,
            last_seen_at: t,
            expires_at: t + chrono::Duration::hours(12),
            csrf_token: "c".into(),
            ip: None,
            user_agent: None,
            ended_at: None,
            is_totp_pending: false,
        }
    }

    fn g(n: i64) -> Generations {
        Generations { orgs: n, life: n, messages: n }
    }

    #[test]
    fn nothing_is_kept_or_given_out_while_not_listening() {
        let live = Live::default();
        assert!(live.ticket().is_none());
        live.connected();
        let t = live.ticket().unwrap();
        live.lost();
        live.fill(t, "x", &session(1), g(1));
        assert!(live.get("x").is_none());
        assert_eq!(live.status().sessions, 0);
    }

    #[test]
    fn a_read_that_raced_a_drop_is_not_kept() {
        let live = Live::default();
        live.connected();
        let t = live.ticket().unwrap();
        live.notified("s:other");
        live.fill(t, "x", &session(1), g(1));
        assert!(live.get("x").is_none(), "a session notification came during the read");
        assert!(live.status().has_generations, "the generations were not touched");
        let t = live.ticket().unwrap();
        live.written();
        live.fill(t, "x", &session(1), g(1));
        assert!(live.get("x").is_none(), "a write here came during the read: the generations must be read again");
        assert_eq!(live.status().sessions, 1, "the session itself was not touched");
        let t = live.ticket().unwrap();
        live.fill(t, "x", &session(1), g(2));
        assert_eq!(live.get("x").map(|(_, g)| g), Some(g(2)));
    }

    #[test]
    fn notifications_drop_what_they_name() {
        let live = Live::default();
        live.connected();
        for (id, account) in [("a", 1), ("b", 1), ("c", 2)] {
            let t = live.ticket().unwrap();
            live.fill(t, id, &session(account), g(5));
        }
        assert!(live.get("a").is_some() && live.get("c").is_some());
        live.notified("s:c");
        assert!(live.get("c").is_none() && live.get("a").is_some());
        live.notified("a:1");
        assert!(live.get("a").is_none() && live.get("b").is_none());
        let t = live.ticket().unwrap();
        live.fill(t, "a", &session(1), g(5));
        live.notified("g");
        assert!(live.get("a").is_none(), "the generations are to be read again");
        let t = live.ticket().unwrap();
        live.fill(t, "a", &session(1), g(4));
        assert_eq!(live.get("a").map(|(_, g)| g), Some(g(4)), "read again after the notification");
        live.notified("*");
        assert!(live.get("a").is_none());
        assert_eq!(live.status().sessions, 0);
        let t = live.ticket().unwrap();
        live.fill(t, "a", &session(1), g(6));
        let t = live.ticket().unwrap();
        live.fill(t, "a", &session(1), g(6));
        live.notified("p:0123456789abcdef:1");
        assert!(live.get("a").is_some(), "a heartbeat changes nothing");
        live.notified("something new");
        assert!(live.get("a").is_none(), "an unknown notification drops everything");
    }

    #[test]
    fn nothing_is_given_out_when_the_heartbeat_is_overdue() {
        let live = Live::default();
        live.connected();
        let t = live.ticket().unwrap();
        live.fill(t, "x", &session(1), g(1));
        assert!(live.get("x").is_some());
        live.lock().alive_at = Instant::now().checked_sub(LEASE);
        assert!(live.get("x").is_none(), "a connection that hangs without an error");
        assert!(!live.status().listening);
        live.alive();
        assert!(live.get("x").is_some(), "heard from again");
    }

    #[test]
    fn generations_kept_never_go_back() {
        let live = Live::default();
        live.connected();
        let (t1, t2) = (live.ticket().unwrap(), live.ticket().unwrap());
        live.fill(t2, "x", &session(1), Generations { orgs: 7, life: 3, messages: 1 });
        live.fill(t1, "x", &session(1), Generations { orgs: 6, life: 4, messages: 1 });
        assert_eq!(live.get("x").map(|(_, g)| g), Some(Generations { orgs: 7, life: 4, messages: 1 }));
    }

    #[test]
    fn ending_here_drops_at_once() {
        let live = Live::default();
        live.connected();
        let t = live.ticket().unwrap();
        live.fill(t, "x", &session(1), g(1));
        live.forget_session("x");
        assert!(live.get("x").is_none());
        let t = live.ticket().unwrap();
        live.fill(t, "x", &session(1), g(1));
        live.forget_account(1);
        assert!(live.get("x").is_none());
    }
}
