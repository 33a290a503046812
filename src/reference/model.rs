//! Rows of the reference tables.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::reference::dto::QualificationType;
use crate::schema::{
    competence_areas, municipalities, qualification_unit_links, qualification_units, qualifications, regions,
    unit_requirements,
};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = regions, treat_none_as_null = true)]
pub struct RegionRow {
    pub code: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub in_force: bool,
    pub placeholder: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = municipalities, treat_none_as_null = true)]
pub struct MunicipalityRow {
    pub code: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub region_code: Option<String>,
    pub in_force: bool,
    pub valid_to: Option<NaiveDate>,
    pub placeholder: bool,
}

impl MunicipalityRow {
    /// Whether new records may name this municipality: ended and placeholder codes stay
    /// readable but cannot be chosen.
    pub fn selectable(&self) -> bool {
        self.in_force && !self.placeholder
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = qualifications, treat_none_as_null = true)]
pub struct QualificationRow {
    pub code: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub name_search: String,
    pub qualification_type: QualificationType,
    pub competence_points: Option<i32>,
    pub replaced_by: Option<String>,
    pub sample: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = qualification_units, treat_none_as_null = true)]
pub struct UnitRow {
    pub code: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub competence_points: Option<i32>,
    pub sample: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = qualification_unit_links)]
pub struct UnitLinkRow {
    pub qualification_code: String,
    pub unit_code: String,
    pub position: i32,
    /// Whether the requirements make the unit compulsory; `None` when they do not say.
    pub compulsory: Option<bool>,
    /// The competence area (*osaamisala*) code the unit belongs to, when it belongs to one.
    pub competence_area: Option<String>,
}

/// The national requirements document a qualification's units come from.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = qualifications, treat_none_as_null = true)]
pub struct RequirementsDocumentRow {
    pub eperusteet_id: Option<i64>,
    pub diary_number: Option<String>,
    pub requirements_valid_from: Option<NaiveDate>,
    pub requirements_valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = competence_areas)]
pub struct CompetenceAreaRow {
    pub qualification_code: String,
    pub code: String,
    pub position: i32,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_requirements)]
pub struct UnitRequirementRow {
    pub unit_code: String,
    pub position: i32,
    pub text_fi: String,
    pub text_sv: Option<String>,
    pub text_en: Option<String>,
}
