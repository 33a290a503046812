//! Creating and revoking clients, and checking their secrets.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, SaltString},
    Argon2,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use uuid::Uuid;

use super::{dto::ClientInput, model::ClientRow, repo};
use crate::{
    audit::{self, Actor},
    auth::{join_scopes, Scope},
    db::{now, DbConnection},
    error::{ApiError, FieldError},
    organisations::repo as organisations,
};

/// Argon2id with 7 MiB and 5 passes: of the settings OWASP's password storage cheat sheet gives as
/// equally strong, the one with the least memory. Hashes made with other settings (the crate's
/// default of 19 MiB and 2 passes, before) still verify with their own.
const SECRET_HASHING: (u32, u32, u32) = (7 * 1024, 5, 1);

fn hasher() -> Result<Argon2<'static>, ApiError> {
    let (memory_kib, passes, lanes) = SECRET_HASHING;
    let params = argon2::Params::new(memory_kib, passes, lanes, None)
        .map_err(|error| ApiError::internal(format!("Argon2 parameters: {error}")))?;
    Ok(Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    ))
}

fn hash_secret(secret: &str) -> Result<String, ApiError> {
    let salt = SaltString::encode_b64(&crate::random::bytes::<16>()?)
        .map_err(|error| ApiError::internal(format!("salt: {error}")))?;
    hasher()?
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ApiError::internal(format!("hashing a client secret: {error}")))
}

/// Whether `secret` is the client's secret, constant-time in the secret as Argon2 is. The hashing
/// memory is allocated for each check: a block that large is mapped and given back whole
/// (`memory.rs`), so an idle service keeps none of it.
pub fn secret_matches(row: &ClientRow, secret: &str) -> bool {
    let Ok(hash) = PasswordHash::new(&row.secret_hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (hash.hash, hash.salt) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        argon2::Algorithm::try_from(hash.algorithm),
        argon2::Params::try_from(&hash),
    ) else {
        return false;
    };
    let version = hash
        .version
        .and_then(|version| argon2::Version::try_from(version).ok())
        .unwrap_or_default();
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut memory = vec![argon2::Block::default(); params.block_count()];
    let mut computed = vec![0u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        secret.as_bytes(),
        salt,
        &mut computed,
        &mut memory,
    );
    // Output compares in constant time.
    hashed.is_ok() && argon2::password_hash::Output::new(&computed).is_ok_and(|computed| computed == expected)
}

/// A hash to verify against when the client does not exist, so that unknown and known client ids
/// take the same time to refuse: made with `SECRET_HASHING`, as a new client's is.
pub fn decoy_row() -> ClientRow {
    ClientRow {
        id: String::new(),
        name: String::new(),
        organisation_id: None,
        is_admin: false,
        scopes: String::new(),
        secret_hash: "$argon2id$v=19$m=7168,t=5,p=1$c29tZXNhbHRzb21lc2FsdA$\
                      0xw4Dn9qvB4B7Lq7M1PqZlO2q1Jp9Qk3oWvS7qV4hTo"
            .to_owned(),
        active: false,
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    }
}

/// Creates a client and returns it with its secret, which is not kept.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: ClientInput,
) -> Result<(ClientRow, String), ApiError> {
    let mut errors = Vec::new();
    let mut scopes = input.scopes.clone();
    scopes.sort();
    scopes.dedup();
    match (&input.organisation_id, input.admin) {
        (Some(_), true) => errors.push(FieldError::new(
            "organisation_id",
            "conflict",
            "an administrator acts for no organisation",
        )),
        (None, false) => errors.push(FieldError::new(
            "organisation_id",
            "required",
            "a client acts for an organisation unless it is an administrator",
        )),
        (Some(id), false) if organisations::find(conn, id)?.is_none() => errors.push(FieldError::new(
            "organisation_id",
            "unknown_id",
            "no organisation has this id",
        )),
        _ => {}
    }
    if !input.admin && scopes.contains(&Scope::Admin) {
        errors.push(FieldError::new(
            "scopes",
            "admin",
            "only administrators hold the admin scope",
        ));
    }
    if !input.admin && scopes.is_empty() {
        errors.push(FieldError::new("scopes", "required", "name at least one scope"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if input.admin {
        scopes = vec![Scope::Admin];
    }
    let secret = URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>()?);
    let row = ClientRow {
        id: Uuid::now_v7().to_string(),
        name: input.name.trim().to_owned(),
        organisation_id: input.organisation_id,
        is_admin: input.admin,
        scopes: join_scopes(&scopes),
        secret_hash: hash_secret(&secret)?,
        active: true,
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    repo::insert(conn, &row)?;
    audit::record(
        conn,
        actor,
        audit::Change::new("client.create", "client", &row.id, row.organisation_id.as_deref()),
    )?;
    Ok((row, secret))
}

/// Deactivates a client: its tokens stop working at once.
pub fn revoke(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<ClientRow, ApiError> {
    let row = repo::find(conn, id)?.ok_or(ApiError::NotFound { resource: "client" })?;
    if repo::revoke(conn, id, now())? {
        audit::record(
            conn,
            actor,
            audit::Change::new("client.revoke", "client", id, row.organisation_id.as_deref()),
        )?;
    }
    repo::find(conn, id)?.ok_or(ApiError::NotFound { resource: "client" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;

    #[test]
    fn secrets_verify_against_their_hash_only() {
        let mut row = decoy_row();
        row.secret_hash = hash_secret("right").expect("hashes");
        assert!(secret_matches(&row, "right"));
        assert!(!secret_matches(&row, "wrong"));
        assert!(row.secret_hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        // The password-hash crate's own verifier agrees.
        let hash = PasswordHash::new(&row.secret_hash).expect("a PHC string");
        assert!(Argon2::default().verify_password(b"right", &hash).is_ok());
        assert!(
            PasswordHash::new(&decoy_row().secret_hash).is_ok(),
            "the decoy costs a real verification"
        );
        assert!(!secret_matches(&decoy_row(), ""));
    }

    #[test]
    fn the_decoy_costs_what_a_new_client_costs() {
        let mut row = decoy_row();
        row.secret_hash = hash_secret("right").expect("hashes");
        let params = |row: &ClientRow| {
            let hash = PasswordHash::new(&row.secret_hash).expect("a PHC string");
            (
                hash.algorithm.to_string(),
                argon2::Params::try_from(&hash).expect("parameters"),
            )
        };
        assert_eq!(params(&decoy_row()), params(&row));
    }

    #[test]
    fn secrets_hashed_with_the_former_setting_still_verify() {
        let salt = SaltString::encode_b64(b"somesaltsomesalt").expect("a salt");
        let mut row = decoy_row();
        row.secret_hash = Argon2::default()
            .hash_password(b"right", &salt)
            .expect("hashes")
            .to_string();
        assert!(row.secret_hash.contains("m=19456,t=2,p=1"));
        assert!(secret_matches(&row, "right"));
        assert!(!secret_matches(&row, "wrong"));
    }
}
