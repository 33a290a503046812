//! Rows of webhook subscriptions, their deliveries and attempts, and the names of events and states.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::{
    certificates::dto::FeedEventKind,
    events::RegistryEventKind,
    schema::{webhook_attempts, webhook_deliveries, webhooks},
};

crate::text_enum! {
    /// What happened, as the `type` of a delivered event.
    pub enum EventType {
        /// A certificate was issued.
        #[serde(rename = "certificate.issued")]
        CertificateIssued,
        /// A certificate was revoked.
        #[serde(rename = "certificate.revoked")]
        CertificateRevoked,
        /// A certificate was replaced by a corrected one.
        #[serde(rename = "certificate.superseded")]
        CertificateSuperseded,
        /// A certificate was shared with an organisation.
        #[serde(rename = "certificate.shared")]
        CertificateShared,
        /// A share of a certificate ended.
        #[serde(rename = "certificate.unshared")]
        CertificateUnshared,
        /// An education provider recognised a learning environment for a unit.
        #[serde(rename = "recognition.created")]
        RecognitionCreated,
        /// A recognition was ended.
        #[serde(rename = "recognition.ended")]
        RecognitionEnded,
        /// A cooperation agreement came into force.
        #[serde(rename = "agreement.activated")]
        AgreementActivated,
        /// A cooperation agreement was terminated.
        #[serde(rename = "agreement.terminated")]
        AgreementTerminated,
        /// A learning environment was changed, deactivated or removed.
        #[serde(rename = "environment.changed")]
        EnvironmentChanged,
        /// A test event, sent on request whatever the subscription lists.
        #[serde(rename = "webhook.test")]
        Test,
    }
}

impl EventType {
    /// The event a certificate feed event is delivered as.
    pub fn of_feed(kind: FeedEventKind) -> Self {
        match kind {
            FeedEventKind::Issued => Self::CertificateIssued,
            FeedEventKind::Revoked => Self::CertificateRevoked,
            FeedEventKind::Superseded => Self::CertificateSuperseded,
            FeedEventKind::Shared => Self::CertificateShared,
            FeedEventKind::Unshared => Self::CertificateUnshared,
        }
    }

    /// The event a registry event is delivered as.
    pub fn of_registry(kind: RegistryEventKind) -> Self {
        match kind {
            RegistryEventKind::RecognitionCreated => Self::RecognitionCreated,
            RegistryEventKind::RecognitionEnded => Self::RecognitionEnded,
            RegistryEventKind::AgreementActivated => Self::AgreementActivated,
            RegistryEventKind::AgreementTerminated => Self::AgreementTerminated,
            RegistryEventKind::EnvironmentChanged => Self::EnvironmentChanged,
        }
    }
}

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum DeliveryState {
        /// Waiting for its first attempt or for a retry.
        Pending,
        /// The receiver answered 2xx.
        Delivered,
    }
}

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum DisabledReason {
        /// The subscriber turned it off.
        Requested,
        /// Too many failed attempts in a row.
        Failures,
        /// The client it belongs to was revoked or lost the scopes its events need.
        ClientInactive,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: String,
    pub client_id: String,
    pub organisation_id: String,
    pub url: String,
    /// Space-separated event types.
    pub event_types: String,
    pub description: Option<String>,
    pub secret_sealed: String,
    pub enabled: bool,
    pub disabled_reason: Option<DisabledReason>,
    pub failure_run: i32,
    pub feed_cursor: i64,
    pub retry_at: Option<NaiveDateTime>,
    pub leased_until: Option<NaiveDateTime>,
    pub lease_token: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl WebhookRow {
    /// The event types subscribed to; a stored name no variant knows is skipped, since it was
    /// checked when it was stored.
    pub fn events(&self) -> Vec<EventType> {
        self.event_types
            .split_whitespace()
            .filter_map(|name| EventType::parse(name).ok())
            .collect()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub position: i64,
    pub event_type: EventType,
    /// The JSON body, as sent: it names records, never their personal data.
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

impl DeliveryRow {
    /// A new delivery of `payload`, due at `at`.
    pub fn pending(
        webhook_id: &str,
        position: i64,
        event_type: EventType,
        payload: String,
        at: NaiveDateTime,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            webhook_id: webhook_id.to_owned(),
            position,
            event_type,
            payload,
            state: DeliveryState::Pending,
            attempts: 0,
            last_status_code: None,
            last_error: None,
            next_attempt_at: Some(at),
            created_at: at,
            delivered_at: None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Associations)]
#[diesel(table_name = webhook_attempts, belongs_to(DeliveryRow, foreign_key = delivery_id))]
pub struct AttemptRow {
    pub delivery_id: String,
    pub attempt: i32,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
}
