//! The holder's access link: a long random secret that opens the holder's own view of the
//! certificates one issuer gave them (the `holders` module serves it). Issuing a certificate makes
//! one, shown to the issuer once and printable on the holder's handout; only its hash is kept.
//! The issuer may revoke a certificate's links or make a new one in their place.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{domain::RESOURCE, model::CertificateRow};
use crate::{
    audit::{self, Actor, Change},
    db::DbConnection,
    error::ApiError,
    random::{new_secret, secret_hash},
    schema::holder_links,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = holder_links, treat_none_as_default_value = false)]
pub struct HolderLinkRow {
    pub id: String,
    pub certificate_id: String,
    pub issuer_organisation_id: String,
    /// The holder's id in credentials: the link opens every certificate the issuer gave them.
    pub holder_subject_id: String,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

/// A new access link, as its issuer sees it this once: both addresses carry the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "url": "https://opinnollistaminen.example.fi/holder?access=q1Vh3mBz0Xk6c9Jt2Lw7Ypa4Rn8Ue5Sd1Gf0Hi3Ko6M",
    "handout_url": "/v1/certificates/0193a2b4-c000-7000-8000-000000000001/pdf?holder_access=q1Vh3mBz0Xk6c9Jt2Lw7Ypa4Rn8Ue5Sd1Gf0Hi3Ko6M"
}))]
pub struct HolderAccess {
    /// The holder's own page: their certificates from this issuer, who read them, with whom they
    /// are shared. Give it to the holder only; it cannot be shown again.
    pub url: String,
    /// The certificate's PDF with the link and its QR code printed on it, for the holder.
    pub handout_url: String,
}

impl HolderAccess {
    pub fn new(base: &str, certificate_id: &str, secret: &str) -> Self {
        Self {
            url: format!("{base}/holder?access={secret}"),
            handout_url: format!("/v1/certificates/{certificate_id}/pdf?holder_access={secret}"),
        }
    }
}

/// The answer to making a new link: [`HolderAccess`], or, to a retry with the same
/// `Idempotency-Key`, `null`s, since the secret is shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "url": "https://opinnollistaminen.example.fi/holder?access=q1Vh3mBz0Xk6c9Jt2Lw7Ypa4Rn8Ue5Sd1Gf0Hi3Ko6M",
    "handout_url": "/v1/certificates/0193a2b4-c000-7000-8000-000000000001/pdf?holder_access=q1Vh3mBz0Xk6c9Jt2Lw7Ypa4Rn8Ue5Sd1Gf0Hi3Ko6M"
}))]
pub struct NewHolderLink {
    /// The holder's own page; give it to the holder only.
    pub url: Option<String>,
    /// The certificate's PDF with the link printed on it, for the holder.
    pub handout_url: Option<String>,
}

impl From<Option<HolderAccess>> for NewHolderLink {
    fn from(access: Option<HolderAccess>) -> Self {
        let (url, handout_url) = access.map(|access| (access.url, access.handout_url)).unzip();
        Self { url, handout_url }
    }
}

/// Makes a new access link to the holder of `certificate` (issued: it has a holder id), ending
/// the links made for this certificate before. Returns the secret.
pub fn make(
    conn: &mut DbConnection,
    actor: &Actor,
    certificate: &CertificateRow,
    subject_id: &str,
    at: NaiveDateTime,
) -> Result<String, ApiError> {
    end_links(conn, &certificate.id, at)?;
    let secret = new_secret()?;
    diesel::insert_into(holder_links::table)
        .values(&HolderLinkRow {
            id: Uuid::now_v7().to_string(),
            certificate_id: certificate.id.clone(),
            issuer_organisation_id: certificate.issuer_organisation_id.clone(),
            holder_subject_id: subject_id.to_owned(),
            secret_hash: secret_hash(&secret),
            created_at: at,
            revoked_at: None,
            last_used_at: None,
        })
        .execute(conn)?;
    audited(conn, actor, certificate, "holder_link")?;
    Ok(secret)
}

fn audited(
    conn: &mut DbConnection,
    actor: &Actor,
    certificate: &CertificateRow,
    action: &str,
) -> Result<(), ApiError> {
    let change = Change::new(
        action,
        RESOURCE,
        &certificate.id,
        Some(&certificate.issuer_organisation_id),
    );
    audit::record(conn, actor, change).map_err(ApiError::from)
}

/// Ends the links made for `certificate`; false when it had none in use.
pub fn revoke(
    conn: &mut DbConnection,
    actor: &Actor,
    certificate: &CertificateRow,
    at: NaiveDateTime,
) -> Result<bool, ApiError> {
    if end_links(conn, &certificate.id, at)? == 0 {
        return Ok(false);
    }
    audited(conn, actor, certificate, "holder_link_revoke")?;
    Ok(true)
}

fn end_links(conn: &mut DbConnection, certificate_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        holder_links::table
            .filter(holder_links::certificate_id.eq(certificate_id))
            .filter(holder_links::revoked_at.is_null()),
    )
    .set(holder_links::revoked_at.eq(at))
    .execute(conn)
}

/// The link in use whose secret this is.
pub fn find_live(conn: &mut DbConnection, secret: &str) -> QueryResult<Option<HolderLinkRow>> {
    holder_links::table
        .filter(holder_links::secret_hash.eq(secret_hash(secret)))
        .filter(holder_links::revoked_at.is_null())
        .select(HolderLinkRow::as_select())
        .first(conn)
        .optional()
}

/// Whether `secret` opens the records of `certificate`'s holder.
pub fn opens(conn: &mut DbConnection, secret: &str, certificate: &CertificateRow) -> QueryResult<bool> {
    Ok(find_live(conn, secret)?.is_some_and(|link| {
        link.issuer_organisation_id == certificate.issuer_organisation_id
            && Some(&link.holder_subject_id) == certificate.holder_subject_id.as_ref()
    }))
}

/// Notes when a link was last opened, which its issuer's audit shows with each opening.
pub fn touch(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(holder_links::table.find(id))
        .set(holder_links::last_used_at.eq(at))
        .execute(conn)
        .map(drop)
}
