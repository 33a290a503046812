//! Signed credentials as verifiers outside the registry see them: Open Badges 3.0 VC-JWTs
//! (section 8.2) that validate against 1EdTech's JSON Schema, a resolvable issuer and keys, a
//! holder who is a random id and a salted hash, status lists in the issuer's name, key rotation,
//! and verification that reports each check.

use awc::http::StatusCode;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{
    backend_tests,
    certificates::{
        certificate_body, decode_part, draft, issue, issued_from, parties, revoke, Parties, HETU,
    },
    helpers::{shared_rsa_key, spawn_app_with, Backend, TestApp},
};

/// The path of one of the service's URLs.
fn path_of(url: &str) -> String {
    url.split_once("/v1/")
        .map(|(_, rest)| format!("/v1/{rest}"))
        .unwrap_or_else(|| panic!("{url} is not a URL of the service"))
}

/// Verifies a VC-JWT as an outside verifier would: the key from the URL its `kid` names.
pub async fn verified_payload(app: &TestApp, jwt: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).expect("header");
    let kid = header.kid.expect("a kid");
    let jwk = app.get(&path_of(&kid)).await;
    assert_eq!(jwk.status, StatusCode::OK, "{}", jwk.text);
    assert_eq!(jwk.body["kid"], kid.as_str());
    assert!(jwk.body.get("d").is_none(), "never a private key");
    let key = match jwk.body["kty"].as_str() {
        Some("RSA") => DecodingKey::from_rsa_components(
            jwk.body["n"].as_str().expect("n"),
            jwk.body["e"].as_str().expect("e"),
        ),
        _ => DecodingKey::from_ed_components(jwk.body["x"].as_str().expect("x")),
    }
    .expect("a key");
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .expect("the signature verifies")
        .claims
}

async fn credential_of(app: &TestApp, parties: &Parties, id: &str) -> String {
    let reply = app
        .get_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/credential"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.text
}

async fn issued_credential(app: &TestApp, parties: &Parties) -> (String, String) {
    let id = draft(app, parties).await;
    issue(app, &parties.workshop, &id).await;
    let jwt = credential_of(app, parties, &id).await;
    (id, jwt)
}

/// What 1EdTech's OB 3.0 JSON Schema finds wrong with a credential.
fn schema_errors(credential: &Value) -> Vec<String> {
    errors_against(open_badges_schema(), credential)
}

fn open_badges_schema() -> Value {
    serde_json::from_str(include_str!(
        "../fixtures/ob_v3p0/ob_v3p0_achievementcredential_schema.json"
    ))
    .expect("the schema is JSON")
}

fn errors_against(schema: Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft201909)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

fn validate_against_open_badges_schema(credential: &Value) {
    let errors = schema_errors(credential);
    assert!(errors.is_empty(), "{errors:#?}");
}

async fn verify(app: &TestApp, jwt: &str) -> Value {
    let reply = app
        .post_json_as(None, "/v1/verify", &json!({"credential": jwt}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body
}

fn check_names(verification: &Value) -> Vec<(String, bool)> {
    verification["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|check| {
            (
                check["check"].as_str().expect("a name").to_owned(),
                check["passed"].as_bool().expect("passed"),
            )
        })
        .collect()
}

async fn credentials_follow_the_open_badges_jwt_proof_format(app: TestApp) {
    let parties = parties(&app).await;
    let (id, jwt) = issued_credential(&app, &parties).await;

    // Section 8.2: the JOSE header holds alg (RS256), a kid that is a URL, and typ JWT — nothing else.
    let header = decode_part(&jwt, 0);
    let members: Vec<&String> = header.as_object().expect("an object").keys().collect();
    assert_eq!(members.len(), 3, "{header}");
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    let kid = header["kid"].as_str().expect("kid");
    assert!(
        kid.starts_with(&app.address) && kid.contains("/v1/credential-keys/"),
        "{kid}"
    );
    let credential = verified_payload(&app, &jwt).await;

    // The claims equal the credential's fields.
    let issuer = credential["issuer"]["id"].as_str().expect("issuer.id");
    assert_eq!(
        issuer,
        format!("{}/v1/issuers/{}", app.address, parties.cast.workshop)
    );
    assert_eq!(credential["iss"], issuer);
    assert_eq!(credential["jti"], format!("urn:uuid:{id}"));
    assert_eq!(credential["jti"], credential["id"]);
    assert_eq!(credential["sub"], credential["credentialSubject"]["id"]);
    let valid_from =
        chrono::DateTime::parse_from_rfc3339(credential["validFrom"].as_str().expect("validFrom"))
            .expect("a date-time");
    assert_eq!(credential["nbf"], valid_from.timestamp());
    assert!(credential.get("exp").is_none(), "certificates do not expire");

    // 1EdTech's JSON Schema accepts the credential (the claims are extra members it allows).
    validate_against_open_badges_schema(&credential);
    // The schema does refuse what breaks it.
    let mut broken = credential.clone();
    broken["credentialSubject"]["achievement"]["alignment"][0]["targetType"] = json!("Unit");
    broken.as_object_mut().expect("an object").remove("validFrom");
    assert_eq!(schema_errors(&broken).len(), 2, "{:?}", schema_errors(&broken));
    assert_eq!(
        credential["credentialSchema"][0]["type"],
        "1EdTechJsonSchemaValidator2019"
    );

    // The key is also in the credential key set.
    let set = app.get("/v1/credential-keys").await;
    assert_eq!(set.status, StatusCode::OK);
    assert!(set.body["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .any(|key| key["kid"] == kid));
    assert!(!set.text.contains("\"d\""), "no private parts");
}

async fn the_issuer_id_is_an_open_badges_profile(app: TestApp) {
    let parties = parties(&app).await;
    let (_, jwt) = issued_credential(&app, &parties).await;
    let credential = decode_part(&jwt, 1);
    let issuer = credential["issuer"]["id"].as_str().expect("issuer.id");
    for accept in ["application/ld+json", "application/json"] {
        let profile = app.get_accepting(None, &path_of(issuer), accept).await;
        assert_eq!(profile.status, StatusCode::OK, "{}", profile.text);
        assert_eq!(profile.header("content-type"), Some(accept));
        assert_eq!(profile.body["id"], issuer);
        assert_eq!(profile.body["type"], json!(["Profile"]));
        assert_eq!(profile.body["name"], "Rauman nuorten työpaja");
        // A Profile as the OB 3.0 schema defines one.
        let mut profile_schema = open_badges_schema();
        profile_schema["$ref"] = json!("#/$defs/Profile");
        for member in ["properties", "required", "additionalProperties", "type"] {
            profile_schema.as_object_mut().expect("an object").remove(member);
        }
        let errors = errors_against(profile_schema, &profile.body);
        assert!(errors.is_empty(), "{errors:#?}");
        assert!(profile.body["@context"]
            .as_array()
            .expect("a JSON-LD context")
            .contains(&json!(
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            )));
        // The key that signed is one of the issuer's assertion methods.
        let kid = decode_part(&jwt, 0)["kid"].clone();
        let methods = profile.body["assertionMethod"]
            .as_array()
            .expect("assertionMethod");
        assert!(methods.iter().any(|method| method["id"] == kid
            && method["controller"] == issuer
            && method["publicKeyJwk"]["kid"] == kid));
        assert!(methods.iter().any(|method| method["type"] == "Multikey"
            && method["publicKeyMultibase"]
                .as_str()
                .is_some_and(|key| key.starts_with("z6Mk"))));
    }
    app.get("/v1/issuers/0193a2b4-0000-7000-8000-000000000000")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/v1/credential-keys/not-a-key")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
}

async fn the_credential_says_everything_the_certificate_says_and_nothing_personal(app: TestApp) {
    let parties = parties(&app).await;
    let (id, jwt) = issued_credential(&app, &parties).await;
    let credential = verified_payload(&app, &jwt).await;
    let text = credential.to_string();
    for personal in [HETU, "2004-03-15", "Aino Maria", "Virtanen"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    let subject = &credential["credentialSubject"];
    let subject_id = subject["id"].as_str().expect("a subject id");
    assert!(
        subject_id.starts_with("urn:uuid:") && !subject_id.contains(&id),
        "{subject_id}"
    );
    // The name identifier is salted and hashed as OB 3.0 describes: sha256$hex(name + salt).
    let identifier = &subject["identifier"][0];
    assert_eq!(identifier["identityType"], "name");
    assert_eq!(identifier["hashed"], true);
    let salt = identifier["salt"].as_str().expect("a salt");
    let digest = Sha256::digest(format!("Aino Maria Virtanen{salt}").as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(identifier["identityHash"], format!("sha256${hex}"));

    // The period in Finnish time, to the end of the last day.
    assert_eq!(subject["activityStartDate"], "2026-02-01T00:00:00+02:00");
    assert_eq!(subject["activityEndDate"], "2026-10-31T23:59:59+02:00");
    // The unit by its code and qualification, with the skills shown and its hours.
    let achievement = &subject["achievement"];
    assert_eq!(achievement["inLanguage"], "fi");
    let alignment = &achievement["alignment"][0];
    assert_eq!(alignment["targetCode"], "SAMPLE-107");
    assert_eq!(alignment["targetName"], "Ruokapalveluissa avustaminen");
    assert!(alignment["targetFramework"]
        .as_str()
        .expect("framework")
        .contains("351204"));
    assert!(alignment["targetUrl"]
        .as_str()
        .expect("url")
        .ends_with("/v1/qualification-units/SAMPLE-107"));
    let unit = &achievement["resultDescription"][0];
    let skill = &unit["alignment"][1];
    assert_eq!(skill["targetName"], "Valmistaa lounaan annoskortin mukaan");
    assert_eq!(skill["targetCode"], "R1");
    let results = subject["result"].as_array().expect("results");
    let result_of = |description: &Value| {
        results
            .iter()
            .find(|result| result["resultDescription"] == *description)
            .cloned()
            .expect("a result")
    };
    assert_eq!(result_of(&unit["id"])["value"], "320");
    let descriptions = achievement["resultDescription"].as_array().expect("descriptions");
    let total = descriptions
        .iter()
        .find(|d| d["name"] == "Tunnit yhteensä")
        .expect("total hours");
    assert_eq!(result_of(&total["id"])["value"], "480");
    let other = descriptions
        .iter()
        .find(|d| {
            d["name"]
                .as_str()
                .is_some_and(|name| name.starts_with("Hygieniaosaamistodistus"))
        })
        .expect("the other competence");
    assert_eq!(result_of(&other["id"])["status"], "Completed");
    // The coach assessed it; the learning environment is the evidence.
    assert_eq!(subject["source"]["name"], "Maija Meikäläinen");
    assert_eq!(subject["source"]["description"], "työvalmentaja");
    assert!(credential["evidence"][0]["id"]
        .as_str()
        .expect("an environment")
        .ends_with(&format!("/v1/environments/{}", parties.environment)));
    validate_against_open_badges_schema(&credential);

    // The same holder gets the same subject id from the same issuer; another holder another.
    let (_, again) = issued_credential(&app, &parties).await;
    assert_eq!(decode_part(&again, 1)["credentialSubject"]["id"], subject_id);
    let mut body = certificate_body(&parties.environment);
    body["holder"]["hetu"] = json!("150304A1244");
    let other = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    let other_id = other.body["id"].as_str().expect("id").to_owned();
    issue(&app, &parties.workshop, &other_id).await;
    let other_jwt = credential_of(&app, &parties, &other_id).await;
    assert_ne!(decode_part(&other_jwt, 1)["credentialSubject"]["id"], subject_id);
}

/// Signs `payload` with the test run's RSA key under the service's `kid` for it.
fn resign(payload: &Value, kid: &str, pem: &[u8], typ: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    header.typ = Some(typ.to_owned());
    jsonwebtoken::encode(&header, payload, &EncodingKey::from_rsa_pem(pem).expect("key")).expect("signs")
}

async fn verification_reports_each_check_and_refuses_what_section_8_2_refuses(app: TestApp) {
    let parties = parties(&app).await;
    let (_, jwt) = issued_credential(&app, &parties).await;
    let genuine = verify(&app, &jwt).await;
    assert_eq!(genuine["genuine"], true, "{genuine}");
    assert_eq!(genuine["status"], "issued");
    let order: Vec<(String, bool)> = [
        "format",
        "key",
        "signature",
        "claims",
        "issuer",
        "dates",
        "status",
    ]
    .iter()
    .map(|name| ((*name).to_owned(), true))
    .collect();
    assert_eq!(check_names(&genuine), order);

    // A credential changed after signing fails at the signature.
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut changed = decode_part(&jwt, 1);
    changed["credentialSubject"]["achievement"]["name"] = json!("Ammattitutkinto");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(changed.to_string()),
        parts[2]
    );
    let tampered = verify(&app, &forged).await;
    assert_eq!(tampered["genuine"], false);
    assert_eq!(tampered["status"], Value::Null);
    assert_eq!(
        check_names(&tampered).last(),
        Some(&("signature".to_owned(), false))
    );

    // A header with more than section 8.2 allows fails at the form, before any key is used.
    let mut header = decode_part(&jwt, 0);
    header["cty"] = json!("vc");
    let extra = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        parts[1],
        parts[2]
    );
    let refused = verify(&app, &extra).await;
    assert_eq!(check_names(&refused), vec![("format".to_owned(), false)]);
    assert!(
        refused["reason"].as_str().expect("why").contains("cty"),
        "{refused}"
    );

    // Signed by the service's own key yet missing a claim, or with one that differs: refused.
    let kid = decode_part(&jwt, 0)["kid"].as_str().expect("kid").to_owned();
    let pem = std::fs::read(shared_rsa_key()).expect("the key");
    let payload = decode_part(&jwt, 1);
    for (claim, value) in [
        ("sub", Value::Null),
        ("iss", json!("https://elsewhere.example/issuer")),
    ] {
        let mut changed = payload.clone();
        match value {
            Value::Null => {
                changed.as_object_mut().expect("object").remove(claim);
            }
            other => changed[claim] = other,
        }
        let refused = verify(&app, &resign(&changed, &kid, &pem, "JWT")).await;
        assert_eq!(refused["genuine"], false, "{refused}");
        assert_eq!(check_names(&refused).last(), Some(&("claims".to_owned(), false)));
        assert!(
            refused["reason"].as_str().expect("why").contains(claim),
            "{refused}"
        );
    }
    let typed = verify(&app, &resign(&payload, &kid, &pem, "vc+ld+jwt")).await;
    assert_eq!(check_names(&typed), vec![("format".to_owned(), false)]);

    // A key that is not the service's fails at the key.
    let mut header = decode_part(&jwt, 0);
    header["kid"] = json!("https://elsewhere.example/keys/1");
    let foreign = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        parts[1],
        parts[2]
    );
    assert_eq!(
        check_names(&verify(&app, &foreign).await).last(),
        Some(&("key".to_owned(), false))
    );
    let garbage = verify(&app, "not a jwt").await;
    assert_eq!(check_names(&garbage), vec![("format".to_owned(), false)]);
}

/// Whether the bit at `index` is set in a status list credential's `encodedList`.
fn status_bit(list_credential: &Value, index: usize) -> bool {
    use std::io::Read;
    let encoded = list_credential["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encodedList");
    let compressed = URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').expect("multibase base64url"))
        .expect("base64url");
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut bits)
        .expect("GZIP");
    assert!(bits.len() >= 16 * 1024, "at least 131,072 bits");
    bits[index / 8] & (0x80 >> (index % 8)) != 0
}

async fn revocation_is_published_in_the_issuers_status_list(app: TestApp) {
    let parties = parties(&app).await;
    let mut entries = Vec::new();
    for _ in 0..3 {
        let (id, jwt) = issued_credential(&app, &parties).await;
        let credential = verified_payload(&app, &jwt).await;
        let status = credential["credentialStatus"].clone();
        assert_eq!(status["type"], "BitstringStatusListEntry");
        assert_eq!(status["statusPurpose"], "revocation");
        let index: usize = status["statusListIndex"]
            .as_str()
            .expect("a string")
            .parse()
            .expect("a number");
        let list = status["statusListCredential"].as_str().expect("list").to_owned();
        assert!(
            list.starts_with(credential["issuer"]["id"].as_str().expect("issuer")),
            "{list}"
        );
        assert_eq!(status["id"], format!("{list}#{index}"));
        entries.push((id, list, index, credential["issuer"]["id"].clone()));
    }
    let indices: std::collections::HashSet<usize> = entries.iter().map(|entry| entry.2).collect();
    assert_eq!(indices.len(), 3, "every certificate has a bit of its own");

    let (revoked, list, revoked_index, issuer) = entries[0].clone();
    let path = path_of(&list);
    let before = app.get_accepting(None, &path, "application/vc+jwt").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    // Signed once until a certificate event changes what it may show: the same answer again.
    let again = app.get_accepting(None, &path, "application/vc+jwt").await;
    assert_eq!(again.text, before.text);
    assert_eq!(before.header("content-type"), Some("application/vc+jwt"));
    let before = verified_payload(&app, &before.text).await;
    assert_eq!(before["id"], list.as_str());
    assert_eq!(
        before["issuer"]["id"], issuer,
        "the list's issuer is the credential's"
    );
    assert_eq!(
        before["type"],
        json!(["VerifiableCredential", "BitstringStatusListCredential"])
    );
    assert!(entries.iter().all(|entry| !status_bit(&before, entry.2)));

    revoke(&app, &parties, &revoked).await;
    let corrected = entries[1].0.clone();
    let successor = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{corrected}/supersede"),
            &Value::Null,
        )
        .await;
    assert_eq!(successor.status, StatusCode::CREATED, "{}", successor.text);
    issue(
        &app,
        &parties.workshop,
        successor.body["id"].as_str().expect("id"),
    )
    .await;

    let after = verified_payload(
        &app,
        &app.get_accepting(None, &path, "application/vc+jwt").await.text,
    )
    .await;
    assert!(status_bit(&after, revoked_index), "revoked");
    assert!(status_bit(&after, entries[1].2), "superseded");
    assert!(!status_bit(&after, entries[2].2), "still valid");

    // As JSON-LD, the same list carries a Data Integrity proof by the issuer's Multikey.
    let json_ld = app.get_accepting(None, &path, "application/ld+json").await;
    assert_eq!(json_ld.status, StatusCode::OK, "{}", json_ld.text);
    assert_eq!(json_ld.header("content-type"), Some("application/ld+json"));
    let proof = &json_ld.body["proof"];
    assert_eq!(proof["type"], "DataIntegrityProof");
    assert_eq!(proof["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(proof["proofPurpose"], "assertionMethod");
    assert!(proof["verificationMethod"]
        .as_str()
        .expect("method")
        .starts_with(issuer.as_str().expect("issuer")));
    assert!(status_bit(&json_ld.body, revoked_index));
    let verification = verify(&app, &credential_of(&app, &parties, &revoked).await).await;
    assert_eq!(verification["genuine"], true);
    assert_eq!(
        check_names(&verification).last(),
        Some(&("status".to_owned(), false))
    );

    // Another issuer's list holds none of these bits; a list nobody has a bit in is not found.
    let other = path.replace(&parties.cast.workshop, &parties.cast.provider);
    app.get(&other)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/v1/status-lists/999")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    // The service's list of every bit, which earlier credentials name, still answers.
    let number = path.rsplit('/').next().expect("a number");
    let legacy = app.get(&format!("/v1/status-lists/{number}")).await;
    assert_eq!(legacy.status, StatusCode::OK, "{}", legacy.text);
    assert!(status_bit(
        &verified_payload(&app, &legacy.text).await,
        revoked_index
    ));
}

/// The index of a credential's bit and the path of its list.
async fn status_entry(app: &TestApp, parties: &Parties, id: &str) -> (usize, String) {
    let credential = verified_payload(app, &credential_of(app, parties, id).await).await;
    let status = &credential["credentialStatus"];
    let index = status["statusListIndex"]
        .as_str()
        .and_then(|index| index.parse().ok())
        .expect("a numeric index");
    (
        index,
        path_of(status["statusListCredential"].as_str().expect("list")),
    )
}

/// Issuing signs between two transactions. Issues of one draft at once issue it once; issues of
/// many drafts at once give each a bit of its own, the one its credential names.
async fn concurrent_issues_issue_each_draft_once_with_a_bit_of_its_own(app: TestApp) {
    let parties = parties(&app).await;
    let twice = draft(&app, &parties).await;
    let path = format!("/v1/certificates/{twice}/issue");
    let replies = futures_util::future::join_all(
        (0..4).map(|_| app.post_json_as(Some(&parties.workshop), &path, &Value::Null)),
    )
    .await;
    let issued = replies.iter().filter(|reply| reply.status == StatusCode::OK);
    assert_eq!(issued.count(), 1, "issued once");
    for refused in replies.iter().filter(|reply| reply.status != StatusCode::OK) {
        refused.assert_problem(StatusCode::CONFLICT, "conflict");
    }

    let mut drafts = Vec::new();
    for _ in 0..8 {
        drafts.push(draft(&app, &parties).await);
    }
    let issues = drafts.iter().map(|id| issue(&app, &parties.workshop, id));
    futures_util::future::join_all(issues).await;
    drafts.push(twice.clone());
    let mut entries = Vec::new();
    for id in &drafts {
        entries.push(status_entry(&app, &parties, id).await);
    }
    let indices: std::collections::HashSet<usize> = entries.iter().map(|entry| entry.0).collect();
    assert_eq!(
        indices.len(),
        drafts.len(),
        "every certificate has a bit of its own"
    );

    revoke(&app, &parties, &twice).await;
    let (revoked, list) = status_entry(&app, &parties, &twice).await;
    let list = verified_payload(
        &app,
        &app.get_accepting(None, &list, "application/vc+jwt").await.text,
    )
    .await;
    for (index, _) in &entries {
        assert_eq!(status_bit(&list, *index), *index == revoked, "bit {index}");
    }
}

/// A national unit is aligned by its national code, as KOSKI and eHOKS name it; its qualification
/// and unit read back with KOSKI's code references.
async fn national_units_are_aligned_by_their_national_code(app: TestApp) {
    crate::reference_data::import_eperusteet(&app).await;
    let parties = parties(&app).await;
    let mut body = certificate_body(&parties.environment);
    body["units"][0]["qualification"] = json!("361201");
    body["units"][0]["unit"] = json!("100754");
    let id = issued_from(&app, &parties, &body).await;
    let payload = verified_payload(&app, &credential_of(&app, &parties, &id).await).await;
    let alignment = &payload["credentialSubject"]["achievement"]["alignment"][0];
    assert_eq!(alignment["targetCode"], "tutkinnonosat_100754", "{payload}");

    let unit = app.get("/v1/qualification-units/100754").await;
    assert_eq!(
        unit.body["koodisto"],
        json!({"koodiarvo": "100754", "koodistoUri": "tutkinnonosat"})
    );
    let sample = app.get("/v1/qualification-units/SAMPLE-107").await;
    assert_eq!(
        sample.body["koodisto"],
        Value::Null,
        "a sample unit has no national code"
    );
    let qualification = app.get("/v1/qualifications/361201").await;
    assert_eq!(
        qualification.body["koodisto"],
        json!({"koodiarvo": "361201", "koodistoUri": "koulutus"})
    );
    let municipalities = app.get("/v1/municipalities?region=04&limit=1").await;
    let code = municipalities.body["items"][0]["code"].as_str().expect("a code");
    assert_eq!(
        municipalities.body["items"][0]["koodisto"],
        json!({"koodiarvo": code, "koodistoUri": "kunta"})
    );
    let regions = app.get("/v1/regions?limit=1").await;
    assert_eq!(regions.body["items"][0]["koodisto"]["koodistoUri"], "maakunta");
}

backend_tests!(
    national_units_are_aligned_by_their_national_code,
    credentials_follow_the_open_badges_jwt_proof_format,
    the_issuer_id_is_an_open_badges_profile,
    the_credential_says_everything_the_certificate_says_and_nothing_personal,
    verification_reports_each_check_and_refuses_what_section_8_2_refuses,
    revocation_is_published_in_the_issuers_status_list,
    concurrent_issues_issue_each_draft_once_with_a_bit_of_its_own,
);

/// After a rotation the new key signs, and what the old key signed still verifies.
#[actix_web::test]
async fn a_rotated_key_still_verifies_what_it_signed() {
    let old = tempfile::tempdir().expect("temporary directory");
    let old_key = old.path().join("old-rsa.pem");
    std::fs::write(
        &old_key,
        opinto_registry::issuers::keys::generate_rsa_pem().expect("a key"),
    )
    .expect("saved");
    let old_pem = std::fs::read(&old_key).expect("the key");
    let rotated = old_key.clone();
    let (app, environment) = spawn_app_with(Backend::Sqlite, move |config| {
        config.credentials.previous_key_files = vec![rotated];
    })
    .await
    .expect("the application");
    let parties = parties(&app).await;
    let (_, jwt) = issued_credential(&app, &parties).await;
    let current_kid = decode_part(&jwt, 0)["kid"].as_str().expect("kid").to_owned();
    let set = app.get("/v1/credential-keys").await;
    let kids: Vec<String> = set.body["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["kid"].as_str().expect("kid").to_owned())
        .collect();
    assert_eq!(
        kids.len(),
        4,
        "the RSA, Ed25519 and P-256 keys, and the earlier one: {kids:?}"
    );
    let mut old_kid = None;
    for kid in &kids {
        if *kid != current_kid && app.get(&path_of(kid)).await.body["kty"] == "RSA" {
            old_kid = Some(kid.clone());
        }
    }
    let old_kid = old_kid.expect("the earlier key is published");
    // A credential the earlier key signed (its payload as the service issued it).
    let signed_before = resign(&decode_part(&jwt, 1), &old_kid, &old_pem, "JWT");
    let verification = verify(&app, &signed_before).await;
    assert_eq!(verification["genuine"], true, "{verification}");
    verified_payload(&app, &signed_before).await;
    environment.shut_down().await;
}

/// EdDSA, by configuration, signs the same credential.
#[actix_web::test]
async fn eddsa_signs_when_configured() {
    let (app, environment) = spawn_app_with(Backend::Sqlite, |config| {
        config.credentials.algorithm = opinto_registry::config::CredentialAlgorithm::EdDsa;
    })
    .await
    .expect("the application");
    let parties = parties(&app).await;
    let (_, jwt) = issued_credential(&app, &parties).await;
    assert_eq!(decode_part(&jwt, 0)["alg"], "EdDSA");
    validate_against_open_badges_schema(&verified_payload(&app, &jwt).await);
    assert_eq!(verify(&app, &jwt).await["genuine"], true);
    environment.shut_down().await;
}

/// After a rotation, `keys resign-credentials` re-signs what the earlier key signed with the new
/// one: the same certificate, code, issue time and status bit, under the new `kid`; run again, it
/// finds nothing left.
async fn credentials_are_re_signed_with_the_current_key(app: TestApp) {
    use opinto_registry::{
        audit::Actor,
        certificates::{credential::Signer, protection::PersonalDataKey, resigning},
        config::CredentialKeyConfig,
        db::Db,
        issuers::keys::CredentialKeys,
    };
    let parties = parties(&app).await;
    let (id, before) = issued_credential(&app, &parties).await;

    // Generating a key and re-signing take seconds: off the thread that also serves the app, so
    // that its idle connections close on time instead of racing the next request.
    let (files_dir, database_url, address) = (
        app.files_dir().to_path_buf(),
        app.database_url.clone(),
        app.address.clone(),
    );
    let (signer, _files) = actix_web::rt::task::spawn_blocking(move || {
        let files = tempfile::tempdir().expect("directory");
        let mut rotated = CredentialKeyConfig::defaults(&files_dir);
        rotated.rsa_key_file = files.path().join("new-rsa.pem");
        rotated.previous_key_files = vec![shared_rsa_key().to_path_buf()];
        let keys = CredentialKeys::load(&rotated).expect("a new key is generated");
        let signer = Signer {
            keys: actix_web::web::Data::new(keys),
            public_url: address,
        };
        let personal = PersonalDataKey::load(&files_dir.join("personal-data-key")).expect("the key");
        let db = Db::connect(&database_url, 1).expect("database");
        let mut conn = db.get().expect("connection");
        let actor = Actor::command_line();
        assert_eq!(
            resigning::resign_stale(&mut conn, &actor, (&signer, &personal)).expect("re-signs"),
            1
        );
        assert_eq!(
            resigning::resign_stale(&mut conn, &actor, (&signer, &personal)).expect("again"),
            0
        );
        (signer, files)
    })
    .await
    .expect("the rotation ran");

    let after = credential_of(&app, &parties, &id).await;
    let kid = decode_part(&after, 0)["kid"].as_str().expect("kid").to_owned();
    assert_eq!(kid, signer.keys.jwt_signer(&app.address).1);
    assert_ne!(kid, decode_part(&before, 0)["kid"].as_str().expect("kid"));
    let (old, new) = (decode_part(&before, 1), decode_part(&after, 1));
    for same in ["id", "validFrom", "credentialStatus", "sub"] {
        assert_eq!(old[same], new[same], "{same}");
    }
    let public = signer.keys.by_kid(&app.address, &kid).expect("the new key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(&after, &public.decoding, &validation).expect("the new key signed it");
}

backend_tests!(credentials_are_re_signed_with_the_current_key);
