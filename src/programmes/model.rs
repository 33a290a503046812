use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::programmes::dto::{FundingInstrument, ProgrammeStatus};
use crate::schema::{
    programme_funders, programme_municipalities, programme_partners, programme_regions, programmes,
};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = programmes)]
pub struct ProgrammeRow {
    pub id: String,
    pub administrator_organisation_id: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: ProgrammeStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns a programme's content sets.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = programmes, treat_none_as_null = true)]
pub struct ProgrammeContent {
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub name_search: String,
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: ProgrammeStatus,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = programmes)]
pub struct NewProgramme {
    pub id: String,
    pub administrator_organisation_id: String,
    #[diesel(embed)]
    pub content: ProgrammeContent,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = programme_funders, belongs_to(ProgrammeRow, foreign_key = programme_id))]
pub struct FunderRow {
    pub programme_id: String,
    pub position: i32,
    pub name: String,
    pub instrument: FundingInstrument,
    pub decision_reference: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = programme_regions, belongs_to(ProgrammeRow, foreign_key = programme_id))]
pub struct RegionLinkRow {
    pub programme_id: String,
    pub region_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = programme_municipalities, belongs_to(ProgrammeRow, foreign_key = programme_id))]
pub struct MunicipalityLinkRow {
    pub programme_id: String,
    pub municipality_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = programme_partners, belongs_to(ProgrammeRow, foreign_key = programme_id))]
pub struct PartnerRow {
    pub programme_id: String,
    pub organisation_id: String,
    /// When the partner accepted; until then it is only invited and takes part in nothing.
    pub accepted_at: Option<NaiveDateTime>,
}
