//! Learning environments as the API shows and accepts them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::text::{not_blank, LocalizedText};

crate::text_enum! {
    /// The line of work done in an environment.
    #[serde(rename_all = "snake_case")]
    pub enum Sector {
        /// Kitchens, cafés and catering.
        FoodServices,
        CleaningServices,
        PropertyMaintenance,
        LaundryAndTextiles,
        /// Second-hand shops, recycling centres and other retail.
        RecyclingAndRetail,
        ConstructionAndRenovation,
        Woodwork,
        Metalwork,
        VehiclesAndMachinery,
        /// Gardens, parks, forestry and farm work.
        GreenAndOutdoor,
        CareAndSocial,
        MediaAndCommunications,
        ItServices,
        OfficeAndAdministration,
        LogisticsAndWarehousing,
        ArtsAndCrafts,
        Other,
    }
}

fn yes() -> bool {
    true
}

fn valid_postal_code(value: &str) -> Result<(), ValidationError> {
    if value.len() == 5 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::new("postal_code").with_message("a Finnish postal code is five digits".into()))
    }
}

/// ISO 639 language codes in lower case: `fi`, `sv`, `en`, `smn`…
fn valid_languages(values: &[String]) -> Result<(), ValidationError> {
    for value in values {
        if !(2..=3).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ValidationError::new("language")
                .with_message(format!("{value:?} is not an ISO 639 language code such as \"fi\"").into()));
        }
    }
    Ok(())
}

fn valid_tasks(values: &[String]) -> Result<(), ValidationError> {
    for value in values {
        if value.trim().is_empty() || value.chars().count() > 200 {
            return Err(ValidationError::new("work_task")
                .with_message("each work task is a short text of 1–200 characters".into()));
        }
    }
    Ok(())
}

/// Where the environment is: a street address and the municipality by its official code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"street_address": "Savilankatu 4", "postal_code": "26100", "post_office": "Rauma", "municipality": "684"}))]
pub struct AddressInput {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub street_address: String,
    #[validate(custom(function = "valid_postal_code"))]
    pub postal_code: String,
    #[serde(default)]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub post_office: Option<String>,
    /// Three-digit municipality code; must be in force.
    #[validate(length(equal = 3))]
    #[serde(deserialize_with = "crate::reference::codes::municipality")]
    #[schema(schema_with = crate::reference::codes::municipality_schema)]
    pub municipality: String,
}

/// A point in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"latitude": 61.1272, "longitude": 21.5112}))]
pub struct Coordinates {
    #[validate(range(min = -90.0, max = 90.0))]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: f64,
    #[validate(range(min = -180.0, max = 180.0))]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: f64,
}

/// The person to contact about training places.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Maija Meikäläinen", "title": "työvalmentaja", "email": "maija.meikalainen@example.fi", "phone": "+358 40 123 4567", "private": false}))]
pub struct ContactInput {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// The person's role, e.g. `työvalmentaja`; shown publicly even when `private` is set.
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[serde(default)]
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254)]
    #[schema(format = Email)]
    pub email: Option<String>,
    #[serde(default)]
    #[validate(length(min = 3, max = 40))]
    #[schema(min_length = 3, max_length = 40)]
    pub phone: Option<String>,
    /// When true the public catalogue and other outsiders see only the title, not the person's
    /// name, e-mail or phone.
    #[serde(default)]
    pub private: bool,
}

/// A learning environment as created, and as a merge patch changes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": {"fi": "Työpajan keittiö", "sv": "Verkstadens kök"},
    "description": "Lounasravintola, joka valmistaa päivittäin noin 80 annosta.",
    "work_tasks": ["lounaan valmistus", "astiahuolto", "asiakaspalvelu kassalla"],
    "sector": "food_services",
    "address": {"street_address": "Savilankatu 4", "postal_code": "26100", "post_office": "Rauma", "municipality": "684"},
    "coordinates": {"latitude": 61.1272, "longitude": 21.5112},
    "capacity": 4,
    "accessibility": "Esteetön sisäänkäynti pihan puolelta.",
    "languages": ["fi", "sv"],
    "contact": {"name": "Maija Meikäläinen", "title": "työvalmentaja", "email": "maija.meikalainen@example.fi", "private": true},
    "active": true
}))]
pub struct EnvironmentInput {
    /// The owning organisation. A client creates environments for its own organisation and may
    /// leave this out; an administrator names it.
    #[serde(default)]
    pub organisation_id: Option<String>,
    #[validate(nested)]
    pub name: LocalizedText,
    #[serde(default)]
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub description: Option<String>,
    /// The work done there, as short texts.
    #[serde(default)]
    #[validate(length(max = 50), custom(function = "valid_tasks"))]
    #[schema(max_items = 50)]
    pub work_tasks: Vec<String>,
    pub sector: Sector,
    #[validate(nested)]
    pub address: AddressInput,
    #[serde(default)]
    #[validate(nested)]
    pub coordinates: Option<Coordinates>,
    /// How many trainees it takes at once.
    #[serde(default)]
    #[validate(range(min = 1, max = 1000))]
    #[schema(minimum = 1, maximum = 1000)]
    pub capacity: Option<i32>,
    #[serde(default)]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub accessibility: Option<String>,
    /// Languages of instruction, ISO 639 codes.
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "valid_languages"))]
    #[schema(max_items = 20)]
    pub languages: Vec<String>,
    #[serde(default)]
    #[validate(nested)]
    pub contact: Option<ContactInput>,
    /// Inactive environments stay readable but leave the catalogue and take no new recognitions.
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"street_address": "Savilankatu 4", "postal_code": "26100", "post_office": "Rauma", "municipality": "684", "region": "04"}))]
pub struct Address {
    pub street_address: String,
    pub postal_code: String,
    pub post_office: Option<String>,
    pub municipality: String,
    /// The region of the municipality.
    pub region: Option<String>,
}

/// A contact person; outsiders see only the title of one marked private.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": null, "title": "työvalmentaja", "email": null, "phone": null, "private": true}))]
pub struct Contact {
    pub name: Option<String>,
    pub title: Option<String>,
    #[schema(format = Email)]
    pub email: Option<String>,
    pub phone: Option<String>,
    pub private: bool,
}

/// A learning environment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-a000-7000-8000-000000000001",
    "organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "name": {"fi": "Työpajan keittiö", "sv": "Verkstadens kök"},
    "description": "Lounasravintola, joka valmistaa päivittäin noin 80 annosta.",
    "work_tasks": ["lounaan valmistus", "astiahuolto", "asiakaspalvelu kassalla"],
    "sector": "food_services",
    "address": {"street_address": "Savilankatu 4", "postal_code": "26100", "post_office": "Rauma", "municipality": "684", "region": "04"},
    "coordinates": {"latitude": 61.1272, "longitude": 21.5112},
    "capacity": 4,
    "accessibility": "Esteetön sisäänkäynti pihan puolelta.",
    "languages": ["fi", "sv"],
    "contact": {"name": "Maija Meikäläinen", "title": "työvalmentaja", "email": "maija.meikalainen@example.fi", "phone": null, "private": true},
    "active": true,
    "version": 1,
    "created_at": "2026-11-23T08:30:00Z",
    "updated_at": "2026-11-23T08:30:00Z"
}))]
pub struct LearningEnvironment {
    pub id: String,
    pub organisation_id: String,
    pub name: LocalizedText,
    pub description: Option<String>,
    pub work_tasks: Vec<String>,
    pub sector: Sector,
    pub address: Address,
    pub coordinates: Option<Coordinates>,
    pub capacity: Option<i32>,
    pub accessibility: Option<String>,
    pub languages: Vec<String>,
    /// Outsiders see only the title of a contact marked private.
    pub contact: Option<Contact>,
    pub active: bool,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::concurrency::Versioned for LearningEnvironment {
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct EnvironmentFilter {
    /// The owning organisation.
    pub organisation: Option<String>,
    #[param(example = "684")]
    #[validate(length(equal = 3))]
    #[param(pattern = r"^(kunta_)?[\s\S]{3}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::municipality")]
    pub municipality: Option<String>,
    #[param(example = "04")]
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    pub sector: Option<Sector>,
    pub active: Option<bool>,
    /// Text in the name, description or work tasks, case- and accent-insensitive.
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Only environments changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
