//! The certificate as an SD-JWT VC (IETF SD-JWT VC, RFC 9901 SD-JWT), format `dc+sd-jwt`: signed
//! with ES256, bound to the holder's key by `cnf`, its status an IETF Token Status List entry.
//!
//! What a trainee may want to keep to themselves is selectively disclosable: their name, birth
//! date, the verification link (its page names them), each unit and, within a unit, each skill
//! and each other competence. So a trainee can show an employer one unit without their birth
//! date. Who issued it, its title, period and learning environments are always shown.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, Header};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::proof::HolderKey;
use crate::{
    certificates::{
        credential::title,
        dto::{Certificate, CertificateUnit, Skill},
        model::StatusEntry,
        token_status_list,
    },
    error::ApiError,
    issuers::{issuer_url, keys::CredentialKeys},
};

pub const SD_JWT_TYPE: &str = "dc+sd-jwt";

/// Disclosures made so far, and how they are made (RFC 9901 section 4.2).
#[derive(Default)]
struct Disclosures(Vec<String>);

impl Disclosures {
    fn disclose(&mut self, content: &Value) -> Result<String, ApiError> {
        let salt = URL_SAFE_NO_PAD.encode(crate::random::bytes::<16>()?);
        let mut parts = vec![Value::String(salt)];
        parts.extend(content.as_array().cloned().unwrap_or_default());
        let disclosure = URL_SAFE_NO_PAD.encode(Value::Array(parts).to_string());
        let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(disclosure.as_bytes()));
        self.0.push(disclosure);
        Ok(digest)
    }

    /// An object property disclosed on its own: its digest goes into the object's `_sd`.
    fn property(&mut self, name: &str, value: Value) -> Result<String, ApiError> {
        self.disclose(&json!([name, value]))
    }

    /// An array element disclosed on its own: `{"...": digest}` in its place.
    fn element(&mut self, value: Value) -> Result<Value, ApiError> {
        Ok(json!({"...": self.disclose(&json!([value]))?}))
    }
}

/// What the credential is bound to and points at.
pub struct Binding<'a> {
    pub holder: &'a HolderKey,
    pub status: StatusEntry,
    pub now: i64,
}

fn skill(skill: &Skill, language: &str) -> Value {
    let mut value = json!({"text": skill.wording(language)});
    if let Some(requirement) = &skill.requirement {
        value["requirement"] =
            json!({"position": requirement.position, "text": requirement.text.get(language)});
    }
    value
}

fn unit(disclosures: &mut Disclosures, unit: &CertificateUnit, language: &str) -> Result<Value, ApiError> {
    let skills = unit
        .skills
        .iter()
        .map(|shown| disclosures.element(skill(shown, language)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut value = json!({
        "qualification": {"code": unit.qualification.code, "name": unit.qualification.name.get(language)},
        "code": unit.unit.code,
        "name": unit.unit.name.get(language),
        "description": unit.description,
        "skills": skills,
    });
    if let Some(hours) = unit.hours {
        value["hours"] = json!(hours);
    }
    Ok(value)
}

/// The claims and disclosures of a certificate's SD-JWT VC.
fn claims(
    certificate: &Certificate,
    binding: &Binding<'_>,
    base: &str,
) -> Result<(Value, Disclosures), ApiError> {
    let language = certificate.language.as_str();
    let mut disclosures = Disclosures::default();
    let holder = &certificate.holder;
    let verification = certificate
        .verification_code
        .as_deref()
        .map(|code| format!("{base}/verify/{code}"));
    let mut hidden = vec![
        disclosures.property("given_name", json!(holder.given_names))?,
        disclosures.property("family_name", json!(holder.family_name))?,
        disclosures.property("birthdate", json!(holder.date_of_birth.to_string()))?,
    ];
    if let Some(url) = verification {
        hidden.push(disclosures.property("verification_url", json!(url))?);
    }
    hidden.sort();
    let mut units = Vec::with_capacity(certificate.units.len());
    for shown in &certificate.units {
        let value = unit(&mut disclosures, shown, language)?;
        units.push(disclosures.element(value)?);
    }
    let others = certificate
        .other_competences
        .iter()
        .map(|other| disclosures.element(json!({"name": other.name, "framework": other.framework})))
        .collect::<Result<Vec<_>, _>>()?;
    let issued = certificate.issued_at.map_or(binding.now, |at| at.timestamp());
    let mut claims = json!({
        "iss": issuer_url(base, &certificate.issuer.id),
        "iat": binding.now,
        "nbf": issued,
        "vct": super::vct(base),
        "cnf": {"jwk": binding.holder.jwk},
        "status": {"status_list": {
            "idx": binding.status.index,
            "uri": token_status_list::url(base, &certificate.issuer.id, binding.status.list),
        }},
        "_sd_alg": "sha-256",
        "_sd": hidden,
        "title": title(language),
        "issuing_organisation": certificate.issuer.name.get(language),
        "language": language,
        "start_date": certificate.start_date.to_string(),
        "end_date": certificate.end_date.to_string(),
        "learning_environments": certificate.learning_environments.iter()
            .map(|environment| environment.name.get(language)).collect::<Vec<_>>(),
        "units": units,
        "other_competences": others,
    });
    if let Some(hours) = certificate.hours {
        claims["hours"] = json!(hours);
    }
    Ok((claims, disclosures))
}

/// The certificate's SD-JWT VC for the holder, in compact form: the issuer-signed JWT and every
/// disclosure, each followed by `~`.
pub fn issue(
    certificate: &Certificate,
    binding: &Binding<'_>,
    (keys, base): (&CredentialKeys, &str),
) -> Result<String, ApiError> {
    let (claims, disclosures) = claims(certificate, binding, base)?;
    let (key, kid) = keys.es256_signer(base);
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some(SD_JWT_TYPE.to_owned());
    header.kid = Some(kid);
    let jwt =
        jsonwebtoken::encode(&header, &claims, key).map_err(|error| ApiError::internal(error.to_string()))?;
    let mut compact = jwt;
    compact.push('~');
    for disclosure in disclosures.0 {
        compact.push_str(&disclosure);
        compact.push('~');
    }
    Ok(compact)
}
