//! Data generations: for each topic a counter that the database itself advances, by triggers
//! (migration 0006), on every change to the topic's tables, whoever makes it: this server,
//! another server on the same database, the command line, an import.
//!
//! A view kept in memory ([`Cache`]) records the generation it was read at and is served again
//! only while the generation is unchanged, so it is never stale: a member saved anywhere shows on
//! the next page view. Checking costs one single-row read (on SQLite, on the calling thread); a
//! request has them from its session check, which on PostgreSQL answers from memory kept up to
//! date by the database's notifications ([`crate::listen`]): a change made by another server shows
//! within milliseconds, one made by this server on the next view.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;

use crate::args;
use crate::db::Store;
use crate::error::{StoreError, StoreResult};

/// A group of tables whose changes advance one generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// The organization tree and its members: `org`, `org_facility`, `member` and the roll-up
    /// `org_stats`. The member list and the statistics pages are read from these.
    Orgs,
    /// Organization life: records and their attachments, officers, 党组 divisions, rules, types
    /// and 所属年度 windows, and the tree they are judged on. The compliance views are read from
    /// these.
    Life,
    /// The message centre: `message`. The top bar's unread count is read from it.
    Messages,
}

impl Topic {
    pub fn code(self) -> &'static str {
        match self {
            Topic::Orgs => "orgs",
            Topic::Life => "life",
            Topic::Messages => "messages",
        }
    }
}

/// The generations as one read found them (for a request, the read of its session: see
/// [`crate::account::touch_session_with`]). A value read later than this is at least as new.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generations {
    pub orgs: i64,
    pub life: i64,
    pub messages: i64,
}

impl Generations {
    pub fn of(self, topic: Topic) -> i64 {
        match topic {
            Topic::Orgs => self.orgs,
            Topic::Life => self.life,
            Topic::Messages => self.messages,
        }
    }
}

/// The columns that read [`Generations`] within another statement, in its order.
pub const COLUMNS: &str = "(SELECT n FROM data_gen WHERE topic = 'orgs') AS orgs_generation, \
     (SELECT n FROM data_gen WHERE topic = 'life') AS life_generation, \
     (SELECT n FROM data_gen WHERE topic = 'messages') AS messages_generation";

/// The topic's generation now.
pub async fn current(store: &Store, topic: Topic) -> StoreResult<i64> {
    let direct = store.direct(|c| {
        c.prepare_cached("SELECT n FROM data_gen WHERE topic = ?1")?.query_row([topic.code()], |r| r.get::<_, i64>(0))
    });
    match direct {
        Some(r) => r,
        None => store.read().scalar("SELECT n FROM data_gen WHERE topic = $1", &args![topic.code()]).await,
    }
}

/// Values read from a topic's tables, each kept with the generation it was read at and given out
/// only while that is still the topic's generation. At most `cap` values are kept.
pub struct Cache<K, V> {
    topic: Topic,
    cap: usize,
    map: Mutex<HashMap<K, (i64, V)>>,
}

impl<K: Hash + Eq, V: Clone> Cache<K, V> {
    pub fn new(topic: Topic, cap: usize) -> Self {
        Cache { topic, cap: cap.max(1), map: Mutex::new(HashMap::new()) }
    }

    /// The value for `key`: kept, if it was read at the current generation; otherwise `load`ed
    /// and kept. The current generation is `seen` if given (read earlier in this request, as
    /// with its session), otherwise read now. Either way it is read before `load` runs, so a
    /// change made in between leaves the kept value marked older than it is (read again next
    /// time), never newer.
    pub async fn get_or_load<F, Fut, E>(
        &self,
        store: &Store,
        seen: Option<Generations>,
        key: K,
        load: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
        E: From<StoreError>,
    {
        let generation = match seen {
            Some(g) => g.of(self.topic),
            None => current(store, self.topic).await?,
        };
        if let Some(v) = self.get(&key, generation) {
            return Ok(v);
        }
        let v = load().await?;
        self.put(key, generation, v.clone());
        Ok(v)
    }

    fn get(&self, key: &K, generation: i64) -> Option<V> {
        let map = self.map.lock().ok()?;
        map.get(key).filter(|(g, _)| *g == generation).map(|(_, v)| v.clone())
    }

    fn put(&self, key: K, generation: i64, v: V) {
        let Ok(mut map) = self.map.lock() else { return };
        if let Some((g, _)) = map.get(&key) {
            if *g > generation {
                return; // a later read is kept already
            }
        }
        if map.len() >= self.cap && !map.contains_key(&key) {
            // values of an older generation are of no more use; if all are current, start over
            map.retain(|_, (g, _)| *g >= generation);
            if map.len() >= self.cap {
                map.clear();
            }
        }
        map.insert(key, (generation, v));
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What changed under a topic since generation `since` (migration 0014): the organizations whose
/// data changed, or `None` when something every view of the topic depends on changed (the tree,
/// the rules), so that a view must be read again whole. Changes made after the generation the
/// caller holds may be included; reading them again later does no harm.
pub async fn changed_since(store: &Store, topic: Topic, since: i64) -> StoreResult<Option<Vec<i64>>> {
    let rows: Vec<(i64,)> = store
        .read()
        .fetch_all("SELECT org_id FROM data_change WHERE topic = $1 AND n > $2", &args![topic.code(), since])
        .await?;
    let ids: Vec<i64> = rows.into_iter().map(|r| r.0).collect();
    Ok(if ids.contains(&0) { None } else { Some(ids) })
}
