//! Public reads from a streaming replica.
//!
//! With `DATABASE_READ_URL` set, anonymous reads of public data (the catalogue, reference data,
//! signatories) go to that replica; everything else goes to the primary: every write, every read
//! of personal data (it is audited, which is a write), every read by an authenticated caller (so
//! that a caller always sees its own writes), and verification and status lists (so that a
//! revocation shows at once, whatever the replica's lag). A replica that cannot be reached is
//! left alone for a few seconds while the primary answers; then one request tries it again.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use actix_web::{http::header, HttpRequest};

use crate::{
    db::{Db, DbConnection, Plans},
    error::ApiError,
};

/// How long a request waits for a replica connection before the primary answers instead.
const REPLICA_CHECKOUT: Duration = Duration::from_millis(500);
/// How long a replica that failed is left alone.
const RETRY_AFTER: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct ReadDb {
    primary: Db,
    replica: Option<Replica>,
}

#[derive(Clone)]
struct Replica {
    db: Db,
    /// Milliseconds after `started` before which the replica is not tried; 0 when it is up.
    resting_until: Arc<AtomicU64>,
    started: Instant,
}

impl Replica {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether this request may use the replica: it is up, or its rest is over and this request
    /// is the one that tries it again (the others keep to the primary meanwhile).
    fn take_turn(&self) -> bool {
        let resting_until = self.resting_until.load(Ordering::Acquire);
        if resting_until == 0 {
            return true;
        }
        let now = self.now_ms();
        now >= resting_until
            && self
                .resting_until
                .compare_exchange(
                    resting_until,
                    now + rest_ms(),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
    }

    fn rest(&self) {
        self.resting_until
            .store(self.now_ms() + rest_ms(), Ordering::Release);
    }

    fn recovered(&self) {
        self.resting_until.store(0, Ordering::Release);
    }
}

fn rest_ms() -> u64 {
    RETRY_AFTER.as_millis() as u64
}

impl ReadDb {
    /// Reads from the primary only, through `primary`: its pool of public reads
    /// ([`Db::for_public_reads`]).
    pub fn primary(primary: Db) -> Self {
        Self {
            primary,
            replica: None,
        }
    }

    /// Public reads from the replica at `url`, which need not be up yet, its sessions planning as
    /// the primary's public reads do; `primary` answers when the replica cannot.
    pub fn with_replica(primary: Db, url: &str, pool_size: u32) -> Self {
        Self {
            primary,
            replica: Some(Replica {
                db: Db::connect_lazily(url, pool_size, REPLICA_CHECKOUT, Plans::Generic),
                resting_until: Arc::new(AtomicU64::new(0)),
                started: Instant::now(),
            }),
        }
    }

    /// Runs a read of public data: on the replica when the request carries no credentials and the
    /// replica is up, else (or should the replica fail) on the primary.
    pub async fn public<T, F>(&self, request: &HttpRequest, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        let anonymous = !request.headers().contains_key(header::AUTHORIZATION);
        if let Some(replica) = self
            .replica
            .as_ref()
            .filter(|replica| anonymous && replica.take_turn())
        {
            match replica.db.run(work.clone()).await {
                Err(ApiError::DatabaseUnavailable(reason)) => {
                    tracing::warn!(%reason, "the read replica failed; reading from the primary");
                    replica.rest();
                }
                outcome => {
                    replica.recovered();
                    return outcome;
                }
            }
        }
        self.primary.run(work).await
    }
}
