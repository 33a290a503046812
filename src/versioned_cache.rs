//! Answers kept in memory under a version: a counter row in the database that every change to
//! what the answers show moves on, in the writer's transaction. A reader that sees the current
//! version in the database may serve what was built at it, so every instance of the service
//! serving one database agrees, and nothing stale is served after a write commits. The catalogue
//! keeps its pages so; status lists keep their signed credentials so, since signing costs more
//! than reading.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Mutex, MutexGuard},
};

use actix_web::web::Bytes;
use diesel::prelude::*;

use crate::{db::DbConnection, schema::counters};

/// The most bytes of keys and answers kept; past it the cache starts over. Answers asked again
/// within minutes (a caller's paging, a popular search) fit many times over; a search asked once
/// costs the same built or missed.
const BUDGET_BYTES: usize = 8 * 1024 * 1024;
/// Answers kept under the value of one counter row.
pub struct VersionedCache {
    /// The counter that every change to what the answers show moves on.
    counter: &'static str,
    state: Mutex<AtVersion<Answers>>,
}

#[derive(Default)]
struct Answers {
    bytes: usize,
    answers: HashMap<String, Bytes>,
}

/// What is kept, and the counter value it was kept at.
#[derive(Default)]
struct AtVersion<T> {
    version: i64,
    kept: T,
}

impl<T: Default> AtVersion<T> {
    /// Forgets what older versions kept; false when `version` is older than the kept one.
    fn move_to(&mut self, version: i64) -> bool {
        if version > self.version {
            self.version = version;
            self.kept = T::default();
        }
        version == self.version
    }
}

/// The state behind `mutex`. It stays consistent even if a holder panicked: every change under the
/// lock is a few plain writes.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl VersionedCache {
    pub fn new(counter: &'static str) -> Self {
        Self {
            counter,
            state: Mutex::default(),
        }
    }

    /// The counter's current value.
    pub fn version(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        counter_value(conn, self.counter)
    }

    /// The answer to `key` at the counter's current value, built by `build` when not kept.
    pub fn answer<E>(
        &self,
        conn: &mut DbConnection,
        key: String,
        build: impl FnOnce(&mut DbConnection) -> Result<Bytes, E>,
    ) -> Result<Bytes, E>
    where
        E: From<diesel::result::Error>,
    {
        let version = self.version(conn)?;
        self.answer_at(version, key, || build(conn))
    }

    /// The answer to `key` at `version`, which the caller has just read, built when not kept.
    pub fn answer_at<E>(
        &self,
        version: i64,
        key: String,
        build: impl FnOnce() -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        {
            let mut state = lock(&self.state);
            if state.move_to(version) {
                if let Some(answer) = state.kept.answers.get(&key) {
                    return Ok(answer.clone());
                }
            }
        }
        let answer = build()?;
        let mut state = lock(&self.state);
        let size = key.len() + answer.len();
        if state.move_to(version) && size <= BUDGET_BYTES && !state.kept.answers.contains_key(&key) {
            let kept = &mut state.kept;
            if kept.bytes + size > BUDGET_BYTES {
                *kept = Answers::default();
            }
            kept.bytes += size;
            kept.answers.insert(key, answer.clone());
        }
        Ok(answer)
    }
}

/// The value of a counter row.
pub fn counter_value(conn: &mut DbConnection, counter: &str) -> QueryResult<i64> {
    counters::table.find(counter).select(counters::value).first(conn)
}

/// Records kept by key under one value of a counter, each fetched on first need: names and
/// summaries that many answers show and few writes change. At most `capacity` are kept; past it
/// the set starts over.
pub struct KeptRecords<K, V> {
    capacity: usize,
    state: Mutex<AtVersion<HashMap<K, V>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> KeptRecords<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            state: Mutex::default(),
        }
    }

    /// The records of `keys` at `version`, which the caller has just read: the kept ones, and
    /// those `fetch` finds of the rest (it is given each missing key once). A key found nowhere
    /// is left out.
    pub fn get_many<E>(
        &self,
        version: i64,
        keys: &[K],
        fetch: impl FnOnce(&[K]) -> Result<Vec<(K, V)>, E>,
    ) -> Result<HashMap<K, V>, E> {
        let mut found = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        {
            let mut state = lock(&self.state);
            let current = state.move_to(version);
            for key in keys {
                if found.contains_key(key) || missing.contains(key) {
                    continue;
                }
                match state.kept.get(key).filter(|_| current) {
                    Some(record) => {
                        found.insert(key.clone(), record.clone());
                    }
                    None => missing.push(key.clone()),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let fetched = fetch(&missing)?;
        let mut state = lock(&self.state);
        let keep = state.move_to(version);
        let records = &mut state.kept;
        if keep && records.len() + fetched.len() > self.capacity {
            records.clear();
        }
        for (key, record) in fetched {
            if keep && records.len() < self.capacity {
                records.insert(key.clone(), record.clone());
            }
            found.insert(key, record);
        }
        Ok(found)
    }
}
