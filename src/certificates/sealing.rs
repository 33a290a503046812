//! Personal data already stored, sealed anew: plain birth dates and learner OIDs of certificates
//! written before they were sealed (once, while migrating), and every sealed value re-encrypted
//! under a new key with its blind index rebuilt (`keys rotate-personal-data`).
//!
//! Both work in batches of rows, each batch one transaction, and pick their rows by what is still
//! to do, so that a run stopped anywhere resumes where it stopped.

use diesel::{prelude::*, sql_types::Text};

use super::protection::PersonalDataKey;
use crate::{
    db::{forget_old_pages, write_transaction, DbConnection},
    error::ApiError,
    schema::{certificates, idempotency_keys},
};

/// The migration after which plain birth dates are sealed into their new column.
pub const SEALING_MIGRATION: &str = "20261130000011";

const BATCH: i64 = 500;

#[derive(QueryableByName)]
struct PlainRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    birth_date: String,
}

fn failed(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(error.to_string())
}

/// Seals what migration 11 left plain: birth dates from the column the next migration drops, and
/// learner OIDs in place. Returns how many certificates it sealed.
pub fn seal_plain(conn: &mut DbConnection, key: &PersonalDataKey) -> Result<usize, ApiError> {
    let mut sealed = 0;
    loop {
        let rows: Vec<PlainRow> = diesel::sql_query(format!(
            "SELECT id, CAST(holder_birth_date AS TEXT) AS birth_date FROM certificates \
             WHERE holder_birth_date_encrypted IS NULL ORDER BY id LIMIT {BATCH}"
        ))
        .load(conn)
        .map_err(failed)?;
        if rows.is_empty() {
            break;
        }
        write_transaction(conn, |conn| {
            for row in &rows {
                let date = key.encrypt(&row.birth_date).map_err(failed)?;
                diesel::update(certificates::table.find(&row.id))
                    .set(certificates::holder_birth_date_encrypted.eq(date))
                    .execute(conn)
                    .map_err(failed)?;
            }
            Ok::<_, ApiError>(())
        })?;
        sealed += rows.len();
    }
    // The migrations' runner empties SQLite's WAL once the plain column is dropped too.
    reseal(conn, key, Stale::PlainLearnerOids)?;
    Ok(sealed)
}

/// What a rotation did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    pub certificates: usize,
    pub stored_responses: usize,
}

/// Re-encrypts every sealed value that the current key did not seal, rebuilding identity codes'
/// blind indexes, and likewise the answers kept for idempotent replays.
pub fn rotate(conn: &mut DbConnection, key: &PersonalDataKey) -> Result<Rotation, ApiError> {
    let prefix = key.current_prefix();
    let certificates = reseal(conn, key, Stale::NotSealedWith(format!("{prefix}%")))?;
    let stored_responses = reseal_responses(conn, key, &prefix)?;
    forget_old_pages(conn)?;
    Ok(Rotation {
        certificates,
        stored_responses,
    })
}

/// The migration after which learner OIDs have a blind index.
pub const LEARNER_OID_INDEX_MIGRATION: &str = "20261206000017";

/// Gives the learner OIDs stored before migration 17 their blind index, sealing them anew on the
/// way. Returns how many certificates it indexed.
pub fn index_learner_oids(conn: &mut DbConnection, key: &PersonalDataKey) -> Result<usize, ApiError> {
    reseal(conn, key, Stale::UnindexedLearnerOids)
}

/// Which certificates to seal anew.
enum Stale {
    /// Learner OIDs stored before they were sealed.
    PlainLearnerOids,
    /// Learner OIDs stored before they had a blind index.
    UnindexedLearnerOids,
    /// Any value that the key with this prefix (`v2:<id>:%`) did not seal.
    NotSealedWith(String),
}

/// Seals anew, under the current key, the personal data of the certificates `stale` selects.
fn reseal(conn: &mut DbConnection, key: &PersonalDataKey, stale: Stale) -> Result<usize, ApiError> {
    let mut done = 0;
    let mut after = String::new();
    loop {
        let mut query = certificates::table
            .filter(certificates::id.gt(&after))
            .into_boxed();
        query = match &stale {
            Stale::PlainLearnerOids => query.filter(certificates::holder_learner_oid.not_like("v_:%")),
            Stale::UnindexedLearnerOids => query
                .filter(certificates::holder_learner_oid.is_not_null())
                .filter(certificates::holder_learner_oid_index.is_null()),
            Stale::NotSealedWith(prefix) => query.filter(
                certificates::holder_birth_date_encrypted
                    .not_like(prefix)
                    .or(certificates::holder_hetu_encrypted.not_like(prefix))
                    .or(certificates::holder_learner_oid.not_like(prefix)),
            ),
        };
        let rows: Vec<SealedRow> = query
            .order(certificates::id)
            .limit(BATCH)
            .select((
                certificates::id,
                certificates::holder_birth_date_encrypted,
                certificates::holder_hetu_encrypted,
                certificates::holder_learner_oid,
            ))
            .load(conn)
            .map_err(failed)?;
        let Some(last) = rows.last().map(|row| row.0.clone()) else {
            return Ok(done);
        };
        let indexed = !matches!(stale, Stale::PlainLearnerOids);
        write_transaction(conn, |conn| {
            rows.iter()
                .try_for_each(|row| reseal_row(conn, key, row, indexed))
        })?;
        done += rows.len();
        after = last;
    }
}

/// A certificate's id, sealed birth date, sealed identity code and learner OID.
type SealedRow = (String, Option<String>, Option<String>, Option<String>);

fn reseal_row(
    conn: &mut DbConnection,
    key: &PersonalDataKey,
    (id, birth_date, hetu, learner_oid): &SealedRow,
    indexed: bool,
) -> Result<(), ApiError> {
    // A value still plain (a learner OID from before sealing) is sealed as it is.
    let open = |value: &Option<String>| -> Result<Option<String>, ApiError> {
        value
            .as_deref()
            .map(
                |value| match value.starts_with('v') && value.get(2..3) == Some(":") {
                    true => key.decrypt(value).map_err(failed),
                    false => Ok(value.to_owned()),
                },
            )
            .transpose()
    };
    let seal = |value: Option<String>| value.map(|value| key.encrypt(&value).map_err(failed)).transpose();
    let hetu = open(hetu)?;
    let learner_oid = open(learner_oid)?;
    let learner_oid_index = learner_oid.as_deref().map(|oid| key.blind_index(oid));
    let row = certificates::table.find(id);
    diesel::update(row)
        .set((
            certificates::holder_hetu_index.eq(hetu.as_deref().map(|code| key.blind_index(code))),
            certificates::holder_hetu_encrypted.eq(seal(hetu)?),
            certificates::holder_birth_date_encrypted.eq(seal(open(birth_date)?)?),
            certificates::holder_learner_oid.eq(seal(learner_oid)?),
        ))
        .execute(conn)
        .map_err(failed)?;
    // Before migration 17 there is no column for the learner OID's index.
    if indexed {
        diesel::update(row)
            .set(certificates::holder_learner_oid_index.eq(learner_oid_index))
            .execute(conn)
            .map_err(failed)?;
    }
    Ok(())
}

/// Answers kept for idempotent replays, sealed anew under the current key.
fn reseal_responses(conn: &mut DbConnection, key: &PersonalDataKey, prefix: &str) -> Result<usize, ApiError> {
    let rows: Vec<(String, String, Vec<u8>)> = idempotency_keys::table
        .filter(idempotency_keys::response_body.is_not_null())
        .select((
            idempotency_keys::principal,
            idempotency_keys::idempotency_key,
            idempotency_keys::response_body.assume_not_null(),
        ))
        .load(conn)?;
    let stale: Vec<_> = rows
        .into_iter()
        .filter(|(_, _, body)| !body.starts_with(prefix.as_bytes()))
        .collect();
    write_transaction(conn, |conn| {
        for (principal, idempotency_key, body) in &stale {
            let text = std::str::from_utf8(body).map_err(failed)?;
            let opened = key
                .decrypt_bytes(text)
                .map_err(|error| ApiError::internal(error.to_string()))?;
            let sealed = key
                .encrypt_bytes(&opened)
                .map_err(|error| ApiError::internal(error.to_string()))?;
            diesel::update(idempotency_keys::table.find((principal, idempotency_key)))
                .set(idempotency_keys::response_body.eq(sealed.into_bytes()))
                .execute(conn)?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(stale.len())
}
