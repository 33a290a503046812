//! How guidelines and signatures read: stored rows as the API shows them.

use super::{
    dto::{Guideline, GuidelineInput, GuidelineScope, Signature},
    model::{GuidelineRow, SignatureRow},
};
use crate::{organisations::dto::OrganisationSummary, text::localized};

impl GuidelineInput {
    pub fn from_row(row: &GuidelineRow, regions: Vec<String>) -> Self {
        Self {
            title: localized(&row.title_fi, &row.title_sv, &row.title_en),
            version_label: row.version_label.clone(),
            summary: row.summary.clone(),
            adopted_on: row.adopted_on,
            adopting_body: row.adopting_body.clone(),
            scope: GuidelineScope {
                national: row.national,
                regions,
            },
            full_text_url: row.full_text_url.clone(),
        }
    }
}

impl Guideline {
    pub fn from_row(row: GuidelineRow, regions: Vec<String>) -> Self {
        Self {
            title: localized(&row.title_fi, &row.title_sv, &row.title_en),
            id: row.id,
            version_label: row.version_label,
            summary: row.summary,
            adopted_on: row.adopted_on,
            adopting_body: row.adopting_body,
            scope: GuidelineScope {
                national: row.national,
                regions,
            },
            full_text_url: row.full_text_url,
            status: row.status,
            superseded_by: row.superseded_by,
            owner_organisation_id: row.owner_organisation_id,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

impl Signature {
    pub fn from_row(row: SignatureRow, organisation: OrganisationSummary) -> Self {
        Self {
            active: row.withdrawn_on.is_none(),
            id: row.id,
            guideline_id: row.guideline_id,
            organisation,
            region: row.region_code,
            signer_name: row.signer_name,
            signer_title: row.signer_title,
            signed_on: row.signed_on,
            commitments: row.commitments,
            recorded_on_behalf: row.recorded_on_behalf,
            withdrawn_on: row.withdrawn_on,
            withdrawal_reason: row.withdrawal_reason,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}
