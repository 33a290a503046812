//! Certificates in the holder's own digital wallet, by OpenID for Verifiable Credential Issuance
//! 1.0 (OID4VCI) with the pre-authorized code flow.
//!
//! The issuer organisation makes an offer for an issued certificate ([`offers`]): a single-use,
//! short-lived pre-authorized code bound to that certificate, and a PIN (transaction code) the
//! coach hands to the trainee apart from it. The wallet trades code and PIN for an access token,
//! fetches a `c_nonce`, proves possession of its key with an `openid4vci-proof+jwt` and receives
//! the certificate in one of two formats ([`credentials`]): the Open Badges 3.0 credential as a
//! `jwt_vc_json` bound to the holder's `did:jwk`, or an SD-JWT VC ([`sd_jwt`]) bound by `cnf`, with
//! the holder's name, birth date, each unit and each skill selectively disclosable. Both carry the
//! certificate's revocation status: the Bitstring Status List entry, and for the SD-JWT VC an IETF
//! Token Status List entry over the same bits, so revoking or superseding flips both.
//!
//! Codes, PINs, access tokens and nonces are stored only as hashes; every offer and every delivery
//! is audited, and each delivered copy is listed with the certificate's offers.

pub mod credentials;
pub mod dto;
pub mod handlers;
pub mod metadata;
pub mod model;
pub mod offers;
pub mod proof;
pub mod repo;
pub mod sd_jwt;

pub use crate::random::{new_secret, secret_hash};

/// The OAuth grant type of a pre-authorized code (OID4VCI 1.0 section 3.5).
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/// The `vct` of the SD-JWT VC: the URL that answers its type metadata.
pub fn vct(base: &str) -> String {
    format!("{base}/v1/credential-types/work-based-learning-certificate")
}

/// The credential endpoint's URL.
pub fn credential_endpoint(base: &str) -> String {
    format!("{base}/oid4vci/credential")
}
