//! Webhooks: a receiver in the test gets signed events and checks them by the Standard Webhooks
//! algorithm, written here from the specification.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use awc::http::StatusCode;
use base64::{engine::general_purpose::STANDARD, Engine};
use diesel::result::Error as DieselError;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::{
    backend_tests,
    certificates::{certificate_body, draft, issued_from, parties, revoke, Parties, HETU},
    helpers::{spawn_app_with, Backend, TestApp},
};

/// One request the receiver got, and what it answered.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
    answered: u16,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The Standard Webhooks check: the HMAC-SHA256 of `id.timestamp.body`, keyed by the secret's
    /// bytes, among the header's space-separated `v1,` signatures, and a timestamp within 5 minutes.
    fn verifies(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
            .expect("base64");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("an HMAC key");
        mac.update(format!("{}.{}.", self.id, self.timestamp).as_bytes());
        mac.update(&self.body);
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        let fresh = self
            .timestamp
            .parse::<i64>()
            .is_ok_and(|at| (chrono::Utc::now().timestamp() - at).abs() < 300);
        fresh && self.signature.split(' ').any(|signature| signature == expected)
    }
}

#[derive(Default)]
struct Script {
    received: Vec<Received>,
    /// How many requests to fail before answering 204; `usize::MAX` fails them all.
    failures_left: usize,
}

/// A receiver on a free port, failing as scripted.
struct Receiver {
    url: String,
    script: Arc<Mutex<Script>>,
    server: actix_web::dev::ServerHandle,
}

async fn receive(
    request: HttpRequest,
    body: web::Bytes,
    script: web::Data<Arc<Mutex<Script>>>,
) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut script = script.lock().expect("the script");
    let status = if script.failures_left > 0 {
        script.failures_left = script.failures_left.saturating_sub(1);
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::NO_CONTENT
    };
    script.received.push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
        answered: status.as_u16(),
    });
    HttpResponse::build(status).finish()
}

impl Receiver {
    async fn start(failures: usize) -> Self {
        let script = Arc::new(Mutex::new(Script {
            failures_left: failures,
            ..Script::default()
        }));
        let state = web::Data::new(Arc::clone(&script));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let url = format!(
            "http://127.0.0.1:{}/hooks/opinto",
            listener.local_addr().expect("an address").port()
        );
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)
        .expect("listens")
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            url,
            script,
            server: handle,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.script.lock().expect("the script").received.clone()
    }

    fn recover(&self) {
        self.script.lock().expect("the script").failures_left = 0;
    }

    /// Waits until `done` holds of what was received (at most 20 seconds).
    async fn until(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..400 {
            let received = self.received();
            if done(&received) {
                return received;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver never got {what}: {:?}", self.received());
    }

    async fn stop(self) {
        self.server.stop(false).await;
    }
}

/// Subscribes `url` for the client of `token`; the subscription and its secret.
async fn subscribe(app: &TestApp, token: &str, url: &str, events: &[&str]) -> (String, String) {
    let reply = app
        .post_json_as(
            Some(token),
            "/v1/webhooks",
            &json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let id = reply.body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/webhooks/{id}").as_str())
    );
    (id, reply.body["secret"].as_str().expect("a secret").to_owned())
}

async fn subscriber_token(app: &TestApp, organisation: &str) -> String {
    app.token_for(
        organisation,
        "certificates:read certificates:write webhooks:write",
    )
    .await
}

fn types(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|item| item.json()["type"].as_str().expect("a type").to_owned())
        .collect()
}

async fn events_arrive_signed_in_order_after_failures(app: TestApp) {
    let parties = parties(&app).await;
    let token = subscriber_token(&app, &parties.cast.workshop).await;
    let receiver = Receiver::start(3).await;
    let (webhook, secret) = subscribe(
        &app,
        &token,
        &receiver.url,
        &["certificate.issued", "certificate.revoked"],
    )
    .await;

    let id = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    revoke(&app, &parties, &id).await;
    let received = receiver
        .until("two events delivered", |received| {
            received.iter().filter(|item| item.answered < 300).count() == 2
        })
        .await;

    // Three failures, then the same event again (same webhook-id), then the next one.
    assert_eq!(received.len(), 5, "{received:?}");
    assert_eq!(
        received.iter().map(|item| item.answered).collect::<Vec<_>>(),
        [503, 503, 503, 204, 204]
    );
    assert!(received[..4].iter().all(|item| item.id == received[0].id));
    assert_ne!(received[4].id, received[0].id);
    assert_eq!(
        types(&received),
        [
            "certificate.issued",
            "certificate.issued",
            "certificate.issued",
            "certificate.issued",
            "certificate.revoked"
        ]
    );
    for item in &received {
        assert!(item.verifies(&secret), "a signature does not verify: {item:?}");
        assert!(!item.verifies("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        let body = String::from_utf8_lossy(&item.body);
        assert!(
            !body.contains("Virtanen") && !body.contains(HETU),
            "personal data in an event: {body}"
        );
        assert_eq!(item.json()["data"]["certificate_id"], id.as_str());
        assert_eq!(
            item.json()["data"]["url"],
            app.url(&format!("/v1/certificates/{id}"))
        );
    }
    let positions: Vec<i64> = [&received[3], &received[4]]
        .iter()
        .map(|item| item.json()["data"]["position"].as_i64().expect("a position"))
        .collect();
    assert!(positions[0] < positions[1]);

    // The log shows both deliveries, newest first, with every attempt.
    let log = app
        .get_as(Some(&token), &format!("/v1/webhooks/{webhook}/deliveries"))
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text);
    let items = log.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["event_type"], "certificate.revoked");
    assert_eq!(items[1]["id"], received[0].id.as_str());
    assert_eq!(items[1]["state"], "delivered");
    let codes: Vec<i64> = items[1]["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|attempt| attempt["status_code"].as_i64().expect("a code"))
        .collect();
    assert_eq!(codes, [503, 503, 503, 204]);
    receiver.stop().await;
}

async fn clients_receive_only_what_they_may_read(app: TestApp) {
    let parties = parties(&app).await;
    let provider = subscriber_token(&app, &parties.cast.provider).await;
    let other = subscriber_token(&app, &parties.cast.other_provider).await;
    let (provider_receiver, other_receiver) = (Receiver::start(0).await, Receiver::start(0).await);
    let all = [
        "certificate.issued",
        "certificate.revoked",
        "certificate.superseded",
        "certificate.shared",
        "certificate.unshared",
    ];
    let (_, secret) = subscribe(&app, &provider, &provider_receiver.url, &all).await;
    subscribe(&app, &other, &other_receiver.url, &all).await;

    let id = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let shared = crate::certificates::share(&app, &parties, &id, &parties.cast.provider).await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);
    let received = provider_receiver
        .until("the share", |received| !received.is_empty())
        .await;
    // Not the issue, which the provider could not read then: only the share, then nothing else.
    assert_eq!(types(&received), ["certificate.shared"]);
    assert!(received[0].verifies(&secret));
    assert_eq!(
        received[0].json()["data"]["shared_with"],
        parties.cast.provider.as_str()
    );
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert!(
        other_receiver.received().is_empty(),
        "{:?}",
        other_receiver.received()
    );
    assert_eq!(provider_receiver.received().len(), 1);

    // Certificate events need the scope that reads them.
    let no_read = app.token_for(&parties.cast.provider, "webhooks:write").await;
    let refused = app
        .post_json_as(
            Some(&no_read),
            "/v1/webhooks",
            &json!({"url": provider_receiver.url, "events": ["certificate.issued"]}),
        )
        .await;
    refused.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    provider_receiver.stop().await;
    other_receiver.stop().await;
}

async fn subscriptions_are_their_clients_own(app: TestApp) {
    let parties = parties(&app).await;
    let token = subscriber_token(&app, &parties.cast.workshop).await;
    let (webhook, _) = subscribe(&app, &token, "http://127.0.0.1:9/hooks", &["certificate.issued"]).await;
    let path = format!("/v1/webhooks/{webhook}");

    // Another client, even of the same organisation, does not see it.
    let stranger = subscriber_token(&app, &parties.cast.workshop).await;
    app.get_as(Some(&stranger), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    let listed = app.get_as(Some(&stranger), "/v1/webhooks").await;
    assert_eq!(listed.body["items"], json!([]));
    app.get_as(None, &path)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    // A stale If-Match is refused; the current one pauses it.
    let read = app.get_as(Some(&token), &path).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.body["secret"], Value::Null);
    app.patch_json_as(Some(&token), &path, Some("\"7\""), &json!({"enabled": false}))
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    let paused = app
        .patch_json_as(Some(&token), &path, Some("\"1\""), &json!({"enabled": false}))
        .await;
    assert_eq!(paused.status, StatusCode::OK, "{}", paused.text);
    assert_eq!(paused.body["disabled_reason"], "requested");
    assert_eq!(paused.header("etag"), Some("\"2\""));

    // Bad input names every field at fault.
    let bad = app
        .post_json_as(
            Some(&token),
            "/v1/webhooks",
            &json!({"url": "ftp://example.fi/x", "events": []}),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(bad.error_fields(), ["events"]);
    let bad = app
        .post_json_as(
            Some(&token),
            "/v1/webhooks",
            &json!({"url": "ftp://example.fi/x", "events": ["certificate.issued"]}),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(bad.error_fields(), ["url"]);

    // A retry of the same Idempotency-Key shows the subscription without its secret.
    let request = json!({"url": "http://127.0.0.1:9/other", "events": ["certificate.revoked"]});
    let first = app
        .post_json_with_key(&token, "/v1/webhooks", "hook-1", &request)
        .await;
    let again = app
        .post_json_with_key(&token, "/v1/webhooks", "hook-1", &request)
        .await;
    assert!(first.body["secret"]
        .as_str()
        .is_some_and(|secret| secret.starts_with("whsec_")));
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["secret"], Value::Null);

    let deleted = app.delete_as(Some(&token), &path, Some("\"2\"")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get_as(Some(&token), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
}

async fn a_failing_receiver_is_disabled_then_resumed(app: TestApp) {
    let parties = parties(&app).await;
    let token = subscriber_token(&app, &parties.cast.workshop).await;
    let receiver = Receiver::start(usize::MAX).await;
    let (webhook, secret) = subscribe(&app, &token, &receiver.url, &["certificate.issued"]).await;
    let path = format!("/v1/webhooks/{webhook}");

    let test = app
        .post_json_as(Some(&token), &format!("{path}/test"), &Value::Null)
        .await;
    assert_eq!(test.status, StatusCode::ACCEPTED, "{}", test.text);
    assert_eq!(test.body["event_type"], "webhook.test");
    let delivery = test.header("location").expect("a Location").to_owned();

    // Five failures in a row (the tests' limit) disable it.
    let mut disabled = Value::Null;
    for _ in 0..200 {
        disabled = app.get_as(Some(&token), &path).await.body;
        if disabled["enabled"] == false {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(disabled["disabled_reason"], "failures", "{disabled}");
    assert_eq!(receiver.received().len(), 5);
    let log = app.get_as(Some(&token), &delivery).await;
    assert_eq!(log.body["state"], "pending");
    assert_eq!(log.body["attempts"].as_array().map(Vec::len), Some(5));

    // Enabled again, it sends the waiting event at once; a redelivery sends it once more.
    receiver.recover();
    let version = disabled["version"].as_i64().expect("a version");
    let resumed = app
        .patch_json_as(
            Some(&token),
            &path,
            Some(&format!("\"{version}\"")),
            &json!({"enabled": true}),
        )
        .await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.text);
    assert_eq!(resumed.body["disabled_reason"], Value::Null);
    let received = receiver
        .until("the test event", |received| received.len() == 6)
        .await;
    assert_eq!(received[5].answered, 204);
    assert!(received[5].verifies(&secret));
    assert_eq!(types(&received[5..]), ["webhook.test"]);
    assert_eq!(received[5].json()["data"]["webhook_id"], webhook.as_str());

    let again = app
        .post_json_as(Some(&token), &format!("{delivery}/redeliver"), &Value::Null)
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.text);
    let received = receiver
        .until("the redelivery", |received| received.len() == 7)
        .await;
    assert_eq!(received[6].id, received[5].id);
    receiver.stop().await;
}

/// Events of a change that was rolled back never leave: the feed is written in the change's own
/// transaction.
async fn rolled_back_changes_send_nothing(app: TestApp) {
    let parties = parties(&app).await;
    let token = subscriber_token(&app, &parties.cast.workshop).await;
    let receiver = Receiver::start(0).await;
    subscribe(&app, &token, &receiver.url, &["certificate.issued"]).await;

    let phantom = draft(&app, &parties).await;
    let db = opinto_registry::db::Db::connect(&app.database_url, 1).expect("the database");
    let workshop = parties.cast.workshop.clone();
    let phantom_id = phantom.clone();
    let outcome = db
        .run(move |conn| {
            Ok::<_, opinto_registry::error::ApiError>(opinto_registry::db::write_transaction(conn, |conn| {
                opinto_registry::certificates::repo::append_events(
                    conn,
                    &phantom_id,
                    opinto_registry::certificates::dto::FeedEventKind::Issued,
                    None,
                    &[workshop],
                    opinto_registry::db::now(),
                )?;
                Err::<(), _>(DieselError::RollbackTransaction)
            }))
        })
        .await
        .expect("the connection works");
    assert!(outcome.is_err());
    drop(db);

    let id = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let received = receiver.until("the issue", |received| !received.is_empty()).await;
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let received_ids: Vec<Value> = receiver
        .received()
        .iter()
        .map(|item| item.json()["data"]["certificate_id"].clone())
        .collect();
    assert_eq!(received_ids, [json!(id)], "{received:?}");
    receiver.stop().await;
}

/// Without configuration, only https URLs of public addresses may receive webhooks.
#[actix_web::test]
async fn only_public_https_urls_by_default() {
    let (app, environment) = spawn_app_with(Backend::Sqlite, |config| {
        config.webhooks = opinto_registry::config::WebhookConfig::default();
    })
    .await
    .expect("the application");
    let parties: Parties = parties(&app).await;
    let token = subscriber_token(&app, &parties.cast.workshop).await;
    for url in [
        "http://hooks.example.fi/in",
        "https://127.0.0.1/in",
        "https://localhost/in",
        "https://[::1]/in",
        "https://10.0.0.8/in",
        "https://169.254.169.254/latest",
    ] {
        let reply = app
            .post_json_as(
                Some(&token),
                "/v1/webhooks",
                &json!({"url": url, "events": ["certificate.issued"]}),
            )
            .await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
        assert_eq!(reply.error_fields(), ["url"], "{url}");
    }
    subscribe(
        &app,
        &token,
        "https://hooks.example.fi/in",
        &["certificate.issued"],
    )
    .await;
    environment.shut_down().await;
}

const REGISTRY_EVENTS: [&str; 5] = [
    "recognition.created",
    "recognition.ended",
    "agreement.activated",
    "agreement.terminated",
    "environment.changed",
];

/// Recognitions, agreements and learning environments are heard of by the organisations involved,
/// in the order they happened, and by no one else.
async fn registry_events_reach_the_organisations_involved(app: TestApp) {
    let parties = parties(&app).await;
    let cast = &parties.cast;
    let scopes = "webhooks:write agreements:read agreements:write environments:write";
    let provider = app.token_for(&cast.provider, scopes).await;
    let outsider = app.token_for(&cast.other_provider, scopes).await;
    let (receiver, outsider_receiver) = (Receiver::start(0).await, Receiver::start(0).await);
    let (_, secret) = subscribe(&app, &provider, &receiver.url, &REGISTRY_EVENTS).await;
    subscribe(&app, &outsider, &outsider_receiver.url, &REGISTRY_EVENTS).await;
    // Agreements are read with `agreements:read`: without it, their events are not for the client.
    let without = app.token_for(&cast.provider, "webhooks:write").await;
    let refused = app
        .post_json_as(
            Some(&without),
            "/v1/webhooks",
            &json!({"url": receiver.url, "events": ["agreement.activated"]}),
        )
        .await;
    refused.assert_problem(StatusCode::FORBIDDEN, "forbidden");

    let environment = parties.environment.as_str();
    let agreement = crate::recognitions::agreement(&app, cast, &[environment], true).await;
    let recognition =
        crate::recognitions::recognise_units(&app, &provider, environment, &["SAMPLE-107"]).await;
    let environment_path = format!("/v1/learning-environments/{environment}");
    let etag = app
        .get(&environment_path)
        .await
        .header("etag")
        .expect("an etag")
        .to_owned();
    let changed = app
        .patch_json_as(
            Some(&cast.workshop_token),
            &environment_path,
            Some(&etag),
            &json!({"capacity": 6}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let recognition_path = format!("{environment_path}/recognitions/{}", recognition[0]);
    let ended = app
        .post_json_as(
            Some(&provider),
            &format!("{recognition_path}/end"),
            &json!({"reason": "Keittiö remontissa."}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    let agreement_path = format!("/v1/agreements/{agreement}");
    let etag = app
        .get_as(Some(&provider), &agreement_path)
        .await
        .header("etag")
        .expect("an etag")
        .to_owned();
    let terminated = app
        .post_if_match(
            Some(&provider),
            &format!("{agreement_path}/terminate"),
            &etag,
            &json!({"terminated_on": "2026-06-30", "reason": "Toiminta päättyy"}),
        )
        .await;
    assert_eq!(terminated.status, StatusCode::OK, "{}", terminated.text);

    let received = receiver
        .until("five events", |received| received.len() == 5)
        .await;
    assert_eq!(
        types(&received),
        [
            "agreement.activated",
            "recognition.created",
            "environment.changed",
            "recognition.ended",
            "agreement.terminated"
        ]
    );
    let data: Vec<Value> = received.iter().map(|item| item.json()["data"].clone()).collect();
    assert_eq!(data[0]["agreement_id"], agreement.as_str());
    assert_eq!(data[0]["url"], app.url(&agreement_path));
    assert_eq!(data[1]["recognition_id"], recognition[0].as_str());
    assert_eq!(data[1]["url"], app.url(&recognition_path));
    assert_eq!(data[2]["environment_id"], environment);
    assert_eq!(data[2]["url"], app.url(&environment_path));
    let positions: Vec<i64> = data
        .iter()
        .map(|item| item["position"].as_i64().expect("a position"))
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{positions:?}"
    );
    assert!(received.iter().all(|item| item.verifies(&secret)));

    // The other provider took part in none of it. Its receiver is asked for a test event, sent
    // after anything it would have been owed; only that arrives.
    let outsider_hooks = app.get_as(Some(&outsider), "/v1/webhooks").await;
    let outsider_hook = outsider_hooks.body["items"][0]["id"]
        .as_str()
        .expect("a webhook")
        .to_owned();
    let test = app
        .post_json_as(
            Some(&outsider),
            &format!("/v1/webhooks/{outsider_hook}/test"),
            &Value::Null,
        )
        .await;
    assert_eq!(test.status, StatusCode::ACCEPTED, "{}", test.text);
    let heard = outsider_receiver
        .until("the test event", |received| !received.is_empty())
        .await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        types(&outsider_receiver.received()),
        ["webhook.test"],
        "{heard:?}"
    );
    receiver.stop().await;
    outsider_receiver.stop().await;
}

backend_tests!(
    events_arrive_signed_in_order_after_failures,
    registry_events_reach_the_organisations_involved,
    clients_receive_only_what_they_may_read,
    subscriptions_are_their_clients_own,
    a_failing_receiver_is_disabled_then_resumed,
    rolled_back_changes_send_nothing,
);
