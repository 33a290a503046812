//! The wallet's proof of possession of its key (OID4VCI 1.0 appendix F.1): a JWT of type
//! `openid4vci-proof+jwt`, signed with ES256 or EdDSA by the key its header names (a `jwk`, or a
//! `kid` that is a `did:jwk`), for this credential issuer (`aud`), recent (`iat`) and carrying a
//! `c_nonce` from the nonce endpoint.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

use crate::{certificates::checks::decode_json, error::ApiError, issuers::keys::thumbprint};

pub const PROOF_TYPE: &str = "openid4vci-proof+jwt";
/// How far a proof's `iat` may lie in the future (clock skew), in seconds.
const FUTURE_SKEW_SECS: i64 = 60;

/// The holder's public key, as the credential is bound to it.
#[derive(Debug, Clone)]
pub struct HolderKey {
    /// The public JWK's required members only.
    pub jwk: Value,
    /// Its RFC 7638 thumbprint.
    pub thumbprint: String,
}

impl HolderKey {
    /// The `did:jwk` naming the key: a credential subject's `id`.
    pub fn did(&self) -> String {
        format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(self.jwk.to_string()))
    }

    /// Reads a public JWK: P-256 (`EC`) or Ed25519 (`OKP`), never with private members.
    fn from_jwk(jwk: &Value) -> Result<(Self, DecodingKey, Algorithm), String> {
        if jwk.get("d").is_some() {
            return Err("the proof's key holds a private part (d)".to_owned());
        }
        let member = |name: &str| {
            jwk[name]
                .as_str()
                .filter(|value| !value.is_empty())
                .ok_or_else(|| format!("the proof's key has no {name}"))
        };
        let (public, decoding, algorithm) = match (member("kty")?, jwk["crv"].as_str()) {
            ("EC", Some("P-256")) => {
                let (x, y) = (member("x")?, member("y")?);
                let decoding = DecodingKey::from_ec_components(x, y).map_err(|error| error.to_string())?;
                (
                    json!({"crv": "P-256", "kty": "EC", "x": x, "y": y}),
                    decoding,
                    Algorithm::ES256,
                )
            }
            ("OKP", Some("Ed25519")) => {
                let x = member("x")?;
                let decoding = DecodingKey::from_ed_components(x).map_err(|error| error.to_string())?;
                (
                    json!({"crv": "Ed25519", "kty": "OKP", "x": x}),
                    decoding,
                    Algorithm::EdDSA,
                )
            }
            _ => return Err("the proof's key is neither P-256 (EC) nor Ed25519 (OKP)".to_owned()),
        };
        // serde_json keeps object members sorted: the serialized form is RFC 7638's canonical one.
        let thumbprint = thumbprint(&public.to_string());
        Ok((
            Self {
                jwk: public,
                thumbprint,
            },
            decoding,
            algorithm,
        ))
    }
}

/// What a verified proof gives: the holder's key and the nonce to use up.
#[derive(Debug)]
pub struct Proven {
    pub key: HolderKey,
    pub nonce: String,
}

pub fn invalid_proof(description: impl Into<String>) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_proof",
        description: description.into(),
    }
}

/// A JWS segment or a did:jwk as JSON, padded or not.
fn decode_part(part: &str) -> Option<Value> {
    decode_json(part.trim_end_matches('=')).map(Value::Object)
}

/// The key a proof's header names: its `jwk`, or the JWK inside a `did:jwk` `kid`.
fn named_key(header: &Value) -> Result<(HolderKey, DecodingKey, Algorithm), String> {
    match (&header["jwk"], header["kid"].as_str()) {
        (Value::Object(_), None) => HolderKey::from_jwk(&header["jwk"]),
        (Value::Null, Some(kid)) => {
            let did = kid.split('#').next().unwrap_or(kid);
            let encoded = did
                .strip_prefix("did:jwk:")
                .ok_or("the proof's kid is not a did:jwk; send the key as jwk or as a did:jwk kid")?;
            let jwk = decode_part(encoded).ok_or("the proof's did:jwk does not hold a JWK")?;
            HolderKey::from_jwk(&jwk)
        }
        _ => Err("the proof's header names its key by exactly one of jwk and kid (did:jwk)".to_owned()),
    }
}

/// Checks a proof's form, signature and claims, for the credential issuer `audience`, at `now`
/// (seconds), no older than `max_age_secs`. The nonce is checked by its caller, which uses it up.
pub fn verify(jwt: &str, audience: &str, now: i64, max_age_secs: i64) -> Result<Proven, ApiError> {
    let header = jwt
        .split('.')
        .next()
        .and_then(decode_part)
        .filter(|_| jwt.split('.').count() == 3)
        .ok_or_else(|| invalid_proof("The proof is not a compact JWT."))?;
    if header["typ"] != PROOF_TYPE {
        return Err(invalid_proof(format!("The proof's typ must be {PROOF_TYPE}.")));
    }
    let (key, decoding, algorithm) = named_key(&header).map_err(invalid_proof)?;
    let declared = header["alg"].as_str().unwrap_or_default();
    if declared != format!("{algorithm:?}") {
        return Err(invalid_proof(format!(
            "The proof's alg must be {algorithm:?} for its key, not {declared:?}."
        )));
    }
    let mut validation = Validation::new(algorithm);
    validation.set_audience(&[audience]);
    validation.required_spec_claims = HashSet::from(["aud".to_owned()]);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Value>(jwt, &decoding, &validation)
        .map_err(|error| invalid_proof(format!("The proof does not verify: {error}.")))?
        .claims;
    let issued = claims["iat"]
        .as_i64()
        .ok_or_else(|| invalid_proof("The proof has no iat."))?;
    if issued > now + FUTURE_SKEW_SECS || issued < now - max_age_secs {
        return Err(invalid_proof("The proof's iat is not recent."));
    }
    let nonce = claims["nonce"]
        .as_str()
        .ok_or_else(|| ApiError::OAuth {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_nonce",
            description: "The proof has no nonce: take a c_nonce from the nonce endpoint.".to_owned(),
        })?
        .to_owned();
    Ok(Proven { key, nonce })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprints_follow_rfc_7638() {
        // RFC 7638 section 3.1's example is RSA; RFC 8037 appendix A.3 gives an Ed25519 one.
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        let (key, _, algorithm) = HolderKey::from_jwk(&jwk).expect("an Ed25519 key");
        assert_eq!(key.thumbprint, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
        assert_eq!(algorithm, Algorithm::EdDSA);
    }

    #[test]
    fn private_keys_and_other_curves_are_refused() {
        let private = json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "d": "x"});
        assert!(HolderKey::from_jwk(&private).is_err());
        let other = json!({"kty": "EC", "crv": "P-384", "x": "a", "y": "b"});
        assert!(HolderKey::from_jwk(&other).is_err());
    }
}
