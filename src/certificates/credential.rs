//! The signed form of an issued certificate: a W3C Verifiable Credential in VC-JWT form, shaped
//! as an Open Badges 3.0 `OpenBadgeCredential`.
//!
//! One credential per certificate: its achievement is the certificate itself, with one
//! `alignment` per qualification unit (`targetCode` the unit's national code). It names the
//! holder but never carries a personal identity code or a date of birth. Its `credentialStatus`
//! points at its revocation bit in a W3C Bitstring Status List (see [`super::status_list`]).

use chrono::{NaiveDateTime, SecondsFormat};
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{json, Value};

use super::{
    model::{CertificateRow, StatusEntry, UnitRow},
    signing::{sign_claims, OB_CONTEXT, VC_CONTEXT},
    status_list,
};
use crate::{
    auth::keys::KeySet, error::ApiError, organisations::model::OrganisationRow, reference::repo::Names,
};

/// What signing a credential needs: the service's key and its public address.
#[derive(Clone)]
pub struct Signer {
    pub keys: actix_web::web::Data<KeySet>,
    pub public_url: String,
}

/// Crockford's base32 alphabet: no I, L, O or U, so a printed code reads back unambiguously.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh verification code of 10 random characters (50 bits), printed as `XXXXX-XXXXX`.
pub fn verification_code() -> Result<String, super::protection::ProtectionError> {
    let mut bytes = [0u8; 10];
    getrandom::getrandom(&mut bytes).map_err(super::protection::ProtectionError::Random)?;
    let characters: String = bytes
        .iter()
        .map(|byte| char::from(CODE_ALPHABET[usize::from(byte & 31)]))
        .collect();
    Ok(format!("{}-{}", &characters[..5], &characters[5..]))
}

/// A code as a person may type it: any case, with or without the hyphen, `O` for zero and `I` or
/// `L` for one. `None` when it cannot be a code.
pub fn normalize_code(code: &str) -> Option<String> {
    let characters: String = code
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (characters.len() == 10 && characters.bytes().all(|b| CODE_ALPHABET.contains(&b)))
        .then(|| format!("{}-{}", &characters[..5], &characters[5..]))
}

fn timestamp(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What a credential says, loaded: the certificate, its units and their names, and its issuer.
pub struct Content<'a> {
    pub row: &'a CertificateRow,
    pub units: &'a [UnitRow],
    pub names: &'a Names,
    pub issuer: &'a OrganisationRow,
}

impl Content<'_> {
    fn in_language(&self, name: &crate::text::LocalizedText) -> String {
        name.get(self.row.language.as_str()).to_owned()
    }

    /// One alignment per unit: its national code, name and qualification.
    fn alignments(&self, base: &str) -> Vec<Value> {
        self.units
            .iter()
            .map(|unit| {
                let qualification = self.names.qualification(&unit.qualification_code);
                json!({
                    "type": ["Alignment"],
                    "targetType": "CFItem",
                    "targetName": self.in_language(&self.names.unit(&unit.unit_code).name),
                    "targetDescription": unit.description,
                    "targetUrl": format!("{base}/v1/qualification-units/{}", unit.unit_code),
                    "targetCode": unit.unit_code,
                    "targetFramework": format!("{} ({})", self.in_language(&qualification.name), qualification.code),
                })
            })
            .collect()
    }

    /// The units as one line: `code name; code name`.
    fn unit_list(&self) -> String {
        self.units
            .iter()
            .map(|unit| {
                format!(
                    "{} {}",
                    unit.unit_code,
                    self.in_language(&self.names.unit(&unit.unit_code).name)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The credential's title and criteria narrative in its language.
fn title_and_narrative(language: &str) -> (&'static str, &'static str) {
    match language {
        "sv" => (
            "Kompetensintyg",
            "Kompetens som visats i arbete på en lärmiljö och bedömts av arbetshandledaren.",
        ),
        "en" => (
            "Certificate of competence",
            "Competence shown in real work at a learning environment, as assessed by the work coach.",
        ),
        _ => (
            "Osaamistodistus",
            "Oppimisympäristössä oikeassa työssä osoitettu osaaminen työvalmentajan arvioimana.",
        ),
    }
}

/// Builds and signs the credential of a certificate being issued at `at`.
pub fn sign(
    content: &Content<'_>,
    at: NaiveDateTime,
    code: &str,
    status: StatusEntry,
    signer: &Signer,
) -> Result<String, ApiError> {
    let base = &signer.public_url;
    let (row, issuer) = (content.row, content.issuer);
    let language = row.language.as_str();
    let (title, narrative) = title_and_narrative(language);
    let alignments = content.alignments(base);
    let unit_list = content.unit_list();
    let credential = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": format!("urn:uuid:{}", row.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "issuer": {
            "id": format!("{base}/v1/organisations/{}", issuer.id),
            "type": ["Profile"],
            "name": issuer.name_fi,
        },
        "validFrom": timestamp(at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": false,
                "identityHash": format!("{} {}", row.holder_given_names, row.holder_family_name),
            }],
            "activityStartDate": timestamp(row.start_date.and_time(chrono::NaiveTime::MIN)),
            "activityEndDate": timestamp(row.end_date.and_time(chrono::NaiveTime::MIN)),
            "achievement": {
                "id": format!("{base}/v1/verify/{code}"),
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": title,
                "description": if unit_list.is_empty() { title.to_owned() } else { unit_list },
                "criteria": {"narrative": narrative},
                "alignment": alignments,
                "inLanguage": language,
            },
        },
        "credentialStatus": status_list::entry(base, status),
    });
    sign_claims(&signer.keys, &credential)
}

/// Checks a VC-JWT's signature against this service's keys and returns the credential's
/// certificate id, or why it is not genuine.
pub fn verify(keys: &KeySet, jwt: &str) -> Result<String, &'static str> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| "not a JWT")?;
    let verifier = keys
        .verifier(header.kid.as_deref())
        .filter(|verifier| verifier.own)
        .ok_or("not signed with a key of this service")?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Value>(jwt, &verifier.key, &validation)
        .map_err(|_| "the signature does not match")?;
    data.claims["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("urn:uuid:"))
        .map(str::to_owned)
        .ok_or("not a credential of this service")
}

/// The service's public address, without a trailing slash.
#[derive(Debug, Clone)]
pub struct PublicUrl(pub String);
