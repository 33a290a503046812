//! Securing credentials as Open Badges 3.0 VC-JWTs (section 8.2 "JSON Web Token Proof Format"):
//! a JOSE header of only `alg`, `kid` (the URL that answers the public JWK) and `typ: "JWT"`, and
//! a payload that is the credential itself with the claims `iss` (= `issuer.id`), `jti` (= `id`),
//! `nbf` (= `validFrom`), `sub` (= `credentialSubject.id`, when it has one) and `exp`
//! (= `validUntil`, when it has one).

use chrono::DateTime;
use jsonwebtoken::Header;
use serde_json::Value;

use crate::{error::ApiError, issuers::keys::CredentialKeys};

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The JOSE `typ` section 8.2 allows.
pub const JWT_TYPE: &str = "JWT";

/// The registered claims section 8.2 derives from the credential.
fn claims(credential: &Value) -> Result<Vec<(&'static str, Value)>, ApiError> {
    let seconds = |field: &str| -> Result<Option<Value>, ApiError> {
        credential[field]
            .as_str()
            .map(|at| {
                DateTime::parse_from_rfc3339(at)
                    .map(|at| Value::from(at.timestamp()))
                    .map_err(|error| ApiError::internal(format!("credential {field}: {error}")))
            })
            .transpose()
    };
    let issuer = match &credential["issuer"] {
        Value::String(id) => Value::String(id.clone()),
        profile => profile["id"].clone(),
    };
    let mut claims = vec![("iss", issuer), ("jti", credential["id"].clone())];
    if let Some(nbf) = seconds("validFrom")? {
        claims.push(("nbf", nbf));
    }
    if let Some(exp) = seconds("validUntil")? {
        claims.push(("exp", exp));
    }
    if let Some(sub) = credential["credentialSubject"]["id"].as_str() {
        claims.push(("sub", Value::String(sub.to_owned())));
    }
    Ok(claims)
}

/// Secures a credential as a VC-JWT with the service's current credential key.
pub fn sign_claims(keys: &CredentialKeys, base: &str, credential: &Value) -> Result<String, ApiError> {
    let (key, algorithm, kid) = keys.jwt_signer(base);
    let mut header = Header::new(algorithm);
    header.kid = Some(kid);
    header.typ = Some(JWT_TYPE.to_owned());
    let mut payload = credential.clone();
    for (name, value) in claims(credential)? {
        payload[name] = value;
    }
    jsonwebtoken::encode(&header, &payload, key).map_err(|error| ApiError::internal(error.to_string()))
}
