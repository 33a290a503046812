use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::schema::audit_log;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub client_id: Option<String>,
    pub organisation_id: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub owner_organisation_id: Option<String>,
    pub request_id: String,
    pub outcome: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-a001-7000-8000-000000000001",
    "occurred_at": "2026-11-23T08:31:00Z",
    "client_id": "0193a2b4-9a10-7c2e-8d1f-1a2b3c4d5e6f",
    "organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "action": "organisation.update",
    "resource_type": "organisation",
    "resource_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "owner_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "request_id": "0193a2b4-a000-7000-8000-00000000000a",
    "outcome": "success"
}))]
pub struct AuditEntry {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// The client that acted; absent for the command line.
    pub client_id: Option<String>,
    /// The organisation the client acted for.
    pub organisation_id: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    /// The organisation whose record it is.
    pub owner_organisation_id: Option<String>,
    pub request_id: String,
    pub outcome: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            occurred_at: row.occurred_at.and_utc(),
            client_id: row.client_id,
            organisation_id: row.organisation_id,
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            owner_organisation_id: row.owner_organisation_id,
            request_id: row.request_id,
            outcome: row.outcome,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// e.g. `organisation`, `client`.
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub client_id: Option<String>,
    /// Entries at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
