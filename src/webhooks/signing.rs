//! The Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, keyed
//! by the secret's bytes (the base64 after `whsec_`), so that any of the specification's verifying
//! libraries checks what the registry sends.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::ApiError;

const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: 32 random bytes, in the specification's `whsec_` form.
pub fn new_secret() -> Result<String, ApiError> {
    Ok(format!(
        "{SECRET_PREFIX}{}",
        STANDARD.encode(crate::random::bytes::<32>()?)
    ))
}

/// The value of `webhook-signature` for one attempt.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, ApiError> {
    let key = STANDARD
        .decode(secret.trim_start_matches(SECRET_PREFIX))
        .map_err(|error| ApiError::internal(format!("a stored webhook secret is not base64: {error}")))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|error| ApiError::internal(format!("a webhook secret cannot key HMAC: {error}")))?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signs_as_the_specification_does() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).expect("signs"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_are_new_each_time() {
        let (a, b) = (new_secret().expect("secret"), new_secret().expect("secret"));
        assert!(a.starts_with("whsec_") && a != b);
        assert_eq!(STANDARD.decode(&a[6..]).expect("base64").len(), 32);
    }
}
