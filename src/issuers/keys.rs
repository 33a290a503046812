//! The keys that sign credentials, kept apart from the access-token key: an RSA key for RS256
//! VC-JWTs (what Open Badges 3.0 requires every verifier to support), an Ed25519 key for EdDSA
//! VC-JWTs when configured and for the Data Integrity proofs of status lists, a P-256 key for
//! ES256 (SD-JWT VCs for wallets and token status lists, as the EU wallet profiles require), and
//! earlier keys that still verify what they signed. Each key is named by the URL that answers its
//! public JWK.

use std::{fs, path::Path};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{
    pkcs8::{spki::der::pem::LineEnding, DecodePrivateKey, DecodePublicKey, EncodePrivateKey},
    SigningKey, VerifyingKey,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use ring::{
    rand::SystemRandom,
    signature::{RsaKeyPair, RSA_PKCS1_SHA256},
};
use rsa::{
    pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey},
    traits::PublicKeyParts,
    RsaPrivateKey, RsaPublicKey,
};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{
    auth::keys::{ed25519_public_key, file_error, load_or_generate, save_generated, KeyError},
    config::{CredentialAlgorithm, CredentialKeyConfig},
};

/// Bits of a generated RSA key: above the 2048 the specification asks as a minimum.
pub const RSA_BITS: usize = 3072;

/// A public key that verifies credentials: its JWK (without `kid`) and its thumbprint.
pub struct PublicKey {
    pub thumbprint: String,
    pub algorithm: Algorithm,
    jwk: Value,
    pub decoding: DecodingKey,
}

impl PublicKey {
    fn rsa(key: &RsaPublicKey) -> Self {
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        let thumbprint = thumbprint(&format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#));
        Self {
            thumbprint,
            algorithm: Algorithm::RS256,
            decoding: DecodingKey::from_rsa_raw_components(&key.n().to_bytes_be(), &key.e().to_bytes_be()),
            jwk: json!({"kty": "RSA", "n": n, "e": e, "alg": "RS256", "use": "sig"}),
        }
    }

    fn ed25519(key: &VerifyingKey) -> Self {
        let x = URL_SAFE_NO_PAD.encode(key.to_bytes());
        let thumbprint = thumbprint(&format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#));
        Self {
            thumbprint,
            algorithm: Algorithm::EdDSA,
            decoding: DecodingKey::from_ed_der(&key.to_bytes()),
            jwk: json!({"kty": "OKP", "crv": "Ed25519", "x": x, "alg": "EdDSA", "use": "sig"}),
        }
    }

    /// A P-256 key read from `path`.
    fn p256(key: &p256::PublicKey, path: &Path) -> Result<Self, KeyError> {
        let point = key.to_encoded_point(false);
        let coordinate = |bytes: Option<&p256::FieldBytes>| {
            URL_SAFE_NO_PAD.encode(bytes.map_or(&[][..], |b| b.as_slice()))
        };
        let (x, y) = (coordinate(point.x()), coordinate(point.y()));
        let thumbprint = thumbprint(&format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#));
        let decoding = DecodingKey::from_ec_components(&x, &y).map_err(|error| file_error(path, error))?;
        Ok(Self {
            thumbprint,
            algorithm: Algorithm::ES256,
            decoding,
            jwk: json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "alg": "ES256", "use": "sig"}),
        })
    }

    /// The public JWK, its `kid` being the URL that answers it.
    pub fn jwk(&self, base: &str) -> Value {
        let mut jwk = self.jwk.clone();
        jwk["kid"] = Value::String(key_url(base, &self.thumbprint));
        jwk
    }
}

/// The RFC 7638 thumbprint of a JWK's required members, given in their canonical order.
pub fn thumbprint(canonical: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// The URL that answers a credential key's public JWK: a VC-JWT's `kid`.
pub fn key_url(base: &str, thumbprint: &str) -> String {
    format!("{base}/v1/credential-keys/{thumbprint}")
}

/// What signs VC-JWTs. RS256 goes through ring, which signs with a 3,072-bit key in about a third
/// of the time of the pure-Rust `rsa` crate behind jsonwebtoken (which also parses the key anew for
/// every signature); issuing signs every credential, so this bounds how many are issued a second.
enum JwtKey {
    Rsa(Box<RsaKeyPair>),
    Other(EncodingKey),
}

pub struct CredentialKeys {
    jwt_key: JwtKey,
    /// Index in `published` of the key that signs VC-JWTs.
    jwt_signer: usize,
    proof_key: SigningKey,
    /// Index in `published` of the key that signs Data Integrity proofs.
    proof_signer: usize,
    es256_key: EncodingKey,
    /// Index in `published` of the ES256 key.
    es256_signer: usize,
    published: Vec<PublicKey>,
}

impl CredentialKeys {
    /// Loads the keys, generating and saving the current ones when their files do not exist yet.
    pub fn load(config: &CredentialKeyConfig) -> Result<Self, KeyError> {
        let rsa = load_or_generate_rsa(&config.rsa_key_file)?;
        let ed25519 = load_or_generate(&config.ed25519_key_file, "credentials and status lists")?;
        let p256 = load_or_generate_p256(&config.es256_key_file)?;
        let mut published = vec![
            PublicKey::rsa(&rsa.to_public_key()),
            PublicKey::ed25519(&ed25519.verifying_key()),
            PublicKey::p256(&p256.public_key(), &config.es256_key_file)?,
        ];
        for path in &config.previous_key_files {
            let key = read_public_key(path)?;
            if !published.iter().any(|known| known.thumbprint == key.thumbprint) {
                published.push(key);
            }
        }
        let (jwt_key, jwt_signer) = match config.algorithm {
            CredentialAlgorithm::Rs256 => {
                let der = rsa
                    .to_pkcs1_der()
                    .map_err(|error| file_error(&config.rsa_key_file, error))?;
                let pair = RsaKeyPair::from_der(der.as_bytes())
                    .map_err(|error| file_error(&config.rsa_key_file, error))?;
                (JwtKey::Rsa(Box::new(pair)), 0)
            }
            CredentialAlgorithm::EdDsa => (
                JwtKey::Other(ed25519_encoding_key(&ed25519, &config.ed25519_key_file)?),
                1,
            ),
        };
        Ok(Self {
            jwt_key,
            jwt_signer,
            proof_key: ed25519,
            proof_signer: 1,
            es256_key: p256_encoding_key(&p256, &config.es256_key_file)?,
            es256_signer: 2,
            published,
        })
    }

    /// The algorithm of the key that signs VC-JWTs, and its `kid`.
    pub fn jwt_signer(&self, base: &str) -> (Algorithm, String) {
        let public = &self.published[self.jwt_signer];
        (public.algorithm, key_url(base, &public.thumbprint))
    }

    /// `payload` as a compact JWS signed with the VC-JWT key; `header.alg` is the key's algorithm.
    pub fn sign_jwt(&self, header: &Header, payload: &impl Serialize) -> Result<String, String> {
        match &self.jwt_key {
            JwtKey::Other(key) => {
                jsonwebtoken::encode(header, payload, key).map_err(|error| error.to_string())
            }
            JwtKey::Rsa(pair) => {
                let message = format!("{}.{}", base64_json(header)?, base64_json(payload)?);
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message.as_bytes(),
                    &mut signature,
                )
                .map_err(|_| "RSA signing failed".to_owned())?;
                Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
            }
        }
    }

    /// The P-256 key that signs SD-JWT VCs and token status lists (ES256), and its `kid`.
    pub fn es256_signer(&self, base: &str) -> (&EncodingKey, String) {
        let public = &self.published[self.es256_signer];
        (&self.es256_key, key_url(base, &public.thumbprint))
    }

    /// The ES256 key's public JWK, its `kid` the URL that answers it.
    pub fn es256_jwk(&self, base: &str) -> Value {
        self.published[self.es256_signer].jwk(base)
    }

    /// The Ed25519 key that signs Data Integrity proofs, and its public half.
    pub fn proof_signer(&self) -> &SigningKey {
        &self.proof_key
    }

    /// The thumbprint of the key that signs Data Integrity proofs.
    pub fn proof_thumbprint(&self) -> &str {
        &self.published[self.proof_signer].thumbprint
    }

    /// The public key named by a VC-JWT's `kid`, when it is one of this service's.
    pub fn by_kid(&self, base: &str, kid: &str) -> Option<&PublicKey> {
        let thumbprint = kid.strip_prefix(&key_url(base, ""))?;
        self.by_thumbprint(thumbprint)
    }

    pub fn by_thumbprint(&self, thumbprint: &str) -> Option<&PublicKey> {
        self.published.iter().find(|key| key.thumbprint == thumbprint)
    }

    /// Every key that verifies credentials: the current ones first.
    pub fn published(&self) -> &[PublicKey] {
        &self.published
    }
}

/// A JWS part: base64url, without padding, of the value's JSON.
fn base64_json(value: &impl Serialize) -> Result<String, String> {
    serde_json::to_vec(value)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .map_err(|error| error.to_string())
}

fn ed25519_encoding_key(key: &SigningKey, path: &Path) -> Result<EncodingKey, KeyError> {
    let der = key.to_pkcs8_der().map_err(|error| file_error(path, error))?;
    Ok(EncodingKey::from_ed_der(der.as_bytes()))
}

fn p256_encoding_key(key: &p256::SecretKey, path: &Path) -> Result<EncodingKey, KeyError> {
    let der = key.to_pkcs8_der().map_err(|error| file_error(path, error))?;
    Ok(EncodingKey::from_ec_der(der.as_bytes()))
}

/// A fresh P-256 key from the operating system's random source: 32 random bytes, drawn again in
/// the rare case they are not below the group order.
fn generate_p256() -> Result<p256::SecretKey, String> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|error| error.to_string())?;
        if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
}

fn load_or_generate_p256(path: &Path) -> Result<p256::SecretKey, KeyError> {
    if !path.exists() {
        let key = generate_p256().map_err(|error| file_error(path, error))?;
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|error| file_error(path, error))?;
        save_generated(path, &pem, "wallet credentials and token status lists")?;
    }
    let pem = fs::read_to_string(path).map_err(|error| file_error(path, error))?;
    p256::SecretKey::from_pkcs8_pem(&pem)
        .map_err(|error| file_error(path, format!("not a P-256 PKCS#8 private key: {error}")))
}

/// A fresh RSA key from the operating system's random source, as PKCS#8 PEM.
pub fn generate_rsa_pem() -> Result<String, String> {
    let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS).map_err(|error| error.to_string())?;
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|error| error.to_string())
}

fn load_or_generate_rsa(path: &Path) -> Result<RsaPrivateKey, KeyError> {
    if !path.exists() {
        let pem = generate_rsa_pem().map_err(|error| file_error(path, error))?;
        save_generated(path, &pem, "credentials")?;
    }
    let pem = fs::read_to_string(path).map_err(|error| file_error(path, error))?;
    let key = RsaPrivateKey::from_pkcs8_pem(&pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(&pem))
        .map_err(|error| file_error(path, format!("not an RSA private key: {error}")))?;
    if key.size() * 8 < 2048 {
        return Err(file_error(path, "an RSA key must have at least 2048 bits"));
    }
    Ok(key)
}

/// An earlier key from a PEM file holding an RSA or Ed25519 key, private or public.
fn read_public_key(path: &Path) -> Result<PublicKey, KeyError> {
    let pem = fs::read_to_string(path).map_err(|error| file_error(path, error))?;
    if let Some(public) = ed25519_public_key(&pem) {
        return Ok(PublicKey::ed25519(&public));
    }
    if let Ok(private) = RsaPrivateKey::from_pkcs8_pem(&pem).or_else(|_| RsaPrivateKey::from_pkcs1_pem(&pem))
    {
        return Ok(PublicKey::rsa(&private.to_public_key()));
    }
    if let Ok(private) = p256::SecretKey::from_pkcs8_pem(&pem) {
        return PublicKey::p256(&private.public_key(), path);
    }
    if let Ok(public) = p256::PublicKey::from_public_key_pem(&pem) {
        return PublicKey::p256(&public, path);
    }
    RsaPublicKey::from_public_key_pem(&pem)
        .map(|public| PublicKey::rsa(&public))
        .map_err(|_| file_error(path, "not an RSA, Ed25519 or P-256 key in PEM"))
}
