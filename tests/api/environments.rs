//! Learning environments: who writes them, the rules they keep, and
//! deactivation instead of deletion.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{organisation_body, TestApp},
    recognitions::{recognise, recognise_units},
};

/// A workshop, two education providers and tokens for each.
pub struct Cast {
    pub workshop: String,
    pub provider: String,
    pub other_provider: String,
    pub workshop_token: String,
    pub provider_token: String,
    pub other_provider_token: String,
}

pub async fn cast(app: &TestApp) -> Cast {
    let mut ids = Vec::new();
    for (kind, name, municipality) in [
        ("workshop", "Rauman nuorten työpaja", "684"),
        ("education_provider", "Satakunnan koulutuskuntayhtymä", "609"),
        ("education_provider", "Kainuun ammattiopisto", "205"),
    ] {
        let body =
            organisation_body(json!({"kind": kind, "name": {"fi": name}, "municipality": municipality}));
        ids.push(
            app.create_organisation(&body).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let scopes = "environments:write agreements:read agreements:write";
    Cast {
        workshop_token: app.token_for(&ids[0], scopes).await,
        provider_token: app.token_for(&ids[1], scopes).await,
        other_provider_token: app.token_for(&ids[2], scopes).await,
        workshop: ids[0].clone(),
        provider: ids[1].clone(),
        other_provider: ids[2].clone(),
    }
}

/// A valid environment body; `overrides` replaces members.
pub fn environment_body(overrides: Value) -> Value {
    let mut body = json!({
        "name": {"fi": "Työpajan keittiö", "sv": "Verkstadens kök"},
        "description": "Lounasravintola, joka valmistaa päivittäin noin 80 annosta.",
        "work_tasks": ["lounaan valmistus", "astiahuolto"],
        "sector": "food_services",
        "address": {"street_address": "Savilankatu 4", "postal_code": "26100", "post_office": "Rauma", "municipality": "684"},
        "coordinates": {"latitude": 61.1272, "longitude": 21.5112},
        "capacity": 4,
        "languages": ["fi", "sv"],
        "contact": {"name": "Maija Meikäläinen", "title": "työvalmentaja", "email": "maija@example.fi", "phone": "+358 40 123 4567"}
    });
    if let (Some(body), Some(overrides)) = (body.as_object_mut(), overrides.as_object()) {
        for (key, value) in overrides {
            body.insert(key.clone(), value.clone());
        }
    }
    body
}

/// Creates an environment as `token`'s organisation and returns its id.
pub async fn create_environment(app: &TestApp, token: &str, overrides: Value) -> String {
    let reply = app
        .post_json_as(
            Some(token),
            "/v1/learning-environments",
            &environment_body(overrides),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["id"].as_str().expect("id").to_owned()
}

async fn environments_are_written_by_their_owner(app: TestApp) {
    let cast = cast(&app).await;
    let created = app
        .post_json_as(
            Some(&cast.workshop_token),
            "/v1/learning-environments",
            &environment_body(json!({"name": {"fi": "  Työpajan keittiö "}})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/learning-environments/{id}").as_str())
    );
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.body["organisation_id"], cast.workshop);
    assert_eq!(created.body["name"]["fi"], "Työpajan keittiö");
    assert_eq!(created.body["address"]["region"], "04");
    assert_eq!(
        created.body["work_tasks"],
        json!(["lounaan valmistus", "astiahuolto"])
    );
    assert_eq!(created.body["languages"], json!(["fi", "sv"]));
    assert_eq!(created.body["active"], true);

    let path = format!("/v1/learning-environments/{id}");
    let read = app.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["contact"]["name"], "Maija Meikäläinen");

    // Another organisation may not change it, even with the scope.
    let foreign = app
        .patch_json_as(
            Some(&cast.provider_token),
            &path,
            Some("\"1\""),
            &json!({"capacity": 6}),
        )
        .await;
    foreign.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let unconditional = app
        .patch_json_as(Some(&cast.workshop_token), &path, None, &json!({"capacity": 6}))
        .await;
    unconditional.assert_problem(StatusCode::PRECONDITION_REQUIRED, "precondition-required");

    let changed = app
        .patch_json_as(
            Some(&cast.workshop_token),
            &path,
            Some("\"1\""),
            &json!({"capacity": 6, "work_tasks": ["leipominen"], "coordinates": null}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(changed.header("etag"), Some("\"2\""));
    assert_eq!(changed.body["capacity"], 6);
    assert_eq!(changed.body["work_tasks"], json!(["leipominen"]));
    assert_eq!(changed.body["coordinates"], Value::Null);
    assert_eq!(changed.body["languages"], json!(["fi", "sv"]));

    let stale = app
        .patch_json_as(
            Some(&cast.workshop_token),
            &path,
            Some("\"1\""),
            &json!({"capacity": 2}),
        )
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    let moved = app
        .patch_json_as(
            Some(&cast.workshop_token),
            &path,
            Some("\"2\""),
            &json!({"organisation_id": cast.provider}),
        )
        .await;
    moved.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(moved.error_fields(), vec!["organisation_id"]);

    // The list filters by owner and place.
    create_environment(
        &app,
        &cast.workshop_token,
        json!({"address": {"street_address": "Itsenäisyydenkatu 2", "postal_code": "28100", "municipality": "609"}}),
    )
    .await;
    let own = app
        .get(&format!(
            "/v1/learning-environments?organisation={}&municipality=684",
            cast.workshop
        ))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    let ids: Vec<&str> = own.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["id"].as_str())
        .collect();
    assert_eq!(ids, vec![id.as_str()]);
    let in_region = app.get("/v1/learning-environments?region=04&q=tyopajan").await;
    assert_eq!(in_region.body["items"].as_array().map(Vec::len), Some(2));

    let audit = app
        .get_as(Some(&app.admin_token), &format!("/v1/audit?resource_id={id}"))
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["environment.create", "environment.update"]);
}

async fn private_contacts_show_only_their_title_to_outsiders(app: TestApp) {
    let cast = cast(&app).await;
    let id = create_environment(
        &app,
        &cast.workshop_token,
        json!({"contact": {"name": "Maija Meikäläinen", "title": "työvalmentaja", "email": "maija@example.fi", "private": true}}),
    )
    .await;
    let path = format!("/v1/learning-environments/{id}");
    for reader in [None, Some(cast.provider_token.as_str())] {
        let read = app.get_as(reader, &path).await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(
            read.body["contact"],
            json!({"name": null, "title": "työvalmentaja", "email": null, "phone": null, "private": true})
        );
        assert!(!read.text.contains("Maija"), "{}", read.text);
    }
    let own = app.get_as(Some(&cast.workshop_token), &path).await;
    assert_eq!(own.body["contact"]["name"], "Maija Meikäläinen");
    assert_eq!(own.body["contact"]["email"], "maija@example.fi");

    recognise_units(&app, &cast.provider_token, &id, &["SAMPLE-107"]).await;
    let catalogue = app.get("/v1/catalogue/learning-environments").await;
    assert_eq!(catalogue.status, StatusCode::OK);
    assert_eq!(catalogue.body["items"][0]["contact"]["title"], "työvalmentaja");
    assert_eq!(catalogue.body["items"][0]["contact"]["name"], Value::Null);
    assert!(!catalogue.text.contains("maija@example.fi"), "{}", catalogue.text);
    // Even the owner sees the public catalogue as everyone does.
    let as_owner = app
        .get_as(Some(&cast.workshop_token), "/v1/catalogue/learning-environments")
        .await;
    assert!(!as_owner.text.contains("Maija"), "{}", as_owner.text);
}

async fn environments_are_validated(app: TestApp) {
    let cast = cast(&app).await;
    let bad = app
        .post_json_as(
            Some(&cast.workshop_token),
            "/v1/learning-environments",
            &environment_body(json!({
                "address": {"street_address": " ", "postal_code": "2610", "municipality": "684"},
                "coordinates": {"latitude": 91.0, "longitude": 21.5},
                "languages": ["Finnish"],
                "capacity": 0,
                "sector": "kitchens"
            })),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");

    let fields = app
        .post_json_as(
            Some(&cast.workshop_token),
            "/v1/learning-environments",
            &environment_body(json!({
                "address": {"street_address": " ", "postal_code": "2610", "municipality": "684"},
                "coordinates": {"latitude": 91.0, "longitude": 21.5},
                "languages": ["Finnish"],
                "capacity": 0
            })),
        )
        .await;
    fields.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let mut named = fields.error_fields();
    named.sort();
    assert_eq!(
        named,
        vec![
            "address.postal_code",
            "address.street_address",
            "capacity",
            "coordinates.latitude",
            "languages"
        ],
        "{}",
        fields.text
    );

    let merged_away = app
        .post_json_as(
            Some(&cast.workshop_token),
            "/v1/learning-environments",
            &environment_body(json!({"address": {"street_address": "Kauppakatu 1", "postal_code": "29200", "municipality": "001"}})),
        )
        .await;
    merged_away.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(merged_away.error_fields(), vec!["address.municipality"]);

    let anonymous = app
        .post_json_as(None, "/v1/learning-environments", &environment_body(json!({})))
        .await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let reader = app.token_for(&cast.workshop, "agreements:read").await;
    let unscoped = app
        .post_json_as(
            Some(&reader),
            "/v1/learning-environments",
            &environment_body(json!({})),
        )
        .await;
    unscoped.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(unscoped.text.contains("environments:write"), "{}", unscoped.text);
    let for_another = app
        .post_json_as(
            Some(&cast.workshop_token),
            "/v1/learning-environments",
            &environment_body(json!({"organisation_id": cast.provider})),
        )
        .await;
    for_another.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let admin_without_owner = app
        .post_json("/v1/learning-environments", &environment_body(json!({})))
        .await;
    admin_without_owner.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let admin_for_workshop = app
        .post_json(
            "/v1/learning-environments",
            &environment_body(json!({"organisation_id": cast.workshop})),
        )
        .await;
    assert_eq!(
        admin_for_workshop.status,
        StatusCode::CREATED,
        "{}",
        admin_for_workshop.text
    );
    assert_eq!(
        app.get("/v1/learning-environments/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn environments_in_use_are_deactivated_not_deleted(app: TestApp) {
    let cast = cast(&app).await;
    let unused = create_environment(&app, &cast.workshop_token, json!({})).await;
    let unused_path = format!("/v1/learning-environments/{unused}");
    let unconditional = app
        .delete_as(Some(&cast.workshop_token), &unused_path, None)
        .await;
    unconditional.assert_problem(StatusCode::PRECONDITION_REQUIRED, "precondition-required");
    let foreign = app
        .delete_as(Some(&cast.provider_token), &unused_path, Some("\"1\""))
        .await;
    foreign.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let deleted = app
        .delete_as(Some(&cast.workshop_token), &unused_path, Some("\"1\""))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert_eq!(app.get(&unused_path).await.status, StatusCode::NOT_FOUND);

    let used = create_environment(&app, &cast.workshop_token, json!({})).await;
    recognise_units(&app, &cast.provider_token, &used, &["SAMPLE-107"]).await;
    let used_path = format!("/v1/learning-environments/{used}");
    let refused = app
        .delete_as(Some(&cast.workshop_token), &used_path, Some("\"1\""))
        .await;
    refused.assert_problem(StatusCode::CONFLICT, "conflict");
    assert!(refused.text.contains("deactivate"), "{}", refused.text);

    let deactivated = app
        .patch_json_as(
            Some(&cast.workshop_token),
            &used_path,
            Some("\"1\""),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.text);
    let catalogue = app.get("/v1/catalogue/learning-environments").await;
    assert_eq!(catalogue.body["items"], json!([]), "{}", catalogue.text);
    // It stays readable with its history, and takes no new recognitions.
    assert_eq!(app.get(&used_path).await.body["active"], false);
    let history = app.get(&format!("{used_path}/recognitions")).await;
    assert_eq!(history.body["items"].as_array().map(Vec::len), Some(1));
    let again = recognise(
        &app,
        &cast.other_provider_token,
        &used,
        json!({"units": [{"qualification": "381141", "unit": "SAMPLE-104"}], "valid_from": "2026-01-01"}),
    )
    .await;
    again.assert_problem(StatusCode::CONFLICT, "conflict");
}

async fn agreements_list_known_environments_of_their_parties(app: TestApp) {
    let cast = cast(&app).await;
    let own = create_environment(&app, &cast.workshop_token, json!({})).await;
    let outsider = app
        .create_organisation(&organisation_body(
            json!({"name": {"fi": "Kajaanin työpaja"}, "municipality": "205"}),
        ))
        .await;
    let outsider_token = app
        .token_for(outsider["id"].as_str().expect("id"), "environments:write")
        .await;
    let foreign = create_environment(&app, &outsider_token, json!({})).await;
    let reply = app
        .post_json_as(
            Some(&cast.workshop_token),
            "/v1/agreements",
            &json!({
                "reference_number": "YS-1",
                "title": "Yhteistyösopimus",
                "valid_from": "2025-01-01",
                "parties": [
                    {"organisation_id": cast.workshop, "role": "work_organisation"},
                    {"organisation_id": cast.provider, "role": "education_provider"}
                ],
                "learning_environments": [own, foreign, "nope"]
            }),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(
        reply.error_fields(),
        vec!["learning_environments[1]", "learning_environments[2]"]
    );
}

backend_tests!(
    environments_are_written_by_their_owner,
    private_contacts_show_only_their_title_to_outsiders,
    environments_are_validated,
    environments_in_use_are_deactivated_not_deleted,
    agreements_list_known_environments_of_their_parties,
);
