//! Verifies the request's bearer token once, before anything else looks at the caller.

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web, HttpMessage,
};
use diesel::prelude::*;

use super::{
    active_clients::ActiveClients, keys::KeySet, verified_tokens::VerifiedTokens, AuthFailure, Authentication,
};
use crate::{
    db::{Db, DbConnection},
    idempotency::IdempotencyPrincipal,
    schema::api_clients,
};

/// Whether the client a token was issued to is still active: a revoked client's tokens stop at once.
fn client_is_active(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    api_clients::table
        .find(id)
        .select(api_clients::active)
        .first::<bool>(conn)
        .optional()
        .map(|active| active == Some(true))
}

/// The token of an `Authorization: Bearer` header, when the request has one.
pub fn bearer_token(headers: &header::HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(|token| token.trim().to_owned())
}

pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(token) = bearer_token(req.headers()) {
        let outcome = verify(&req, &token).await;
        if let Ok(principal) = &outcome {
            crate::telemetry::record_client_id(&req, &principal.client_id);
            req.extensions_mut()
                .insert(IdempotencyPrincipal(principal.client_id.clone()));
        }
        req.extensions_mut().insert(Authentication(outcome));
    }
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

async fn verify(req: &ServiceRequest, token: &str) -> Result<super::Principal, AuthFailure> {
    let keys = req
        .app_data::<web::Data<KeySet>>()
        .ok_or_else(|| AuthFailure::Unavailable("the service has no keys configured".to_owned()))?;
    let verified = match req.app_data::<web::Data<VerifiedTokens>>() {
        Some(kept) => kept.verify(keys, token),
        None => super::tokens::verify(keys, token),
    }
    .map_err(AuthFailure::Invalid)?;
    if !verified.own {
        return Ok(verified.principal);
    }
    // Revoked and deactivated clients lose access at once, not when their tokens expire.
    let known = req.app_data::<web::Data<ActiveClients>>().cloned();
    let client_id = verified.principal.client_id.clone();
    if known.as_ref().is_some_and(|known| known.known_active(&client_id)) {
        return Ok(verified.principal);
    }
    let db = req
        .app_data::<web::Data<Db>>()
        .cloned()
        .ok_or_else(|| AuthFailure::Unavailable("the service has no database configured".to_owned()))?;
    // The generation before the read, so that a change heard during it keeps the answer out.
    let known = known.map(|known| {
        let generation = known.generation();
        (known, generation)
    });
    let checked = client_id.clone();
    match db.run(move |conn| Ok(client_is_active(conn, &checked)?)).await {
        Ok(true) => {
            if let Some((known, generation)) = known {
                known.remember(&client_id, generation);
            }
            Ok(verified.principal)
        }
        Ok(false) => Err(AuthFailure::Invalid(
            "the client of this token has been revoked".to_owned(),
        )),
        Err(error) => Err(AuthFailure::Unavailable(error.to_string())),
    }
}
