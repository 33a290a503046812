//! How organisations read: stored rows as the API shows them.

use super::{
    dto::{Organisation, OrganisationInput, OrganisationSummary},
    model::OrganisationRow,
};
use crate::text::localized;

impl From<&OrganisationRow> for OrganisationInput {
    fn from(row: &OrganisationRow) -> Self {
        Self {
            kind: row.kind,
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            business_id: row.business_id.clone(),
            oph_oid: row.oph_oid.clone(),
            municipality: row.municipality_code.clone(),
            website: row.website.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            address: row.address(),
            active: row.active,
        }
    }
}

impl Organisation {
    pub fn from_row(row: OrganisationRow, region: Option<String>) -> Self {
        Self {
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            address: row.address(),
            kind: row.kind,
            id: row.id,
            business_id: row.business_id,
            oph_oid: row.oph_oid,
            municipality: row.municipality_code,
            region,
            website: row.website,
            email: row.email,
            phone: row.phone,
            active: row.active,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

impl From<OrganisationRow> for OrganisationSummary {
    fn from(row: OrganisationRow) -> Self {
        Self {
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            kind: row.kind,
            id: row.id,
        }
    }
}
