//! Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (W3C VC Data Integrity EdDSA
//! Cryptosuites v1.0, section 3.3): JSON canonicalized by RFC 8785 (JCS), hashed with SHA-256 and
//! signed with Ed25519. Status list credentials carry one, so that verifiers working with JSON-LD
//! credentials and embedded proofs (Digital Bazaar's libraries, for instance) verify them as they
//! are, without JSON-LD canonicalization on our side.

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The Bitcoin base58 alphabet, which multibase's `z` prefix names.
const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Base58 (Bitcoin alphabet) of `bytes`; leading zero bytes become `1`s.
pub fn base58btc(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for digit in &mut digits {
            carry += u32::from(*digit) << 8;
            *digit = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = bytes.iter().take_while(|&&byte| byte == 0).count();
    std::iter::repeat_n(b'1', zeros)
        .chain(digits.iter().rev().map(|&digit| BASE58[usize::from(digit)]))
        .map(char::from)
        .collect()
}

/// The Multikey form of an Ed25519 public key: `z` and base58btc of the multicodec prefix
/// `0xed01` and the key.
pub fn multikey(key: &VerifyingKey) -> String {
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", base58btc(&bytes))
}

/// RFC 8785 canonical JSON: object members sorted by their UTF-16 code units, no whitespace.
/// Strings are escaped as ECMAScript's `JSON.stringify` does, which serde_json matches; the
/// documents signed here hold no fractional numbers, whose forms would differ.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(members) => {
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (position, key) in keys.into_iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&members[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Adds a `DataIntegrityProof` (`eddsa-jcs-2022`, purpose `assertionMethod`) to `document`.
pub fn sign(document: &mut Value, key: &SigningKey, verification_method: &str, created: &str) {
    // The proof carries the document's context, as the cryptosuite's "Create Proof" sets it.
    let mut proof = json!({
        "@context": document["@context"].clone(),
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    });
    let signature = key.sign(&hash_data(document, &proof));
    proof["proofValue"] = Value::String(format!("z{}", base58btc(&signature.to_bytes())));
    document["proof"] = proof;
}

/// What is signed: SHA-256 of the canonical proof configuration (the proof without its value),
/// then SHA-256 of the canonical document without its proof.
fn hash_data(document: &Value, proof: &Value) -> Vec<u8> {
    let mut configuration = proof.clone();
    if let Some(members) = configuration.as_object_mut() {
        members.remove("proofValue");
    }
    let mut unsecured = document.clone();
    if let Some(members) = unsecured.as_object_mut() {
        members.remove("proof");
    }
    let mut data = Sha256::digest(canonical(&configuration).as_bytes()).to_vec();
    data.extend_from_slice(&Sha256::digest(canonical(&unsecured).as_bytes()));
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58_matches_known_vectors() {
        assert_eq!(base58btc(b"Hello World!"), "2NEpo7TZRRrLZSi2U");
        assert_eq!(base58btc(&[0, 0, 1]), "112");
        assert_eq!(base58btc(&[]), "");
    }

    #[test]
    fn an_ed25519_multikey_starts_as_the_standard_says() {
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key();
        assert!(multikey(&key).starts_with("z6Mk"), "{}", multikey(&key));
    }

    #[test]
    fn canonical_json_sorts_members_by_utf16_code_units() {
        // U+FB01 sorts after U+1F600 by UTF-16 code units (0xFB01 > 0xD83D), before it by code point.
        let value = json!({"b": [1, {"z": true, "a": null}], "a": "ä\n", "\u{fb01}": 1, "\u{1f600}": 2});
        assert_eq!(
            canonical(&value),
            "{\"a\":\"ä\\n\",\"b\":[1,{\"a\":null,\"z\":true}],\"\u{1f600}\":2,\"\u{fb01}\":1}"
        );
    }

    #[test]
    fn a_proof_verifies_with_the_public_key() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let mut document = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x"});
        sign(
            &mut document,
            &key,
            "https://example.org/issuer#key",
            "2026-01-01T00:00:00Z",
        );
        let proof = document["proof"].clone();
        let value = proof["proofValue"].as_str().expect("proof value");
        assert!(value.starts_with('z'));
        let mut configuration = proof.clone();
        configuration
            .as_object_mut()
            .expect("object")
            .remove("proofValue");
        let data = hash_data(&document, &configuration);
        let decoded = decode_base58(&value[1..]);
        let signature = ed25519_dalek::Signature::from_slice(&decoded).expect("64 bytes");
        key.verifying_key()
            .verify_strict(&data, &signature)
            .expect("verifies");
    }

    fn decode_base58(text: &str) -> Vec<u8> {
        let mut bytes: Vec<u8> = Vec::new();
        for character in text.bytes() {
            let mut carry = BASE58.iter().position(|&b| b == character).expect("base58") as u32;
            for byte in &mut bytes {
                carry += u32::from(*byte) * 58;
                *byte = (carry & 0xff) as u8;
                carry >>= 8;
            }
            while carry > 0 {
                bytes.push((carry & 0xff) as u8);
                carry >>= 8;
            }
        }
        let zeros = text.bytes().take_while(|&b| b == b'1').count();
        std::iter::repeat_n(0, zeros)
            .chain(bytes.into_iter().rev())
            .collect()
    }
}
