use chrono::NaiveDate;
use diesel::prelude::*;

use super::{
    dto::ParticipationFilter,
    model::{
        CertificateLinkRow, CompletionRow, EnvironmentLinkRow, NewParticipation, ParticipationContent,
        ParticipationRow,
    },
};
use crate::{
    db::DbConnection,
    one_of::one_of,
    pagination::PageRequest,
    per_backend,
    schema::{participation_certificates, participation_environments, participations, unit_completions},
};

/// The learning environments and certificates a participation links to.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub environments: Vec<EnvironmentLinkRow>,
    pub certificates: Vec<CertificateLinkRow>,
}

pub fn insert(conn: &mut DbConnection, row: &NewParticipation) -> QueryResult<()> {
    diesel::insert_into(participations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Applies `content` if the participation is still at `expected_version`; returns whether it was.
pub fn update_content(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    content: &ParticipationContent,
) -> QueryResult<bool> {
    diesel::update(
        participations::table
            .filter(participations::id.eq(id))
            .filter(participations::version.eq(expected_version)),
    )
    .set(content)
    .execute(conn)
    .map(|updated| updated == 1)
}

pub fn replace_links(conn: &mut DbConnection, id: &str, links: &Links) -> QueryResult<()> {
    diesel::delete(
        participation_environments::table.filter(participation_environments::participation_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        participation_certificates::table.filter(participation_certificates::participation_id.eq(id)),
    )
    .execute(conn)?;
    per_backend!(conn, conn => {
        if !links.environments.is_empty() {
            diesel::insert_into(participation_environments::table).values(&links.environments).execute(conn)?;
        }
        if !links.certificates.is_empty() {
            diesel::insert_into(participation_certificates::table).values(&links.certificates).execute(conn)?;
        }
    });
    Ok(())
}

/// A participation of the programme.
pub fn find(conn: &mut DbConnection, programme_id: &str, id: &str) -> QueryResult<Option<ParticipationRow>> {
    participations::table
        .filter(participations::programme_id.eq(programme_id))
        .filter(participations::id.eq(id))
        .select(ParticipationRow::as_select())
        .first(conn)
        .optional()
}

pub fn links(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Links> {
    Ok(Links {
        environments: participation_environments::table
            .filter(one_of(conn, participation_environments::participation_id, ids))
            .order((
                participation_environments::participation_id,
                participation_environments::environment_id,
            ))
            .select(EnvironmentLinkRow::as_select())
            .load(conn)?,
        certificates: participation_certificates::table
            .filter(one_of(conn, participation_certificates::participation_id, ids))
            .order((
                participation_certificates::participation_id,
                participation_certificates::certificate_id,
            ))
            .select(CertificateLinkRow::as_select())
            .load(conn)?,
    })
}

/// Participations of a programme in creation order; `coach_of`: only those this organisation coaches.
pub fn list(
    conn: &mut DbConnection,
    programme_id: &str,
    filter: &ParticipationFilter,
    coach_of: Option<&str>,
    today: NaiveDate,
    page: &PageRequest<String>,
) -> QueryResult<Vec<ParticipationRow>> {
    let mut query = participations::table
        .filter(participations::programme_id.eq(programme_id))
        .select(ParticipationRow::as_select())
        .into_boxed();
    if let Some(coach) = coach_of {
        query = query.filter(participations::coach_organisation_id.eq(coach.to_owned()));
    }
    if let Some(coach) = &filter.coach {
        query = query.filter(participations::coach_organisation_id.eq(coach.clone()));
    }
    if let Some(municipality) = &filter.municipality {
        query = query.filter(participations::municipality_code.eq(municipality.clone()));
    }
    match filter.ended {
        Some(true) => query = query.filter(participations::ends_on.le(today)),
        Some(false) => {
            query = query.filter(
                participations::ends_on
                    .is_null()
                    .or(participations::ends_on.gt(today)),
            )
        }
        None => {}
    }
    if let Some(after) = &page.after {
        query = query.filter(participations::id.gt(after.clone()));
    }
    query
        .order(participations::id)
        .limit(page.fetch_limit())
        .load(conn)
}

/// Every participation of a programme, for its statistics.
pub fn all_of(conn: &mut DbConnection, programme_id: &str) -> QueryResult<Vec<ParticipationRow>> {
    participations::table
        .filter(participations::programme_id.eq(programme_id))
        .order(participations::id)
        .select(ParticipationRow::as_select())
        .load(conn)
}

pub fn has_completions(conn: &mut DbConnection, participation_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        unit_completions::table.filter(unit_completions::participation_id.eq(participation_id)),
    ))
    .get_result(conn)
}

/// Deletes a participation and its links if it is still at `expected_version`. The links go
/// first (foreign keys); on a stale version the caller's transaction rolls that back.
pub fn delete(conn: &mut DbConnection, id: &str, expected_version: i64) -> QueryResult<bool> {
    replace_links(conn, id, &Links::default())?;
    diesel::delete(
        participations::table
            .filter(participations::id.eq(id))
            .filter(participations::version.eq(expected_version)),
    )
    .execute(conn)
    .map(|deleted| deleted == 1)
}

pub fn insert_completion(conn: &mut DbConnection, row: &CompletionRow) -> QueryResult<()> {
    diesel::insert_into(unit_completions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn completion_recorded(
    conn: &mut DbConnection,
    participation_id: &str,
    qualification_code: &str,
    unit_code: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        unit_completions::table
            .filter(unit_completions::participation_id.eq(participation_id))
            .filter(unit_completions::qualification_code.eq(qualification_code))
            .filter(unit_completions::unit_code.eq(unit_code)),
    ))
    .get_result(conn)
}

pub fn find_completion(
    conn: &mut DbConnection,
    participation_id: &str,
    id: &str,
) -> QueryResult<Option<CompletionRow>> {
    unit_completions::table
        .filter(unit_completions::participation_id.eq(participation_id))
        .filter(unit_completions::id.eq(id))
        .select(CompletionRow::as_select())
        .first(conn)
        .optional()
}

/// Completions of a participation in the order they were recorded; `provider`: only this one's.
pub fn completions(
    conn: &mut DbConnection,
    participation_id: &str,
    provider: Option<&str>,
) -> QueryResult<Vec<CompletionRow>> {
    let mut query = unit_completions::table
        .filter(unit_completions::participation_id.eq(participation_id))
        .select(CompletionRow::as_select())
        .into_boxed();
    if let Some(provider) = provider {
        query = query.filter(unit_completions::provider_organisation_id.eq(provider.to_owned()));
    }
    query.order(unit_completions::id).load(conn)
}

/// Every completion of a programme, for its statistics.
pub fn completions_of_programme(
    conn: &mut DbConnection,
    programme_id: &str,
) -> QueryResult<Vec<CompletionRow>> {
    unit_completions::table
        .filter(unit_completions::programme_id.eq(programme_id))
        .order(unit_completions::id)
        .select(CompletionRow::as_select())
        .load(conn)
}

pub fn delete_completion(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    diesel::delete(unit_completions::table.filter(unit_completions::id.eq(id)))
        .execute(conn)
        .map(|deleted| deleted == 1)
}
