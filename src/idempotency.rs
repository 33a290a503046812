//! `Idempotency-Key` on POST: the first response for a key is stored in the database, so that a
//! retry, on this instance or another, gets the same response instead of a second record.
//!
//! A key belongs to the authenticated client that sent it and lives 24 hours; requests without a
//! verified token pass through untouched. Stored answers are sealed with the personal data key,
//! since they may hold identity codes, and a secret shown once is never stored at all. The same key with a different method, path
//! or body is refused with 422; a key whose first request is still running answers 409.

use actix_web::{
    body::{self, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        header::{self, HeaderName, HeaderValue},
        Method, StatusCode,
    },
    middleware::Next,
    web, HttpMessage, HttpResponse,
};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::{
    certificates::protection::PersonalDataKey,
    db::{write_transaction, Db, DbConnection},
    error::ApiError,
    extract::{body_limit, read_body},
    request_context::{render_error, RequestId},
    schema::idempotency_keys,
};

pub const IDEMPOTENCY_KEY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");
const KEY_LIFETIME_HOURS: i64 = 24;
const MAX_KEY_LENGTH: usize = 255;
/// Response headers worth replaying; the rest (date, request id) belong to each response.
const STORED_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// What a replay answers instead of the first response's body, for responses that show something
/// once (a client secret). A handler puts it in its response's extensions.
#[derive(Debug, Clone)]
pub struct ReplayBody(pub Vec<u8>);

/// `response` shows a secret once: it is not stored by caches, and a retry with the same key
/// answers `replay` (the same body without the secret) instead.
pub fn shown_once<T: serde::Serialize>(
    mut response: HttpResponse,
    replay: &T,
) -> Result<HttpResponse, ApiError> {
    let replay = serde_json::to_vec(replay).map_err(|error| ApiError::internal(error.to_string()))?;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(ReplayBody(replay));
    Ok(response)
}

/// Who an idempotency key belongs to. Authentication puts this in the request extensions.
#[derive(Debug, Clone)]
pub struct IdempotencyPrincipal(pub String);

#[derive(Insertable)]
#[diesel(table_name = idempotency_keys)]
struct NewKey<'a> {
    principal: &'a str,
    idempotency_key: &'a str,
    request_hash: &'a str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

#[derive(Queryable)]
struct StoredKey {
    request_hash: String,
    response_status: Option<i32>,
    response_headers: Option<String>,
    response_body: Option<Vec<u8>>,
}

/// A response stored for a key, as plain data that can cross threads.
struct StoredResponse {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl StoredResponse {
    fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                response.insert_header((name, value));
            }
        }
        response.insert_header((REPLAYED_HEADER, "true"));
        response.body(self.body)
    }
}

enum Claim {
    Proceed,
    Replay(StoredResponse),
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Keys belong to authenticated clients; anonymous requests (token requests, requests refused
    // for want of a token) are not worth replaying and must not share one key space.
    let authenticated = req.extensions().contains::<IdempotencyPrincipal>();
    if req.method() != Method::POST || !authenticated || !req.headers().contains_key(&IDEMPOTENCY_KEY_HEADER)
    {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let claimed = match claim_for_request(&mut req).await {
        Ok((claimed, Claim::Proceed)) => claimed,
        Ok((_, Claim::Replay(stored))) => return Ok(req.into_response(stored.into_response())),
        Err(error) => return Ok(req.error_response(error)),
    };
    let response = next.call(req).await?;
    if response.status().is_server_error() {
        // A failed first attempt must not block the retry it calls for.
        if let Err(error) = claimed.release().await {
            tracing::error!("cannot release an Idempotency-Key after a failed request: {error}");
        }
        return Ok(response.map_into_boxed_body());
    }
    Ok(claimed.complete(response).await)
}

/// A key this request holds until its response is stored.
struct ClaimedKey {
    db: web::Data<Db>,
    seal: web::Data<PersonalDataKey>,
    principal: String,
    key: String,
}

impl ClaimedKey {
    async fn release(&self) -> Result<(), ApiError> {
        let (principal, key) = (self.principal.clone(), self.key.clone());
        self.db.run(move |conn| release(conn, &principal, &key)).await
    }

    /// Stores the response for replays and passes it on.
    async fn complete(
        self,
        response: ServiceResponse<impl MessageBody + 'static>,
    ) -> ServiceResponse<BoxBody> {
        // Store problems as the caller saw them, with the first request's path and id.
        let request_id = response
            .request()
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone());
        let response = match request_id {
            Some(request_id) => {
                let path = response.request().path().to_owned();
                render_error(response.map_into_boxed_body(), &path, &request_id)
            }
            None => response.map_into_boxed_body(),
        };
        let (request, response) = response.into_parts();
        let status = response.status();
        let headers = stored_headers(response.headers());
        let replay_body = response
            .extensions()
            .get::<ReplayBody>()
            .map(|replay| replay.0.clone());
        let (head, body) = response.into_parts();
        let Ok(bytes) = body::to_bytes(body).await else {
            tracing::error!("cannot buffer a response for its Idempotency-Key");
            if let Err(error) = self.release().await {
                tracing::error!("cannot release an Idempotency-Key: {error}");
            }
            let error = ApiError::internal("response body could not be buffered");
            return ServiceResponse::new(request, error.render(None, None));
        };
        let stored_body = self
            .seal
            .encrypt_bytes(replay_body.as_deref().unwrap_or(&bytes))
            .map_err(|error| ApiError::internal(error.to_string()));
        let (principal, key) = (self.principal.clone(), self.key.clone());
        let stored = match stored_body {
            Ok(sealed) => {
                self.db
                    .run(move |conn| complete(conn, &principal, &key, status, &headers, sealed.as_bytes()))
                    .await
            }
            Err(error) => Err(error),
        };
        if let Err(error) = stored {
            // The change itself is done: answer it, and let a retry find the key free again.
            tracing::error!("cannot store the response of an Idempotency-Key: {error}");
            if let Err(error) = self.release().await {
                tracing::error!("cannot release an Idempotency-Key: {error}");
            }
        }
        ServiceResponse::new(request, head.set_body(BoxBody::new(bytes)))
    }
}

/// Reads the body (putting it back for the handler) and claims the key for this request.
async fn claim_for_request(req: &mut ServiceRequest) -> Result<(ClaimedKey, Claim), ApiError> {
    let key = idempotency_key(req)?;
    let db = req
        .app_data::<web::Data<Db>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("database handle missing"))?;
    let seal = req
        .app_data::<web::Data<PersonalDataKey>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("personal data key missing"))?;
    let principal = req
        .extensions()
        .get::<IdempotencyPrincipal>()
        .map(|principal| principal.0.clone())
        .ok_or_else(|| ApiError::internal("idempotency without a principal"))?;
    let limit = body_limit(req.request());
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse().ok());
    let body = read_body(req.take_payload(), limit, declared_length).await?;
    let hash = request_hash(req, &body);
    req.set_payload(bytes_to_payload(body));

    let claim = {
        let (principal, key, seal) = (principal.clone(), key.clone(), seal.clone());
        db.run(move |conn| claim(conn, &principal, &key, &hash, &seal))
            .await?
    };
    Ok((
        ClaimedKey {
            db,
            seal,
            principal,
            key,
        },
        claim,
    ))
}

fn idempotency_key(req: &ServiceRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(&IDEMPOTENCY_KEY_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if value.is_empty() || value.len() > MAX_KEY_LENGTH || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_field(
            "Idempotency-Key",
            format!("must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID"),
        ));
    }
    Ok(value.to_owned())
}

fn request_hash(req: &ServiceRequest, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update([0]);
    hasher.update(req.uri().path_and_query().map_or("", |pq| pq.as_str()));
    hasher.update([0]);
    hasher.update(body);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn bytes_to_payload(body: web::Bytes) -> actix_web::dev::Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    actix_web::dev::Payload::from(payload)
}

fn stored_headers(headers: &header::HeaderMap) -> Vec<(String, String)> {
    STORED_HEADERS
        .iter()
        .filter_map(|name| {
            let value = headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect()
}

/// Claims the key for this request, or finds what an earlier request with it did.
fn claim(
    conn: &mut DbConnection,
    principal: &str,
    key: &str,
    hash: &str,
    seal: &PersonalDataKey,
) -> Result<Claim, ApiError> {
    let now = crate::db::now();
    let result = write_transaction(conn, |conn| {
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.lt(now))).execute(conn)?;
        let existing = idempotency_keys::table
            .find((principal, key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::response_status,
                idempotency_keys::response_headers,
                idempotency_keys::response_body,
            ))
            .first::<StoredKey>(conn)
            .optional()?;
        if let Some(stored) = existing {
            return replay(stored, hash, seal);
        }
        diesel::insert_into(idempotency_keys::table)
            .values(NewKey {
                principal,
                idempotency_key: key,
                request_hash: hash,
                created_at: now,
                expires_at: now + Duration::hours(KEY_LIFETIME_HOURS),
            })
            .execute(conn)?;
        Ok(Claim::Proceed)
    });
    match result {
        // Another instance claimed the same key between our read and our insert.
        Err(ApiError::Conflict(_)) => Err(ApiError::IdempotencyKeyInProgress),
        other => other,
    }
}

fn replay(stored: StoredKey, hash: &str, seal: &PersonalDataKey) -> Result<Claim, ApiError> {
    if stored.request_hash != hash {
        return Err(ApiError::IdempotencyKeyReused);
    }
    let Some(status) = stored.response_status else {
        return Err(ApiError::IdempotencyKeyInProgress);
    };
    let status = u16::try_from(status)
        .ok()
        .and_then(|status| StatusCode::from_u16(status).ok())
        .ok_or_else(|| ApiError::internal("stored idempotent response has an invalid status"))?;
    let headers = serde_json::from_str(stored.response_headers.as_deref().unwrap_or("[]"))
        .map_err(|error| ApiError::internal(format!("stored idempotent headers: {error}")))?;
    let sealed = stored.response_body.unwrap_or_default();
    let body = std::str::from_utf8(&sealed)
        .ok()
        .and_then(|sealed| seal.decrypt_bytes(sealed).ok())
        .ok_or_else(|| ApiError::internal("a stored idempotent response cannot be opened"))?;
    Ok(Claim::Replay(StoredResponse {
        status,
        headers,
        body,
    }))
}

fn complete(
    conn: &mut DbConnection,
    principal: &str,
    key: &str,
    status: StatusCode,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), ApiError> {
    let headers = serde_json::to_string(headers)
        .map_err(|error| ApiError::internal(format!("idempotent headers: {error}")))?;
    diesel::update(idempotency_keys::table.find((principal, key)))
        .set((
            idempotency_keys::response_status.eq(i32::from(status.as_u16())),
            idempotency_keys::response_headers.eq(headers),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

fn release(conn: &mut DbConnection, principal: &str, key: &str) -> Result<(), ApiError> {
    diesel::delete(idempotency_keys::table.find((principal, key))).execute(conn)?;
    Ok(())
}
