//! Recognitions as the API shows and accepts them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{organisations::dto::OrganisationSummary, reference::dto::CodeAndName, text::not_blank};

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum RecognitionStatus {
        /// Starts on `valid_from`, later than today.
        Scheduled,
        /// In force today.
        Active,
        /// Past `valid_until`, or ended by the provider.
        Ended,
    }
}

/// One unit being recognised, under the qualification the recognition is for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"qualification": "351204", "unit": "SAMPLE-107", "note": "Lounaan valmistus ja astiahuolto kattavat tutkinnon osan ammattitaitovaatimukset."}))]
pub struct RecognisedUnitInput {
    /// National qualification code.
    #[validate(length(min = 1, max = 20))]
    #[serde(deserialize_with = "crate::reference::codes::qualification")]
    #[schema(schema_with = crate::reference::codes::qualification_schema)]
    pub qualification: String,
    /// Code of a unit of that qualification.
    #[validate(length(min = 1, max = 40))]
    #[serde(deserialize_with = "crate::reference::codes::unit")]
    #[schema(schema_with = crate::reference::codes::unit_schema)]
    pub unit: String,
    /// Which work tasks cover the unit.
    #[serde(default)]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: Option<String>,
}

/// An education provider's recognition of an environment for one or more units.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "units": [
        {"qualification": "351204", "unit": "SAMPLE-107", "note": "Lounaan valmistus ja astiahuolto."},
        {"qualification": "351204", "unit": "SAMPLE-104"}
    ],
    "valid_from": "2026-12-01",
    "valid_until": "2028-11-30",
    "agreement_id": "0193a2b4-9000-7000-8000-000000000001"
}))]
pub struct RecognitionInput {
    /// The recognising education provider. A client recognises as its own organisation and may
    /// leave this out; an administrator names it.
    #[serde(default)]
    pub provider_organisation_id: Option<String>,
    #[validate(length(min = 1, max = 100), nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub units: Vec<RecognisedUnitInput>,
    pub valid_from: NaiveDate,
    /// Open-ended when absent.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// A cooperation agreement in force that lists both the provider and the environment's owner.
    #[serde(default)]
    pub agreement_id: Option<String>,
}

/// Ends a recognition.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ended_on": "2026-12-31", "reason": "Keittiö suljetaan remontin ajaksi."}))]
pub struct EndInput {
    /// The first day the recognition no longer applies; today when absent.
    #[serde(default)]
    pub ended_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

crate::text_enum! {
    /// What the learning environment's owner said of a recognition by another organisation.
    #[serde(rename_all = "snake_case")]
    pub enum OwnerConsent {
        /// The provider recognised its own environment: no one else's consent is needed.
        Own,
        /// The owner has not answered: public only under an agreement in force covering the environment.
        Pending,
        /// The owner accepted: public.
        Accepted,
        /// The owner declined, or ended its consent: never public.
        Declined,
    }
}

/// A qualification unit an education provider recognised a learning environment for.
///
/// **Public only with the owner's consent.** A recognition of another organisation's environment
/// is in the public catalogue (and public statistics) only while `owner_consent` is `accepted`, or
/// while it is `pending` and was made under an agreement that is in force and covers the
/// environment. The owner accepts or declines it with `…/accept` and `…/decline`; declining ends
/// it for the public view at once, whatever the agreement says.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-b000-7000-8000-000000000001",
    "environment_id": "0193a2b4-a000-7000-8000-000000000001",
    "provider": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "kind": "education_provider"},
    "qualification": {"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}},
    "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}},
    "note": "Lounaan valmistus ja astiahuolto.",
    "valid_from": "2026-12-01",
    "valid_until": "2028-11-30",
    "agreement_id": "0193a2b4-9000-7000-8000-000000000001",
    "status": "active",
    "owner_consent": "pending",
    "ended_on": null,
    "end_reason": null,
    "version": 1,
    "created_at": "2026-11-23T08:30:00Z",
    "updated_at": "2026-11-23T08:30:00Z"
}))]
pub struct Recognition {
    pub id: String,
    pub environment_id: String,
    pub provider: OrganisationSummary,
    pub qualification: CodeAndName,
    pub unit: CodeAndName,
    pub note: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub agreement_id: Option<String>,
    /// Derived from the dates and today: a recognition past `valid_until` reads as ended.
    pub status: RecognitionStatus,
    pub owner_consent: OwnerConsent,
    /// The first day it no longer applies, when the provider ended it.
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::concurrency::Versioned for Recognition {
    fn version(&self) -> i64 {
        self.version
    }
}

/// The recognitions one request created, one per unit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [{
    "id": "0193a2b4-b000-7000-8000-000000000001",
    "environment_id": "0193a2b4-a000-7000-8000-000000000001",
    "provider": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "kind": "education_provider"},
    "qualification": {"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}},
    "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}},
    "note": null,
    "valid_from": "2026-12-01",
    "valid_until": null,
    "agreement_id": null,
    "status": "scheduled",
    "owner_consent": "own",
    "ended_on": null,
    "end_reason": null,
    "version": 1,
    "created_at": "2026-11-23T08:30:00Z",
    "updated_at": "2026-11-23T08:30:00Z"
}]}))]
pub struct RecognitionBatch {
    pub items: Vec<Recognition>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct RecognitionFilter {
    /// The recognising organisation.
    pub provider: Option<String>,
    pub status: Option<RecognitionStatus>,
    #[param(example = "SAMPLE-107")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::unit")]
    pub unit: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
