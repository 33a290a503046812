//! An organisation as an Open Badges 3.0 issuer `Profile`, which is also the controller document
//! of the keys that sign on its behalf.

use serde::Serialize;
use utoipa::ToSchema;

use super::{data_integrity, issuer_url, keys::CredentialKeys};
use crate::organisations::model::OrganisationRow;

const CONTEXTS: [&str; 3] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://w3id.org/security/multikey/v1",
];

/// The profile's JSON-LD context: the VC and OB contexts for the Profile, the Multikey context,
/// and the terms of a controller document that neither defines (`assertionMethod`, `JsonWebKey`,
/// `publicKeyJwk`), with the IRIs W3C's Controlled Identifiers vocabulary gives them, so that
/// JSON-LD processors in safe mode (as Data Integrity verifiers run them) keep every member.
pub fn profile_context() -> Vec<serde_json::Value> {
    let security = "https://w3id.org/security#";
    let mut context: Vec<serde_json::Value> = CONTEXTS.iter().map(|url| serde_json::json!(url)).collect();
    context.push(serde_json::json!({
        "assertionMethod": {"@id": format!("{security}assertionMethod"), "@type": "@id", "@container": "@set"},
        "JsonWebKey": {
            "@id": format!("{security}JsonWebKey"),
            "@context": {
                "@protected": true,
                "id": "@id",
                "type": "@type",
                "controller": {"@id": format!("{security}controller"), "@type": "@id"},
                "publicKeyJwk": {"@id": format!("{security}publicKeyJwk"), "@type": "@json"},
            },
        },
    }));
    context
}

/// An issuer: the organisation that issues certificates, as Open Badges 3.0 describes one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://w3id.org/security/multikey/v1",
        {"assertionMethod": {"@id": "https://w3id.org/security#assertionMethod", "@type": "@id", "@container": "@set"},
         "JsonWebKey": {"@id": "https://w3id.org/security#JsonWebKey", "@context": {"@protected": true, "id": "@id", "type": "@type",
            "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
            "publicKeyJwk": {"@id": "https://w3id.org/security#publicKeyJwk", "@type": "@json"}}}}],
    "id": "https://registry.example/v1/issuers/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "type": ["Profile"],
    "name": "Rauman nuorten työpaja",
    "url": "https://paja.rauma.example",
    "email": "paja@rauma.example",
    "otherIdentifier": [{"type": "IdentifierEntry", "identifier": "1234567-1", "identifierType": "ext:BusinessId"}],
    "assertionMethod": [
        {"id": "https://registry.example/v1/credential-keys/NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", "type": "JsonWebKey",
         "controller": "https://registry.example/v1/issuers/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
         "publicKeyJwk": {"kty": "RSA", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", "e": "AQAB", "alg": "RS256", "use": "sig", "kid": "https://registry.example/v1/credential-keys/NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"}},
        {"id": "https://registry.example/v1/issuers/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50#kZ0bF2yKp2O0QfK4c2y7sKcVZ7nV6Jb3f0m6q2wM0yI", "type": "Multikey",
         "controller": "https://registry.example/v1/issuers/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
         "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}
    ]
}))]
pub struct IssuerProfile {
    /// Context URLs, and the controller-document terms as an inline context.
    #[serde(rename = "@context")]
    pub context: Vec<serde_json::Value>,
    /// This document's URL: the `issuer.id` of the organisation's credentials.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Vec<&'static str>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The Finnish business id (Y-tunnus) and the Opetushallitus organisation OID, where known.
    #[serde(rename = "otherIdentifier")]
    pub other_identifier: Vec<IdentifierEntry>,
    /// The keys that sign the organisation's credentials and status lists on its behalf: JWKs for
    /// VC-JWTs (their `kid`), Multikeys for Data Integrity proofs.
    #[serde(rename = "assertionMethod")]
    pub assertion_method: Vec<VerificationMethod>,
}

/// An identifier of the organisation in another register.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"type": "IdentifierEntry", "identifier": "1234567-1", "identifierType": "ext:BusinessId"}))]
pub struct IdentifierEntry {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub identifier: String,
    #[serde(rename = "identifierType")]
    pub identifier_type: &'static str,
}

/// A key that verifies what is signed on the issuer's behalf.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "https://registry.example/v1/issuers/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50#kZ0bF2yKp2O0QfK4c2y7sKcVZ7nV6Jb3f0m6q2wM0yI", "type": "Multikey",
    "controller": "https://registry.example/v1/issuers/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}))]
pub struct VerificationMethod {
    pub id: String,
    /// `JsonWebKey` or `Multikey`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub controller: String,
    #[serde(rename = "publicKeyJwk", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub public_key_jwk: Option<serde_json::Value>,
    #[serde(rename = "publicKeyMultibase", skip_serializing_if = "Option::is_none")]
    pub public_key_multibase: Option<String>,
}

/// The id of the Multikey that signs Data Integrity proofs for an issuer.
pub fn proof_method_id(base: &str, organisation_id: &str, keys: &CredentialKeys) -> String {
    format!(
        "{}#{}",
        issuer_url(base, organisation_id),
        keys.proof_thumbprint()
    )
}

pub fn profile(base: &str, organisation: &OrganisationRow, keys: &CredentialKeys) -> IssuerProfile {
    let id = issuer_url(base, &organisation.id);
    let mut assertion_method: Vec<VerificationMethod> = keys
        .published()
        .iter()
        .map(|key| {
            let jwk = key.jwk(base);
            VerificationMethod {
                id: jwk["kid"].as_str().unwrap_or_default().to_owned(),
                kind: "JsonWebKey",
                controller: id.clone(),
                public_key_jwk: Some(jwk),
                public_key_multibase: None,
            }
        })
        .collect();
    assertion_method.push(VerificationMethod {
        id: proof_method_id(base, &organisation.id, keys),
        kind: "Multikey",
        controller: id.clone(),
        public_key_jwk: None,
        public_key_multibase: Some(data_integrity::multikey(&keys.proof_signer().verifying_key())),
    });
    let other_identifier = [
        (organisation.business_id.as_ref(), "ext:BusinessId"),
        (organisation.oph_oid.as_ref(), "ext:OphOrganisationOid"),
    ]
    .into_iter()
    .filter_map(|(value, identifier_type)| {
        value.map(|value| IdentifierEntry {
            kind: "IdentifierEntry",
            identifier: value.clone(),
            identifier_type,
        })
    })
    .collect();
    IssuerProfile {
        context: profile_context(),
        id,
        kind: vec!["Profile"],
        name: organisation.name_fi.clone(),
        url: organisation.website.clone(),
        email: organisation.email.clone(),
        phone: organisation.phone.clone(),
        other_identifier,
        assertion_method,
    }
}
