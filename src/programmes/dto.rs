use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    organisations::dto::OrganisationSummary,
    text::{not_blank, LocalizedText},
};

crate::text_enum! {
    /// How a funder finances the programme.
    #[serde(rename_all = "snake_case")]
    pub enum FundingInstrument {
        /// The European Social Fund (ESF+), through a regional authority.
        Esf,
        /// A state grant for youth workshops (*työpajatoiminnan valtionavustus*).
        YouthWorkshopGrant,
        /// A grant of the employment services (*TE-palvelut*, wellbeing services counties, municipalities).
        EmploymentGrant,
        /// A municipality's own funding.
        Municipal,
        /// A foundation or a fund.
        Foundation,
        Other,
    }
}

crate::text_enum! {
    /// `planned → running → closed`, or `cancelled`; set by the administering organisation.
    #[serde(rename_all = "snake_case")]
    pub enum ProgrammeStatus {
        Planned,
        Running,
        Closed,
        Cancelled,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Etelä-Suomen EAKR- ja ESR-ohjelma", "instrument": "esf", "decision_reference": "S30123"}))]
pub struct FunderInput {
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub name: String,
    pub instrument: FundingInstrument,
    /// The funding decision's number, as the funder gives it.
    #[serde(default)]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub decision_reference: Option<String>,
}

/// A programme as created, and as a merge patch changes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": {"fi": "Osaaminen näkyväksi Satakunnassa", "sv": "Kompetens synlig i Satakunta"},
    "description": "Opinnollistetaan työpajojen oppimisympäristöjä ja tuetaan valmennettavien siirtymistä opintoihin.",
    "administrator_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "starts_on": "2026-01-01",
    "ends_on": "2028-12-31",
    "status": "running",
    "funders": [{"name": "Etelä-Suomen EAKR- ja ESR-ohjelma", "instrument": "esf", "decision_reference": "S30123"}],
    "regions": ["04"],
    "municipalities": ["684", "609"],
    "partners": ["0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52"]
}))]
pub struct ProgrammeInput {
    #[validate(nested)]
    pub name: LocalizedText,
    #[serde(default)]
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub description: Option<String>,
    /// The organisation that runs the programme and reports to its funders. A client creates
    /// programmes for its own organisation (the default); administrators name one.
    #[serde(default)]
    pub administrator_organisation_id: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(default = "planned")]
    pub status: ProgrammeStatus,
    #[validate(length(min = 1, max = 20), nested)]
    #[schema(min_items = 1, max_items = 20)]
    pub funders: Vec<FunderInput>,
    /// The programme's area: regions by two-digit code…
    #[validate(length(max = 30))]
    #[serde(default, deserialize_with = "crate::reference::codes::regions")]
    #[schema(schema_with = crate::reference::codes::regions_schema)]
    pub regions: Vec<String>,
    /// …and municipalities by three-digit code. At least one region or municipality.
    #[validate(length(max = 400))]
    #[serde(default, deserialize_with = "crate::reference::codes::municipalities")]
    #[schema(schema_with = crate::reference::codes::municipalities_schema)]
    pub municipalities: Vec<String>,
    /// Partner organisations: coaching organisations and education providers that take part.
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(max_items = 200)]
    pub partners: Vec<String>,
}

fn planned() -> ProgrammeStatus {
    ProgrammeStatus::Planned
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "Etelä-Suomen EAKR- ja ESR-ohjelma", "instrument": "esf", "decision_reference": "S30123"}))]
pub struct Funder {
    pub name: String,
    pub instrument: FundingInstrument,
    pub decision_reference: Option<String>,
}

/// A programme. Programmes are public: funders' decisions about them are public records.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-8e00-7a3a-9f00-5b1c2d3e4f60",
    "name": {"fi": "Osaaminen näkyväksi Satakunnassa"},
    "description": null,
    "administrator": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "kind": "workshop"},
    "starts_on": "2026-01-01",
    "ends_on": "2028-12-31",
    "status": "running",
    "funders": [{"name": "Etelä-Suomen EAKR- ja ESR-ohjelma", "instrument": "esf", "decision_reference": "S30123"}],
    "regions": ["04"],
    "municipalities": ["609", "684"],
    "partners": [{"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "kind": "education_provider"}],
    "invited_partners": [],
    "version": 1,
    "created_at": "2026-01-01T12:00:00Z",
    "updated_at": "2026-01-01T12:00:00Z"
}))]
pub struct Programme {
    pub id: String,
    pub name: LocalizedText,
    pub description: Option<String>,
    pub administrator: OrganisationSummary,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: ProgrammeStatus,
    pub funders: Vec<Funder>,
    pub regions: Vec<String>,
    pub municipalities: Vec<String>,
    /// The partners that accepted: they coach participants and record completions.
    pub partners: Vec<OrganisationSummary>,
    /// Organisations named as partners that have not accepted (`POST …/partnership/accept`):
    /// shown only to the administrator and to each invited organisation itself.
    pub invited_partners: Vec<OrganisationSummary>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::concurrency::Versioned for Programme {
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeFilter {
    /// Run by this organisation.
    pub administrator: Option<String>,
    /// With this organisation as administrator or partner.
    pub organisation: Option<String>,
    /// Whose area includes this region (two-digit code).
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    pub status: Option<ProgrammeStatus>,
    /// Words of the name, in any of its languages; case and accents are ignored.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
