//! Cooperation agreements: drafting, confirmation by every party, activation, termination, and
//! what the public sees.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{organisation_body, TestApp},
};

/// Runs a lifecycle action at the agreement's current version, as a client that has just read it.
async fn act(app: &TestApp, token: &str, action_path: &str, body: &Value) -> crate::helpers::Reply {
    let (agreement_path, _) = action_path.rsplit_once('/').expect("an action path");
    let current = app.get_as(Some(token), agreement_path).await;
    let etag = current.header("etag").unwrap_or("\"0\"").to_owned();
    app.post_if_match(Some(token), action_path, &etag, body).await
}

struct Parties {
    workshop: String,
    provider: String,
    outsider: String,
    workshop_token: String,
    provider_token: String,
    outsider_token: String,
}

async fn parties(app: &TestApp) -> Parties {
    let mut ids = Vec::new();
    for (kind, name, municipality) in [
        ("workshop", "Rauman nuorten työpaja", "684"),
        ("education_provider", "Satakunnan koulutuskuntayhtymä", "609"),
        ("workshop", "Kajaanin työpaja", "205"),
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
    let scopes = "agreements:read agreements:write";
    Parties {
        workshop_token: app.token_for(&ids[0], scopes).await,
        provider_token: app.token_for(&ids[1], scopes).await,
        outsider_token: app.token_for(&ids[2], scopes).await,
        workshop: ids[0].clone(),
        provider: ids[1].clone(),
        outsider: ids[2].clone(),
    }
}

fn agreement_body(p: &Parties, reference: &str, valid_from: &str, valid_until: Option<&str>) -> Value {
    json!({
        "reference_number": reference,
        "title": "Yhteistyösopimus opinnollistamisesta",
        "valid_from": valid_from,
        "valid_until": valid_until,
        "parties": [
            {"organisation_id": p.workshop, "role": "work_organisation"},
            {"organisation_id": p.provider, "role": "education_provider"}
        ],
        "qualifications": ["381141"],
        "contacts": [{"organisation_id": p.workshop, "name": "Maija Meikäläinen", "email": "maija@example.fi"}],
        "terms": "Luottamukselliset ehdot.",
        "attachments": [{"title": "Sopimus", "url": "https://example.fi/sopimus.pdf"}]
    })
}

/// Drafts, confirms by both parties and activates an agreement; returns its id.
async fn active_agreement(
    app: &TestApp,
    p: &Parties,
    reference: &str,
    from: &str,
    until: Option<&str>,
) -> String {
    let created = app
        .post_json_as(
            Some(&p.workshop_token),
            "/v1/agreements",
            &agreement_body(p, reference, from, until),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().expect("id").to_owned();
    for token in [&p.workshop_token, &p.provider_token] {
        let confirmed = act(
            app,
            token,
            &format!("/v1/agreements/{id}/confirm"),
            &serde_json::Value::Null,
        )
        .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    }
    let active = act(
        app,
        &p.workshop_token,
        &format!("/v1/agreements/{id}/activate"),
        &serde_json::Value::Null,
    )
    .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.text);
    id
}

async fn an_agreement_activates_only_when_every_party_has_confirmed(app: TestApp) {
    let p = parties(&app).await;
    let created = app
        .post_json_as(
            Some(&p.workshop_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-1", "2026-01-01", Some("2027-12-31")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["issuer_organisation_id"], p.workshop.as_str());
    assert_eq!(created.header("etag"), Some("\"1\""));
    let id = created.body["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/agreements/{id}");

    let provider_confirms = act(
        &app,
        &p.provider_token,
        &format!("{path}/confirm"),
        &serde_json::Value::Null,
    )
    .await;
    assert_eq!(
        provider_confirms.status,
        StatusCode::OK,
        "{}",
        provider_confirms.text
    );
    let confirmed_at: Vec<bool> = provider_confirms.body["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .map(|party| party["confirmed_at"].is_string())
        .collect();
    assert_eq!(confirmed_at.iter().filter(|c| **c).count(), 1);
    let provider_party = provider_confirms.body["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|party| party["organisation"]["id"] == p.provider.as_str())
        .cloned()
        .expect("the provider is a party");
    assert!(provider_party["confirmed_at"].is_string());
    assert!(
        provider_party["confirmed_by_client_id"].is_string(),
        "who confirmed is recorded"
    );

    let early = act(
        &app,
        &p.workshop_token,
        &format!("{path}/activate"),
        &serde_json::Value::Null,
    )
    .await;
    early.assert_problem(StatusCode::CONFLICT, "conflict");
    assert!(early.body["detail"]
        .as_str()
        .expect("detail")
        .contains(&p.workshop));

    act(
        &app,
        &p.workshop_token,
        &format!("{path}/confirm"),
        &serde_json::Value::Null,
    )
    .await;
    let active = act(
        &app,
        &p.provider_token,
        &format!("{path}/activate"),
        &serde_json::Value::Null,
    )
    .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.text);
    assert_eq!(active.body["status"], "active");
    assert!(active.body["activated_at"].is_string());

    let frozen = app
        .patch_json_as(
            Some(&p.workshop_token),
            &path,
            Some(active.header("etag").expect("etag")),
            &json!({"title": "Uusi"}),
        )
        .await;
    frozen.assert_problem(StatusCode::CONFLICT, "conflict");

    let audit = app
        .get_as(Some(&app.admin_token), &format!("/v1/audit?resource_id={id}"))
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        vec![
            "agreement.create",
            "agreement.confirm",
            "agreement.confirm",
            "agreement.activate"
        ]
    );

    let terminated = act(
        &app,
        &p.provider_token,
        &format!("{path}/terminate"),
        &json!({"terminated_on": "2026-06-30", "reason": "Toiminta päättyy"}),
    )
    .await;
    assert_eq!(terminated.status, StatusCode::OK, "{}", terminated.text);
    assert_eq!(terminated.body["status"], "terminated");
    assert_eq!(
        terminated.body["termination"]["by_organisation_id"],
        p.provider.as_str()
    );
    assert_eq!(terminated.body["termination"]["terminated_on"], "2026-06-30");
}

async fn only_parties_change_a_draft_and_edits_need_the_current_version(app: TestApp) {
    let p = parties(&app).await;
    let created = app
        .post_json_as(
            Some(&p.workshop_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-2", "2026-01-01", None),
        )
        .await;
    let id = created.body["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/agreements/{id}");

    let outsider = app
        .patch_json_as(
            Some(&p.outsider_token),
            &path,
            Some("\"1\""),
            &json!({"title": "Kaapattu"}),
        )
        .await;
    outsider.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get_as(Some(&p.outsider_token), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get(&path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");

    let confirmed = act(
        &app,
        &p.provider_token,
        &format!("{path}/confirm"),
        &serde_json::Value::Null,
    )
    .await;
    let version = confirmed.header("etag").expect("etag").to_owned();
    let stale = app
        .patch_json_as(
            Some(&p.provider_token),
            &path,
            Some("\"1\""),
            &json!({"title": "Muutettu"}),
        )
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    let edited = app
        .patch_json_as(
            Some(&p.provider_token),
            &path,
            Some(&version),
            &json!({"title": "Muutettu"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(edited.body["title"], "Muutettu");
    assert!(
        edited.body["parties"]
            .as_array()
            .expect("parties")
            .iter()
            .all(|party| party["confirmed_at"].is_null()),
        "an edit asks every party to confirm again"
    );

    let drop_self = app
        .patch_json_as(
            Some(&p.workshop_token),
            &path,
            Some(edited.header("etag").expect("etag")),
            &json!({"parties": [{"organisation_id": p.provider, "role": "education_provider"}, {"organisation_id": p.outsider, "role": "work_organisation"}], "contacts": []}),
        )
        .await;
    drop_self.assert_problem(StatusCode::FORBIDDEN, "forbidden");
}

async fn agreements_are_validated(app: TestApp) {
    let p = parties(&app).await;
    let mut one_party = agreement_body(&p, "YS-3", "2026-01-01", None);
    one_party["parties"] = json!([{"organisation_id": p.workshop, "role": "work_organisation"}, {"organisation_id": p.outsider, "role": "work_organisation"}]);
    let reply = app
        .post_json_as(Some(&p.workshop_token), "/v1/agreements", &one_party)
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(reply.error_fields(), vec!["parties"]);

    let backwards = app
        .post_json_as(
            Some(&p.workshop_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-3", "2026-01-01", Some("2025-01-01")),
        )
        .await;
    backwards.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(backwards.error_fields(), vec!["valid_until"]);

    let mut unknown = agreement_body(&p, "YS-3", "2026-01-01", None);
    unknown["qualifications"] = json!(["999999"]);
    unknown["contacts"] = json!([{"organisation_id": p.outsider, "name": "X"}]);
    let reply = app
        .post_json_as(Some(&p.workshop_token), "/v1/agreements", &unknown)
        .await;
    assert_eq!(
        reply.error_fields(),
        vec!["qualifications[0]", "contacts[0].organisation_id"]
    );

    let not_mine = app
        .post_json_as(
            Some(&p.outsider_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-3", "2026-01-01", None),
        )
        .await;
    not_mine.assert_problem(StatusCode::FORBIDDEN, "forbidden");

    let first = app
        .post_json_as(
            Some(&p.workshop_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-3", "2026-01-01", None),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let duplicate = app
        .post_json_as(
            Some(&p.workshop_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-3", "2026-01-01", None),
        )
        .await;
    duplicate.assert_problem(StatusCode::CONFLICT, "conflict");
    let other_issuer = app
        .post_json_as(
            Some(&p.provider_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-3", "2026-01-01", None),
        )
        .await;
    assert_eq!(
        other_issuer.status,
        StatusCode::CREATED,
        "reference numbers are unique per issuer"
    );
}

async fn the_public_sees_a_summary_of_agreements_in_force(app: TestApp) {
    let p = parties(&app).await;
    let id = active_agreement(&app, &p, "YS-4", "2026-01-01", None).await;
    let public = app.get(&format!("/v1/agreements/{id}")).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text);
    assert_eq!(public.body["status"], "active");
    assert_eq!(public.body["qualifications"], json!(["381141"]));
    assert_eq!(public.body["parties"].as_array().expect("parties").len(), 2);
    for private in ["contacts", "terms", "attachments"] {
        assert!(
            public.body.get(private).is_none(),
            "{private} is hidden from the public"
        );
    }
    assert!(!public.text.contains("maija@example.fi"));
    let party = app
        .get_as(Some(&p.provider_token), &format!("/v1/agreements/{id}"))
        .await;
    assert_eq!(party.body["contacts"][0]["email"], "maija@example.fi");
    assert_eq!(party.body["terms"], "Luottamukselliset ehdot.");

    let listed = app.get("/v1/agreements").await;
    assert_eq!(listed.body["items"].as_array().expect("items").len(), 1);
    assert!(listed.body["items"][0].get("contacts").is_none());
    let draft = app
        .post_json_as(
            Some(&p.workshop_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-5", "2026-01-01", None),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED);
    assert_eq!(
        app.get("/v1/agreements").await.body["items"]
            .as_array()
            .expect("items")
            .len(),
        1,
        "drafts are not public"
    );
    let own = app.get_as(Some(&p.workshop_token), "/v1/agreements").await;
    assert_eq!(
        own.body["items"].as_array().expect("items").len(),
        2,
        "a party sees its drafts too"
    );
    let without_scope = app.token_for(&p.workshop, "organisations:write").await;
    let summary_only = app.get_as(Some(&without_scope), "/v1/agreements").await;
    assert_eq!(
        summary_only.body["items"].as_array().expect("items").len(),
        1,
        "without an agreements scope a party's client sees what the public sees"
    );
    assert!(summary_only.body["items"][0].get("terms").is_none());

    for (query, expected) in [
        ("qualification=381141", 1),
        ("qualification=351204", 0),
        ("region=04", 1),
        ("region=18", 0),
        ("municipality=684", 1),
        (&format!("party={}&role=education_provider", p.provider), 1),
        (&format!("party={}&role=work_organisation", p.provider), 0),
        (&format!("party={}", p.outsider), 0),
    ] {
        let reply = app.get(&format!("/v1/agreements?{query}")).await;
        assert_eq!(
            reply.body["items"].as_array().expect("items").len(),
            expected,
            "{query}"
        );
    }
}

async fn an_agreement_past_its_end_reads_as_expired(app: TestApp) {
    let p = parties(&app).await;
    let id = active_agreement(&app, &p, "YS-6", "2020-01-01", Some("2020-12-31")).await;
    let current = active_agreement(&app, &p, "YS-7", "2024-01-01", None).await;
    let party = app
        .get_as(Some(&p.workshop_token), &format!("/v1/agreements/{id}"))
        .await;
    assert_eq!(party.body["status"], "expired");
    app.get(&format!("/v1/agreements/{id}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");

    let ids = |reply: &crate::helpers::Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let in_2020 = app
        .get_as(Some(&p.workshop_token), "/v1/agreements?valid_on=2020-06-01")
        .await;
    assert_eq!(ids(&in_2020), vec![id.clone()]);
    let in_2025 = app
        .get_as(Some(&p.workshop_token), "/v1/agreements?valid_on=2025-06-01")
        .await;
    assert_eq!(ids(&in_2025), vec![current.clone()]);
    let expired = app
        .get_as(Some(&p.workshop_token), "/v1/agreements?status=expired")
        .await;
    assert_eq!(ids(&expired), vec![id.clone()]);
    let active = app
        .get_as(Some(&p.workshop_token), "/v1/agreements?status=active")
        .await;
    assert_eq!(ids(&active), vec![current]);
    let terminate = act(
        &app,
        &p.workshop_token,
        &format!("/v1/agreements/{id}/terminate"),
        &json!({"terminated_on": "2020-06-30", "reason": "x"}),
    )
    .await;
    terminate.assert_problem(StatusCode::CONFLICT, "conflict");
}

async fn lifecycle_actions_need_the_current_version(app: TestApp) {
    let p = parties(&app).await;
    let created = app
        .post_json_as(
            Some(&p.workshop_token),
            "/v1/agreements",
            &agreement_body(&p, "YS-8", "2026-01-01", None),
        )
        .await;
    let path = format!("/v1/agreements/{}", created.body["id"].as_str().expect("id"));
    let unconditional = app
        .post_json_as(
            Some(&p.workshop_token),
            &format!("{path}/confirm"),
            &serde_json::Value::Null,
        )
        .await;
    unconditional.assert_problem(StatusCode::PRECONDITION_REQUIRED, "precondition-required");
    let edited = app
        .patch_json_as(
            Some(&p.provider_token),
            &path,
            Some("\"1\""),
            &json!({"terms": "Uudet ehdot"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK);
    // The workshop read version 1; the draft has changed since, so its confirmation is refused.
    let stale = app
        .post_if_match(
            Some(&p.workshop_token),
            &format!("{path}/confirm"),
            "\"1\"",
            &serde_json::Value::Null,
        )
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
}

/// Rules about who may be a party and when an agreement may end.
async fn parties_are_distinct_and_active_and_endings_follow_beginnings(app: TestApp) {
    let p = parties(&app).await;
    let mut twice = agreement_body(&p, "YS-5", "2026-01-01", None);
    twice["parties"] = json!([
        {"organisation_id": p.workshop, "role": "work_organisation"},
        {"organisation_id": p.provider, "role": "education_provider"},
        {"organisation_id": p.workshop, "role": "work_organisation"}
    ]);
    let reply = app
        .post_json_as(Some(&p.workshop_token), "/v1/agreements", &twice)
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(reply.error_fields(), vec!["parties"], "{}", reply.text);

    // A deactivated organisation takes on no new agreement.
    let deactivated = app
        .patch_json(
            &format!("/v1/organisations/{}", p.outsider),
            Some("\"1\""),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.text);
    let mut inactive = agreement_body(&p, "YS-6", "2026-01-01", None);
    inactive["parties"] = json!([
        {"organisation_id": p.workshop, "role": "work_organisation"},
        {"organisation_id": p.provider, "role": "education_provider"},
        {"organisation_id": p.outsider, "role": "work_organisation"}
    ]);
    let reply = app
        .post_json_as(Some(&p.workshop_token), "/v1/agreements", &inactive)
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(
        reply.error_fields(),
        vec!["parties[2].organisation_id"],
        "{}",
        reply.text
    );

    // An agreement cannot end before it began.
    let id = active_agreement(&app, &p, "YS-7", "2026-01-01", None).await;
    let early = act(
        &app,
        &p.workshop_token,
        &format!("/v1/agreements/{id}/terminate"),
        &json!({"terminated_on": "2025-12-31", "reason": "Toiminta päättyi."}),
    )
    .await;
    early.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(early.error_fields(), vec!["terminated_on"], "{}", early.text);
}

backend_tests!(
    parties_are_distinct_and_active_and_endings_follow_beginnings,
    lifecycle_actions_need_the_current_version,
    an_agreement_activates_only_when_every_party_has_confirmed,
    only_parties_change_a_draft_and_edits_need_the_current_version,
    agreements_are_validated,
    the_public_sees_a_summary_of_agreements_in_force,
    an_agreement_past_its_end_reads_as_expired,
);
