//! A certificate's lifecycle after its draft: issue, revoke and correction (supersede).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use uuid::Uuid;

use super::domain::{audience, create, protection_failed, NOT_FOUND, RESOURCE};
use super::views::input_of;
use super::{
    credential::{self, Signer},
    dto::Certificate,
    dto::{CertificateStatus, FeedEventKind, ImportInput},
    holder_link,
    model::{CertificateRow, ShareRow, StatusEntry},
    protection::PersonalDataKey,
    repo, status_list,
};
use crate::{
    audit::{self, Actor, Change},
    db::{now, today, write_transaction, DbConnection},
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
/// its `original` day: its credential is valid from then, signed today. All in the caller's
/// transaction; [`issue_in_steps`] signs with no transaction open instead.
pub fn issue(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    (signer, key, lookups): (&Signer, &PersonalDataKey, &Lookups),
    original: Option<NaiveDate>,
) -> Result<String, ApiError> {
    let certificate = view_of(conn, current, (key, lookups))?;
    let ready = ready(conn, current, certificate, original)?;
    record(conn, actor, &ready.sign(signer)?)
}

/// Issues the draft `load` reads whole, as [`issue`] does, but with no lock held while it signs, so that
/// neither the counters' locks nor SQLite's writer wait on the signing: the draft is made ready
/// (its holder's id and content read, its status bit taken in a short transaction of its own),
/// signed outside any transaction, and the issue recorded in a second short transaction if the
/// draft did not change meanwhile. If it did, the draft is loaded (and any `If-Match` checked) and
/// signed again.
pub fn issue_in_steps(
    conn: &mut DbConnection,
    actor: &Actor,
    load: impl Fn(&mut DbConnection) -> Result<repo::Whole, ApiError>,
    (signer, key, lookups): (&Signer, &PersonalDataKey, &Lookups),
) -> Result<String, ApiError> {
    const TRIES: usize = 3;
    for _ in 0..TRIES {
        let whole = load(conn)?;
        let current = whole.row.clone();
        let certificate = super::views::whole_view(conn, lookups, whole, key, |_| false)?;
        let signed = ready(conn, &current, certificate, None)?.sign(signer)?;
        match write_transaction(conn, |conn| record(conn, actor, &signed)) {
            Err(ApiError::PreconditionFailed) => continue,
            outcome => return outcome,
        }
    }
    Err(ApiError::Conflict(
        "The certificate kept changing while it was being issued; try again.".to_owned(),
    ))
}

/// A draft ready to be signed: what issuing adds to it, and its content as the credential says it.
struct Ready {
    row: CertificateRow,
    certificate: Certificate,
    /// When the draft became ready: the time of the issue's events.
    at: NaiveDateTime,
    /// The credential's `validFrom`: `at`, or an imported paper certificate's original day.
    valid_from: NaiveDateTime,
    imported: bool,
    code: String,
    status: StatusEntry,
    subject_id: String,
}

/// A draft's credential, signed, and what it was made from.
struct Signed {
    ready: Ready,
    jwt: String,
}

/// Makes a draft ready to issue with `certificate`, its content as readers see it: its holder's id
/// and its status bit, taken last since the counter's lock is held until the transaction ends (the
/// caller's, when it is in one).
fn ready(
    conn: &mut DbConnection,
    current: &CertificateRow,
    certificate: Certificate,
    original: Option<NaiveDate>,
) -> Result<Ready, ApiError> {
    if current.status != CertificateStatus::Draft {
        return Err(ApiError::Conflict(format!(
            "The certificate is already {}.",
            current.status
        )));
    }
    let at = now();
    let subject_id = subject_id(conn, current)?;
    Ok(Ready {
        row: current.clone(),
        certificate,
        at,
        valid_from: original.map_or(at, |day| day.and_time(NaiveTime::MIN)),
        imported: original.is_some(),
        code: credential::verification_code().map_err(protection_failed)?,
        status: reserve_status(conn, current)?,
        subject_id,
    })
}

/// The draft's status bit: the one it was given when it was first made ready, else a new one,
/// kept on the draft (without a new version: its content is the same). A draft that is never
/// issued leaves its bit unused, always 0 in the lists.
fn reserve_status(conn: &mut DbConnection, draft: &CertificateRow) -> Result<StatusEntry, ApiError> {
    if let (Some(list), Some(index)) = (draft.status_list, draft.status_list_index) {
        return Ok(StatusEntry { list, index });
    }
    write_transaction(conn, |conn| {
        let entry = status_list::assign(conn)?;
        Ok(repo::reserve_status_entry(conn, &draft.id, entry)?)
    })
}

impl Ready {
    fn issuance(&self) -> credential::Issuance<'_> {
        credential::Issuance {
            at: self.valid_from,
            code: &self.code,
            status: self.status,
            subject_id: &self.subject_id,
        }
    }

    /// Signs the credential: no database work, and the slowest step of issuing.
    fn sign(self, signer: &Signer) -> Result<Signed, ApiError> {
        let jwt = credential::sign(&self.certificate, &self.issuance(), signer)?;
        Ok(Signed { ready: self, jwt })
    }
}

/// Records a signed issue: 412 when the draft changed since it was made ready.
fn record(conn: &mut DbConnection, actor: &Actor, signed: &Signed) -> Result<String, ApiError> {
    let Signed { ready, jwt } = signed;
    let current = &ready.row;
    move_status(
        conn,
        current,
        (CertificateStatus::Draft, CertificateStatus::Issued),
        &format!("The certificate is already {}.", current.status),
        ready.at,
    )?;
    repo::append_events(
        conn,
        &current.id,
        FeedEventKind::Issued,
        None,
        std::slice::from_ref(&current.issuer_organisation_id),
        ready.at,
    )?;
    let issued = repo::Issued {
        at: ready.valid_from,
        code: &ready.code,
        credential: jwt,
        status: ready.status,
        subject_id: &ready.subject_id,
        imported: ready.imported,
    };
    repo::set_issued(conn, &current.id, &issued)?;
    let action = if ready.imported { "import" } else { "issue" };
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
        supersede_old(conn, actor, old_id, &current.id, ready.at)?;
    }
    holder_link::make(conn, actor, current, &ready.subject_id, ready.at)
}

/// A certificate as readers see it, for its credential.
fn view_of(
    conn: &mut DbConnection,
    row: &CertificateRow,
    (key, lookups): (&PersonalDataKey, &Lookups),
) -> Result<Certificate, ApiError> {
    super::views::views(conn, lookups, vec![row.clone()], key, |_| false)?
        .pop()
        .ok_or_else(|| ApiError::internal(format!("certificate {} has no view", row.id)))
}

/// The credential of a certificate: its content as readers see it, with what issuing added,
/// signed with the current key. Issuing and re-signing both make it so.
pub(super) fn signed_credential(
    conn: &mut DbConnection,
    row: &CertificateRow,
    issuance: &credential::Issuance<'_>,
    (signer, key, lookups): (&Signer, &PersonalDataKey, &Lookups),
) -> Result<String, ApiError> {
    credential::sign(&view_of(conn, row, (key, lookups))?, issuance, signer)
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
