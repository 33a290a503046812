//! Access tokens: JWTs signed with the service's Ed25519 key.

use jsonwebtoken::{decode, decode_header, encode, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{join_scopes, keys::KeySet, parse_scopes, Principal, Scope};

/// Clock skew tolerated when checking `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The client id.
    pub sub: String,
    /// The organisation the client acts for; absent for platform administrators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Space-separated scopes.
    pub scope: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub jti: String,
}

pub fn issue(
    keys: &KeySet,
    issuer: &str,
    audience: &str,
    ttl_secs: u64,
    principal: &Principal,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        iss: issuer.to_owned(),
        aud: audience.to_owned(),
        sub: principal.client_id.clone(),
        org: principal.organisation_id.clone(),
        scope: join_scopes(&principal.scopes),
        iat: now,
        nbf: now,
        exp: now + ttl_secs,
        jti: Uuid::now_v7().to_string(),
    };
    let (key, kid) = keys.signing_key();
    let mut header = Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    encode(&header, &claims, key)
}

/// A token whose signature, algorithm, issuer, audience and lifetime checked out.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub principal: Principal,
    /// Issued by this service, so its client must still be active.
    pub own: bool,
    /// `exp` and `nbf`, for checking the lifetime again later.
    pub expires_at: u64,
    pub not_before: u64,
}

/// Verifies a token. Only the algorithm of the key named by `kid` is accepted, so `alg: none`,
/// HMAC with a public key and every other algorithm confusion fail here.
pub fn verify(keys: &KeySet, token: &str) -> Result<VerifiedToken, String> {
    let header = decode_header(token).map_err(|_| "the token is not a well-formed JWT".to_owned())?;
    let verifier = keys
        .verifier(header.kid.as_deref())
        .ok_or_else(|| "the token is signed with a key this service does not know".to_owned())?;
    let mut validation = Validation::new(verifier.algorithm);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation.set_issuer(&[&verifier.issuer]);
    validation.set_audience(&[&verifier.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = decode::<Claims>(token, &verifier.key, &validation).map_err(|error| {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::ExpiredSignature => "the token has expired".to_owned(),
            ErrorKind::ImmatureSignature => "the token is not valid yet".to_owned(),
            ErrorKind::InvalidIssuer => "the token is from another issuer".to_owned(),
            ErrorKind::InvalidAudience => "the token is for another audience".to_owned(),
            ErrorKind::InvalidAlgorithm => "the token's algorithm is not accepted".to_owned(),
            ErrorKind::InvalidSignature => "the token's signature does not verify".to_owned(),
            _ => "the token is invalid".to_owned(),
        }
    })?;
    let claims = data.claims;
    let scopes: Vec<Scope> = parse_scopes(&claims.scope)
        .map_err(|scope| format!("the token carries an unknown scope {scope:?}"))?;
    Ok(VerifiedToken {
        principal: Principal {
            client_id: claims.sub,
            organisation_id: claims.org,
            scopes,
        },
        own: verifier.own,
        expires_at: claims.exp,
        not_before: claims.nbf,
    })
}
