//! Securing credentials as Open Badges 3.0 VC-JWTs (section 8.2 "JSON Web Token Proof Format"):
//! a JOSE header of only `alg`, `kid` (the URL that answers the public JWK) and `typ: "JWT"`, and
//! a payload that is the credential itself with the claims `iss` (= `issuer.id`), `jti` (= `id`),
//! `nbf` (= `validFrom`), `sub` (= `credentialSubject.id`, when it has one) and `exp`
//! (= `validUntil`, when it has one), and `iat`, when it was signed.

use chrono::DateTime;
use jsonwebtoken::Header;
use serde_json::Value;

use crate::{error::ApiError, issuers::keys::CredentialKeys};

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The JOSE `typ` section 8.2 allows.
pub const JWT_TYPE: &str = "JWT";

/// Seconds since the epoch of a credential's date-time field, when it has a valid one.
pub fn seconds(credential: &Value, field: &str) -> Option<i64> {
    credential[field]
        .as_str()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map(|at| at.timestamp())
}

/// The registered claims section 8.2 derives from a credential's fields, those it has: `iss`
/// (`issuer.id`), `jti` (`id`), `nbf` (`validFrom`), `exp` (`validUntil`), `sub`
/// (`credentialSubject.id`). Signing adds them; verifying compares them.
pub fn registered_claims(credential: &Value) -> Vec<(&'static str, Value)> {
    let issuer = match &credential["issuer"] {
        Value::String(id) => Value::String(id.clone()),
        profile => profile["id"].clone(),
    };
    let subject = credential["credentialSubject"]["id"].clone();
    [
        ("iss", issuer),
        ("jti", credential["id"].clone()),
        (
            "nbf",
            seconds(credential, "validFrom").map_or(Value::Null, Value::from),
        ),
        (
            "exp",
            seconds(credential, "validUntil").map_or(Value::Null, Value::from),
        ),
        ("sub", subject),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_null())
    .collect()
}

/// Secures a credential as a VC-JWT with the service's current credential key.
pub fn sign_claims(keys: &CredentialKeys, base: &str, credential: &Value) -> Result<String, ApiError> {
    let (algorithm, kid) = keys.jwt_signer(base);
    let mut header = Header::new(algorithm);
    header.kid = Some(kid);
    header.typ = Some(JWT_TYPE.to_owned());
    let mut payload = credential.clone();
    let claims = registered_claims(credential);
    if !claims.iter().any(|(name, _)| *name == "nbf") {
        return Err(ApiError::internal("a credential to sign has no valid validFrom"));
    }
    for (name, value) in claims {
        payload[name] = value;
    }
    // When it was signed, which for an imported paper certificate is long after `nbf`.
    payload["iat"] = Value::from(chrono::Utc::now().timestamp());
    keys.sign_jwt(&header, &payload).map_err(ApiError::internal)
}
