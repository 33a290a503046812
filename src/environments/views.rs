//! How learning environments read: stored rows as the API shows them, and as the input that recreates them.

use super::domain::{address_view, contact_view, coordinates};
use super::{
    dto::{AddressInput, ContactInput, EnvironmentInput, LearningEnvironment},
    model::EnvironmentRow,
    repo::{self, Lists},
};
use crate::{db::DbConnection, error::ApiError, text::localized};

/// The input that reproduces a stored environment, for merge patches.
pub fn input_of(row: &EnvironmentRow, lists: &Lists) -> EnvironmentInput {
    EnvironmentInput {
        organisation_id: Some(row.organisation_id.clone()),
        name: localized(&row.name_fi, &row.name_sv, &row.name_en),
        description: row.description.clone(),
        work_tasks: lists.tasks.get(&row.id).cloned().unwrap_or_default(),
        sector: row.sector,
        address: AddressInput {
            street_address: row.street_address.clone(),
            postal_code: row.postal_code.clone(),
            post_office: row.post_office.clone(),
            municipality: row.municipality_code.clone(),
        },
        coordinates: coordinates(row),
        capacity: row.capacity,
        accessibility: row.accessibility.clone(),
        languages: lists.languages.get(&row.id).cloned().unwrap_or_default(),
        contact: row.contact_name.clone().map(|name| ContactInput {
            name,
            title: row.contact_title.clone(),
            email: row.contact_email.clone(),
            phone: row.contact_phone.clone(),
            private: row.contact_private,
        }),
        active: row.active,
    }
}

/// Environments as a reader sees them; `full(owner)` says whether the reader sees private contacts.
pub fn views(
    conn: &mut DbConnection,
    rows: Vec<EnvironmentRow>,
    full: impl Fn(&str) -> bool,
) -> Result<Vec<LearningEnvironment>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let mut lists = repo::lists(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| LearningEnvironment {
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            sector: row.sector,
            address: address_view(&row),
            coordinates: coordinates(&row),
            contact: contact_view(&row, full(&row.organisation_id)),
            work_tasks: lists.tasks.remove(&row.id).unwrap_or_default(),
            languages: lists.languages.remove(&row.id).unwrap_or_default(),
            description: row.description,
            capacity: row.capacity,
            accessibility: row.accessibility,
            active: row.active,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            organisation_id: row.organisation_id,
            id: row.id,
        })
        .collect())
}
