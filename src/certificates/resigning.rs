//! Re-signing credentials under the current rules and key: for credentials issued before the
//! registry followed Open Badges 3.0 section 8.2, and after a credential key rotation, so that the
//! earlier key can in time be dropped. A certificate keeps its id, issue time, verification code
//! and status bit; its credential is built anew from its content and signed with the current key.

use diesel::prelude::*;

use super::{
    credential::{Issuance, Signer},
    lifecycle::{signed_credential, subject_id},
    model::{CertificateRow, StatusEntry},
    protection::PersonalDataKey,
    repo,
};
use crate::{
    audit::{self, Actor, Change},
    db::{write_transaction, DbConnection},
    error::ApiError,
    lookups::Lookups,
    schema::certificates,
};

/// Certificates re-signed per transaction.
const BATCH: i64 = 100;

/// Re-signs every credential the current key did not sign; the number re-signed. Resumable: run it
/// again after a crash, and it takes up what is left.
pub fn resign_stale(
    conn: &mut DbConnection,
    actor: &Actor,
    (signer, key): (&Signer, &PersonalDataKey),
) -> Result<usize, ApiError> {
    let current_kid = signer.keys.jwt_signer(&signer.public_url).1;
    let lookups = Lookups::default();
    let mut done = 0;
    let mut after = String::new();
    loop {
        let rows: Vec<CertificateRow> = certificates::table
            .filter(certificates::id.gt(&after))
            .filter(certificates::credential.is_not_null())
            .order(certificates::id)
            .limit(BATCH)
            .select(CertificateRow::as_select())
            .load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(done);
        };
        after = last.id.clone();
        let stale: Vec<CertificateRow> = rows
            .into_iter()
            .filter(|row| signed_by(row).as_deref() != Some(current_kid.as_str()))
            .collect();
        done += stale.len();
        write_transaction(conn, |conn| {
            stale
                .iter()
                .try_for_each(|row| resign(conn, actor, row, (signer, key, &lookups)))
        })?;
    }
}

/// The `kid` of a certificate's credential.
fn signed_by(row: &CertificateRow) -> Option<String> {
    let credential = row.credential.as_deref()?;
    jsonwebtoken::decode_header(credential).ok()?.kid
}

fn resign(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &CertificateRow,
    (signer, key, lookups): (&Signer, &PersonalDataKey, &Lookups),
) -> Result<(), ApiError> {
    let missing = || ApiError::internal(format!("issued certificate {} lacks what issuing set", row.id));
    let (at, code) = (
        row.issued_at.ok_or_else(missing)?,
        row.verification_code.as_deref().ok_or_else(missing)?,
    );
    let status = StatusEntry {
        list: row.status_list.ok_or_else(missing)?,
        index: row.status_list_index.ok_or_else(missing)?,
    };
    let subject_id = match &row.holder_subject_id {
        Some(id) => id.clone(),
        None => subject_id(conn, row)?,
    };
    let issuance = Issuance {
        at,
        code,
        status,
        subject_id: &subject_id,
    };
    let jwt = signed_credential(conn, row, &issuance, (signer, key, lookups))?;
    repo::set_credential(conn, &row.id, &jwt, &subject_id)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "resign",
            super::domain::RESOURCE,
            &row.id,
            Some(&row.issuer_organisation_id),
        ),
    )?;
    Ok(())
}
