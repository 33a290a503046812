//! Storage: one connection type over both backends, a pool, migrations, and the helpers that keep
//! blocking database work off the async threads.

use std::{
    ops::{Deref, DerefMut},
    path::Path,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use chrono::Timelike;

use diesel::{
    connection::{AnsiTransactionManager, SimpleConnection, TransactionManager},
    pg::PgConnection,
    r2d2::{self, ManageConnection, R2D2Connection},
    sqlite::SqliteConnection,
    Connection,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use tokio::sync::Semaphore;

use crate::error::ApiError;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The PostgreSQL advisory lock that serializes migrations across instances.
const MIGRATION_LOCK_KEY: i64 = 0x6f70_696e_746f;

/// How long a request waits for a pooled connection before it answers 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long SQLite waits for a lock held by another connection before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A database URL with its backend decided from the scheme, never by trial and error.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    pub backend: Backend,
    /// What the backend's own driver is given: the URL for PostgreSQL, a file name for SQLite.
    pub target: String,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Self {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            };
        }
        let target = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        Self {
            backend: Backend::Sqlite,
            target: target.to_owned(),
        }
    }

    /// The URL with any password replaced, for logs.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.target),
            Backend::Postgres => redact_password(&self.target),
        }
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            let shown = if user_info.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{shown}@{host}/{path}")
        }
        None => url.to_owned(),
    }
}

/// Establishes connections of the one backend the URL names, so that connection errors
/// (a wrong password, a missing database) reach the log as the driver reported them.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    plans: Plans,
}

/// How PostgreSQL plans the statements a session keeps prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plans {
    /// The server's choice: a plan for the values of each execution until a generic one is priced
    /// no dearer.
    Chosen,
    /// One generic plan per statement, made once: for the public reads (see [`Db::for_public_reads`]).
    Generic,
}

/// A pooled connection, and whether it failed for want of the database.
///
/// Connections are not pinged on checkout, which would cost every request a round trip. Instead
/// a connection whose work failed that way is dropped by the pool on its return rather than
/// handed out again, so a restarted database costs each stale connection one 503, not more.
pub struct PooledDb {
    conn: DbConnection,
    failed: bool,
}

impl Deref for PooledDb {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl DerefMut for PooledDb {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

impl ConnectionManager {
    fn establish(&self) -> Result<DbConnection, r2d2::Error> {
        match self.url.backend {
            Backend::Postgres => {
                let mut conn =
                    PgConnection::establish(&self.url.target).map_err(r2d2::Error::ConnectionError)?;
                if self.plans == Plans::Generic {
                    conn.batch_execute("SET plan_cache_mode = force_generic_plan")
                        .map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConnection::Pg(conn))
            }
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(&self.url.target).map_err(r2d2::Error::ConnectionError)?;
                // secure_delete zeroes what a change leaves behind, so that personal data replaced
                // by its sealed form (or sealed under a retired key) is not left in free pages. A
                // small page cache per connection: the operating system caches the file as well.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON; \
                     PRAGMA cache_size = -512;"
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = PooledDb;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PooledDb, r2d2::Error> {
        self.establish().map(|conn| PooledDb { conn, failed: false })
    }

    fn is_valid(&self, pooled: &mut PooledDb) -> Result<(), r2d2::Error> {
        pooled.conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, pooled: &mut PooledDb) -> bool {
        std::thread::panicking() || pooled.failed || pooled.conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// A connection checked out of the pool outside a request; it goes back when dropped.
pub struct Checkout(r2d2::PooledConnection<ConnectionManager>);

impl Deref for Checkout {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.0
    }
}

impl DerefMut for Checkout {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.0
    }
}

/// The handle every request uses: a pool plus the knowledge of which backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// One permit per pooled connection, shared with the pool of public reads made from this one
    /// ([`Db::for_public_reads`]). Requests wait for a connection here, as futures, rather than
    /// each parking a blocking thread inside the pool: under load the blocking threads stay as
    /// many as the connections, and no time goes to waking threads that find none free.
    permits: Arc<Semaphore>,
    url: DatabaseUrl,
    /// How long a request waits for a connection in all.
    checkout_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot create the directory for the SQLite database {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error("cannot connect to the database {url}: {source}")]
    Connect { url: String, source: r2d2::Error },
    #[error("cannot apply migrations to {url}: {message}")]
    Migrate { url: String, message: String },
}

impl Db {
    /// Opens a pool and waits until one connection works, reporting the driver's own error otherwise.
    pub fn connect(database_url: &str, pool_size: u32) -> Result<Self, DbSetupError> {
        let url = DatabaseUrl::parse(database_url);
        if url.backend == Backend::Sqlite {
            create_parent_dir(&url.target)?;
        }
        let manager = ConnectionManager {
            url: url.clone(),
            plans: Plans::Chosen,
        };
        // Fail fast with the real cause instead of r2d2's generic time-out.
        manager.connect().map_err(|source| DbSetupError::Connect {
            url: url.redacted(),
            source,
        })?;
        Ok(Self::pooled(manager, pool_size, None, CHECKOUT_TIMEOUT))
    }

    /// A pool that connects when first needed, giving up on a checkout after `checkout_timeout`:
    /// for a server that may be down when the service starts, such as a replica.
    /// Its sessions plan as `plans` says.
    pub fn connect_lazily(
        database_url: &str,
        pool_size: u32,
        checkout_timeout: Duration,
        plans: Plans,
    ) -> Self {
        let manager = ConnectionManager {
            url: DatabaseUrl::parse(database_url),
            plans,
        };
        Self::pooled(manager, pool_size, None, checkout_timeout)
    }

    /// A pool of `pool_size` connections, taking `permits` when it shares another pool's.
    fn pooled(
        manager: ConnectionManager,
        pool_size: u32,
        permits: Option<Arc<Semaphore>>,
        checkout_timeout: Duration,
    ) -> Self {
        let pool_size = pool_size.max(1);
        let permits = permits.unwrap_or_else(|| Arc::new(Semaphore::new(pool_size as usize)));
        let url = manager.url.clone();
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(checkout_timeout)
            .build_unchecked(manager);
        Self {
            pool,
            permits,
            url,
            checkout_timeout,
        }
    }

    /// The pool for the public reads ([`crate::replica::ReadDb`]: the catalogue, reference data,
    /// signatories) on this pool's database. On PostgreSQL its sessions keep one generic plan per
    /// statement: the catalogue's statements of thirty parameters would otherwise be planned
    /// afresh on every execution, the planning dearer than the execution, as PostgreSQL prices a
    /// plan for any values above those made for the values given. Setting that per transaction
    /// cost two round trips a page more. It takes this pool's permits, so the database is given
    /// no more work at once; up to as many connections more may be open. On SQLite it is this pool.
    pub fn for_public_reads(&self) -> Db {
        if self.url.backend == Backend::Sqlite {
            return self.clone();
        }
        let manager = ConnectionManager {
            url: self.url.clone(),
            plans: Plans::Generic,
        };
        let shared = Some(self.permits.clone());
        Self::pooled(manager, self.pool.max_size(), shared, self.checkout_timeout)
    }

    pub fn backend(&self) -> Backend {
        self.url.backend
    }

    /// Runs `work` as one write transaction (see [`write_transaction`]) on the blocking thread pool.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| write_transaction(conn, work)).await
    }

    /// Runs `work`, a read whose only write is its own audit entry.
    ///
    /// On PostgreSQL it runs without a transaction: there each statement reads what was committed
    /// when it started, in a transaction or not (READ COMMITTED), and the audit entry's INSERT
    /// commits by itself before anything is shown, so BEGIN and COMMIT would only cost two round
    /// trips more. On SQLite writers take turns under one lock, which the audit entry needs: there
    /// it is a write transaction, as [`Db::write`].
    pub async fn audited_read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        match self.url.backend {
            Backend::Postgres => self.run(work).await,
            Backend::Sqlite => self.write(work).await,
        }
    }

    /// Runs blocking database work on the blocking thread pool. Waiting for a connection, first
    /// for a permit and then in the pool, takes at most the checkout timeout in all.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let deadline = Instant::now() + self.checkout_timeout;
        let permit =
            match actix_web::rt::time::timeout(self.checkout_timeout, self.permits.clone().acquire_owned())
                .await
            {
                Ok(Ok(permit)) => permit,
                Ok(Err(closed)) => return Err(ApiError::database_unavailable(closed)),
                Err(_) => {
                    return Err(ApiError::database_unavailable(
                        "no database connection became free in time",
                    ))
                }
            };
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let _permit = permit;
            let left = deadline.saturating_duration_since(Instant::now());
            let mut conn = pool.get_timeout(left).map_err(ApiError::database_unavailable)?;
            let outcome = work(&mut conn);
            if matches!(outcome, Err(ApiError::DatabaseUnavailable(_))) {
                conn.failed = true;
            }
            outcome
        })
        .await
        .map_err(|error| ApiError::internal(format!("blocking task failed: {error}")))?
    }

    /// Checks out a connection synchronously, for the command line and start-up.
    pub fn get(&self) -> Result<Checkout, ApiError> {
        self.pool
            .get()
            .map(Checkout)
            .map_err(ApiError::database_unavailable)
    }

    /// Applies pending migrations one by one, calling `each` after every one with its version (for
    /// data that only Rust can rewrite, between a migration that adds a column and one that drops
    /// another), then runs `after` on the same connection. On PostgreSQL all of it holds an
    /// advisory lock, so that instances starting together take turns: each migration and each
    /// first-start step runs once.
    pub fn migrate_then<T>(
        &self,
        each: &mut dyn FnMut(&str, &mut DbConnection) -> Result<(), String>,
        after: impl FnOnce(&mut DbConnection) -> T,
    ) -> Result<(Vec<String>, T), DbSetupError> {
        let url = self.url.redacted();
        let failed = |message: String| DbSetupError::Migrate {
            url: url.clone(),
            message,
        };
        let mut conn = self.pool.get().map_err(|error| failed(error.to_string()))?;
        let locked = matches!(&**conn, DbConnection::Pg(_));
        if locked {
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .map_err(|error| failed(error.to_string()))?;
        }
        let outcome = run_pending(&mut conn, each).map(|applied| (applied, after(&mut conn)));
        if locked {
            // Closing the connection would release the lock too; unlock so it can be reused.
            let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"));
        }
        outcome.map_err(failed)
    }

    pub fn migrate(
        &self,
        each: &mut dyn FnMut(&str, &mut DbConnection) -> Result<(), String>,
    ) -> Result<Vec<String>, DbSetupError> {
        self.migrate_then(each, |_| ()).map(|(applied, ())| applied)
    }
}

fn create_parent_dir(file: &str) -> Result<(), DbSetupError> {
    if file == ":memory:" || file.starts_with("file:") {
        return Ok(());
    }
    match Path::new(file).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| DbSetupError::CreateDir {
                path: file.to_owned(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// The statements a connection runs and those it keeps prepared, for unit tests of statements.
#[cfg(test)]
#[derive(Default, Clone)]
pub struct StatementLog(Arc<Mutex<StatementsSeen>>);

#[cfg(test)]
#[derive(Default, Clone)]
pub struct StatementsSeen {
    /// The text of each statement started, without its bound values.
    pub run: Vec<String>,
    /// The text of each statement prepared and kept.
    pub kept: Vec<String>,
}

#[cfg(test)]
impl StatementLog {
    pub fn seen(&self) -> StatementsSeen {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

#[cfg(test)]
impl diesel::connection::Instrumentation for StatementLog {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent;
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                let text = query.to_string();
                let sql = text.split(" -- binds: ").next().unwrap_or_default();
                seen.run.push(sql.to_owned());
            }
            InstrumentationEvent::CacheQuery { sql, .. } => seen.kept.push(sql.to_owned()),
            _ => {}
        }
    }
}

/// A migrated database in memory, for unit tests of statements.
#[cfg(test)]
pub fn migrated_in_memory() -> DbConnection {
    let mut conn =
        DbConnection::Sqlite(SqliteConnection::establish(":memory:").expect("an in-memory database"));
    run_pending(&mut conn, &mut |_, _| Ok(())).expect("the migrations apply");
    conn
}

/// Each value once, for an `IN` list: shorter statements, and fewer bind parameters to prepare.
pub fn distinct(values: &[String]) -> Vec<&str> {
    let mut distinct: Vec<&str> = values.iter().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct
}

fn run_pending(
    conn: &mut DbConnection,
    each: &mut dyn FnMut(&str, &mut DbConnection) -> Result<(), String>,
) -> Result<Vec<String>, String> {
    let mut applied = Vec::new();
    loop {
        let next = match conn {
            DbConnection::Sqlite(conn) => run_next(conn, SQLITE_MIGRATIONS),
            DbConnection::Pg(conn) => run_next(conn, POSTGRES_MIGRATIONS),
        }?;
        let Some(version) = next else {
            if !applied.is_empty() {
                forget_old_pages(conn).map_err(|error| error.to_string())?;
            }
            return Ok(applied);
        };
        each(&version, conn)?;
        applied.push(version);
    }
}

/// On SQLite, writes the write-ahead log into the database and empties it, so that old versions
/// of pages (personal data before it was sealed anew) do not outlive a rewrite there.
pub fn forget_old_pages(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(conn) => conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)"),
        DbConnection::Pg(_) => Ok(()),
    }
}

/// Runs the oldest pending migration, if any, and names it.
fn run_next<B: diesel::backend::Backend>(
    conn: &mut impl MigrationHarness<B>,
    source: EmbeddedMigrations,
) -> Result<Option<String>, String> {
    let pending = conn
        .pending_migrations(source)
        .map_err(|error| error.to_string())?;
    match pending.first() {
        None => Ok(None),
        Some(migration) => conn
            .run_migration(&**migration)
            .map(|version| Some(version.to_string()))
            .map_err(|error| error.to_string()),
    }
}

/// Whether `conn` is inside a transaction.
fn in_transaction(conn: &mut DbConnection) -> diesel::QueryResult<bool> {
    Ok(DbConnection::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some())
}

/// The current time in UTC at the microsecond precision both backends store, so that a timestamp
/// reads back exactly as it was written.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

/// Today's date in UTC, against which validity periods are read.
pub fn today() -> chrono::NaiveDate {
    now().date()
}

/// Runs the same diesel expression on the backend's own connection, for the query builder
/// features (batch inserts, upserts) that the multi-backend connection does not offer.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, $backend_conn:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($backend_conn) => $body,
            $crate::db::DbConnection::Sqlite($backend_conn) => $body,
        }
    };
}

/// SQLite has one writer at a time. This process's writers wait for their turn here, woken as soon
/// as the previous writer finishes, rather than in SQLite's busy handler, which polls with sleeps
/// of up to 100 ms and turns every contention into a long tail. Other processes writing to the
/// same file still meet the busy timeout.
static SQLITE_WRITER: Mutex<()> = Mutex::new(());

/// Runs `work` in a transaction that takes the write lock up front.
///
/// On SQLite a deferred transaction that reads before it writes fails at once with SQLITE_BUSY
/// when another connection committed in between; `BEGIN IMMEDIATE` makes it wait its turn
/// instead (see [`SQLITE_WRITER`]). Called inside a transaction, `work` joins it, so that
/// functions that must be atomic can be composed into larger atomic units.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if in_transaction(conn).map_err(E::from)? {
        return work(conn);
    }
    let _writer_turn = match conn {
        DbConnection::Sqlite(sqlite) => {
            let turn = SQLITE_WRITER.lock().unwrap_or_else(PoisonError::into_inner);
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
            Some(turn)
        }
        DbConnection::Pg(pg) => {
            AnsiTransactionManager::begin_transaction(pg)?;
            None
        }
    };
    match work(conn) {
        Ok(value) => match DbConnection::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(error) => {
                // Leave the connection usable; the commit error is what the caller needs to see.
                let _ = DbConnection::rollback_transaction(conn);
                Err(error.into())
            }
        },
        Err(error) => {
            DbConnection::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_scheme() {
        let pg = DatabaseUrl::parse("postgresql://u:secret@db.example:5432/registry");
        assert_eq!(pg.backend, Backend::Postgres);
        assert_eq!(pg.redacted(), "postgresql://u:***@db.example:5432/registry");
        let sqlite = DatabaseUrl::parse("sqlite://data/registry.db");
        assert_eq!(sqlite.backend, Backend::Sqlite);
        assert_eq!(sqlite.target, "data/registry.db");
        assert_eq!(DatabaseUrl::parse("registry.db").target, "registry.db");
        assert_eq!(
            DatabaseUrl::parse("sqlite:/var/lib/registry/x.db").target,
            "/var/lib/registry/x.db"
        );
    }

    /// The build settings `.cargo/config.toml` gives the bundled SQLite reach it: without the
    /// planner's stability guarantee every page statement (`LIMIT ?`) is prepared afresh on every
    /// execution, and with STAT4 so is any statement whose bound values might change its plan.
    #[test]
    fn sqlite_is_built_to_keep_statements_prepared() {
        use diesel::{sql_query, sql_types::Text, QueryableByName, RunQueryDsl};
        #[derive(QueryableByName)]
        struct CompileOption {
            #[diesel(sql_type = Text)]
            compile_options: String,
        }
        let mut conn = SqliteConnection::establish(":memory:").expect("an in-memory database");
        let options: Vec<String> = sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut conn)
            .expect("the compile options")
            .into_iter()
            .map(|option| option.compile_options)
            .collect();
        assert!(
            options.iter().any(|option| option == "ENABLE_QPSG"),
            "{options:?}"
        );
        assert!(
            options.iter().all(|option| option != "ENABLE_STAT4"),
            "{options:?}"
        );
        assert!(
            options.iter().any(|option| option == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }

    #[test]
    fn redaction_keeps_urls_without_password() {
        assert_eq!(
            redact_password("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
    }
}
