//! The rules of organisations: what makes a valid one, and how one changes.

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::{
    dto::{OrganisationInput, PostalAddress},
    model::{NewOrganisation, OrganisationChanges, OrganisationRow},
    repo::{self, OrganisationWithRegion},
};
use crate::{
    audit::{self, Actor, Change},
    db::DbConnection,
    error::ApiError,
    identifiers,
    reference::check_municipality,
};

/// Normalizes input that passed field validation and checks it against the reference data and
/// the other organisations.
fn check(
    conn: &mut DbConnection,
    mut input: OrganisationInput,
    own_id: Option<&str>,
) -> Result<OrganisationInput, ApiError> {
    input.name = input.name.trimmed();
    input.business_id = input
        .business_id
        .as_deref()
        .map(identifiers::business_id)
        .transpose()
        .map_err(|message| ApiError::validation("business_id", "business_id", message))?;
    input.oph_oid = input.oph_oid.map(|oid| oid.trim().to_owned());
    input.address = input.address.map(PostalAddress::trimmed);

    let mut errors = Vec::new();
    if let Err(error) = check_municipality(conn, "municipality", &input.municipality)? {
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Some(business_id) = &input.business_id {
        if repo::business_id_taken(conn, business_id, own_id)? {
            return Err(ApiError::Conflict(format!(
                "An organisation with business ID {business_id} is already registered."
            )));
        }
    }
    Ok(input)
}

/// The columns an organisation's input sets, at `version`.
fn columns(input: OrganisationInput, version: i64, at: NaiveDateTime) -> OrganisationChanges {
    OrganisationChanges {
        kind: input.kind,
        name_search: input.name.search_key(),
        name_fi: input.name.fi,
        name_sv: input.name.sv,
        name_en: input.name.en,
        business_id: input.business_id,
        oph_oid: input.oph_oid,
        municipality_code: input.municipality,
        website: input.website,
        email: input.email,
        phone: input.phone,
        street_address: input.address.as_ref().map(|address| address.street.clone()),
        postal_code: input.address.as_ref().map(|address| address.postal_code.clone()),
        post_office: input.address.map(|address| address.post_office),
        active: input.active,
        version,
        updated_at: at,
    }
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: OrganisationInput,
) -> Result<OrganisationWithRegion, ApiError> {
    let input = check(conn, input, None)?;
    let now = crate::db::now();
    let id = Uuid::now_v7().to_string();
    repo::insert(
        conn,
        &NewOrganisation {
            id: id.clone(),
            columns: columns(input, 1, now),
            created_at: now,
        },
    )?;
    audit::record(
        conn,
        actor,
        Change::new("organisation.create", "organisation", &id, Some(&id)),
    )?;
    repo::find(conn, &id)?.ok_or_else(|| ApiError::internal("organisation vanished after insert"))
}

/// Replaces the organisation's fields with `input`, provided it is still at `current.version`.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &OrganisationRow,
    input: OrganisationInput,
) -> Result<OrganisationWithRegion, ApiError> {
    let input = check(conn, input, Some(&current.id))?;
    let changes = columns(input, current.version + 1, crate::db::now());
    if !repo::update(conn, &current.id, current.version, &changes)? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        conn,
        actor,
        Change::new(
            "organisation.update",
            "organisation",
            &current.id,
            Some(&current.id),
        ),
    )?;
    repo::find(conn, &current.id)?.ok_or_else(|| ApiError::internal("organisation vanished after update"))
}
