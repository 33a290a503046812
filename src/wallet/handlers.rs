//! The wallet endpoints: offers made by issuers under `/v1/certificates/{id}/wallet-offers`, the
//! OID4VCI endpoints wallets call under `/oid4vci`, and the metadata they start from.

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use qrcodegen::{QrCode, QrCodeEcc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::{
    credentials::{self, Context},
    dto::{
        CreatedWalletOffer, CredentialOffer, CredentialRequest, CredentialResponse, IssuedCredential,
        NonceResponse, WalletDelivery, WalletOffer,
    },
    metadata, offers, proof, repo, secret_hash,
};
use crate::{
    audit::Actor,
    auth::Caller,
    certificates::{
        credential::finnish_clock, domain::NOT_FOUND, dto::ReadPurpose, handlers, pdf::WalletHandout, policy,
        protection::PersonalDataKey, repo as certificates, views,
    },
    config::WalletConfig,
    db::{now, Db, DbConnection},
    error::ApiError,
    extract::Json,
    idempotency::ReplayBody,
    issuers::{keys::CredentialKeys, PublicUrl},
    lookups::Lookups,
};

/// Metadata changes only with a deployment: a wallet may keep it for five minutes.
const METADATA_CACHE: &str = "public, max-age=300";

fn metadata_response(body: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, METADATA_CACHE))
        .json(body)
}

fn no_store() -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

/// The offers of a certificate are its issuer's (and administrators') to see and make.
fn issuer_only(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<crate::certificates::model::CertificateRow, ApiError> {
    let row = certificates::find(conn, id)?.ok_or(NOT_FOUND)?;
    policy::can_read(conn, caller, &row)?;
    if !policy::sees_shares(caller, &row.issuer_organisation_id) {
        return Err(ApiError::Forbidden(
            "Only the issuing organisation offers a certificate to wallets.".to_owned(),
        ));
    }
    Ok(row)
}

fn offer_view(
    conn: &mut DbConnection,
    certificate_id: &str,
    rows: Vec<super::model::OfferRow>,
) -> Result<Vec<WalletOffer>, ApiError> {
    let deliveries = repo::deliveries_of(conn, certificate_id)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own = deliveries
                .iter()
                .filter(|delivery| delivery.offer_id == row.id)
                .cloned()
                .map(WalletDelivery::from)
                .collect();
            WalletOffer::new(row, own)
        })
        .collect())
}

/// An offer that cannot be redeemed (unknown, used, locked, expired) is not found here; other
/// errors (the database) stay what they are.
fn unknown_offer(error: ApiError, resource: &'static str) -> ApiError {
    match error {
        ApiError::OAuth { .. } => ApiError::NotFound { resource },
        other => other,
    }
}

/// An offer's `credential_offer_uri`, and the `openid-credential-offer://` URL that names it.
fn offer_urls(base: &str, code: &str) -> (String, String) {
    let uri = format!("{base}/oid4vci/credential-offer?code={code}");
    let url = format!(
        "openid-credential-offer://?credential_offer_uri={}",
        form_urlencoded::byte_serialize(uri.as_bytes()).collect::<String>()
    );
    (uri, url)
}

/// A QR code of `text` as an SVG image: one path of dark modules on white, with a quiet zone.
fn qr_svg(text: &str) -> Option<String> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let side = size + 8;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

/// Offers an issued certificate to the holder's digital wallet (OpenID for Verifiable Credential
/// Issuance 1.0, pre-authorized code flow). The answer holds the offer (`offer_url` for a QR code
/// or a link, `credential_offer_uri`, `credential_offer`) and the PIN (`tx_code`), shown this once:
/// hand the PIN over apart from the offer. The code works once, for `WALLET_OFFER_TTL_SECONDS`
/// (10 minutes by default), and dies after `WALLET_PIN_TRIES` wrong PINs (5). The wallet may take
/// the certificate in both formats the offer lists. The offer is audited.
#[utoipa::path(
    tag = "wallets",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 201, description = "Offered; hand the offer and the PIN to the trainee now", body = CreatedWalletOffer,
            headers(("Location" = String, description = "The offer's URL"))),
        (status = 409, description = "The certificate is not issued", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{id}/wallet-offers")]
pub async fn create_offer(
    db: web::Data<Db>,
    (public_url, config): (web::Data<PublicUrl>, web::Data<WalletConfig>),
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = Actor::from(&caller);
    let created = db
        .write(move |conn| {
            let row = certificates::find(conn, &id)?.ok_or(NOT_FOUND)?;
            policy::can_change(conn, &caller, &row)?;
            offers::create(conn, &actor, &row, (&config, now()))
        })
        .await?;
    let base = &public_url.0;
    let offer = WalletOffer::new(created.row, Vec::new());
    let location = format!(
        "/v1/certificates/{}/wallet-offers/{}",
        offer.certificate_id, offer.id
    );
    let (uri, offer_url) = offer_urls(base, &created.code);
    let handout_url = format!("{location}/handout?code={}", created.code);
    let replay = serde_json::to_vec(&CreatedWalletOffer {
        offer: offer.clone(),
        offer_url: None,
        credential_offer_uri: None,
        credential_offer: None,
        tx_code: None,
        qr_code_svg: None,
        handout_url: None,
    })
    .map_err(|error| ApiError::internal(error.to_string()))?;
    let mut response = HttpResponse::Created();
    response
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    // A replay of the same Idempotency-Key shows the offer but never its code or PIN again.
    response.extensions_mut().insert(ReplayBody(replay));
    Ok(response.json(CreatedWalletOffer {
        offer,
        qr_code_svg: qr_svg(&offer_url),
        offer_url: Some(offer_url),
        credential_offer_uri: Some(uri),
        credential_offer: Some(offers::credential_offer(base, &created.code)),
        tx_code: Some(created.pin),
        handout_url: Some(handout_url),
    }))
}

/// The certificate's wallet offers, oldest first, each with the copies delivered through it:
/// which format, to which holder key (by thumbprint), when. For the issuer.
#[utoipa::path(
    tag = "wallets",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "The offers", body = Vec<WalletOffer>))
)]
#[get("/certificates/{id}/wallet-offers")]
pub async fn list_offers(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let listed = db
        .run(move |conn| {
            issuer_only(conn, &caller, &id)?;
            let rows = repo::offers_of(conn, &id)?;
            offer_view(conn, &id, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(listed))
}

/// One wallet offer of the certificate, with the copies delivered through it. For the issuer.
#[utoipa::path(
    tag = "wallets",
    params(("id" = String, Path, description = "Certificate id"), ("offer_id" = String, Path, description = "Offer id")),
    security(("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "The offer", body = WalletOffer))
)]
#[get("/certificates/{id}/wallet-offers/{offer_id}")]
pub async fn get_offer(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, offer_id) = path.into_inner();
    let found = db
        .run(move |conn| {
            issuer_only(conn, &caller, &id)?;
            let row = repo::offer(conn, &id, &offer_id)?.ok_or(ApiError::NotFound {
                resource: "wallet offer",
            })?;
            offer_view(conn, &id, vec![row])
        })
        .await?;
    let offer = found.into_iter().next().ok_or(ApiError::NotFound {
        resource: "wallet offer",
    })?;
    Ok(HttpResponse::Ok().json(offer))
}

/// The certificate as a handout for the trainee: its PDF with a page part for the wallet offer,
/// its QR code and until when it works, never the PIN (hand that over apart). For the issuer,
/// while the offer can still be redeemed: `handout_url` of the offer's answer names it. The read
/// is audited like any PDF.
#[utoipa::path(
    tag = "wallets",
    params(("id" = String, Path, description = "Certificate id"), ("offer_id" = String, Path, description = "Offer id"), OfferQuery),
    security(("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "The certificate with the wallet offer, as a PDF document", content_type = "application/pdf", body = inline(crate::certificates::dto::PdfDocument)))
)]
#[get("/certificates/{id}/wallet-offers/{offer_id}/handout")]
pub async fn handout(
    db: web::Data<Db>,
    (key, lookups, public_url): (
        web::Data<PersonalDataKey>,
        web::Data<Lookups>,
        web::Data<PublicUrl>,
    ),
    caller: Caller,
    path: web::Path<(String, String)>,
    crate::extract::Query(query): crate::extract::Query<OfferQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, offer_id) = path.into_inner();
    let code = query.code.clone();
    let (certificate, letterhead, expires_at) = db
        .write(move |conn| {
            let row = issuer_only(conn, &caller, &id)?;
            let offer = offers::open_offer(conn, &code, now())
                .map_err(|error| unknown_offer(error, "wallet offer"))
                .and_then(|offer| {
                    (offer.id == offer_id && offer.certificate_id == id)
                        .then_some(offer)
                        .ok_or(ApiError::NotFound {
                            resource: "wallet offer",
                        })
                })?;
            views::record_reads(
                conn,
                &Actor::from(&caller),
                std::slice::from_ref(&row),
                ReadPurpose::Pdf,
            )?;
            let (certificate, letterhead) = handlers::printable(conn, (&lookups, &key), row, &caller)?;
            Ok((certificate, letterhead, offer.expires_at))
        })
        .await?;
    let wallet = WalletHandout {
        url: offer_urls(&public_url.0, &query.code).1,
        valid_until: finnish_clock(expires_at),
    };
    let handout = crate::certificates::pdf::Handout {
        wallet: Some(wallet),
        holder_url: None,
    };
    handlers::pdf_answer(certificate, letterhead, &public_url.0, handout).await
}

#[derive(Debug, Deserialize, IntoParams, validator::Validate)]
#[into_params(parameter_in = Query)]
pub struct OfferQuery {
    /// The offer's pre-authorized code.
    #[param(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub code: String,
}

/// A credential offer by reference (`credential_offer_uri`), while its code can be redeemed.
#[utoipa::path(
    tag = "wallets",
    params(OfferQuery),
    responses(
        (status = 200, description = "The credential offer", body = CredentialOffer),
        (status = 404, description = "No offer that can still be redeemed has this code", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/oid4vci/credential-offer")]
pub async fn credential_offer(
    db: web::Data<Db>,
    public_url: web::Data<PublicUrl>,
    crate::extract::Query(query): crate::extract::Query<OfferQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = query.code.clone();
    db.run(move |conn| {
        offers::open_offer(conn, &code, now()).map_err(|error| unknown_offer(error, "credential offer"))
    })
    .await?;
    Ok(no_store().json(offers::credential_offer(&public_url.0, &query.code)))
}

/// Redeems a credential offer's code and PIN for a wallet's access token (the token endpoint's
/// pre-authorized code grant): the token and its lifetime in seconds.
pub async fn redeem(
    db: &Db,
    config: &WalletConfig,
    code: String,
    pin: String,
) -> Result<(String, u32), ApiError> {
    let config = *config;
    let outcome = db
        .write(move |conn| offers::redeem(conn, (&code, &pin), (&config, now())))
        .await?;
    match outcome {
        offers::Redeemed::Token {
            access_token,
            expires_in,
        } => Ok((access_token, expires_in)),
        offers::Redeemed::WrongPin { tries_left } => Err(offers::wrong_pin(tries_left)),
    }
}

/// A fresh `c_nonce` for the proof of possession of a credential request (OID4VCI 1.0 section
/// 7). Each nonce works once, for `WALLET_NONCE_TTL_SECONDS` (5 minutes by default).
#[utoipa::path(
    tag = "wallets",
    responses(
        (status = 200, description = "A nonce", body = NonceResponse,
            headers(("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "A body was sent: this request takes none", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "A body was sent, and over the size limit", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/oid4vci/nonce")]
pub async fn nonce(
    db: web::Data<Db>,
    config: web::Data<WalletConfig>,
    _: crate::extract::NoBody,
) -> Result<HttpResponse, ApiError> {
    let nonce = super::new_secret()?;
    let hash = secret_hash(&nonce);
    let lifetime = chrono::Duration::seconds(i64::from(config.nonce_ttl_secs));
    db.write(move |conn| {
        let at = now();
        Ok(repo::insert_nonce(conn, &hash, (at, at + lifetime))?)
    })
    .await?;
    Ok(no_store().json(NonceResponse { c_nonce: nonce }))
}

fn bearer(request: &HttpRequest) -> Result<String, ApiError> {
    crate::auth::middleware::bearer_token(request.headers()).ok_or_else(|| ApiError::Unauthorized {
        error: None,
        description: "Send the access token from the token endpoint as `Authorization: Bearer <token>`."
            .to_owned(),
    })
}

/// The one proof a request carries.
fn the_proof(request: &CredentialRequest) -> Result<&str, ApiError> {
    match request.proofs.as_ref().map(|proofs| proofs.jwt.as_slice()) {
        Some([jwt]) => Ok(jwt),
        Some(_) => Err(proof::invalid_proof(
            "Send exactly one proof: this issuer does not issue batches.",
        )),
        None => Err(proof::invalid_proof(
            "The request has no proofs.jwt: the credential is bound to the wallet's key.",
        )),
    }
}

/// Issues the certificate to the wallet holding the access token, bound to the key of its proof
/// (OID4VCI 1.0 section 8): `open_badge_jwt_vc_json` (the Open Badges 3.0 credential, its subject
/// the key's `did:jwk`) or `competence_certificate_dc_sd_jwt` (an SD-JWT VC with `cnf`). Errors
/// are OAuth-style: `invalid_proof`, `invalid_nonce` (take a new nonce),
/// `unknown_credential_configuration`, `credential_request_denied` (the certificate was revoked).
/// Every delivery is audited.
#[utoipa::path(
    tag = "wallets",
    request_body = CredentialRequest,
    security(("wallet_access_token" = [])),
    responses(
        (status = 200, description = "The credential", body = CredentialResponse),
        (status = 400, description = "invalid_proof, invalid_nonce, unknown_credential_configuration or credential_request_denied (OAuth-style); a malformed body (problem details)",
            content((crate::clients::token_endpoint::OAuthErrorBody = "application/json"), (crate::error::Problem = "application/problem+json"))),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/oid4vci/credential")]
pub async fn issue_credential(
    request: HttpRequest,
    db: web::Data<Db>,
    (keys, public_url): (web::Data<CredentialKeys>, web::Data<PublicUrl>),
    (personal_data, lookups, config): (
        web::Data<PersonalDataKey>,
        web::Data<Lookups>,
        web::Data<WalletConfig>,
    ),
    Json(body): Json<CredentialRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = bearer(&request)?;
    let base = public_url.0.clone();
    let actor = Actor::holder(&request);
    let credential = db
        .write(move |conn| {
            let at = now();
            // The token first: without one, nothing about the request is worth an answer.
            let offer = offers::by_access_token(conn, &token, at)?;
            let configuration = credentials::configuration(&body.credential_configuration_id)?;
            let age = i64::from(config.nonce_ttl_secs);
            let proven = proof::verify(the_proof(&body)?, &base, at.and_utc().timestamp(), age)?;
            let context = Context {
                keys: &keys,
                base: &base,
                personal_data: &personal_data,
                lookups: &lookups,
                actor: &actor,
                now: at,
            };
            credentials::deliver(conn, &context, (&offer, configuration), &proven)
        })
        .await?;
    Ok(no_store().json(CredentialResponse {
        credentials: vec![IssuedCredential { credential }],
    }))
}

/// The credential issuer metadata (OID4VCI 1.0 section 12.2): endpoints, the two credential
/// configurations with their display names and claims in Finnish, Swedish and English.
#[utoipa::path(
    tag = "wallets",
    responses((status = 200, description = "The credential issuer metadata", body = Object))
)]
#[get("/.well-known/openid-credential-issuer")]
pub async fn issuer_metadata(
    keys: web::Data<CredentialKeys>,
    public_url: web::Data<PublicUrl>,
) -> HttpResponse {
    metadata_response(&metadata::credential_issuer(&public_url.0, &keys))
}

/// The authorization server metadata (RFC 8414): the token endpoint, its grants (client
/// credentials for API clients, pre-authorized codes for wallets) and the API token keys.
#[utoipa::path(
    tag = "wallets",
    responses((status = 200, description = "The authorization server metadata", body = Object))
)]
#[get("/.well-known/oauth-authorization-server")]
pub async fn authorization_server_metadata(public_url: web::Data<PublicUrl>) -> HttpResponse {
    metadata_response(&metadata::authorization_server(&public_url.0))
}

/// An issuing organisation's JWT VC issuer metadata (SD-JWT VC section 5): the keys that verify
/// the SD-JWT VCs whose `iss` is the organisation's issuer URL.
#[utoipa::path(
    tag = "wallets",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, description = "The JWT VC issuer metadata", body = Object))
)]
#[get("/.well-known/jwt-vc-issuer/v1/issuers/{id}")]
pub async fn jwt_vc_issuer(
    db: web::Data<Db>,
    keys: web::Data<CredentialKeys>,
    public_url: web::Data<PublicUrl>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let organisation = crate::issuers::known_issuer(&db, id.into_inner()).await?;
    Ok(metadata_response(&metadata::jwt_vc_issuer(
        &public_url.0,
        &organisation.id,
        &keys,
    )))
}

/// The type metadata of the SD-JWT VC (its `vct`): names, descriptions and claim labels in
/// Finnish, Swedish and English, and which claims are selectively disclosable.
#[utoipa::path(
    tag = "wallets",
    responses((status = 200, description = "The type metadata", body = Object))
)]
#[get("/credential-types/work-based-learning-certificate")]
pub async fn credential_type(public_url: web::Data<PublicUrl>) -> HttpResponse {
    metadata_response(&metadata::credential_type(&public_url.0))
}
