//! The registry as the issuer of credentials: each organisation's issuer profile (what a
//! credential's `issuer.id` dereferences to), the keys that sign credentials and the URLs that
//! answer them, and the Data Integrity proofs that status lists carry.

pub mod data_integrity;
pub mod handlers;
pub mod keys;
pub mod profile;

/// The service's public address, without a trailing slash.
#[derive(Debug, Clone)]
pub struct PublicUrl(pub String);

/// The organisation an issuer URL names; 404 `issuer` when there is none.
pub async fn known_issuer(
    db: &crate::db::Db,
    id: String,
) -> Result<crate::organisations::model::OrganisationRow, crate::error::ApiError> {
    db.run(move |conn| Ok(crate::organisations::repo::find(conn, &id)?))
        .await?
        .map(|(organisation, _)| organisation)
        .ok_or(crate::error::ApiError::NotFound { resource: "issuer" })
}

/// The URL of an organisation's issuer profile: its credentials' `issuer.id` and `iss`.
pub fn issuer_url(base: &str, organisation_id: &str) -> String {
    format!("{base}/v1/issuers/{organisation_id}")
}
