//! How participations read: stored rows as the API shows them, and as the input that recreates them.

use diesel::GroupedBy;

use super::domain::NOT_FOUND;
use super::{
    dto::{Participation, ParticipationInput},
    model::ParticipationRow,
    repo,
};
use crate::{db::DbConnection, error::ApiError};

pub fn views(conn: &mut DbConnection, rows: Vec<ParticipationRow>) -> Result<Vec<Participation>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let links = repo::links(conn, &ids)?;
    let environments = links.environments.grouped_by(&rows);
    let certificates = links.certificates.grouped_by(&rows);
    Ok(rows
        .into_iter()
        .zip(environments.into_iter().zip(certificates))
        .map(|(row, (environments, certificates))| Participation {
            learning_environment_ids: environments.into_iter().map(|link| link.environment_id).collect(),
            certificate_ids: certificates.into_iter().map(|link| link.certificate_id).collect(),
            under_30: row.age_band.under_30(),
            gender: row.gender,
            age_band: row.age_band,
            unemployment_duration: row.unemployment_duration,
            education_level: row.education_level,
            immigrant_background: row.immigrant_background,
            next_step: row.next_step,
            id: row.id,
            programme_id: row.programme_id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            municipality: row.municipality_code,
            coach_organisation_id: row.coach_organisation_id,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
        .collect())
}

pub fn view(conn: &mut DbConnection, row: ParticipationRow) -> Result<Participation, ApiError> {
    views(conn, vec![row])?.pop().ok_or(NOT_FOUND)
}

/// The input that recreates a participation as it is: the base a merge patch applies to.
pub fn input_of(conn: &mut DbConnection, row: &ParticipationRow) -> Result<ParticipationInput, ApiError> {
    let links = repo::links(conn, std::slice::from_ref(&row.id))?;
    Ok(ParticipationInput {
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        municipality: row.municipality_code.clone(),
        coach_organisation_id: row.coach_organisation_id.clone(),
        learning_environment_ids: links
            .environments
            .into_iter()
            .map(|link| link.environment_id)
            .collect(),
        certificate_ids: links
            .certificates
            .into_iter()
            .map(|link| link.certificate_id)
            .collect(),
        gender: row.gender,
        age_band: row.age_band,
        unemployment_duration: row.unemployment_duration,
        education_level: row.education_level,
        immigrant_background: row.immigrant_background,
        next_step: row.next_step,
    })
}
