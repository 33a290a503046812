//! Delivery: each instance looks for subscriptions with work, leases a few, turns their new feed
//! events into deliveries and sends them in position order, one at a time per subscription, so
//! that a receiver sees events in the order they happened. A failure holds the subscription back
//! with exponential backoff (retrying the same event first); a crash between sending and recording
//! leaves the lease to expire and the event to be sent again: delivery is at least once, and
//! receivers drop duplicates by `webhook-id`.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use actix_web::{http::header, web};
use chrono::TimeDelta;
use diesel::QueryResult;
use uuid::Uuid;

use super::{
    address,
    model::{AttemptRow, DeliveryRow, DeliveryState, DisabledReason, EventType, WebhookRow},
    policy, repo, signing,
};
use crate::{
    certificates::{self, protection::PersonalDataKey},
    clients,
    config::WebhookConfig,
    db::{now, write_transaction, Db, DbConnection},
    error::ApiError,
};

/// Subscriptions one instance serves at once.
const LEASES_PER_ROUND: i64 = 8;
/// Feed events turned into deliveries per round, and deliveries sent per subscription per round.
const EVENTS_PER_ROUND: i64 = 100;
const SENDS_PER_ROUND: usize = 20;
/// How long a lease outlasts the send it is taken or renewed for: a crashed instance's
/// subscriptions pass to another within twice the timeout and this.
const LEASE_MARGIN: TimeDelta = TimeDelta::seconds(5);
/// The longest wait between retries.
const MAX_BACKOFF_MS: u64 = 12 * 60 * 60 * 1000;
/// How much of a receiver's answer is kept in the log.
const ERROR_CHARS: usize = 300;

/// The delivering loop of this process: started by the first HTTP worker, so that it stops with
/// the server.
pub struct Dispatcher {
    db: Db,
    key: web::Data<PersonalDataKey>,
    public_url: String,
    config: WebhookConfig,
    running: Arc<AtomicBool>,
}

/// Lets another worker start the loop once the one running it has stopped.
struct Running(Arc<AtomicBool>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Dispatcher {
    pub fn new(
        db: Db,
        key: web::Data<PersonalDataKey>,
        public_url: String,
        config: WebhookConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            db,
            key,
            public_url,
            config,
            running: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Starts the loop on the calling worker's runtime, unless it runs already.
    pub fn start_here(self: &Arc<Self>) {
        if !self.config.deliver || self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let this = Arc::clone(self);
        actix_web::rt::spawn(async move {
            let _running = Running(Arc::clone(&this.running));
            let client = this.client();
            loop {
                if let Err(error) = this.round(&client).await {
                    tracing::warn!("webhook delivery round failed: {error}");
                }
                actix_web::rt::time::sleep(Duration::from_millis(this.config.poll_ms)).await;
            }
        });
    }

    /// The HTTP client: TLS with the Mozilla roots, the guarded resolver, no redirects (a
    /// redirect could lead anywhere), the configured timeout.
    fn client(&self) -> awc::Client {
        let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // ring rather than aws-lc-rs, which would add a large C build: rustls deprecates ring's
        // provider only for its lack of post-quantum key exchange, and events carry no personal data.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let connector = awc::Connector::new()
            .connector(
                actix_tls::connect::Connector::new(actix_tls::connect::Resolver::custom(
                    address::GuardedResolver { config: self.config },
                ))
                .service(),
            )
            .timeout(Duration::from_secs(self.config.timeout_secs));
        let connector = match rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
        {
            Ok(builder) => connector.rustls_0_23(Arc::new(
                builder.with_root_certificates(roots).with_no_client_auth(),
            )),
            Err(error) => {
                tracing::error!("webhooks cannot use TLS: {error}");
                connector
            }
        };
        awc::Client::builder()
            .connector(connector)
            .disable_redirects()
            .timeout(Duration::from_secs(self.config.timeout_secs))
            .add_default_header((
                header::USER_AGENT,
                concat!("opinto-registry-webhooks/", env!("CARGO_PKG_VERSION")),
            ))
            .finish()
    }

    /// Leases the subscriptions with work and serves them side by side.
    async fn round(&self, client: &awc::Client) -> Result<(), ApiError> {
        let token = Uuid::now_v7().to_string();
        let lease_token = token.clone();
        let lease = self.lease();
        let leased = self
            .db
            .run(move |conn| {
                // Most rounds find nothing: they only read, leaving SQLite's one writer free.
                if repo::due(conn, now(), 1)?.is_empty() {
                    return Ok(Vec::new());
                }
                write_transaction(conn, |conn| {
                    let at = now();
                    let mut leased = Vec::new();
                    for id in repo::due(conn, at, LEASES_PER_ROUND)? {
                        if repo::lease(conn, &id, &lease_token, at, at + lease)? {
                            leased.push(id);
                        }
                    }
                    Ok::<_, ApiError>(leased)
                })
            })
            .await?;
        let serving = leased.iter().map(|id| self.serve(client, id, &token));
        futures_util::future::join_all(serving).await;
        Ok(())
    }

    /// A lease long enough for one send: connecting and answering may each take the timeout.
    fn lease(&self) -> TimeDelta {
        let timeout = i64::try_from(self.config.timeout_secs).unwrap_or(i64::MAX / 4000);
        TimeDelta::seconds(timeout * 2) + LEASE_MARGIN
    }

    /// Serves one leased subscription, then gives its lease back.
    async fn serve(&self, client: &awc::Client, id: &str, token: &str) {
        if let Err(error) = self.deliver_due(client, id, token).await {
            tracing::warn!(webhook = id, "webhook delivery stopped: {error}");
        }
        let (id, token) = (id.to_owned(), token.to_owned());
        if let Err(error) = self
            .db
            .run(move |conn| Ok::<_, ApiError>(repo::release(conn, &id, &token, now())?))
            .await
        {
            tracing::warn!("cannot release a webhook lease: {error}");
        }
    }

    async fn deliver_due(&self, client: &awc::Client, id: &str, token: &str) -> Result<(), ApiError> {
        let Some(webhook) = self.refresh(id).await? else {
            return Ok(());
        };
        let secret = self
            .key
            .decrypt(&webhook.secret_sealed)
            .map_err(|error| ApiError::internal(format!("cannot open a webhook secret: {error}")))?;
        for _ in 0..SENDS_PER_ROUND {
            let (webhook_id, token, lease) = (webhook.id.clone(), token.to_owned(), self.lease());
            let head = self
                .db
                .run(move |conn| {
                    // Renewed for each send, so that a lease never runs out in the middle of one.
                    let at = now();
                    if !repo::renew(conn, &webhook_id, &token, at + lease)? {
                        return Ok::<_, ApiError>(None);
                    }
                    Ok(repo::head(conn, &webhook_id)?)
                })
                .await?;
            let Some(delivery) = head else {
                break;
            };
            if delivery.next_attempt_at.is_some_and(|at| at > now()) {
                break;
            }
            let outcome = self.send(client, &webhook, &secret, &delivery).await;
            if !self.record(&webhook, delivery, outcome).await? {
                break;
            }
        }
        Ok(())
    }

    /// Checks that the subscribing client may still receive the events, then turns the feed events
    /// after the subscription's cursor into deliveries. `None` when there is nothing to send to.
    async fn refresh(&self, id: &str) -> Result<Option<WebhookRow>, ApiError> {
        let (id, base) = (id.to_owned(), self.public_url.clone());
        self.db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    let Some(webhook) = repo::find(conn, &id)?.filter(|webhook| webhook.enabled) else {
                        return Ok(None);
                    };
                    let client = clients::repo::find(conn, &webhook.client_id)?;
                    if !policy::client_may_receive(client.as_ref(), &webhook) {
                        repo::disable(conn, &id, DisabledReason::ClientInactive, None, now())?;
                        return Ok(None);
                    }
                    enqueue_feed(conn, &webhook, &base)?;
                    Ok::<_, ApiError>(Some(webhook))
                })
            })
            .await
    }

    /// One POST of a delivery, signed for this attempt.
    async fn send(
        &self,
        client: &awc::Client,
        webhook: &WebhookRow,
        secret: &str,
        delivery: &DeliveryRow,
    ) -> Outcome {
        let started = Instant::now();
        let result = self.post(client, webhook, secret, delivery).await;
        let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        match result {
            Ok(status) => Outcome {
                status_code: Some(i32::from(status.as_u16())),
                error: None,
                delivered: status.is_success(),
                duration_ms,
            },
            Err(error) => Outcome {
                status_code: None,
                error: Some(error.chars().take(ERROR_CHARS).collect()),
                delivered: false,
                duration_ms,
            },
        }
    }

    async fn post(
        &self,
        client: &awc::Client,
        webhook: &WebhookRow,
        secret: &str,
        delivery: &DeliveryRow,
    ) -> Result<awc::http::StatusCode, String> {
        // Addresses written as such are not resolved, so the resolver's check does not see them.
        address::check_url(&webhook.url, &self.config)?;
        let timestamp = chrono::Utc::now().timestamp();
        let signature = signing::signature(secret, &delivery.id, timestamp, delivery.payload.as_bytes())
            .map_err(|error| error.to_string())?;
        let response = client
            .post(&webhook.url)
            .insert_header(("webhook-id", delivery.id.as_str()))
            .insert_header(("webhook-timestamp", timestamp.to_string()))
            .insert_header(("webhook-signature", signature))
            .content_type("application/json")
            .send_body(delivery.payload.clone())
            .await
            .map_err(|error| error.to_string())?;
        Ok(response.status())
    }

    /// Records an attempt; true when the delivery went through and the next may follow.
    async fn record(
        &self,
        webhook: &WebhookRow,
        mut delivery: DeliveryRow,
        outcome: Outcome,
    ) -> Result<bool, ApiError> {
        let at = now();
        delivery.attempts += 1;
        delivery.last_status_code = outcome.status_code;
        delivery.last_error = outcome.error.clone();
        let retry_at = at + TimeDelta::milliseconds(backoff_ms(self.config.retry_base_ms, delivery.attempts));
        if outcome.delivered {
            delivery.state = DeliveryState::Delivered;
            delivery.delivered_at = Some(at);
            delivery.next_attempt_at = None;
        } else {
            delivery.next_attempt_at = Some(retry_at);
        }
        let attempt = AttemptRow {
            delivery_id: delivery.id.clone(),
            attempt: delivery.attempts,
            attempted_at: at,
            status_code: outcome.status_code,
            error: outcome.error,
            duration_ms: outcome.duration_ms,
        };
        let (id, limit) = (
            webhook.id.clone(),
            i32::try_from(self.config.disable_after_failures).unwrap_or(i32::MAX),
        );
        let delivered = outcome.delivered;
        self.db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    repo::record_attempt(conn, &delivery, &attempt)?;
                    if delivered {
                        repo::succeeded(conn, &id)?;
                    } else {
                        repo::failed(conn, &id, retry_at)?;
                        if repo::disable(conn, &id, DisabledReason::Failures, Some(limit), at)? {
                            tracing::warn!(
                                webhook = id,
                                "webhook disabled after {limit} failed attempts in a row"
                            );
                        }
                    }
                    Ok::<_, ApiError>(())
                })
            })
            .await?;
        Ok(delivered)
    }
}

struct Outcome {
    status_code: Option<i32>,
    error: Option<String>,
    delivered: bool,
    duration_ms: i32,
}

/// The wait after the `attempts`-th failure: the base, four times longer each time, at most 12 hours.
fn backoff_ms(base_ms: u64, attempts: i32) -> i64 {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(16);
    let wait = base_ms
        .saturating_mul(4u64.saturating_pow(exponent))
        .min(MAX_BACKOFF_MS);
    i64::try_from(wait).unwrap_or(i64::MAX)
}

/// One event as it goes out: where it is in the feed, what it is, when, and its data.
struct Outgoing {
    position: i64,
    event_type: EventType,
    at: chrono::NaiveDateTime,
    data: serde_json::Value,
}

fn certificate_events(
    conn: &mut DbConnection,
    webhook: &WebhookRow,
    base: &str,
) -> QueryResult<Vec<Outgoing>> {
    let events = certificates::repo::events(
        conn,
        &webhook.organisation_id,
        webhook.feed_cursor,
        EVENTS_PER_ROUND,
    )?;
    Ok(events
        .into_iter()
        .map(|event| Outgoing {
            position: event.position,
            event_type: EventType::of_feed(event.event),
            at: event.occurred_at,
            data: serde_json::json!({
                "certificate_id": event.certificate_id,
                "position": event.position,
                "shared_with": event.shared_with_id,
                "url": format!("{base}/v1/certificates/{}", event.certificate_id),
            }),
        })
        .collect())
}

fn registry_events(conn: &mut DbConnection, webhook: &WebhookRow, base: &str) -> QueryResult<Vec<Outgoing>> {
    let events = crate::events::after(
        conn,
        &webhook.organisation_id,
        webhook.feed_cursor,
        EVENTS_PER_ROUND,
    )?;
    Ok(events
        .into_iter()
        .map(|event| {
            let mut data = serde_json::Map::new();
            data.insert(format!("{}_id", event.event.resource()), event.resource_id.into());
            data.insert("position".to_owned(), event.position.into());
            data.insert("url".to_owned(), format!("{base}{}", event.path).into());
            Outgoing {
                position: event.position,
                event_type: EventType::of_registry(event.event),
                at: event.occurred_at,
                data: data.into(),
            }
        })
        .collect())
}

/// Turns the organisation's events after the cursor (the certificate feed's and the registry's,
/// merged in position order) into deliveries of the events subscribed to, and moves the cursor
/// past every event read.
fn enqueue_feed(conn: &mut DbConnection, webhook: &WebhookRow, base: &str) -> Result<(), ApiError> {
    let mut events = certificate_events(conn, webhook, base)?;
    events.extend(registry_events(conn, webhook, base)?);
    events.sort_unstable_by_key(|event| event.position);
    // Each source gave its first events after the cursor: the first of both merged are complete.
    events.truncate(usize::try_from(EVENTS_PER_ROUND).unwrap_or(usize::MAX));
    let Some(last) = events.last().map(|event| event.position) else {
        return Ok(());
    };
    let wanted = webhook.events();
    let at = now();
    let rows: Vec<DeliveryRow> = events
        .into_iter()
        .filter(|event| wanted.contains(&event.event_type))
        .map(|event| {
            let payload = serde_json::json!({
                "type": event.event_type.as_str(),
                "timestamp": event.at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "data": event.data,
            });
            DeliveryRow::pending(
                &webhook.id,
                event.position,
                event.event_type,
                payload.to_string(),
                at,
            )
        })
        .collect();
    repo::enqueue(conn, &webhook.id, &rows, last)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_grows_fourfold_to_twelve_hours() {
        assert_eq!(backoff_ms(5000, 1), 5000);
        assert_eq!(backoff_ms(5000, 2), 20_000);
        assert_eq!(backoff_ms(5000, 3), 80_000);
        assert_eq!(backoff_ms(5000, 40), 12 * 60 * 60 * 1000);
    }
}
