use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::auth::Scope;

fn not_blank(value: &str) -> Result<(), ValidationError> {
    crate::text::not_blank(value)
}

/// A client to create: either for an organisation, with scopes, or a platform administrator.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Rauma workshop's case system", "organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "scopes": ["organisations:write", "audit:read"]}))]
pub struct ClientInput {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// The organisation the client acts for; required unless `admin`.
    #[serde(default)]
    pub organisation_id: Option<String>,
    /// A platform administrator, acting for no organisation and holding every right.
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub scopes: Vec<Scope>,
}

/// A client as administrators see it; never its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "client_id": "0193a2b4-9a10-7c2e-8d1f-1a2b3c4d5e6f",
    "name": "Rauma workshop's case system",
    "organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "admin": false,
    "scopes": ["organisations:write", "audit:read"],
    "active": true,
    "created_at": "2026-11-23T08:30:00Z",
    "last_used_at": null,
    "revoked_at": null
}))]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub organisation_id: Option<String>,
    pub admin: bool,
    pub scopes: Vec<Scope>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new client with its secret, shown this once only.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "client_id": "0193a2b4-9a10-7c2e-8d1f-1a2b3c4d5e6f",
    "name": "Rauma workshop's case system",
    "organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "admin": false,
    "scopes": ["organisations:write", "audit:read"],
    "active": true,
    "created_at": "2026-11-23T08:30:00Z",
    "last_used_at": null,
    "revoked_at": null,
    "client_secret": "q8Zt1vV6m1bH3yq0Vx9q1nX2a7Lw4cR5sT6uY7iO8pA"
}))]
pub struct CreatedClient {
    #[serde(flatten)]
    pub client: Client,
    /// Store it now: only its hash is kept. `null` in a replay of the same `Idempotency-Key`.
    #[schema(example = "q8Zt1vV6m1bH3yq0Vx9q1nX2a7Lw4cR5sT6uY7iO8pA")]
    pub client_secret: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ClientFilter {
    /// Only the clients of this organisation.
    pub organisation_id: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
