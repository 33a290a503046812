//! The signed form of an issued certificate: a W3C Verifiable Credential secured as an Open
//! Badges 3.0 VC-JWT (see [`super::signing`]), shaped as an `OpenBadgeCredential`.
//!
//! One credential per certificate: its achievement is the certificate itself, with one
//! `alignment` per qualification unit (`targetCode` the unit's national code, `targetFramework`
//! its qualification) and one `resultDescription` per unit, whose `alignment`s are the skills
//! shown; the subject's `result`s give each unit's hours and the total, and the other
//! competences. The learning environments are its `evidence`, the coach the subject's `source`.
//! The holder is a random `urn:uuid:` and a salted hash of their name: the credential never
//! carries an identity code, a birth date or a name in plain text. Its `credentialStatus` points
//! at its bit in its issuer's Bitstring Status List (see [`super::status_list`]).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{
    dto::Certificate,
    model::StatusEntry,
    signing::{sign_claims, OB_CONTEXT, VC_CONTEXT},
    status_list,
};
pub use crate::issuers::PublicUrl;
use crate::{error::ApiError, issuers::keys::CredentialKeys, reference::dto::KoodistoReference};

/// What signing a credential needs: the credential keys and the service's public address.
#[derive(Clone)]
pub struct Signer {
    pub keys: actix_web::web::Data<CredentialKeys>,
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

/// The OB 3.0 JSON Schema the credential declares it conforms to.
pub const OB_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

fn timestamp(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The last Sunday of a month, when Finnish summer time starts (March) or ends (October).
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap_or(NaiveDate::MAX);
    let last = first_of_next.pred_opt().unwrap_or(first_of_next);
    let back = last.weekday().num_days_from_sunday();
    last - chrono::Days::new(u64::from(back))
}

/// A wall-clock time in Finland with its offset: +03:00 in summer time (from 01:00 UTC on March's
/// last Sunday to 01:00 UTC on October's), +02:00 otherwise.
pub fn finnish_time(day: NaiveDate, time: NaiveTime) -> String {
    let local = day.and_time(time);
    let (summer_starts, summer_ends) = (last_sunday(day.year(), 3), last_sunday(day.year(), 10));
    // Local times of the switches: 03:00 (01:00 UTC at +02:00) and 04:00 (01:00 UTC at +03:00).
    let summer = local >= summer_starts.and_hms_opt(3, 0, 0).unwrap_or(local)
        && local < summer_ends.and_hms_opt(4, 0, 0).unwrap_or(local);
    let offset = if summer { "+03:00" } else { "+02:00" };
    format!("{}{offset}", local.format("%Y-%m-%dT%H:%M:%S"))
}

/// A moment in UTC as the clock in Finland shows it (EET, or EEST from the last Sunday of March
/// to the last Sunday of October, switching at 01:00 UTC).
pub fn finnish_clock(at: NaiveDateTime) -> NaiveDateTime {
    let year = at.date().year();
    let switch = |day: NaiveDate| day.and_hms_opt(1, 0, 0).unwrap_or(at);
    let summer = at >= switch(last_sunday(year, 3)) && at < switch(last_sunday(year, 10));
    at + chrono::Duration::hours(if summer { 3 } else { 2 })
}

/// A fresh holder id for credentials: a random (version 4) UUID.
pub fn new_subject_id() -> Result<String, ApiError> {
    Ok(uuid::Builder::from_random_bytes(crate::random::bytes()?)
        .into_uuid()
        .to_string())
}

/// OB 3.0's `IdentityHash`: `sha256$` and the hex SHA-256 of the value followed by the salt.
pub fn identity_hash(value: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{value}{salt}").as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256${hex}")
}

/// The words of a credential in its language.
struct Words {
    title: &'static str,
    narrative: &'static str,
    hours: &'static str,
    total_hours: &'static str,
    environment: &'static str,
}

/// The credential's title in `language` (`fi`, `sv` or `en`).
pub fn title(language: &str) -> &'static str {
    words(language).title
}

fn words(language: &str) -> Words {
    match language {
        "sv" => Words {
            title: "Kompetensintyg",
            narrative: "Kompetens som visats i arbete på en lärmiljö och bedömts av arbetshandledaren.",
            hours: "Timmar",
            total_hours: "Timmar sammanlagt",
            environment: "Lärmiljö",
        },
        "en" => Words {
            title: "Certificate of competence",
            narrative:
                "Competence shown in real work at a learning environment, as assessed by the work coach.",
            hours: "Hours",
            total_hours: "Hours in total",
            environment: "Learning environment",
        },
        _ => Words {
            title: "Osaamistodistus",
            narrative: "Oppimisympäristössä oikeassa työssä osoitettu osaaminen työvalmentajan arvioimana.",
            hours: "Tunnit",
            total_hours: "Tunnit yhteensä",
            environment: "Oppimisympäristö",
        },
    }
}

/// What issuing adds to a certificate's content in its credential.
pub struct Issuance<'a> {
    pub at: NaiveDateTime,
    pub code: &'a str,
    pub status: StatusEntry,
    pub subject_id: &'a str,
}

struct Builder<'a> {
    certificate: &'a Certificate,
    issuance: &'a Issuance<'a>,
    base: &'a str,
    language: &'static str,
    words: Words,
    achievement_id: String,
}

impl Builder<'_> {
    fn name(&self, name: &crate::text::LocalizedText) -> String {
        name.get(self.language).to_owned()
    }

    /// One alignment per unit: its national code, name and qualification.
    fn unit_alignment(&self, unit: &super::dto::CertificateUnit) -> Value {
        json!({
            "type": ["Alignment"],
            "targetType": "ext:QualificationUnit",
            "targetName": self.name(&unit.unit.name),
            "targetDescription": unit.description,
            "targetUrl": format!("{}/v1/qualification-units/{}", self.base, unit.unit.code),
            // A national unit by its national code (tutkinnonosat_NNNNNN); a sample or local
            // unit by its own code, never dressed as a national one.
            "targetCode": KoodistoReference::unit(&unit.unit.code)
                .map_or_else(|| unit.unit.code.clone(), |reference| reference.uri()),
            "targetFramework": format!("{} ({})", self.name(&unit.qualification.name), unit.qualification.code),
        })
    }

    /// A unit's result description: the unit, and the skills shown as its alignments.
    fn unit_description(&self, position: usize, unit: &super::dto::CertificateUnit) -> Value {
        let unit_url = format!("{}/v1/qualification-units/{}", self.base, unit.unit.code);
        let mut alignment = vec![self.unit_alignment(unit)];
        alignment.extend(unit.skills.iter().map(|skill| {
            let mut skill_alignment = json!({
                "type": ["Alignment"],
                "targetType": "ext:Skill",
                "targetName": skill.wording(self.language),
                "targetUrl": unit_url,
                "targetFramework": format!("{} {}", unit.unit.code, self.name(&unit.unit.name)),
            });
            // An imported requirement is named by its place in the unit's requirements, its
            // wording kept beside the coach's words.
            if let Some(requirement) = &skill.requirement {
                skill_alignment["targetType"] = json!("ext:Requirement");
                skill_alignment["targetUrl"] =
                    json!(format!("{unit_url}#requirement-{}", requirement.position));
                if skill.text.is_some() {
                    skill_alignment["targetDescription"] = json!(self.name(&requirement.text));
                }
            }
            if let Some(code) = &skill.requirement_code {
                skill_alignment["targetCode"] = json!(code);
            }
            skill_alignment
        }));
        json!({
            "id": format!("{}#unit-{}", self.achievement_id, position + 1),
            "type": ["ResultDescription"],
            "name": format!("{} {} – {}", unit.unit.code, self.name(&unit.unit.name), self.words.hours),
            "resultType": "ext:Hours",
            "valueMin": "0",
            "alignment": alignment,
        })
    }

    fn other_description(&self, position: usize, other: &super::dto::OtherCompetenceInput) -> Value {
        let qualifiers: Vec<&str> = [other.framework.as_deref(), other.code.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let mut name = if qualifiers.is_empty() {
            other.name.clone()
        } else {
            format!("{} ({})", other.name, qualifiers.join(", "))
        };
        if let Some(text) = &other.description {
            name = format!("{name}: {text}");
        }
        json!({
            "id": format!("{}#other-{}", self.achievement_id, position + 1),
            "type": ["ResultDescription"],
            "name": name,
            "resultType": "Status",
        })
    }

    fn result_descriptions(&self) -> Vec<Value> {
        let certificate = self.certificate;
        let mut descriptions: Vec<Value> = certificate
            .units
            .iter()
            .enumerate()
            .map(|(position, unit)| self.unit_description(position, unit))
            .collect();
        descriptions.push(json!({
            "id": format!("{}#hours", self.achievement_id),
            "type": ["ResultDescription"],
            "name": self.words.total_hours,
            "resultType": "ext:Hours",
            "valueMin": "0",
        }));
        descriptions.extend(
            certificate
                .other_competences
                .iter()
                .enumerate()
                .map(|(position, other)| self.other_description(position, other)),
        );
        descriptions
    }

    /// The subject's results: hours per unit and in total where recorded, other competences
    /// completed.
    fn results(&self) -> Vec<Value> {
        let certificate = self.certificate;
        let hours = |description: String, hours: Option<i32>| {
            let mut result =
                json!({"type": ["Result"], "resultDescription": description, "status": "Completed"});
            if let Some(hours) = hours {
                result["value"] = json!(hours.to_string());
            }
            result
        };
        let mut results: Vec<Value> = certificate
            .units
            .iter()
            .enumerate()
            .map(|(position, unit)| {
                hours(
                    format!("{}#unit-{}", self.achievement_id, position + 1),
                    unit.hours,
                )
            })
            .collect();
        if certificate.hours.is_some() {
            results.push(hours(format!("{}#hours", self.achievement_id), certificate.hours));
        }
        results.extend((0..certificate.other_competences.len()).map(|position| {
            json!({"type": ["Result"], "resultDescription": format!("{}#other-{}", self.achievement_id, position + 1), "status": "Completed"})
        }));
        results
    }

    fn achievement(&self) -> Value {
        let certificate = self.certificate;
        let unit_list: Vec<String> = certificate
            .units
            .iter()
            .map(|unit| format!("{} {}", unit.unit.code, self.name(&unit.unit.name)))
            .collect();
        json!({
            "id": self.achievement_id,
            "type": ["Achievement"],
            "achievementType": "Competency",
            "name": self.words.title,
            "description": if unit_list.is_empty() { self.words.title.to_owned() } else { unit_list.join("; ") },
            "criteria": {"narrative": self.words.narrative},
            "alignment": certificate.units.iter().map(|unit| self.unit_alignment(unit)).collect::<Vec<_>>(),
            "resultDescription": self.result_descriptions(),
            "inLanguage": self.language,
        })
    }

    /// The coach who assessed the competence, as the subject's `source`.
    fn coach(&self) -> Value {
        let certificate = self.certificate;
        let mut coach = json!({
            "id": format!("urn:uuid:{}#coach", certificate.id),
            "type": ["Profile"],
            "name": certificate.coach.name,
        });
        if let Some(title) = &certificate.coach.title {
            coach["description"] = json!(title);
        }
        coach
    }

    fn subject(&self) -> Result<Value, ApiError> {
        let certificate = self.certificate;
        let salt: String = crate::random::bytes::<16>()?
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let name = format!(
            "{} {}",
            certificate.holder.given_names, certificate.holder.family_name
        );
        Ok(json!({
            "id": format!("urn:uuid:{}", self.issuance.subject_id),
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": true,
                "identityHash": identity_hash(&name, &salt),
                "salt": salt,
            }],
            "activityStartDate": finnish_time(certificate.start_date, NaiveTime::MIN),
            "activityEndDate": finnish_time(certificate.end_date, NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)),
            "achievement": self.achievement(),
            "result": self.results(),
            "source": self.coach(),
        }))
    }

    fn evidence(&self) -> Vec<Value> {
        self.certificate
            .learning_environments
            .iter()
            .map(|environment| {
                json!({
                    "id": format!("{}/v1/environments/{}", self.base, environment.id),
                    "type": ["Evidence"],
                    "name": self.name(&environment.name),
                    "genre": self.words.environment,
                })
            })
            .collect()
    }
}

/// Builds the credential of a certificate being issued, unsigned.
pub fn document(certificate: &Certificate, issuance: &Issuance<'_>, base: &str) -> Result<Value, ApiError> {
    let language = certificate.language.as_str();
    let builder = Builder {
        certificate,
        issuance,
        base,
        language,
        words: words(language),
        achievement_id: format!("{base}/v1/verify/{}", issuance.code),
    };
    let issuer = &certificate.issuer;
    Ok(json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": format!("urn:uuid:{}", certificate.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": builder.words.title,
        "issuer": {
            "id": crate::issuers::issuer_url(base, &issuer.id),
            "type": ["Profile"],
            "name": builder.name(&issuer.name),
        },
        "validFrom": timestamp(issuance.at),
        "credentialSubject": builder.subject()?,
        "evidence": builder.evidence(),
        "credentialStatus": status_list::entry(base, &issuer.id, issuance.status),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }))
}

/// Builds and signs the credential of a certificate being issued.
pub fn sign(certificate: &Certificate, issuance: &Issuance<'_>, signer: &Signer) -> Result<String, ApiError> {
    let credential = document(certificate, issuance, &signer.public_url)?;
    sign_claims(&signer.keys, &signer.public_url, &credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_days_start_and_end_in_finnish_time() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a day");
        assert_eq!(
            finnish_time(day(2026, 1, 15), NaiveTime::MIN),
            "2026-01-15T00:00:00+02:00"
        );
        assert_eq!(
            finnish_time(day(2026, 7, 1), NaiveTime::MIN),
            "2026-07-01T00:00:00+03:00"
        );
        // Summer time in 2026 runs from 29 March to 25 October.
        let end = NaiveTime::from_hms_opt(23, 59, 59).expect("a time");
        assert_eq!(finnish_time(day(2026, 3, 28), end), "2026-03-28T23:59:59+02:00");
        assert_eq!(finnish_time(day(2026, 3, 29), end), "2026-03-29T23:59:59+03:00");
        assert_eq!(finnish_time(day(2026, 10, 25), end), "2026-10-25T23:59:59+02:00");
        assert_eq!(finnish_time(day(2026, 10, 24), end), "2026-10-24T23:59:59+03:00");
    }

    #[test]
    fn identity_hashes_are_salted_sha256_in_hex() {
        // sha256("abc") with an empty salt, a known vector.
        assert_eq!(
            identity_hash("abc", ""),
            "sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(
            identity_hash("Aino Virtanen", "a"),
            identity_hash("Aino Virtanen", "b")
        );
    }
}
