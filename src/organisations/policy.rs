//! Who may do what to organisations: the one place these rules live.

use super::model::OrganisationRow;
use crate::{auth::Caller, error::ApiError};

/// Creating an organisation. Open while authentication is not switched on.
pub fn can_create(caller: &Caller) -> Result<(), ApiError> {
    match caller {
        Caller::Anonymous => Ok(()),
    }
}

/// Changing an organisation's profile. Open while authentication is not switched on.
pub fn can_update(caller: &Caller, _organisation: &OrganisationRow) -> Result<(), ApiError> {
    match caller {
        Caller::Anonymous => Ok(()),
    }
}
