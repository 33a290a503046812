//! Revocation that standard verifiers understand: W3C Bitstring Status Lists.
//!
//! Every issued certificate owns one bit in a list of 131,072 (16 KiB, the least the standard
//! allows, so that one holder's status cannot be singled out), at an index chosen at random and
//! never reused. The bit is set when the certificate is revoked or superseded by a correction.
//! Bits are numbered across issuers, but each issuing organisation publishes its own
//! `BitstringStatusListCredential` of a list, at `/v1/issuers/{organisation}/status-lists/{list}`,
//! holding only its certificates' bits and issued in its name, so that a standard verifier finds
//! the credential's issuer and the list's issuer the same. Credentials issued before lists were
//! per issuer point at `/v1/status-lists/{list}`, the service's own list of every bit. A new list
//! starts once the current one is about three quarters full, so that a free random index is found
//! in a few tries.
//!
//! A list credential is served as a VC-JWT, or as JSON-LD with a Data Integrity proof
//! (`eddsa-jcs-2022`) for verifiers that work with embedded proofs.

use std::io::Write;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{NaiveDateTime, SecondsFormat};
use flate2::{write::GzEncoder, Compression};
use serde_json::{json, Value};

use super::{
    model::StatusEntry,
    repo,
    signing::{sign_claims, VC_CONTEXT},
};
use actix_web::web::Bytes;

use crate::{
    db::DbConnection,
    error::ApiError,
    issuers::{data_integrity, issuer_url, keys::CredentialKeys, profile::proof_method_id},
    versioned_cache::VersionedCache,
};

/// Bits in one list.
pub const LIST_SIZE: i32 = 131_072;
/// Certificates given bits in one list before the next list is started.
const LIST_FILL: i64 = 98_304;
/// Random indexes tried before giving up; with a list at most three quarters full, all of them
/// being taken is about as likely as 0.75^64 (1 in 10^8).
const TRIES: usize = 64;

/// The URL of an issuer's list, or of the service's list of every bit.
pub fn list_url(base: &str, issuer: Option<&str>, list: i32) -> String {
    match issuer {
        Some(issuer) => format!("{}/status-lists/{list}", issuer_url(base, issuer)),
        None => format!("{base}/v1/status-lists/{list}"),
    }
}

/// The `credentialStatus` of a credential the organisation `issuer` issues.
pub fn entry(base: &str, issuer: &str, entry: StatusEntry) -> Value {
    let list = list_url(base, Some(issuer), entry.list);
    json!({
        "id": format!("{list}#{}", entry.index),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": entry.index.to_string(),
        "statusListCredential": list,
    })
}

/// Chooses a free bit for a certificate being issued. It first counts the entry, whose counter's
/// lock is held until the caller's transaction ends, so no other transaction chooses at the same
/// time.
pub fn assign(conn: &mut DbConnection) -> Result<StatusEntry, ApiError> {
    let issued = repo::take_status_entry(conn)?;
    let list = i32::try_from(issued / LIST_FILL + 1)
        .map_err(|_| ApiError::internal("the status lists are exhausted"))?;
    for _ in 0..TRIES {
        let mut bytes = [0u8; 4];
        getrandom::getrandom(&mut bytes)
            .map_err(|error| ApiError::internal(format!("no randomness for a status index: {error}")))?;
        let index = i32::try_from(u32::from_le_bytes(bytes) % LIST_SIZE.unsigned_abs())
            .map_err(|_| ApiError::internal("status index out of range"))?;
        let candidate = StatusEntry { list, index };
        if !repo::status_entry_taken(conn, candidate)? {
            return Ok(candidate);
        }
    }
    Err(ApiError::internal(format!(
        "no free status index found in list {list}"
    )))
}

/// The list's bits, set at `revoked`, GZIP-compressed and multibase base64url-encoded (`u…`) as
/// the standard's `encodedList`. Bit 0 is the most significant bit of the first byte.
pub fn encode(revoked: &[i32]) -> Result<String, ApiError> {
    let bits = pack(revoked, |index| 0x80 >> (index % 8));
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(&bits)
        .and_then(|()| encoder.finish())
        .map(|compressed| format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
        .map_err(|error| ApiError::internal(format!("compressing a status list failed: {error}")))
}

/// A whole list's bytes with the bits at `revoked` set, `mask` saying which bit of its byte an
/// index is (the two kinds of list count bits from opposite ends of a byte).
pub fn pack(revoked: &[i32], mask: impl Fn(usize) -> u8) -> Vec<u8> {
    let mut bits = vec![0u8; LIST_SIZE.unsigned_abs() as usize / 8];
    for &index in revoked {
        if let Ok(index) = usize::try_from(index) {
            if let Some(byte) = bits.get_mut(index / 8) {
                *byte |= mask(index);
            }
        }
    }
    bits
}

/// Signed list credentials, kept until the next certificate event: a list's bits change only with
/// one (a revocation, a correction, an issue), and signing, with RSA above all, costs far more than
/// the read that finds the feed unchanged. Without it, anyone could keep the processors busy by
/// asking for lists.
pub struct StatusListCache(VersionedCache);

impl Default for StatusListCache {
    fn default() -> Self {
        Self(VersionedCache::new(repo::FEED_COUNTER))
    }
}

impl StatusListCache {
    /// The list credential, signed anew only when no certificate event came since it was kept.
    pub fn credential(
        &self,
        conn: &mut DbConnection,
        (keys, base): (&CredentialKeys, &str),
        id: ListId<'_>,
        securing: Securing,
    ) -> Result<Bytes, ApiError> {
        // A token status list expires a day after it is signed: one kept is signed anew each day.
        let day = if securing == Securing::Token {
            crate::db::today().to_string()
        } else {
            String::new()
        };
        let key = format!("{}/{}/{securing:?}{day}", id.issuer.unwrap_or("*"), id.list);
        self.0.answer(conn, key, |conn| {
            credential(conn, keys, base, id, (crate::db::now(), securing))?
                .map(Bytes::from)
                .ok_or(ApiError::NotFound {
                    resource: "status list",
                })
        })
    }
}

/// How a list credential is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Securing {
    /// A VC-JWT, as the certificates' credentials.
    Jwt,
    /// JSON-LD with an embedded Data Integrity proof (`eddsa-jcs-2022`).
    DataIntegrity,
    /// An IETF Token Status List (`statuslist+jwt`) over the same bits: see
    /// [`super::token_status_list`].
    Token,
}

/// Which list: its number, and the issuer whose bits it holds (`None`: every bit, in the
/// service's name).
#[derive(Debug, Clone, Copy)]
pub struct ListId<'a> {
    pub list: i32,
    pub issuer: Option<&'a str>,
}

/// The status list credential of a list as of `at`, secured as asked, or `None` when no
/// certificate (of the issuer) has a bit in it.
pub fn credential(
    conn: &mut DbConnection,
    keys: &CredentialKeys,
    base: &str,
    id: ListId<'_>,
    (at, securing): (NaiveDateTime, Securing),
) -> Result<Option<String>, ApiError> {
    if !repo::status_list_exists(conn, id.list, id.issuer)? {
        return Ok(None);
    }
    let revoked = repo::revoked_status_indices(conn, id.list, id.issuer)?;
    if let (Securing::Token, Some(issuer)) = (securing, id.issuer) {
        return super::token_status_list::sign((keys, base), (issuer, id.list), &revoked, at).map(Some);
    }
    let encoded = encode(&revoked)?;
    let url = list_url(base, id.issuer, id.list);
    let issuer = id
        .issuer
        .map_or_else(|| base.to_owned(), |issuer| issuer_url(base, issuer));
    let created = at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut list_credential = json!({
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer, "type": ["Profile"]},
        "validFrom": created,
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    });
    match (securing, id.issuer) {
        (Securing::DataIntegrity, Some(organisation)) => {
            let method = proof_method_id(base, organisation, keys);
            data_integrity::sign(&mut list_credential, keys.proof_signer(), &method, &created);
            Ok(Some(list_credential.to_string()))
        }
        _ => sign_claims(keys, base, &list_credential).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn decode(encoded: &str) -> Vec<u8> {
        let compressed = URL_SAFE_NO_PAD
            .decode(encoded.strip_prefix('u').expect("multibase base64url"))
            .expect("base64url");
        let mut bits = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_end(&mut bits)
            .expect("gzip");
        bits
    }

    #[test]
    fn bits_are_counted_from_the_left_of_the_first_byte() {
        let bits = decode(&encode(&[0, 9, LIST_SIZE - 1]).expect("encodes"));
        assert_eq!(bits.len(), 16_384);
        assert_eq!(bits[0], 0b1000_0000);
        assert_eq!(bits[1], 0b0100_0000);
        assert_eq!(bits[16_383], 0b0000_0001);
        assert_eq!(bits.iter().map(|byte| byte.count_ones()).sum::<u32>(), 3);
    }

    #[test]
    fn an_empty_list_is_short_but_whole() {
        let encoded = encode(&[]).expect("encodes");
        assert!(encoded.len() < 100, "{encoded}");
        assert!(decode(&encoded).iter().all(|&byte| byte == 0));
    }
}
