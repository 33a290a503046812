//! Recognitions: only education providers recognise, the rules periods keep, history kept when
//! they end, and agreements they are made under.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    environments::{cast, create_environment, Cast},
    helpers::{Reply, TestApp},
};

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
                    &serde_json::Value::Null,
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
                    &serde_json::Value::Null,
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            version = reply.body["version"].as_i64().expect("version");
        }
    }
    id
}

backend_tests!(
    only_education_providers_recognise,
    overlapping_recognitions_conflict,
    ended_recognitions_keep_their_history,
    a_recognition_past_its_end_reads_as_ended,
    recognitions_under_an_agreement_need_one_in_force_between_both,
);
