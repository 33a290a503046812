//! `POST /oauth/token` (the OAuth 2.0 client credentials grant, RFC 6749 §4.4) and the public keys
//! at `/.well-known/jwks.json`.

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    keys::{JwkSet, KeySet},
    parse_scopes,
    rate_limit::{self, address_subject, client_subject},
    tokens, Principal,
};
use crate::{
    clients::{domain::secret_matches, repo as clients},
    config::AuthConfig,
    db::{now, write_transaction, Db},
    error::ApiError,
};

/// The form of a token request.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "scope": "organisations:write audit:read"}))]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    #[schema(example = "client_credentials")]
    pub grant_type: Option<String>,
    /// Space-separated scopes to narrow the token to; default: every scope of the client.
    #[schema(example = "organisations:write audit:read")]
    pub scope: Option<String>,
    /// With `client_secret`, instead of HTTP Basic authentication.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9.eyJpc3MiOiIuLi4ifQ.c2ln", "token_type": "Bearer", "expires_in": 900, "scope": "organisations:write audit:read"}))]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub scope: String,
}

/// An RFC 6749 §5.2 error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "invalid_client", "error_description": "The client could not be authenticated."}))]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_scope` or `unsupported_grant_type`.
    pub error: String,
    pub error_description: String,
}

fn oauth_error(
    status: actix_web::http::StatusCode,
    error: &'static str,
    description: impl Into<String>,
) -> ApiError {
    ApiError::OAuth {
        status,
        error,
        description: description.into(),
    }
}

fn invalid_request(description: impl Into<String>) -> ApiError {
    oauth_error(
        actix_web::http::StatusCode::BAD_REQUEST,
        "invalid_request",
        description,
    )
}

fn invalid_client() -> ApiError {
    oauth_error(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "invalid_client",
        "The client could not be authenticated.",
    )
}

/// Client id and secret from HTTP Basic (form-urlencoded, as RFC 6749 §2.3.1 says) or the form.
fn credentials(req: &HttpRequest, form: &TokenRequest) -> Result<(String, String), ApiError> {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "));
    match (basic, &form.client_id, &form.client_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(invalid_request(
            "Authenticate the client by HTTP Basic or by form fields, not both.",
        )),
        (Some(encoded), None, None) => {
            let decoded = STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(invalid_client)?;
            let (id, secret) = decoded.split_once(':').ok_or_else(invalid_client)?;
            let unescape = |value: &str| {
                form_urlencoded::parse(format!("v={value}").as_bytes())
                    .next()
                    .map(|(_, value)| value.into_owned())
                    .unwrap_or_default()
            };
            Ok((unescape(id), unescape(secret)))
        }
        (None, Some(id), Some(secret)) => Ok((id.clone(), secret.clone())),
        _ => Err(invalid_client()),
    }
}

/// Issues an access token for a client (OAuth 2.0 client credentials grant).
///
/// Authenticate with HTTP Basic (`client_id:client_secret`) or the form fields `client_id` and
/// `client_secret`. Errors follow RFC 6749 §5.2. Repeated failures for one client id or from one
/// address are refused with 429 for a while.
#[utoipa::path(
    tag = "authentication",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token", body = TokenResponse),
        (status = 400, description = "invalid_request, invalid_scope or unsupported_grant_type", body = OAuthErrorBody),
        (status = 401, description = "invalid_client", body = OAuthErrorBody),
        (status = 429, description = "Too many failed authentications; retry after Retry-After seconds",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/oauth/token")]
pub async fn token(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<KeySet>,
    config: web::Data<AuthConfig>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form_content = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !form_content {
        return Err(invalid_request(
            "Send the request as application/x-www-form-urlencoded.",
        ));
    }
    if body.windows(3).any(|window| window == b"%00") || body.contains(&0) {
        return Err(invalid_request("The form must not contain NUL characters (%00)."));
    }
    let form: TokenRequest = serde_html_form::from_bytes(&body)
        .map_err(|error| invalid_request(format!("The form is malformed: {error}")))?;
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(_) => {
            return Err(oauth_error(
                actix_web::http::StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only the client_credentials grant is supported.",
            ))
        }
        None => return Err(invalid_request("grant_type is required.")),
    }
    let requested = form
        .scope
        .as_deref()
        .map(parse_scopes)
        .transpose()
        .map_err(|scope| {
            oauth_error(
                actix_web::http::StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("Unknown scope {scope:?}."),
            )
        })?;
    let (client_id, secret) = credentials(&req, &form)?;
    let address = req
        .peer_addr()
        .map(|addr| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let subjects = vec![client_subject(&client_id), address_subject(&address)];

    let principal = db
        .run(move |conn| {
            let started = now();
            if let Some(retry_after_secs) = rate_limit::retry_after(conn, &subjects, started)? {
                return Err(ApiError::TooManyRequests { retry_after_secs });
            }
            let client = clients::find(conn, &client_id)?;
            let authenticated = match &client {
                Some(row) => secret_matches(row, &secret) && row.active,
                None => {
                    // Spend the same time as for a real client, so that ids cannot be probed.
                    secret_matches(&crate::clients::domain::decoy_row(), &secret);
                    false
                }
            };
            let Some(client) = client.filter(|_| authenticated) else {
                write_transaction(conn, |conn| rate_limit::record_failure(conn, &subjects, started))?;
                return Err(invalid_client());
            };
            let granted = client.granted_scopes();
            let scopes = match requested {
                None => granted,
                Some(requested) => {
                    if let Some(scope) = requested.iter().find(|scope| !granted.contains(scope)) {
                        return Err(oauth_error(
                            actix_web::http::StatusCode::BAD_REQUEST,
                            "invalid_scope",
                            format!("The client may not be granted {}.", scope.as_str()),
                        ));
                    }
                    requested
                }
            };
            clients::mark_used(conn, &client.id, started)?;
            Ok(Principal {
                client_id: client.id,
                organisation_id: client.organisation_id,
                scopes,
            })
        })
        .await?;
    let access_token = tokens::issue(
        &keys,
        &config.issuer,
        &config.audience,
        config.token_ttl_secs,
        &principal,
    )
    .map_err(|error| ApiError::internal(format!("signing a token: {error}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: config.token_ttl_secs,
            scope: super::join_scopes(&principal.scopes),
        }))
}

/// The public keys that verify this service's tokens (and, later, its credentials).
#[utoipa::path(
    tag = "authentication",
    responses((status = 200, description = "The JWK Set", body = JwkSet))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(keys: web::Data<KeySet>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(keys.jwks())
}
