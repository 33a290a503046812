//! The holder's view as JSON, and what its requests carry.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    certificates::dto::{CertificateLanguage, CertificateStatus, ConsentMethod, ReadPurpose},
    locale::Language,
    organisations::dto::OrganisationSummary,
    reference::dto::CodeAndName,
};

/// The secret of a holder's access link, as the link carries it.
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AccessQuery {
    /// The secret of the holder's access link (`access=` of the link).
    #[param(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub access: String,
}

/// The holder's page: the link's secret and the page's language.
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The secret of the holder's access link.
    #[param(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub access: String,
    /// The page's language; by default that of the newest certificate.
    #[param(inline)]
    pub lang: Option<Language>,
}

/// A withdrawal of consent sent from the holder's page.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"access": "q1Vh3mBz0Xk6c9Jt2Lw7Ypa4Rn8Ue5Sd1Gf0Hi3Ko6M", "share_id": "0193a2b4-c100-7000-8000-000000000001", "lang": "fi"}))]
pub struct WithdrawForm {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub access: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub share_id: String,
    /// The page's language to go back to. A form field is never null: left out or a language.
    #[serde(default)]
    #[schema(nullable = false)]
    pub lang: Option<Language>,
}

crate::text_enum! {
    /// Who read: someone acting for an organisation, a registry administrator, or the holder
    /// (through the access link, or their wallet).
    #[serde(rename_all = "snake_case")]
    pub enum Reader {
        Organisation,
        Administrator,
        Holder,
    }
}

/// One read of a certificate's personal data, from the audit log.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"at": "2026-11-24T09:12:00Z", "purpose": "read", "reader": "organisation",
    "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan ammattiopisto"}, "kind": "education_provider"}}))]
pub struct Access {
    pub at: DateTime<Utc>,
    pub purpose: ReadPurpose,
    pub reader: Reader,
    /// The organisation that read, when `reader` is `organisation`.
    pub organisation: Option<OrganisationSummary>,
}

/// A share of the certificate with an education provider, in force or ended.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-c100-7000-8000-000000000001",
    "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan ammattiopisto"}, "kind": "education_provider"},
    "consent_given_on": "2026-11-20", "consent_method": "written", "shared_at": "2026-11-23T10:00:00Z", "ended_at": null}))]
pub struct HolderShare {
    /// For withdrawing consent: `POST /v1/holder/shares/{id}/withdraw`.
    pub id: String,
    pub organisation: OrganisationSummary,
    pub consent_given_on: NaiveDate,
    pub consent_method: ConsentMethod,
    pub shared_at: DateTime<Utc>,
    /// When the share ended: consent withdrawn, or ended by the issuer.
    pub ended_at: Option<DateTime<Utc>>,
}

/// One of the holder's certificates, with who read it and with whom it is shared.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-c000-7000-8000-000000000001", "status": "issued", "language": "fi",
    "start_date": "2026-02-01", "end_date": "2026-10-31", "issued_at": "2026-11-23T08:30:00Z", "imported": false,
    "revoked_at": null, "verification_code": "K7M2Q-X9PRT",
    "units": [{"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}}],
    "accesses": [{"at": "2026-11-24T09:12:00Z", "purpose": "read", "reader": "organisation",
        "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan ammattiopisto"}, "kind": "education_provider"}}],
    "shares": [{"id": "0193a2b4-c100-7000-8000-000000000001",
        "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan ammattiopisto"}, "kind": "education_provider"},
        "consent_given_on": "2026-11-20", "consent_method": "written", "shared_at": "2026-11-23T10:00:00Z", "ended_at": null}]}))]
pub struct HolderCertificate {
    pub id: String,
    pub status: CertificateStatus,
    pub language: CertificateLanguage,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub issued_at: Option<DateTime<Utc>>,
    /// A paper certificate entered afterwards: `issued_at` is the day on the paper.
    pub imported: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    /// For `GET /v1/verify/{code}` and the verification page.
    pub verification_code: Option<String>,
    pub units: Vec<CodeAndName>,
    /// Every read of its personal data, newest first: by whom, when, for what (read in full,
    /// printed, credential fetched, exported for a study plan, found by a search, delivered to
    /// a wallet).
    pub accesses: Vec<Access>,
    /// Every share, in force or ended, oldest first.
    pub shares: Vec<HolderShare>,
}

/// What the holder's access link opens: the holder's certificates from one issuer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"issuer": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "kind": "workshop"},
    "given_names": "Aino Maria", "family_name": "Virtanen", "certificates": [{"id": "0193a2b4-c000-7000-8000-000000000001", "status": "issued", "language": "fi",
    "start_date": "2026-02-01", "end_date": "2026-10-31", "issued_at": "2026-11-23T08:30:00Z", "imported": false,
    "revoked_at": null, "verification_code": "K7M2Q-X9PRT",
    "units": [{"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}}],
    "accesses": [{"at": "2026-11-24T09:12:00Z", "purpose": "read", "reader": "organisation",
        "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan ammattiopisto"}, "kind": "education_provider"}}],
    "shares": [{"id": "0193a2b4-c100-7000-8000-000000000001",
        "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan ammattiopisto"}, "kind": "education_provider"},
        "consent_given_on": "2026-11-20", "consent_method": "written", "shared_at": "2026-11-23T10:00:00Z", "ended_at": null}]}]}))]
pub struct HolderView {
    pub issuer: OrganisationSummary,
    pub given_names: String,
    pub family_name: String,
    /// Newest first.
    pub certificates: Vec<HolderCertificate>,
}
