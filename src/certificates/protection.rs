//! Protection of personal data at rest (identity codes, birth dates, learner OIDs, and stored
//! answers that hold them): encrypted with XChaCha20-Poly1305, and identity codes found again by
//! a keyed hash (a blind index) that reveals nothing without the key. Sealed values name the key
//! that sealed them, so that keys can be rotated while the service runs.

use std::{fs, path::Path};

use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine,
};
use chacha20poly1305::{
    aead::{Aead, KeyInit},
    XChaCha20Poly1305, XNonce,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::keys::{file_error, write_private, KeyError};

type HmacSha256 = Hmac<Sha256>;

/// The format of values sealed before keys had ids: any key of the ring may have sealed them.
const LEGACY_PREFIX: &str = "v1:";
/// `v2:<key id>:` and base64 of nonce and ciphertext.
const PREFIX: &str = "v2:";
const NONCE_BYTES: usize = 24;

/// One personal data key: its id, and the keys derived from it to encrypt and to index.
#[derive(Clone)]
struct KeyMaterial {
    id: String,
    cipher: XChaCha20Poly1305,
    index_key: [u8; 32],
}

impl KeyMaterial {
    /// Derives one key to encrypt, another to index and a public id, so that no use weakens another.
    fn from_master(master: &[u8; 32]) -> Self {
        let derive = |label: &[u8]| hmac_sha256(master, label);
        Self {
            id: URL_SAFE_NO_PAD.encode(&derive(b"opinto-registry personal data key id")[..6]),
            cipher: XChaCha20Poly1305::new(&derive(b"opinto-registry personal data encryption").into()),
            index_key: derive(b"opinto-registry personal data index"),
        }
    }

    fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        self.cipher.decrypt(XNonce::from_slice(nonce), ciphertext).ok()
    }
}

/// The personal data keys: the current one, which seals every new value and indexes every new
/// code, and previous ones, which still open what they sealed while a rotation re-encrypts it.
#[derive(Clone)]
pub struct PersonalDataKey {
    current: KeyMaterial,
    previous: Vec<KeyMaterial>,
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
    #[error("an encrypted value cannot be decrypted with the configured keys")]
    Undecryptable,
}

impl PersonalDataKey {
    /// Loads the key file (32 bytes, base64), generating and saving one when it does not exist.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let master = if path.exists() {
            read_master(path)?
        } else {
            let master = generate_file(path)?;
            tracing::warn!(
                "no personal data key was configured: generated a new key in {}; keep this file (and back it \
                 up) or stored personal identity codes can no longer be read",
                path.display()
            );
            master
        };
        Ok(Self::from_master(&master))
    }

    /// The key at `path` and, to open values sealed before a rotation, the keys at `previous`.
    pub fn load_ring(path: &Path, previous: &[std::path::PathBuf]) -> Result<Self, KeyError> {
        let mut ring = Self::load(path)?;
        for file in previous {
            ring.previous.push(KeyMaterial::from_master(&read_master(file)?));
        }
        Ok(ring)
    }

    pub fn from_master(master: &[u8; 32]) -> Self {
        Self {
            current: KeyMaterial::from_master(master),
            previous: Vec::new(),
        }
    }

    /// This ring with an earlier key that still opens what it sealed.
    pub fn with_previous(mut self, master: &[u8; 32]) -> Self {
        self.previous.push(KeyMaterial::from_master(master));
        self
    }

    /// The current key's id, as it stands in what it seals.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// The prefix of every value the current key sealed, for finding those it did not.
    pub fn current_prefix(&self) -> String {
        format!("{PREFIX}{}:", self.current.id)
    }

    /// Encrypts with a fresh random nonce under the current key.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, ProtectionError> {
        self.encrypt_bytes(plaintext.as_bytes())
    }

    pub fn encrypt_bytes(&self, plaintext: &[u8]) -> Result<String, ProtectionError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::getrandom(&mut nonce).map_err(ProtectionError::Random)?;
        let ciphertext = self
            .current
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext)
            .map_err(|_| ProtectionError::Undecryptable)?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(format!("{}{}", self.current_prefix(), STANDARD.encode(sealed)))
    }

    pub fn decrypt(&self, sealed: &str) -> Result<String, ProtectionError> {
        String::from_utf8(self.decrypt_bytes(sealed)?).map_err(|_| ProtectionError::Undecryptable)
    }

    /// Opens a value sealed by any key of the ring: the one its id names, or for the legacy
    /// format whichever opens it.
    pub fn decrypt_bytes(&self, sealed: &str) -> Result<Vec<u8>, ProtectionError> {
        let keys = || std::iter::once(&self.current).chain(&self.previous);
        let (candidates, encoded): (Vec<&KeyMaterial>, &str) = if let Some(rest) = sealed.strip_prefix(PREFIX)
        {
            let (id, encoded) = rest.split_once(':').ok_or(ProtectionError::Undecryptable)?;
            (keys().filter(|key| key.id == id).collect(), encoded)
        } else if let Some(encoded) = sealed.strip_prefix(LEGACY_PREFIX) {
            (keys().collect(), encoded)
        } else {
            return Err(ProtectionError::Undecryptable);
        };
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| ProtectionError::Undecryptable)?;
        candidates
            .into_iter()
            .find_map(|key| key.open(&bytes))
            .ok_or(ProtectionError::Undecryptable)
    }

    /// The same input always gives the same index, so equal codes are found without decrypting.
    pub fn blind_index(&self, value: &str) -> String {
        STANDARD.encode(hmac_sha256(&self.current.index_key, value.as_bytes()))
    }

    /// The value's index under every key of the ring, the current first: during a rotation a
    /// code is found whichever key indexed it.
    pub fn blind_indexes(&self, value: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|key| STANDARD.encode(hmac_sha256(&key.index_key, value.as_bytes())))
            .collect()
    }
}

fn read_master(path: &Path) -> Result<[u8; 32], KeyError> {
    let text = fs::read_to_string(path).map_err(|error| file_error(path, error))?;
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|error| file_error(path, format!("not base64: {error}")))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| file_error(path, "the key must be 32 bytes"))
}

/// Writes a new random key to `path`, readable by its owner only.
pub fn generate_file(path: &Path) -> Result<[u8; 32], KeyError> {
    let mut master = [0u8; 32];
    getrandom::getrandom(&mut master).map_err(|error| file_error(path, error))?;
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|error| file_error(dir, error))?;
    }
    write_private(path, format!("{}\n", STANDARD.encode(master)).as_bytes())
        .map_err(|error| file_error(path, error))?;
    Ok(master)
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
    fn a_rotated_ring_opens_old_values_and_finds_old_indexes() {
        let old = PersonalDataKey::from_master(&[7; 32]);
        let sealed = old.encrypt("131052-308T").expect("encrypted");
        let ring = PersonalDataKey::from_master(&[9; 32]).with_previous(&[7; 32]);
        assert_eq!(ring.decrypt(&sealed).expect("opened"), "131052-308T");
        assert!(!sealed.starts_with(&ring.current_prefix()));
        assert!(ring
            .encrypt("x")
            .expect("sealed")
            .starts_with(&ring.current_prefix()));
        assert!(ring
            .blind_indexes("131052-308T")
            .contains(&old.blind_index("131052-308T")));
        assert!(PersonalDataKey::from_master(&[9; 32]).decrypt(&sealed).is_err());
        // The legacy format, without a key id, opens with whichever key sealed it.
        let legacy = format!("v1:{}", sealed.rsplit(':').next().expect("body"));
        assert_eq!(ring.decrypt(&legacy).expect("opened"), "131052-308T");
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
