//! The conventions every endpoint shares: problem details, request ids, body limits, CORS.

use awc::http::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{organisation_body, Reply, TestApp},
};

async fn unknown_routes_are_problem_404s(app: TestApp) {
    let reply = app.off_contract().get("/v1/no-such-thing").await;
    reply.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(reply.body["instance"], "/v1/no-such-thing");
}

async fn malformed_json_is_a_problem_400(app: TestApp) {
    let reply = Reply::from(
        app.client
            .post(app.url("/v1/organisations"))
            .bearer_auth(&app.admin_token)
            .insert_header(("content-type", "application/json"))
            .send_body("{\"kind\": ")
            .await
            .expect("sent"),
    )
    .await;
    reply.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
}

async fn json_of_the_wrong_shape_names_the_field(app: TestApp) {
    let reply = app
        .post_json("/v1/organisations", &organisation_body(json!({"kind": "castle"})))
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(reply.error_fields(), vec!["kind"]);
    assert_eq!(reply.body["errors"][0]["code"], "unknown_value");

    let missing = app
        .post_json(
            "/v1/organisations",
            &json!({"kind": "workshop", "municipality": "684"}),
        )
        .await;
    missing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(missing.error_fields(), vec!["name"]);
    assert_eq!(missing.body["errors"][0]["code"], "required");
}

async fn bodies_that_are_not_json_are_a_problem_415(app: TestApp) {
    let reply = Reply::from(
        app.client
            .post(app.url("/v1/organisations"))
            .bearer_auth(&app.admin_token)
            .insert_header(("content-type", "text/plain"))
            .send_body("kind=workshop")
            .await
            .expect("sent"),
    )
    .await;
    reply.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
}

async fn bodies_over_the_limit_are_a_problem_413(app: TestApp) {
    // The test configuration sets MAX_BODY_BYTES to 64 KiB.
    let huge = organisation_body(json!({"website": format!("https://example.fi/{}", "a".repeat(70_000))}));
    let reply = app.post_json("/v1/organisations", &huge).await;
    reply.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
}

async fn bad_query_parameters_are_problem_400s_naming_them(app: TestApp) {
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=lots", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("kind=castle", "kind"),
        ("active=maybe", "active"),
    ] {
        let reply = app.get(&format!("/v1/organisations?{query}")).await;
        reply.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
        assert_eq!(reply.error_fields(), vec![field], "{query}");
    }
}

async fn request_ids_are_echoed_or_generated(app: TestApp) {
    let echoed = Reply::from(
        app.client
            .get(app.url("/v1/regions"))
            .insert_header(("x-request-id", "caller-trace-42"))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(echoed.header("x-request-id"), Some("caller-trace-42"));

    let generated = app.off_contract().get("/v1/no-such-thing").await;
    let id = generated
        .header("x-request-id")
        .expect("a request id is generated");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(generated.body["request_id"], id, "the problem names the same id");

    let unsafe_id = Reply::from(
        app.client
            .get(app.url("/v1/regions"))
            .insert_header(("x-request-id", "<script>alert(1)</script>"))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_ne!(
        unsafe_id.header("x-request-id"),
        Some("<script>alert(1)</script>")
    );
}

async fn cors_preflight_allows_the_api_headers(app: TestApp) {
    let reply = Reply::from(
        app.client
            .request(awc::http::Method::OPTIONS, app.url("/v1/organisations"))
            .insert_header(("origin", "https://frontend.example"))
            .insert_header(("access-control-request-method", "POST"))
            .insert_header((
                "access-control-request-headers",
                "content-type,idempotency-key,authorization",
            ))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(reply.header("access-control-allow-origin").is_some());
    let allowed = reply
        .header("access-control-allow-headers")
        .expect("allowed headers")
        .to_ascii_lowercase();
    assert!(allowed.contains("idempotency-key"), "{allowed}");

    let simple = Reply::from(
        app.client
            .get(app.url("/v1/regions"))
            .insert_header(("origin", "https://frontend.example"))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    let exposed = simple
        .header("access-control-expose-headers")
        .expect("exposed headers")
        .to_ascii_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("x-request-id"),
        "{exposed}"
    );
}

/// A known path asked with a method it does not have: 405 naming the methods it has; `OPTIONS`
/// lists them. A literal segment wins over a parameter, as in routing.
async fn other_methods_on_known_paths_are_405s_with_allow(app: TestApp) {
    let reply = Reply::from(
        app.client
            .put(app.url("/v1/organisations"))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    reply.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
    assert_eq!(reply.header("allow"), Some("GET, POST"));

    let feed = Reply::from(
        app.client
            .put(app.url("/v1/certificates/feed"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    feed.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
    assert_eq!(feed.header("allow"), Some("GET"));
    let certificate = Reply::from(
        app.client
            .post(app.url("/v1/certificates/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    certificate.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
    assert_eq!(certificate.header("allow"), Some("GET, PATCH, DELETE"));

    let options = Reply::from(
        app.client
            .request(awc::http::Method::OPTIONS, app.url("/v1/certificates/search"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(options.status, StatusCode::NO_CONTENT);
    assert_eq!(options.header("allow"), Some("POST"));

    app.off_contract()
        .get("/v1/organisations/a/b/c")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
}

/// An `If-Match` that is not even a header value of visible ASCII, or not entity tags (a version
/// without its quotes), is a malformed request (400), not a stale version (412), also where
/// `If-Match` is optional.
async fn malformed_if_match_is_a_problem_400(app: TestApp) {
    let created = app.create_organisation(&organisation_body(json!({}))).await;
    let path = format!("/v1/organisations/{}", created["id"].as_str().expect("id"));
    let with_if_match = |request: awc::ClientRequest, value: &'static [u8]| {
        request.bearer_auth(&app.admin_token).insert_header((
            "if-match",
            awc::http::header::HeaderValue::from_bytes(value).expect("a header value"),
        ))
    };
    let patch = with_if_match(app.client.patch(app.url(&path)), b"\"1\"\xff")
        .insert_header(("content-type", "application/merge-patch+json"))
        .send_body("{}")
        .await
        .expect("sent");
    let reply = Reply::from(patch).await;
    reply.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    assert_eq!(reply.error_fields(), vec!["If-Match"]);
    app.patch_json(&path, Some("\"7\",\t\"8\""), &json!({"phone": null}))
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    // The version without its quotes is a malformed tag, not another version: 400 saying so.
    let unquoted = app.patch_json(&path, Some("1"), &json!({"phone": null})).await;
    unquoted.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    assert!(unquoted.text.contains("double quotes"), "{}", unquoted.text);
    let weak = app
        .patch_json(&path, Some("W/\"1\""), &json!({"phone": null}))
        .await;
    weak.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    let guideline = app
        .post_json(
            "/v1/guidelines",
            &json!({"title": {"fi": "Linjaukset"}, "version_label": "1", "scope": {"national": true}}),
        )
        .await;
    assert_eq!(guideline.status, StatusCode::CREATED, "{:?}", guideline.body);
    let open = format!(
        "/v1/guidelines/{}/open",
        guideline.body["id"].as_str().expect("id")
    );
    let reply = Reply::from(
        with_if_match(app.client.post(app.url(&open)), b"\xe4")
            .send()
            .await
            .expect("sent"),
    )
    .await;
    reply.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    assert_eq!(reply.error_fields(), vec!["If-Match"]);
}

backend_tests!(
    other_methods_on_known_paths_are_405s_with_allow,
    malformed_if_match_is_a_problem_400,
    unknown_routes_are_problem_404s,
    malformed_json_is_a_problem_400,
    json_of_the_wrong_shape_names_the_field,
    bodies_that_are_not_json_are_a_problem_415,
    bodies_over_the_limit_are_a_problem_413,
    bad_query_parameters_are_problem_400s_naming_them,
    request_ids_are_echoed_or_generated,
    cors_preflight_allows_the_api_headers,
);

/// A problem's `type` resolves: a page for a person, JSON for a program, 404 for no such type.
async fn problem_types_resolve_to_what_they_mean(app: TestApp) {
    let problem = app.off_contract().get("/v1/no-such-thing").await;
    let type_uri = problem.body["type"].as_str().expect("a type").to_owned();
    let described = app.get(&type_uri).await;
    assert_eq!(described.status, StatusCode::OK, "{}", described.text);
    assert_eq!(described.body["type"], type_uri);
    assert_eq!(described.body["status"], 404);
    assert!(described.body["what_to_do"]
        .as_str()
        .is_some_and(|text| !text.is_empty()));

    let page = app
        .get_accepting(None, "/problems/precondition-failed", "text/html,*/*;q=0.8")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        page.text.contains("<h1>The resource has changed</h1>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("If-Match"), "{}", page.text);

    let document = crate::contract::contract().document();
    let slugs = document["components"]["schemas"]["ProblemKind"]["enum"]
        .as_array()
        .expect("the document lists the problem types");
    for slug in slugs {
        let slug = slug.as_str().expect("a slug");
        let reply = app.get(&format!("/problems/{slug}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{slug}");
    }
    app.get("/problems/no-such-problem")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
}

backend_tests!(problem_types_resolve_to_what_they_mean);

/// An `Accept` that allows none of what an operation answers in is refused before any work; a
/// range or a lower quality that covers it is served.
async fn unacceptable_media_types_are_406s(app: TestApp) {
    let xml = app.get_accepting(None, "/v1/regions", "application/xml").await;
    xml.assert_problem(StatusCode::NOT_ACCEPTABLE, "not-acceptable");
    assert_eq!(xml.body["detail"], "Accept one of application/json.");
    let before = app.get("/v1/organisations").await.body["items"]
        .as_array()
        .map(Vec::len);
    let refused = app
        .client
        .post(app.url("/v1/organisations"))
        .bearer_auth(&app.admin_token)
        .insert_header(("accept", "text/csv"))
        .send_json(&organisation_body(json!({})))
        .await
        .expect("sent");
    let refused = app.exchanged("POST", "/v1/organisations", None, Reply::from(refused).await);
    refused.assert_problem(StatusCode::NOT_ACCEPTABLE, "not-acceptable");
    let after = app.get("/v1/organisations").await.body["items"]
        .as_array()
        .map(Vec::len);
    assert_eq!(before, after, "nothing was created");

    for accept in ["application/*", "text/html, */*;q=0.8", "application/json;q=0.5"] {
        let served = app.get_accepting(None, "/v1/regions", accept).await;
        assert_eq!(served.status, StatusCode::OK, "{accept}");
    }
    let page = app
        .get_accepting(None, "/problems/not-found", "application/json;q=0, text/html")
        .await;
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8"),
        "the one left"
    );
}

backend_tests!(unacceptable_media_types_are_406s);

/// A body with several values of the wrong shape is answered with every one of them, not only
/// the first that serde met.
async fn every_field_of_the_wrong_shape_is_named(app: TestApp) {
    let reply = app
        .post_json(
            "/v1/organisations",
            &json!({"kind": "castle", "name": 5, "municipality": "684", "website": 7, "colour": "red"}),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(
        reply.error_fields(),
        vec!["colour", "kind", "name", "website"],
        "{}",
        reply.text
    );
    let codes: Vec<&str> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|error| error["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["unknown_field", "unknown_value", "type", "type"]);

    let nested = app
        .post_json(
            "/v1/organisations",
            &json!({"kind": "workshop", "name": {"fi": 1, "sv": "Verkstad"}}),
        )
        .await;
    assert_eq!(
        nested.error_fields(),
        vec!["municipality", "name.fi"],
        "{}",
        nested.text
    );
}

backend_tests!(every_field_of_the_wrong_shape_is_named);
