//! Who may do what to learning environments and their recognitions.

use crate::{
    auth::{Caller, Scope},
    error::ApiError,
};

/// Writing an environment: its owning organisation (or an administrator), with `environments:write`.
pub fn can_write(caller: &Caller, owner_organisation_id: &str) -> Result<(), ApiError> {
    caller.require(Scope::EnvironmentsWrite)?;
    if caller.acts_for(owner_organisation_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "A client writes only its own organisation's learning environments.".to_owned(),
        ))
    }
}

/// Whether the caller sees the private fields of the environment's contact person.
pub fn sees_private(caller: Option<&Caller>, owner_organisation_id: &str) -> bool {
    caller.is_some_and(|caller| caller.acts_for(owner_organisation_id))
}

/// The organisation a new environment belongs to: the caller's own, or the one an administrator names.
pub fn owner_for_new(caller: &Caller, named: Option<&str>) -> Result<String, ApiError> {
    match (named, caller.organisation_id.as_deref()) {
        (Some(named), _) if caller.is_admin() => Ok(named.to_owned()),
        (Some(named), Some(own)) if named == own => Ok(own.to_owned()),
        (None, Some(own)) if !caller.is_admin() => Ok(own.to_owned()),
        (None, _) => Err(ApiError::validation(
            "organisation_id",
            "required",
            "an administrator names the organisation that owns the environment",
        )),
        _ => Err(ApiError::Forbidden(
            "A client creates learning environments only for its own organisation.".to_owned(),
        )),
    }
}
