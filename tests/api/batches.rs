//! Batches: a group's certificates drafted and issued in one request, and many revoked at once,
//! each item on its own.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    certificates::{certificate_body, issued_from, parties, Parties},
    helpers::{Reply, TestApp},
};

async fn status_of(app: &TestApp, parties: &Parties, id: &str) -> String {
    let read = app
        .get_as(Some(&parties.workshop), &format!("/v1/certificates/{id}"))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    read.body["status"].as_str().expect("a status").to_owned()
}

async fn a_batch_issues_the_good_items_and_reports_the_bad(app: TestApp) {
    let parties = parties(&app).await;
    let good = certificate_body(&parties.environment);
    let mut bad = certificate_body(&parties.environment);
    bad["learning_environment_ids"] = json!(["01939999-0000-7000-8000-000000000000"]);
    let mut second = certificate_body(&parties.environment);
    second["holder"]["given_names"] = json!("Eino");
    let batch = json!({"issue": true, "items": [good, bad, second]});

    let reply = app
        .post_json_with_key(&parties.workshop, "/v1/certificates/batch", "group-1", &batch)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        (reply.body["succeeded"].as_u64(), reply.body["failed"].as_u64()),
        (Some(2), Some(1))
    );
    let items = reply.body["items"].as_array().expect("items");
    assert_eq!(
        items
            .iter()
            .map(|item| item["index"].as_u64())
            .collect::<Vec<_>>(),
        [Some(0), Some(1), Some(2)]
    );
    assert_eq!(items[0]["outcome"], "issued");
    assert_eq!(items[2]["outcome"], "issued");
    assert_eq!(items[1]["outcome"], "failed");
    assert_eq!(items[1]["id"], Value::Null);
    assert_eq!(items[1]["problem"]["status"], 422);
    let mut fields: Vec<&str> = items[1]["problem"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| error["field"].as_str().expect("a field"))
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["learning_environment_ids[0]"]);
    for index in [0, 2] {
        let id = items[index]["id"].as_str().expect("an id");
        assert_eq!(status_of(&app, &parties, id).await, "issued");
    }

    // The same key answers the same results, and drafts nothing more.
    let before = app.get_as(Some(&parties.workshop), "/v1/certificates").await.body["items"]
        .as_array()
        .map(Vec::len);
    let again = app
        .post_json_with_key(&parties.workshop, "/v1/certificates/batch", "group-1", &batch)
        .await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    // The holders' access links were shown once: the retry answers the rest without them.
    let mut shown_once = reply.body.clone();
    for index in [0, 2] {
        let access = shown_once["items"][index]
            .as_object_mut()
            .and_then(|item| item.remove("holder_access"))
            .expect("an issued item shows its holder's access link");
        assert!(access["url"]
            .as_str()
            .is_some_and(|url| url.contains("/holder?access=")));
    }
    assert_eq!(again.body, shown_once);
    assert!(!again.text.contains("holder?access="));
    let after = app.get_as(Some(&parties.workshop), "/v1/certificates").await.body["items"]
        .as_array()
        .map(Vec::len);
    assert_eq!(before, after);

    // Without `issue`, drafts; a provider cannot draft for the workshop.
    let drafts = app
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates/batch",
            &json!({"items": [certificate_body(&parties.environment)]}),
        )
        .await;
    assert_eq!(drafts.body["items"][0]["outcome"], "created", "{}", drafts.text);
    let id = drafts.body["items"][0]["id"].as_str().expect("an id");
    assert_eq!(status_of(&app, &parties, id).await, "draft");
}

async fn a_batch_revokes_what_it_may(app: TestApp) {
    let parties = parties(&app).await;
    let first = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let second = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let reason = "Ryhmälle annettu väärä jakso.";
    let batch = json!({"items": [
        {"id": first, "reason": reason},
        {"id": "01939999-0000-7000-8000-000000000000", "reason": reason},
        {"id": second, "reason": reason},
        {"id": first, "reason": reason},
    ]});
    let reply = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates/batch-revoke", &batch)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let outcomes: Vec<(&str, Option<u64>)> = reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["outcome"].as_str().expect("outcome"),
                item["problem"]["status"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("revoked", None),
            ("failed", Some(404)),
            ("revoked", None),
            ("failed", Some(409))
        ]
    );
    assert_eq!(
        reply.body["items"][1]["id"],
        "01939999-0000-7000-8000-000000000000"
    );
    assert_eq!(status_of(&app, &parties, &first).await, "revoked");
    assert_eq!(status_of(&app, &parties, &second).await, "revoked");

    // Another organisation's certificates are not its to revoke.
    let third = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let foreign = app
        .post_json_as(
            Some(&parties.provider),
            "/v1/certificates/batch-revoke",
            &json!({"items": [{"id": third, "reason": reason}]}),
        )
        .await;
    assert_eq!(foreign.body["items"][0]["outcome"], "failed");
    assert_eq!(foreign.body["items"][0]["problem"]["status"], 404);
    assert_eq!(status_of(&app, &parties, &third).await, "issued");
}

/// A spreadsheet saved by Finnish Excel: `;`, a byte order mark, Finnish dates, two rows of one
/// certificate; each row reported on its own, by its line.
async fn a_csv_batch_reports_each_row(app: TestApp) {
    let parties = parties(&app).await;
    let header = "certificate;given_names;family_name;date_of_birth;hetu;learning_environment_ids;start_date;end_date;\
                  coach_name;coach_title;language;qualification;unit;unit_description;skills;unit_hours";
    let environment = &parties.environment;
    let csv = format!(
        "\u{feff}{header}\r\n\
         a;Aino Maria;Virtanen;15.3.2004;150304A1233;{environment};1.2.2026;31.10.2026;Maija Meikäläinen;työvalmentaja;fi;351204;SAMPLE-107;\"Valmisti lounasta; noin 80 annosta\";Valmistaa lounaan|Pesee astiat;320\r\n\
         a;;;;;;;;;;;351204;SAMPLE-103;Siivosi keittiön;Siivoaa;40\r\n\
         b;Eino;Korhonen;1.1.2005;010105A123X;{environment};1.2.2026;31.10.2026;Maija Meikäläinen;työvalmentaja;fi;351204;SAMPLE-107;Tiskasi;Pesee astiat;100\r\n"
    );
    let reply = Reply::from(
        app.client
            .post(app.url("/v1/certificates/batch?issue=true"))
            .bearer_auth(&parties.workshop)
            .content_type("text/csv; charset=utf-8")
            .send_body(csv)
            .await
            .expect("sent"),
    )
    .await;
    let reply = app.exchanged("POST", "/v1/certificates/batch?issue=true", None, reply);
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let items = reply.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{}", reply.text);
    assert_eq!(
        (items[0]["line"].as_u64(), items[1]["line"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(items[0]["outcome"], "issued", "{}", reply.text);
    assert_eq!(items[1]["outcome"], "failed");
    assert_eq!(items[1]["problem"]["errors"][0]["field"], "holder.hetu");
    let id = items[0]["id"].as_str().expect("an id");
    let read = app
        .get_as(Some(&parties.workshop), &format!("/v1/certificates/{id}"))
        .await;
    assert_eq!(read.body["holder"]["date_of_birth"], "2004-03-15");
    assert_eq!(read.body["units"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        read.body["units"][0]["description"],
        "Valmisti lounasta; noin 80 annosta"
    );

    // A column the layout does not have is the whole file's fault.
    let unknown = Reply::from(
        app.client
            .post(app.url("/v1/certificates/batch"))
            .bearer_auth(&parties.workshop)
            .content_type("text/csv")
            .send_body("given_names;syntymäaika\nAino;15.3.2004\n")
            .await
            .expect("sent"),
    )
    .await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(unknown.error_fields(), ["syntymäaika"]);
}

/// A JSON batch with an item of the wrong shape is a program's bug: refused whole, every field named.
async fn a_json_batch_of_the_wrong_shape_is_refused_whole(app: TestApp) {
    let parties = parties(&app).await;
    let mut bad = certificate_body(&parties.environment);
    bad["hours"] = json!("many");
    bad["holder"]
        .as_object_mut()
        .expect("holder")
        .remove("family_name");
    let batch = json!({"items": [certificate_body(&parties.environment), bad]});
    let reply = app
        .off_contract()
        .post_json_as(Some(&parties.workshop), "/v1/certificates/batch", &batch)
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(
        reply.error_fields(),
        ["items[1].holder.family_name", "items[1].hours"]
    );
    let listed = app.get_as(Some(&parties.workshop), "/v1/certificates").await;
    assert_eq!(listed.body["items"], json!([]), "nothing was drafted");
    let revoke = app
        .off_contract()
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates/batch-revoke",
            &json!({"items": [{"id": "x", "reason": " "}]}),
        )
        .await;
    revoke.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(revoke.error_fields(), ["items[0].reason"]);
}

async fn batches_need_the_scope_and_a_size(app: TestApp) {
    let parties = parties(&app).await;
    let body = json!({"items": [certificate_body(&parties.environment)]});
    app.post_json_as(None, "/v1/certificates/batch", &body)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let reader = app.token_for(&parties.cast.workshop, "certificates:read").await;
    app.post_json_as(Some(&reader), "/v1/certificates/batch", &body)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let empty = app
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates/batch",
            &json!({"items": []}),
        )
        .await;
    empty.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(empty.error_fields(), ["items"]);
    let many: Vec<Value> = (0..501).map(|_| json!({"id": "x", "reason": "y"})).collect();
    let too_many = app
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates/batch-revoke",
            &json!({"items": many}),
        )
        .await;
    too_many.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(too_many.error_fields(), ["items"]);
}

backend_tests!(
    a_batch_issues_the_good_items_and_reports_the_bad,
    a_csv_batch_reports_each_row,
    a_json_batch_of_the_wrong_shape_is_refused_whole,
    a_batch_revokes_what_it_may,
    batches_need_the_scope_and_a_size,
);
