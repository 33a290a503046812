use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::agreements::dto::{AgreementStatus, PartyRole};
use crate::schema::{
    agreement_attachments, agreement_contacts, agreement_environments, agreement_parties,
    agreement_qualifications, agreements,
};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = agreements)]
pub struct AgreementRow {
    pub id: String,
    pub issuer_organisation_id: String,
    pub reference_number: String,
    pub title: String,
    pub guideline_id: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub terms: Option<String>,
    pub status: AgreementStatus,
    pub activated_at: Option<NaiveDateTime>,
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    pub terminated_by_organisation_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns a draft's content sets.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = agreements, treat_none_as_null = true)]
pub struct AgreementContent {
    pub reference_number: String,
    pub title: String,
    pub guideline_id: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub terms: Option<String>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = agreements)]
pub struct NewAgreement {
    pub id: String,
    pub issuer_organisation_id: String,
    #[diesel(embed)]
    pub content: AgreementContent,
    pub status: AgreementStatus,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = agreement_parties, belongs_to(AgreementRow, foreign_key = agreement_id))]
pub struct PartyRow {
    pub agreement_id: String,
    pub organisation_id: String,
    pub role: PartyRole,
    pub confirmed_at: Option<NaiveDateTime>,
    pub confirmed_by_client_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = agreement_contacts, belongs_to(AgreementRow, foreign_key = agreement_id))]
pub struct ContactRow {
    pub agreement_id: String,
    pub position: i32,
    pub organisation_id: String,
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = agreement_qualifications, belongs_to(AgreementRow, foreign_key = agreement_id))]
pub struct QualificationLinkRow {
    pub agreement_id: String,
    pub qualification_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = agreement_environments, belongs_to(AgreementRow, foreign_key = agreement_id))]
pub struct EnvironmentLinkRow {
    pub agreement_id: String,
    pub environment_id: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = agreement_attachments, belongs_to(AgreementRow, foreign_key = agreement_id))]
pub struct AttachmentRow {
    pub agreement_id: String,
    pub position: i32,
    pub title: String,
    pub url: String,
}
