//! The audit log: one entry per write, in the same transaction, readable by the record's owner.

use awc::http::StatusCode;
use diesel::RunQueryDsl;
use opinto_registry::db::Db;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{organisation_body, Reply, TestApp},
};

fn entries(reply: &Reply) -> Vec<Value> {
    reply.body["items"].as_array().expect("items").clone()
}

async fn every_write_leaves_one_entry_with_its_organisation_and_request_id(app: TestApp) {
    let created = Reply::from(
        app.client
            .post(app.url("/v1/organisations"))
            .bearer_auth(&app.admin_token)
            .insert_header(("x-request-id", "req-create-a"))
            .send_json(&organisation_body(json!({"name": {"fi": "Työpaja A"}})))
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let a = created.body["id"].as_str().expect("id").to_owned();
    let b = app
        .create_organisation(&organisation_body(json!({"name": {"fi": "Työpaja B"}})))
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (client_a, secret_a) = app
        .create_client(Some(&a), "organisations:write audit:read")
        .await;
    let token_a = app.token(&client_a, &secret_a, None).await;
    let updated = Reply::from(
        app.client
            .patch(app.url(&format!("/v1/organisations/{a}")))
            .bearer_auth(&token_a)
            .insert_header(("x-request-id", "req-update-a"))
            .insert_header(("if-match", "\"1\""))
            .insert_header(("content-type", "application/merge-patch+json"))
            .send_body(r#"{"phone": "02 555"}"#)
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    // A refused write leaves no entry.
    let refused = app
        .patch_json_as(
            Some(&token_a),
            &format!("/v1/organisations/{b}"),
            Some("\"1\""),
            &json!({"phone": "1"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let own = app
        .get_as(Some(&token_a), "/v1/audit?resource_type=organisation")
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    let own = entries(&own);
    assert_eq!(
        own.len(),
        2,
        "A sees the two entries about its own record: {own:?}"
    );
    assert_eq!(own[0]["action"], "organisation.create");
    assert_eq!(own[0]["resource_id"], a.as_str());
    assert_eq!(own[0]["request_id"], "req-create-a");
    assert_eq!(own[1]["action"], "organisation.update");
    assert_eq!(own[1]["client_id"], client_a.as_str());
    assert_eq!(own[1]["organisation_id"], a.as_str());
    assert_eq!(own[1]["request_id"], "req-update-a");
    assert_eq!(own[1]["outcome"], "success");
    assert!(
        own.iter().all(|entry| entry["resource_id"] != b.as_str()),
        "not B's entries"
    );

    let filtered = app
        .get_as(Some(&token_a), &format!("/v1/audit?resource_id={b}"))
        .await;
    assert!(
        entries(&filtered).is_empty(),
        "B's entries stay hidden even when asked for"
    );

    let all = app
        .get_as(Some(&app.admin_token), "/v1/audit?resource_type=organisation")
        .await;
    let all = entries(&all);
    assert_eq!(all.len(), 3, "admin sees A's two and B's one");

    let by_client = app
        .get_as(Some(&app.admin_token), &format!("/v1/audit?client_id={client_a}"))
        .await;
    assert_eq!(entries(&by_client).len(), 1);
    let future = app
        .get_as(Some(&app.admin_token), "/v1/audit?from=2999-01-01T00:00:00Z")
        .await;
    assert!(entries(&future).is_empty());
    let no_scope = app.token_for(&a, "organisations:write").await;
    app.get_as(Some(&no_scope), "/v1/audit")
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
}

async fn the_database_refuses_to_change_audit_entries(app: TestApp) {
    app.create_organisation(&organisation_body(json!({}))).await;
    let db = Db::connect(&app.database_url, 1).expect("database");
    let mut conn = db.get().expect("connection");
    let update = diesel::sql_query("UPDATE audit_log SET outcome = 'tampered'").execute(&mut *conn);
    assert!(update.is_err(), "UPDATE is refused");
    let delete = diesel::sql_query("DELETE FROM audit_log").execute(&mut *conn);
    assert!(delete.is_err(), "DELETE is refused");
    let entries = app.get_as(Some(&app.admin_token), "/v1/audit").await;
    assert!(entries.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|entry| entry["outcome"] == "success"));
}

backend_tests!(
    every_write_leaves_one_entry_with_its_organisation_and_request_id,
    the_database_refuses_to_change_audit_entries,
);
