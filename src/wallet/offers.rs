//! The life of an offer: made by the issuer for an issued certificate, redeemed once by a wallet
//! with the PIN, locked after too many wrong PINs, dead after its lifetime.

use actix_web::http::StatusCode;
use chrono::{Duration, NaiveDateTime};
use uuid::Uuid;

use super::{
    dto::{CredentialOffer, OfferGrants, PreAuthorizedGrant, TxCode},
    model::{CredentialConfiguration, OfferRow, OfferState},
    new_secret, repo, secret_hash,
};
use crate::{
    audit::{self, Actor, Change},
    certificates::{dto::CertificateStatus, model::CertificateRow, repo as certificates},
    config::WalletConfig,
    db::DbConnection,
    error::ApiError,
};

/// Digits in a PIN.
pub const PIN_LENGTH: u8 = 6;
const RESOURCE: &str = "certificate";

/// A new offer with its secrets, which exist only in this answer.
pub struct NewOffer {
    pub row: OfferRow,
    pub code: String,
    pub pin: String,
}

/// A PIN of six random digits, drawn without bias.
fn new_pin() -> Result<String, ApiError> {
    // The largest multiple of 10^6 below 2^32: draws above it would favour low PINs.
    const LIMIT: u32 = 4_294_000_000;
    loop {
        let draw = u32::from_le_bytes(crate::random::bytes::<4>()?);
        if draw < LIMIT {
            return Ok(format!("{:06}", draw % 1_000_000));
        }
    }
}

/// The PIN's hash is keyed by the code: a stolen table cannot be searched for six digits without
/// the code, which is stored only as its own hash.
fn pin_hash(code: &str, pin: &str) -> String {
    secret_hash(&format!("{code}\n{pin}"))
}

/// Offers an issued certificate to a wallet.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    certificate: &CertificateRow,
    (config, now): (&WalletConfig, NaiveDateTime),
) -> Result<NewOffer, ApiError> {
    if certificate.status != CertificateStatus::Issued || certificate.status_list.is_none() {
        return Err(ApiError::Conflict(format!(
            "Only an issued certificate goes to a wallet; this one is {}.",
            certificate.status
        )));
    }
    let (code, pin) = (new_secret()?, new_pin()?);
    let row = OfferRow {
        id: Uuid::now_v7().to_string(),
        certificate_id: certificate.id.clone(),
        code_hash: secret_hash(&code),
        pin_hash: pin_hash(&code, &pin),
        failed_pins: 0,
        state: OfferState::Offered,
        expires_at: now + Duration::seconds(i64::from(config.offer_ttl_secs)),
        access_token_hash: None,
        access_expires_at: None,
        created_by: actor.client_id.clone().unwrap_or_default(),
        created_at: now,
        redeemed_at: None,
    };
    repo::insert_offer(conn, &row)?;
    let change = Change::new(
        "wallet_offer",
        RESOURCE,
        &certificate.id,
        Some(&certificate.issuer_organisation_id),
    );
    audit::record(conn, actor, change)?;
    Ok(NewOffer { row, code, pin })
}

/// The offer as a wallet reads it.
pub fn credential_offer(base: &str, code: &str) -> CredentialOffer {
    CredentialOffer {
        credential_issuer: base.to_owned(),
        credential_configuration_ids: CredentialConfiguration::ALL.to_vec(),
        grants: OfferGrants {
            pre_authorized_code: PreAuthorizedGrant {
                pre_authorized_code: code.to_owned(),
                tx_code: TxCode {
                    input_mode: "numeric",
                    length: PIN_LENGTH,
                    description: "Anna työvalmentajalta saamasi PIN-koodi. / Ange PIN-koden från din arbetshandledare. / \
                                  Enter the PIN your work coach gave you."
                        .to_owned(),
                },
            },
        },
    }
}

fn invalid_grant(description: &str) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_grant",
        description: description.to_owned(),
    }
}

/// An offer whose code can still be redeemed, by the code.
pub fn open_offer(conn: &mut DbConnection, code: &str, now: NaiveDateTime) -> Result<OfferRow, ApiError> {
    let offer = repo::offer_by_code(conn, &secret_hash(code))?
        .ok_or_else(|| invalid_grant("The pre-authorized code is not known."))?;
    match offer.state {
        OfferState::Redeemed => Err(invalid_grant("The pre-authorized code has been used.")),
        OfferState::Locked => Err(invalid_grant("The offer was locked after too many wrong PINs.")),
        OfferState::Offered if offer.expires_at <= now => Err(invalid_grant("The offer has expired.")),
        OfferState::Offered => Ok(offer),
    }
}

/// What redeeming a code came to. A wrong PIN is an outcome, not an error, so that its count is
/// committed.
pub enum Redeemed {
    Token { access_token: String, expires_in: u32 },
    WrongPin { tries_left: u32 },
}

/// Trades a code and its PIN for an access token, once.
pub fn redeem(
    conn: &mut DbConnection,
    (code, pin): (&str, &str),
    (config, now): (&WalletConfig, NaiveDateTime),
) -> Result<Redeemed, ApiError> {
    let offer = open_offer(conn, code, now)?;
    let tries = i32::try_from(config.pin_tries).unwrap_or(i32::MAX);
    if !repo::take_try(conn, &offer.id, tries)? {
        // Another request changed the offer since it was read: say what it is now.
        open_offer(conn, code, now)?;
        return Err(invalid_grant("The offer was locked after too many wrong PINs."));
    }
    if pin_hash(code, pin) != offer.pin_hash {
        // This transaction holds the offer's row since its try: the count read now is exact.
        let failed = repo::offer_by_code(conn, &offer.code_hash)?.map_or(tries, |found| found.failed_pins);
        if failed >= tries {
            repo::lock(conn, &offer.id)?;
        }
        let tries_left = u32::try_from(tries.saturating_sub(failed)).unwrap_or(0);
        return Ok(Redeemed::WrongPin { tries_left });
    }
    let certificate = certificates::find(conn, &offer.certificate_id)?
        .ok_or_else(|| ApiError::internal("an offer's certificate is missing"))?;
    if certificate.status != CertificateStatus::Issued {
        return Err(invalid_grant("The certificate is no longer valid."));
    }
    let access_token = new_secret()?;
    let expires_at = now + Duration::seconds(i64::from(config.access_token_ttl_secs));
    if !repo::redeem(conn, &offer.id, &secret_hash(&access_token), (now, expires_at))? {
        return Err(invalid_grant("The pre-authorized code has been used."));
    }
    Ok(Redeemed::Token {
        access_token,
        expires_in: config.access_token_ttl_secs,
    })
}

/// The wrong-PIN answer, after its count is committed.
pub fn wrong_pin(tries_left: u32) -> ApiError {
    let description = if tries_left == 0 {
        "The PIN is wrong, and that was the last try: the offer is locked; ask for a new one.".to_owned()
    } else {
        format!("The PIN is wrong; {tries_left} tries left.")
    };
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_grant",
        description,
    }
}

/// The offer an access token was issued for, while the token is valid.
pub fn by_access_token(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<OfferRow, ApiError> {
    repo::offer_by_access_token(conn, &secret_hash(token))?
        .filter(|offer| offer.access_expires_at.is_some_and(|expires| expires > now))
        .ok_or_else(|| ApiError::Unauthorized {
            error: Some("invalid_token"),
            description: "The access token is not valid: redeem the offer's code at the token endpoint."
                .to_owned(),
        })
}
