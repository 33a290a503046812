//! Protection of personal identity codes at rest: encrypted with XChaCha20-Poly1305, and found
//! again by a keyed hash (a blind index) that reveals nothing without the key.

use std::{fs, path::Path};

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::{
    aead::{Aead, KeyInit},
    XChaCha20Poly1305, XNonce,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::keys::{file_error, write_private, KeyError};

type HmacSha256 = Hmac<Sha256>;

/// Marks the format and key generation of an encrypted value, so that keys can be rotated later.
const CIPHERTEXT_PREFIX: &str = "v1:";

/// The keys derived from the configured personal data key.
#[derive(Clone)]
pub struct PersonalDataKey {
    cipher: XChaCha20Poly1305,
    index_key: [u8; 32],
}

impl std::fmt::Debug for PersonalDataKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("PersonalDataKey(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProtectionError {
    #[error("random numbers are unavailable: {0}")]
    Random(getrandom::Error),
    #[error("an encrypted value cannot be decrypted with the configured key")]
    Undecryptable,
}

impl PersonalDataKey {
    /// Loads the key file (32 bytes, base64), generating and saving one when it does not exist.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let master = if path.exists() {
            let text = fs::read_to_string(path).map_err(|error| file_error(path, error))?;
            let bytes = STANDARD
                .decode(text.trim())
                .map_err(|error| file_error(path, format!("not base64: {error}")))?;
            <[u8; 32]>::try_from(bytes.as_slice())
                .map_err(|_| file_error(path, "the key must be 32 bytes"))?
        } else {
            let mut master = [0u8; 32];
            getrandom::getrandom(&mut master).map_err(|error| file_error(path, error))?;
            if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                fs::create_dir_all(dir).map_err(|error| file_error(dir, error))?;
            }
            write_private(path, format!("{}\n", STANDARD.encode(master)).as_bytes())
                .map_err(|error| file_error(path, error))?;
            log::warn!(
                "no personal data key was configured: generated a new key in {}; keep this file (and back it \
                 up) or stored personal identity codes can no longer be read",
                path.display()
            );
            master
        };
        Ok(Self::from_master(&master))
    }

    /// Derives one key to encrypt and another to index, so that neither use weakens the other.
    pub fn from_master(master: &[u8; 32]) -> Self {
        let derive = |label: &[u8]| hmac_sha256(master, label);
        Self {
            cipher: XChaCha20Poly1305::new(&derive(b"opinto-registry personal data encryption").into()),
            index_key: derive(b"opinto-registry personal data index"),
        }
    }

    /// Encrypts with a fresh random nonce: `v1:` and base64 of nonce and ciphertext.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, ProtectionError> {
        let mut nonce = [0u8; 24];
        getrandom::getrandom(&mut nonce).map_err(ProtectionError::Random)?;
        let ciphertext = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .map_err(|_| ProtectionError::Undecryptable)?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(format!("{CIPHERTEXT_PREFIX}{}", STANDARD.encode(sealed)))
    }

    pub fn decrypt(&self, sealed: &str) -> Result<String, ProtectionError> {
        let bytes = sealed
            .strip_prefix(CIPHERTEXT_PREFIX)
            .and_then(|encoded| STANDARD.decode(encoded).ok())
            .filter(|bytes| bytes.len() > 24)
            .ok_or(ProtectionError::Undecryptable)?;
        let (nonce, ciphertext) = bytes.split_at(24);
        let plaintext = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| ProtectionError::Undecryptable)?;
        String::from_utf8(plaintext).map_err(|_| ProtectionError::Undecryptable)
    }

    /// The same input always gives the same index, so equal codes are found without decrypting.
    pub fn blind_index(&self, value: &str) -> String {
        STANDARD.encode(hmac_sha256(&self.index_key, value.as_bytes()))
    }
}

/// HMAC-SHA-256 under a 32-byte key. HMAC pads a short key with zeros to the hash's block size;
/// doing that here makes the key type infallible.
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mut mac = <HmacSha256 as KeyInit>::new(&block.into());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_round_trips_and_never_repeats() {
        let key = PersonalDataKey::from_master(&[7; 32]);
        let first = key.encrypt("131052-308T").expect("encrypted");
        let second = key.encrypt("131052-308T").expect("encrypted");
        assert_ne!(first, second, "a fresh nonce each time");
        assert!(!first.contains("131052"));
        assert_eq!(key.decrypt(&first).expect("decrypted"), "131052-308T");
        let other = PersonalDataKey::from_master(&[8; 32]);
        assert!(other.decrypt(&first).is_err(), "another key cannot read it");
        assert!(key.decrypt("v1:AAAA").is_err());
    }

    #[test]
    fn the_blind_index_is_stable_and_keyed() {
        let key = PersonalDataKey::from_master(&[7; 32]);
        assert_eq!(key.blind_index("131052-308T"), key.blind_index("131052-308T"));
        assert_ne!(key.blind_index("131052-308T"), key.blind_index("131052-3080"));
        assert_ne!(
            key.blind_index("131052-308T"),
            PersonalDataKey::from_master(&[8; 32]).blind_index("131052-308T")
        );
    }
}
