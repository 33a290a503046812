//! The keys that sign and verify access tokens, and their public form as a JWK Set.

use std::{collections::HashMap, fs, path::Path};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{
    pkcs8::{spki::der::pem::LineEnding, DecodePrivateKey, DecodePublicKey, EncodePrivateKey},
    SigningKey, VerifyingKey,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::config::{AuthConfig, ExternalIssuer};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

pub(crate) fn file_error(path: &Path, message: impl ToString) -> KeyError {
    KeyError::File {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// A public key in JWK form (RFC 7517 / RFC 8037).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "kZ0bF2yKp2O0QfK4c2y7sKcVZ7nV6Jb3f0m6q2wM0yI", "alg": "EdDSA", "use": "sig"}))]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub x: String,
    pub kid: String,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub key_use: &'static str,
}

/// The published keys.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "kZ0bF2yKp2O0QfK4c2y7sKcVZ7nV6Jb3f0m6q2wM0yI", "alg": "EdDSA", "use": "sig"}]}))]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

/// What verifies a token: the key and the issuer and audience it must name.
pub struct Verifier {
    pub key: DecodingKey,
    pub algorithm: Algorithm,
    pub issuer: String,
    pub audience: String,
    /// True for this service's own keys, whose clients are looked up on every request.
    pub own: bool,
}

pub struct KeySet {
    signing_key: EncodingKey,
    signing_kid: String,
    verifiers: HashMap<String, Verifier>,
    /// The external issuer's verifier, for tokens without a `kid` this service knows.
    external: Option<Verifier>,
    jwks: JwkSet,
}

impl KeySet {
    /// Loads the signing key, generating and saving one when the file does not exist yet.
    pub fn load(config: &AuthConfig) -> Result<Self, KeyError> {
        let signing = load_or_generate(&config.signing_key_file, "access tokens")?;
        let mut public_keys = vec![signing.verifying_key()];
        for path in &config.previous_key_files {
            public_keys.push(read_public_key(path)?);
        }
        let mut verifiers = HashMap::new();
        let mut jwks = Vec::new();
        for key in public_keys {
            let jwk = jwk_of(&key);
            let decoding = DecodingKey::from_ed_components(&jwk.x).map_err(|error| {
                file_error(&config.signing_key_file, format!("unusable public key: {error}"))
            })?;
            verifiers.insert(
                jwk.kid.clone(),
                Verifier {
                    key: decoding,
                    algorithm: Algorithm::EdDSA,
                    issuer: config.issuer.clone(),
                    audience: config.audience.clone(),
                    own: true,
                },
            );
            jwks.push(jwk);
        }
        let der = signing
            .to_pkcs8_der()
            .map_err(|error| file_error(&config.signing_key_file, error))?;
        Ok(Self {
            signing_key: EncodingKey::from_ed_der(der.as_bytes()),
            signing_kid: jwks[0].kid.clone(),
            verifiers,
            external: config.external.as_ref().map(external_verifier).transpose()?,
            jwks: JwkSet { keys: jwks },
        })
    }

    pub fn signing_key(&self) -> (&EncodingKey, &str) {
        (&self.signing_key, &self.signing_kid)
    }

    /// The verifier for a token with this `kid` (or none).
    pub fn verifier(&self, kid: Option<&str>) -> Option<&Verifier> {
        kid.and_then(|kid| self.verifiers.get(kid))
            .or(self.external.as_ref())
    }

    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }
}

/// An Ed25519 private key from a PKCS#8 PEM file, generated and saved when the file does not
/// exist yet; `signs` names what it signs, for the warning that it was generated.
pub(crate) fn load_or_generate(path: &Path, signs: &str) -> Result<SigningKey, KeyError> {
    if path.exists() {
        let pem = fs::read_to_string(path).map_err(|error| file_error(path, error))?;
        return SigningKey::from_pkcs8_pem(&pem)
            .map_err(|error| file_error(path, format!("not an Ed25519 PKCS#8 private key: {error}")));
    }
    let key = generate_signing_key().map_err(|error| file_error(path, error))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|error| file_error(path, error))?;
    save_generated(path, &pem, signs)?;
    Ok(key)
}

/// Saves a generated private key where none was, readable by this user only, and warns that it
/// must be kept.
pub(crate) fn save_generated(path: &Path, pem: &str, signs: &str) -> Result<(), KeyError> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|error| file_error(dir, error))?;
    }
    write_private(path, pem.as_bytes()).map_err(|error| file_error(path, error))?;
    tracing::warn!(
        "no key was configured: generated a new key that signs {signs} in {}; keep this file (and back \
         it up) or what it signed will stop verifying",
        path.display()
    );
    Ok(())
}

/// A fresh Ed25519 key from the operating system's random source.
pub fn generate_signing_key() -> Result<SigningKey, getrandom::Error> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed)?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    fs::write(path, contents)
}

/// A verifying key from a PEM file holding either the private key or the public key.
fn read_public_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let pem = fs::read_to_string(path).map_err(|error| file_error(path, error))?;
    ed25519_public_key(&pem).ok_or_else(|| file_error(path, "not an Ed25519 key in PEM"))
}

/// The Ed25519 public key of a PEM holding the private key (PKCS#8) or the public key (SPKI).
pub(crate) fn ed25519_public_key(pem: &str) -> Option<VerifyingKey> {
    SigningKey::from_pkcs8_pem(pem)
        .map(|private| private.verifying_key())
        .or_else(|_| VerifyingKey::from_public_key_pem(pem))
        .ok()
}

fn external_verifier(external: &ExternalIssuer) -> Result<Verifier, KeyError> {
    let path = &external.public_key_file;
    let pem = fs::read(path).map_err(|error| file_error(path, error))?;
    let (key, algorithm) = match DecodingKey::from_ed_pem(&pem) {
        Ok(key) => (key, Algorithm::EdDSA),
        Err(_) => (
            DecodingKey::from_ec_pem(&pem)
                .map_err(|error| file_error(path, format!("not an Ed25519 or P-256 public key: {error}")))?,
            Algorithm::ES256,
        ),
    };
    Ok(Verifier {
        key,
        algorithm,
        issuer: external.issuer.clone(),
        audience: external.audience.clone(),
        own: false,
    })
}

/// The JWK of a public key, its `kid` being the RFC 7638 thumbprint.
pub fn jwk_of(key: &VerifyingKey) -> Jwk {
    let x = URL_SAFE_NO_PAD.encode(key.to_bytes());
    let thumbprint_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
    Jwk {
        kty: "OKP",
        crv: "Ed25519",
        x,
        kid,
        alg: "EdDSA",
        key_use: "sig",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_saved_and_loaded_again() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = AuthConfig::defaults(dir.path());
        let first = KeySet::load(&config).expect("generates");
        let second = KeySet::load(&config).expect("loads");
        assert_eq!(first.jwks().keys[0].x, second.jwks().keys[0].x);
        assert_eq!(
            first.jwks().keys[0].kid.len(),
            43,
            "a base64url SHA-256 thumbprint"
        );
    }

    #[test]
    fn previous_keys_still_verify_and_are_published() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut old = AuthConfig::defaults(dir.path());
        old.signing_key_file = dir.path().join("old.pem");
        let old_kid = KeySet::load(&old).expect("old key").signing_key().1.to_owned();
        let mut rotated = AuthConfig::defaults(dir.path());
        rotated.previous_key_files = vec![old.signing_key_file.clone()];
        let keys = KeySet::load(&rotated).expect("rotated");
        assert_eq!(keys.jwks().keys.len(), 2);
        assert_ne!(keys.signing_key().1, old_kid);
        assert!(keys.verifier(Some(&old_kid)).is_some());
    }
}
