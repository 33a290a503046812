//! What subscribers send and receive.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::model::{AttemptRow, DeliveryRow, DeliveryState, DisabledReason, EventType, WebhookRow};

fn not_blank(value: &str) -> Result<(), validator::ValidationError> {
    crate::text::not_blank(value)
}

/// A subscription to create, or its state to change with a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://opiskelijarekisteri.example.fi/webhooks/opinto", "events": ["certificate.issued", "certificate.revoked"], "description": "Student records"}))]
pub struct WebhookInput {
    /// Where events are POSTed: `https`, to a public address.
    #[validate(length(min = 1, max = 2000))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "https://opiskelijarekisteri.example.fi/webhooks/opinto"
    )]
    pub url: String,
    /// The events to send; `webhook.test` is sent on request whatever this lists.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub events: Vec<EventType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub description: Option<String>,
    /// `false` stops deliveries, which wait; `true` resumes a subscription disabled for any
    /// reason, retrying at once.
    #[serde(default = "enabled")]
    #[schema(default = true)]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

/// A subscription; never its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-d000-7000-8000-000000000001",
    "url": "https://opiskelijarekisteri.example.fi/webhooks/opinto",
    "events": ["certificate.issued", "certificate.revoked"],
    "description": "Student records",
    "organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "enabled": true,
    "disabled_reason": null,
    "version": 1,
    "created_at": "2026-12-07T08:30:00Z",
    "updated_at": "2026-12-07T08:30:00Z"
}))]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<EventType>,
    pub description: Option<String>,
    /// The organisation whose events it receives: the subscribing client's.
    pub organisation_id: String,
    pub enabled: bool,
    /// Why it is disabled: `requested`, `failures` (too many failed attempts in a row) or
    /// `client_inactive`.
    pub disabled_reason: Option<DisabledReason>,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::concurrency::Versioned for Webhook {
    fn version(&self) -> i64 {
        self.version
    }
}

impl From<&WebhookRow> for Webhook {
    fn from(row: &WebhookRow) -> Self {
        Self {
            id: row.id.clone(),
            url: row.url.clone(),
            events: row.events(),
            description: row.description.clone(),
            organisation_id: row.organisation_id.clone(),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

impl From<&Webhook> for WebhookInput {
    fn from(webhook: &Webhook) -> Self {
        Self {
            url: webhook.url.clone(),
            events: webhook.events.clone(),
            description: webhook.description.clone(),
            enabled: webhook.enabled,
        }
    }
}

/// A new subscription with its signing secret, shown this once only.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-d000-7000-8000-000000000001",
    "url": "https://opiskelijarekisteri.example.fi/webhooks/opinto",
    "events": ["certificate.issued", "certificate.revoked"],
    "description": "Student records",
    "organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "enabled": true,
    "disabled_reason": null,
    "version": 1,
    "created_at": "2026-12-07T08:30:00Z",
    "updated_at": "2026-12-07T08:30:00Z",
    "secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD5iOiM+9eT1w="
}))]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The Standard Webhooks signing secret. Store it now; `null` in a replay of the same
    /// `Idempotency-Key`.
    #[schema(example = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD5iOiM+9eT1w=")]
    pub secret: Option<String>,
}

impl crate::concurrency::Versioned for CreatedWebhook {
    fn version(&self) -> i64 {
        self.webhook.version
    }
}

/// One try at delivering an event.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"attempt": 1, "attempted_at": "2026-12-07T08:30:01Z", "status_code": 503, "error": null, "duration_ms": 41}))]
pub struct Attempt {
    /// 1 for the first try.
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status code; `null` when no answer came.
    pub status_code: Option<i32>,
    /// Why no answer came (connection refused, timeout, refused address).
    pub error: Option<String>,
    pub duration_ms: i32,
}

impl From<AttemptRow> for Attempt {
    fn from(row: AttemptRow) -> Self {
        Self {
            attempt: row.attempt,
            attempted_at: row.attempted_at.and_utc(),
            status_code: row.status_code,
            error: row.error,
            duration_ms: row.duration_ms,
        }
    }
}

/// One event for one subscription, and every try at delivering it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-d100-7000-8000-000000000001",
    "event_type": "certificate.issued",
    "position": 1042,
    "state": "pending",
    "payload": {"type": "certificate.issued", "timestamp": "2026-12-07T08:30:00Z", "data": {"certificate_id": "0193a2b4-c000-7000-8000-000000000001", "position": 1042, "shared_with": null, "url": "https://opinto.example.fi/v1/certificates/0193a2b4-c000-7000-8000-000000000001"}},
    "next_attempt_at": "2026-12-07T08:30:06Z",
    "created_at": "2026-12-07T08:30:00Z",
    "delivered_at": null,
    "attempts": [{"attempt": 1, "attempted_at": "2026-12-07T08:30:01Z", "status_code": 503, "error": null, "duration_ms": 41}]
}))]
pub struct Delivery {
    /// The `webhook-id` header: the same on every retry, for the receiver to drop duplicates.
    pub id: String,
    pub event_type: EventType,
    /// The event's position in the certificate feed (0 for a test event).
    pub position: i64,
    /// `pending` until the receiver answers 2xx, then `delivered`.
    pub state: DeliveryState,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// When the next try is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempts: Vec<Attempt>,
}

impl Delivery {
    pub fn new(row: DeliveryRow, attempts: Vec<Attempt>) -> Self {
        Self {
            payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
            id: row.id,
            event_type: row.event_type,
            position: row.position,
            state: row.state,
            next_attempt_at: match row.state {
                DeliveryState::Pending => row.next_attempt_at.map(|at| at.and_utc()),
                DeliveryState::Delivered => None,
            },
            created_at: row.created_at.and_utc(),
            delivered_at: row.delivered_at.map(|at| at.and_utc()),
            attempts,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PageFilter {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
