//! Who may do what to agreements: the one place these rules live.

use super::model::PartyRow;
use crate::{
    auth::{Caller, Scope},
    error::ApiError,
};

/// The organisation whose agreements the caller may read in full: its own, given an agreements scope.
pub fn reads_for(caller: Option<&Caller>) -> Option<&str> {
    let caller = caller?;
    let may_read =
        caller.scopes.contains(&Scope::AgreementsRead) || caller.scopes.contains(&Scope::AgreementsWrite);
    caller.organisation_id.as_deref().filter(|_| may_read)
}

/// Whether the caller sees the whole agreement: its parties and administrators do.
pub fn sees_everything(caller: Option<&Caller>, parties: &[PartyRow]) -> bool {
    caller.is_some_and(Caller::is_admin)
        || reads_for(caller).is_some_and(|own| parties.iter().any(|party| party.organisation_id == own))
}

/// Drafting an agreement: a client names its own organisation among the parties.
pub fn can_create(caller: &Caller, party_ids: &[&str]) -> Result<(), ApiError> {
    caller.require(Scope::AgreementsWrite)?;
    if caller.is_admin() || party_ids.iter().any(|id| caller.acts_for(id)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "A client drafts agreements its own organisation is a party to.".to_owned(),
        ))
    }
}

/// Changing an agreement, confirming, activating or terminating it: its parties (administrators
/// too, except that confirming is each party's own act). Others get 404, as if it did not exist.
pub fn can_change(caller: &Caller, parties: &[PartyRow]) -> Result<(), ApiError> {
    if !caller.is_admin()
        && !parties
            .iter()
            .any(|party| caller.acts_for(&party.organisation_id))
    {
        return Err(ApiError::NotFound {
            resource: "agreement",
        });
    }
    caller.require(Scope::AgreementsWrite)
}

/// Who issues a new agreement: the caller's organisation, or for an administrator the first party.
pub fn issuer_of(caller: &Caller, party_ids: &[&str]) -> String {
    match (&caller.organisation_id, party_ids.first()) {
        (Some(own), _) if !caller.is_admin() => own.clone(),
        (_, Some(first)) => (*first).to_owned(),
        (own, None) => own.clone().unwrap_or_default(),
    }
}

/// The party that ends an agreement: a client's own organisation, or the one an administrator
/// names; it must be a party.
pub fn terminating_party(
    caller: &Caller,
    named: Option<&str>,
    parties: &[PartyRow],
) -> Result<String, ApiError> {
    let by = match (named, caller.organisation_id.as_deref()) {
        (Some(named), _) if caller.is_admin() => named,
        (None, Some(own)) => own,
        (Some(named), Some(own)) if named == own => own,
        _ => {
            return Err(ApiError::validation(
                "organisation_id",
                "not_a_party",
                "name the party that ends the agreement (a client ends it as its own organisation)",
            ))
        }
    };
    if parties.iter().any(|party| party.organisation_id == by) {
        Ok(by.to_owned())
    } else {
        Err(ApiError::validation(
            "organisation_id",
            "not_a_party",
            "not a party of the agreement",
        ))
    }
}
