//! What a wallet and a verifier read before anything else: the credential issuer metadata
//! (OID4VCI 1.0 section 12.2), the authorization server metadata (RFC 8414), the JWT VC issuer
//! metadata of an issuing organisation (SD-JWT VC section 5) and the type metadata the SD-JWT VC's
//! `vct` names (SD-JWT VC section 6). All in Finnish, Swedish and English.

use serde_json::{json, Value};

use super::{credential_endpoint, model::CredentialConfiguration, PRE_AUTHORIZED_GRANT};
use crate::{
    auth::Scope,
    issuers::{issuer_url, keys::CredentialKeys},
};

/// A claim of the SD-JWT VC: its name, whether it is selectively disclosable (for an array, each
/// element is), whether it is an array, and its label in fi, sv and en.
struct Claim {
    name: &'static str,
    disclosable: bool,
    array: bool,
    labels: [&'static str; 3],
}

const fn claim(name: &'static str, disclosable: bool, labels: [&'static str; 3]) -> Claim {
    Claim {
        name,
        disclosable,
        array: false,
        labels,
    }
}

const fn elements(name: &'static str, labels: [&'static str; 3]) -> Claim {
    Claim {
        name,
        disclosable: true,
        array: true,
        labels,
    }
}

const LOCALES: [&str; 3] = ["fi", "sv", "en"];

const CLAIMS: &[Claim] = &[
    claim("given_name", true, ["Etunimet", "Förnamn", "Given names"]),
    claim("family_name", true, ["Sukunimi", "Efternamn", "Family name"]),
    claim(
        "birthdate",
        true,
        ["Syntymäaika", "Födelsedatum", "Date of birth"],
    ),
    claim("title", false, ["Todistus", "Intyg", "Certificate"]),
    claim(
        "issuing_organisation",
        false,
        ["Myöntäjä", "Utfärdare", "Issued by"],
    ),
    claim("start_date", false, ["Alkoi", "Började", "Started"]),
    claim("end_date", false, ["Päättyi", "Slutade", "Ended"]),
    claim("hours", false, ["Tunnit", "Timmar", "Hours"]),
    claim(
        "learning_environments",
        false,
        ["Oppimisympäristöt", "Lärmiljöer", "Learning environments"],
    ),
    elements("units", ["Tutkinnon osat", "Examensdelar", "Qualification units"]),
    elements(
        "other_competences",
        ["Muu osaaminen", "Annan kompetens", "Other competences"],
    ),
    claim(
        "verification_url",
        true,
        ["Tarkistusosoite", "Verifieringsadress", "Verification address"],
    ),
];

const NAMES: [&str; 3] = ["Osaamistodistus", "Kompetensintyg", "Certificate of competence"];
const DESCRIPTIONS: [&str; 3] = [
    "Oikeassa työssä työpajassa tai muussa oppimisympäristössä osoitettu osaaminen, tutkinnon osittain.",
    "Kompetens som visats i riktigt arbete i en verkstad eller annan lärmiljö, per examensdel.",
    "Competence shown in real work at a workshop or another learning environment, by qualification unit.",
];
const REGISTRY: [&str; 3] = [
    "Opinnollistamisen rekisteri",
    "Registret över erkännande av lärande",
    "Registry of work-based learning",
];

fn localized(words: [&str; 3], key: &str) -> Vec<Value> {
    LOCALES
        .iter()
        .zip(words)
        .map(|(locale, word)| json!({"locale": locale, key: word}))
        .collect()
}

fn display() -> Vec<Value> {
    LOCALES
        .iter()
        .zip(NAMES.iter().zip(DESCRIPTIONS))
        .map(|(locale, (name, description))| json!({"locale": locale, "name": name, "description": description}))
        .collect()
}

fn claims(key: &str) -> Vec<Value> {
    CLAIMS
        .iter()
        .map(|claim| {
            // An array's elements are what is disclosed one by one: `null` selects every element.
            let path = if claim.array {
                json!([claim.name, null])
            } else {
                json!([claim.name])
            };
            let mut described = json!({"path": path, "display": localized(claim.labels, key)});
            if key == "label" {
                described["sd"] = json!(if claim.disclosable { "always" } else { "never" });
            }
            described
        })
        .collect()
}

/// The credential issuer metadata: one configuration per format.
pub fn credential_issuer(base: &str, keys: &CredentialKeys) -> Value {
    let (algorithm, _) = keys.jwt_signer(base);
    let proofs = json!({"jwt": {"proof_signing_alg_values_supported": ["ES256", "EdDSA"]}});
    let metadata = json!({"display": display(), "claims": claims("name")});
    let mut configurations = serde_json::Map::new();
    for configuration in CredentialConfiguration::ALL {
        let described = match configuration {
            CredentialConfiguration::OpenBadge => json!({
                "format": "jwt_vc_json",
                "cryptographic_binding_methods_supported": ["did:jwk"],
                "credential_signing_alg_values_supported": [format!("{algorithm:?}")],
                "proof_types_supported": proofs,
                "credential_definition": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
                "credential_metadata": {"display": display()},
            }),
            CredentialConfiguration::SdJwt => json!({
                "format": super::sd_jwt::SD_JWT_TYPE,
                "vct": super::vct(base),
                "cryptographic_binding_methods_supported": ["jwk"],
                "credential_signing_alg_values_supported": ["ES256"],
                "proof_types_supported": proofs,
                "credential_metadata": metadata,
            }),
        };
        configurations.insert(configuration.as_str().to_owned(), described);
    }
    json!({
        "credential_issuer": base,
        "authorization_servers": [base],
        "credential_endpoint": credential_endpoint(base),
        "nonce_endpoint": format!("{base}/oid4vci/nonce"),
        "display": localized(REGISTRY, "name"),
        "credential_configurations_supported": configurations,
    })
}

/// The authorization server metadata: the token endpoint serves both API clients (client
/// credentials) and wallets (pre-authorized codes, without client authentication).
pub fn authorization_server(base: &str) -> Value {
    json!({
        "issuer": base,
        "token_endpoint": format!("{base}/oauth/token"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "grant_types_supported": ["client_credentials", PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "pre-authorized_grant_anonymous_access_supported": true,
        "response_types_supported": [],
        "scopes_supported": Scope::ALL.iter().map(|scope| scope.as_str()).collect::<Vec<_>>(),
        "service_documentation": format!("{base}/docs"),
    })
}

/// An issuing organisation's JWT VC issuer metadata: the key its SD-JWT VCs are signed with.
pub fn jwt_vc_issuer(base: &str, organisation: &str, keys: &CredentialKeys) -> Value {
    json!({
        "issuer": issuer_url(base, organisation),
        "jwks": {"keys": [keys.es256_jwk(base)]},
    })
}

/// The type metadata of the SD-JWT VC's `vct`.
pub fn credential_type(base: &str) -> Value {
    json!({
        "vct": super::vct(base),
        "name": NAMES[2],
        "description": DESCRIPTIONS[2],
        "display": display(),
        "claims": claims("label"),
    })
}
