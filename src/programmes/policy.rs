//! Who may do what to programmes: the one place these rules live.

use super::model::ProgrammeRow;
use crate::{
    auth::{Caller, Scope},
    error::ApiError,
};

/// Creating a programme: a client creates them for its own organisation.
pub fn can_create(caller: &Caller, administrator: &str) -> Result<(), ApiError> {
    caller.require(Scope::ProgrammesWrite)?;
    if caller.acts_for(administrator) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "A client creates programmes its own organisation administers.".to_owned(),
        ))
    }
}

/// Changing a programme: its administering organisation.
pub fn can_change(caller: &Caller, programme: &ProgrammeRow) -> Result<(), ApiError> {
    caller.require(Scope::ProgrammesWrite)?;
    if caller.acts_for(&programme.administrator_organisation_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only the administering organisation changes a programme.".to_owned(),
        ))
    }
}

/// Whether the caller may read programme data that is not public (participations, exact figures):
/// the administering organisation with a programmes scope, and platform administrators.
pub fn administers(caller: Option<&Caller>, programme: &ProgrammeRow) -> bool {
    caller.is_some_and(|caller| {
        caller.is_admin()
            || (caller.organisation_id.as_deref() == Some(&programme.administrator_organisation_id)
                && has_programmes_scope(caller))
    })
}

pub fn has_programmes_scope(caller: &Caller) -> bool {
    caller.scopes.contains(&Scope::ProgrammesRead) || caller.scopes.contains(&Scope::ProgrammesWrite)
}

/// The organisation that answers a partnership invitation: the caller's own, with `programmes:write`.
pub fn partner_organisation(caller: &Caller) -> Result<String, ApiError> {
    caller.require(Scope::ProgrammesWrite)?;
    caller.organisation_id.clone().ok_or_else(|| {
        ApiError::Forbidden("Only an organisation's own client answers for it as a partner.".to_owned())
    })
}
