//! Who may do what to organisations: the one place these rules live.

use super::model::OrganisationRow;
use crate::{
    auth::{Caller, Scope},
    error::ApiError,
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
