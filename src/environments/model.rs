//! Rows of learning environments and their lists.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::environments::dto::Sector;
use crate::schema::{learning_environment_languages, learning_environment_tasks, learning_environments};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = learning_environments)]
pub struct EnvironmentRow {
    pub id: String,
    pub organisation_id: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub sector: Sector,
    pub street_address: String,
    pub postal_code: String,
    pub post_office: Option<String>,
    pub municipality_code: String,
    pub region_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub capacity: Option<i32>,
    pub accessibility: Option<String>,
    pub contact_name: Option<String>,
    pub contact_title: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_private: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = learning_environments)]
pub struct NewEnvironment {
    pub id: String,
    pub organisation_id: String,
    #[diesel(embed)]
    pub columns: EnvironmentChanges,
    pub created_at: NaiveDateTime,
}

/// Everything an update may change; `None` clears a column.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = learning_environments, treat_none_as_null = true)]
pub struct EnvironmentChanges {
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub sector: Sector,
    pub street_address: String,
    pub postal_code: String,
    pub post_office: Option<String>,
    pub municipality_code: String,
    pub region_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub capacity: Option<i32>,
    pub accessibility: Option<String>,
    pub contact_name: Option<String>,
    pub contact_title: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_private: bool,
    pub search_text: String,
    pub active: bool,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = learning_environment_tasks)]
pub struct TaskRow {
    pub environment_id: String,
    pub position: i32,
    pub task: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = learning_environment_languages)]
pub struct LanguageRow {
    pub environment_id: String,
    pub language: String,
}
