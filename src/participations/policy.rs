//! Who may read and write participations and completed units: the one place these rules live.

use super::model::{CompletionRow, ParticipationRow};
use crate::{
    auth::{Caller, Scope},
    error::ApiError,
    programmes::{model::ProgrammeRow, policy::has_programmes_scope},
};

/// Which participations of a programme a caller reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// The administering organisation (and platform administrators): every participation.
    All,
    /// A partner: the participations it coaches.
    CoachedBy(String),
}

impl Reach {
    pub fn covers(&self, participation: &ParticipationRow) -> bool {
        match self {
            Reach::All => true,
            Reach::CoachedBy(own) => &participation.coach_organisation_id == own,
        }
    }

    pub fn coach_filter(&self) -> Option<&str> {
        match self {
            Reach::All => None,
            Reach::CoachedBy(own) => Some(own),
        }
    }
}

/// What the caller reaches of a programme's participations, if anything. Outsiders learn nothing
/// about them, not even that they exist: 404.
pub fn reach(caller: &Caller, programme: &ProgrammeRow, is_partner: bool) -> Result<Reach, ApiError> {
    if caller.is_admin() {
        return Ok(Reach::All);
    }
    let own = caller.organisation_id.as_deref().unwrap_or_default();
    let reach = if own == programme.administrator_organisation_id {
        Reach::All
    } else if is_partner {
        Reach::CoachedBy(own.to_owned())
    } else {
        return Err(ApiError::NotFound {
            resource: "programme participation",
        });
    };
    if has_programmes_scope(caller) {
        Ok(reach)
    } else {
        Err(ApiError::InsufficientScope(Scope::ProgrammesRead.as_str()))
    }
}

/// Writing participations: `programmes:write` within the caller's reach.
pub fn can_write(reach: &Reach, caller: &Caller, coach_organisation_id: &str) -> Result<(), ApiError> {
    caller.require(Scope::ProgrammesWrite)?;
    match reach {
        Reach::CoachedBy(own) if own != coach_organisation_id => Err(ApiError::Forbidden(
            "A partner records the participations it coaches.".to_owned(),
        )),
        _ => Ok(()),
    }
}

/// Recording a completed unit: the education provider itself, or the programme's administrator on
/// its behalf, under `certificates:write`.
pub fn can_record_completion(
    caller: &Caller,
    programme: &ProgrammeRow,
    provider: &str,
) -> Result<(), ApiError> {
    caller.require(Scope::CertificatesWrite)?;
    if caller.acts_for(provider) || caller.acts_for(&programme.administrator_organisation_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "An education provider records its own completions; the programme's administrator records them on its behalf."
                .to_owned(),
        ))
    }
}

/// Removing a recorded completion: whoever could have recorded it.
pub fn can_remove_completion(
    caller: &Caller,
    programme: &ProgrammeRow,
    completion: &CompletionRow,
) -> Result<(), ApiError> {
    can_record_completion(caller, programme, &completion.provider_organisation_id)
}

/// Whose completions of a participation the caller reads: all of them (`None`) for those who reach
/// the participation, or a partner education provider's own (`Some(provider)`).
pub fn completion_reader(
    caller: &Caller,
    programme: &ProgrammeRow,
    is_partner: bool,
    participation: &ParticipationRow,
) -> Result<Option<String>, ApiError> {
    if let Ok(reach) = reach(caller, programme, is_partner) {
        if reach.covers(participation) {
            return Ok(None);
        }
    }
    let reads_certificates =
        caller.scopes.contains(&Scope::CertificatesRead) || caller.scopes.contains(&Scope::CertificatesWrite);
    match &caller.organisation_id {
        Some(own) if is_partner && reads_certificates => Ok(Some(own.clone())),
        _ => Err(ApiError::NotFound {
            resource: "programme participation",
        }),
    }
}
