//! Catalogue answers kept in memory. The catalogue is public, the same for every caller, read far
//! more often than written, and a page costs about ten SQL statements to build. An answer is kept
//! under the catalogue version it was built at: every write to what the catalogue shows moves the
//! version on in the writer's transaction (database triggers), so a reader that sees the current
//! version in the database may serve what was built at it, and every instance of the service
//! serving one database agrees.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

use actix_web::web::Bytes;
use diesel::prelude::*;

use crate::{db::DbConnection, schema::counters};

/// The most bytes of keys and answers kept; past it the cache starts over.
const BUDGET_BYTES: usize = 16 * 1024 * 1024;
/// The counter row the triggers advance.
const VERSION_COUNTER: &str = "catalogue_version";

#[derive(Default)]
pub struct CatalogueCache {
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

impl CatalogueCache {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every change is a few plain writes.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer to `key` at the catalogue's current version, built by `build` when not kept.
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
            .find(VERSION_COUNTER)
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
