use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{organisation_body, Reply, TestApp},
};

async fn post_with_key(app: &TestApp, key: &str, body: &Value) -> Reply {
    app.post_json_with_key(&app.admin_token, "/v1/organisations", key, body)
        .await
}

async fn organisation_count(app: &TestApp) -> usize {
    app.get("/v1/organisations").await.body["items"]
        .as_array()
        .expect("items")
        .len()
}

async fn a_retried_post_creates_one_record(app: TestApp) {
    let body = organisation_body(json!({}));
    let first = post_with_key(&app, "6f1c0c1e-retry-1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);

    let retry = post_with_key(&app, "6f1c0c1e-retry-1", &body).await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body, first.body, "the first response, replayed");
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("etag"), first.header("etag"));
    assert_eq!(organisation_count(&app).await, 1);

    let other_key = post_with_key(
        &app,
        "6f1c0c1e-retry-2",
        &organisation_body(json!({"name": {"fi": "Toinen"}})),
    )
    .await;
    assert_eq!(other_key.status, StatusCode::CREATED);
    assert_ne!(other_key.body["id"], first.body["id"]);
    assert_eq!(organisation_count(&app).await, 2);
}

async fn a_key_reused_for_another_request_is_refused(app: TestApp) {
    let first = post_with_key(&app, "key-a", &organisation_body(json!({}))).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let different = post_with_key(&app, "key-a", &organisation_body(json!({"name": {"fi": "Eri"}}))).await;
    different.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused");
    assert_eq!(organisation_count(&app).await, 1);
}

async fn refused_requests_are_replayed_too(app: TestApp) {
    let invalid = organisation_body(json!({"business_id": "0112038-8"}));
    let first = post_with_key(&app, "key-invalid", &invalid).await;
    first.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let again = post_with_key(&app, "key-invalid", &invalid).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
}

async fn malformed_keys_are_problem_400s(app: TestApp) {
    let reply = post_with_key(&app, &"k".repeat(300), &organisation_body(json!({}))).await;
    reply.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    assert_eq!(reply.error_fields(), vec!["Idempotency-Key"]);
    assert_eq!(organisation_count(&app).await, 0);
}

async fn keys_belong_to_the_client_that_sent_them(app: TestApp) {
    // Without a token the key is not claimed: the same key works once the caller has a token.
    let anonymous = Reply::from(
        app.client
            .post(app.url("/v1/organisations"))
            .insert_header(("idempotency-key", "shared-key"))
            .send_json(&organisation_body(json!({})))
            .await
            .expect("sent"),
    )
    .await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let first = post_with_key(&app, "shared-key", &organisation_body(json!({}))).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);

    // Another client's identical key is its own.
    let (other_id, other_secret) = app.create_client(None, "").await;
    let other_token = app.token(&other_id, &other_secret, None).await;
    let other = Reply::from(
        app.client
            .post(app.url("/v1/organisations"))
            .bearer_auth(&other_token)
            .insert_header(("idempotency-key", "shared-key"))
            .send_json(&organisation_body(json!({"name": {"fi": "Toisen asiakkaan"}})))
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    assert_ne!(other.body["id"], first.body["id"]);
    assert_eq!(organisation_count(&app).await, 2);
}

backend_tests!(
    keys_belong_to_the_client_that_sent_them,
    a_retried_post_creates_one_record,
    a_key_reused_for_another_request_is_refused,
    refused_requests_are_replayed_too,
    malformed_keys_are_problem_400s,
);
