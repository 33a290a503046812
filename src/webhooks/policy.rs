//! Who may subscribe to what, and whose subscriptions a caller may see.

use super::model::{EventType, WebhookRow};
use crate::{
    auth::{Caller, Scope},
    clients::model::ClientRow,
    error::ApiError,
};

pub const NOT_FOUND: ApiError = ApiError::NotFound { resource: "webhook" };

/// The organisation a new subscription receives the events of: the caller's. A client acting for
/// none has no events to receive.
pub fn subscriber(caller: &Caller) -> Result<String, ApiError> {
    caller.require(Scope::WebhooksWrite)?;
    caller.organisation_id.clone().ok_or_else(|| {
        ApiError::Forbidden("Webhooks carry an organisation's events: the client acts for none.".to_owned())
    })
}

/// The scope a client needs to receive an event: the one it would read the same through the API
/// with. Recognitions and learning environments are public: they need none.
pub fn scope_of(event: EventType) -> Option<Scope> {
    use EventType::*;
    match event {
        CertificateIssued
        | CertificateRevoked
        | CertificateSuperseded
        | CertificateShared
        | CertificateUnshared => Some(Scope::CertificatesRead),
        AgreementActivated | AgreementTerminated => Some(Scope::AgreementsRead),
        RecognitionCreated | RecognitionEnded | EnvironmentChanged | Test => None,
    }
}

/// Refuses events the caller could not read through the API.
pub fn may_receive(caller: &Caller, events: &[EventType]) -> Result<(), ApiError> {
    events
        .iter()
        .filter_map(|event| scope_of(*event))
        .try_for_each(|scope| caller.require(scope))
}

/// A subscription is its client's own; administrators see every one. To anyone else it does not
/// exist.
pub fn owns(caller: &Caller, webhook: &WebhookRow) -> Result<(), ApiError> {
    caller.require(Scope::WebhooksWrite)?;
    if caller.is_admin() || caller.client_id == webhook.client_id {
        Ok(())
    } else {
        Err(NOT_FOUND)
    }
}

/// Whether the subscribing client may still receive the subscription's events: active, acting
/// for the same organisation, and granted the scopes they need.
pub fn client_may_receive(client: Option<&ClientRow>, webhook: &WebhookRow) -> bool {
    let Some(client) = client else { return false };
    let granted = client.granted_scopes();
    client.active
        && client.organisation_id.as_deref() == Some(webhook.organisation_id.as_str())
        && webhook
            .events()
            .into_iter()
            .filter_map(scope_of)
            .all(|scope| granted.contains(&scope) || granted.contains(&Scope::Admin))
}
