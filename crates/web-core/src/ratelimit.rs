//! A small in-memory rate limiter per client address, for the pages anyone may call without
//! signing in (a resident's answer code): at most `max` requests from one address within a sliding
//! `window`. Kept per application (`AppState::kept`), so it forgets on restart, which is enough to
//! slow a guesser down: a code has 60 bits, and an address gets a few dozen tries an hour.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most addresses remembered; past it, the oldest-seen entries are dropped first.
const MAX_KEYS: usize = 100_000;

pub struct Limiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    pub fn new(max: usize, window: Duration) -> Limiter {
        Limiter { max, window, hits: Mutex::new(HashMap::new()) }
    }

    /// Count a request from `key` at `now`; `false` when it is over the limit (and then it is not
    /// counted, so a client that waits gets in again).
    pub fn allow(&self, key: &str, now: Instant) -> bool {
        let mut all = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if all.len() >= MAX_KEYS && !all.contains_key(key) {
            let window = self.window;
            all.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = all.entry(key.to_string()).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            q.pop_front();
        }
        if q.len() >= self.max {
            return false;
        }
        q.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_for_the_window_and_others_are_not_held_up() {
        let l = Limiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!((0..3).all(|i| l.allow("10.0.0.1", t0 + Duration::from_secs(i))));
        assert!(!l.allow("10.0.0.1", t0 + Duration::from_secs(10)));
        assert!(l.allow("10.0.0.2", t0 + Duration::from_secs(10)), "another address is counted apart");
        // at 61 s the requests of 0 s and 1 s have left the window, the one of 2 s has not
        let t = t0 + Duration::from_secs(61);
        assert!(l.allow("10.0.0.1", t) && l.allow("10.0.0.1", t), "two places freed");
        assert!(!l.allow("10.0.0.1", t));
    }
}
