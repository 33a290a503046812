use chrono::{NaiveDate, NaiveDateTime};
use diesel::{
    dsl::{AssumeNotNull, GtEq, IsNull, Or},
    prelude::*,
    sql_types::Bool,
};

use super::{
    dto::{AgreementFilter, AgreementStatus, PartyRole},
    model::{
        AgreementContent, AgreementRow, AttachmentRow, ContactRow, EnvironmentLinkRow, NewAgreement,
        PartyRow, QualificationLinkRow,
    },
};
use crate::{
    db::{DbConnection, MultiBackend},
    one_of::one_of,
    pagination::PageRequest,
    per_backend,
    schema::{
        agreement_attachments, agreement_contacts, agreement_environments, agreement_parties,
        agreement_qualifications, agreements, municipalities, organisations,
    },
};

/// Everything an agreement lists besides its own columns.
#[derive(Debug, Clone, Default)]
pub struct Children {
    pub parties: Vec<PartyRow>,
    pub contacts: Vec<ContactRow>,
    pub qualifications: Vec<QualificationLinkRow>,
    pub environments: Vec<EnvironmentLinkRow>,
    pub attachments: Vec<AttachmentRow>,
}

pub fn insert(conn: &mut DbConnection, agreement: &NewAgreement) -> QueryResult<()> {
    diesel::insert_into(agreements::table)
        .values(agreement)
        .execute(conn)
        .map(drop)
}

/// Replaces the lists of an agreement.
pub fn replace_children(conn: &mut DbConnection, id: &str, children: &Children) -> QueryResult<()> {
    diesel::delete(agreement_parties::table.filter(agreement_parties::agreement_id.eq(id))).execute(conn)?;
    diesel::delete(agreement_contacts::table.filter(agreement_contacts::agreement_id.eq(id)))
        .execute(conn)?;
    diesel::delete(agreement_qualifications::table.filter(agreement_qualifications::agreement_id.eq(id)))
        .execute(conn)?;
    diesel::delete(agreement_environments::table.filter(agreement_environments::agreement_id.eq(id)))
        .execute(conn)?;
    diesel::delete(agreement_attachments::table.filter(agreement_attachments::agreement_id.eq(id)))
        .execute(conn)?;
    per_backend!(conn, conn => {
        diesel::insert_into(agreement_parties::table).values(&children.parties).execute(conn)?;
        if !children.contacts.is_empty() {
            diesel::insert_into(agreement_contacts::table).values(&children.contacts).execute(conn)?;
        }
        if !children.qualifications.is_empty() {
            diesel::insert_into(agreement_qualifications::table).values(&children.qualifications).execute(conn)?;
        }
        if !children.environments.is_empty() {
            diesel::insert_into(agreement_environments::table).values(&children.environments).execute(conn)?;
        }
        if !children.attachments.is_empty() {
            diesel::insert_into(agreement_attachments::table).values(&children.attachments).execute(conn)?;
        }
    });
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AgreementRow>> {
    agreements::table
        .find(id)
        .select(AgreementRow::as_select())
        .first(conn)
        .optional()
}

pub fn children(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Children> {
    Ok(Children {
        parties: agreement_parties::table
            .filter(one_of(conn, agreement_parties::agreement_id, ids))
            .order((
                agreement_parties::agreement_id,
                agreement_parties::role,
                agreement_parties::organisation_id,
            ))
            .select(PartyRow::as_select())
            .load(conn)?,
        contacts: agreement_contacts::table
            .filter(one_of(conn, agreement_contacts::agreement_id, ids))
            .order((agreement_contacts::agreement_id, agreement_contacts::position))
            .select(ContactRow::as_select())
            .load(conn)?,
        qualifications: agreement_qualifications::table
            .filter(one_of(conn, agreement_qualifications::agreement_id, ids))
            .order((
                agreement_qualifications::agreement_id,
                agreement_qualifications::qualification_code,
            ))
            .select(QualificationLinkRow::as_select())
            .load(conn)?,
        environments: agreement_environments::table
            .filter(one_of(conn, agreement_environments::agreement_id, ids))
            .order((
                agreement_environments::agreement_id,
                agreement_environments::environment_id,
            ))
            .select(EnvironmentLinkRow::as_select())
            .load(conn)?,
        attachments: agreement_attachments::table
            .filter(one_of(conn, agreement_attachments::agreement_id, ids))
            .order((
                agreement_attachments::agreement_id,
                agreement_attachments::position,
            ))
            .select(AttachmentRow::as_select())
            .load(conn)?,
    })
}

pub fn reference_taken(
    conn: &mut DbConnection,
    issuer: &str,
    reference_number: &str,
    except_id: Option<&str>,
) -> QueryResult<bool> {
    let mut query = agreements::table
        .filter(agreements::issuer_organisation_id.eq(issuer))
        .filter(agreements::reference_number.eq(reference_number))
        .select(agreements::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(agreements::id.ne(id));
    }
    query
        .first::<String>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// A condition on agreements, combined with others into one query.
type Condition = Box<dyn BoxableExpression<agreements::table, MultiBackend, SqlType = Bool>>;

/// Agreements with a party matching `parties` (a query of agreement ids).
macro_rules! with_party {
    ($parties:expr) => {
        Box::new(agreements::id.eq_any($parties.select(agreement_parties::agreement_id))) as Condition
    };
}

/// Active and not past `valid_until` on `day`.
fn in_force_on(day: NaiveDate) -> Condition {
    Box::new(until_at_least(day).and(agreements::status.eq(AgreementStatus::Active)))
}

/// `valid_until` open or not before `day`. Never NULL: an open end is true.
fn until_at_least(
    day: NaiveDate,
) -> AssumeNotNull<Or<IsNull<agreements::valid_until>, GtEq<agreements::valid_until, NaiveDate>>> {
    agreements::valid_until
        .is_null()
        .or(agreements::valid_until.ge(day))
        .assume_not_null()
}

/// What a viewer may see: administrators everything, a party all of its own and anyone the
/// agreements in force.
fn visible_to(party_of: Option<String>, everything: bool, today: NaiveDate) -> Option<Condition> {
    if everything {
        return None;
    }
    Some(match party_of {
        Some(organisation) => Box::new(
            in_force_on(today).or(agreements::id.eq_any(
                agreement_parties::table
                    .filter(agreement_parties::organisation_id.eq(organisation))
                    .select(agreement_parties::agreement_id),
            )),
        ),
        None => in_force_on(today),
    })
}

/// The status a reader sees, as stored columns: `expired` is active past `valid_until`.
fn with_status(status: AgreementStatus, today: NaiveDate) -> Condition {
    match status {
        AgreementStatus::Draft | AgreementStatus::Terminated => Box::new(agreements::status.eq(status)),
        AgreementStatus::Active => in_force_on(today),
        AgreementStatus::Expired => Box::new(
            agreements::valid_until
                .lt(today)
                .assume_not_null()
                .and(agreements::status.eq(AgreementStatus::Active)),
        ),
    }
}

/// In force on `day` as it was then: a termination after the day does not count.
fn valid_on(day: NaiveDate) -> Condition {
    Box::new(
        until_at_least(day).and(agreements::valid_from.le(day)).and(
            agreements::status
                .eq(AgreementStatus::Active)
                .or(agreements::status
                    .eq(AgreementStatus::Terminated)
                    .and(agreements::terminated_on.gt(day).assume_not_null())),
        ),
    )
}

/// The conditions of a filter's party, role, qualification and place.
fn filter_conditions(filter: &AgreementFilter) -> Vec<Condition> {
    let mut conditions = Vec::new();
    if let Some(party) = &filter.party {
        // The role narrows the party's own role; "any role" matches every role.
        let roles: Vec<PartyRole> = filter
            .role
            .map_or_else(|| PartyRole::ALL.to_vec(), |role| vec![role]);
        conditions.push(with_party!(agreement_parties::table
            .filter(agreement_parties::organisation_id.eq(party.clone()))
            .filter(agreement_parties::role.eq_any(roles))));
    } else if let Some(role) = filter.role {
        conditions.push(with_party!(
            agreement_parties::table.filter(agreement_parties::role.eq(role))
        ));
    }
    if let Some(code) = &filter.qualification {
        conditions.push(Box::new(
            agreements::id.eq_any(
                agreement_qualifications::table
                    .filter(agreement_qualifications::qualification_code.eq(code.clone()))
                    .select(agreement_qualifications::agreement_id),
            ),
        ));
    }
    if let Some(municipality) = &filter.municipality {
        conditions.push(with_party!(agreement_parties::table
            .inner_join(organisations::table)
            .filter(organisations::municipality_code.eq(municipality.clone()))));
    }
    if let Some(region) = &filter.region {
        conditions.push(with_party!(agreement_parties::table
            .inner_join(organisations::table.inner_join(municipalities::table))
            .filter(municipalities::region_code.eq(region.clone()))));
    }
    conditions
}

/// Agreements visible to a viewer, in creation order. `party_of`: the viewer's organisation (it
/// sees all of its own agreements); `everything`: administrators. Others see agreements in force.
pub fn list(
    conn: &mut DbConnection,
    filter: &AgreementFilter,
    party_of: Option<String>,
    everything: bool,
    today: NaiveDate,
    page: &PageRequest<String>,
) -> QueryResult<Vec<AgreementRow>> {
    let mut conditions = filter_conditions(filter);
    conditions.extend(visible_to(party_of, everything, today));
    conditions.extend(filter.status.map(|status| with_status(status, today)));
    conditions.extend(filter.valid_on.map(valid_on));
    if let Some(since) = filter.updated_since {
        conditions.push(Box::new(agreements::updated_at.ge(since.naive_utc())));
    }
    if let Some(after) = &page.after {
        conditions.push(Box::new(agreements::id.gt(after.clone())));
    }
    let mut query = agreements::table.select(AgreementRow::as_select()).into_boxed();
    for condition in conditions {
        query = query.filter(condition);
    }
    query.order(agreements::id).limit(page.fetch_limit()).load(conn)
}

pub fn update_content(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    content: &AgreementContent,
) -> QueryResult<bool> {
    diesel::update(
        agreements::table
            .filter(agreements::id.eq(id))
            .filter(agreements::version.eq(expected_version)),
    )
    .set(content)
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Bumps the version of an agreement whose lists or status changed.
pub fn touch(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        agreements::table
            .filter(agreements::id.eq(id))
            .filter(agreements::version.eq(expected_version)),
    )
    .set((
        agreements::version.eq(expected_version + 1),
        agreements::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

pub fn confirm(
    conn: &mut DbConnection,
    id: &str,
    organisation_id: &str,
    client_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        agreement_parties::table
            .filter(agreement_parties::agreement_id.eq(id))
            .filter(agreement_parties::organisation_id.eq(organisation_id)),
    )
    .set((
        agreement_parties::confirmed_at.eq(Some(at)),
        agreement_parties::confirmed_by_client_id.eq(Some(client_id)),
    ))
    .execute(conn)
    .map(drop)
}

pub fn activate(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(agreements::table.find(id))
        .set((
            agreements::status.eq(AgreementStatus::Active),
            agreements::activated_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}

pub fn terminate(
    conn: &mut DbConnection,
    id: &str,
    on: NaiveDate,
    reason: &str,
    by: &str,
) -> QueryResult<()> {
    diesel::update(agreements::table.find(id))
        .set((
            agreements::status.eq(AgreementStatus::Terminated),
            agreements::terminated_on.eq(Some(on)),
            agreements::termination_reason.eq(Some(reason)),
            agreements::terminated_by_organisation_id.eq(Some(by)),
        ))
        .execute(conn)
        .map(drop)
}
