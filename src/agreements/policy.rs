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
