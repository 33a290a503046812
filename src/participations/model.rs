use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::participations::dto::{
    AgeBand, EducationLevel, Gender, ImmigrantBackground, NextStep, UnemploymentDuration,
};
use crate::schema::{
    participation_certificates, participation_environments, participations, unit_completions,
};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = participations)]
pub struct ParticipationRow {
    pub id: String,
    pub programme_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub municipality_code: String,
    pub coach_organisation_id: String,
    pub gender: Gender,
    pub age_band: AgeBand,
    pub unemployment_duration: UnemploymentDuration,
    pub education_level: EducationLevel,
    pub immigrant_background: ImmigrantBackground,
    pub next_step: Option<NextStep>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns a participation's content sets.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = participations, treat_none_as_null = true)]
pub struct ParticipationContent {
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub municipality_code: String,
    pub coach_organisation_id: String,
    pub gender: Gender,
    pub age_band: AgeBand,
    pub unemployment_duration: UnemploymentDuration,
    pub education_level: EducationLevel,
    pub immigrant_background: ImmigrantBackground,
    pub next_step: Option<NextStep>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = participations)]
pub struct NewParticipation {
    pub id: String,
    pub programme_id: String,
    #[diesel(embed)]
    pub content: ParticipationContent,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = participation_environments, belongs_to(ParticipationRow, foreign_key = participation_id))]
pub struct EnvironmentLinkRow {
    pub participation_id: String,
    pub environment_id: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = participation_certificates, belongs_to(ParticipationRow, foreign_key = participation_id))]
pub struct CertificateLinkRow {
    pub participation_id: String,
    pub certificate_id: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_completions)]
pub struct CompletionRow {
    pub id: String,
    pub programme_id: String,
    pub participation_id: String,
    pub provider_organisation_id: String,
    pub qualification_code: String,
    pub unit_code: String,
    pub completed_on: NaiveDate,
    pub environment_id: Option<String>,
    pub municipality_code: String,
    pub qualification_completed: bool,
    pub recorded_by_organisation_id: Option<String>,
    pub created_at: NaiveDateTime,
}
