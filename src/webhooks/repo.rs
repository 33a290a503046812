//! Webhook subscriptions, deliveries and attempts in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{AttemptRow, DeliveryRow, DeliveryState, DisabledReason, WebhookRow};
use crate::{
    db::DbConnection,
    pagination::PageRequest,
    schema::{certificate_events, webhook_attempts, webhook_deliveries, webhooks},
};

pub fn insert(conn: &mut DbConnection, row: &WebhookRow) -> QueryResult<()> {
    diesel::insert_into(webhooks::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<WebhookRow>> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()
}

/// A client's subscriptions, in the order they were made.
pub fn list(
    conn: &mut DbConnection,
    client_id: &str,
    page: &PageRequest<String>,
) -> QueryResult<Vec<WebhookRow>> {
    let mut query = webhooks::table
        .filter(webhooks::client_id.eq(client_id.to_owned()))
        .select(WebhookRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(webhooks::id.gt(after.clone()));
    }
    query.order(webhooks::id).limit(page.fetch_limit()).load(conn)
}

/// Saves what the subscriber may change; the counts delivery keeps are left to it (see
/// [`failed`], [`succeeded`]).
pub fn save(conn: &mut DbConnection, row: &WebhookRow) -> QueryResult<()> {
    diesel::update(webhooks::table.find(&row.id))
        .set((
            webhooks::url.eq(&row.url),
            webhooks::event_types.eq(&row.event_types),
            webhooks::description.eq(&row.description),
            webhooks::enabled.eq(row.enabled),
            webhooks::disabled_reason.eq(row.disabled_reason),
            webhooks::updated_at.eq(row.updated_at),
            webhooks::version.eq(row.version),
        ))
        .execute(conn)
        .map(drop)
}

/// Removes a subscription with its deliveries and their attempts.
pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    let deliveries: Vec<String> = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(id))
        .select(webhook_deliveries::id)
        .load(conn)?;
    for chunk in deliveries.chunks(500) {
        diesel::delete(webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(chunk)))
            .execute(conn)?;
    }
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(webhooks::table.find(id)).execute(conn).map(drop)
}

/// The last position of the certificate feed: a new subscription starts after it.
pub fn feed_end(conn: &mut DbConnection) -> QueryResult<i64> {
    certificate_events::table
        .select(diesel::dsl::max(certificate_events::position))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
}

/// Enabled subscriptions out of backoff that no instance holds, up to `limit`, the longest unserved
/// first. On PostgreSQL the rows another instance is leasing at this moment are skipped rather than
/// waited for.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<String>> {
    let query = webhooks::table
        .filter(webhooks::enabled.eq(true))
        .filter(webhooks::retry_at.is_null().or(webhooks::retry_at.le(now)))
        .filter(webhooks::leased_until.lt(now))
        .order(webhooks::leased_until.asc())
        .select(webhooks::id)
        .limit(limit);
    match conn {
        DbConnection::Pg(pg) => query.for_update().skip_locked().load(pg),
        DbConnection::Sqlite(sqlite) => query.load(sqlite),
    }
}

/// Takes a subscription's lease until `until`; false when another instance holds it.
pub fn lease(
    conn: &mut DbConnection,
    id: &str,
    token: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        webhooks::table
            .find(id)
            .filter(webhooks::enabled.eq(true))
            .filter(webhooks::leased_until.lt(now)),
    )
    .set((
        webhooks::leased_until.eq(Some(until)),
        webhooks::lease_token.eq(Some(token)),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Extends a lease this holder still has; false when it has lost it.
pub fn renew(conn: &mut DbConnection, id: &str, token: &str, until: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(webhooks::table.find(id).filter(webhooks::lease_token.eq(token)))
        .set(webhooks::leased_until.eq(Some(until)))
        .execute(conn)
        .map(|updated| updated == 1)
}

/// Gives a lease back, if it is still this holder's. The lease's end becomes the time it was
/// served, which [`due`] orders by.
pub fn release(conn: &mut DbConnection, id: &str, token: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(webhooks::table.find(id).filter(webhooks::lease_token.eq(token)))
        .set((
            webhooks::leased_until.eq(Some(at)),
            webhooks::lease_token.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

/// Queues deliveries and moves the subscription's feed cursor past the events they came from.
pub fn enqueue(conn: &mut DbConnection, id: &str, rows: &[DeliveryRow], cursor: i64) -> QueryResult<()> {
    if !rows.is_empty() {
        crate::per_backend!(conn, conn => {
            diesel::insert_into(webhook_deliveries::table).values(rows).execute(conn)?;
        });
    }
    diesel::update(webhooks::table.find(id))
        .set(webhooks::feed_cursor.eq(cursor))
        .execute(conn)
        .map(drop)
}

/// The first delivery still to be made, in position order, and whether it is due.
pub fn head(conn: &mut DbConnection, webhook_id: &str) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::state.eq(DeliveryState::Pending))
        .order((webhook_deliveries::position, webhook_deliveries::id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

pub fn delivery(conn: &mut DbConnection, webhook_id: &str, id: &str) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

/// A subscription's deliveries, newest first.
pub fn deliveries(
    conn: &mut DbConnection,
    webhook_id: &str,
    page: &PageRequest<String>,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id.to_owned()))
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some(before) = &page.after {
        query = query.filter(webhook_deliveries::id.lt(before.clone()));
    }
    query
        .order(webhook_deliveries::id.desc())
        .limit(page.fetch_limit())
        .load(conn)
}

/// The attempts at the given deliveries, in the order they were made.
pub fn attempts(conn: &mut DbConnection, deliveries: &[DeliveryRow]) -> QueryResult<Vec<AttemptRow>> {
    let ids: Vec<&str> = deliveries.iter().map(|row| row.id.as_str()).collect();
    webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(ids))
        .order((webhook_attempts::delivery_id, webhook_attempts::attempt))
        .select(AttemptRow::as_select())
        .load(conn)
}

pub fn insert_delivery(conn: &mut DbConnection, row: &DeliveryRow) -> QueryResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Records an attempt and the delivery's state after it.
pub fn record_attempt(
    conn: &mut DbConnection,
    delivery: &DeliveryRow,
    attempt: &AttemptRow,
) -> QueryResult<()> {
    diesel::insert_into(webhook_attempts::table)
        .values(attempt)
        .execute(conn)?;
    save_delivery(conn, delivery)
}

/// Saves a delivery's state.
pub fn save_delivery(conn: &mut DbConnection, delivery: &DeliveryRow) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(&delivery.id))
        .set((
            webhook_deliveries::state.eq(delivery.state),
            webhook_deliveries::attempts.eq(delivery.attempts),
            webhook_deliveries::last_status_code.eq(delivery.last_status_code),
            webhook_deliveries::last_error.eq(&delivery.last_error),
            webhook_deliveries::next_attempt_at.eq(delivery.next_attempt_at),
            webhook_deliveries::delivered_at.eq(delivery.delivered_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Lets a subscription's next delivery go at once, whatever backoff it was in.
pub fn retry_now(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::update(webhooks::table.find(id))
        .set(webhooks::retry_at.eq(None::<NaiveDateTime>))
        .execute(conn)
        .map(drop)
}

/// Forgets the failures (after a delivery went through, or when a subscription is enabled again).
pub fn succeeded(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::failure_run.eq(0),
            webhooks::retry_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

/// Counts a failure and holds the next attempt until `retry_at`; only these columns are written,
/// so a change the subscriber makes meanwhile stands.
pub fn failed(conn: &mut DbConnection, id: &str, retry_at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::failure_run.eq(webhooks::failure_run + 1),
            webhooks::retry_at.eq(Some(retry_at)),
        ))
        .execute(conn)
        .map(drop)
}

/// Disables an enabled subscription (that has failed `failures` times in a row, when given);
/// true when it did.
pub fn disable(
    conn: &mut DbConnection,
    id: &str,
    reason: DisabledReason,
    failures: Option<i32>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    // Failure runs are never negative, so without a limit every enabled row qualifies.
    diesel::update(
        webhooks::table
            .find(id)
            .filter(webhooks::enabled.eq(true))
            .filter(webhooks::failure_run.ge(failures.unwrap_or(0))),
    )
    .set((
        webhooks::enabled.eq(false),
        webhooks::disabled_reason.eq(Some(reason)),
        webhooks::updated_at.eq(at),
        webhooks::version.eq(webhooks::version + 1),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Every subscription's sealed secret.
pub fn secrets(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    webhooks::table
        .select((webhooks::id, webhooks::secret_sealed))
        .order(webhooks::id)
        .load(conn)
}

pub fn set_secret(conn: &mut DbConnection, id: &str, sealed: &str) -> QueryResult<()> {
    diesel::update(webhooks::table.find(id))
        .set(webhooks::secret_sealed.eq(sealed))
        .execute(conn)
        .map(drop)
}

/// Makes a subscription's waiting deliveries due at `at`, whatever backoff they were in.
pub fn pending_due(conn: &mut DbConnection, webhook_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .filter(webhook_deliveries::state.eq(DeliveryState::Pending)),
    )
    .set(webhook_deliveries::next_attempt_at.eq(Some(at)))
    .execute(conn)
    .map(drop)
}
