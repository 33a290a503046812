use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{organisations::dto::OrganisationSummary, text::not_blank};

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum PartyRole {
        EducationProvider,
        WorkOrganisation,
        Municipality,
        EmploymentService,
        Coordinator,
        Other,
    }
}

impl PartyRole {
    pub const ALL: [PartyRole; 6] = [
        Self::EducationProvider,
        Self::WorkOrganisation,
        Self::Municipality,
        Self::EmploymentService,
        Self::Coordinator,
        Self::Other,
    ];
}

crate::text_enum! {
    /// `draft → active → terminated`; an active agreement past `valid_until` reads as `expired`.
    #[serde(rename_all = "snake_case")]
    pub enum AgreementStatus {
        Draft,
        Active,
        Terminated,
        Expired,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "role": "education_provider"}))]
pub struct PartyInput {
    pub organisation_id: String,
    pub role: PartyRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": "Maija Meikäläinen", "role": "valmentaja", "email": "maija@example.fi", "phone": "+358 40 123 4567"}))]
pub struct AgreementContact {
    /// The party the contact person represents.
    pub organisation_id: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub role: Option<String>,
    #[serde(default)]
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254)]
    #[schema(format = Email)]
    pub email: Option<String>,
    #[serde(default)]
    #[validate(length(min = 3, max = 40))]
    #[schema(min_length = 3, max_length = 40)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Allekirjoitettu sopimus", "url": "https://example.fi/sopimus.pdf"}))]
pub struct AttachmentInput {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[validate(url, length(max = 1000))]
    #[schema(max_length = 1000)]
    #[schema(format = "uri")]
    pub url: String,
}

/// An agreement as drafted, and as a merge patch of a draft changes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reference_number": "YS-2026-014",
    "title": "Yhteistyösopimus opinnollistamisesta",
    "guideline_id": null,
    "valid_from": "2026-01-01",
    "valid_until": "2027-12-31",
    "parties": [
        {"organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "role": "work_organisation"},
        {"organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "role": "education_provider"}
    ],
    "qualifications": ["381141"],
    "learning_environments": [],
    "contacts": [{"organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": "Maija Meikäläinen", "role": "valmentaja", "email": "maija@example.fi"}],
    "terms": "Osapuolet sopivat opinnollistamisen käytännöistä.",
    "attachments": [{"title": "Allekirjoitettu sopimus", "url": "https://example.fi/sopimus.pdf"}]
}))]
pub struct AgreementInput {
    /// Unique among the issuing organisation's agreements.
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub reference_number: String,
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub title: String,
    /// The regional guideline the agreement falls under.
    #[serde(default)]
    pub guideline_id: Option<String>,
    pub valid_from: NaiveDate,
    /// Open-ended when absent.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[validate(length(min = 2, max = 20), nested)]
    #[schema(min_items = 2, max_items = 20)]
    pub parties: Vec<PartyInput>,
    /// National qualification codes.
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "crate::reference::codes::qualifications")]
    #[schema(schema_with = crate::reference::codes::qualifications_schema)]
    pub qualifications: Vec<String>,
    /// Ids of the learning environments covered; each belongs to one of the parties.
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(max_items = 200)]
    pub learning_environments: Vec<String>,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub contacts: Vec<AgreementContact>,
    #[serde(default)]
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub terms: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentInput>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "kind": "education_provider"}, "role": "education_provider", "confirmed_at": null, "confirmed_by_client_id": null}))]
pub struct Party {
    pub organisation: OrganisationSummary,
    pub role: PartyRole,
    /// When the party confirmed the draft; every party confirms before activation.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The API client that confirmed it for the party.
    pub confirmed_by_client_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"terminated_on": "2026-06-30", "reason": "Pajatoiminta päättyy.", "by_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50"}))]
pub struct Termination {
    pub terminated_on: NaiveDate,
    pub reason: String,
    /// The party that ended the agreement.
    pub by_organisation_id: Option<String>,
}

/// An agreement. Parties see all of it; others see the summary of an agreement in force, without
/// `contacts`, `terms` and `attachments`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-9000-7000-8000-000000000001",
    "reference_number": "YS-2026-014",
    "issuer_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "title": "Yhteistyösopimus opinnollistamisesta",
    "guideline_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f51",
    "valid_from": "2026-01-01",
    "valid_until": "2027-12-31",
    "status": "active",
    "parties": [
        {"organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "kind": "education_provider"}, "role": "education_provider", "confirmed_at": "2026-01-02T09:00:00Z", "confirmed_by_client_id": "0193a2b4-9a10-7c2e-8d1f-1a2b3c4d5e70"},
        {"organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "kind": "workshop"}, "role": "work_organisation", "confirmed_at": "2026-01-02T08:00:00Z", "confirmed_by_client_id": "0193a2b4-9a10-7c2e-8d1f-1a2b3c4d5e6f"}
    ],
    "qualifications": ["381141"],
    "learning_environments": [],
    "contacts": [{"organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": "Maija Meikäläinen", "role": "valmentaja", "email": "maija@example.fi", "phone": null}],
    "terms": "Osapuolet sopivat opinnollistamisen käytännöistä.",
    "attachments": [{"title": "Allekirjoitettu sopimus", "url": "https://example.fi/sopimus.pdf"}],
    "activated_at": "2026-01-02T09:05:00Z",
    "termination": null,
    "version": 4,
    "created_at": "2026-01-01T12:00:00Z",
    "updated_at": "2026-01-02T09:05:00Z"
}))]
pub struct Agreement {
    pub id: String,
    pub reference_number: String,
    pub issuer_organisation_id: String,
    pub title: String,
    pub guideline_id: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub status: AgreementStatus,
    pub parties: Vec<Party>,
    pub qualifications: Vec<String>,
    pub learning_environments: Vec<String>,
    /// Parties only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<AgreementContact>>,
    /// Parties only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms: Option<String>,
    /// Parties only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentInput>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub termination: Option<Termination>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AgreementFilter {
    /// Agreements this organisation is a party to.
    pub party: Option<String>,
    /// With `party`: in this role; alone: agreements with a party in this role.
    pub role: Option<PartyRole>,
    pub status: Option<AgreementStatus>,
    /// Covering this qualification (national code).
    #[serde(default, deserialize_with = "crate::reference::codes::query::qualification")]
    pub qualification: Option<String>,
    /// With a party whose home municipality is in this region.
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    /// With a party whose home municipality this is.
    #[validate(length(equal = 3))]
    #[param(pattern = r"^(kunta_)?[\s\S]{3}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::municipality")]
    pub municipality: Option<String>,
    /// In force on this date.
    pub valid_on: Option<NaiveDate>,
    /// Changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"terminated_on": "2026-06-30", "reason": "Pajatoiminta päättyy."}))]
pub struct TerminationInput {
    pub terminated_on: NaiveDate,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
    /// The party ending the agreement; administrators name it, others end it as themselves.
    #[serde(default)]
    pub organisation_id: Option<String>,
}

impl crate::concurrency::Versioned for Agreement {
    fn version(&self) -> i64 {
        self.version
    }
}
