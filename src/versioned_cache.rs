//! Answers kept in memory under a version: a counter row in the database that every change to
//! what the answers show moves on, in the writer's transaction. A reader that sees the current
//! version in the database may serve what was built at it, so every instance of the service
//! serving one database agrees, and nothing stale is served after a write commits. The catalogue
//! keeps its pages so; status lists keep their signed credentials so, since signing costs more
//! than reading.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

use actix_web::web::Bytes;
use diesel::prelude::*;

use crate::{db::DbConnection, schema::counters};

/// The most bytes of keys and answers kept; past it the cache starts over.
const BUDGET_BYTES: usize = 16 * 1024 * 1024;
/// Answers kept under the value of one counter row.
pub struct VersionedCache {
    /// The counter that every change to what the answers show moves on.
    counter: &'static str,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    version: i64,
    bytes: usize,
    answers: HashMap<String, Bytes>,
}

impl State {
    /// Forgets the answers of older versions; false when `version` is older than the kept ones.
    fn move_to(&mut self, version: i64) -> bool {
        if version > self.version {
            self.version = version;
            self.answers.clear();
            self.bytes = 0;
        }
        version == self.version
    }
}

impl VersionedCache {
    pub fn new(counter: &'static str) -> Self {
        Self {
            counter,
            state: Mutex::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every change is a few plain writes.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        let version: i64 = counters::table
            .find(self.counter)
            .select(counters::value)
            .first(conn)?;
        {
            let mut state = self.state();
            if state.move_to(version) {
                if let Some(answer) = state.answers.get(&key) {
                    return Ok(answer.clone());
                }
            }
        }
        let answer = build(conn)?;
        let mut state = self.state();
        let size = key.len() + answer.len();
        if state.move_to(version) && size <= BUDGET_BYTES && !state.answers.contains_key(&key) {
            if state.bytes + size > BUDGET_BYTES {
                state.answers.clear();
                state.bytes = 0;
            }
            state.bytes += size;
            state.answers.insert(key, answer.clone());
        }
        Ok(answer)
    }
}
