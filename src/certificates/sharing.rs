//! Sharing an issued certificate with an education provider, with the holder's consent.

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::domain::RESOURCE;
use super::{
    dto::{CertificateStatus, FeedEventKind, ShareInput},
    model::{CertificateRow, ShareRow},
    repo,
};
use crate::{
    audit::{self, Actor, Change},
    db::{now, today, DbConnection},
    error::ApiError,
    organisations::{dto::OrganisationKind, repo as organisations},
};

/// Refuses a share of a certificate that is not issued, with consent given in the future, with an
/// organisation that is not an active education provider, or with one it is shared with already.
fn check_share(
    conn: &mut DbConnection,
    current: &CertificateRow,
    input: &ShareInput,
) -> Result<(), ApiError> {
    if current.status != CertificateStatus::Issued {
        return Err(ApiError::Conflict(format!(
            "Only an issued certificate can be shared; this one is {}.",
            current.status
        )));
    }
    if input.consent_given_on > today() {
        return Err(ApiError::validation(
            "consent_given_on",
            "future",
            "consent cannot be given in the future",
        ));
    }
    match organisations::find(conn, &input.organisation_id)? {
        Some((found, _)) if found.active && found.kind == OrganisationKind::EducationProvider => {}
        Some(_) => {
            return Err(ApiError::validation(
                "organisation_id",
                "not_education_provider",
                "certificates are shared with active education providers",
            ))
        }
        None => {
            return Err(ApiError::validation(
                "organisation_id",
                "unknown",
                "no organisation has this id",
            ))
        }
    }
    let shares = repo::active_shares(conn, std::slice::from_ref(&current.id))?;
    if shares
        .iter()
        .any(|share| share.organisation_id == input.organisation_id)
    {
        return Err(ApiError::Conflict(
            "The certificate is already shared with this organisation.".to_owned(),
        ));
    }
    Ok(())
}

/// Shares an issued certificate with an education provider.
pub fn share(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    input: &ShareInput,
) -> Result<(), ApiError> {
    check_share(conn, current, input)?;
    let at = now();
    repo::insert_share(
        conn,
        &ShareRow {
            id: Uuid::now_v7().to_string(),
            certificate_id: current.id.clone(),
            organisation_id: input.organisation_id.clone(),
            consent_given_on: input.consent_given_on,
            consent_method: input.consent_method,
            shared_at: at,
            ended_at: None,
            study_right_oid: input.study_right_oid.as_deref().map(|oid| oid.trim().to_owned()),
        },
    )?;
    record(
        conn,
        (actor, "share"),
        current,
        FeedEventKind::Shared,
        &input.organisation_id,
        at,
    )
}

/// Audits a share or its end (`action`) and tells the feeds of the issuer and of the organisation.
fn record(
    conn: &mut DbConnection,
    (actor, action): (&Actor, &str),
    current: &CertificateRow,
    event: FeedEventKind,
    organisation_id: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
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
    let audience = [current.issuer_organisation_id.clone(), organisation_id.to_owned()];
    repo::append_events(conn, &current.id, event, Some(organisation_id), &audience, at)
        .map_err(ApiError::from)
}

/// Ends sharing with `organisation_id`.
pub fn unshare(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    organisation_id: &str,
) -> Result<(), ApiError> {
    end(conn, (actor, "unshare"), current, organisation_id)
}

/// The holder withdraws consent to sharing with `organisation_id`: the share ends at once.
pub fn withdraw_consent(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    organisation_id: &str,
) -> Result<(), ApiError> {
    end(conn, (actor, "withdraw_consent"), current, organisation_id)
}

fn end(
    conn: &mut DbConnection,
    audited: (&Actor, &str),
    current: &CertificateRow,
    organisation_id: &str,
) -> Result<(), ApiError> {
    let at = now();
    if !repo::end_share(conn, &current.id, organisation_id, at)? {
        return Err(ApiError::NotFound { resource: "share" });
    }
    record(
        conn,
        audited,
        current,
        FeedEventKind::Unshared,
        organisation_id,
        at,
    )
}
