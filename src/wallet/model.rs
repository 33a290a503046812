//! Rows of wallet offers and deliveries, and the names of their states and configurations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{wallet_deliveries, wallet_offers};

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum OfferState {
        /// Waiting for the wallet to redeem its code with the PIN.
        Offered,
        /// Redeemed: the wallet holds an access token for the credential endpoint.
        Redeemed,
        /// Too many wrong PINs: the offer can no longer be used.
        Locked,
    }
}

crate::text_enum! {
    /// A credential configuration of the issuer metadata: which format a wallet receives.
    pub enum CredentialConfiguration {
        /// The Open Badges 3.0 credential as a VC-JWT (`jwt_vc_json`), its subject the holder's
        /// `did:jwk`.
        #[serde(rename = "open_badge_jwt_vc_json")]
        OpenBadge,
        /// An SD-JWT VC (`dc+sd-jwt`) of the certificate, bound to the holder's key by `cnf`.
        #[serde(rename = "competence_certificate_dc_sd_jwt")]
        SdJwt,
    }
}

impl CredentialConfiguration {
    pub const ALL: [Self; 2] = [Self::OpenBadge, Self::SdJwt];
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = wallet_offers)]
pub struct OfferRow {
    pub id: String,
    pub certificate_id: String,
    pub code_hash: String,
    pub pin_hash: String,
    pub failed_pins: i32,
    pub state: OfferState,
    pub expires_at: NaiveDateTime,
    pub access_token_hash: Option<String>,
    pub access_expires_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub redeemed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = wallet_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub certificate_id: String,
    pub offer_id: String,
    pub credential_configuration_id: CredentialConfiguration,
    pub holder_key_thumbprint: String,
    pub delivered_at: NaiveDateTime,
}
