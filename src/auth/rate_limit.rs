//! Limits on failed client authentications, per client id and per remote address, kept in the
//! database so that every instance of the service counts the same failures.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::{db::DbConnection, schema::auth_failures};

/// Failures allowed per subject within one window.
pub const MAX_FAILURES: i32 = 10;
pub const WINDOW_SECS: i64 = 15 * 60;

pub fn client_subject(client_id: &str) -> String {
    format!("client:{client_id}")
}

pub fn address_subject(address: &str) -> String {
    format!("address:{address}")
}

/// Seconds until the first of `subjects` that is over its limit may try again.
pub fn retry_after(
    conn: &mut DbConnection,
    subjects: &[String],
    now: NaiveDateTime,
) -> QueryResult<Option<u64>> {
    let window_start = now - Duration::seconds(WINDOW_SECS);
    let blocked: Option<NaiveDateTime> = auth_failures::table
        .filter(auth_failures::subject.eq_any(subjects))
        .filter(auth_failures::window_start.gt(window_start))
        .filter(auth_failures::failures.ge(MAX_FAILURES))
        .select(auth_failures::window_start)
        .order(auth_failures::window_start.desc())
        .first(conn)
        .optional()?;
    Ok(blocked.map(|started| {
        let reopens = started + Duration::seconds(WINDOW_SECS);
        u64::try_from((reopens - now).num_seconds().max(1)).unwrap_or(1)
    }))
}

/// Counts one failure for each subject, starting a new window where the last one has passed.
pub fn record_failure(conn: &mut DbConnection, subjects: &[String], now: NaiveDateTime) -> QueryResult<()> {
    let window_start = now - Duration::seconds(WINDOW_SECS);
    for subject in subjects {
        let counted = diesel::update(
            auth_failures::table
                .find(subject)
                .filter(auth_failures::window_start.gt(window_start)),
        )
        .set(auth_failures::failures.eq(auth_failures::failures + 1))
        .execute(conn)?;
        if counted == 0 {
            diesel::delete(auth_failures::table.find(subject)).execute(conn)?;
            diesel::insert_into(auth_failures::table)
                .values((
                    auth_failures::subject.eq(subject),
                    auth_failures::window_start.eq(now),
                    auth_failures::failures.eq(1),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}
