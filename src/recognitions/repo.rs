//! Queries over recognitions.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::{prelude::*, sql_types::Bool};

use super::{
    dto::{OwnerConsent, RecognitionStatus},
    model::{InForceRow, RecognitionRow},
};
use crate::{
    db::{DbConnection, MultiBackend},
    one_of::one_of,
    pagination::PageRequest,
    per_backend,
    schema::recognitions,
};

/// The providers that have recognised the environment, each once.
pub fn providers_of(conn: &mut DbConnection, environment_id: &str) -> QueryResult<Vec<String>> {
    recognitions::table
        .filter(recognitions::environment_id.eq(environment_id))
        .select(recognitions::provider_organisation_id)
        .distinct()
        .load(conn)
}

pub fn insert_all(conn: &mut DbConnection, rows: &[RecognitionRow]) -> QueryResult<()> {
    per_backend!(conn, conn => {
        diesel::insert_into(recognitions::table).values(rows).execute(conn)?;
    });
    Ok(())
}

pub fn find(conn: &mut DbConnection, environment_id: &str, id: &str) -> QueryResult<Option<RecognitionRow>> {
    recognitions::table
        .filter(recognitions::id.eq(id))
        .filter(recognitions::environment_id.eq(environment_id))
        .select(RecognitionRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<RecognitionRow>> {
    recognitions::table
        .filter(one_of(conn, recognitions::id, ids))
        .order(recognitions::id)
        .select(RecognitionRow::as_select())
        .load(conn)
}

/// Whether the provider already recognises the environment for the unit under the qualification
/// for a period that overlaps `from`–`until` (open-ended when `None`).
pub fn overlaps(
    conn: &mut DbConnection,
    environment_id: &str,
    provider: &str,
    qualification: &str,
    unit: &str,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> QueryResult<bool> {
    let mut query = recognitions::table
        .filter(recognitions::environment_id.eq(environment_id))
        .filter(recognitions::unit_code.eq(unit))
        .filter(recognitions::provider_organisation_id.eq(provider))
        .filter(recognitions::qualification_code.eq(qualification))
        // A recognition ended before it started was never in force.
        .filter(
            recognitions::in_force_until
                .is_null()
                .or(recognitions::in_force_until.ge(recognitions::valid_from.nullable())),
        )
        .filter(
            recognitions::in_force_until
                .is_null()
                .or(recognitions::in_force_until.ge(from)),
        )
        .select(recognitions::id)
        .into_boxed();
    if let Some(until) = until {
        query = query.filter(recognitions::valid_from.le(until));
    }
    query
        .first::<String>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// Which of an environment's recognitions a reader sees.
#[derive(Debug, Clone, Copy)]
pub enum Visible<'a> {
    /// All: the environment's owner and administrators.
    All,
    /// Those its owner accepted or made, or that were made under an agreement and not declined,
    /// and those of this provider, if any.
    Consented(Option<&'a str>),
}

/// An environment's recognitions in the order they were made.
#[allow(clippy::too_many_arguments)]
pub fn list(
    conn: &mut DbConnection,
    environment_id: &str,
    visible: Visible<'_>,
    provider: Option<&str>,
    unit: Option<&str>,
    status: Option<RecognitionStatus>,
    today: NaiveDate,
    page: &PageRequest<String>,
) -> QueryResult<Vec<RecognitionRow>> {
    let mut query = recognitions::table
        .filter(recognitions::environment_id.eq(environment_id))
        .select(RecognitionRow::as_select())
        .into_boxed();
    if let Visible::Consented(own) = visible {
        query = query.filter(
            recognitions::owner_consent
                .eq(OwnerConsent::Own)
                .or(recognitions::owner_consent.eq(OwnerConsent::Accepted))
                .or(recognitions::owner_consent
                    .eq(OwnerConsent::Pending)
                    .and(recognitions::agreement_id.is_not_null()))
                .or(recognitions::provider_organisation_id.eq(own.unwrap_or_default().to_owned())),
        );
    }
    if let Some(provider) = provider {
        query = query.filter(recognitions::provider_organisation_id.eq(provider.to_owned()));
    }
    if let Some(unit) = unit {
        query = query.filter(recognitions::unit_code.eq(unit.to_owned()));
    }
    // Not yet over: open-ended, or in force until today or later (and ever in force at all).
    let not_over = || {
        recognitions::in_force_until
            .is_null()
            .or(recognitions::in_force_until
                .ge(today)
                .and(recognitions::in_force_until.ge(recognitions::valid_from.nullable())))
    };
    match status {
        Some(RecognitionStatus::Scheduled) => {
            query = query
                .filter(recognitions::valid_from.gt(today))
                .filter(not_over())
        }
        Some(RecognitionStatus::Active) => {
            query = query
                .filter(recognitions::valid_from.le(today))
                .filter(not_over())
        }
        Some(RecognitionStatus::Ended) => query = query.filter(not_over().eq(false)),
        None => {}
    }
    if let Some(after) = &page.after {
        query = query.filter(recognitions::id.gt(after.clone()));
    }
    query.order(recognitions::id).limit(page.fetch_limit()).load(conn)
}

/// Which environments' recognitions to read: a condition on `recognitions::environment_id`.
pub type OfEnvironments = Box<dyn BoxableExpression<recognitions::table, MultiBackend, SqlType = Bool>>;

/// The environments `ids`.
pub fn of_environments(conn: &DbConnection, ids: &[String]) -> OfEnvironments {
    one_of(conn, recognitions::environment_id, ids)
}

/// The public recognitions in force on `day` of the environments `of`, by environment id.
pub fn in_force(conn: &mut DbConnection, of: OfEnvironments, day: NaiveDate) -> QueryResult<Vec<InForceRow>> {
    recognitions::table
        .into_boxed()
        .filter(of)
        .filter(recognitions::valid_from.le(day))
        .filter(crate::recognition_public_on!(day))
        .filter(
            recognitions::in_force_until
                .is_null()
                .or(recognitions::in_force_until.ge(day)),
        )
        .order((
            recognitions::environment_id,
            recognitions::qualification_code,
            recognitions::unit_code,
            recognitions::id,
        ))
        .select(InForceRow::as_select())
        .load(conn)
}

#[allow(clippy::too_many_arguments)]
pub fn end(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    ended_on: NaiveDate,
    in_force_until: Option<NaiveDate>,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        recognitions::table
            .filter(recognitions::id.eq(id))
            .filter(recognitions::version.eq(expected_version)),
    )
    .set((
        recognitions::ended_on.eq(Some(ended_on)),
        recognitions::in_force_until.eq(in_force_until),
        recognitions::end_reason.eq(Some(reason)),
        recognitions::version.eq(expected_version + 1),
        recognitions::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Records the environment owner's answer, provided the recognition is still at `expected_version`.
pub fn set_owner_consent(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    consent: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        recognitions::table
            .filter(recognitions::id.eq(id))
            .filter(recognitions::version.eq(expected_version)),
    )
    .set((
        recognitions::owner_consent.eq(consent),
        recognitions::version.eq(expected_version + 1),
        recognitions::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// The condition a recognition meets to be public on a day: made by the environment's owner, or
/// accepted by it, or not yet answered and made under an agreement in force that day (which
/// covered the environment and named both organisations when the recognition was made).
#[macro_export]
macro_rules! recognition_public_on {
    ($day:expr) => {{
        use $crate::{
            agreements::dto::AgreementStatus,
            recognitions::dto::OwnerConsent,
            schema::{agreements, recognitions},
        };
        // Equalities, not `eq_any` of a list: diesel never keeps a statement with a list of
        // values prepared on SQLite, which then prepares the catalogue's pages afresh each time.
        recognitions::owner_consent
            .eq(OwnerConsent::Own)
            .or(recognitions::owner_consent.eq(OwnerConsent::Accepted))
            .or(recognitions::owner_consent.eq(OwnerConsent::Pending).and(
                recognitions::agreement_id.eq_any(
                    agreements::table
                        .filter(agreements::status.eq(AgreementStatus::Active))
                        .filter(agreements::valid_from.le($day))
                        .filter(
                            agreements::valid_until
                                .is_null()
                                .or(agreements::valid_until.ge($day)),
                        )
                        .select(agreements::id.nullable()),
                ),
            ))
    }};
}

/// Follows an environment that moved to another region.
pub fn set_region(
    conn: &mut DbConnection,
    environment_id: &str,
    region_code: Option<&str>,
) -> QueryResult<()> {
    diesel::update(recognitions::table.filter(recognitions::environment_id.eq(environment_id)))
        .set(recognitions::region_code.eq(region_code))
        .execute(conn)
        .map(drop)
}
