//! Counted limits on attempts (failed authentications, failed verification codes, tokens issued,
//! identity-code searches), kept in the database so that every instance of the service counts the
//! same attempts.
//!
//! A unit is taken before the work it limits, atomically: an exhausted limit refuses the attempt
//! without counting it, and a hundred parallel attempts cannot slip past a limit of ten between
//! one's check and another's count. Work that turns out not to count (a correct secret) gives
//! its unit back.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::{
    db::{write_transaction, DbConnection},
    error::ApiError,
    per_backend,
    schema::auth_failures,
};

/// At most `max` units per subject within a window of `window_secs` from its first unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i32,
    pub window_secs: i64,
}

const QUARTER_HOUR: i64 = 15 * 60;

/// Failed authentications of one client id from one address: the legitimate caller elsewhere is
/// never locked out by someone else's failures.
pub const CLIENT_ADDRESS_FAILURES: Limit = Limit {
    max: 10,
    window_secs: QUARTER_HOUR,
};
/// The limits an operator may set (`AUTH_FAILURES_PER_ADDRESS`, `TOKENS_PER_CLIENT_PER_MINUTE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Configured {
    /// Failed authentications from one address in 15 minutes, for any client ids: far above the
    /// pair's limit, so that an office behind one address is not locked out by one member's
    /// mistakes.
    pub failures_per_address: i32,
    /// Access tokens issued to one client a minute: a token lasts 15 minutes, so the default is
    /// generous for any number of instances of a well-behaved caller, and bounds what a flood can
    /// make us hash.
    pub tokens_per_client_per_minute: i32,
}

impl Default for Configured {
    fn default() -> Self {
        Self {
            failures_per_address: 200,
            tokens_per_client_per_minute: 30,
        }
    }
}
/// Unknown verification codes from one address.
pub const VERIFY_FAILURES: Limit = Limit {
    max: 20,
    window_secs: QUARTER_HOUR,
};
/// Unknown holder access links from one address.
pub const HOLDER_LINK_FAILURES: Limit = Limit {
    max: 10,
    window_secs: QUARTER_HOUR,
};
/// Searches by personal identity code per client.
pub const SEARCHES_PER_CLIENT: Limit = Limit {
    max: 60,
    window_secs: 60,
};

/// A counted subject and the limit it is counted against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub subject: String,
    pub limit: Limit,
}

impl Counter {
    pub fn new(subject: String, limit: Limit) -> Self {
        Self { subject, limit }
    }

    pub fn client_address_failures(client_id: &str, address: &str) -> Self {
        Self::new(
            format!("client-address:{client_id}@{address}"),
            CLIENT_ADDRESS_FAILURES,
        )
    }

    pub fn address_failures(address: &str, limits: &Configured) -> Self {
        let limit = Limit {
            max: limits.failures_per_address,
            window_secs: QUARTER_HOUR,
        };
        Self::new(format!("address:{address}"), limit)
    }

    pub fn tokens(client_id: &str, limits: &Configured) -> Self {
        let limit = Limit {
            max: limits.tokens_per_client_per_minute,
            window_secs: 60,
        };
        Self::new(format!("tokens:{client_id}"), limit)
    }

    pub fn verify_failures(address: &str) -> Self {
        Self::new(format!("verify:{address}"), VERIFY_FAILURES)
    }

    pub fn holder_link_failures(address: &str) -> Self {
        Self::new(format!("holder:{address}"), HOLDER_LINK_FAILURES)
    }

    pub fn searches(client_id: &str) -> Self {
        Self::new(format!("search:{client_id}"), SEARCHES_PER_CLIENT)
    }
}

/// Takes one unit of every counter, or none: when one is exhausted, the answer is 429 with the
/// seconds until it reopens.
pub fn take(conn: &mut DbConnection, counters: &[Counter], now: NaiveDateTime) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        for counter in counters {
            take_one(conn, counter, now)?;
        }
        Ok(())
    })
}

fn take_one(conn: &mut DbConnection, counter: &Counter, now: NaiveDateTime) -> Result<(), ApiError> {
    let subject = counter.subject.as_str();
    let window_start = now - Duration::seconds(counter.limit.window_secs);
    per_backend!(conn, c => diesel::insert_into(auth_failures::table)
        .values((
            auth_failures::subject.eq(subject),
            auth_failures::window_start.eq(now),
            auth_failures::failures.eq(0),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    diesel::update(
        auth_failures::table
            .find(subject)
            .filter(auth_failures::window_start.le(window_start)),
    )
    .set((auth_failures::window_start.eq(now), auth_failures::failures.eq(0)))
    .execute(conn)?;
    // The row lock taken here makes the check and the count one step for concurrent takers.
    let taken = diesel::update(
        auth_failures::table
            .find(subject)
            .filter(auth_failures::failures.lt(counter.limit.max)),
    )
    .set(auth_failures::failures.eq(auth_failures::failures + 1))
    .execute(conn)?;
    if taken == 1 {
        return Ok(());
    }
    let started: NaiveDateTime = auth_failures::table
        .find(subject)
        .select(auth_failures::window_start)
        .first(conn)?;
    let reopens = started + Duration::seconds(counter.limit.window_secs);
    Err(ApiError::TooManyRequests {
        retry_after_secs: u64::try_from((reopens - now).num_seconds().max(1)).unwrap_or(1),
    })
}

/// Gives back a unit taken by [`take`] for work that turned out not to count.
pub fn give_back(conn: &mut DbConnection, counters: &[Counter]) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        for counter in counters {
            diesel::update(
                auth_failures::table
                    .find(&counter.subject)
                    .filter(auth_failures::failures.gt(0)),
            )
            .set(auth_failures::failures.eq(auth_failures::failures - 1))
            .execute(conn)?;
        }
        Ok(())
    })
}
