//! The committed contract must be what the code generates, and what the service serves.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{backend_tests, helpers::TestApp};

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_committed_document_is_current() {
    let generated = opinto_registry::openapi::document_json();
    if generated != COMMITTED {
        let diff: Vec<String> = generated
            .lines()
            .zip(COMMITTED.lines())
            .enumerate()
            .filter(|(_, (new, old))| new != old)
            .take(20)
            .map(|(line, (new, old))| format!("line {}:\n  committed: {old}\n  generated: {new}", line + 1))
            .collect();
        panic!(
            "openapi/openapi.json is out of date ({} lines committed, {} generated); regenerate it with\n\
             cargo run -- openapi > openapi/openapi.json\nfirst differences:\n{}",
            COMMITTED.lines().count(),
            generated.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn the_document_is_openapi_3_1_with_problem_responses() {
    let document: serde_json::Value = serde_json::from_str(COMMITTED).expect("valid JSON");
    assert!(document["openapi"].as_str().expect("version").starts_with("3.1"));
    let create = &document["paths"]["/v1/organisations"]["post"];
    for status in ["400", "409", "413", "415", "422", "500", "503"] {
        assert!(
            create["responses"][status].is_object(),
            "POST /v1/organisations documents {status}"
        );
    }
    let problem = &document["components"]["responses"]["Problem422"]["content"]["application/problem+json"];
    assert!(problem.is_object());
    let patch = &document["paths"]["/v1/organisations/{id}"]["patch"];
    let headers: Vec<&str> = patch["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter(|p| p["in"] == "header")
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(headers, vec!["If-Match"]);
    for status in ["401", "403", "412", "428"] {
        assert!(patch["responses"][status].is_object(), "PATCH documents {status}");
    }
    assert_eq!(
        patch["security"],
        serde_json::json!([{"oauth2": ["organisations:write"]}, {"bearer": []}]),
        "the flow, or a token pasted as it is"
    );
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let flow = &document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"];
    assert_eq!(flow["tokenUrl"], "/oauth/token");
    assert!(flow["scopes"]["audit:read"].is_string());
    let token = &document["paths"]["/oauth/token"]["post"];
    assert!(
        token.get("parameters").is_none(),
        "no Idempotency-Key on the token endpoint"
    );
    assert!(token["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object());
}

/// What linters and generators read: public operations say they need no token, optional ones
/// that a token is welcome, every operation says who may call it, pages name their items' schema,
/// and each shared problem shows an example of its own status.
#[test]
fn the_document_says_who_may_call_and_names_what_it_repeats() {
    let document: Value = serde_json::from_str(COMMITTED).expect("valid JSON");
    let paths = &document["paths"];
    assert_eq!(paths["/v1/regions"]["get"]["security"], json!([]));
    assert_eq!(
        paths["/v1/agreements"]["get"]["security"],
        json!([{}, {"oauth2": ["agreements:read"]}, {"bearer": []}])
    );
    for (path, item) in paths.as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let description = operation["description"].as_str().unwrap_or_default();
            assert!(
                description.contains("**Access:**"),
                "{method} {path}: {description}"
            );
            let summary = operation["summary"].as_str().expect("a summary");
            assert!(!summary.contains(['\n', '`', '*']), "plain, one line: {summary}");
        }
    }
    let schemas = document["components"]["schemas"].as_object().expect("schemas");
    for (name, schema) in schemas.iter().filter(|(name, _)| name.starts_with("Page_")) {
        let item = name.trim_start_matches("Page_");
        assert_eq!(
            schema["properties"]["items"]["items"]["$ref"],
            format!("#/components/schemas/{item}"),
            "{name}"
        );
        assert!(schemas.contains_key(item), "{item}");
    }
    let responses = document["components"]["responses"]
        .as_object()
        .expect("responses");
    for (name, response) in responses {
        let example = &response["content"]["application/problem+json"]["example"];
        assert_eq!(
            example["status"].to_string(),
            name.trim_start_matches("Problem"),
            "{name} shows its own status"
        );
    }
    assert!(responses["Problem401"]["headers"]["WWW-Authenticate"].is_object());
    assert!(responses["Problem429"]["headers"]["Retry-After"].is_object());
}

#[test]
fn every_schema_has_an_example() {
    let document: serde_json::Value = serde_json::from_str(COMMITTED).expect("valid JSON");
    let schemas = document["components"]["schemas"].as_object().expect("schemas");
    let missing: Vec<&String> = schemas
        .iter()
        .filter(|(name, schema)| {
            // Enumerations list their values; pages are generic wrappers of schemas that have examples.
            let self_describing =
                schema.get("enum").is_some() || schema.get("oneOf").is_some() || name.starts_with("Page_");
            !self_describing && schema.get("example").is_none() && schema.get("examples").is_none()
        })
        .map(|(name, _)| name)
        .collect();
    assert!(missing.is_empty(), "schemas without an example: {missing:?}");
}

/// The names the document gives an enumeration's values, and the names serde reads and writes.
fn documented_and_spoken<T: serde::Serialize>(schema: &str, all: &[T]) -> (Vec<String>, Vec<String>) {
    let document: serde_json::Value =
        serde_json::from_str(&opinto_registry::openapi::document_json()).expect("the document is JSON");
    let documented = document["components"]["schemas"][schema]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema} is an enumeration"))
        .iter()
        .map(|value| value.as_str().expect("a name").to_owned())
        .collect();
    let spoken = all
        .iter()
        .map(|value| {
            serde_json::to_value(value)
                .expect("serializes")
                .as_str()
                .expect("a name")
                .to_owned()
        })
        .collect();
    (documented, spoken)
}

#[test]
fn enumerations_are_documented_by_the_names_the_service_speaks() {
    use opinto_registry::participations::dto::{
        AgeBand, EducationLevel, Gender, ImmigrantBackground, NextStep, UnemploymentDuration,
    };
    let pairs = [
        documented_and_spoken("Gender", Gender::ALL),
        documented_and_spoken("AgeBand", AgeBand::ALL),
        documented_and_spoken("UnemploymentDuration", UnemploymentDuration::ALL),
        documented_and_spoken("EducationLevel", EducationLevel::ALL),
        documented_and_spoken("ImmigrantBackground", ImmigrantBackground::ALL),
        documented_and_spoken("NextStep", NextStep::ALL),
    ];
    for (documented, spoken) in pairs {
        assert_eq!(documented, spoken);
    }
}

/// Every name the document gives a stored enumeration is read back (from JSON, a query or a
/// database column: `parse` is what each of them uses) as the same variant and written as the same
/// name.
#[test]
fn stored_enumerations_read_and_write_every_documented_name() {
    use opinto_registry::{
        agreements::dto::{AgreementStatus, PartyRole},
        auth::Scope,
        certificates::dto::{CertificateLanguage, CertificateStatus, ConsentMethod, FeedEventKind},
        environments::dto::Sector,
        guidelines::dto::GuidelineStatus,
        organisations::dto::OrganisationKind,
        participations::dto::{
            AgeBand, EducationLevel, Gender, ImmigrantBackground, NextStep, UnemploymentDuration,
        },
        programmes::dto::{FundingInstrument, ProgrammeStatus},
        recognitions::dto::{OwnerConsent, RecognitionStatus},
        reference::dto::QualificationType,
        text_enum::UnknownValue,
    };
    macro_rules! round_trips {
        ($($name:ident),+) => {
            [$((stringify!($name), (|text| $name::parse(text).map($name::as_str)) as fn(&str) -> Result<&'static str, UnknownValue>)),+]
        };
    }
    let document: serde_json::Value =
        serde_json::from_str(&opinto_registry::openapi::document_json()).expect("the document is JSON");
    let checks = round_trips!(
        AgreementStatus,
        PartyRole,
        Scope,
        CertificateLanguage,
        CertificateStatus,
        ConsentMethod,
        FeedEventKind,
        Sector,
        GuidelineStatus,
        OrganisationKind,
        AgeBand,
        EducationLevel,
        Gender,
        ImmigrantBackground,
        NextStep,
        UnemploymentDuration,
        FundingInstrument,
        ProgrammeStatus,
        OwnerConsent,
        RecognitionStatus,
        QualificationType
    );
    for (schema, round_trip) in checks {
        let names = document["components"]["schemas"][schema]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema} is an enumeration in the document"));
        for name in names {
            let name = name.as_str().expect("a name");
            assert_eq!(round_trip(name), Ok(name), "{schema}");
        }
        assert!(
            round_trip("Unknown-Value").is_err(),
            "{schema} refuses an unknown name"
        );
    }
}

async fn the_service_serves_the_document_and_its_docs(app: TestApp) {
    let served = app.off_contract().get("/openapi.json").await;
    assert_eq!(served.status, StatusCode::OK);
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).expect("valid JSON");
    assert_eq!(served.body, committed);
    let docs = app.off_contract().get("/docs/").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.text.contains("swagger"), "Swagger UI");
    let initializer = app.off_contract().get("/docs/swagger-initializer.js").await;
    assert!(
        initializer.text.contains("\"/openapi.json\""),
        "Swagger UI reads the served document: {}",
        initializer.text
    );
    let redirect = app.off_contract().get("/docs").await;
    assert!(redirect.status.is_redirection(), "{}", redirect.status);
}

backend_tests!(the_service_serves_the_document_and_its_docs);

/// Every example the document gives, wherever it stands, beside what it exemplifies: a schema with
/// its own `example`/`examples`, or a parameter or media type with a `schema` and an `example`.
fn examples_in<'a>(value: &'a Value, pointer: String, found: &mut Vec<(String, &'a Value, Value)>) {
    match value {
        Value::Object(object) => {
            let is_schema = ["type", "$ref", "properties", "enum", "allOf", "oneOf", "anyOf"]
                .iter()
                .any(|key| object.contains_key(*key));
            if let Some(schema) = object.get("schema") {
                if let Some(example) = object.get("example") {
                    found.push((pointer.clone(), example, schema.clone()));
                }
                if let Some(examples) = object.get("examples").and_then(Value::as_object) {
                    for (name, example) in examples {
                        found.push((
                            format!("{pointer}/examples/{name}"),
                            &example["value"],
                            schema.clone(),
                        ));
                    }
                }
            } else if is_schema {
                let mut bare = object.clone();
                let example = bare.remove("example");
                let examples = bare.remove("examples");
                let bare = Value::Object(bare);
                if let Some(example) = object.get("example").filter(|_| example.is_some()) {
                    found.push((pointer.clone(), example, bare.clone()));
                }
                if let Some(examples) = object
                    .get("examples")
                    .and_then(Value::as_array)
                    .filter(|_| examples.is_some())
                {
                    for (index, example) in examples.iter().enumerate() {
                        found.push((format!("{pointer}/examples/{index}"), example, bare.clone()));
                    }
                }
            }
            for (key, child) in object {
                if key != "example" && key != "examples" {
                    examples_in(
                        child,
                        format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                        found,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                examples_in(item, format!("{pointer}/{index}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_example_in_the_document_validates_against_its_schema() {
    let contract = crate::contract::contract();
    let mut found = Vec::new();
    examples_in(contract.document(), String::new(), &mut found);
    assert!(found.len() > 100, "examples are found: {}", found.len());
    let faults: Vec<String> = found
        .iter()
        .flat_map(|(pointer, example, schema)| {
            let validator = contract.validator(&format!("example {pointer}"), schema);
            validator
                .iter_errors(example)
                .map(|error| format!("{pointer}: at `{}`: {error}", error.instance_path()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        faults.is_empty(),
        "{} invalid examples:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

/// The harness's check fails a body the document does not describe: here the participation enums
/// as the document once named them (`Female`), and a status the operation does not list.
#[test]
fn the_contract_check_refuses_what_the_document_does_not_say() {
    let contract = crate::contract::contract();
    let (template, operation) = contract
        .operation("GET", "/v1/programmes/p1/participations/x1?limit=1")
        .expect("the operation is found by a concrete path");
    assert_eq!(template, "/v1/programmes/{id}/participations/{participation_id}");
    let (template, _) = contract
        .operation("POST", "/v1/certificates/search")
        .expect("a literal segment wins over a parameter");
    assert_eq!(template, "/v1/certificates/search");
    assert!(contract.operation("GET", "/v1/no-such-thing").is_none());

    let schema = &operation["responses"]["200"]["content"]["application/json"]["schema"];
    let validator = contract.validator("participation read, for the check's own test", schema);
    let example = contract.document()["components"]["schemas"]["Participation"]["example"].clone();
    assert!(validator.is_valid(&example), "the documented example passes");
    let mut pascal = example.clone();
    pascal["gender"] = json!("Female");
    assert!(
        !validator.is_valid(&pascal),
        "a name the service never speaks fails"
    );
    let mut missing = example;
    missing.as_object_mut().expect("an object").remove("id");
    assert!(!validator.is_valid(&missing), "a missing required field fails");
    assert!(operation["responses"].get("418").is_none());
}

/// The README's table of scopes names every scope a client can be given.
#[test]
fn the_readme_lists_every_scope() {
    let readme = include_str!("../../README.md");
    for scope in opinto_registry::auth::Scope::ALL {
        let row = format!("| `{}` |", scope.as_str());
        assert!(readme.contains(&row), "README.md lists {row}");
    }
}
