//! How recognitions read: stored rows as the API shows them.

use super::domain::status;
use super::{dto::Recognition, model::RecognitionRow};
use crate::{
    db::{today, DbConnection},
    error::ApiError,
    organisations::repo as organisations,
    reference::repo as reference,
};

/// Recognitions as the API shows them, with their providers, qualifications and units named.
pub fn views(conn: &mut DbConnection, rows: Vec<RecognitionRow>) -> Result<Vec<Recognition>, ApiError> {
    let providers: Vec<String> = rows
        .iter()
        .map(|row| row.provider_organisation_id.clone())
        .collect();
    let qualifications: Vec<String> = rows.iter().map(|row| row.qualification_code.clone()).collect();
    let units: Vec<String> = rows.iter().map(|row| row.unit_code.clone()).collect();
    let providers = organisations::summaries(conn, &providers)?;
    let names = reference::names_of(conn, &qualifications, &units)?;
    let today = today();
    rows.into_iter()
        .map(|row| {
            let provider = providers
                .get(&row.provider_organisation_id)
                .cloned()
                .ok_or_else(|| ApiError::internal("a recognition's provider is missing"))?;
            Ok(Recognition {
                status: status(&row, today),
                owner_consent: row.owner_consent,
                qualification: names.qualification(&row.qualification_code),
                unit: names.unit(&row.unit_code),
                provider,
                id: row.id,
                environment_id: row.environment_id,
                note: row.note,
                valid_from: row.valid_from,
                valid_until: row.valid_until,
                agreement_id: row.agreement_id,
                ended_on: row.ended_on,
                end_reason: row.end_reason,
                version: row.version,
                created_at: row.created_at.and_utc(),
                updated_at: row.updated_at.and_utc(),
            })
        })
        .collect()
}
