//! `POST /oauth/token` (the OAuth 2.0 client credentials grant, RFC 6749 §4.4) and the public keys
//! at `/.well-known/jwks.json`.

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{domain::secret_matches, model::ClientRow, repo as clients};
use crate::{
    auth::{
        keys::{JwkSet, KeySet},
        parse_scopes,
        rate_limit::{self, Counter},
        tokens, Principal, Scope,
    },
    client_address::client_address,
    config::AuthConfig,
    db::{now, Db},
    error::ApiError,
};

/// The form of a token request.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "scope": "organisations:write audit:read"}))]
pub struct TokenRequest {
    /// `client_credentials` for an API client; a wallet redeeming a credential offer sends
    /// `urn:ietf:params:oauth:grant-type:pre-authorized_code`.
    #[schema(example = "client_credentials", required = true)]
    pub grant_type: Option<String>,
    /// Space-separated scopes to narrow the token to; default: every scope of the client.
    #[schema(example = "organisations:write audit:read")]
    pub scope: Option<String>,
    /// With `client_secret`, instead of HTTP Basic authentication.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// A wallet's pre-authorized code, from a credential offer.
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: Option<String>,
    /// With the pre-authorized code: the PIN the trainee was given.
    pub tx_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9.eyJpc3MiOiIuLi4ifQ.c2ln", "token_type": "Bearer", "expires_in": 900, "scope": "organisations:write audit:read"}))]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// The scopes of an API client's token (a wallet's token has none: it reads one credential).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
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
/// `client_secret`. Errors follow RFC 6749 §5.2. Tokens last `expires_in` seconds (15 minutes by
/// default): reuse one until it expires. Ten failures for one client id from one address (and, by
/// default, 200 from one address for any ids) are refused with 429 for 15 minutes; failures
/// elsewhere never lock out a caller with the right secret. Every request counts as a possible
/// failure until its secret is checked, so more than ten requests of one client from one address
/// at once are refused too. More than 30 tokens a minute (by default) for one client are refused
/// with 429.
#[utoipa::path(
    tag = "authentication",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token", body = TokenResponse),
        (status = 400, description = "invalid_request, invalid_scope or unsupported_grant_type", body = OAuthErrorBody),
        (status = 401, description = "invalid_client", body = OAuthErrorBody),
        (status = 429, description = "Too many failed authentications, or tokens, for this client; retry after Retry-After seconds",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many token requests are waiting to be checked; retry after Retry-After seconds",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/oauth/token")]
pub async fn token(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<KeySet>,
    config: web::Data<AuthConfig>,
    hashing: web::Data<SecretChecker>,
    (limits, wallet): (
        web::Data<rate_limit::Configured>,
        web::Data<crate::config::WalletConfig>,
    ),
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form_content = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !form_content {
        return Err(invalid_request(
            "Send grant_type=client_credentials (and the client's credentials) as \
             application/x-www-form-urlencoded.",
        ));
    }
    if body.windows(3).any(|window| window == b"%00") || body.contains(&0) {
        return Err(invalid_request("The form must not contain NUL characters (%00)."));
    }
    let form: TokenRequest = serde_html_form::from_bytes(&body)
        .map_err(|error| invalid_request(format!("The form is malformed: {error}")))?;
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(crate::wallet::PRE_AUTHORIZED_GRANT) => {
            let code = form
                .pre_authorized_code
                .ok_or_else(|| invalid_request("pre-authorized_code is required."))?;
            let pin = form
                .tx_code
                .ok_or_else(|| invalid_request("tx_code is required: the offer has a PIN."))?;
            let (access_token, expires_in) = crate::wallet::handlers::redeem(&db, &wallet, code, pin).await?;
            return Ok(token_response(TokenResponse {
                access_token,
                token_type: "Bearer",
                expires_in: u64::from(expires_in),
                scope: None,
            }));
        }
        Some(_) => {
            return Err(oauth_error(
                actix_web::http::StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only the client_credentials and pre-authorized code grants are supported.",
            ))
        }
        None => {
            return Err(invalid_request(
                "grant_type is required: send grant_type=client_credentials.",
            ))
        }
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
    let credentials = credentials(&req, &form)?;
    let address = client_address(&req);
    let principal = authenticate_client(&db, &hashing, &limits, credentials, &address).await?;
    let principal = narrow_scopes(principal, requested)?;
    let access_token = tokens::issue(
        &keys,
        &config.issuer,
        &config.audience,
        config.token_ttl_secs,
        &principal,
    )
    .map_err(|error| ApiError::internal(format!("signing a token: {error}")))?;
    Ok(token_response(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: config.token_ttl_secs,
        scope: Some(crate::auth::join_scopes(&principal.scopes)),
    }))
}

fn token_response(issued: TokenResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(issued)
}

/// Checks the client's secret. Failures are counted per client id and address pair (and, far
/// higher, per address) before the secret is hashed, so that parallel guesses cannot pass the
/// limit, and a correct secret gives its unit back. Issued tokens are counted per client, so that
/// a flood of valid requests is refused before it costs a hash. The hash runs off the database
/// pool, on a bounded number of threads.
async fn authenticate_client(
    db: &Db,
    hashing: &SecretChecker,
    limits: &rate_limit::Configured,
    (client_id, secret): (String, String),
    address: &str,
) -> Result<Principal, ApiError> {
    let failures = vec![
        Counter::client_address_failures(&client_id, address),
        Counter::address_failures(address, limits),
    ];
    let issued = Counter::tokens(&client_id, limits);
    let counters = [failures.clone(), vec![issued.clone()]].concat();
    let id = client_id.clone();
    let client = db
        .run(move |conn| {
            rate_limit::take(conn, &counters, now())?;
            Ok(clients::find(conn, &id)?)
        })
        .await?;
    let authenticated = match client {
        Some(row) => {
            let (matched, row) = hashing.verify(row, secret).await?;
            (matched && row.active).then_some(row)
        }
        None => {
            // Spend the same time as for a real client, so that ids cannot be probed.
            hashing
                .verify(crate::clients::domain::decoy_row(), secret)
                .await?;
            None
        }
    };
    db.run(move |conn| match authenticated {
        Some(client) => {
            rate_limit::give_back(conn, &failures)?;
            clients::mark_used(conn, &client.id, now())?;
            Ok(Principal {
                client_id: client.id.clone(),
                organisation_id: client.organisation_id.clone(),
                scopes: client.granted_scopes(),
            })
        }
        None => {
            rate_limit::give_back(conn, std::slice::from_ref(&issued))?;
            Err(invalid_client())
        }
    })
    .await
}

/// The token's scopes: those asked for, each of which the client must have (an administrator has
/// every scope, so that "select all" in a client's authorisation dialog works), or all it has.
fn narrow_scopes(principal: Principal, requested: Option<Vec<Scope>>) -> Result<Principal, ApiError> {
    let Some(requested) = requested else {
        return Ok(principal);
    };
    let admin = principal.scopes.contains(&Scope::Admin);
    if let Some(scope) = requested
        .iter()
        .find(|scope| !admin && !principal.scopes.contains(scope))
    {
        return Err(oauth_error(
            actix_web::http::StatusCode::BAD_REQUEST,
            "invalid_scope",
            format!("The client may not be granted {}.", scope.as_str()),
        ));
    }
    Ok(Principal {
        scopes: requested,
        ..principal
    })
}

/// Argon2 takes tens of milliseconds and 7 MiB per hash. Secrets are checked on a few threads of
/// their own, one per core: however many token requests arrive, at most that many hashes run at
/// once, and their memory is given back after each.
#[derive(Clone)]
pub struct SecretChecker {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    jobs: std::sync::mpsc::SyncSender<HashJob>,
}

/// A secret to check against a client's hash, and where to send the answer.
struct HashJob {
    row: ClientRow,
    secret: String,
    answer: tokio::sync::oneshot::Sender<(bool, ClientRow)>,
}

/// How long a token request waits for a hashing thread before it is answered 503.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl SecretChecker {
    /// Starts `threads` hashing threads, which end when the last handle is dropped.
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = std::sync::mpsc::sync_channel::<HashJob>(threads);
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for index in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("secret-hash-{index}"))
                .spawn(move || loop {
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    let matched = secret_matches(&job.row, &job.secret);
                    let _ = job.answer.send((matched, job.row));
                });
            if let Err(error) = spawned {
                tracing::error!("cannot start a hashing thread: {error}");
            }
        }
        Self {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(threads)),
            jobs,
        }
    }

    /// Whether `secret` is the client's; the row comes back with the answer.
    async fn verify(&self, row: ClientRow, secret: String) -> Result<(bool, ClientRow), ApiError> {
        let overloaded = || ApiError::Overloaded("token requests");
        let _permit = actix_web::rt::time::timeout(HASHING_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| overloaded())?
            .map_err(|_| overloaded())?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(HashJob { row, secret, answer })
            .map_err(|_| ApiError::internal("the hashing threads have stopped"))?;
        answered
            .await
            .map_err(|_| ApiError::internal("a hashing thread dropped its job"))
    }
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
