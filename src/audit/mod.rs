//! The append-only audit log: who did what to which record, when, in which request.
//!
//! Entries are written in the same transaction as the change they describe. No route updates or
//! deletes them, and database triggers refuse UPDATE and DELETE on the table.

pub mod dto;
pub mod handlers;
pub mod repo;

use diesel::prelude::*;
use uuid::Uuid;

use crate::{auth::Caller, db::DbConnection, schema::audit_log};

/// Who made a change: a client in a request, or an operator at the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub client_id: Option<String>,
    pub organisation_id: Option<String>,
    pub request_id: String,
}

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Self {
        Self {
            client_id: Some(caller.client_id.clone()),
            organisation_id: caller.organisation_id.clone(),
            request_id: caller.request_id.clone(),
        }
    }
}

impl Actor {
    /// The holder, through their access link or their wallet: no client, no organisation.
    pub fn holder(request: &actix_web::HttpRequest) -> Self {
        use actix_web::HttpMessage;
        Self {
            client_id: None,
            organisation_id: None,
            request_id: request
                .extensions()
                .get::<crate::request_context::RequestId>()
                .map(|id| id.0.clone())
                .unwrap_or_default(),
        }
    }

    /// An operator using the command line on the server.
    pub fn command_line() -> Self {
        Self {
            client_id: None,
            organisation_id: None,
            request_id: format!("cli-{}", Uuid::now_v7()),
        }
    }
}

/// What happened to which record, and whose record it is.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    /// The organisation the record belongs to: it may read this entry.
    pub owner_organisation_id: Option<&'a str>,
}

impl<'a> Change<'a> {
    pub fn new(
        action: &'a str,
        resource_type: &'a str,
        resource_id: &'a str,
        owner_organisation_id: Option<&'a str>,
    ) -> Self {
        Self {
            action,
            resource_type,
            resource_id,
            owner_organisation_id,
        }
    }
}

/// Absent values are inserted as NULL, not left to the column default, so that the statement has
/// one shape and stays prepared.
#[derive(Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct NewEntry<'a> {
    id: String,
    occurred_at: chrono::NaiveDateTime,
    client_id: Option<&'a str>,
    organisation_id: Option<&'a str>,
    action: &'a str,
    resource_type: &'a str,
    resource_id: &'a str,
    owner_organisation_id: Option<&'a str>,
    request_id: &'a str,
    outcome: &'a str,
}

/// Appends an entry for a change that succeeds with the transaction it is written in.
pub fn record(conn: &mut DbConnection, actor: &Actor, change: Change<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(NewEntry {
            id: Uuid::now_v7().to_string(),
            occurred_at: crate::db::now(),
            client_id: actor.client_id.as_deref(),
            organisation_id: actor.organisation_id.as_deref(),
            action: change.action,
            resource_type: change.resource_type,
            resource_id: change.resource_id,
            owner_organisation_id: change.owner_organisation_id,
            request_id: &actor.request_id,
            outcome: "success",
        })
        .execute(conn)
        .map(drop)
}
