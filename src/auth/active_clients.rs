//! Which clients are active, kept in memory so that an authenticated request costs no statement
//! for it, while a revocation still takes effect at once on every instance.
//!
//! A change of a client's `active` flag, or its deletion, is made known by the database in the
//! writer's own transaction, whoever made it (the API, the command line in another process, an
//! operator's SQL):
//!
//! - on PostgreSQL a trigger notifies with the client id. Each instance listens on one connection
//!   of its own and forgets the client when it hears of it. Answers are kept only while
//!   notifications are known to arrive: the listener's own heartbeat notification must have come
//!   back lately;
//! - on SQLite triggers move a counter, which each instance reads every few milliseconds on a
//!   connection of its own, forgetting everything when it moves.
//!
//! While the connection is down nothing is kept, and every request checks the database afresh.
//! The same holds while the listener is not reading: while its heartbeat waits on the database
//! (a commit that sends a notification waits on every other such commit of the server, and on
//! the disk), or while its thread is held up. Kept answers are trusted only while everything that
//! arrived has been read lately, so a stalled listener makes requests ask the database instead of
//! letting a revoked client in.
//! An answer read from the database is kept only if nothing was forgotten while it was read
//! (the generation is unchanged): a revocation heard during the read cannot be undone by it.

use std::{
    collections::HashSet,
    convert::Infallible,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::{Duration, Instant},
};

use actix_web::web;
use diesel::{pg::PgConnection, prelude::*, sqlite::SqliteConnection};

use crate::{
    db::{Backend, DatabaseUrl},
    schema::counters,
};

/// The channel the trigger of migration `000022_client_changes` notifies on PostgreSQL, with the
/// client id, and the counter its triggers move on SQLite.
const CHANNEL: &str = "api_client_changed";
const CLIENTS_VERSION: &str = "clients_version";
/// How often the listener reads what has arrived (or the counter): the longest a revocation made
/// elsewhere goes unheard here.
const POLL: Duration = Duration::from_millis(5);
/// How often the listener proves that notifications reach it, and how long kept answers are
/// trusted after the last proof.
const HEARTBEAT: Duration = Duration::from_secs(1);
const TRUSTED_FOR: Duration = Duration::from_secs(3);
/// How lately the listener must have read everything that arrived for kept answers to count:
/// the longest a revocation goes unheard while the listener is held up.
const READ_WITHIN: Duration = Duration::from_millis(100);
/// How long the listener waits before connecting again after a failure, doubling while it fails
/// (a server without notifications, such as CockroachDB, refuses LISTEN every time).
const RECONNECT: Duration = Duration::from_secs(1);
const RECONNECT_AT_MOST: Duration = Duration::from_secs(60);
/// Kept client ids at most; past it everything is forgotten and kept afresh.
const CAPACITY: usize = 10_000;

#[derive(Default)]
struct State {
    /// When the listening connection last proved to work; `None` while it is down.
    heard_at: Option<Instant>,
    /// When the listener last read everything that had arrived.
    read_at: Option<Instant>,
    /// Moves on whenever anything is forgotten.
    generation: u64,
    active: HashSet<String>,
}

impl State {
    fn forget(&mut self, id: Option<&str>) {
        self.generation += 1;
        match id {
            Some(id) => {
                self.active.remove(id);
            }
            None => self.active.clear(),
        }
    }

    fn trusted(&self) -> bool {
        let lately = |at: Option<Instant>, within| at.is_some_and(|at| at.elapsed() < within);
        lately(self.heard_at, TRUSTED_FOR) && lately(self.read_at, READ_WITHIN)
    }
}

/// The kept answers of this process, and whether its listener runs.
#[derive(Default)]
pub struct ActiveClients {
    state: Mutex<State>,
    running: AtomicBool,
}

impl ActiveClients {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind, still consistent.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `id` is known to be active; false means "ask the database", not "inactive".
    pub fn known_active(&self, id: &str) -> bool {
        let state = self.state();
        state.trusted() && state.active.contains(id)
    }

    /// The generation to pass to [`ActiveClients::remember`] for an answer about to be read.
    pub fn generation(&self) -> u64 {
        self.state().generation
    }

    /// Keeps that `id` is active, as read from the database at `generation`.
    pub fn remember(&self, id: &str, generation: u64) {
        let mut state = self.state();
        if state.heard_at.is_none() || state.generation != generation {
            return;
        }
        if state.active.len() >= CAPACITY {
            state.active.clear();
        }
        state.active.insert(id.to_owned());
    }

    /// Forgets `id` (every client when `None`).
    pub fn forget(&self, id: Option<&str>) {
        self.state().forget(id);
    }

    fn heard(&self, working: bool) {
        let mut state = self.state();
        if !working || state.heard_at.is_none() {
            // Nothing kept while not listening can be trusted afterwards.
            state.forget(None);
        }
        state.heard_at = working.then(Instant::now);
    }

    /// Notes that everything that had arrived has been read.
    fn read_up(&self) {
        self.state().read_at = Some(Instant::now());
    }

    /// Starts listening on the calling worker's runtime, unless a listener runs already, so that
    /// it stops with the server. `url` is the primary's: a standby delivers no notifications.
    pub fn listen_here(self: &Arc<Self>, url: &str) {
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let this = Arc::clone(self);
        let url = DatabaseUrl::parse(url);
        actix_web::rt::spawn(async move {
            let _running = Running(Arc::clone(&this));
            let mut wait = RECONNECT;
            loop {
                let Err(error) = match url.backend {
                    Backend::Postgres => this.listen(&url.target).await,
                    Backend::Sqlite => this.watch(&url.target).await,
                };
                let heard = this.state().heard_at.is_some();
                this.heard(false);
                if heard {
                    wait = RECONNECT;
                    tracing::warn!("stopped listening for client changes, checking each request: {error}");
                } else if wait == RECONNECT {
                    tracing::warn!("cannot listen for client changes, checking each request: {error}");
                }
                actix_web::rt::time::sleep(wait).await;
                wait = (wait * 2).min(RECONNECT_AT_MOST);
            }
        });
    }

    /// Listens until the connection fails. Every heartbeat is a notification to the listeners,
    /// this one included, with an empty payload: kept answers are trusted only while they come
    /// back, so a connection that cannot deliver notifications (through a pooler in transaction
    /// mode, say) keeps nothing.
    async fn listen(&self, url: &str) -> Result<Infallible, String> {
        let mut conn: PgConnection = open(url, format!("LISTEN {CHANNEL}")).await?;
        let mut asked_at: Option<Instant> = None;
        loop {
            if asked_at.is_none_or(|at| at.elapsed() >= HEARTBEAT) {
                conn = blocking(move || {
                    diesel::sql_query(format!("SELECT pg_notify('{CHANNEL}', '')"))
                        .execute(&mut conn)
                        .map(|_| conn)
                        .map_err(|error| error.to_string())
                })
                .await?;
                asked_at = Some(Instant::now());
            }
            actix_web::rt::time::sleep(POLL).await;
            // Reads only what has arrived: libpq's socket does not block here.
            for notification in conn.notifications_iter() {
                let notification = notification.map_err(|error| error.to_string())?;
                match notification.payload.as_str() {
                    "" => self.heard(true),
                    client_id => self.forget(Some(client_id)),
                }
            }
            self.read_up();
        }
    }

    /// Watches SQLite's counter of client changes, which triggers move in the writer's
    /// transaction (any process's), until reading it fails.
    async fn watch(&self, path: &str) -> Result<Infallible, String> {
        let mut conn: SqliteConnection = open(path, "PRAGMA busy_timeout = 1000".to_owned()).await?;
        let mut seen = None;
        loop {
            let value;
            (conn, value) = blocking(move || {
                let value = counters::table
                    .find(CLIENTS_VERSION)
                    .select(counters::value)
                    .first::<i64>(&mut conn)
                    .map_err(|error| error.to_string())?;
                Ok((conn, value))
            })
            .await?;
            if seen.is_some_and(|seen| seen != value) {
                self.forget(None);
            }
            seen = Some(value);
            self.heard(true);
            self.read_up();
            actix_web::rt::time::sleep(POLL).await;
        }
    }
}

/// A connection of the listener's own, set up by `setup`.
async fn open<C: Connection + Send + 'static>(target: &str, setup: String) -> Result<C, String> {
    let target = target.to_owned();
    blocking(move || {
        let mut conn = C::establish(&target).map_err(|error| error.to_string())?;
        conn.batch_execute(&setup).map_err(|error| error.to_string())?;
        Ok(conn)
    })
    .await
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    web::block(work).await.map_err(|error| error.to_string())?
}

/// Lets another worker start the listener once the one running it has stopped.
struct Running(Arc<ActiveClients>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.heard(false);
        self.0.running.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_kept_without_a_listener_or_across_a_forgetting() {
        let clients = ActiveClients::default();
        clients.remember("a", clients.generation());
        assert!(!clients.known_active("a"), "not listening: nothing kept");

        clients.heard(true);
        clients.read_up();
        let before = clients.generation();
        clients.forget(Some("b"));
        clients.remember("a", before);
        assert!(!clients.known_active("a"), "read before a forgetting: not kept");

        clients.remember("a", clients.generation());
        assert!(clients.known_active("a"));
        clients.forget(Some("a"));
        assert!(!clients.known_active("a"));

        clients.remember("a", clients.generation());
        clients.heard(false);
        clients.heard(true);
        assert!(
            !clients.known_active("a"),
            "a listener down and up again forgets everything"
        );
    }

    #[test]
    fn nothing_kept_counts_while_the_listener_is_not_reading() {
        let clients = ActiveClients::default();
        clients.heard(true);
        clients.read_up();
        clients.remember("a", clients.generation());
        assert!(clients.known_active("a"));

        let held_up = Instant::now()
            .checked_sub(READ_WITHIN)
            .expect("a clock past its start");
        clients.state().read_at = Some(held_up);
        assert!(
            !clients.known_active("a"),
            "a listener that has not read lately may have missed a revocation"
        );
        clients.read_up();
        assert!(clients.known_active("a"), "kept again once it has read");
    }
}
