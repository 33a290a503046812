use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::guidelines::dto::GuidelineStatus;
use crate::schema::{guideline_regions, guideline_signatures, guidelines};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = guidelines)]
pub struct GuidelineRow {
    pub id: String,
    pub title_fi: String,
    pub title_sv: Option<String>,
    pub title_en: Option<String>,
    pub title_search: String,
    pub version_label: String,
    pub summary: Option<String>,
    pub adopted_on: Option<NaiveDate>,
    pub adopting_body: Option<String>,
    pub national: bool,
    pub full_text_url: Option<String>,
    pub status: GuidelineStatus,
    pub superseded_by: Option<String>,
    pub owner_organisation_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns a guideline's content sets; status changes go through their own actions.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = guidelines, treat_none_as_null = true)]
pub struct GuidelineContent {
    pub title_fi: String,
    pub title_sv: Option<String>,
    pub title_en: Option<String>,
    pub title_search: String,
    pub version_label: String,
    pub summary: Option<String>,
    pub adopted_on: Option<NaiveDate>,
    pub adopting_body: Option<String>,
    pub national: bool,
    pub full_text_url: Option<String>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = guidelines)]
pub struct NewGuideline {
    pub id: String,
    #[diesel(embed)]
    pub content: GuidelineContent,
    pub status: GuidelineStatus,
    pub owner_organisation_id: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = guideline_regions)]
pub struct GuidelineRegionRow {
    pub guideline_id: String,
    pub region_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = guideline_signatures)]
pub struct SignatureRow {
    pub id: String,
    pub guideline_id: String,
    pub organisation_id: String,
    pub region_code: String,
    pub signer_name: String,
    pub signer_title: Option<String>,
    pub signed_on: NaiveDate,
    pub commitments: Option<String>,
    pub recorded_on_behalf: bool,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
