//! Revocation that wallets understand: IETF Token Status Lists (`statuslist+jwt`, OAuth Status
//! List), kept beside the W3C Bitstring Status Lists over the same bits. A certificate's index is
//! the same in both, and both are read from the same revocations, so revoking or superseding a
//! certificate flips both at once. SD-JWT VCs delivered to wallets point here.
//!
//! The differences are only of encoding: here bit 0 is the least significant bit of the first
//! byte, the bytes are ZLIB-compressed, and the list is a JWT signed with ES256.

use std::io::Write;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::NaiveDateTime;
use flate2::{write::ZlibEncoder, Compression};
use jsonwebtoken::{Algorithm, Header};
use serde_json::json;

use super::status_list::pack;
use crate::{
    error::ApiError,
    issuers::{issuer_url, keys::CredentialKeys},
};

pub const TYPE: &str = "statuslist+jwt";
pub const TYPE_MEDIA: &str = "application/statuslist+jwt";
/// How long a verifier may keep a list before fetching it again (`ttl`), in seconds.
const TTL_SECS: i64 = 60;
/// How long a signed list is valid (`exp`), in seconds.
const VALID_SECS: i64 = 86_400;

/// The URL of an issuer's token status list: the `uri` of an SD-JWT VC's `status.status_list`.
pub fn url(base: &str, issuer: &str, list: i32) -> String {
    format!("{}/token-status-lists/{list}", issuer_url(base, issuer))
}

/// The list's bits, one per certificate, set at `revoked`, ZLIB-compressed and base64url-encoded
/// (`lst`). Bit 0 is the least significant bit of the first byte.
pub fn encode(revoked: &[i32]) -> Result<String, ApiError> {
    let bits = pack(revoked, |index| 1 << (index % 8));
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(&bits)
        .and_then(|()| encoder.finish())
        .map(|compressed| URL_SAFE_NO_PAD.encode(compressed))
        .map_err(|error| ApiError::internal(format!("compressing a token status list failed: {error}")))
}

/// The signed token status list of an issuer's list as of `at`.
pub fn sign(
    (keys, base): (&CredentialKeys, &str),
    (issuer, list): (&str, i32),
    revoked: &[i32],
    at: NaiveDateTime,
) -> Result<String, ApiError> {
    let (key, kid) = keys.es256_signer(base);
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some(TYPE.to_owned());
    header.kid = Some(kid);
    let issued = at.and_utc().timestamp();
    let claims = json!({
        "iss": issuer_url(base, issuer),
        "sub": url(base, issuer, list),
        "iat": issued,
        "exp": issued + VALID_SECS,
        "ttl": TTL_SECS,
        "status_list": {"bits": 1, "lst": encode(revoked)?},
    });
    jsonwebtoken::encode(&header, &claims, key).map_err(|error| ApiError::internal(error.to_string()))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn bits_are_counted_from_the_least_significant_bit_of_the_first_byte() {
        let encoded = encode(&[0, 9]).expect("encoded");
        let compressed = URL_SAFE_NO_PAD.decode(encoded).expect("base64url");
        let mut bits = Vec::new();
        flate2::read::ZlibDecoder::new(&compressed[..])
            .read_to_end(&mut bits)
            .expect("zlib");
        assert_eq!(bits.len(), 16_384);
        assert_eq!(&bits[..2], &[0b0000_0001, 0b0000_0010]);
    }
}
