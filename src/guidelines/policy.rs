//! Who may do what to guidelines and signatures: the one place these rules live.

use super::model::{GuidelineRow, SignatureRow};
use crate::{
    auth::{Caller, Scope},
    error::ApiError,
    organisations::dto::OrganisationKind,
};

/// Writing guidelines: administrators, and regional networks with `guidelines:write`.
/// `caller_kind` is the kind of the caller's organisation.
pub fn can_create(caller: &Caller, caller_kind: Option<OrganisationKind>) -> Result<(), ApiError> {
    caller.require(Scope::GuidelinesWrite)?;
    if caller.is_admin() || caller_kind == Some(OrganisationKind::RegionalNetwork) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Guidelines are written by administrators and regional networks.".to_owned(),
        ))
    }
}

/// Editing a guideline or changing its status: its owner, or an administrator.
pub fn can_manage(caller: &Caller, guideline: &GuidelineRow) -> Result<(), ApiError> {
    caller.require(Scope::GuidelinesWrite)?;
    let owns = guideline
        .owner_organisation_id
        .as_deref()
        .is_some_and(|owner| caller.acts_for(owner));
    if caller.is_admin() || owns {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only the organisation that maintains a guideline may change it.".to_owned(),
        ))
    }
}

/// Signing for an organisation: the organisation itself, or an administrator on its behalf.
/// Returns the signing organisation and whether it is signed on its behalf.
pub fn can_sign(caller: &Caller, organisation_id: Option<&str>) -> Result<(String, bool), ApiError> {
    caller.require(Scope::GuidelinesWrite)?;
    match (organisation_id, caller.organisation_id.as_deref()) {
        (Some(requested), Some(own)) if requested == own => Ok((own.to_owned(), false)),
        (None, Some(own)) => Ok((own.to_owned(), false)),
        (Some(requested), _) if caller.is_admin() => Ok((requested.to_owned(), true)),
        (None, None) => Err(ApiError::validation(
            "organisation_id",
            "required",
            "name the organisation whose signature is recorded",
        )),
        _ => Err(ApiError::Forbidden(
            "A client signs only for its own organisation.".to_owned(),
        )),
    }
}

/// Withdrawing a signature: the signing organisation, or an administrator.
pub fn can_withdraw(caller: &Caller, signature: &SignatureRow) -> Result<(), ApiError> {
    caller.require(Scope::GuidelinesWrite)?;
    if caller.acts_for(&signature.organisation_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only the signing organisation may withdraw its signature.".to_owned(),
        ))
    }
}
