use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::{
    organisations::dto::{OrganisationKind, OrganisationSummary},
    text::{not_blank, LocalizedText},
};

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum GuidelineStatus {
        /// Being written; freely editable by its owner.
        Draft,
        /// Adopted and open for organisations to sign.
        OpenForSigning,
        /// No longer open for signing; `superseded_by` names its successor when one replaced it.
        Closed,
    }
}

fn valid_scope(scope: &GuidelineScope) -> Result<(), ValidationError> {
    match (scope.national, scope.regions.is_empty()) {
        (true, false) => {
            Err(ValidationError::new("scope").with_message("a national guideline lists no regions".into()))
        }
        (false, true) => Err(ValidationError::new("scope")
            .with_message("name the regions, or make the guideline national".into())),
        _ => Ok(()),
    }
}

/// Where a guideline applies: the whole country, or the listed regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"national": false, "regions": ["04", "18"]}))]
pub struct GuidelineScope {
    pub national: bool,
    /// Two-digit region codes.
    #[validate(length(max = 30))]
    #[serde(default, deserialize_with = "crate::reference::codes::regions")]
    #[schema(schema_with = crate::reference::codes::regions_schema)]
    pub regions: Vec<String>,
}

/// A guideline as created, and as a merge patch of a draft changes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": {"fi": "Työpajojen ja ammatillisen koulutuksen yhteistyön linjaukset", "sv": "Riktlinjer för samarbetet mellan verkstäder och yrkesutbildningen"},
    "version_label": "2019",
    "summary": "Yhteiset linjaukset opinnollistamisesta ja osaamisen tunnistamisesta.",
    "adopted_on": "2019-05-15",
    "adopting_body": "Valtakunnallinen työpajayhdistys ry",
    "scope": {"national": false, "regions": ["04", "18"]},
    "full_text_url": "https://example.fi/linjaukset-2019.pdf"
}))]
pub struct GuidelineInput {
    #[validate(nested)]
    pub title: LocalizedText,
    #[validate(length(min = 1, max = 50), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub version_label: String,
    #[serde(default)]
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub summary: Option<String>,
    #[serde(default)]
    pub adopted_on: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub adopting_body: Option<String>,
    #[validate(nested, custom(function = "valid_scope"))]
    pub scope: GuidelineScope,
    #[serde(default)]
    #[validate(url, length(max = 500))]
    #[schema(max_length = 500)]
    #[schema(format = "uri")]
    pub full_text_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f51",
    "title": {"fi": "Työpajojen ja ammatillisen koulutuksen yhteistyön linjaukset"},
    "version_label": "2019",
    "summary": "Yhteiset linjaukset opinnollistamisesta.",
    "adopted_on": "2019-05-15",
    "adopting_body": "Valtakunnallinen työpajayhdistys ry",
    "scope": {"national": false, "regions": ["04", "18"]},
    "full_text_url": "https://example.fi/linjaukset-2019.pdf",
    "status": "open_for_signing",
    "superseded_by": null,
    "owner_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f53",
    "version": 2,
    "created_at": "2026-11-23T08:30:00Z",
    "updated_at": "2026-11-23T08:35:00Z"
}))]
pub struct Guideline {
    pub id: String,
    pub title: LocalizedText,
    pub version_label: String,
    pub summary: Option<String>,
    pub adopted_on: Option<NaiveDate>,
    pub adopting_body: Option<String>,
    pub scope: GuidelineScope,
    #[schema(format = "uri")]
    pub full_text_url: Option<String>,
    pub status: GuidelineStatus,
    /// The guideline that replaced this one.
    pub superseded_by: Option<String>,
    /// The organisation that maintains it; absent when an administrator does.
    pub owner_organisation_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct GuidelineFilter {
    pub status: Option<GuidelineStatus>,
    /// Guidelines that apply in this region: national ones and those listing it.
    #[param(example = "04")]
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    /// Text in the title, case- and accent-insensitive.
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"successor_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f51"}))]
pub struct SupersedeRequest {
    /// A draft guideline that replaces this one: it opens for signing as this one closes.
    pub successor_id: String,
}

/// A signature of a guideline for a region.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"region": "04", "signer_name": "Maija Meikäläinen", "signer_title": "toiminnanjohtaja", "signed_on": "2019-09-02", "commitments": "Opinnollistamme pajan työtehtävät."}))]
pub struct SignatureInput {
    /// The signing organisation; only administrators record signatures for others.
    #[serde(default)]
    pub organisation_id: Option<String>,
    #[validate(length(equal = 2))]
    #[serde(deserialize_with = "crate::reference::codes::region")]
    #[schema(schema_with = crate::reference::codes::region_schema)]
    pub region: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub signer_name: String,
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub signer_title: Option<String>,
    pub signed_on: NaiveDate,
    #[serde(default)]
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub commitments: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"withdrawn_on": "2024-01-31", "reason": "Pajatoiminta päättyi."}))]
pub struct WithdrawalInput {
    pub withdrawn_on: NaiveDate,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-8000-7000-8000-000000000001",
    "guideline_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f51",
    "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "kind": "workshop"},
    "region": "04",
    "signer_name": "Maija Meikäläinen",
    "signer_title": "toiminnanjohtaja",
    "signed_on": "2019-09-02",
    "commitments": "Opinnollistamme pajan työtehtävät.",
    "recorded_on_behalf": false,
    "active": true,
    "withdrawn_on": null,
    "withdrawal_reason": null,
    "version": 1,
    "created_at": "2026-11-23T08:40:00Z",
    "updated_at": "2026-11-23T08:40:00Z"
}))]
pub struct Signature {
    pub id: String,
    pub guideline_id: String,
    pub organisation: OrganisationSummary,
    pub region: String,
    pub signer_name: String,
    pub signer_title: Option<String>,
    pub signed_on: NaiveDate,
    pub commitments: Option<String>,
    /// True when an administrator recorded it for the organisation, e.g. from a paper signature.
    pub recorded_on_behalf: bool,
    /// False once withdrawn; withdrawn signatures stay in the history.
    pub active: bool,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct SignatureFilter {
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    /// The signing organisation's kind.
    pub kind: Option<OrganisationKind>,
    /// `true`: only signatures in force; `false`: only withdrawn ones.
    pub active: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct SignatoriesQuery {
    /// The region, by its two-digit code.
    #[param(example = "04")]
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(deserialize_with = "crate::reference::codes::query::required_region")]
    pub region: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f51", "title": {"fi": "Työpajojen ja ammatillisen koulutuksen yhteistyön linjaukset"}, "version_label": "2019"}))]
pub struct GuidelineSummary {
    pub id: String,
    pub title: LocalizedText,
    pub version_label: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "signed_on": "2019-09-03"}))]
pub struct Signatory {
    pub id: String,
    pub name: LocalizedText,
    pub signed_on: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "workshop", "count": 1, "organisations": [{"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "signed_on": "2019-09-03"}]}))]
pub struct SignatoryGroup {
    pub kind: OrganisationKind,
    pub count: usize,
    pub organisations: Vec<Signatory>,
}

/// Who has signed the guideline in force in a region, by organisation kind.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "region": "04",
    "guideline": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f51", "title": {"fi": "Työpajojen ja ammatillisen koulutuksen yhteistyön linjaukset"}, "version_label": "2019"},
    "total": 2,
    "by_kind": [
        {"kind": "education_provider", "count": 1, "organisations": [{"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "signed_on": "2019-09-02"}]},
        {"kind": "workshop", "count": 1, "organisations": [{"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "signed_on": "2019-09-03"}]}
    ]
}))]
pub struct Signatories {
    pub region: String,
    /// The guideline open for signing in the region; `null` when there is none.
    pub guideline: Option<GuidelineSummary>,
    /// Organisations with a signature in force.
    pub total: usize,
    pub by_kind: Vec<SignatoryGroup>,
}

impl crate::concurrency::Versioned for Guideline {
    fn version(&self) -> i64 {
        self.version
    }
}

impl crate::concurrency::Versioned for Signature {
    fn version(&self) -> i64 {
        self.version
    }
}
