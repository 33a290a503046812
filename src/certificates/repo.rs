//! Queries over certificates, their shares and the change feed.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::{
    dsl::exists,
    expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping},
    prelude::*,
    query_builder::{AstPass, QueryFragment, QueryId},
    sql_types::Text,
};

use super::{
    dto::{CertificateFilter, CertificateStatus, FeedEventKind},
    model::{
        parse_json, CertificateRow, Children, ContentChanges, EnvironmentLinkRow, EventRow,
        LinkedEnvironment, ShareRow, StatusEntry, UnitRow,
    },
};
use crate::{
    db::{DbConnection, MultiBackend},
    error::ApiError,
    events::{advance_counter, take_positions},
    lookups::CATALOGUE_VERSION,
    one_of::one_of,
    pagination::PageRequest,
    per_backend,
    reference::repo::{names_of, Names},
    schema::{
        certificate_environments, certificate_events, certificate_shares, certificate_units, certificates,
        counters, learning_environments,
    },
};

pub(crate) use crate::events::FEED_COUNTER;
const STATUS_ENTRY_COUNTER: &str = "status_entries";

pub fn insert(conn: &mut DbConnection, row: &CertificateRow) -> QueryResult<()> {
    diesel::insert_into(certificates::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CertificateRow>> {
    certificates::table
        .find(id)
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()
}

/// A certificate with the catalogue version its names are read at, in one statement.
pub fn find_at_version(conn: &mut DbConnection, id: &str) -> QueryResult<Option<(CertificateRow, i64)>> {
    certificates::table
        .inner_join(counters::table.on(counters::name.eq(CATALOGUE_VERSION)))
        .filter(certificates::id.eq(id))
        .select((CertificateRow::as_select(), counters::value))
        .first(conn)
        .optional()
}

/// A certificate with the child rows its view shows, read at one catalogue version.
pub struct Whole {
    pub row: CertificateRow,
    pub catalogue_version: i64,
    pub children: Children,
}

/// The child rows of a certificate as PostgreSQL aggregates them beside its row, as JSON arrays of
/// the rows (their columns as keys), each in the order [`units_of`], [`environments_of`] and
/// [`active_shares`] give.
const CHILDREN_AS_JSON: [&str; 3] = [
    "(SELECT coalesce(json_agg(u ORDER BY u.position), '[]')::text \
       FROM certificate_units u WHERE u.certificate_id = certificates.id)",
    "(SELECT coalesce(json_agg(json_build_array(row_to_json(ce), json_build_object( \
       'id', le.id, 'name_fi', le.name_fi, 'name_sv', le.name_sv, 'name_en', le.name_en, \
       'municipality_code', le.municipality_code)) ORDER BY ce.environment_id), '[]')::text \
       FROM certificate_environments ce JOIN learning_environments le ON le.id = ce.environment_id \
       WHERE ce.certificate_id = certificates.id)",
    "(SELECT coalesce(json_agg(s ORDER BY s.shared_at), '[]')::text \
       FROM certificate_shares s WHERE s.certificate_id = certificates.id AND s.ended_at IS NULL)",
];

/// A subquery of [`CHILDREN_AS_JSON`] in a select list. Unlike `dsl::sql`, which diesel never keeps
/// prepared, it is kept prepared by its text: planning the statement took longer than running it.
#[derive(Debug, Clone, Copy)]
struct Json(&'static str);

impl Expression for Json {
    type SqlType = Text;
}

impl<QS> AppearsOnTable<QS> for Json {}

impl<QS> SelectableExpression<QS> for Json {}

impl ValidGrouping<()> for Json {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for Json {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for Json {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(self.0);
        Ok(())
    }
}

/// A certificate and all its view shows from the database: on PostgreSQL in one statement (each
/// statement is a round trip and a turn of the server's executor, and a read made four), on SQLite,
/// where a statement is a function call, one per table.
pub fn find_whole(conn: &mut DbConnection, id: &str) -> Result<Option<Whole>, ApiError> {
    if let DbConnection::Sqlite(_) = conn {
        let Some((row, catalogue_version)) = find_at_version(conn, id)? else {
            return Ok(None);
        };
        let ids = [row.id.clone()];
        let children = Children {
            units: units_of(conn, &ids)?,
            environments: environments_of(conn, &ids)?,
            shares: active_shares(conn, &ids)?,
        };
        return Ok(Some(Whole {
            row,
            catalogue_version,
            children,
        }));
    }
    let [units, environments, shares] = CHILDREN_AS_JSON.map(Json);
    let found: Option<(CertificateRow, i64, String, String, String)> = certificates::table
        .inner_join(counters::table.on(counters::name.eq(CATALOGUE_VERSION)))
        .filter(certificates::id.eq(id))
        .select((
            CertificateRow::as_select(),
            counters::value,
            units,
            environments,
            shares,
        ))
        .first(conn)
        .optional()?;
    let Some((row, catalogue_version, units, environments, shares)) = found else {
        return Ok(None);
    };
    let children = Children {
        units: parse_json(&units)?,
        environments: parse_json(&environments)?,
        shares: parse_json(&shares)?,
    };
    Ok(Some(Whole {
        row,
        catalogue_version,
        children,
    }))
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<CertificateRow>> {
    certificates::table
        .filter(certificates::verification_code.eq(code))
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()
}

/// Replaces a draft's content when it is still at `expected_version`; false when it is not.
pub fn update_content(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    changes: &ContentChanges,
) -> QueryResult<bool> {
    diesel::update(
        certificates::table
            .filter(certificates::id.eq(id))
            .filter(certificates::version.eq(expected_version))
            .filter(certificates::status.eq(CertificateStatus::Draft)),
    )
    .set(changes)
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Replaces a certificate's units and environments.
pub fn replace_children(
    conn: &mut DbConnection,
    id: &str,
    units: &[UnitRow],
    environments: &[EnvironmentLinkRow],
) -> QueryResult<()> {
    diesel::delete(certificate_units::table.filter(certificate_units::certificate_id.eq(id)))
        .execute(conn)?;
    diesel::delete(certificate_environments::table.filter(certificate_environments::certificate_id.eq(id)))
        .execute(conn)?;
    insert_children(conn, units, environments)
}

/// Writes the units and environments of a certificate that has none yet.
pub fn insert_children(
    conn: &mut DbConnection,
    units: &[UnitRow],
    environments: &[EnvironmentLinkRow],
) -> QueryResult<()> {
    per_backend!(conn, conn => {
        if !units.is_empty() {
            diesel::insert_into(certificate_units::table).values(units).execute(conn)?;
        }
        if !environments.is_empty() {
            diesel::insert_into(certificate_environments::table).values(environments).execute(conn)?;
        }
    });
    Ok(())
}

/// The units of the given certificates, in order.
pub fn units_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<UnitRow>> {
    let of_ids = one_of(conn, certificate_units::certificate_id, ids);
    certificate_units::table
        .filter(of_ids)
        .order((certificate_units::certificate_id, certificate_units::position))
        .select(UnitRow::as_select())
        .load(conn)
}

/// The learning environments the given certificates name, as they read now; one that no longer
/// exists is left out.
pub fn environments_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<(EnvironmentLinkRow, LinkedEnvironment)>> {
    let of_ids = one_of(conn, certificate_environments::certificate_id, ids);
    certificate_environments::table
        .inner_join(
            learning_environments::table
                .on(learning_environments::id.eq(certificate_environments::environment_id)),
        )
        .into_boxed()
        .filter(of_ids)
        .order((
            certificate_environments::certificate_id,
            certificate_environments::environment_id,
        ))
        .select((EnvironmentLinkRow::as_select(), LinkedEnvironment::as_select()))
        .load(conn)
}

/// The units and environment ids of the given certificates.
pub fn children(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<(Vec<UnitRow>, Vec<EnvironmentLinkRow>)> {
    let units = units_of(conn, ids)?;
    let of_ids = one_of(conn, certificate_environments::certificate_id, ids);
    let environments = certificate_environments::table
        .filter(of_ids)
        .select(EnvironmentLinkRow::as_select())
        .load(conn)?;
    Ok((units, environments))
}

/// A change of status, expected at a version.
pub struct Transition {
    pub from: CertificateStatus,
    pub to: CertificateStatus,
    pub expected_version: i64,
    pub at: NaiveDateTime,
}

/// Applies a change of status; false when the certificate is no longer in `from` at that version.
pub fn transition(conn: &mut DbConnection, id: &str, transition: &Transition) -> QueryResult<bool> {
    diesel::update(
        certificates::table
            .filter(certificates::id.eq(id))
            .filter(certificates::status.eq(transition.from))
            .filter(certificates::version.eq(transition.expected_version)),
    )
    .set((
        certificates::status.eq(transition.to),
        certificates::version.eq(transition.expected_version + 1),
        certificates::updated_at.eq(transition.at),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Records what issuing adds: the issue time, the verification code, the signed credential and
/// its revocation bit.
/// What issuing sets on a certificate.
pub struct Issued<'a> {
    /// When it was issued: now, or an imported paper certificate's original day.
    pub at: NaiveDateTime,
    pub code: &'a str,
    pub credential: &'a str,
    pub status: StatusEntry,
    pub subject_id: &'a str,
    pub imported: bool,
}

pub fn set_issued(conn: &mut DbConnection, id: &str, issued: &Issued<'_>) -> QueryResult<()> {
    diesel::update(certificates::table.find(id))
        .set((
            certificates::holder_subject_id.eq(issued.subject_id),
            certificates::issued_at.eq(issued.at),
            certificates::verification_code.eq(issued.code),
            certificates::credential.eq(issued.credential),
            certificates::status_list.eq(issued.status.list),
            certificates::status_list_index.eq(issued.status.index),
            certificates::imported.eq(issued.imported),
        ))
        .execute(conn)
        .map(drop)
}

/// Gives a draft its status bit ahead of issuing, unless it has one (given by a concurrent issue
/// of the same draft): the bit the draft has.
pub fn reserve_status_entry(
    conn: &mut DbConnection,
    id: &str,
    entry: StatusEntry,
) -> QueryResult<StatusEntry> {
    let given = diesel::update(certificates::table.find(id))
        .filter(certificates::status_list.is_null())
        .set((
            certificates::status_list.eq(entry.list),
            certificates::status_list_index.eq(entry.index),
        ))
        .execute(conn)?;
    if given == 1 {
        return Ok(entry);
    }
    let (list, index) = certificates::table
        .find(id)
        .select((
            certificates::status_list.assume_not_null(),
            certificates::status_list_index.assume_not_null(),
        ))
        .first(conn)?;
    Ok(StatusEntry { list, index })
}

/// Replaces an issued certificate's credential (re-signed), with the holder's subject id.
pub fn set_credential(
    conn: &mut DbConnection,
    id: &str,
    credential: &str,
    subject_id: &str,
) -> QueryResult<()> {
    diesel::update(certificates::table.find(id))
        .set((
            certificates::credential.eq(credential),
            certificates::holder_subject_id.eq(subject_id),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_revoked(conn: &mut DbConnection, id: &str, at: NaiveDateTime, reason: &str) -> QueryResult<()> {
    diesel::update(certificates::table.find(id))
        .set((
            certificates::revoked_at.eq(at),
            certificates::revocation_reason.eq(reason),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_superseded_by(conn: &mut DbConnection, id: &str, successor: &str) -> QueryResult<()> {
    diesel::update(certificates::table.find(id))
        .set(certificates::superseded_by_id.eq(successor))
        .execute(conn)
        .map(drop)
}

/// The draft that is to correct `id`, if one is being written.
pub fn pending_successor(conn: &mut DbConnection, id: &str) -> QueryResult<Option<String>> {
    certificates::table
        .filter(certificates::supersedes_id.eq(id))
        .filter(certificates::status.eq(CertificateStatus::Draft))
        .select(certificates::id)
        .first(conn)
        .optional()
}

pub fn delete_draft(conn: &mut DbConnection, id: &str, expected_version: i64) -> QueryResult<bool> {
    diesel::delete(certificate_units::table.filter(certificate_units::certificate_id.eq(id)))
        .execute(conn)?;
    diesel::delete(certificate_environments::table.filter(certificate_environments::certificate_id.eq(id)))
        .execute(conn)?;
    diesel::delete(
        certificates::table
            .filter(certificates::id.eq(id))
            .filter(certificates::status.eq(CertificateStatus::Draft))
            .filter(certificates::version.eq(expected_version)),
    )
    .execute(conn)
    .map(|deleted| deleted == 1)
}

/// The shares of a certificate in force now.
pub fn active_shares(conn: &mut DbConnection, certificate_ids: &[String]) -> QueryResult<Vec<ShareRow>> {
    let of_ids = one_of(conn, certificate_shares::certificate_id, certificate_ids);
    certificate_shares::table
        .filter(of_ids)
        .filter(certificate_shares::ended_at.is_null())
        .order(certificate_shares::shared_at)
        .select(ShareRow::as_select())
        .load(conn)
}

pub fn insert_share(conn: &mut DbConnection, row: &ShareRow) -> QueryResult<()> {
    diesel::insert_into(certificate_shares::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Ends the share with `organisation_id`; false when there was none.
pub fn end_share(
    conn: &mut DbConnection,
    certificate_id: &str,
    organisation_id: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        certificate_shares::table
            .filter(certificate_shares::certificate_id.eq(certificate_id))
            .filter(certificate_shares::organisation_id.eq(organisation_id))
            .filter(certificate_shares::ended_at.is_null()),
    )
    .set(certificate_shares::ended_at.eq(at))
    .execute(conn)
    .map(|updated| updated > 0)
}

/// Certificates `reader` issued or that are shared with it now (all, for `None`: administrators),
/// in id order.
pub fn list(
    conn: &mut DbConnection,
    reader: Option<&str>,
    filter: &CertificateFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<CertificateRow>> {
    let mut query = certificates::table
        .select(CertificateRow::as_select())
        .into_boxed();
    if let Some(reader) = reader {
        query = query.filter(
            certificates::issuer_organisation_id
                .eq(reader.to_owned())
                .or(exists(
                    certificate_shares::table
                        .filter(certificate_shares::certificate_id.eq(certificates::id))
                        .filter(certificate_shares::organisation_id.eq(reader.to_owned()))
                        .filter(certificate_shares::ended_at.is_null()),
                )),
        );
    }
    if let Some(status) = filter.status {
        query = query.filter(certificates::status.eq(status));
    }
    if let Some(unit) = &filter.unit {
        query = query.filter(exists(
            certificate_units::table
                .filter(certificate_units::certificate_id.eq(certificates::id))
                .filter(certificate_units::unit_code.eq(unit.clone())),
        ));
    }
    if let Some(qualification) = &filter.qualification {
        query = query.filter(exists(
            certificate_units::table
                .filter(certificate_units::certificate_id.eq(certificates::id))
                .filter(certificate_units::qualification_code.eq(qualification.clone())),
        ));
    }
    if let Some(from) = filter.issued_from {
        query = query.filter(certificates::issued_at.ge(start_of(from)));
    }
    if let Some(to) = filter.issued_to {
        query = query.filter(certificates::issued_at.lt(start_of(to.succ_opt().unwrap_or(to))));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(certificates::updated_at.ge(since.naive_utc()));
    }
    if let Some(after) = &page.after {
        query = query.filter(certificates::id.gt(after.clone()));
    }
    query.order(certificates::id).limit(page.fetch_limit()).load(conn)
}

fn start_of(day: NaiveDate) -> NaiveDateTime {
    day.and_time(chrono::NaiveTime::MIN)
}

/// Names of the qualifications and units the given unit rows name.
pub fn unit_names(conn: &mut DbConnection, units: &[UnitRow]) -> QueryResult<Names> {
    let (qualification_codes, unit_codes) = codes_of(units);
    names_of(conn, &qualification_codes, &unit_codes)
}

/// The qualification codes and the unit codes the given unit rows name.
pub fn codes_of(units: &[UnitRow]) -> (Vec<String>, Vec<String>) {
    units
        .iter()
        .map(|unit| (unit.qualification_code.clone(), unit.unit_code.clone()))
        .unzip()
}

/// A holder's identifier as a search looks for it: the blind indexes of an identity code or of a
/// learner OID (one index per personal data key during a rotation).
pub enum HolderKey {
    Hetu(Vec<String>),
    LearnerOid(Vec<String>),
}

/// Certificates of the person a search names.
pub fn find_by_holder(conn: &mut DbConnection, key: &HolderKey) -> QueryResult<Vec<CertificateRow>> {
    let query = certificates::table.into_boxed();
    let query = match key {
        HolderKey::Hetu(indexes) => query.filter(certificates::holder_hetu_index.eq_any(indexes)),
        HolderKey::LearnerOid(indexes) => {
            query.filter(certificates::holder_learner_oid_index.eq_any(indexes))
        }
    };
    query
        .order(certificates::id)
        .select(CertificateRow::as_select())
        .load(conn)
}

/// Appends one event for each of `audience`, at the next positions of the feed.
///
/// The counter row is updated first: on PostgreSQL its row lock is held until the transaction
/// ends, and SQLite runs one writer at a time, so positions are handed out in commit order and
/// a reader that has seen position N never later finds a smaller one appear.
pub fn append_events(
    conn: &mut DbConnection,
    certificate_id: &str,
    event: FeedEventKind,
    shared_with: Option<&str>,
    audience: &[String],
    at: NaiveDateTime,
) -> QueryResult<()> {
    let positions = take_positions(conn, audience.len())?;
    let rows: Vec<EventRow> = audience
        .iter()
        .zip(positions)
        .map(|(organisation, position)| EventRow {
            position,
            organisation_id: organisation.clone(),
            certificate_id: certificate_id.to_owned(),
            event,
            shared_with_id: shared_with.map(str::to_owned),
            occurred_at: at,
        })
        .collect();
    // A row at a time: diesel keeps a one-row INSERT prepared but writes a batch afresh each time,
    // and an event has one reader or two.
    for row in &rows {
        per_backend!(conn, conn => {
            diesel::insert_into(certificate_events::table).values(row).execute(conn)?;
        });
    }
    Ok(())
}

/// Up to `limit` events for `organisation_id` after `after`, in position order.
pub fn events(
    conn: &mut DbConnection,
    organisation_id: &str,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    certificate_events::table
        .filter(certificate_events::organisation_id.eq(organisation_id))
        .filter(certificate_events::position.gt(after))
        .order(certificate_events::position)
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)
}

/// Counts one more status entry and returns how many there were before it. The counter row's lock,
/// held until the transaction ends, makes concurrent issues choose their bits in turn; the count is
/// a counter row, since counting the certificates grows with them.
pub fn take_status_entry(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(advance_counter(conn, STATUS_ENTRY_COUNTER, 1)? - 1)
}

pub fn status_entry_taken(conn: &mut DbConnection, entry: StatusEntry) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        certificates::table
            .filter(certificates::status_list.eq(entry.list))
            .filter(certificates::status_list_index.eq(entry.index)),
    ))
    .get_result(conn)
}

/// Whether any certificate (of the issuer, when named) has a bit in the list.
pub fn status_list_exists(conn: &mut DbConnection, list: i32, issuer: Option<&str>) -> QueryResult<bool> {
    let in_list = certificates::table.filter(certificates::status_list.eq(list));
    match issuer {
        Some(issuer) => diesel::select(exists(
            in_list.filter(certificates::issuer_organisation_id.eq(issuer)),
        ))
        .get_result(conn),
        None => diesel::select(exists(in_list)).get_result(conn),
    }
}

/// The bits set in a list: those of its certificates (of the issuer, when named) that were
/// revoked or superseded.
pub fn revoked_status_indices(
    conn: &mut DbConnection,
    list: i32,
    issuer: Option<&str>,
) -> QueryResult<Vec<i32>> {
    let mut query = certificates::table
        .filter(certificates::status_list.eq(list))
        .filter(
            certificates::status
                .eq(CertificateStatus::Revoked)
                .or(certificates::status.eq(CertificateStatus::Superseded)),
        )
        .into_boxed();
    if let Some(issuer) = issuer {
        query = query.filter(certificates::issuer_organisation_id.eq(issuer));
    }
    query
        .select(certificates::status_list_index.assume_not_null())
        .load(conn)
}

/// The credential subject id the issuer already gave this holder (found by the identity code's
/// look-up hash), if any.
pub fn holder_subject_id(
    conn: &mut DbConnection,
    issuer: &str,
    hetu_index: &str,
) -> QueryResult<Option<String>> {
    certificates::table
        .filter(certificates::issuer_organisation_id.eq(issuer))
        .filter(certificates::holder_hetu_index.eq(hetu_index))
        .filter(certificates::holder_subject_id.is_not_null())
        .select(certificates::holder_subject_id.assume_not_null())
        .first(conn)
        .optional()
}
