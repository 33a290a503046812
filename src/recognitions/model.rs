use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::recognitions::dto::OwnerConsent;
use crate::schema::recognitions;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = recognitions)]
pub struct RecognitionRow {
    pub id: String,
    pub environment_id: String,
    pub provider_organisation_id: String,
    pub qualification_code: String,
    pub unit_code: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// The last day in force: `valid_until`, or the day before `ended_on`.
    pub in_force_until: Option<NaiveDate>,
    pub agreement_id: Option<String>,
    pub note: Option<String>,
    /// The first day the recognition no longer applies, when a provider ended it.
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The environment's region, kept here for the catalogue's index.
    pub region_code: Option<String>,
    /// One of `OwnerConsent`'s names.
    pub owner_consent: OwnerConsent,
}

/// What the catalogue shows of a recognition in force.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recognitions)]
pub struct InForceRow {
    pub id: String,
    pub environment_id: String,
    pub provider_organisation_id: String,
    pub qualification_code: String,
    pub unit_code: String,
    pub valid_from: NaiveDate,
    pub in_force_until: Option<NaiveDate>,
}
