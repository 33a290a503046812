//! A certificate's lifecycle after its draft: issue, revoke and correction (supersede).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use uuid::Uuid;

use super::domain::{audience, create, protection_failed, NOT_FOUND, RESOURCE};
use super::views::input_of;
use super::{
    credential::{self, Signer},
    dto::{CertificateStatus, FeedEventKind, ImportInput},
    holder_link,
    model::{CertificateRow, ShareRow},
    protection::PersonalDataKey,
    repo, status_list,
};
use crate::{
    audit::{self, Actor, Change},
    db::{now, today, DbConnection},
    error::{ApiError, FieldError},
    lookups::Lookups,
};

/// Moves `current` from one status to another: 409 with `refusal` when it is not in the first,
/// 412 when it changed meanwhile.
pub(super) fn move_status(
    conn: &mut DbConnection,
    current: &CertificateRow,
    (from, to): (CertificateStatus, CertificateStatus),
    refusal: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    if current.status != from {
        return Err(ApiError::Conflict(refusal.to_owned()));
    }
    let transition = repo::Transition {
        from,
        to,
        expected_version: current.version,
        at,
    };
    if repo::transition(conn, &current.id, &transition)? {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

/// Issues a draft: freezes it, gives it a verification code, signs its credential and makes the
/// holder's access link, whose secret it returns. A draft that corrects another certificate
/// supersedes it, and takes over its shares. A paper certificate entered afterwards is issued on
/// its `original` day: its credential is valid from then, signed today.
pub fn issue(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    (signer, key, lookups): (&Signer, &PersonalDataKey, &Lookups),
    original: Option<NaiveDate>,
) -> Result<String, ApiError> {
    let at = now();
    move_status(
        conn,
        current,
        (CertificateStatus::Draft, CertificateStatus::Issued),
        &format!("The certificate is already {}.", current.status),
        at,
    )?;
    // The feed's counter is taken first: its lock also serializes the choice of a status bit.
    repo::append_events(
        conn,
        &current.id,
        FeedEventKind::Issued,
        None,
        std::slice::from_ref(&current.issuer_organisation_id),
        at,
    )?;
    let status = status_list::assign(conn)?;
    let code = credential::verification_code().map_err(protection_failed)?;
    let subject_id = subject_id(conn, current)?;
    let issuance = credential::Issuance {
        at: original.map_or(at, |day| day.and_time(NaiveTime::MIN)),
        code: &code,
        status,
        subject_id: &subject_id,
    };
    // Issuing changes no content: the draft as loaded is what is signed.
    let jwt = signed_credential(conn, current, &issuance, (signer, key, lookups))?;
    let issued = repo::Issued {
        at: issuance.at,
        code: &code,
        credential: &jwt,
        status,
        subject_id: &subject_id,
        imported: original.is_some(),
    };
    repo::set_issued(conn, &current.id, &issued)?;
    let action = if original.is_some() { "import" } else { "issue" };
    audit::record(
        conn,
        actor,
        Change::new(
            action,
            RESOURCE,
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )?;
    if let Some(old_id) = &current.supersedes_id {
        supersede_old(conn, actor, old_id, &current.id, at)?;
    }
    holder_link::make(conn, actor, current, &subject_id, at)
}

/// The credential of a certificate: its content as readers see it, with what issuing added,
/// signed with the current key. Issuing and re-signing both make it so.
pub(super) fn signed_credential(
    conn: &mut DbConnection,
    row: &CertificateRow,
    issuance: &credential::Issuance<'_>,
    (signer, key, lookups): (&Signer, &PersonalDataKey, &Lookups),
) -> Result<String, ApiError> {
    let certificate = super::views::views(conn, lookups, vec![row.clone()], key, |_| false)?
        .pop()
        .ok_or_else(|| ApiError::internal(format!("certificate {} has no view", row.id)))?;
    credential::sign(&certificate, issuance, signer)
}

/// The holder's id in credentials: the one the issuer gave the same holder before (the corrected
/// certificate's, or one found by the identity code's look-up hash), else a new random one.
pub(super) fn subject_id(conn: &mut DbConnection, current: &CertificateRow) -> Result<String, ApiError> {
    if let Some(old_id) = &current.supersedes_id {
        if let Some(id) = repo::find(conn, old_id)?.and_then(|old| old.holder_subject_id) {
            return Ok(id);
        }
    }
    if let Some(index) = &current.holder_hetu_index {
        if let Some(id) = repo::holder_subject_id(conn, &current.issuer_organisation_id, index)? {
            return Ok(id);
        }
    }
    credential::new_subject_id()
}

fn supersede_old(
    conn: &mut DbConnection,
    actor: &Actor,
    old_id: &str,
    successor: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let old = repo::find(conn, old_id)?.ok_or(NOT_FOUND)?;
    let audience = audience(conn, &old)?;
    if old.status == CertificateStatus::Issued {
        repo::transition(
            conn,
            old_id,
            &repo::Transition {
                from: CertificateStatus::Issued,
                to: CertificateStatus::Superseded,
                expected_version: old.version,
                at,
            },
        )?;
    }
    repo::set_superseded_by(conn, old_id, successor)?;
    audit::record(
        conn,
        actor,
        Change::new("supersede", RESOURCE, old_id, Some(&old.issuer_organisation_id)),
    )?;
    repo::append_events(conn, old_id, FeedEventKind::Superseded, None, &audience, at)?;
    // The holder consented to sharing this record with them; its correction goes to them too.
    for share in repo::active_shares(conn, &[old_id.to_owned()])? {
        repo::insert_share(
            conn,
            &ShareRow {
                id: Uuid::now_v7().to_string(),
                certificate_id: successor.to_owned(),
                shared_at: at,
                ended_at: None,
                ..share.clone()
            },
        )?;
        repo::append_events(
            conn,
            successor,
            FeedEventKind::Shared,
            Some(&share.organisation_id),
            &[old.issuer_organisation_id.clone(), share.organisation_id.clone()],
            at,
        )?;
    }
    Ok(())
}

/// Revokes an issued certificate.
pub fn revoke(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    reason: &str,
) -> Result<(), ApiError> {
    let at = now();
    move_status(
        conn,
        current,
        (CertificateStatus::Issued, CertificateStatus::Revoked),
        &format!(
            "Only an issued certificate can be revoked; this one is {}.",
            current.status
        ),
        at,
    )?;
    repo::set_revoked(conn, &current.id, at, reason.trim())?;
    audit::record(
        conn,
        actor,
        Change::new(
            "revoke",
            RESOURCE,
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )?;
    let audience = audience(conn, current)?;
    repo::append_events(conn, &current.id, FeedEventKind::Revoked, None, &audience, at)
        .map_err(ApiError::from)
}

/// Starts a correction: a new draft with the issued certificate's content.
pub fn supersede(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    key: &PersonalDataKey,
) -> Result<String, ApiError> {
    if current.status != CertificateStatus::Issued {
        return Err(ApiError::Conflict(format!(
            "Only an issued certificate can be corrected; this one is {}.",
            current.status
        )));
    }
    if let Some(draft) = repo::pending_successor(conn, &current.id)? {
        return Err(ApiError::Conflict(format!(
            "A correction is already being written: certificate {draft}."
        )));
    }
    let input = input_of(conn, current, key)?;
    create(
        conn,
        actor,
        &current.issuer_organisation_id,
        input,
        Some(&current.id),
        key,
    )
}

/// Enters a paper certificate from before the registry: drafted and issued at once, on the day
/// it was issued on paper. Returns its id and the holder's access link's secret. Every field at
/// fault is named, the day's and the content's alike; a refusal leaves the caller's transaction to
/// roll back what was drafted.
pub fn import(
    conn: &mut DbConnection,
    actor: &Actor,
    issuer: &str,
    input: ImportInput,
    tools: (&Signer, &PersonalDataKey, &Lookups),
) -> Result<(String, String), ApiError> {
    let mut errors = Vec::new();
    if input.issued_on > today() {
        errors.push(FieldError::new("issued_on", "future", "is in the future"));
    }
    if input.issued_on < input.certificate.start_date {
        errors.push(FieldError::new(
            "issued_on",
            "before_start",
            "is before certificate.start_date",
        ));
    }
    let drafted = create(conn, actor, issuer, input.certificate, None, tools.1);
    let id = match (
        drafted.map_err(|error| error.within("certificate")),
        errors.is_empty(),
    ) {
        (Ok(id), true) => id,
        (Err(ApiError::Validation(found)), _) => {
            errors.extend(found);
            return Err(ApiError::Validation(errors));
        }
        (Err(other), _) => return Err(other),
        (Ok(_), false) => return Err(ApiError::Validation(errors)),
    };
    let draft = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
    let secret = issue(conn, actor, &draft, tools, Some(input.issued_on))?;
    Ok((id, secret))
}
