//! Holes an attacker from outside would try: privileges raised by their own holder, personal data
//! and secrets left readable at rest, lockouts and floods, and input that must never be a 500.

use awc::http::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{organisation_body, TestApp},
};

async fn an_organisation_cannot_raise_its_own_privileges(app: TestApp) {
    let workshop = app
        .create_organisation(&organisation_body(json!({"business_id": "0112038-9"})))
        .await;
    let id = workshop["id"].as_str().expect("id");
    let path = format!("/v1/organisations/{id}");
    let token = app.token_for(id, "organisations:write").await;

    let raised = app
        .patch_json_as(
            Some(&token),
            &path,
            Some("\"1\""),
            &json!({
                "kind": "regional_network",
                "active": false,
                "business_id": "2617416-4",
                "oph_oid": "1.2.246.562.10.00000000001",
                "municipality": "205",
                "phone": "040 123 4567"
            }),
        )
        .await;
    raised.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        raised.error_fields(),
        vec!["active", "business_id", "kind", "municipality", "oph_oid"]
    );
    assert_eq!(app.get(&path).await.body, workshop, "nothing changed");

    // Its names and contact details stay its own, and sending the fields unchanged is no change.
    let own = app
        .patch_json_as(
            Some(&token),
            &path,
            Some("\"1\""),
            &json!({"phone": "040 123 4567", "name": {"en": "Rauma Youth Workshop"}, "kind": "workshop"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    assert_eq!(own.body["phone"], "040 123 4567");

    // A deactivation by an administrator cannot be undone by the organisation itself.
    let deactivated = app
        .patch_json(&path, Some("\"2\""), &json!({"active": false, "kind": "education_provider"}))
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.text);
    let undone = app
        .patch_json_as(Some(&token), &path, Some("\"3\""), &json!({"active": true}))
        .await;
    undone.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(undone.error_fields(), vec!["active"]);
}

backend_tests!(an_organisation_cannot_raise_its_own_privileges);

async fn nul_characters_are_bad_input_everywhere(app: TestApp) {
    let workshop = app.create_organisation(&organisation_body(json!({}))).await;
    let id = workshop["id"].as_str().expect("id");
    for path in [
        "/v1/organisations?q=a%00b",
        "/v1/qualifications?q=%00",
        "/v1/organisations/%00",
        "/verify/ABC%00D",
        "/v1/catalogue/environments?q=x%00",
    ] {
        let reply = app.get(path).await;
        reply.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    }
    let query = app.get("/v1/organisations?limit=5&q=a%00b").await;
    assert_eq!(query.error_fields(), vec!["q"]);

    let created = app
        .post_json(
            "/v1/organisations",
            &organisation_body(json!({"name": {"fi": "Paja\u{0}"}, "phone": "\u{0}040"})),
        )
        .await;
    created.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(created.error_fields(), vec!["name.fi", "phone"]);

    let patched = app
        .patch_json(
            &format!("/v1/organisations/{id}"),
            Some("\"1\""),
            &json!({"website": "https://a.example/\u{0}"}),
        )
        .await;
    patched.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(patched.error_fields(), vec!["website"]);

    let token = app
        .client
        .post(app.url("/oauth/token"))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .send_body("grant_type=client_credentials&client_id=a%00&client_secret=b")
        .await
        .expect("request is sent");
    let token = crate::helpers::Reply::from(token).await;
    assert_eq!(token.status, StatusCode::BAD_REQUEST, "{}", token.text);
    assert_eq!(token.body["error"], "invalid_request");
    assert_eq!(app.get(&format!("/v1/organisations/{id}")).await.body, workshop);
}

async fn wildcards_in_text_filters_match_only_themselves(app: TestApp) {
    app.create_organisation(&organisation_body(json!({}))).await;
    for path in [
        "/v1/qualifications?q=%25",
        "/v1/qualifications?q=_",
        "/v1/qualifications?q=3%25",
        "/v1/organisations?q=_",
        "/v1/organisations?q=%25",
        "/v1/learning-environments?q=%25",
        "/v1/guidelines?q=_",
        "/v1/programmes?q=%25",
    ] {
        let reply = app.get_as(Some(&app.admin_token), path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
        assert_eq!(reply.body["items"], json!([]), "{path}");
    }
    let by_code = app.get("/v1/qualifications?q=3811").await;
    assert!(!by_code.body["items"].as_array().expect("items").is_empty());
}

async fn pages_and_personal_data_carry_browser_protections(app: TestApp) {
    let page = app.get_accepting(None, "/verify/AAAAA-AAAAA", "text/html").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let policy = page.header("content-security-policy").expect("a CSP on pages");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("cache-control"), Some("no-store"));

    let docs = app.get("/docs/").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs
        .header("content-security-policy")
        .is_some_and(|policy| policy.contains("frame-ancestors 'none'")));

    let personal = app.get_as(Some(&app.admin_token), "/v1/certificates").await;
    assert_eq!(personal.status, StatusCode::OK, "{}", personal.text);
    assert_eq!(personal.header("cache-control"), Some("no-store"));
    let public = app.get("/v1/regions").await;
    assert_ne!(public.header("cache-control"), Some("no-store"));
    assert_eq!(public.header("x-content-type-options"), Some("nosniff"));
}

async fn cors_opens_public_reads_but_not_credentials(app: TestApp) {
    let preflight = |headers: &'static str, method: &'static str| {
        app.client
            .request(awc::http::Method::OPTIONS, app.url("/v1/certificates"))
            .insert_header(("origin", "https://evil.example"))
            .insert_header(("access-control-request-method", method))
            .insert_header(("access-control-request-headers", headers))
            .send()
    };
    let with_token = crate::helpers::Reply::from(preflight("authorization", "GET").await.expect("sent")).await;
    assert!(
        with_token.header("access-control-allow-origin").is_none(),
        "a foreign page may not send a token: {:?}",
        with_token.headers
    );
    let write = crate::helpers::Reply::from(preflight("content-type", "POST").await.expect("sent")).await;
    assert!(write.header("access-control-allow-origin").is_none());

    let public = app
        .client
        .get(app.url("/v1/regions"))
        .insert_header(("origin", "https://any.example"))
        .send()
        .await
        .expect("sent");
    let public = crate::helpers::Reply::from(public).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.header("access-control-allow-origin"), Some("https://any.example"));
    assert!(public.header("access-control-allow-credentials").is_none());
}

backend_tests!(
    nul_characters_are_bad_input_everywhere,
    wildcards_in_text_filters_match_only_themselves,
    pages_and_personal_data_carry_browser_protections,
    cors_opens_public_reads_but_not_credentials,
);
