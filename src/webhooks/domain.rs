//! Subscribing, changing and ending subscriptions, redelivering and testing: each change audited
//! in its own transaction.

use uuid::Uuid;

use super::{
    address,
    model::{DeliveryRow, DeliveryState, DisabledReason, EventType, WebhookRow},
    policy::NOT_FOUND,
    repo, signing,
};
use crate::{
    audit::{self, Actor, Change},
    certificates::protection::PersonalDataKey,
    config::WebhookConfig,
    db::{now, DbConnection},
    error::{ApiError, FieldError},
};

const RESOURCE: &str = "webhook";

/// Checks what the fields cannot say alone: the URL's scheme and address; keeps each event once.
fn checked(
    mut input: super::dto::WebhookInput,
    config: &WebhookConfig,
) -> Result<super::dto::WebhookInput, ApiError> {
    address::check_url(&input.url, config)
        .map_err(|message| ApiError::Validation(vec![FieldError::new("url", "webhook_url", message)]))?;
    let mut seen = Vec::with_capacity(input.events.len());
    input.events.retain(|event| {
        let first = !seen.contains(event);
        seen.push(*event);
        first
    });
    Ok(input)
}

fn joined(events: &[EventType]) -> String {
    events
        .iter()
        .map(|event| event.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Subscribes `client_id` of `organisation_id`: events from now on. Returns the secret, which is
/// stored only sealed.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    (client_id, organisation_id): (&str, &str),
    input: super::dto::WebhookInput,
    (config, key): (&WebhookConfig, &PersonalDataKey),
) -> Result<(WebhookRow, String), ApiError> {
    let input = checked(input, config)?;
    let secret = signing::new_secret()?;
    let at = now();
    let row = WebhookRow {
        id: Uuid::now_v7().to_string(),
        client_id: client_id.to_owned(),
        organisation_id: organisation_id.to_owned(),
        url: input.url,
        event_types: joined(&input.events),
        description: input.description,
        secret_sealed: key
            .encrypt(&secret)
            .map_err(|error| ApiError::internal(error.to_string()))?,
        enabled: input.enabled,
        disabled_reason: (!input.enabled).then_some(DisabledReason::Requested),
        failure_run: 0,
        feed_cursor: repo::feed_end(conn)?,
        retry_at: None,
        // Never served: first in line (see `repo::due`).
        leased_until: Some(at),
        lease_token: None,
        created_at: at,
        updated_at: at,
        version: 1,
    };
    repo::insert(conn, &row)?;
    audit::record(
        conn,
        actor,
        Change::new("webhook.create", RESOURCE, &row.id, Some(organisation_id)),
    )?;
    Ok((row, secret))
}

/// Applies a changed state. Enabling again forgets the failures and retries at once.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &WebhookRow,
    input: super::dto::WebhookInput,
    config: &WebhookConfig,
) -> Result<WebhookRow, ApiError> {
    let input = checked(input, config)?;
    let mut row = current.clone();
    row.url = input.url;
    row.event_types = joined(&input.events);
    row.description = input.description;
    if input.enabled != current.enabled {
        row.enabled = input.enabled;
        row.disabled_reason = (!input.enabled).then_some(DisabledReason::Requested);
    }
    row.updated_at = now();
    row.version += 1;
    repo::save(conn, &row)?;
    if row.enabled && !current.enabled {
        // A fresh start: the failures are forgotten and what waits goes at once.
        repo::succeeded(conn, &row.id)?;
        repo::pending_due(conn, &row.id, row.updated_at)?;
    }
    audit::record(
        conn,
        actor,
        Change::new("webhook.update", RESOURCE, &row.id, Some(&row.organisation_id)),
    )?;
    Ok(row)
}

pub fn delete(conn: &mut DbConnection, actor: &Actor, current: &WebhookRow) -> Result<(), ApiError> {
    repo::delete(conn, &current.id)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "webhook.delete",
            RESOURCE,
            &current.id,
            Some(&current.organisation_id),
        ),
    )?;
    Ok(())
}

/// Sends a delivery again, now: it goes before the events still waiting, since it is older.
pub fn redeliver(
    conn: &mut DbConnection,
    actor: &Actor,
    webhook: &WebhookRow,
    delivery_id: &str,
) -> Result<DeliveryRow, ApiError> {
    let mut delivery =
        repo::delivery(conn, &webhook.id, delivery_id)?.ok_or(ApiError::NotFound { resource: "delivery" })?;
    delivery.state = DeliveryState::Pending;
    delivery.next_attempt_at = Some(now());
    delivery.delivered_at = None;
    repo::save_delivery(conn, &delivery)?;
    repo::retry_now(conn, &webhook.id)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "webhook.redeliver",
            RESOURCE,
            &webhook.id,
            Some(&webhook.organisation_id),
        ),
    )?;
    Ok(delivery)
}

/// Queues a `webhook.test` event for the subscription, ahead of every other.
pub fn test_event(
    conn: &mut DbConnection,
    actor: &Actor,
    webhook: &WebhookRow,
) -> Result<DeliveryRow, ApiError> {
    let at = now();
    let payload = serde_json::json!({
        "type": EventType::Test.as_str(),
        "timestamp": at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": {"webhook_id": webhook.id},
    });
    let delivery = DeliveryRow::pending(&webhook.id, 0, EventType::Test, payload.to_string(), at);
    repo::insert_delivery(conn, &delivery)?;
    repo::retry_now(conn, &webhook.id)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "webhook.test",
            RESOURCE,
            &webhook.id,
            Some(&webhook.organisation_id),
        ),
    )?;
    Ok(delivery)
}

/// The subscription, if it exists.
pub fn find(conn: &mut DbConnection, id: &str) -> Result<WebhookRow, ApiError> {
    repo::find(conn, id)?.ok_or(NOT_FOUND)
}

/// Seals anew, under the current personal data key, every signing secret another key sealed; how
/// many. Part of a personal data key rotation.
pub fn reseal_secrets(conn: &mut DbConnection, key: &PersonalDataKey) -> Result<usize, ApiError> {
    let prefix = key.current_prefix();
    let stale: Vec<(String, String)> = repo::secrets(conn)?
        .into_iter()
        .filter(|(_, sealed)| !sealed.starts_with(&prefix))
        .collect();
    crate::db::write_transaction(conn, |conn| {
        for (id, sealed) in &stale {
            let secret = key
                .decrypt(sealed)
                .map_err(|error| ApiError::internal(error.to_string()))?;
            let resealed = key
                .encrypt(&secret)
                .map_err(|error| ApiError::internal(error.to_string()))?;
            repo::set_secret(conn, id, &resealed)?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(stale.len())
}
