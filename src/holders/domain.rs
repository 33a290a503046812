//! Opening a holder's access link, what it shows, and what the holder may do from it.

use std::collections::HashMap;

use super::{
    dto::{Access, HolderCertificate, HolderShare, HolderView, Reader},
    repo,
};
use crate::{
    audit::{dto::AuditRow, Actor},
    auth::rate_limit::{self, Counter},
    certificates::{
        dto::{Certificate, ReadPurpose},
        holder_link::{self, HolderLinkRow},
        model::{CertificateRow, ShareRow},
        protection::PersonalDataKey,
        sharing, views,
    },
    db::{now, DbConnection},
    error::ApiError,
    lookups::Lookups,
    organisations::{dto::OrganisationSummary, repo as organisations},
};

pub const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "holder access link",
};

/// Opens the link whose secret this is, for a request from `address`. Every try is counted
/// against the address before the look-up, and a found link gives its unit back: an address that
/// has tried too many unknown secrets is refused (429) for a while, whatever it sends, so secrets
/// cannot be tried fast. Runs outside a transaction, so that a failure is counted for good.
pub fn open(conn: &mut DbConnection, secret: &str, address: &str) -> Result<HolderLinkRow, ApiError> {
    let counters = [Counter::holder_link_failures(address)];
    rate_limit::take(conn, &counters, now())?;
    let link = holder_link::find_live(conn, secret)?.ok_or(NOT_FOUND)?;
    rate_limit::give_back(conn, &counters)?;
    holder_link::touch(conn, &link.id, now())?;
    Ok(link)
}

/// The holder's certificates from the link's issuer, each with its reads and shares.
pub fn view(
    conn: &mut DbConnection,
    link: &HolderLinkRow,
    (lookups, key): (&Lookups, &PersonalDataKey),
) -> Result<HolderView, ApiError> {
    let rows = repo::certificates_of(conn, link)?;
    let newest = rows.first().cloned().ok_or(NOT_FOUND)?;
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let reads = repo::reads(conn, &ids)?;
    let shares = repo::shares(conn, &ids)?;
    let named: Vec<String> = reads
        .iter()
        .filter_map(|read| read.organisation_id.clone())
        .chain(shares.iter().map(|share| share.organisation_id.clone()))
        .chain([link.issuer_organisation_id.clone()])
        .collect();
    let names = organisations::summaries(conn, &named)?;
    let issuer = names
        .get(&link.issuer_organisation_id)
        .cloned()
        .ok_or_else(|| ApiError::internal("a certificate's issuer is missing"))?;
    let certificates = views::views(conn, lookups, rows, key, |_| false)?
        .into_iter()
        .map(|certificate| certificate_of(certificate, &reads, &shares, &names))
        .collect::<Result<_, ApiError>>()?;
    Ok(HolderView {
        issuer,
        given_names: newest.holder_given_names,
        family_name: newest.holder_family_name,
        certificates,
    })
}

fn certificate_of(
    certificate: Certificate,
    reads: &[AuditRow],
    shares: &[ShareRow],
    names: &HashMap<String, OrganisationSummary>,
) -> Result<HolderCertificate, ApiError> {
    let accesses = reads
        .iter()
        .filter(|read| read.resource_id == certificate.id)
        .map(|read| access_of(read, names))
        .collect::<Result<_, ApiError>>()?;
    let shares = shares
        .iter()
        .filter(|share| share.certificate_id == certificate.id)
        .filter_map(|share| share_of(share, names))
        .collect();
    Ok(HolderCertificate {
        status: certificate.status,
        language: certificate.language,
        start_date: certificate.start_date,
        end_date: certificate.end_date,
        issued_at: certificate.issued_at,
        imported: certificate.imported,
        revoked_at: certificate.revoked_at,
        verification_code: certificate.verification_code,
        units: certificate.units.into_iter().map(|unit| unit.unit).collect(),
        accesses,
        shares,
        id: certificate.id,
    })
}

fn access_of(read: &AuditRow, names: &HashMap<String, OrganisationSummary>) -> Result<Access, ApiError> {
    let purpose = ReadPurpose::parse(&read.action).map_err(|error| ApiError::internal(error.to_string()))?;
    let organisation = read
        .organisation_id
        .as_ref()
        .and_then(|id| names.get(id))
        .cloned();
    let reader = match (&organisation, &read.client_id) {
        (Some(_), _) => Reader::Organisation,
        (None, Some(_)) => Reader::Administrator,
        (None, None) => Reader::Holder,
    };
    Ok(Access {
        at: read.occurred_at.and_utc(),
        purpose,
        reader,
        organisation,
    })
}

fn share_of(share: &ShareRow, names: &HashMap<String, OrganisationSummary>) -> Option<HolderShare> {
    Some(HolderShare {
        id: share.id.clone(),
        organisation: names.get(&share.organisation_id)?.clone(),
        consent_given_on: share.consent_given_on,
        consent_method: share.consent_method,
        shared_at: share.shared_at.and_utc(),
        ended_at: share.ended_at.map(|at| at.and_utc()),
    })
}

/// One of the holder's certificates (drafts never are), by id.
pub fn certificate(
    conn: &mut DbConnection,
    link: &HolderLinkRow,
    id: &str,
) -> Result<CertificateRow, ApiError> {
    repo::certificates_of(conn, link)?
        .into_iter()
        .find(|row| row.id == id)
        .ok_or(ApiError::NotFound {
            resource: "certificate",
        })
}

/// The holder withdraws consent to a share: it ends at once, the organisation can no longer read
/// the certificate, and its feed (and webhooks) hear `unshared`. A share already ended stays so.
pub fn withdraw(
    conn: &mut DbConnection,
    link: &HolderLinkRow,
    share_id: &str,
    actor: &Actor,
) -> Result<(), ApiError> {
    let rows = repo::certificates_of(conn, link)?;
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let share = repo::shares(conn, &ids)?
        .into_iter()
        .find(|share| share.id == share_id)
        .ok_or(ApiError::NotFound { resource: "share" })?;
    if share.ended_at.is_some() {
        return Ok(());
    }
    let current = rows
        .iter()
        .find(|row| row.id == share.certificate_id)
        .ok_or(ApiError::NotFound { resource: "share" })?;
    sharing::withdraw_consent(conn, actor, current, &share.organisation_id)
}

/// Records that the holder, through the link, took the certificate's personal data away.
pub fn record_download(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &CertificateRow,
    purpose: ReadPurpose,
) -> Result<(), ApiError> {
    views::record_reads(conn, actor, std::slice::from_ref(row), purpose)
}
