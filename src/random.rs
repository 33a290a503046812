//! Random bytes from the operating system, for secrets, salts and ids.

use crate::error::ApiError;

/// `N` random bytes; an error only when the operating system has no randomness to give.
pub fn bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
    Ok(bytes)
}
