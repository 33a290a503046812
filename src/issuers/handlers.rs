//! Public endpoints a credential's verifier dereferences: the issuer's profile and the keys.

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    keys::CredentialKeys,
    profile::{self, IssuerProfile},
    PublicUrl,
};
use crate::{db::Db, error::ApiError, route_table};

/// Keys and profiles change only on rotation or an organisation's edit: a verifier may keep them
/// for five minutes.
const CACHE: &str = "public, max-age=300";

/// A public answer as JSON, labelled with the media type `Accept` prefers among `offered`.
fn public_json(request: &HttpRequest, offered: &[&str], body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(route_table::choose(request, offered))
        .insert_header((header::CACHE_CONTROL, CACHE))
        .json(body)
}

/// An organisation as an Open Badges 3.0 issuer `Profile` (JSON-LD): what a credential's
/// `issuer.id` dereferences to. It lists the keys that sign on the organisation's behalf, so it is
/// also the controller document of the status lists' Data Integrity proofs.
#[utoipa::path(
    tag = "verification",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, description = "The issuer profile",
        content((IssuerProfile = "application/ld+json"), (IssuerProfile = "application/json")),
        headers(("Cache-Control" = String, description = "May be kept for five minutes"))))
)]
#[get("/issuers/{id}")]
pub async fn issuer(
    request: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<CredentialKeys>,
    public_url: web::Data<PublicUrl>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let organisation = super::known_issuer(&db, id.into_inner()).await?;
    let body = profile::profile(&public_url.0, &organisation, &keys);
    Ok(public_json(
        &request,
        &["application/ld+json", "application/json"],
        &body,
    ))
}

/// The keys that verify credentials and status lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "alg": "EdDSA", "use": "sig", "kid": "https://registry.example/v1/credential-keys/kZ0bF2yKp2O0QfK4c2y7sKcVZ7nV6Jb3f0m6q2wM0yI"}]}))]
pub struct CredentialJwkSet {
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<serde_json::Value>,
}

/// Every public key that verifies this service's credentials (the current ones first, then
/// earlier ones kept after a rotation), as a JWK Set. Each key's `kid` is its own URL.
#[utoipa::path(
    tag = "verification",
    responses((status = 200, description = "The JWK Set",
        content((CredentialJwkSet = "application/jwk-set+json"), (CredentialJwkSet = "application/json")),
        headers(("Cache-Control" = String, description = "May be kept for five minutes"))))
)]
#[get("/credential-keys")]
pub async fn credential_keys(
    request: HttpRequest,
    keys: web::Data<CredentialKeys>,
    public_url: web::Data<PublicUrl>,
) -> HttpResponse {
    let set = CredentialJwkSet {
        keys: keys
            .published()
            .iter()
            .map(|key| key.jwk(&public_url.0))
            .collect(),
    };
    public_json(&request, &["application/jwk-set+json", "application/json"], &set)
}

/// One public key: what a VC-JWT's `kid` dereferences to.
#[utoipa::path(
    tag = "verification",
    params(("thumbprint" = String, Path, description = "The key's RFC 7638 thumbprint, the last segment of a `kid`")),
    responses((status = 200, description = "The public key as a JWK",
        content((Object = "application/jwk+json"), (Object = "application/json")),
        headers(("Cache-Control" = String, description = "May be kept for five minutes"))))
)]
#[get("/credential-keys/{thumbprint}")]
pub async fn credential_key(
    request: HttpRequest,
    keys: web::Data<CredentialKeys>,
    public_url: web::Data<PublicUrl>,
    thumbprint: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = keys
        .by_thumbprint(&thumbprint)
        .ok_or(ApiError::NotFound { resource: "key" })?;
    Ok(public_json(
        &request,
        &["application/jwk+json", "application/json"],
        &key.jwk(&public_url.0),
    ))
}
