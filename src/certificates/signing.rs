//! Securing a credential as a VC-JWT with the service's signing key: shared by certificates'
//! credentials and status list credentials.

use jsonwebtoken::{Algorithm, Header};
use serde_json::Value;

use crate::{auth::keys::KeySet, error::ApiError};

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The JOSE `typ` of a credential secured as a JWT.
pub const MEDIA_TYPE: &str = "vc+jwt";

/// Secures a credential as a VC-JWT with the service's current signing key.
pub fn sign_claims(keys: &KeySet, credential: &Value) -> Result<String, ApiError> {
    let mut header = Header::new(Algorithm::EdDSA);
    let (key, kid) = keys.signing_key();
    header.kid = Some(kid.to_owned());
    header.typ = Some(MEDIA_TYPE.to_owned());
    header.cty = Some("vc".to_owned());
    jsonwebtoken::encode(&header, credential, key).map_err(|error| ApiError::internal(error.to_string()))
}
