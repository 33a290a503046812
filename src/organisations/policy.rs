//! Who may do what to organisations: the one place these rules live.

use super::{dto::OrganisationInput, model::OrganisationRow};
use crate::{
    auth::{Caller, Scope},
    error::{ApiError, FieldError},
};

/// Registering organisations is for platform administrators: self-registration is not a feature.
pub fn can_create(caller: &Caller) -> Result<(), ApiError> {
    caller.require_admin()
}

/// A client changes only its own organisation's profile (administrators any).
pub fn can_update(caller: &Caller, organisation: &OrganisationRow) -> Result<(), ApiError> {
    caller.require(Scope::OrganisationsWrite)?;
    if caller.acts_for(&organisation.id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "A client may change only its own organisation's profile.".to_owned(),
        ))
    }
}

/// What an organisation is and may do (its kind, whether it is active, its official identifiers and
/// home municipality) is the platform administrators' to set. An organisation keeps its names and
/// contact details; a change to any other field by its own client is refused, naming each field.
pub fn can_change_fields(
    caller: &Caller,
    current: &OrganisationInput,
    changed: &OrganisationInput,
) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Ok(());
    }
    let administered = [
        ("active", current.active != changed.active),
        ("business_id", current.business_id != changed.business_id),
        ("kind", current.kind != changed.kind),
        ("municipality", current.municipality != changed.municipality),
        ("oph_oid", current.oph_oid != changed.oph_oid),
    ];
    let errors: Vec<FieldError> = administered
        .into_iter()
        .filter(|(_, differs)| *differs)
        .map(|(field, _)| {
            FieldError::new(
                field,
                "administered",
                "only platform administrators change this field",
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::ForbiddenFields(errors))
    }
}
