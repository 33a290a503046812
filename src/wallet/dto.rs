//! What the wallet endpoints take and answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::model::{CredentialConfiguration, DeliveryRow, OfferRow, OfferState};

fn utc(at: chrono::NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A copy of the certificate delivered to a wallet.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-c000-7000-8000-000000000001", "credential_configuration_id": "competence_certificate_dc_sd_jwt", "holder_key_thumbprint": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "delivered_at": "2026-12-06T10:05:00Z"}))]
pub struct WalletDelivery {
    pub id: String,
    /// The format delivered.
    pub credential_configuration_id: CredentialConfiguration,
    /// The RFC 7638 thumbprint of the holder key the copy is bound to.
    pub holder_key_thumbprint: String,
    pub delivered_at: DateTime<Utc>,
}

impl From<DeliveryRow> for WalletDelivery {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            credential_configuration_id: row.credential_configuration_id,
            holder_key_thumbprint: row.holder_key_thumbprint,
            delivered_at: utc(row.delivered_at),
        }
    }
}

/// An offer of the certificate to a wallet, and the copies delivered through it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-b000-7000-8000-000000000001", "certificate_id": "0193a2b4-a000-7000-8000-000000000001", "state": "redeemed", "created_at": "2026-12-06T10:00:00Z", "expires_at": "2026-12-06T10:10:00Z", "redeemed_at": "2026-12-06T10:04:00Z", "deliveries": []}))]
pub struct WalletOffer {
    pub id: String,
    pub certificate_id: String,
    /// `offered` until redeemed (or expired: see `expires_at`), `locked` after too many wrong PINs.
    pub state: OfferState,
    pub created_at: DateTime<Utc>,
    /// Until when the code can be redeemed.
    pub expires_at: DateTime<Utc>,
    pub redeemed_at: Option<DateTime<Utc>>,
    pub deliveries: Vec<WalletDelivery>,
}

impl WalletOffer {
    pub fn new(row: OfferRow, deliveries: Vec<WalletDelivery>) -> Self {
        Self {
            id: row.id,
            certificate_id: row.certificate_id,
            state: row.state,
            created_at: utc(row.created_at),
            expires_at: utc(row.expires_at),
            redeemed_at: row.redeemed_at.map(utc),
            deliveries,
        }
    }
}

/// How the wallet asks the trainee for the PIN (OID4VCI 1.0 section 4.1.1).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"input_mode": "numeric", "length": 6, "description": "Enter the PIN your work coach gave you."}))]
pub struct TxCode {
    /// Always `numeric`.
    pub input_mode: &'static str,
    pub length: u8,
    pub description: String,
}

/// The pre-authorized code grant of an offer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"pre-authorized_code": "kG3x9ZpQ2wT7vLmN4sR8yB1cD5fH6jK0aE3uW9oI2qY", "tx_code": {"input_mode": "numeric", "length": 6, "description": "Enter the PIN your work coach gave you."}}))]
pub struct PreAuthorizedGrant {
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: String,
    pub tx_code: TxCode,
}

/// The grants of an offer: the pre-authorized code.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "kG3x9ZpQ2wT7vLmN4sR8yB1cD5fH6jK0aE3uW9oI2qY", "tx_code": {"input_mode": "numeric", "length": 6, "description": "Enter the PIN your work coach gave you."}}}))]
pub struct OfferGrants {
    #[serde(rename = "urn:ietf:params:oauth:grant-type:pre-authorized_code")]
    pub pre_authorized_code: PreAuthorizedGrant,
}

/// A credential offer (OID4VCI 1.0 section 4.1.1).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"credential_issuer": "https://registry.example", "credential_configuration_ids": ["open_badge_jwt_vc_json", "competence_certificate_dc_sd_jwt"], "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "kG3x9ZpQ2wT7vLmN4sR8yB1cD5fH6jK0aE3uW9oI2qY", "tx_code": {"input_mode": "numeric", "length": 6, "description": "Enter the PIN your work coach gave you."}}}}))]
pub struct CredentialOffer {
    pub credential_issuer: String,
    pub credential_configuration_ids: Vec<CredentialConfiguration>,
    pub grants: OfferGrants,
}

/// A new offer: what to hand to the trainee, shown once. Hand over `tx_code` (the PIN) apart
/// from the offer, for example by word of mouth: together they give the certificate to whoever
/// holds them. A retry with the same `Idempotency-Key` shows the offer without its secrets.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-b000-7000-8000-000000000001", "certificate_id": "0193a2b4-a000-7000-8000-000000000001", "state": "offered", "created_at": "2026-12-06T10:00:00Z", "expires_at": "2026-12-06T10:10:00Z", "redeemed_at": null, "deliveries": [],
    "offer_url": "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fregistry.example%2Foid4vci%2Fcredential-offer%3Fcode%3DkG3x9ZpQ2wT7vLmN4sR8yB1cD5fH6jK0aE3uW9oI2qY",
    "credential_offer_uri": "https://registry.example/oid4vci/credential-offer?code=kG3x9ZpQ2wT7vLmN4sR8yB1cD5fH6jK0aE3uW9oI2qY",
    "credential_offer": {"credential_issuer": "https://registry.example", "credential_configuration_ids": ["open_badge_jwt_vc_json", "competence_certificate_dc_sd_jwt"], "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "kG3x9ZpQ2wT7vLmN4sR8yB1cD5fH6jK0aE3uW9oI2qY", "tx_code": {"input_mode": "numeric", "length": 6, "description": "Enter the PIN your work coach gave you."}}}},
    "tx_code": "493021", "qr_code_svg": "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 41 41\"></svg>",
    "handout_url": "/v1/certificates/0193a2b4-a000-7000-8000-000000000001/wallet-offers/0193a2b4-b000-7000-8000-000000000001/handout?code=kG3x9ZpQ2wT7vLmN4sR8yB1cD5fH6jK0aE3uW9oI2qY"}))]
pub struct CreatedWalletOffer {
    #[serde(flatten)]
    pub offer: WalletOffer,
    /// The offer by reference, for a QR code or a link on a phone: `openid-credential-offer://?credential_offer_uri=…`.
    pub offer_url: Option<String>,
    /// Where the wallet fetches the offer.
    pub credential_offer_uri: Option<String>,
    /// The offer by value.
    pub credential_offer: Option<CredentialOffer>,
    /// The PIN the wallet asks for (six digits).
    pub tx_code: Option<String>,
    /// A QR code of `offer_url`, as an SVG image.
    pub qr_code_svg: Option<String>,
    /// The certificate as a PDF handout with the offer's QR code (not the PIN), while the offer is valid.
    pub handout_url: Option<String>,
}

/// The token request of a wallet (`grant_type` = `urn:ietf:params:oauth:grant-type:pre-authorized_code`).
#[derive(Debug, Default, Deserialize)]
pub struct PreAuthorizedTokenRequest {
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: Option<String>,
    pub tx_code: Option<String>,
}

/// A fresh nonce for a proof of possession.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"c_nonce": "wKI4LT17ac15ES9bw8ac4"}))]
pub struct NonceResponse {
    pub c_nonce: String,
}

/// Proofs of possession of the holder's key: one `openid4vci-proof+jwt`.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[schema(example = json!({"jwt": ["eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCJ9.eyJub25jZSI6IiJ9.c2ln"]}))]
pub struct Proofs {
    #[schema(min_items = 1, max_items = 1)]
    #[validate(length(min = 1, max = 1))]
    pub jwt: Vec<String>,
}

/// A credential request (OID4VCI 1.0 section 8.2).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[schema(example = json!({"credential_configuration_id": "competence_certificate_dc_sd_jwt", "proofs": {"jwt": ["eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCJ9.eyJub25jZSI6IiJ9.c2ln"]}}))]
pub struct CredentialRequest {
    /// One of the issuer metadata's `credential_configurations_supported`.
    #[schema(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub credential_configuration_id: String,
    #[validate(nested)]
    pub proofs: Option<Proofs>,
}

/// One credential delivered.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"credential": "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJ2Y3QiOiIuLi4ifQ.c2ln~WyJzYWx0IiwiZ2l2ZW5fbmFtZSIsIkFpbm8iXQ~"}))]
pub struct IssuedCredential {
    /// The credential: a compact VC-JWT (`jwt_vc_json`) or an SD-JWT with its disclosures (`dc+sd-jwt`).
    pub credential: String,
}

/// A credential response (OID4VCI 1.0 section 8.3).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"credentials": [{"credential": "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJ2Y3QiOiIuLi4ifQ.c2ln~WyJzYWx0IiwiZ2l2ZW5fbmFtZSIsIkFpbm8iXQ~"}]}))]
pub struct CredentialResponse {
    pub credentials: Vec<IssuedCredential>,
}
