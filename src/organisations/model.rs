//! Rows of the organisations table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::organisations::dto::{OrganisationKind, PostalAddress};
use crate::schema::organisations;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub kind: OrganisationKind,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    /// All name variants normalized for case- and accent-insensitive search.
    pub name_search: String,
    pub business_id: Option<String>,
    pub oph_oid: Option<String>,
    pub municipality_code: String,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub post_office: Option<String>,
}

impl OrganisationRow {
    /// The postal address, when one is recorded.
    pub fn address(&self) -> Option<PostalAddress> {
        Some(PostalAddress {
            street: self.street_address.clone()?,
            postal_code: self.postal_code.clone()?,
            post_office: self.post_office.clone()?,
        })
    }
}

/// A new organisation: its id and creation time, and the columns every change sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organisations)]
pub struct NewOrganisation {
    pub id: String,
    #[diesel(embed)]
    pub columns: OrganisationChanges,
    pub created_at: NaiveDateTime,
}

/// Everything an update may change; `None` clears a column.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = organisations, treat_none_as_null = true)]
pub struct OrganisationChanges {
    pub kind: OrganisationKind,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub name_search: String,
    pub business_id: Option<String>,
    pub oph_oid: Option<String>,
    pub municipality_code: String,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub post_office: Option<String>,
    pub active: bool,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}
