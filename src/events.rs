//! The registry's outbox: changes other than certificates' that subscribers hear of by webhook.
//!
//! An event is written in the transaction of the change it describes, one row per organisation
//! that may see it, so that it is never lost once the change is committed and never exists for a
//! change rolled back. Positions come from the same counter as the certificate feed's, taken
//! under its row lock: they are handed out in commit order across both, and one cursor per
//! subscriber orders every event it hears of.

use chrono::NaiveDateTime;
use diesel::{
    prelude::*,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    sql_types::{BigInt, Text},
};

use crate::{
    db::{DbConnection, MultiBackend},
    per_backend,
    schema::registry_events,
};

/// The counter every event position comes from, certificates' and the registry's alike.
pub const FEED_COUNTER: &str = "certificate_events";

crate::text_enum! {
    /// A change to a record other than a certificate.
    pub enum RegistryEventKind {
        /// An education provider recognised a learning environment for a unit.
        #[serde(rename = "recognition.created")]
        RecognitionCreated,
        /// A recognition was ended.
        #[serde(rename = "recognition.ended")]
        RecognitionEnded,
        /// A cooperation agreement came into force.
        #[serde(rename = "agreement.activated")]
        AgreementActivated,
        /// A cooperation agreement was terminated.
        #[serde(rename = "agreement.terminated")]
        AgreementTerminated,
        /// A learning environment was changed, deactivated or removed.
        #[serde(rename = "environment.changed")]
        EnvironmentChanged,
    }
}

impl RegistryEventKind {
    /// The kind of record the event is about, as its id's name in an event's data says it.
    pub fn resource(self) -> &'static str {
        match self {
            Self::RecognitionCreated | Self::RecognitionEnded => "recognition",
            Self::AgreementActivated | Self::AgreementTerminated => "agreement",
            Self::EnvironmentChanged => "environment",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registry_events)]
pub struct RegistryEventRow {
    pub position: i64,
    pub organisation_id: String,
    pub event: RegistryEventKind,
    pub resource_id: String,
    /// The record's path in the API (`/v1/agreements/…`).
    pub path: String,
    pub occurred_at: NaiveDateTime,
}

/// What happened to which record: its kind, id and path in the API.
#[derive(Debug, Clone, Copy)]
pub struct Happened<'a> {
    pub event: RegistryEventKind,
    pub resource_id: &'a str,
    pub path: &'a str,
}

/// Adds `by` to the counter `name` and returns its new value. The update takes the counter row's
/// lock, which the transaction holds until it ends.
pub fn advance_counter(conn: &mut DbConnection, name: &str, by: i64) -> QueryResult<i64> {
    AdvanceCounter { name, by }.get_result(conn)
}

/// `UPDATE counters … RETURNING value`, written out so that it is one statement kept prepared:
/// diesel's own UPDATE is never kept, and PostgreSQL parsed and planned it, and the SELECT after
/// it, on every write that takes a feed position.
struct AdvanceCounter<'a> {
    name: &'a str,
    by: i64,
}

impl QueryId for AdvanceCounter<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for AdvanceCounter<'_> {
    type SqlType = BigInt;
}

impl<Conn> RunQueryDsl<Conn> for AdvanceCounter<'_> {}

impl QueryFragment<MultiBackend> for AdvanceCounter<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("UPDATE counters SET value = value + ");
        out.push_bind_param::<BigInt, _>(&self.by)?;
        out.push_sql(" WHERE name = ");
        out.push_bind_param::<Text, _>(self.name)?;
        out.push_sql(" RETURNING value");
        Ok(())
    }
}

/// Takes `count` positions in the feed, in the caller's transaction: the counter's row lock,
/// held until the transaction ends, hands them out in commit order.
pub fn take_positions(conn: &mut DbConnection, count: usize) -> QueryResult<std::ops::RangeInclusive<i64>> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let last = advance_counter(conn, FEED_COUNTER, count)?;
    Ok(last - count + 1..=last)
}

/// Records what happened, for each organisation of `audience` (each once).
pub fn record(
    conn: &mut DbConnection,
    happened: Happened<'_>,
    audience: &[String],
    at: NaiveDateTime,
) -> QueryResult<()> {
    let mut audience = audience.to_vec();
    audience.sort_unstable();
    audience.dedup();
    if audience.is_empty() {
        return Ok(());
    }
    let positions = take_positions(conn, audience.len())?;
    let rows: Vec<RegistryEventRow> = audience
        .into_iter()
        .zip(positions)
        .map(|(organisation_id, position)| RegistryEventRow {
            position,
            organisation_id,
            event: happened.event,
            resource_id: happened.resource_id.to_owned(),
            path: happened.path.to_owned(),
            occurred_at: at,
        })
        .collect();
    // A row at a time, as the certificate feed's events: diesel keeps a one-row INSERT prepared but
    // writes a batch afresh each time, and an event has few readers.
    for row in &rows {
        per_backend!(conn, conn => {
            diesel::insert_into(registry_events::table).values(row).execute(conn)?;
        });
    }
    Ok(())
}

/// Up to `limit` events for `organisation_id` after `after`, in position order.
pub fn after(
    conn: &mut DbConnection,
    organisation_id: &str,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<RegistryEventRow>> {
    registry_events::table
        .filter(registry_events::organisation_id.eq(organisation_id))
        .filter(registry_events::position.gt(after))
        .order(registry_events::position)
        .limit(limit)
        .select(RegistryEventRow::as_select())
        .load(conn)
}
