//! Verifying a VC-JWT the way Open Badges 3.0 orders it (section 9, "Verification and
//! Validation", and section 8.2.4 for the JWT proof): its form, the key its `kid` names, the
//! signature, the JWT claims against the credential, then — once it is known to be this
//! service's — its issuer, its dates and its status. Each step is reported, so an integrator
//! sees which one failed.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::signing::{registered_claims, seconds};
use crate::{auth::keys::KeySet, issuers::keys::CredentialKeys};

crate::text_enum! {
    /// A step of verification, in the order they are made.
    #[serde(rename_all = "snake_case")]
    pub enum CheckName {
        /// A compact JWS whose JOSE header holds only `alg`, `kid` or `jwk`, and `typ` = `JWT`,
        /// and whose payload is an `OpenBadgeCredential` with a subject `id` or `identifier`.
        Format,
        /// The `kid` dereferences to a published key of this service, of the header's `alg`.
        Key,
        /// The signature verifies with that key.
        Signature,
        /// `iss`, `jti`, `nbf`, `sub` (and `exp`) are present and equal the credential's fields.
        Claims,
        /// The issuer is an organisation of this registry, and the certificate is its.
        Issuer,
        /// `validFrom` has passed and `validUntil`, if any, has not.
        Dates,
        /// The certificate has been neither revoked nor superseded.
        Status,
    }
}

/// One step of verification and what it found.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"check": "signature", "passed": true, "detail": "RS256 signature verified with https://registry.example/v1/credential-keys/NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"}))]
pub struct VerificationCheck {
    pub check: CheckName,
    pub passed: bool,
    pub detail: String,
}

/// What the checks so far found, and the credential once its signature verified.
#[derive(Default)]
pub struct Report {
    pub checks: Vec<VerificationCheck>,
    pub credential: Option<Value>,
}

impl Report {
    fn record(&mut self, check: CheckName, outcome: Result<String, String>) -> bool {
        let passed = outcome.is_ok();
        let detail = outcome.unwrap_or_else(|reason| reason);
        self.checks.push(VerificationCheck {
            check,
            passed,
            detail,
        });
        passed
    }

    /// Records a step's outcome, described by `found` when it passed.
    fn step<T>(
        &mut self,
        check: CheckName,
        outcome: Result<T, String>,
        found: impl FnOnce(&T) -> String,
    ) -> Result<T, ()> {
        let detail = outcome.as_ref().map(found).map_err(Clone::clone);
        self.record(check, detail);
        outcome.map_err(drop)
    }

    pub fn pass(&mut self, check: CheckName, detail: impl Into<String>) {
        self.record(check, Ok(detail.into()));
    }

    pub fn fail(&mut self, check: CheckName, detail: impl Into<String>) {
        self.record(check, Err(detail.into()));
    }

    /// The first failed step's finding.
    pub fn reason(&self) -> Option<String> {
        self.checks
            .iter()
            .find(|check| !check.passed)
            .map(|check| check.detail.clone())
    }
}

const HEADER_MEMBERS: [&str; 4] = ["alg", "kid", "jwk", "typ"];

/// A JWS segment decoded: base64url-encoded JSON, when it is an object.
pub fn decode_json(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?.as_object().cloned()
}

/// The JOSE header of a compact JWS whose payload is an OB credential, and the legacy flag:
/// credentials signed before section 8.2 was followed (`typ: vc+jwt`, `cty`, a bare `kid` of the
/// access-token key).
fn format(jwt: &str) -> Result<(Map<String, Value>, bool), String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, payload, _] = parts[..] else {
        return Err("not a compact JWS: it must have three parts separated by dots".into());
    };
    let header = decode_json(header).ok_or("the JOSE header is not base64url-encoded JSON")?;
    let payload = decode_json(payload).ok_or("the payload is not base64url-encoded JSON")?;
    let legacy = header.get("typ").and_then(Value::as_str) == Some("vc+jwt");
    if !legacy {
        if let Some(extra) = header
            .keys()
            .find(|name| !HEADER_MEMBERS.contains(&name.as_str()))
        {
            return Err(format!(
                "the JOSE header has \"{extra}\": only alg, kid, jwk and typ are allowed"
            ));
        }
        if header.get("typ").is_some_and(|typ| typ != "JWT") {
            return Err("the JOSE header's typ must be \"JWT\"".into());
        }
        if !header.contains_key("kid") && !header.contains_key("jwk") {
            return Err("the JOSE header names no key: it needs kid or jwk".into());
        }
    }
    let types = payload.get("type").and_then(Value::as_array);
    if !types.is_some_and(|types| {
        types
            .iter()
            .any(|t| t == "OpenBadgeCredential" || t == "AchievementCredential")
    }) {
        return Err("the payload is not an OpenBadgeCredential".into());
    }
    let subject = payload.get("credentialSubject");
    if !subject.is_some_and(|subject| subject.get("id").is_some() || subject.get("identifier").is_some()) {
        return Err("the credential subject has neither id nor identifier".into());
    }
    Ok((header, legacy))
}

/// The key that must have signed: a published credential key named by `kid`, or, for a legacy
/// credential, the access-token key it was signed with.
fn key<'a>(
    header: &Map<String, Value>,
    legacy: bool,
    (keys, token_keys, base): (&'a CredentialKeys, &'a KeySet, &str),
) -> Result<(&'a DecodingKey, Algorithm, String), String> {
    let kid = header.get("kid").and_then(Value::as_str);
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if legacy {
        let verifier = token_keys
            .verifier(kid)
            .filter(|verifier| verifier.own)
            .ok_or("not signed with a key of this service")?;
        return Ok((
            &verifier.key,
            Algorithm::EdDSA,
            format!("the service's earlier key {}", kid.unwrap_or_default()),
        ));
    }
    let kid = kid.ok_or("the credential embeds its key (jwk) instead of naming one of this service's")?;
    let key = keys
        .by_kid(base, kid)
        .ok_or_else(|| format!("{kid} is not a key of this service"))?;
    let algorithm = match alg {
        "RS256" => Algorithm::RS256,
        "EdDSA" => Algorithm::EdDSA,
        other => return Err(format!("alg \"{other}\" is not one this service signs with")),
    };
    if algorithm != key.algorithm {
        return Err(format!("alg \"{alg}\" does not match the key {kid}"));
    }
    Ok((&key.decoding, algorithm, kid.to_owned()))
}

fn signature(jwt: &str, key: &DecodingKey, algorithm: Algorithm) -> Result<Value, String> {
    let mut validation = Validation::new(algorithm);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(jwt, key, &validation)
        .map(|data| data.claims)
        .map_err(|_| {
            "the signature does not match: the credential was changed or signed by another key".into()
        })
}

/// Section 8.2.4: `iss`, `jti`, `sub` and `nbf` present, and each claim equal to what the
/// credential's fields give (`exp` to `validUntil`, when either is there).
fn claims(credential: &Value) -> Result<String, String> {
    let expected = registered_claims(credential);
    let expected = |claim: &str| {
        expected
            .iter()
            .find(|(name, _)| *name == claim)
            .map(|(_, value)| value)
    };
    let fields = [
        ("iss", "issuer.id"),
        ("jti", "id"),
        ("sub", "credentialSubject.id"),
        ("nbf", "validFrom"),
    ];
    for (claim, field) in fields {
        match credential.get(claim) {
            None => return Err(format!("the claim {claim} is missing")),
            Some(value) if Some(value) != expected(claim) => {
                return Err(format!("the claim {claim} does not equal {field}"))
            }
            Some(_) => {}
        }
    }
    if credential.get("exp") != expected("exp") {
        return Err("the claim exp does not equal validUntil".into());
    }
    Ok("iss, jti, sub and nbf equal issuer.id, id, credentialSubject.id and validFrom".into())
}

/// The form, key, signature and claim checks; the credential comes back when its signature
/// verified.
pub fn verify_proof(jwt: &str, keys: &CredentialKeys, token_keys: &KeySet, base: &str) -> Report {
    let mut report = Report::default();
    report.credential = proof_steps(&mut report, jwt, (keys, token_keys, base)).ok();
    report
}

/// Each step in turn, recorded; the first that fails ends it.
fn proof_steps(report: &mut Report, jwt: &str, keys: (&CredentialKeys, &KeySet, &str)) -> Result<Value, ()> {
    let (header, legacy) = report.step(CheckName::Format, format(jwt), |(_, legacy)| {
        if *legacy {
            "a compact JWS of an OpenBadgeCredential, signed before the registry followed OB 3.0 section 8.2"
                .into()
        } else {
            "a compact JWS of an OpenBadgeCredential with an OB 3.0 section 8.2 JOSE header".into()
        }
    })?;
    let (decoding, algorithm, named) =
        report.step(CheckName::Key, key(&header, legacy, keys), |(_, _, named)| {
            format!("{named} is a key of this service")
        })?;
    let credential = report.step(CheckName::Signature, signature(jwt, decoding, algorithm), |_| {
        format!("{algorithm:?} signature verified with {named}")
    })?;
    if !legacy && !report.record(CheckName::Claims, claims(&credential)) {
        return Err(());
    }
    Ok(credential)
}

/// `validFrom` has passed and `validUntil`, if any, has not.
pub fn dates(credential: &Value, now: DateTime<Utc>) -> Result<String, String> {
    let now = now.timestamp();
    match (
        seconds(credential, "validFrom"),
        seconds(credential, "validUntil"),
    ) {
        (None, _) => Err("validFrom is missing or not a date-time".into()),
        (Some(from), _) if from > now => Err("not valid yet: validFrom is in the future".into()),
        (_, Some(until)) if until <= now => Err("expired: validUntil has passed".into()),
        (_, Some(_)) => Ok("valid now: validFrom has passed and validUntil has not".into()),
        (Some(_), None) => Ok("valid now: validFrom has passed, and it does not expire".into()),
    }
}
