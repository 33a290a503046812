//! Rows of certificates, their units, environments, shares and feed events.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{de::DeserializeOwned, Deserialize};

use crate::certificates::dto::{CertificateLanguage, CertificateStatus, ConsentMethod, FeedEventKind};
use crate::error::ApiError;
use crate::schema::{
    certificate_environments, certificate_events, certificate_shares, certificate_units, certificates,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = certificates, treat_none_as_default_value = false)]
pub struct CertificateRow {
    pub id: String,
    pub issuer_organisation_id: String,
    pub status: CertificateStatus,
    pub holder_given_names: String,
    pub holder_family_name: String,
    pub holder_hetu_encrypted: Option<String>,
    pub holder_hetu_index: Option<String>,
    pub holder_learner_oid: Option<String>,
    pub programme_reference: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours: Option<i32>,
    pub coach_name: String,
    pub coach_title: Option<String>,
    pub language: CertificateLanguage,
    /// JSON array of other competences.
    pub other_competences: String,
    pub supersedes_id: Option<String>,
    pub superseded_by_id: Option<String>,
    pub verification_code: Option<String>,
    pub credential: Option<String>,
    pub issued_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revocation_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The number of the status list that holds the certificate's revocation bit, once issued.
    pub status_list: Option<i32>,
    /// The bit's index in that list.
    pub status_list_index: Option<i32>,
    /// The holder's birth date, sealed like the identity code.
    pub holder_birth_date_encrypted: Option<String>,
    /// The holder's id in signed credentials, set when issued.
    pub holder_subject_id: Option<String>,
    /// The learner OID's blind index, as the identity code has.
    pub holder_learner_oid_index: Option<String>,
    /// A paper certificate entered afterwards: `issued_at` is its original date.
    pub imported: bool,
}

/// What a draft's content sets.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = certificates, treat_none_as_null = true)]
pub struct ContentChanges {
    pub holder_given_names: String,
    pub holder_family_name: String,
    pub holder_birth_date_encrypted: Option<String>,
    pub holder_hetu_encrypted: Option<String>,
    pub holder_hetu_index: Option<String>,
    /// Sealed like the identity code.
    pub holder_learner_oid: Option<String>,
    pub holder_learner_oid_index: Option<String>,
    pub programme_reference: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours: Option<i32>,
    pub coach_name: String,
    pub coach_title: Option<String>,
    pub language: CertificateLanguage,
    pub other_competences: String,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations, Deserialize)]
#[diesel(table_name = certificate_units, belongs_to(CertificateRow, foreign_key = certificate_id))]
pub struct UnitRow {
    pub certificate_id: String,
    pub position: i32,
    pub qualification_code: String,
    pub unit_code: String,
    pub description: String,
    /// JSON array of skills.
    pub skills: String,
    pub hours: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations, Deserialize)]
#[diesel(table_name = certificate_environments, belongs_to(CertificateRow, foreign_key = certificate_id))]
pub struct EnvironmentLinkRow {
    pub certificate_id: String,
    pub environment_id: String,
}

/// What a certificate shows of a learning environment it names.
#[derive(Debug, Clone, Queryable, Selectable, Deserialize)]
#[diesel(table_name = crate::schema::learning_environments)]
pub struct LinkedEnvironment {
    pub id: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub municipality_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations, Deserialize)]
#[diesel(table_name = certificate_shares, belongs_to(CertificateRow, foreign_key = certificate_id))]
pub struct ShareRow {
    pub id: String,
    pub certificate_id: String,
    pub organisation_id: String,
    pub consent_given_on: NaiveDate,
    pub consent_method: ConsentMethod,
    pub shared_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    /// The provider's study right (opiskeluoikeus) OID the certificate was shared for.
    pub study_right_oid: Option<String>,
}

/// One certificate's own child rows, as its view shows them: shares only those in force.
pub struct Children {
    pub units: Vec<UnitRow>,
    pub environments: Vec<(EnvironmentLinkRow, LinkedEnvironment)>,
    pub shares: Vec<ShareRow>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certificate_events, treat_none_as_default_value = false)]
pub struct EventRow {
    pub position: i64,
    pub organisation_id: String,
    pub certificate_id: String,
    pub event: FeedEventKind,
    pub shared_with_id: Option<String>,
    pub occurred_at: NaiveDateTime,
}

/// Where a certificate's revocation bit is: a list, numbered from 1, and an index in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusEntry {
    pub list: i32,
    pub index: i32,
}

/// A value the database keeps as JSON text.
pub fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text)
        .map_err(|error| ApiError::internal(format!("stored JSON does not parse: {error}")))
}
