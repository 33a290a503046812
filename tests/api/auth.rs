//! Access: the token endpoint, token verification against forged and stale tokens, scopes and
//! tenant isolation.

use awc::http::StatusCode;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{command_line, organisation_body, spawn_app_with, succeeds, Backend, Reply, TestApp},
};

async fn organisation(app: &TestApp, name: &str) -> String {
    app.create_organisation(&organisation_body(json!({"name": {"fi": name}})))
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn the_client_credentials_grant_issues_scoped_tokens(app: TestApp) {
    let org = organisation(&app, "Työpaja A").await;
    let (client_id, secret) = app
        .create_client(Some(&org), "organisations:write audit:read")
        .await;

    let reply = app.request_token(&client_id, &secret, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    assert_eq!(reply.body["scope"], "organisations:write audit:read");

    let narrowed = app.request_token(&client_id, &secret, Some("audit:read")).await;
    assert_eq!(narrowed.body["scope"], "audit:read");

    // HTTP Basic works as well as form fields.
    let basic = Reply::from(
        app.client
            .post(app.url("/oauth/token"))
            .basic_auth(&client_id, &secret)
            .send_form(&[("grant_type", "client_credentials")])
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(basic.status, StatusCode::OK, "{}", basic.text);

    // The token names the client, its organisation and scopes, and verifies with the JWKS.
    let token = reply.body["access_token"].as_str().expect("token");
    let jwks = app.get("/.well-known/jwks.json").await;
    let key = &jwks.body["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["alg"], "EdDSA");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding = jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().expect("x")).expect("key");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["opinto-registry-api"]);
    validation.set_issuer(&["urn:opinto-registry"]);
    let claims = jsonwebtoken::decode::<Value>(token, &decoding, &validation)
        .expect("verifies offline")
        .claims;
    assert_eq!(claims["sub"], client_id.as_str());
    assert_eq!(claims["org"], org.as_str());
    assert!(claims["jti"].is_string() && claims["iat"].is_number());
}

async fn token_requests_fail_with_oauth_errors(app: TestApp) {
    let org = organisation(&app, "Työpaja A").await;
    let (client_id, secret) = app.create_client(Some(&org), "organisations:write").await;

    let wrong = app.request_token(&client_id, "not-the-secret", None).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["error"], "invalid_client");
    assert!(wrong
        .header("www-authenticate")
        .expect("challenge")
        .starts_with("Basic"));

    let unknown_client = app.request_token("no-such-client", &secret, None).await;
    assert_eq!(unknown_client.body["error"], "invalid_client");

    let unknown_scope = app.request_token(&client_id, &secret, Some("everything")).await;
    assert_eq!(unknown_scope.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown_scope.body["error"], "invalid_scope");

    let not_granted = app.request_token(&client_id, &secret, Some("admin")).await;
    assert_eq!(not_granted.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_granted.body["error"], "invalid_scope");

    // An administrator may ask for every scope at once, as an authorisation dialog's "select all" does.
    let (admin_id, admin_secret) = app.create_client(None, "").await;
    let every = opinto_registry::auth::join_scopes(&opinto_registry::auth::Scope::ALL);
    let all = app.request_token(&admin_id, &admin_secret, Some(&every)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!(all.body["scope"], every.as_str());

    let grant = Reply::from(
        app.client
            .post(app.url("/oauth/token"))
            .send_form(&[
                ("grant_type", "password"),
                ("client_id", &client_id),
                ("client_secret", &secret),
            ])
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(grant.body["error"], "unsupported_grant_type");

    let json_body = app
        .post_json_as(None, "/oauth/token", &json!({"grant_type": "client_credentials"}))
        .await;
    assert_eq!(json_body.status, StatusCode::BAD_REQUEST);
    assert_eq!(json_body.body["error"], "invalid_request");

    // A request without any form says what to send, grant_type first.
    let bare = crate::helpers::Reply::from(
        app.client
            .post(app.url("/oauth/token"))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    assert_eq!(bare.body["error"], "invalid_request");
    assert!(
        bare.body["error_description"]
            .as_str()
            .is_some_and(|text| text.contains("grant_type=client_credentials")),
        "{}",
        bare.text
    );
    let without_grant = crate::helpers::Reply::from(
        app.client
            .post(app.url("/oauth/token"))
            .send_form(&[("scope", "admin")])
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(without_grant.body["error"], "invalid_request");
    assert!(
        without_grant.text.contains("grant_type is required"),
        "{}",
        without_grant.text
    );
}

async fn revoked_clients_lose_access_at_once(app: TestApp) {
    let org = organisation(&app, "Työpaja A").await;
    let (client_id, secret) = app.create_client(Some(&org), "organisations:write").await;
    let token = app.token(&client_id, &secret, None).await;
    let path = format!("/v1/organisations/{org}");
    let before = app
        .patch_json_as(Some(&token), &path, Some("\"1\""), &json!({"phone": "040 1"}))
        .await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);

    let revoked = app
        .post_json(
            &format!("/v1/admin/clients/{client_id}/revoke"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert_eq!(revoked.body["active"], false);

    let after = app
        .patch_json_as(Some(&token), &path, Some("\"2\""), &json!({"phone": "040 2"}))
        .await;
    after.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let new_token = app.request_token(&client_id, &secret, None).await;
    assert_eq!(new_token.body["error"], "invalid_client");

    // An administrator client does not lock itself out; another administrator revokes it.
    let (admin_id, admin_secret) = app.create_client(None, "").await;
    let admin_token = app.token(&admin_id, &admin_secret, None).await;
    let own = format!("/v1/admin/clients/{admin_id}/revoke");
    app.post_json_as(Some(&admin_token), &own, &serde_json::Value::Null)
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");
    let still = app.request_token(&admin_id, &admin_secret, None).await;
    assert_eq!(still.status, StatusCode::OK, "{}", still.text);
    let by_another = app.post_json(&own, &serde_json::Value::Null).await;
    assert_eq!(by_another.body["active"], false, "{}", by_another.text);
}

/// The command line revokes from another process, which shares nothing with the service but the
/// database: the running service still stops the client's tokens (on PostgreSQL it keeps which
/// clients are active and hears of the change by notification).
async fn a_revocation_from_another_process_reaches_the_service(app: TestApp) {
    let org = organisation(&app, "Työpaja A").await;
    let (client_id, secret) = app.create_client(Some(&org), "audit:read").await;
    let token = app.token(&client_id, &secret, None).await;
    for _ in 0..3 {
        let read = app.get_as(Some(&token), "/v1/audit").await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    }
    succeeds(
        command_line(&["clients", "revoke", &client_id])
            .env("DATABASE_URL", &app.database_url)
            .env("DATA_DIR", app.files_dir()),
    );

    // Heard within milliseconds; the bound only keeps a failure from hanging.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let read = app.get_as(Some(&token), "/v1/audit").await;
        if read.status == StatusCode::UNAUTHORIZED {
            read.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
            break;
        }
        assert_eq!(read.status, StatusCode::OK, "{}", read.text);
        assert!(
            std::time::Instant::now() < deadline,
            "the revoked client is still let in"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn claims(client_id: &str, overrides: Value) -> Value {
    let mut claims = json!({
        "iss": "urn:opinto-registry",
        "aud": "opinto-registry-api",
        "sub": client_id,
        "scope": "admin",
        "iat": now(),
        "nbf": now(),
        "exp": now() + 600,
        "jti": "forged"
    });
    if let (Some(claims), Some(overrides)) = (claims.as_object_mut(), overrides.as_object()) {
        for (key, value) in overrides {
            claims.insert(key.clone(), value.clone());
        }
    }
    claims
}

/// Every one of these tokens is refused with 401, while the same request with a genuine token
/// (the control) succeeds.
async fn forged_and_stale_tokens_are_refused(app: TestApp) {
    let jwks = app.get("/.well-known/jwks.json").await;
    let kid = jwks.body["keys"][0]["kid"].as_str().expect("kid").to_owned();
    let public_x = jwks.body["keys"][0]["x"].as_str().expect("x").to_owned();
    let admin_id = jsonwebtoken::dangerous::insecure_decode::<Value>(&app.admin_token)
        .expect("decodes")
        .claims["sub"]
        .as_str()
        .expect("sub")
        .to_owned();
    let real_key = EncodingKey::from_ed_pem(&app.signing_key_pem()).expect("the service key");
    let sign = |claims: &Value, key: &EncodingKey, alg: Algorithm| {
        let mut header = Header::new(alg);
        header.kid = Some(kid.clone());
        encode(&header, claims, key).expect("signs")
    };

    let control = sign(&claims(&admin_id, json!({})), &real_key, Algorithm::EdDSA);
    assert_eq!(
        app.get_as(Some(&control), "/v1/audit").await.status,
        StatusCode::OK,
        "the control passes"
    );

    let other_key = opinto_registry::auth::keys::generate_signing_key().expect("key");
    let other_key = EncodingKey::from_ed_der(other_key.to_pkcs8_der().expect("der").as_bytes());
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims(&admin_id, json!({})).to_string())
    );
    let key_confusion = sign(
        &claims(&admin_id, json!({})),
        &EncodingKey::from_secret(public_x.as_bytes()),
        Algorithm::HS256,
    );
    let edited = {
        let mut parts: Vec<String> = control.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD
            .encode(claims(&admin_id, json!({"scope": "admin audit:read", "org": "x"})).to_string());
        parts.join(".")
    };
    let (revoked_id, revoked_secret) = app.create_client(None, "").await;
    let revoked_token = app.token(&revoked_id, &revoked_secret, None).await;
    let revoke = app
        .post_json(
            &format!("/v1/admin/clients/{revoked_id}/revoke"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK);

    let attacks = [
        ("alg none", unsigned),
        ("HS256 keyed with the public key", key_confusion),
        (
            "another key",
            sign(&claims(&admin_id, json!({})), &other_key, Algorithm::EdDSA),
        ),
        (
            "expired",
            sign(
                &claims(
                    &admin_id,
                    json!({"exp": now() - 3600, "iat": now() - 7200, "nbf": now() - 7200}),
                ),
                &real_key,
                Algorithm::EdDSA,
            ),
        ),
        (
            "not valid yet",
            sign(
                &claims(&admin_id, json!({"nbf": now() + 3600})),
                &real_key,
                Algorithm::EdDSA,
            ),
        ),
        (
            "wrong audience",
            sign(
                &claims(&admin_id, json!({"aud": "someone-else"})),
                &real_key,
                Algorithm::EdDSA,
            ),
        ),
        (
            "wrong issuer",
            sign(
                &claims(&admin_id, json!({"iss": "https://evil.example"})),
                &real_key,
                Algorithm::EdDSA,
            ),
        ),
        ("payload edited after signing", edited),
        ("a revoked client's token", revoked_token),
        ("garbage", "abc.def.ghi".to_owned()),
        ("not a JWT", "opensesame".to_owned()),
    ];
    for (attack, token) in attacks {
        let reply = app.get_as(Some(&token), "/v1/audit").await;
        reply.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{attack}: {challenge}"
        );
    }

    for header in ["Bearer ", "Bearer", "Basic YTpi", ""] {
        let reply = Reply::from(
            app.client
                .get(app.url("/v1/audit"))
                .insert_header(("authorization", header))
                .send()
                .await
                .expect("sent"),
        )
        .await;
        reply.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
        assert!(
            reply
                .header("www-authenticate")
                .expect("challenge")
                .starts_with("Bearer"),
            "{header:?}"
        );
    }
}

async fn every_write_needs_a_token(app: TestApp) {
    let org = organisation(&app, "Työpaja A").await;
    let create = app
        .post_json_as(None, "/v1/organisations", &organisation_body(json!({})))
        .await;
    create.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        create.header("www-authenticate"),
        Some(r#"Bearer realm="opinto-registry""#)
    );
    let update = app
        .patch_json_as(
            None,
            &format!("/v1/organisations/{org}"),
            Some("\"1\""),
            &json!({"phone": "1"}),
        )
        .await;
    update.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    for path in ["/v1/audit", "/v1/admin/clients"] {
        app.get(path)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let import = app.post_json_as(None, "/v1/reference-data", &json!({})).await;
    import.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    // Public reads stay public.
    assert_eq!(
        app.get(&format!("/v1/organisations/{org}")).await.status,
        StatusCode::OK
    );
    assert_eq!(app.get("/v1/regions").await.status, StatusCode::OK);
}

async fn clients_act_only_for_their_own_organisation(app: TestApp) {
    let a = organisation(&app, "Työpaja A").await;
    let b = organisation(&app, "Työpaja B").await;
    let token_a = app.token_for(&a, "organisations:write audit:read").await;

    let own = app
        .patch_json_as(
            Some(&token_a),
            &format!("/v1/organisations/{a}"),
            Some("\"1\""),
            &json!({"phone": "02 1"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);

    let other = app
        .patch_json_as(
            Some(&token_a),
            &format!("/v1/organisations/{b}"),
            Some("\"1\""),
            &json!({"phone": "02 2"}),
        )
        .await;
    other.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        app.get(&format!("/v1/organisations/{b}")).await.body["phone"],
        json!(null),
        "B unchanged"
    );

    let register = app
        .post_json_as(Some(&token_a), "/v1/organisations", &organisation_body(json!({})))
        .await;
    register.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(register
        .header("www-authenticate")
        .expect("challenge")
        .contains("insufficient_scope"));

    let read_only = app.token_for(&a, "audit:read").await;
    let no_scope = app
        .patch_json_as(
            Some(&read_only),
            &format!("/v1/organisations/{a}"),
            Some("\"2\""),
            &json!({"phone": "3"}),
        )
        .await;
    no_scope.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(no_scope
        .header("www-authenticate")
        .expect("challenge")
        .contains(r#"scope="organisations:write""#));

    let admin_only = app.get_as(Some(&token_a), "/v1/admin/clients").await;
    admin_only.assert_problem(StatusCode::FORBIDDEN, "forbidden");
}

async fn failed_authentications_are_rate_limited(app: TestApp) {
    let org = organisation(&app, "Työpaja A").await;
    let (client_id, secret) = app.create_client(Some(&org), "organisations:write").await;
    for attempt in 0..10 {
        let reply = app.request_token(&client_id, "wrong", None).await;
        assert_eq!(reply.body["error"], "invalid_client", "attempt {attempt}");
    }
    let limited = app.request_token(&client_id, &secret, None).await;
    limited.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
}

async fn administrators_manage_clients_over_http(app: TestApp) {
    let org = organisation(&app, "Työpaja A").await;
    let created = app
        .post_json(
            "/v1/admin/clients",
            &json!({"name": "Case system", "organisation_id": org, "scopes": ["organisations:write"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let client_id = created.body["client_id"].as_str().expect("id").to_owned();
    let secret = created.body["client_secret"].as_str().expect("secret").to_owned();
    assert_eq!(
        app.request_token(&client_id, &secret, None).await.status,
        StatusCode::OK
    );

    let listed = app
        .get_as(
            Some(&app.admin_token),
            &format!("/v1/admin/clients?organisation_id={org}"),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["items"].as_array().expect("items").len(), 1);
    assert!(!listed.text.contains(&secret), "secrets are shown once only");
    assert!(!listed.text.contains("argon2"), "hashes are never shown");

    let invalid = app
        .post_json(
            "/v1/admin/clients",
            &json!({"name": "x", "organisation_id": org, "scopes": ["admin"]}),
        )
        .await;
    invalid.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let unknown_org = app
        .post_json(
            "/v1/admin/clients",
            &json!({"name": "x", "organisation_id": "nope", "scopes": ["audit:read"]}),
        )
        .await;
    assert_eq!(unknown_org.error_fields(), vec!["organisation_id"]);
}

/// Keys other than today's signing key, over HTTP: a token of the previous key (kept in
/// `JWT_PREVIOUS_KEY_FILES` during a rotation) and one of the configured external issuer are
/// accepted; the external issuer's token with another audience, or signed by a key nobody
/// configured, is not.
async fn previous_and_external_keys_verify_over_http(backend: Backend) {
    let keys = tempfile::tempdir().expect("temporary directory");
    // A new key: its private PEM in `name` (as the service keeps its own), its public PEM in
    // `name.pub` (as an external issuer publishes it), and the key to sign with.
    let write_key = |name: &str| {
        let key = opinto_registry::auth::keys::generate_signing_key().expect("key");
        let path = keys.path().join(name);
        let pem = key.to_pkcs8_pem(Default::default()).expect("pem");
        std::fs::write(&path, pem.as_bytes()).expect("written");
        let public = key
            .verifying_key()
            .to_public_key_pem(Default::default())
            .expect("pem");
        std::fs::write(path.with_extension("pub"), public).expect("written");
        (
            path,
            EncodingKey::from_ed_der(key.to_pkcs8_der().expect("der").as_bytes()),
        )
    };
    let (previous_file, previous) = write_key("previous.pem");
    let (external_file, external) = write_key("external.pem");
    let external_file = external_file.with_extension("pub");
    let previous_for_config = previous_file.clone();
    let spawned = spawn_app_with(backend, move |config| {
        config.auth.previous_key_files = vec![previous_for_config];
        config.auth.external = Some(opinto_registry::config::ExternalIssuer {
            issuer: "https://idp.example".into(),
            audience: "opinto".into(),
            public_key_file: external_file,
        });
    })
    .await;
    let Some((app, environment)) = spawned else {
        return;
    };
    let organisation = organisation(&app, "Työpaja A").await;
    let (client_id, _) = app.create_client(Some(&organisation), "audit:read").await;
    let jwks = app.get("/.well-known/jwks.json").await;
    let published: Vec<&str> = jwks.body["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|key| key["kid"].as_str())
        .collect();
    assert_eq!(
        published.len(),
        2,
        "today's key and the previous one are published"
    );
    let previous_kid = published[1].to_owned();

    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(previous_kid);
    let old_token = encode(
        &header,
        &claims(&client_id, json!({"scope": "audit:read", "org": organisation})),
        &previous,
    )
    .expect("signs");
    let read = app.get_as(Some(&old_token), "/v1/audit").await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);

    let external_claims = |audience: &str| {
        claims(
            "idp-client-7",
            json!({"iss": "https://idp.example", "aud": audience, "scope": "audit:read", "org": organisation}),
        )
    };
    let plain = Header::new(Algorithm::EdDSA);
    let from_idp = encode(&plain, &external_claims("opinto"), &external).expect("signs");
    let read = app.get_as(Some(&from_idp), "/v1/audit").await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let elsewhere = encode(&plain, &external_claims("someone-else"), &external).expect("signs");
    app.get_as(Some(&elsewhere), "/v1/audit")
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let (_, stranger) = write_key("stranger.pem");
    let unknown = encode(&plain, &external_claims("opinto"), &stranger).expect("signs");
    app.get_as(Some(&unknown), "/v1/audit")
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    environment.shut_down().await;
}

#[actix_web::test]
async fn previous_and_external_keys_verify_over_http_on_sqlite() {
    previous_and_external_keys_verify_over_http(Backend::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "a PostgreSQL variant: set TEST_DATABASE_URL to run it"
)]
async fn previous_and_external_keys_verify_over_http_on_postgres() {
    previous_and_external_keys_verify_over_http(Backend::Postgres).await;
}

backend_tests!(
    the_client_credentials_grant_issues_scoped_tokens,
    token_requests_fail_with_oauth_errors,
    revoked_clients_lose_access_at_once,
    a_revocation_from_another_process_reaches_the_service,
    forged_and_stale_tokens_are_refused,
    every_write_needs_a_token,
    clients_act_only_for_their_own_organisation,
    failed_authentications_are_rate_limited,
    administrators_manage_clients_over_http,
);
