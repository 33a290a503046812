//! Who sees which recognitions: a recognition of another organisation's environment that its
//! owner has not consented to is the provider's and the owner's business only.

use super::{dto::OwnerConsent, model::RecognitionRow, repo::Visible};
use crate::auth::Caller;

/// What `caller` sees of the recognitions of an environment `owner` owns.
pub fn visible<'a>(caller: Option<&'a Caller>, owner: &str) -> Visible<'a> {
    match caller {
        Some(caller) if caller.acts_for(owner) => Visible::All,
        Some(caller) => Visible::Consented(caller.organisation_id.as_deref()),
        None => Visible::Consented(None),
    }
}

/// Whether `row` is among what `visible` lets a reader see.
pub fn sees(visible: Visible<'_>, row: &RecognitionRow) -> bool {
    match visible {
        Visible::All => true,
        Visible::Consented(own) => {
            own == Some(row.provider_organisation_id.as_str())
                || match row.owner_consent {
                    OwnerConsent::Own | OwnerConsent::Accepted => true,
                    OwnerConsent::Pending => row.agreement_id.is_some(),
                    _ => false,
                }
        }
    }
}
