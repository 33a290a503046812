//! Regional guidelines, their signatures and the public signatory lists.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{organisation_body, TestApp},
};

async fn organisation(app: &TestApp, kind: &str, name: &str, municipality: &str) -> String {
    app.create_organisation(&organisation_body(
        json!({"kind": kind, "name": {"fi": name}, "municipality": municipality}),
    ))
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn guideline_body(regions: &[&str]) -> Value {
    json!({
        "title": {"fi": "Työpajojen ja ammatillisen koulutuksen yhteistyön linjaukset"},
        "version_label": "2019",
        "adopted_on": "2019-05-15",
        "adopting_body": "Työpajayhdistys",
        "scope": {"national": regions.is_empty(), "regions": regions}
    })
}

/// A regional network's token and an open guideline it maintains for these regions.
async fn open_guideline(app: &TestApp, regions: &[&str]) -> (String, String) {
    let network = organisation(app, "regional_network", "Satakunnan työpajaverkosto", "609").await;
    let token = app.token_for(&network, "guidelines:write").await;
    let created = app
        .post_json_as(Some(&token), "/v1/guidelines", &guideline_body(regions))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let opened = app
        .post_json_as(
            Some(&token),
            &format!("/v1/guidelines/{id}/open"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
    (token, id)
}

async fn sign(app: &TestApp, token: &str, guideline: &str, region: &str) -> crate::helpers::Reply {
    app.post_json_as(
        Some(token),
        &format!("/v1/guidelines/{guideline}/signatures"),
        &json!({"region": region, "signer_name": "Maija Meikäläinen", "signer_title": "johtaja", "signed_on": "2019-09-02"}),
    )
    .await
}

async fn a_guideline_goes_from_draft_to_open_to_closed(app: TestApp) {
    let network = organisation(&app, "regional_network", "Kainuun pajaverkosto", "205").await;
    let token = app.token_for(&network, "guidelines:write").await;
    let mut body = guideline_body(&["18"]);
    body["adopted_on"] = Value::Null;
    let created = app.post_json_as(Some(&token), "/v1/guidelines", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["owner_organisation_id"], network.as_str());
    let id = created.body["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/guidelines/{id}");

    assert_eq!(
        app.get(&path).await.status,
        StatusCode::NOT_FOUND,
        "drafts are not public"
    );
    assert!(app.get("/v1/guidelines").await.body["items"]
        .as_array()
        .expect("items")
        .is_empty());
    assert_eq!(
        app.get_as(Some(&token), &path).await.status,
        StatusCode::OK,
        "the owner sees its draft"
    );

    let not_adopted = app
        .post_json_as(Some(&token), &format!("{path}/open"), &serde_json::Value::Null)
        .await;
    not_adopted.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(not_adopted.error_fields(), vec!["adopted_on"]);

    let edited = app
        .patch_json_as(
            Some(&token),
            &path,
            Some("\"1\""),
            &json!({"adopted_on": "2019-05-15", "summary": "Tiivistelmä"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(edited.body["version"], 2);
    let stale = app
        .patch_json_as(Some(&token), &path, Some("\"1\""), &json!({"summary": "x"}))
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    let opened = app
        .post_json_as(Some(&token), &format!("{path}/open"), &serde_json::Value::Null)
        .await;
    assert_eq!(opened.body["status"], "open_for_signing", "{}", opened.text);
    assert_eq!(app.get(&path).await.status, StatusCode::OK, "public once open");
    let frozen = app
        .patch_json_as(Some(&token), &path, Some("\"3\""), &json!({"summary": "x"}))
        .await;
    frozen.assert_problem(StatusCode::CONFLICT, "conflict");
    let reopen = app
        .post_json_as(Some(&token), &format!("{path}/open"), &serde_json::Value::Null)
        .await;
    reopen.assert_problem(StatusCode::CONFLICT, "conflict");

    let closed = app
        .post_json_as(Some(&token), &format!("{path}/close"), &serde_json::Value::Null)
        .await;
    assert_eq!(closed.body["status"], "closed", "{}", closed.text);

    let audit = app
        .get_as(Some(&app.admin_token), &format!("/v1/audit?resource_id={id}"))
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        vec![
            "guideline.create",
            "guideline.update",
            "guideline.open",
            "guideline.close"
        ]
    );
}

async fn only_networks_and_administrators_write_guidelines(app: TestApp) {
    let workshop = organisation(&app, "workshop", "Työpaja", "684").await;
    let workshop_token = app.token_for(&workshop, "guidelines:write").await;
    let refused = app
        .post_json_as(Some(&workshop_token), "/v1/guidelines", &guideline_body(&["04"]))
        .await;
    refused.assert_problem(StatusCode::FORBIDDEN, "forbidden");

    let network = organisation(&app, "regional_network", "Verkosto", "609").await;
    let no_scope = app.token_for(&network, "audit:read").await;
    let refused = app
        .post_json_as(Some(&no_scope), "/v1/guidelines", &guideline_body(&["04"]))
        .await;
    refused.assert_problem(StatusCode::FORBIDDEN, "forbidden");

    let (_, id) = open_guideline(&app, &["04"]).await;
    let other_network_token = app.token_for(&network, "guidelines:write").await;
    let not_owner = app
        .post_json_as(
            Some(&other_network_token),
            &format!("/v1/guidelines/{id}/close"),
            &serde_json::Value::Null,
        )
        .await;
    not_owner.assert_problem(StatusCode::FORBIDDEN, "forbidden");

    let admin = app.post_json("/v1/guidelines", &guideline_body(&[])).await;
    assert_eq!(admin.status, StatusCode::CREATED, "{}", admin.text);
    assert_eq!(admin.body["scope"], json!({"national": true, "regions": []}));

    let bad_scope = app
        .post_json("/v1/guidelines", &json!({"title": {"fi": "X"}, "version_label": "1", "scope": {"national": false, "regions": ["77"]}}))
        .await;
    bad_scope.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(bad_scope.error_fields(), vec!["scope.regions[0]"]);
    let empty_scope = app
        .post_json(
            "/v1/guidelines",
            &json!({"title": {"fi": "X"}, "version_label": "1", "scope": {"national": false}}),
        )
        .await;
    assert_eq!(empty_scope.error_fields(), vec!["scope"]);
}

async fn organisations_sign_once_per_region_and_withdrawals_keep_history(app: TestApp) {
    let (_, guideline) = open_guideline(&app, &["04"]).await;
    let workshop = organisation(&app, "workshop", "Rauman työpaja", "684").await;
    let token = app.token_for(&workshop, "guidelines:write").await;

    let signed = sign(&app, &token, &guideline, "04").await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.text);
    assert_eq!(signed.body["organisation"]["id"], workshop.as_str());
    assert_eq!(signed.body["organisation"]["kind"], "workshop");
    assert_eq!(signed.body["active"], true);
    assert_eq!(signed.body["recorded_on_behalf"], false);
    let signature = signed.body["id"].as_str().expect("id").to_owned();

    sign(&app, &token, &guideline, "04")
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");
    let outside = sign(&app, &token, &guideline, "18").await;
    outside.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(outside.error_fields(), vec!["region"]);

    let other = organisation(&app, "workshop", "Toinen", "684").await;
    let for_other = app
        .post_json_as(
            Some(&token),
            &format!("/v1/guidelines/{guideline}/signatures"),
            &json!({"organisation_id": other, "region": "04", "signer_name": "X", "signed_on": "2019-09-02"}),
        )
        .await;
    for_other.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let on_behalf = app
        .post_json(
            &format!("/v1/guidelines/{guideline}/signatures"),
            &json!({"organisation_id": other, "region": "04", "signer_name": "Paperilta", "signed_on": "2019-10-01"}),
        )
        .await;
    assert_eq!(on_behalf.status, StatusCode::CREATED, "{}", on_behalf.text);
    assert_eq!(on_behalf.body["recorded_on_behalf"], true);

    let withdraw_path = format!("/v1/guidelines/{guideline}/signatures/{signature}/withdraw");
    let foreign = app.token_for(&other, "guidelines:write").await;
    app.post_json_as(
        Some(&foreign),
        &withdraw_path,
        &json!({"withdrawn_on": "2024-01-31", "reason": "x"}),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let withdrawn = app
        .post_json_as(
            Some(&token),
            &withdraw_path,
            &json!({"withdrawn_on": "2024-01-31", "reason": "Toiminta päättyi"}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
    assert_eq!(withdrawn.body["active"], false);
    assert_eq!(withdrawn.body["withdrawn_on"], "2024-01-31");
    app.post_json_as(
        Some(&token),
        &withdraw_path,
        &json!({"withdrawn_on": "2024-02-01", "reason": "again"}),
    )
    .await
    .assert_problem(StatusCode::CONFLICT, "conflict");

    let history = app.get(&format!("/v1/guidelines/{guideline}/signatures")).await;
    assert_eq!(
        history.body["items"].as_array().expect("items").len(),
        2,
        "withdrawn signatures stay listed"
    );
    let active = app
        .get(&format!("/v1/guidelines/{guideline}/signatures?active=true"))
        .await;
    assert_eq!(active.body["items"].as_array().expect("items").len(), 1);
    let withdrawn_only = app
        .get(&format!(
            "/v1/guidelines/{guideline}/signatures?active=false&kind=workshop"
        ))
        .await;
    assert_eq!(withdrawn_only.body["items"][0]["id"], signature.as_str());

    let again = sign(&app, &token, &guideline, "04").await;
    assert_eq!(
        again.status,
        StatusCode::CREATED,
        "a withdrawn signature does not block a new one"
    );
    let own = app.get(&format!("/v1/organisations/{workshop}/signatures")).await;
    assert_eq!(own.body["items"].as_array().expect("items").len(), 2);
}

async fn signatories_are_counted_per_region_and_kind(app: TestApp) {
    let (network_token, guideline) = open_guideline(&app, &["04", "18"]).await;
    let mut tokens = Vec::new();
    for (kind, name, municipality) in [
        ("workshop", "Rauman työpaja", "684"),
        ("workshop", "Porin työpaja", "609"),
        ("education_provider", "Satakunnan koulutuskuntayhtymä", "609"),
        ("workshop", "Kajaanin työpaja", "205"),
    ] {
        let id = organisation(&app, kind, name, municipality).await;
        tokens.push(app.token_for(&id, "guidelines:write").await);
    }
    for token in &tokens[..3] {
        assert_eq!(
            sign(&app, token, &guideline, "04").await.status,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        sign(&app, &tokens[3], &guideline, "18").await.status,
        StatusCode::CREATED
    );
    let porin = sign(&app, &tokens[1], &guideline, "18").await;
    assert_eq!(
        porin.status,
        StatusCode::CREATED,
        "one organisation may sign for several regions"
    );

    let satakunta = app.get("/v1/signatories?region=04").await;
    assert_eq!(satakunta.status, StatusCode::OK, "{}", satakunta.text);
    assert_eq!(satakunta.body["guideline"]["id"], guideline.as_str());
    assert_eq!(satakunta.body["total"], 3);
    let counts: Vec<(String, u64)> = satakunta.body["by_kind"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| {
            (
                group["kind"].as_str().expect("kind").to_owned(),
                group["count"].as_u64().expect("count"),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![("education_provider".to_owned(), 1), ("workshop".to_owned(), 2)]
    );
    assert_eq!(app.get("/v1/signatories?region=18").await.body["total"], 2);
    assert_eq!(
        app.get("/v1/signatories?region=01").await.body["guideline"],
        json!(null)
    );
    app.get("/v1/signatories?region=77")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");

    // A newer version supersedes the old one: the old closes, the new opens, and the lists follow it.
    let mut v2 = guideline_body(&["04", "18"]);
    v2["version_label"] = json!("2025");
    v2["adopted_on"] = json!("2025-01-15");
    let draft = app
        .post_json_as(Some(&network_token), "/v1/guidelines", &v2)
        .await;
    let successor = draft.body["id"].as_str().expect("id").to_owned();
    let superseded = app
        .post_json_as(
            Some(&network_token),
            &format!("/v1/guidelines/{guideline}/supersede"),
            &json!({"successor_id": successor}),
        )
        .await;
    assert_eq!(superseded.status, StatusCode::OK, "{}", superseded.text);
    assert_eq!(superseded.body["status"], "closed");
    assert_eq!(superseded.body["superseded_by"], successor.as_str());
    assert_eq!(
        app.get(&format!("/v1/guidelines/{successor}")).await.body["status"],
        "open_for_signing"
    );
    let now_in_force = app.get("/v1/signatories?region=04").await;
    assert_eq!(now_in_force.body["guideline"]["version_label"], "2025");
    assert_eq!(now_in_force.body["total"], 0);
    sign(&app, &tokens[0], &guideline, "04")
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");

    let open = app.get("/v1/guidelines?status=open_for_signing").await;
    assert_eq!(open.body["items"].as_array().expect("items").len(), 1);
    let in_kainuu = app.get("/v1/guidelines?region=18&q=YHTEISTYON").await;
    assert_eq!(in_kainuu.body["items"].as_array().expect("items").len(), 2);
    assert!(app.get("/v1/guidelines?region=01").await.body["items"]
        .as_array()
        .expect("items")
        .is_empty());
}

/// A draft is not signed, and a guideline does not supersede itself.
async fn drafts_are_not_signed_and_nothing_supersedes_itself(app: TestApp) {
    let (network_token, open) = open_guideline(&app, &["04"]).await;
    let draft = app
        .post_json_as(Some(&network_token), "/v1/guidelines", &guideline_body(&["04"]))
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let draft = draft.body["id"].as_str().expect("id").to_owned();
    let workshop = organisation(&app, "workshop", "Rauman nuorten työpaja", "684").await;
    let signer = app.token_for(&workshop, "guidelines:write").await;
    // To others a draft does not exist yet; its owner cannot sign it either until it opens.
    let by_other = sign(&app, &signer, &draft, "04").await;
    by_other.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let by_owner = sign(&app, &network_token, &draft, "04").await;
    by_owner.assert_problem(StatusCode::CONFLICT, "conflict");
    let signatures = app
        .get_as(
            Some(&network_token),
            &format!("/v1/guidelines/{draft}/signatures"),
        )
        .await;
    assert_eq!(signatures.body["items"], json!([]), "nothing was recorded");

    let itself = app
        .post_json_as(
            Some(&network_token),
            &format!("/v1/guidelines/{open}/supersede"),
            &json!({"successor_id": open}),
        )
        .await;
    assert!(itself.status.is_client_error(), "{}", itself.text);
    assert_eq!(
        app.get(&format!("/v1/guidelines/{open}")).await.body["status"],
        "open_for_signing",
        "the guideline stays open"
    );
}

backend_tests!(
    drafts_are_not_signed_and_nothing_supersedes_itself,
    a_guideline_goes_from_draft_to_open_to_closed,
    only_networks_and_administrators_write_guidelines,
    organisations_sign_once_per_region_and_withdrawals_keep_history,
    signatories_are_counted_per_region_and_kind,
);
