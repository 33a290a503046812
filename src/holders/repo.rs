//! What a holder's access link opens, read from the certificates, their shares and the audit log.

use diesel::prelude::*;

use crate::{
    audit::dto::AuditRow,
    certificates::{
        dto::{CertificateStatus, ReadPurpose},
        holder_link::HolderLinkRow,
        model::{CertificateRow, ShareRow},
    },
    db::DbConnection,
    schema::{audit_log, certificate_shares, certificates},
};

/// Every certificate the link's issuer gave its holder, drafts aside, newest first.
pub fn certificates_of(conn: &mut DbConnection, link: &HolderLinkRow) -> QueryResult<Vec<CertificateRow>> {
    certificates::table
        .filter(certificates::holder_subject_id.eq(&link.holder_subject_id))
        .filter(certificates::issuer_organisation_id.eq(&link.issuer_organisation_id))
        .filter(certificates::status.ne(CertificateStatus::Draft))
        .order((certificates::issued_at.desc(), certificates::id.desc()))
        .select(CertificateRow::as_select())
        .load(conn)
}

/// The audit log's reads of these certificates, newest first.
pub fn reads(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<AuditRow>> {
    let purposes: Vec<&str> = ReadPurpose::ALL.iter().map(|purpose| purpose.as_str()).collect();
    audit_log::table
        .filter(audit_log::resource_type.eq(crate::certificates::domain::RESOURCE))
        .filter(audit_log::resource_id.eq_any(ids))
        .filter(audit_log::action.eq_any(purposes))
        .order(audit_log::id.desc())
        .select(AuditRow::as_select())
        .load(conn)
}

/// Every share of these certificates, in force or ended, oldest first.
pub fn shares(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<ShareRow>> {
    certificate_shares::table
        .filter(certificate_shares::certificate_id.eq_any(ids))
        .order((certificate_shares::shared_at.asc(), certificate_shares::id.asc()))
        .select(ShareRow::as_select())
        .load(conn)
}
