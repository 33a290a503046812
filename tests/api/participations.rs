//! Participations in a programme: who records them, what they may link, and the reach of each
//! reader.

use awc::http::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::TestApp,
    programmes::{complete, completion, participate, participation_body, setting, PEOPLE},
};

async fn participations_stay_within_their_programme_and_reach(app: TestApp) {
    let s = setting(&app).await;
    let base = format!("/v1/programmes/{}/participations", s.programme);
    let person = &PEOPLE[0];

    // A partner records the periods it coaches, not another organisation's.
    let for_other = participate(
        &app,
        &s,
        &s.partner,
        &participation_body(&s.cast.workshop, person),
    )
    .await;
    for_other.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let own = participate(
        &app,
        &s,
        &s.partner,
        &participation_body(&s.cast.provider, person),
    )
    .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.text);
    assert_eq!(own.body["under_30"], true);
    let by_administrator = participate(
        &app,
        &s,
        &s.administrator,
        &participation_body(&s.cast.workshop, &PEOPLE[3]),
    )
    .await;
    assert_eq!(
        by_administrator.status,
        StatusCode::CREATED,
        "{}",
        by_administrator.text
    );
    assert_eq!(by_administrator.body["under_30"], false);
    let theirs = by_administrator.body["id"].as_str().expect("id").to_owned();

    let partner_sees = app.get_as(Some(&s.partner), &base).await;
    assert_eq!(partner_sees.body["items"].as_array().expect("items").len(), 1);
    let administrator_sees = app.get_as(Some(&s.administrator), &base).await;
    assert_eq!(
        administrator_sees.body["items"].as_array().expect("items").len(),
        2
    );
    let ongoing = app
        .get_as(Some(&s.administrator), &format!("{base}?ended=false"))
        .await;
    assert_eq!(ongoing.body["items"].as_array().expect("items").len(), 1);
    app.get_as(Some(&s.partner), &format!("{base}/{theirs}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get_as(Some(&s.outsider), &base)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get(&base)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    // The rules of a period.
    let mut bad = participation_body(&s.cast.other_provider, person);
    bad["starts_on"] = json!("2024-06-01");
    bad["ends_on"] = json!(null);
    bad["municipality"] = json!("999");
    let refused = participate(&app, &s, &s.administrator, &bad).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["coach_organisation_id", "municipality", "next_step", "starts_on"]
    );
    let mut unknown_category = participation_body(&s.cast.workshop, person);
    unknown_category["gender"] = json!("robot");
    let unknown = participate(&app, &s, &s.administrator, &unknown_category).await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(unknown.error_fields(), vec!["gender"]);

    // Ending a period with its next step needs the version read.
    let path = format!("{base}/{theirs}");
    let ended = app
        .patch_json_as(
            Some(&s.administrator),
            &path,
            Some("\"1\""),
            &json!({"ends_on": "2026-09-30", "next_step": "employment"}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    assert_eq!(ended.body["next_step"], "employment");
    assert_eq!(ended.header("etag"), Some("\"2\""));
    app.patch_json_as(
        Some(&s.administrator),
        &path,
        Some("\"1\""),
        &json!({"next_step": "studies"}),
    )
    .await
    .assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    // Completed units: a provider outside the programme cannot reach it; one unit once; the
    // administrator needs certificates:write to record on a provider's behalf.
    let participation = own.body["id"].as_str().expect("id").to_owned();
    complete(
        &app,
        &s,
        &s.outsider,
        &participation,
        completion("351204", "SAMPLE-103", "684", false),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "not-found");
    let first = complete(
        &app,
        &s,
        &s.partner,
        &participation,
        completion("351204", "SAMPLE-103", "684", false),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    complete(
        &app,
        &s,
        &s.partner,
        &participation,
        completion("351204", "SAMPLE-103", "684", false),
    )
    .await
    .assert_problem(StatusCode::CONFLICT, "conflict");
    let wrong_unit = complete(
        &app,
        &s,
        &s.partner,
        &participation,
        completion("351204", "SAMPLE-201", "684", false),
    )
    .await;
    wrong_unit.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(wrong_unit.error_fields(), vec!["unit"]);
    let programmes_only = app.token_for(&s.cast.workshop, "programmes:write").await;
    let mut on_behalf = completion("351204", "SAMPLE-104", "684", false);
    on_behalf["provider_organisation_id"] = json!(s.cast.provider);
    complete(&app, &s, &programmes_only, &participation, on_behalf.clone())
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let mut workshop_as_provider = on_behalf.clone();
    workshop_as_provider["provider_organisation_id"] = json!(s.cast.workshop);
    let not_a_provider = complete(&app, &s, &s.administrator, &participation, workshop_as_provider).await;
    assert_eq!(not_a_provider.error_fields(), vec!["provider_organisation_id"]);

    // A period with completed units stays; removing the unit lets it go.
    let participation_path = format!("{base}/{participation}");
    app.delete_as(Some(&s.partner), &participation_path, Some("\"1\""))
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");
    let completion_id = first.body["id"].as_str().expect("id");
    let removed = app
        .delete_as(
            Some(&s.partner),
            &format!("{participation_path}/completions/{completion_id}"),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    let deleted = app
        .delete_as(Some(&s.partner), &participation_path, Some("\"1\""))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    app.get_as(Some(&s.administrator), &participation_path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");

    // Every write is in the audit log under the programme's administrator.
    let audit = app
        .get_as(Some(&app.admin_token), "/v1/audit?resource_type=completion")
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "completion.create").count(),
        1,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| **a == "completion.delete").count(),
        1,
        "{actions:?}"
    );
}

/// Two partners record units for one participant: each lists only what it recorded, the
/// programme's administrator lists all.
async fn a_partner_lists_only_the_completions_it_recorded(app: TestApp) {
    let s = setting(&app).await;
    let programme_path = format!("/v1/programmes/{}", s.programme);
    let participation = participate(
        &app,
        &s,
        &s.administrator,
        &participation_body(&s.cast.workshop, &PEOPLE[0]),
    )
    .await;
    assert_eq!(
        participation.status,
        StatusCode::CREATED,
        "{}",
        participation.text
    );
    let participation = participation.body["id"].as_str().expect("id").to_owned();
    for unit in ["SAMPLE-103", "SAMPLE-104"] {
        let recorded = complete(
            &app,
            &s,
            &s.partner,
            &participation,
            completion("351204", unit, "684", false),
        )
        .await;
        assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);
    }

    // The other provider becomes a partner too, and records a unit of its own.
    let current = app.get_as(Some(&s.administrator), &programme_path).await;
    let etag = current.header("etag").expect("an ETag").to_owned();
    let invited = app
        .patch_json_as(
            Some(&s.administrator),
            &programme_path,
            Some(&etag),
            &json!({"partners": [s.cast.provider, s.cast.other_provider]}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.text);
    let accepted = app
        .post_json_as(
            Some(&s.outsider),
            &format!("{programme_path}/partnership/accept"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    let theirs = complete(
        &app,
        &s,
        &s.outsider,
        &participation,
        completion("381141", "SAMPLE-101", "205", false),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.text);

    let path = format!("{programme_path}/participations/{participation}/completions");
    let units = |reply: &crate::helpers::Reply| -> Vec<String> {
        let mut units: Vec<String> = reply.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["unit"]["code"].as_str().expect("unit").to_owned())
            .collect();
        units.sort();
        units
    };
    let partner = app.get_as(Some(&s.partner), &path).await;
    assert_eq!(units(&partner), vec!["SAMPLE-103", "SAMPLE-104"]);
    let other = app.get_as(Some(&s.outsider), &path).await;
    assert_eq!(units(&other), vec!["SAMPLE-101"]);
    let administrator = app.get_as(Some(&s.administrator), &path).await;
    assert_eq!(
        units(&administrator),
        vec!["SAMPLE-101", "SAMPLE-103", "SAMPLE-104"]
    );
}

/// A period lies within its programme, and it links only issued certificates.
async fn periods_fit_their_programme_and_link_issued_certificates(app: TestApp) {
    let s = setting(&app).await;
    let mut early = participation_body(&s.cast.workshop, &PEOPLE[0]);
    early["starts_on"] = json!("2024-12-31");
    let reply = participate(&app, &s, &s.administrator, &early).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(reply.error_fields(), vec!["starts_on"], "{}", reply.text);
    let mut late = participation_body(&s.cast.workshop, &PEOPLE[0]);
    late["ends_on"] = json!("2028-01-01");
    let reply = participate(&app, &s, &s.administrator, &late).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(reply.error_fields(), vec!["ends_on"], "{}", reply.text);

    let environment = crate::environments::create_environment(&app, &s.cast.workshop_token, json!({})).await;
    let drafted = app
        .post_json_as(
            Some(&s.administrator),
            "/v1/certificates",
            &crate::certificates::certificate_body(&environment),
        )
        .await;
    assert_eq!(drafted.status, StatusCode::CREATED, "{}", drafted.text);
    let mut linking = participation_body(&s.cast.workshop, &PEOPLE[0]);
    linking["certificate_ids"] = json!([drafted.body["id"]]);
    let reply = participate(&app, &s, &s.administrator, &linking).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(reply.error_fields(), vec!["certificate_ids[0]"], "{}", reply.text);
}

backend_tests!(
    periods_fit_their_programme_and_link_issued_certificates,
    participations_stay_within_their_programme_and_reach,
    a_partner_lists_only_the_completions_it_recorded,
);
