//! Delivering a certificate to the wallet that redeemed its offer: in the format asked, bound to
//! the key the wallet proved it holds, audited and listed with the offer.

use actix_web::http::StatusCode;
use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

use super::{
    model::{CredentialConfiguration, DeliveryRow, OfferRow},
    proof::{HolderKey, Proven},
    repo, sd_jwt, secret_hash,
};
use crate::{
    audit::{self, Actor, Change},
    certificates::{
        checks::decode_json,
        dto::{Certificate, CertificateStatus},
        model::{CertificateRow, StatusEntry},
        protection::PersonalDataKey,
        repo as certificates,
        signing::sign_claims,
        views,
    },
    db::DbConnection,
    error::ApiError,
    issuers::keys::CredentialKeys,
    lookups::Lookups,
};

fn refused(error: &'static str, description: impl Into<String>) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error,
        description: description.into(),
    }
}

/// The configuration a request names, among those the metadata offers.
pub fn configuration(id: &str) -> Result<CredentialConfiguration, ApiError> {
    CredentialConfiguration::parse(id).map_err(|_| {
        refused(
            "unknown_credential_configuration",
            format!("No credential configuration is called {id:?}."),
        )
    })
}

/// The Open Badges 3.0 credential issued with the certificate, its subject the holder's
/// `did:jwk`, signed anew. It keeps the certificate's `id`, so that the registry's verification
/// finds the certificate and its status as for the credential it was made from.
fn open_badge(
    stored: &str,
    holder: &HolderKey,
    (keys, base): (&CredentialKeys, &str),
) -> Result<String, ApiError> {
    let mut credential: Value = stored
        .split('.')
        .nth(1)
        .and_then(decode_json)
        .map(Value::Object)
        .ok_or_else(|| ApiError::internal("a stored credential cannot be read"))?;
    if let Value::Object(members) = &mut credential {
        // The registered claims signing added; signing adds them anew from the new content.
        for name in ["iss", "jti", "nbf", "exp", "sub"] {
            members.remove(name);
        }
    }
    credential["credentialSubject"]["id"] = Value::String(holder.did());
    sign_claims(keys, base, &credential)
}

/// What a delivery needs besides the database.
pub struct Context<'a> {
    pub keys: &'a CredentialKeys,
    pub base: &'a str,
    pub personal_data: &'a PersonalDataKey,
    pub lookups: &'a Lookups,
    pub actor: &'a Actor,
    pub now: NaiveDateTime,
}

fn certificate_view(
    conn: &mut DbConnection,
    context: &Context<'_>,
    row: CertificateRow,
) -> Result<Certificate, ApiError> {
    views::views(conn, context.lookups, vec![row], context.personal_data, |_| false)?
        .pop()
        .ok_or_else(|| ApiError::internal("a certificate's view is missing"))
}

/// Delivers the offer's certificate in `configuration` to the holder of the proven key, using up
/// the proof's nonce.
pub fn deliver(
    conn: &mut DbConnection,
    context: &Context<'_>,
    (offer, configuration): (&OfferRow, CredentialConfiguration),
    proven: &Proven,
) -> Result<String, ApiError> {
    if !repo::take_nonce(conn, &secret_hash(&proven.nonce), context.now)? {
        return Err(refused(
            "invalid_nonce",
            "The proof's nonce is unknown, used or expired: take a new c_nonce.",
        ));
    }
    let row = certificates::find(conn, &offer.certificate_id)?
        .ok_or_else(|| ApiError::internal("an offer's certificate is missing"))?;
    let (Some(list), Some(index), Some(stored)) =
        (row.status_list, row.status_list_index, row.credential.clone())
    else {
        return Err(ApiError::internal(
            "an issued certificate has no credential or status entry",
        ));
    };
    if row.status != CertificateStatus::Issued {
        return Err(refused(
            "credential_request_denied",
            "The certificate is no longer valid.",
        ));
    }
    let id = Uuid::now_v7().to_string();
    let issuer = row.issuer_organisation_id.clone();
    let credential = match configuration {
        CredentialConfiguration::OpenBadge => open_badge(&stored, &proven.key, (context.keys, context.base))?,
        CredentialConfiguration::SdJwt => {
            let certificate = certificate_view(conn, context, row)?;
            let binding = sd_jwt::Binding {
                holder: &proven.key,
                status: StatusEntry { list, index },
                now: context.now.and_utc().timestamp(),
            };
            sd_jwt::issue(&certificate, &binding, (context.keys, context.base))?
        }
    };
    repo::insert_delivery(
        conn,
        &DeliveryRow {
            id,
            certificate_id: offer.certificate_id.clone(),
            offer_id: offer.id.clone(),
            credential_configuration_id: configuration,
            holder_key_thumbprint: proven.key.thumbprint.clone(),
            delivered_at: context.now,
        },
    )?;
    let change = Change::new(
        crate::certificates::dto::ReadPurpose::WalletDelivery.as_str(),
        "certificate",
        &offer.certificate_id,
        Some(&issuer),
    );
    audit::record(conn, context.actor, change)?;
    Ok(credential)
}
