//! Competence certificates as the API shows and accepts them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{organisations::dto::OrganisationSummary, reference::dto::CodeAndName, text::not_blank};

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum CertificateStatus {
        /// Being written; changed with `If-Match`, not yet visible to anyone else.
        Draft,
        /// Signed and frozen; can be shared, verified and printed.
        Issued,
        /// Withdrawn by its issuer, with a reason.
        Revoked,
        /// Replaced by a corrected certificate, named in `superseded_by`.
        Superseded,
    }
}

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum CertificateLanguage {
        Fi,
        Sv,
        En,
    }
}

/// The trainee the certificate is for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"given_names": "Aino Maria", "family_name": "Virtanen", "date_of_birth": "2004-03-15", "hetu": "150304A1233", "learner_oid": "1.2.246.562.24.10000000008"}))]
pub struct HolderInput {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub given_names: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub family_name: String,
    /// Must agree with the personal identity code when both are given.
    pub date_of_birth: NaiveDate,
    /// Finnish personal identity code (henkilötunnus), checked with its century sign and check
    /// character. Stored encrypted; shown only to those who may read the certificate.
    #[serde(default)]
    pub hetu: Option<String>,
    /// Learner OID (oppijanumero) `1.2.246.562.24.` and 11 digits.
    #[serde(default)]
    pub learner_oid: Option<String>,
}

/// A skill the trainee showed: in the coach's words, as one of the unit's imported requirements
/// (ammattitaitovaatimukset) by its position, or both. At least one of `text` and `requirement`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate, PartialEq)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Valmistaa lounaan annoskortin mukaan", "requirement_code": "R1"}))]
pub struct SkillInput {
    #[serde(default)]
    #[validate(length(min = 1, max = 1000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 1000, pattern = r"\S")]
    pub text: Option<String>,
    /// A code of your own for the requirement, e.g. from a local curriculum.
    #[serde(default)]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub requirement_code: Option<String>,
    /// The position (from 1) of one of the unit's requirements imported from ePerusteet, as
    /// `GET /v1/qualification-units/{code}` lists them; the certificate keeps the requirement's
    /// wording as it was when written.
    #[serde(default)]
    #[validate(range(min = 1, max = 10000))]
    #[schema(minimum = 1, maximum = 10000)]
    pub requirement: Option<i32>,
}

/// An imported requirement a trainee was shown to meet, in the wording of the requirements
/// document when the certificate was written.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({"position": 3, "text": {"fi": "hoitaa kasvustoa", "sv": "sköter växtbeståndet"}}))]
pub struct RequirementShown {
    pub position: i32,
    pub text: crate::text::LocalizedText,
}

/// A skill as a certificate keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({"text": "Valmistaa lounaan annoskortin mukaan", "requirement_code": "R1", "requirement": null}))]
pub struct Skill {
    pub text: Option<String>,
    pub requirement_code: Option<String>,
    #[serde(default)]
    pub requirement: Option<RequirementShown>,
}

impl Skill {
    /// The skill in words: the coach's, else the requirement's in `language`.
    pub fn wording(&self, language: &str) -> &str {
        match (&self.text, &self.requirement) {
            (Some(text), _) => text,
            (None, Some(requirement)) => requirement.text.get(language),
            (None, None) => "",
        }
    }
}

/// A qualification unit the trainee showed competence in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "qualification": "351204", "unit": "SAMPLE-107",
    "description": "Valmisti päivittäin lounasta noin 80 ruokailijalle ja huolehti astiahuollosta.",
    "skills": [{"text": "Valmistaa lounaan annoskortin mukaan", "requirement_code": "R1"}, {"text": "Noudattaa omavalvontaa"}],
    "hours": 320
}))]
pub struct CertificateUnitInput {
    /// National qualification code.
    #[validate(length(min = 1, max = 20))]
    #[serde(deserialize_with = "crate::reference::codes::qualification")]
    #[schema(schema_with = crate::reference::codes::qualification_schema)]
    pub qualification: String,
    /// Code of a unit of that qualification.
    #[validate(length(min = 1, max = 40))]
    #[serde(deserialize_with = "crate::reference::codes::unit")]
    #[schema(schema_with = crate::reference::codes::unit_schema)]
    pub unit: String,
    /// The work done.
    #[validate(length(min = 1, max = 4000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub description: String,
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub skills: Vec<SkillInput>,
    #[serde(default)]
    #[validate(range(min = 1, max = 10000))]
    #[schema(minimum = 1, maximum = 10000)]
    pub hours: Option<i32>,
}

/// A competence outside qualifications: a work-ability passport, a hygiene or first-aid card,
/// everyday working-life skills.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate, PartialEq)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Hygieniaosaamistodistus", "framework": "Ruokavirasto", "code": "HYG", "description": "Suoritettu hygieniaosaamistesti."}))]
pub struct OtherCompetenceInput {
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub name: String,
    /// The framework the competence belongs to, e.g. a card's issuer.
    #[serde(default)]
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub framework: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub code: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub description: Option<String>,
}

/// The work coach who wrote the certificate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate, PartialEq)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Maija Meikäläinen", "title": "työvalmentaja"}))]
pub struct CoachInput {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
}

/// A paper certificate from before the registry, as an administrator enters it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "issued_on": "2021-06-11",
    "certificate": {
        "issuer_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
        "holder": {"given_names": "Aino Maria", "family_name": "Virtanen", "date_of_birth": "2004-03-15", "hetu": "150304A1233"},
        "learning_environment_ids": ["0193a2b4-a000-7000-8000-000000000001"],
        "start_date": "2021-01-11",
        "end_date": "2021-05-28",
        "hours": 400,
        "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"},
        "language": "fi",
        "units": [{"qualification": "351204", "unit": "SAMPLE-107", "description": "Valmisti päivittäin lounasta.", "skills": [{"text": "Valmistaa lounaan annoskortin mukaan"}], "hours": 320}],
        "other_competences": []
    }
}))]
pub struct ImportInput {
    /// The day the paper certificate was issued: not in the future, not before its period began.
    pub issued_on: NaiveDate,
    /// Its content, with the issuing organisation named.
    #[validate(nested)]
    pub certificate: CertificateInput,
}

/// A certificate's content: everything a draft may change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "holder": {"given_names": "Aino Maria", "family_name": "Virtanen", "date_of_birth": "2004-03-15", "hetu": "150304A1233"},
    "learning_environment_ids": ["0193a2b4-a000-7000-8000-000000000001"],
    "programme_reference": "TE-palvelut, kuntouttava työtoiminta 2026/118",
    "start_date": "2026-02-01",
    "end_date": "2026-10-31",
    "hours": 480,
    "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"},
    "language": "fi",
    "units": [{"qualification": "351204", "unit": "SAMPLE-107", "description": "Valmisti päivittäin lounasta noin 80 ruokailijalle.", "skills": [{"text": "Valmistaa lounaan annoskortin mukaan"}], "hours": 320}],
    "other_competences": [{"name": "Hygieniaosaamistodistus", "framework": "Ruokavirasto"}]
}))]
pub struct CertificateInput {
    /// An administrator names the issuing organisation; a client issues as its own.
    #[serde(default)]
    pub issuer_organisation_id: Option<String>,
    #[validate(nested)]
    pub holder: HolderInput,
    /// Learning environments (of the issuing organisation) where the learning took place.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub learning_environment_ids: Vec<String>,
    /// The employment service's or programme's own reference for the trainee's placement.
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub programme_reference: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Hours of learning in the whole period.
    #[serde(default)]
    #[validate(range(min = 1, max = 20000))]
    #[schema(minimum = 1, maximum = 20000)]
    pub hours: Option<i32>,
    #[validate(nested)]
    pub coach: CoachInput,
    pub language: CertificateLanguage,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub units: Vec<CertificateUnitInput>,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub other_competences: Vec<OtherCompetenceInput>,
}

/// The holder as those who may read the certificate see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"given_names": "Aino Maria", "family_name": "Virtanen", "date_of_birth": "2004-03-15", "hetu": "150304A1233", "learner_oid": null}))]
pub struct Holder {
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub hetu: Option<String>,
    pub learner_oid: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"qualification": {"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}}, "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}}, "description": "Valmisti päivittäin lounasta.", "skills": [{"text": "Valmistaa lounaan annoskortin mukaan", "requirement_code": "R1", "requirement": null}], "hours": 320}))]
pub struct CertificateUnit {
    pub qualification: CodeAndName,
    pub unit: CodeAndName,
    pub description: String,
    pub skills: Vec<Skill>,
    pub hours: Option<i32>,
}

/// A learning environment as a certificate names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2b4-a000-7000-8000-000000000001", "name": {"fi": "Työpajan keittiö"}, "municipality": "684"}))]
pub struct CertificateEnvironment {
    pub id: String,
    pub name: crate::text::LocalizedText,
    pub municipality: String,
}

/// An education provider the certificate is shared with, and the holder's consent.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "organisation": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "name": {"fi": "Satakunnan koulutuskuntayhtymä"}, "kind": "education_provider"},
    "consent_given_on": "2026-11-02", "consent_method": "written", "shared_at": "2026-11-23T08:30:00Z",
    "study_right_oid": "1.2.246.562.15.00000000001"
}))]
pub struct Share {
    pub organisation: OrganisationSummary,
    pub consent_given_on: NaiveDate,
    pub consent_method: ConsentMethod,
    pub shared_at: DateTime<Utc>,
    /// The provider's study right (opiskeluoikeus in KOSKI) the certificate was shared for.
    pub study_right_oid: Option<String>,
}

crate::text_enum! {
    /// How the holder gave consent to sharing.
    #[serde(rename_all = "snake_case")]
    pub enum ConsentMethod {
        /// Signed on paper.
        Written,
        /// In an electronic service, with strong identification.
        Electronic,
        /// Told in person and recorded by the coach.
        Oral,
    }
}

/// Shares an issued certificate with an education provider.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "consent_given_on": "2026-11-02", "consent_method": "written", "study_right_oid": "1.2.246.562.15.00000000001"}))]
pub struct ShareInput {
    /// An education provider.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub organisation_id: String,
    /// When the holder consented; not in the future.
    pub consent_given_on: NaiveDate,
    pub consent_method: ConsentMethod,
    /// The learner's study right (opiskeluoikeus) at the provider, when the certificate is shared
    /// for one: `1.2.246.562.15.` and 11 digits. The provider's eHOKS export names it.
    #[serde(default)]
    #[validate(custom(function = "valid_study_right_oid"))]
    #[schema(pattern = r"^\s*1\.2\.246\.562\.15\.[0-9]{11}\s*$")]
    pub study_right_oid: Option<String>,
}

fn valid_study_right_oid(value: &str) -> Result<(), validator::ValidationError> {
    crate::identifiers::study_right_oid(value)
        .map(drop)
        .map_err(|message| validator::ValidationError::new("study_right_oid").with_message(message.into()))
}

/// Revokes an issued certificate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Todistus annettiin virheellisesti väärälle henkilölle."}))]
pub struct RevokeInput {
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// A competence certificate, in full: only its issuer and the organisations it is shared with read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-c000-7000-8000-000000000001",
    "status": "issued",
    "issuer": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "kind": "workshop"},
    "holder": {"given_names": "Aino Maria", "family_name": "Virtanen", "date_of_birth": "2004-03-15", "hetu": "150304A1233", "learner_oid": null},
    "learning_environments": [{"id": "0193a2b4-a000-7000-8000-000000000001", "name": {"fi": "Työpajan keittiö"}, "municipality": "684"}],
    "programme_reference": null,
    "start_date": "2026-02-01",
    "end_date": "2026-10-31",
    "hours": 480,
    "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"},
    "language": "fi",
    "units": [{"qualification": {"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}}, "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}}, "description": "Valmisti päivittäin lounasta.", "skills": [{"text": "Valmistaa lounaan annoskortin mukaan", "requirement_code": null, "requirement": null}], "hours": 320}],
    "other_competences": [],
    "shares": [],
    "verification_code": "K7M2Q-X9PRT",
    "supersedes": null,
    "superseded_by": null,
    "issued_at": "2026-11-23T08:30:00Z",
    "imported": false,
    "revoked_at": null,
    "revocation_reason": null,
    "version": 2,
    "created_at": "2026-11-23T08:00:00Z",
    "updated_at": "2026-11-23T08:30:00Z"
}))]
pub struct Certificate {
    pub id: String,
    pub status: CertificateStatus,
    pub issuer: OrganisationSummary,
    pub holder: Holder,
    pub learning_environments: Vec<CertificateEnvironment>,
    pub programme_reference: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours: Option<i32>,
    pub coach: CoachInput,
    pub language: CertificateLanguage,
    pub units: Vec<CertificateUnit>,
    pub other_competences: Vec<OtherCompetenceInput>,
    /// Whom the certificate is shared with now: shown to its issuer only.
    pub shares: Vec<Share>,
    /// The code printed on the certificate, for `GET /v1/verify/{code}`; set when issued.
    pub verification_code: Option<String>,
    /// The certificate this one corrects.
    pub supersedes: Option<String>,
    /// The certificate that corrected this one.
    pub superseded_by: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    /// A paper certificate entered afterwards by an administrator: `issued_at` is the day on
    /// the paper, not the day it was entered.
    pub imported: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Only in the answer to issuing, once: the holder's access link, to hand to the holder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_access: Option<super::holder_link::HolderAccess>,
}

impl crate::concurrency::Versioned for Certificate {
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct CertificateFilter {
    pub status: Option<CertificateStatus>,
    /// Certificates naming this unit.
    #[param(example = "SAMPLE-107")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::unit")]
    pub unit: Option<String>,
    /// Certificates naming a unit of this qualification.
    #[param(example = "351204")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::qualification")]
    pub qualification: Option<String>,
    /// Issued on or after this day.
    pub issued_from: Option<NaiveDate>,
    /// Issued on or before this day.
    pub issued_to: Option<NaiveDate>,
    /// Changed at or after this moment (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Finds a person's certificates by personal identity code or by learner OID (oppijanumero):
/// exactly one of the two. Neither ever travels in a URL.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"holder_hetu": "150304A1233"}))]
pub struct SearchInput {
    #[serde(default)]
    pub holder_hetu: Option<String>,
    #[serde(default)]
    pub holder_learner_oid: Option<String>,
}

/// The certificates a search found, that the caller may read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": []}))]
pub struct SearchResult {
    pub items: Vec<Certificate>,
}

crate::text_enum! {
    /// What a certificate's personal data was read for: the audit log's action, and what the
    /// holder's own view shows.
    #[serde(rename_all = "snake_case")]
    pub enum ReadPurpose {
        /// Read in full.
        Read,
        /// Printed as a PDF.
        Pdf,
        /// Its signed credential fetched.
        Credential,
        /// Exported for a study plan (eHOKS).
        Ehoks,
        /// Found by a search by identity code or learner OID.
        SearchHit,
        /// Delivered to the holder's digital wallet.
        WalletDelivery,
    }
}

impl ReadPurpose {
    pub const ALL: [ReadPurpose; 6] = [
        Self::Read,
        Self::Pdf,
        Self::Credential,
        Self::Ehoks,
        Self::SearchHit,
        Self::WalletDelivery,
    ];
}

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum FeedEventKind {
        Issued,
        Revoked,
        Superseded,
        Shared,
        Unshared,
    }
}

/// One change to a certificate the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"position": 1042, "event": "shared", "certificate_id": "0193a2b4-c000-7000-8000-000000000001", "shared_with": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52", "occurred_at": "2026-11-23T08:30:00Z"}))]
pub struct FeedEvent {
    /// Increases with every event; pass the last one seen as `after`.
    pub position: i64,
    pub event: FeedEventKind,
    pub certificate_id: String,
    /// For `shared` and `unshared`: the organisation concerned.
    pub shared_with: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// A batch of the change feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [{"position": 1042, "event": "issued", "certificate_id": "0193a2b4-c000-7000-8000-000000000001", "shared_with": null, "occurred_at": "2026-11-23T08:30:00Z"}], "last_position": 1042, "more": false}))]
pub struct Feed {
    pub items: Vec<FeedEvent>,
    /// The position to pass as `after` next time: the last item's, or `after` itself when empty.
    pub last_position: i64,
    /// Whether more events are ready now; when false, poll again later.
    pub more: bool,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The last position seen; 0 (the default) reads from the start.
    #[validate(range(min = 0))]
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Events per batch, 1–1000 (default 100).
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// A certificate printed as a PDF document (binary).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfDocument(pub Vec<u8>);
