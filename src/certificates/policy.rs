//! Who may read and change certificates. A certificate holds a vulnerable person's data: only its
//! issuer and the organisations it is shared with now read it; everyone else gets 404.

use super::{
    domain::NOT_FOUND,
    model::{CertificateRow, ShareRow},
    repo,
};
use crate::{
    auth::{Caller, Scope},
    db::DbConnection,
    error::ApiError,
};

/// The organisation whose certificates the caller reads (`None` for an administrator: all).
pub fn reader(caller: &Caller) -> Result<Option<&str>, ApiError> {
    if caller.is_admin() {
        return Ok(None);
    }
    if !caller.scopes.contains(&Scope::CertificatesRead) && !caller.scopes.contains(&Scope::CertificatesWrite)
    {
        return Err(ApiError::InsufficientScope("certificates:read"));
    }
    caller
        .organisation_id
        .as_deref()
        .map(Some)
        .ok_or_else(|| ApiError::Forbidden("The client acts for no organisation.".to_owned()))
}

/// Reading one certificate: its issuer, administrators, and organisations it is shared with now.
pub fn can_read(conn: &mut DbConnection, caller: &Caller, row: &CertificateRow) -> Result<(), ApiError> {
    // Administrators and the issuer need no shares looked up.
    let shares = match reader(caller)? {
        Some(own) if own != row.issuer_organisation_id => {
            repo::active_shares(conn, std::slice::from_ref(&row.id))?
        }
        _ => Vec::new(),
    };
    may_read(caller, row, &shares)
}

/// [`can_read`] with the certificate's shares in force already loaded.
pub fn may_read(caller: &Caller, row: &CertificateRow, shares: &[ShareRow]) -> Result<(), ApiError> {
    let Some(own) = reader(caller)? else {
        return Ok(());
    };
    let shared = || shares.iter().any(|share| share.organisation_id == own);
    if own == row.issuer_organisation_id || shared() {
        Ok(())
    } else {
        Err(NOT_FOUND)
    }
}

/// Whether the caller sees whom a certificate is shared with: its issuer and administrators.
pub fn sees_shares(caller: &Caller, issuer: &str) -> bool {
    caller.is_admin() || caller.acts_for(issuer)
}

/// Changing a certificate (its content, lifecycle and shares): its issuer, or an administrator.
/// Others, even those it is shared with, change nothing; those who cannot read it get 404.
pub fn can_change(conn: &mut DbConnection, caller: &Caller, row: &CertificateRow) -> Result<(), ApiError> {
    can_read(conn, caller, row)?;
    if !caller.is_admin() && !caller.acts_for(&row.issuer_organisation_id) {
        return Err(ApiError::Forbidden(
            "Only the issuing organisation changes a certificate.".to_owned(),
        ));
    }
    caller.require(Scope::CertificatesWrite)
}

/// The issuer of a new certificate: the caller's organisation, or the one an administrator names.
pub fn issuer_for_new(caller: &Caller, named: Option<&str>) -> Result<String, ApiError> {
    caller.require(Scope::CertificatesWrite)?;
    match (&caller.organisation_id, named) {
        (_, Some(named)) if caller.is_admin() => Ok(named.to_owned()),
        (Some(own), None) => Ok(own.clone()),
        (Some(own), Some(named)) if own == named => Ok(own.clone()),
        (Some(_), Some(_)) => Err(ApiError::Forbidden(
            "A client issues certificates as its own organisation.".to_owned(),
        )),
        (None, _) => Err(ApiError::validation(
            "issuer_organisation_id",
            "required",
            "an administrator names the issuing organisation",
        )),
    }
}

/// Historical paper certificates are entered by the registry's administrators only, for the
/// organisation that issued them.
pub fn importer(caller: &Caller, named: Option<&str>) -> Result<String, ApiError> {
    if !caller.is_admin() {
        return Err(ApiError::Forbidden(
            "Paper certificates from before the registry are entered by its administrators.".to_owned(),
        ));
    }
    issuer_for_new(caller, named)
}
