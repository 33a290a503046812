//! Organisations as the API shows and accepts them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::{
    identifiers,
    text::{not_blank, LocalizedText},
};

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum OrganisationKind {
        /// A youth workshop (*työpaja*).
        Workshop,
        /// A vocational education provider (*koulutuksen järjestäjä*).
        EducationProvider,
        Municipality,
        EmploymentService,
        Association,
        Company,
        /// A regional workshop network or coordinator.
        RegionalNetwork,
        Other,
    }
}

fn yes() -> bool {
    true
}

fn valid_business_id(value: &str) -> Result<(), ValidationError> {
    identifiers::business_id(value)
        .map(drop)
        .map_err(|message| ValidationError::new("business_id").with_message(message.into()))
}

fn valid_oph_oid(value: &str) -> Result<(), ValidationError> {
    identifiers::oph_organisation_oid(value)
        .map(drop)
        .map_err(|message| ValidationError::new("oph_oid").with_message(message.into()))
}

fn valid_postal_code(value: &str) -> Result<(), ValidationError> {
    let digits = value.trim();
    if digits.len() == 5 && digits.bytes().all(|byte| byte.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::new("postal_code").with_message("a Finnish postal code is five digits".into()))
    }
}

/// A postal address in Finland.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"street": "Nortamonkatu 18", "postal_code": "26100", "post_office": "Rauma"}))]
pub struct PostalAddress {
    /// Street address or PO box.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub street: String,
    /// Five digits.
    #[validate(custom(function = "valid_postal_code"))]
    #[schema(pattern = r"^\s*[0-9]{5}\s*$")]
    pub postal_code: String,
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub post_office: String,
}

impl PostalAddress {
    pub fn trimmed(self) -> Self {
        Self {
            street: self.street.trim().to_owned(),
            postal_code: self.postal_code.trim().to_owned(),
            post_office: self.post_office.trim().to_owned(),
        }
    }

    /// `Nortamonkatu 18, 26100 Rauma`.
    pub fn one_line(&self) -> String {
        format!("{}, {} {}", self.street, self.postal_code, self.post_office)
    }
}

/// An organisation as created, and as a merge patch changes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "workshop",
    "name": {"fi": "Rauman nuorten työpaja", "sv": "Raumo ungdomsverkstad"},
    "business_id": "0112038-9",
    "municipality": "684",
    "website": "https://tyopaja.example.fi",
    "email": "tyopaja@example.fi",
    "phone": "+358 2 123 4567",
    "address": {"street": "Nortamonkatu 18", "postal_code": "26100", "post_office": "Rauma"}
}))]
pub struct OrganisationInput {
    pub kind: OrganisationKind,
    #[validate(nested)]
    pub name: LocalizedText,
    /// Finnish business ID (*Y-tunnus*) `NNNNNNN-C`, checked with its check digit; unique.
    #[serde(default)]
    #[validate(custom(function = "valid_business_id"))]
    pub business_id: Option<String>,
    /// The OPH organisation OID of an education provider, `1.2.246.562.10.<digits>`.
    #[serde(default)]
    #[validate(custom(function = "valid_oph_oid"))]
    pub oph_oid: Option<String>,
    /// Home municipality, by its three-digit code; must be in force.
    #[validate(length(equal = 3))]
    #[serde(deserialize_with = "crate::reference::codes::municipality")]
    #[schema(schema_with = crate::reference::codes::municipality_schema)]
    pub municipality: String,
    #[serde(default)]
    #[validate(url, length(max = 500))]
    #[schema(max_length = 500)]
    #[schema(format = "uri")]
    pub website: Option<String>,
    /// The organisation's general address, not a person's.
    #[serde(default)]
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254)]
    #[schema(format = Email)]
    pub email: Option<String>,
    #[serde(default)]
    #[validate(length(min = 3, max = 40))]
    #[schema(min_length = 3, max_length = 40)]
    pub phone: Option<String>,
    /// The postal address, printed in the letterhead of the certificates the organisation issues.
    #[serde(default)]
    #[validate(nested)]
    pub address: Option<PostalAddress>,
    /// Inactive organisations stay readable but take part in nothing new.
    #[serde(default = "yes")]
    pub active: bool,
}

/// An organisation's public profile.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "kind": "workshop",
    "name": {"fi": "Rauman nuorten työpaja", "sv": "Raumo ungdomsverkstad"},
    "business_id": "0112038-9",
    "oph_oid": null,
    "municipality": "684",
    "region": "04",
    "website": "https://tyopaja.example.fi",
    "email": "tyopaja@example.fi",
    "phone": "+358 2 123 4567",
    "address": {"street": "Nortamonkatu 18", "postal_code": "26100", "post_office": "Rauma"},
    "active": true,
    "version": 1,
    "created_at": "2026-11-23T08:30:00Z",
    "updated_at": "2026-11-23T08:30:00Z"
}))]
pub struct Organisation {
    pub id: String,
    pub kind: OrganisationKind,
    pub name: LocalizedText,
    pub business_id: Option<String>,
    pub oph_oid: Option<String>,
    pub municipality: String,
    /// The region of the home municipality.
    pub region: Option<String>,
    #[schema(format = "uri")]
    pub website: Option<String>,
    #[schema(format = Email)]
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<PostalAddress>,
    pub active: bool,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKind>,
    /// Home municipality code.
    #[param(example = "684")]
    #[validate(length(equal = 3))]
    #[param(pattern = r"^(kunta_)?[\s\S]{3}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::municipality")]
    pub municipality: Option<String>,
    /// Region code of the home municipality.
    #[param(example = "04")]
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    /// Text in any language variant of the name, case- and accent-insensitive (`tyopaja` finds `Työpaja`).
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Exact business ID.
    #[param(example = "0112038-9")]
    pub business_id: Option<String>,
    pub active: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl crate::concurrency::Versioned for Organisation {
    fn version(&self) -> i64 {
        self.version
    }
}

/// An organisation as other records name it: signatures, agreement parties, environments' owners.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "kind": "workshop"}))]
pub struct OrganisationSummary {
    pub id: String,
    pub name: LocalizedText,
    pub kind: OrganisationKind,
}
