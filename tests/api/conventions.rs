//! The conventions every endpoint shares: problem details, request ids, body limits, CORS.

use awc::http::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{organisation_body, Reply, TestApp},
};

async fn unknown_routes_are_problem_404s(app: TestApp) {
    let reply = app.get("/v1/no-such-thing").await;
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

    let generated = app.get("/v1/no-such-thing").await;
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

backend_tests!(
    unknown_routes_are_problem_404s,
    malformed_json_is_a_problem_400,
    json_of_the_wrong_shape_names_the_field,
    bodies_that_are_not_json_are_a_problem_415,
    bodies_over_the_limit_are_a_problem_413,
    bad_query_parameters_are_problem_400s_naming_them,
    request_ids_are_echoed_or_generated,
    cors_preflight_allows_the_api_headers,
);
