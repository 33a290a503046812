//! Learning environments and their recognitions: who writes them, the rules they keep, and
//! deactivation instead of deletion.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{organisation_body, Reply, TestApp},
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

/// Recognises `environment` as `token`, and has the environment's owner accept what another
/// organisation recognised (as an administrator may for it), so that it is public. The reply is
/// the creation's, its items as they stand after the owner's answer.
pub async fn recognise(app: &TestApp, token: &str, environment: &str, body: Value) -> Reply {
    let mut reply = recognise_unanswered(app, token, environment, &body).await;
    if reply.status != StatusCode::CREATED {
        return reply;
    }
    for item in reply.body["items"].as_array_mut().expect("items") {
        if item["owner_consent"] == "pending" {
            let id = item["id"].as_str().expect("id");
            let accepted = app
                .post_json(
                    &format!("/v1/learning-environments/{environment}/recognitions/{id}/accept"),
                    &json!({}),
                )
                .await;
            assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
            *item = accepted.body;
        }
    }
    reply
}

/// Recognises `environment` as `token`, leaving the owner's answer pending.
pub async fn recognise_unanswered(app: &TestApp, token: &str, environment: &str, body: &Value) -> Reply {
    app.post_json_as(
        Some(token),
        &format!("/v1/learning-environments/{environment}/recognitions"),
        body,
    )
    .await
}

/// Recognises `environment` for units of qualification 351204 from 2020 on; returns the ids.
pub async fn recognise_units(app: &TestApp, token: &str, environment: &str, units: &[&str]) -> Vec<String> {
    let units: Vec<Value> = units
        .iter()
        .map(|unit| json!({"qualification": "351204", "unit": unit}))
        .collect();
    let reply = recognise(
        app,
        token,
        environment,
        json!({"units": units, "valid_from": "2020-01-01"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
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

async fn only_education_providers_recognise(app: TestApp) {
    let cast = cast(&app).await;
    let environment = create_environment(&app, &cast.workshop_token, json!({})).await;
    let body = json!({
        "units": [
            {"qualification": "351204", "unit": "SAMPLE-107", "note": "Lounaan valmistus kattaa osan."},
            {"qualification": "381113", "unit": "SAMPLE-107"}
        ],
        "valid_from": "2026-01-01",
        "valid_until": "2027-12-31"
    });
    let by_workshop = recognise(&app, &cast.workshop_token, &environment, body.clone()).await;
    by_workshop.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let anonymous = app
        .post_json_as(
            None,
            &format!("/v1/learning-environments/{environment}/recognitions"),
            &body,
        )
        .await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    let made = recognise(&app, &cast.provider_token, &environment, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let items = made.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["provider"]["id"], cast.provider);
    assert_eq!(items[0]["provider"]["kind"], "education_provider");
    assert_eq!(items[0]["unit"]["code"], "SAMPLE-107");
    assert_eq!(items[0]["unit"]["name"]["fi"], "Ruokapalveluissa avustaminen");
    assert_eq!(items[0]["qualification"]["code"], "351204");
    assert_eq!(items[0]["note"], "Lounaan valmistus kattaa osan.");
    assert_eq!(items[1]["qualification"]["code"], "381113");

    let recognition = items[0]["id"].as_str().expect("id");
    let read = app
        .get(&format!(
            "/v1/learning-environments/{environment}/recognitions/{recognition}"
        ))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(
        read.header("etag"),
        Some("\"2\""),
        "created, then accepted by the owner"
    );
    assert_eq!(read.body["owner_consent"], "accepted");
    assert_eq!(
        app.get(&format!(
            "/v1/learning-environments/{environment}/recognitions/nope"
        ))
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // An administrator names the provider, and that must be an education provider.
    let named_workshop = app
        .post_json(
            &format!("/v1/learning-environments/{environment}/recognitions"),
            &json!({"provider_organisation_id": cast.workshop, "units": [{"qualification": "381141", "unit": "SAMPLE-104"}], "valid_from": "2026-01-01"}),
        )
        .await;
    named_workshop.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(named_workshop.error_fields(), vec!["provider_organisation_id"]);

    let invalid = recognise(
        &app,
        &cast.other_provider_token,
        &environment,
        json!({
            "units": [
                {"qualification": "381141", "unit": "SAMPLE-203"},
                {"qualification": "999999", "unit": "SAMPLE-101"},
                {"qualification": "381141", "unit": "SAMPLE-101"},
                {"qualification": "381141", "unit": "SAMPLE-101"}
            ],
            "valid_from": "2026-01-01",
            "valid_until": "2025-12-31"
        }),
    )
    .await;
    invalid.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(
        invalid.error_fields(),
        vec![
            "valid_until",
            "units[0].unit",
            "units[1].qualification",
            "units[3]"
        ],
        "{}",
        invalid.text
    );
    let empty = recognise(
        &app,
        &cast.other_provider_token,
        &environment,
        json!({"units": [], "valid_from": "2026-01-01"}),
    )
    .await;
    empty.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
}

async fn overlapping_recognitions_conflict(app: TestApp) {
    let cast = cast(&app).await;
    let environment = create_environment(&app, &cast.workshop_token, json!({})).await;
    let period = |from: &str, until: Option<&str>| json!({"units": [{"qualification": "351204", "unit": "SAMPLE-107"}], "valid_from": from, "valid_until": until});
    let first = recognise(
        &app,
        &cast.provider_token,
        &environment,
        period("2026-01-01", Some("2026-12-31")),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);

    let overlapping = recognise(
        &app,
        &cast.provider_token,
        &environment,
        period("2026-06-01", None),
    )
    .await;
    overlapping.assert_problem(StatusCode::CONFLICT, "conflict");
    let inside = recognise(
        &app,
        &cast.provider_token,
        &environment,
        period("2025-01-01", Some("2026-01-01")),
    )
    .await;
    inside.assert_problem(StatusCode::CONFLICT, "conflict");

    // The next period, another provider, and another qualification of the same unit are all fine.
    let next = recognise(
        &app,
        &cast.provider_token,
        &environment,
        period("2027-01-01", None),
    )
    .await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.text);
    let other = recognise(
        &app,
        &cast.other_provider_token,
        &environment,
        period("2026-06-01", None),
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    let other_qualification = recognise(
        &app,
        &cast.provider_token,
        &environment,
        json!({"units": [{"qualification": "381113", "unit": "SAMPLE-107"}], "valid_from": "2026-06-01"}),
    )
    .await;
    assert_eq!(
        other_qualification.status,
        StatusCode::CREATED,
        "{}",
        other_qualification.text
    );

    // Ended early, the first one leaves room from its end date on.
    let first_id = first.body["items"][0]["id"].as_str().expect("id");
    let ended = app
        .post_json_as(
            Some(&cast.provider_token),
            &format!("/v1/learning-environments/{environment}/recognitions/{first_id}/end"),
            &json!({"ended_on": "2026-06-01", "reason": "Keittiö remontissa."}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    let gap = recognise(
        &app,
        &cast.provider_token,
        &environment,
        period("2026-06-01", Some("2026-12-31")),
    )
    .await;
    assert_eq!(gap.status, StatusCode::CREATED, "{}", gap.text);
    let before_end = recognise(
        &app,
        &cast.provider_token,
        &environment,
        period("2026-05-31", Some("2026-05-31")),
    )
    .await;
    before_end.assert_problem(StatusCode::CONFLICT, "conflict");
}

async fn ended_recognitions_keep_their_history(app: TestApp) {
    let cast = cast(&app).await;
    let environment = create_environment(&app, &cast.workshop_token, json!({})).await;
    let ids = recognise_units(
        &app,
        &cast.provider_token,
        &environment,
        &["SAMPLE-107", "SAMPLE-104"],
    )
    .await;
    let end_path = |id: &str| format!("/v1/learning-environments/{environment}/recognitions/{id}/end");

    let by_other = app
        .post_json_as(
            Some(&cast.other_provider_token),
            &end_path(&ids[0]),
            &json!({"reason": "Ei meidän."}),
        )
        .await;
    by_other.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let stale = app
        .post_if_match(
            Some(&cast.provider_token),
            &end_path(&ids[0]),
            "\"7\"",
            &json!({"reason": "Toiminta päättyi."}),
        )
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    let no_reason = app
        .post_json_as(
            Some(&cast.provider_token),
            &end_path(&ids[0]),
            &json!({"reason": " "}),
        )
        .await;
    no_reason.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");

    let ended = app
        .post_if_match(
            Some(&cast.provider_token),
            &end_path(&ids[0]),
            "\"2\"",
            &json!({"reason": "Toiminta päättyi."}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    assert_eq!(ended.body["status"], "ended");
    assert_eq!(ended.body["end_reason"], "Toiminta päättyi.");
    assert_eq!(ended.header("etag"), Some("\"3\""));
    let again = app
        .post_json_as(
            Some(&cast.provider_token),
            &end_path(&ids[0]),
            &json!({"reason": "Uudelleen."}),
        )
        .await;
    again.assert_problem(StatusCode::CONFLICT, "conflict");

    let history = app
        .get(&format!("/v1/learning-environments/{environment}/recognitions"))
        .await;
    let statuses: Vec<&str> = history.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["status"].as_str())
        .collect();
    assert_eq!(statuses, vec!["ended", "active"]);
    let only_ended = app
        .get(&format!(
            "/v1/learning-environments/{environment}/recognitions?status=ended"
        ))
        .await;
    assert_eq!(only_ended.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(only_ended.body["items"][0]["id"], ids[0].as_str());

    // The catalogue lists only what is in force.
    let catalogue = app.get("/v1/catalogue/learning-environments").await;
    let units: Vec<&str> = catalogue.body["items"][0]["recognised_units"]
        .as_array()
        .expect("units")
        .iter()
        .filter_map(|unit| unit["unit"]["code"].as_str())
        .collect();
    assert_eq!(units, vec!["SAMPLE-104"]);
    let by_ended_unit = app
        .get("/v1/catalogue/learning-environments?unit=SAMPLE-107")
        .await;
    assert_eq!(by_ended_unit.body["items"], json!([]), "{}", by_ended_unit.text);
    let back_then = app
        .get("/v1/catalogue/learning-environments?unit=SAMPLE-107&recognised_on=2021-05-01")
        .await;
    assert_eq!(back_then.body["items"].as_array().map(Vec::len), Some(1));
}

async fn a_recognition_past_its_end_reads_as_ended(app: TestApp) {
    let cast = cast(&app).await;
    let environment = create_environment(&app, &cast.workshop_token, json!({})).await;
    let past = recognise(
        &app,
        &cast.provider_token,
        &environment,
        json!({"units": [{"qualification": "351204", "unit": "SAMPLE-107"}], "valid_from": "2019-01-01", "valid_until": "2020-12-31"}),
    )
    .await;
    assert_eq!(past.status, StatusCode::CREATED, "{}", past.text);
    assert_eq!(past.body["items"][0]["status"], "ended");
    let future = recognise(
        &app,
        &cast.provider_token,
        &environment,
        json!({"units": [{"qualification": "381141", "unit": "SAMPLE-104"}], "valid_from": "2099-01-01"}),
    )
    .await;
    assert_eq!(future.body["items"][0]["status"], "scheduled");
    let catalogue = app.get("/v1/catalogue/learning-environments").await;
    assert_eq!(catalogue.body["items"], json!([]), "{}", catalogue.text);
    let then = app
        .get("/v1/catalogue/learning-environments?recognised_on=2020-12-31")
        .await;
    assert_eq!(
        then.body["items"][0]["recognised_units"][0]["valid_until"],
        "2020-12-31"
    );
    let ending = app
        .post_json_as(
            Some(&cast.provider_token),
            &format!(
                "/v1/learning-environments/{environment}/recognitions/{}/end",
                past.body["items"][0]["id"].as_str().expect("id")
            ),
            &json!({"reason": "Myöhässä."}),
        )
        .await;
    ending.assert_problem(StatusCode::CONFLICT, "conflict");
}

/// Drafts, confirms and activates an agreement between the workshop and the provider.
pub async fn agreement(app: &TestApp, cast: &Cast, environments: &[&str], activate: bool) -> String {
    let drafted = app
        .post_json_as(
            Some(&cast.workshop_token),
            "/v1/agreements",
            &json!({
                "reference_number": format!("YS-{}", environments.len()),
                "title": "Yhteistyösopimus",
                "valid_from": "2025-01-01",
                "parties": [
                    {"organisation_id": cast.workshop, "role": "work_organisation"},
                    {"organisation_id": cast.provider, "role": "education_provider"}
                ],
                "qualifications": ["351204"],
                "learning_environments": environments
            }),
        )
        .await;
    assert_eq!(drafted.status, StatusCode::CREATED, "{}", drafted.text);
    let id = drafted.body["id"].as_str().expect("id").to_owned();
    if activate {
        let mut version = 1;
        for (token, action) in [
            (&cast.workshop_token, "confirm"),
            (&cast.provider_token, "confirm"),
            (&cast.provider_token, "activate"),
        ] {
            let reply = app
                .post_if_match(
                    Some(token),
                    &format!("/v1/agreements/{id}/{action}"),
                    &format!("\"{version}\""),
                    &json!({}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            version = reply.body["version"].as_i64().expect("version");
        }
    }
    id
}

async fn recognitions_under_an_agreement_need_one_in_force_between_both(app: TestApp) {
    let cast = cast(&app).await;
    let environment = create_environment(&app, &cast.workshop_token, json!({})).await;
    let listed_elsewhere = create_environment(&app, &cast.workshop_token, json!({})).await;
    let draft = agreement(&app, &cast, &[environment.as_str()], false).await;
    let active = agreement(
        &app,
        &cast,
        &[environment.as_str(), listed_elsewhere.as_str()],
        true,
    )
    .await;
    let body = |agreement: &str, qualification: &str| {
        json!({
            "units": [{"qualification": qualification, "unit": "SAMPLE-107"}],
            "valid_from": "2026-01-01",
            "agreement_id": agreement
        })
    };

    let under_draft = recognise(&app, &cast.provider_token, &environment, body(&draft, "351204")).await;
    under_draft.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(under_draft.error_fields(), vec!["agreement_id"]);
    let not_party = recognise(
        &app,
        &cast.other_provider_token,
        &environment,
        body(&active, "351204"),
    )
    .await;
    not_party.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(not_party.error_fields(), vec!["agreement_id"]);
    let uncovered = recognise(&app, &cast.provider_token, &environment, body(&active, "381113")).await;
    uncovered.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(uncovered.error_fields(), vec!["units[0].qualification"]);
    let unknown = recognise(&app, &cast.provider_token, &environment, body("nope", "351204")).await;
    assert_eq!(unknown.error_fields(), vec!["agreement_id"]);

    let made = recognise(&app, &cast.provider_token, &environment, body(&active, "351204")).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.body["items"][0]["agreement_id"], active.as_str());

    // An environment the agreement names cannot be deleted either.
    let in_agreement = app
        .delete_as(
            Some(&cast.workshop_token),
            &format!("/v1/learning-environments/{listed_elsewhere}"),
            Some("\"1\""),
        )
        .await;
    in_agreement.assert_problem(StatusCode::CONFLICT, "conflict");
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
    only_education_providers_recognise,
    overlapping_recognitions_conflict,
    ended_recognitions_keep_their_history,
    a_recognition_past_its_end_reads_as_ended,
    recognitions_under_an_agreement_need_one_in_force_between_both,
    agreements_list_known_environments_of_their_parties,
);
