//! Random bytes from the operating system, for secrets, salts and ids, and how a secret shown
//! once is kept.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// `N` random bytes; an error only when the operating system has no randomness to give.
pub fn bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
    Ok(bytes)
}

/// A fresh secret of 256 bits, base64url without padding.
pub fn new_secret() -> Result<String, ApiError> {
    Ok(URL_SAFE_NO_PAD.encode(bytes::<32>()?))
}

/// The SHA-256 of a secret, in hex: what is stored in its place. Secrets have 256 bits, so a
/// plain hash cannot be reversed by guessing.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
