use awc::http::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{organisation_body, TestApp},
};

async fn created_organisations_can_be_read_back(app: TestApp) {
    let reply = app
        .post_json(
            "/v1/organisations",
            &organisation_body(
                json!({"business_id": " 0112038-9 ", "oph_oid": "1.2.246.562.10.00000000001",
                    "address": {"street": " Nortamonkatu 18 ", "postal_code": "26100", "post_office": "Rauma"}}),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let id = reply.body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/organisations/{id}").as_str())
    );
    assert_eq!(reply.header("etag"), Some("\"1\""));
    assert_eq!(reply.body["business_id"], "0112038-9", "stored trimmed");
    assert_eq!(reply.body["region"], "04", "derived from Rauma");
    assert_eq!(
        reply.body["address"],
        json!({"street": "Nortamonkatu 18", "postal_code": "26100", "post_office": "Rauma"})
    );
    assert_eq!(reply.body["version"], 1);
    assert_eq!(reply.body["active"], true);
    assert!(reply.body["created_at"]
        .as_str()
        .expect("timestamp")
        .ends_with('Z'));

    let read = app.get(&format!("/v1/organisations/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.body, reply.body);
}

async fn a_wrong_business_id_check_digit_is_refused(app: TestApp) {
    let reply = app
        .post_json(
            "/v1/organisations",
            &organisation_body(json!({"business_id": "0112038-8"})),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(reply.error_fields(), vec!["business_id"]);
    assert_eq!(reply.body["errors"][0]["code"], "business_id");
    let list = app.get("/v1/organisations").await;
    assert_eq!(list.body["items"], json!([]), "nothing was stored");
}

async fn every_invalid_field_is_listed(app: TestApp) {
    let reply = app
        .post_json(
            "/v1/organisations",
            &organisation_body(json!({
                "name": {"fi": " "},
                "oph_oid": "1.2.246.562.24.12345678901",
                "email": "not-an-address",
                "website": "no url",
                "municipality": "68",
                "address": {"street": " ", "postal_code": "2610", "post_office": "Rauma"}
            })),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(
        reply.error_fields(),
        vec![
            "address.postal_code",
            "address.street",
            "email",
            "municipality",
            "name.fi",
            "oph_oid",
            "website"
        ]
    );
}

async fn municipalities_must_exist_and_be_in_force(app: TestApp) {
    let unknown = app
        .post_json(
            "/v1/organisations",
            &organisation_body(json!({"municipality": "998"})),
        )
        .await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(unknown.body["errors"][0]["field"], "municipality");
    assert_eq!(unknown.body["errors"][0]["code"], "unknown_code");

    // 001 Ahlainen merged into Pori in 1973.
    let ended = app
        .post_json(
            "/v1/organisations",
            &organisation_body(json!({"municipality": "001"})),
        )
        .await;
    ended.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(ended.body["errors"][0]["code"], "not_in_force");
}

async fn business_ids_are_unique(app: TestApp) {
    app.create_organisation(&organisation_body(json!({"business_id": "0112038-9"})))
        .await;
    let duplicate = app
        .post_json(
            "/v1/organisations",
            &organisation_body(json!({"business_id": "0112038-9", "name": {"fi": "Toinen"}})),
        )
        .await;
    duplicate.assert_problem(StatusCode::CONFLICT, "conflict");
    assert!(duplicate.body["detail"]
        .as_str()
        .expect("detail")
        .contains("0112038-9"));
}

async fn unknown_organisations_are_problem_404s(app: TestApp) {
    let reply = app
        .get("/v1/organisations/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50")
        .await;
    reply.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let patch = app
        .patch_json(
            "/v1/organisations/no-such-id",
            Some("\"1\""),
            &json!({"phone": "040 123"}),
        )
        .await;
    patch.assert_problem(StatusCode::NOT_FOUND, "not-found");
}

async fn updates_need_the_current_version(app: TestApp) {
    let created = app
        .create_organisation(&organisation_body(json!({"phone": "02 123 4567"})))
        .await;
    let path = format!("/v1/organisations/{}", created["id"].as_str().expect("id"));

    let unconditional = app
        .patch_json(&path, None, &json!({"phone": "040 111 2222"}))
        .await;
    unconditional.assert_problem(StatusCode::PRECONDITION_REQUIRED, "precondition-required");

    let updated = app
        .patch_json(
            &path,
            Some("\"1\""),
            &json!({"phone": "040 111 2222", "name": {"en": "Rauma Youth Workshop"}}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert_eq!(updated.header("etag"), Some("\"2\""));
    assert_eq!(updated.body["version"], 2);
    assert_eq!(updated.body["phone"], "040 111 2222");
    assert_eq!(
        updated.body["name"],
        json!({"fi": "Rauman nuorten työpaja", "sv": "Raumo ungdomsverkstad", "en": "Rauma Youth Workshop"}),
        "a merge patch merges nested objects"
    );

    let stale = app
        .patch_json(&path, Some("\"1\""), &json!({"phone": "050 999"}))
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    let cleared = app
        .patch_json(&path, Some("\"2\""), &json!({"phone": null, "active": false}))
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.text);
    assert_eq!(cleared.body["phone"], json!(null), "null clears a field");
    assert_eq!(cleared.body["active"], false);

    let read = app.get(&path).await;
    assert_eq!(read.body, cleared.body, "what was answered is what is stored");
}

async fn invalid_patches_change_nothing(app: TestApp) {
    let created = app.create_organisation(&organisation_body(json!({}))).await;
    let path = format!("/v1/organisations/{}", created["id"].as_str().expect("id"));

    let read_only = app.patch_json(&path, Some("\"1\""), &json!({"id": "mine"})).await;
    read_only.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(read_only.error_fields(), vec!["id"]);

    let no_finnish_name = app
        .patch_json(&path, Some("\"1\""), &json!({"name": {"fi": null}}))
        .await;
    no_finnish_name.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(no_finnish_name.error_fields(), vec!["name.fi"]);

    let bad_id = app
        .patch_json(&path, Some("\"1\""), &json!({"business_id": "1234567-0"}))
        .await;
    bad_id.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");

    let not_an_object = app.patch_json(&path, Some("\"1\""), &json!(["phone"])).await;
    not_an_object.assert_problem(StatusCode::BAD_REQUEST, "bad-request");

    let read = app.get(&path).await;
    assert_eq!(read.body, created, "unchanged");
}

async fn lists_filter_by_kind_place_name_and_business_id(app: TestApp) {
    let workshop = app
        .create_organisation(&organisation_body(
            json!({"name": {"fi": "Työpaja Kipinä"}, "business_id": "0112038-9"}),
        ))
        .await;
    let provider = app
        .create_organisation(&organisation_body(json!({
            "kind": "education_provider",
            "name": {"fi": "Kainuun ammattiopisto"},
            "municipality": "205"
        })))
        .await;
    let ids = |reply: &crate::helpers::Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let workshop_id = workshop["id"].as_str().expect("id").to_owned();
    let provider_id = provider["id"].as_str().expect("id").to_owned();

    for (query, expected) in [
        ("kind=workshop", vec![workshop_id.clone()]),
        ("kind=education_provider", vec![provider_id.clone()]),
        ("municipality=205", vec![provider_id.clone()]),
        ("region=18", vec![provider_id.clone()]),
        ("region=04", vec![workshop_id.clone()]),
        ("q=tyopaja", vec![workshop_id.clone()]),
        ("q=T%C3%96IPAJA", vec![]),
        ("q=TY%C3%96PAJA%20KIPIN%C3%84", vec![workshop_id.clone()]),
        ("q=ammattiopisto", vec![provider_id.clone()]),
        ("business_id=0112038-9", vec![workshop_id.clone()]),
        ("q=%25", vec![]),
        ("", vec![workshop_id.clone(), provider_id.clone()]),
    ] {
        let reply = app.get(&format!("/v1/organisations?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text);
        assert_eq!(ids(&reply), expected, "{query}");
    }
}

backend_tests!(
    created_organisations_can_be_read_back,
    a_wrong_business_id_check_digit_is_refused,
    every_invalid_field_is_listed,
    municipalities_must_exist_and_be_in_force,
    business_ids_are_unique,
    unknown_organisations_are_problem_404s,
    updates_need_the_current_version,
    invalid_patches_change_nothing,
    lists_filter_by_kind_place_name_and_business_id,
);
