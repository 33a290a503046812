//! The catalogue as the API shows it and the filters it takes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    environments::dto::{Address, Contact, Coordinates, Sector},
    organisations::dto::OrganisationSummary,
    reference::dto::CodeAndName,
    text::LocalizedText,
};

#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct CatalogueFilter {
    /// Recognised under this qualification (national code).
    #[param(example = "351204")]
    #[validate(length(min = 1, max = 20))]
    #[param(pattern = r"^(koulutus_)?[\s\S]{1,20}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::qualification")]
    pub qualification: Option<String>,
    /// Recognised for this unit; repeat the parameter to require all of several units.
    #[param(example = json!(["SAMPLE-107"]))]
    #[validate(length(max = 20))]
    #[param(max_items = 20)]
    #[serde(default, deserialize_with = "crate::reference::codes::query::units")]
    pub unit: Vec<String>,
    /// In this municipality (code); repeat for any of several.
    #[param(example = json!(["684"]))]
    #[validate(length(max = 50))]
    #[param(max_items = 50)]
    #[serde(default, deserialize_with = "crate::reference::codes::query::municipalities")]
    pub municipality: Vec<String>,
    /// In this region (code).
    #[param(example = "04")]
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    /// Offers instruction in this language (ISO 639 code).
    #[param(example = "fi")]
    #[validate(length(min = 2, max = 3))]
    #[param(min_length = 2, max_length = 3)]
    pub language: Option<String>,
    pub sector: Option<Sector>,
    /// The day the recognitions must be in force; today when absent.
    pub recognised_on: Option<NaiveDate>,
    /// Recognised by this education provider (organisation id).
    pub provider: Option<String>,
    /// Text in the name, description or work tasks, case- and accent-insensitive
    /// (`tyopaja` finds `Työpaja`).
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// `latitude,longitude` in WGS84 degrees: only environments with coordinates within
    /// `radius_km`, nearest first.
    #[param(
        example = "61.1272,21.5112",
        pattern = r"^ *-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?) *, *-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?) *$"
    )]
    pub near: Option<String>,
    /// Search radius around `near`, 0.1–500 km (default 50).
    #[param(minimum = 0.1, maximum = 500.0)]
    pub radius_km: Option<f64>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A unit an environment is recognised for, and by whom.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "recognition_id": "0193a2b4-b000-7000-8000-000000000001",
    "qualification": {"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}},
    "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}},
    "provider": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "kind": "education_provider"},
    "valid_from": "2026-12-01",
    "valid_until": "2028-11-30"
}))]
pub struct RecognisedUnit {
    pub recognition_id: String,
    pub qualification: CodeAndName,
    pub unit: CodeAndName,
    pub provider: OrganisationSummary,
    pub valid_from: NaiveDate,
    /// The last day in force, when known.
    pub valid_until: Option<NaiveDate>,
}

/// A recognised learning environment as the public catalogue shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-a000-7000-8000-000000000001",
    "name": {"fi": "Työpajan keittiö", "sv": "Verkstadens kök"},
    "description": "Lounasravintola, joka valmistaa päivittäin noin 80 annosta.",
    "work_tasks": ["lounaan valmistus", "astiahuolto"],
    "sector": "food_services",
    "address": {"street_address": "Savilankatu 4", "postal_code": "26100", "post_office": "Rauma", "municipality": "684", "region": "04"},
    "coordinates": {"latitude": 61.1272, "longitude": 21.5112},
    "capacity": 4,
    "accessibility": "Esteetön sisäänkäynti pihan puolelta.",
    "languages": ["fi", "sv"],
    "contact": {"name": null, "title": "työvalmentaja", "email": null, "phone": null, "private": true},
    "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "kind": "workshop"},
    "recognised_units": [{
        "recognition_id": "0193a2b4-b000-7000-8000-000000000001",
        "qualification": {"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}},
        "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}},
        "provider": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "kind": "education_provider"},
        "valid_from": "2026-12-01",
        "valid_until": "2028-11-30"
    }],
    "distance_km": 1.274
}))]
pub struct CatalogueEnvironment {
    pub id: String,
    pub name: LocalizedText,
    pub description: Option<String>,
    pub work_tasks: Vec<String>,
    pub sector: Sector,
    pub address: Address,
    pub coordinates: Option<Coordinates>,
    pub capacity: Option<i32>,
    pub accessibility: Option<String>,
    pub languages: Vec<String>,
    /// Only the title of a contact person marked private.
    pub contact: Option<Contact>,
    /// The organisation the environment belongs to.
    pub organisation: OrganisationSummary,
    /// Every unit the environment is recognised for on `recognised_on`, whatever the filters.
    pub recognised_units: Vec<RecognisedUnit>,
    /// Great-circle distance from `near`, when searched by place.
    pub distance_km: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct UnitCatalogueFilter {
    /// Recognised under this qualification (national code).
    #[param(example = "351204")]
    #[validate(length(min = 1, max = 20))]
    #[param(pattern = r"^(koulutus_)?[\s\S]{1,20}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::qualification")]
    pub qualification: Option<String>,
    /// Only this region's municipalities.
    #[param(example = "04")]
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    /// Recognised by this education provider (organisation id).
    pub provider: Option<String>,
    /// The day the recognitions must be in force; today when absent.
    pub recognised_on: Option<NaiveDate>,
}

/// How many recognised environments one municipality has for the unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "municipality": {"code": "684", "name": {"fi": "Rauma", "sv": "Raumo"}},
    "region": "04",
    "learning_environments": 3,
    "href": "/v1/catalogue/learning-environments?unit=SAMPLE-107&municipality=684&recognised_on=2026-11-23"
}))]
pub struct MunicipalityCount {
    pub municipality: CodeAndName,
    pub region: Option<String>,
    pub learning_environments: i64,
    /// The catalogue search that lists them.
    pub href: String,
}

/// Where a unit can be learned: recognised environments grouped by municipality.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}},
    "qualifications": [{"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}}, {"code": "381113", "name": {"fi": "Kotityö- ja puhdistuspalvelujen perustutkinto"}}],
    "recognised_on": "2026-11-23",
    "learning_environments": 3,
    "municipalities": [{
        "municipality": {"code": "684", "name": {"fi": "Rauma", "sv": "Raumo"}},
        "region": "04",
        "learning_environments": 3,
        "href": "/v1/catalogue/learning-environments?unit=SAMPLE-107&municipality=684&recognised_on=2026-11-23"
    }]
}))]
pub struct UnitCatalogue {
    pub unit: CodeAndName,
    /// The qualifications the unit belongs to.
    pub qualifications: Vec<CodeAndName>,
    pub recognised_on: NaiveDate,
    /// Environments in all the municipalities listed.
    pub learning_environments: i64,
    /// Municipalities with at least one recognised environment, by code.
    pub municipalities: Vec<MunicipalityCount>,
}
