//! HTTP endpoints of webhook subscriptions and their delivery logs.

use actix_web::{delete, get, http::header, patch, post, web, HttpResponse};
use diesel::GroupedBy;

use super::{
    domain,
    dto::{Attempt, CreatedWebhook, Delivery, PageFilter, Webhook, WebhookInput},
    model::{DeliveryRow, WebhookRow},
    policy, repo,
};
use crate::{
    audit::Actor,
    auth::Caller,
    certificates::protection::PersonalDataKey,
    concurrency::{created, with_etag, IfMatch},
    config::WebhookConfig,
    db::{Db, DbConnection},
    error::ApiError,
    extract::{Json, MergePatch, NoBody, Query},
    idempotency::shown_once,
    pagination::{Page, PageRequest},
};

/// The subscription, if the caller may see it.
fn owned(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<WebhookRow, ApiError> {
    let webhook = domain::find(conn, id)?;
    policy::owns(caller, &webhook)?;
    Ok(webhook)
}

/// Deliveries with their attempts.
fn with_attempts(conn: &mut DbConnection, rows: Vec<DeliveryRow>) -> Result<Vec<Delivery>, ApiError> {
    let attempts = repo::attempts(conn, &rows)?.grouped_by(&rows);
    Ok(rows
        .into_iter()
        .zip(attempts)
        .map(|(row, own)| Delivery::new(row, own.into_iter().map(Attempt::from).collect()))
        .collect())
}

fn one_with_attempts(conn: &mut DbConnection, row: DeliveryRow) -> Result<Delivery, ApiError> {
    with_attempts(conn, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound { resource: "delivery" })
}

/// Subscribes a URL of the caller to events of the caller's organisation, from now on.
///
/// Events: `certificate.issued`, `.revoked`, `.superseded`, `.shared`, `.unshared` (the
/// organisation's certificate feed), `recognition.created`, `.ended` (to the provider and the
/// environment's owner), `agreement.activated`, `.terminated` (to its parties) and
/// `environment.changed` (to its owner and the providers that recognise it). Each is POSTed as
/// JSON (`type`, `timestamp`, `data` naming the record (`certificate_id`, `recognition_id`,
/// `agreement_id` or `environment_id`), its position and its URL: never personal data) and signed by the Standard Webhooks scheme: headers
/// `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
/// `id.timestamp.body` keyed by the secret's bytes). Answer 2xx within the timeout to acknowledge;
/// anything else is retried with exponential backoff, the same event first, so events arrive in
/// feed order, at least once: drop a `webhook-id` seen before. After too many failures in a row
/// the subscription is disabled; enable it again with a PATCH. A client receives only the events
/// it may read through the API (certificate events need `certificates:read`, agreement events
/// `agreements:read`; recognitions and environments are public). All events of a subscription
/// share one order of positions, that of the changes' commits.
///
/// The secret is shown this once. A retry with the same `Idempotency-Key` answers `secret: null`.
#[utoipa::path(
    tag = "webhooks",
    request_body = WebhookInput,
    security(("oauth2" = ["webhooks:write"])),
    responses((status = 201, description = "Subscribed; store the secret now", body = CreatedWebhook,
        headers(("ETag" = String, description = "The version, for If-Match"), ("Location" = String, description = "The subscription's URL"))))
)]
#[post("/webhooks")]
pub async fn create(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    config: web::Data<WebhookConfig>,
    caller: Caller,
    Json(input): Json<WebhookInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = policy::subscriber(&caller)?;
    policy::may_receive(&caller, &input.events)?;
    let actor = Actor::from(&caller);
    let client_id = caller.client_id.clone();
    let (row, secret) = db
        .write(move |conn| domain::create(conn, &actor, (&client_id, &organisation), input, (&config, &key)))
        .await?;
    let webhook = Webhook::from(&row);
    let location = format!("/v1/webhooks/{}", webhook.id);
    let replay = CreatedWebhook {
        webhook: webhook.clone(),
        secret: None,
    };
    let response = created(
        location,
        &CreatedWebhook {
            webhook,
            secret: Some(secret),
        },
    );
    shown_once(response, &replay)
}

/// Lists the caller's subscriptions, in the order they were made.
#[utoipa::path(
    tag = "webhooks",
    params(PageFilter),
    security(("oauth2" = ["webhooks:write"])),
    responses((status = 200, description = "A page of subscriptions", body = Page<Webhook>))
)]
#[get("/webhooks")]
pub async fn list(
    db: web::Data<Db>,
    caller: Caller,
    Query(filter): Query<PageFilter>,
) -> Result<HttpResponse, ApiError> {
    policy::subscriber(&caller)?;
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let client_id = caller.client_id.clone();
    let (rows, page) = db
        .run(move |conn| Ok::<_, ApiError>((repo::list(conn, &client_id, &page)?, page)))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &page,
        |row| row.id.clone(),
        |row| Webhook::from(&row),
    )))
}

/// Reads a subscription.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Subscription id")),
    security(("oauth2" = ["webhooks:write"])),
    responses((status = 200, description = "The subscription", body = Webhook,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/webhooks/{id}")]
pub async fn get(db: web::Data<Db>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let row = db.run(move |conn| owned(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &Webhook::from(&row)))
}

/// Changes a subscription with a JSON Merge Patch (RFC 7396): its URL, events or description;
/// `{"enabled": false}` pauses it (events wait), `{"enabled": true}` resumes it, also after it
/// was disabled for failures, retrying at once.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Subscription id")),
    security(("oauth2" = ["webhooks:write"])),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "The fields to change, as in WebhookInput", example = json!({"enabled": true})),
    responses((status = 200, description = "Changed", body = Webhook,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/webhooks/{id}")]
pub async fn update(
    db: web::Data<Db>,
    config: web::Data<WebhookConfig>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let row = db
        .write(move |conn| {
            let current = owned(conn, &caller, &id)?;
            if_match.check(current.version)?;
            let input = patch.apply_to(&WebhookInput::from(&Webhook::from(&current)))?;
            policy::may_receive(&caller, &input.events)?;
            domain::update(conn, &Actor::from(&caller), &current, input, &config)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &Webhook::from(&row)))
}

/// Ends a subscription; its delivery log goes with it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Subscription id")),
    security(("oauth2" = ["webhooks:write"])),
    responses((status = 204, description = "Ended"))
)]
#[delete("/webhooks/{id}")]
pub async fn delete(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    db.write(move |conn| {
        let current = owned(conn, &caller, &id)?;
        if_match.check(current.version)?;
        domain::delete(conn, &Actor::from(&caller), &current)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log, newest first: each event, its state, the next try while pending, and every
/// attempt with the receiver's status code or the error.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Subscription id"), PageFilter),
    security(("oauth2" = ["webhooks:write"])),
    responses((status = 200, description = "A page of deliveries", body = Page<Delivery>))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    Query(filter): Query<PageFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let (rows, page) = db
        .run(move |conn| {
            let webhook = owned(conn, &caller, &id)?;
            let rows = repo::deliveries(conn, &webhook.id, &page)?;
            Ok::<_, ApiError>((with_attempts(conn, rows)?, page))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, &page, |row| row.id.clone(), |row| row)))
}

/// One delivery with its attempts.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Subscription id"), ("delivery_id" = String, Path, description = "Delivery id")),
    security(("oauth2" = ["webhooks:write"])),
    responses((status = 200, description = "The delivery", body = Delivery))
)]
#[get("/webhooks/{id}/deliveries/{delivery_id}")]
pub async fn get_delivery(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let delivery = db
        .run(move |conn| {
            let webhook = owned(conn, &caller, &id)?;
            let row = repo::delivery(conn, &webhook.id, &delivery_id)?
                .ok_or(ApiError::NotFound { resource: "delivery" })?;
            one_with_attempts(conn, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(delivery))
}

/// Sends a delivery again, delivered or not, ahead of the events waiting (with the same
/// `webhook-id`). A disabled subscription sends it once enabled.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Subscription id"), ("delivery_id" = String, Path, description = "Delivery id")),
    security(("oauth2" = ["webhooks:write"])),
    responses((status = 202, description = "Queued", body = Delivery))
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    _: NoBody,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let delivery = db
        .write(move |conn| {
            let webhook = owned(conn, &caller, &id)?;
            let row = domain::redeliver(conn, &Actor::from(&caller), &webhook, &delivery_id)?;
            one_with_attempts(conn, row)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(delivery))
}

/// Sends a `webhook.test` event at once, ahead of the events waiting: a way to check the
/// receiver and its signature check. Its delivery is in the log like any other.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Subscription id")),
    security(("oauth2" = ["webhooks:write"])),
    responses((status = 202, description = "Queued", body = Delivery,
        headers(("Location" = String, description = "The delivery's URL"))))
)]
#[post("/webhooks/{id}/test")]
pub async fn send_test_event(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    _: NoBody,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let webhook_id = id.clone();
    let delivery = db
        .write(move |conn| {
            let webhook = owned(conn, &caller, &id)?;
            let row = domain::test_event(conn, &Actor::from(&caller), &webhook)?;
            one_with_attempts(conn, row)
        })
        .await?;
    let location = format!("/v1/webhooks/{webhook_id}/deliveries/{}", delivery.id);
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, location))
        .json(delivery))
}
