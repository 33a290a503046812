//! Tokens already verified, so that a client's next request with the same token costs no
//! signature check (an Ed25519 verification was about a tenth of the service's CPU per audited
//! certificate read).
//!
//! A token is kept by its SHA-256, never as itself, until it expires; its lifetime is checked on
//! every use, and an expired one is verified afresh, which refuses it with the usual reason. The
//! keys that verify tokens are loaded at start-up and do not change while the process runs, so a
//! kept verification stays true. Whether the token's client is still active is checked on every
//! request, after this.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

use sha2::{Digest, Sha256};

use super::{
    keys::KeySet,
    tokens::{self, VerifiedToken, LEEWAY_SECS},
};

/// Kept tokens at most; past it the expired ones go, and everything when none had.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct VerifiedTokens {
    kept: Mutex<HashMap<[u8; 32], VerifiedToken>>,
}

impl VerifiedTokens {
    fn kept(&self) -> MutexGuard<'_, HashMap<[u8; 32], VerifiedToken>> {
        // A panic while holding the lock leaves plain data behind, still consistent.
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Verifies `token` as [`tokens::verify`] does, from what was kept when it can.
    pub fn verify(&self, keys: &KeySet, token: &str) -> Result<VerifiedToken, String> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = jsonwebtoken::get_current_timestamp();
        if let Some(kept) = self.kept().get(&digest).filter(|kept| in_force(kept, now)) {
            return Ok(kept.clone());
        }
        let verified = tokens::verify(keys, token)?;
        let mut kept = self.kept();
        if kept.len() >= CAPACITY {
            kept.retain(|_, token| in_force(token, now));
            if kept.len() >= CAPACITY {
                kept.clear();
            }
        }
        kept.insert(digest, verified.clone());
        Ok(verified)
    }
}

/// Whether the token's lifetime holds at `now`, with the leeway `tokens::verify` allows.
fn in_force(token: &VerifiedToken, now: u64) -> bool {
    token.expires_at.saturating_add(LEEWAY_SECS) >= now && token.not_before <= now.saturating_add(LEEWAY_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        auth::{Principal, Scope},
        config::AuthConfig,
    };

    fn token(keys: &KeySet, config: &AuthConfig, ttl_secs: u64) -> String {
        let principal = Principal {
            client_id: "client".into(),
            organisation_id: Some("org".into()),
            scopes: vec![Scope::AuditRead],
        };
        tokens::issue(keys, &config.issuer, &config.audience, ttl_secs, &principal).expect("signed")
    }

    #[test]
    fn a_kept_token_is_served_only_while_in_force_and_a_forgery_never() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = AuthConfig::defaults(dir.path());
        let keys = KeySet::load(&config).expect("keys");
        let verified = VerifiedTokens::default();
        let good = token(&keys, &config, 900);

        let first = verified.verify(&keys, &good).expect("verifies");
        assert_eq!(first.principal.client_id, "client");
        assert_eq!(verified.kept().len(), 1);
        assert!(verified.verify(&keys, &good).is_ok(), "served again");

        // A token differing in its signature is not the kept one.
        let mut forged = good.clone();
        forged.pop();
        forged.push(if good.ends_with('A') { 'B' } else { 'A' });
        assert!(verified.verify(&keys, &forged).is_err());

        // What is kept is what is used, only while in force: a kept answer stands in for the
        // verification of this (unverifiable) string until its expiry or before its start.
        let digest: [u8; 32] = Sha256::digest(b"not a token").into();
        let now = jsonwebtoken::get_current_timestamp();
        verified.kept().insert(digest, first.clone());
        assert!(
            verified.verify(&keys, "not a token").is_ok(),
            "a kept answer in force is used"
        );
        let mut expired = first.clone();
        expired.expires_at = now - LEEWAY_SECS - 1;
        verified.kept().insert(digest, expired);
        assert!(
            verified.verify(&keys, "not a token").is_err(),
            "an expired answer is not used"
        );
        let mut early = first;
        early.not_before = now + LEEWAY_SECS + 5;
        verified.kept().insert(digest, early);
        assert!(
            verified.verify(&keys, "not a token").is_err(),
            "an early answer is not used"
        );
    }
}
