//! Holes an attacker from outside would try: privileges raised by their own holder, personal data
//! and secrets left readable at rest, lockouts and floods, and input that must never be a 500.

use awc::http::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{organisation_body, Reply, TestApp},
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
        .patch_json(
            &path,
            Some("\"2\""),
            &json!({"active": false, "kind": "education_provider"}),
        )
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
        "/v1/catalogue/learning-environments?q=x%00",
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

    let docs = app.off_contract().get("/docs/").await;
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
    let with_token =
        crate::helpers::Reply::from(preflight("authorization", "GET").await.expect("sent")).await;
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
    assert_eq!(
        public.header("access-control-allow-origin"),
        Some("https://any.example")
    );
    assert!(public.header("access-control-allow-credentials").is_none());
}

backend_tests!(
    nul_characters_are_bad_input_everywhere,
    wildcards_in_text_filters_match_only_themselves,
    pages_and_personal_data_carry_browser_protections,
    cors_opens_public_reads_but_not_credentials,
);

/// A token request sent through the trusted proxy on behalf of `address`.
async fn token_from(app: &TestApp, address: &str, client_id: &str, secret: &str) -> Reply {
    let request = app
        .client
        .post(app.url("/oauth/token"))
        .insert_header(("x-forwarded-for", address));
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret),
    ];
    Reply::from(request.send_form(&form).await.expect("request is sent")).await
}

async fn someone_elses_failures_never_lock_out_the_right_secret(app: TestApp) {
    let org = app.create_organisation(&organisation_body(json!({}))).await;
    let org = org["id"].as_str().expect("id");
    let (client_id, secret) = app.create_client(Some(org), "organisations:write").await;
    for attacker in 1..=10 {
        let address = format!("203.0.113.{attacker}");
        for _ in 0..10 {
            let reply = token_from(&app, &address, &client_id, "wrong").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
        }
        let locked = token_from(&app, &address, &client_id, "wrong").await;
        locked.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    }
    let legitimate = token_from(&app, "198.51.100.20", &client_id, &secret).await;
    assert_eq!(legitimate.status, StatusCode::OK, "{}", legitimate.text);

    // A colleague behind the same office address keeps working after one member's mistakes.
    let (colleague, colleague_secret) = app.create_client(Some(org), "organisations:write").await;
    let office = "198.51.100.99";
    for _ in 0..10 {
        token_from(&app, office, &client_id, "wrong").await;
    }
    let other = token_from(&app, office, &colleague, &colleague_secret).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
}

/// How many of `replies` answered `status`.
fn answered(replies: &[Reply], status: StatusCode) -> usize {
    replies.iter().filter(|reply| reply.status == status).count()
}

async fn parallel_failures_are_counted_atomically(app: TestApp) {
    let org = app.create_organisation(&organisation_body(json!({}))).await;
    let (client_id, _) = app
        .create_client(Some(org["id"].as_str().expect("id")), "organisations:write")
        .await;
    let attempts = (0..40).map(|_| token_from(&app, "203.0.113.50", &client_id, "wrong"));
    let replies = futures_util::future::join_all(attempts).await;
    let checked = answered(&replies, StatusCode::UNAUTHORIZED);
    let refused = answered(&replies, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        (checked, refused),
        (10, 30),
        "exactly the limit's ten secrets were checked"
    );
}

async fn a_token_flood_is_cut_off_per_client(app: TestApp) {
    let org = app.create_organisation(&organisation_body(json!({}))).await;
    let (client_id, secret) = app
        .create_client(Some(org["id"].as_str().expect("id")), "organisations:write")
        .await;
    // In waves of five: more than ten requests of one client from one address in flight at once
    // would meet the failure limit, as a guess may be among them.
    let mut replies = Vec::new();
    for _ in 0..9 {
        let wave = (0..5).map(|_| token_from(&app, "198.51.100.5", &client_id, &secret));
        replies.extend(futures_util::future::join_all(wave).await);
    }
    let issued = answered(&replies, StatusCode::OK);
    let limited = answered(&replies, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!((issued, limited), (30, 15));
    // Another client is not affected.
    let (other, other_secret) = app.create_client(None, "").await;
    let reply = token_from(&app, "198.51.100.5", &other, &other_secret).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

async fn verify_from(app: &TestApp, address: &str, path: &str, accept: &str) -> Reply {
    let request = app
        .client
        .get(app.url(path))
        .insert_header(("x-forwarded-for", address))
        .insert_header(("accept", accept));
    Reply::from(request.send().await.expect("request is sent")).await
}

async fn mistyped_codes_never_hide_a_real_certificate(app: TestApp) {
    let parties = crate::certificates::parties(&app).await;
    let id = crate::certificates::draft(&app, &parties).await;
    let issued = crate::certificates::issue(&app, &parties.workshop, &id).await;
    let code = issued.body["verification_code"]
        .as_str()
        .expect("code")
        .to_owned();
    let office = "198.51.100.40";
    for _ in 0..20 {
        let reply = verify_from(&app, office, "/v1/verify/AAAAA-AAAAA", "application/json").await;
        reply.assert_problem(StatusCode::NOT_FOUND, "not-found");
    }
    let limited = verify_from(&app, office, "/v1/verify/AAAAA-AAAAB", "application/json").await;
    limited.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    let page = verify_from(&app, office, "/verify/AAAAA-AAAAB", "text/html").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
    assert!(page.header("retry-after").is_some());
    for words in ["liian monta", "För många", "Too many"] {
        assert!(page.text.contains(words), "{words}: {}", page.text);
    }

    // The real code is answered at once, from the same office, as data and as a page.
    let valid = verify_from(&app, office, &format!("/v1/verify/{code}"), "application/json").await;
    assert_eq!(valid.status, StatusCode::OK, "{}", valid.text);
    assert_eq!(valid.body["genuine"], true);
    let valid_page = verify_from(&app, office, &format!("/verify/{code}"), "text/html").await;
    assert_eq!(valid_page.status, StatusCode::OK);
    // Another address is not slowed down.
    let elsewhere = verify_from(
        &app,
        "198.51.100.41",
        "/v1/verify/AAAAA-AAAAA",
        "application/json",
    )
    .await;
    elsewhere.assert_problem(StatusCode::NOT_FOUND, "not-found");
}

backend_tests!(
    someone_elses_failures_never_lock_out_the_right_secret,
    parallel_failures_are_counted_atomically,
    a_token_flood_is_cut_off_per_client,
    mistyped_codes_never_hide_a_real_certificate,
);

async fn identity_code_searches_are_audited_and_limited(app: TestApp) {
    let parties = crate::certificates::parties(&app).await;
    let body = json!({"holder_hetu": crate::certificates::HETU});
    let search = || app.post_json_as(Some(&parties.provider), "/v1/certificates/search", &body);
    let nothing = search().await;
    assert_eq!(nothing.status, StatusCode::OK, "{}", nothing.text);
    assert_eq!(nothing.body["items"], json!([]));
    let audit = app
        .get_as(
            Some(&app.admin_token),
            "/v1/audit?resource_type=certificate_search",
        )
        .await;
    let entries = audit.body["items"].as_array().expect("items");
    assert_eq!(
        entries.len(),
        1,
        "a search that found nothing is audited: {}",
        audit.text
    );
    assert_eq!(entries[0]["action"], "search");
    assert_eq!(entries[0]["organisation_id"], parties.cast.provider.as_str());
    assert!(!audit.text.contains(crate::certificates::HETU));

    for _ in 1..60 {
        assert_eq!(search().await.status, StatusCode::OK);
    }
    search()
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    let other = app
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates/search",
            &json!({"holder_hetu": crate::certificates::HETU}),
        )
        .await;
    assert_eq!(other.status, StatusCode::OK, "another client searches on");
}

backend_tests!(identity_code_searches_are_audited_and_limited);

/// A POST as `token` with an `Idempotency-Key`.
async fn post_once(app: &TestApp, token: &str, path: &str, key: &str, body: &serde_json::Value) -> Reply {
    let request = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .insert_header(("idempotency-key", key));
    Reply::from(request.send_json(body).await.expect("request is sent")).await
}

/// Everything the database holds, as text: for SQLite the file and its write-ahead log byte by
/// byte, for PostgreSQL every row of every table, binary columns in hex too.
fn stored_text(app: &TestApp) -> String {
    use diesel::{Connection, RunQueryDsl};
    if let Some(path) = app.database_url.strip_prefix("sqlite://") {
        return ["", "-wal", "-journal"]
            .iter()
            .filter_map(|suffix| std::fs::read(format!("{path}{suffix}")).ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect();
    }
    #[derive(diesel::QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        text: String,
    }
    let mut conn = diesel::PgConnection::establish(&app.database_url).expect("connects");
    let tables: Vec<Text> =
        diesel::sql_query("SELECT tablename AS text FROM pg_tables WHERE schemaname = 'public'")
            .load(&mut conn)
            .expect("tables");
    tables
        .iter()
        .flat_map(|table| {
            diesel::sql_query(format!(
                "SELECT row_to_json(t)::text AS text FROM \"{}\" t",
                table.text
            ))
            .load::<Text>(&mut conn)
            .expect("rows")
        })
        .map(|row| row.text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn hex(text: &str) -> String {
    text.bytes().map(|byte| format!("{byte:02x}")).collect()
}

async fn personal_data_and_secrets_are_never_stored_in_plain_text(app: TestApp) {
    let parties = crate::certificates::parties(&app).await;
    let mut body = crate::certificates::certificate_body(&parties.environment);
    body["holder"]["learner_oid"] = json!("1.2.246.562.24.10000000008");
    let created = post_once(&app, &parties.workshop, "/v1/certificates", "create-1", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let issue_path = format!("/v1/certificates/{id}/issue");
    let issued = post_once(
        &app,
        &parties.workshop,
        &issue_path,
        "issue-1",
        &serde_json::Value::Null,
    )
    .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    let search = json!({"holder_hetu": crate::certificates::HETU});
    let found = post_once(
        &app,
        &parties.workshop,
        "/v1/certificates/search",
        "search-1",
        &search,
    )
    .await;
    assert_eq!(
        found.body["items"][0]["holder"]["hetu"],
        crate::certificates::HETU
    );
    let client = json!({"name": "Opintohallintojärjestelmä", "organisation_id": parties.cast.provider, "scopes": ["certificates:read"]});
    let made = post_once(&app, &app.admin_token, "/v1/admin/clients", "client-1", &client).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let secret = made.body["client_secret"]
        .as_str()
        .expect("secret shown once")
        .to_owned();

    // Replays answer as the first time, except that a secret is never shown again.
    let replayed = post_once(
        &app,
        &parties.workshop,
        "/v1/certificates/search",
        "search-1",
        &search,
    )
    .await;
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.body, found.body);
    let created_again = post_once(&app, &parties.workshop, "/v1/certificates", "create-1", &body).await;
    assert_eq!(created_again.body, created.body);
    let client_again = post_once(&app, &app.admin_token, "/v1/admin/clients", "client-1", &client).await;
    assert_eq!(client_again.status, StatusCode::CREATED);
    assert_eq!(client_again.header("idempotent-replayed"), Some("true"));
    assert_eq!(client_again.body["client_id"], made.body["client_id"]);
    assert_eq!(client_again.body["client_secret"], json!(null));

    // A webhook's signing secret is kept sealed, since it must be used again, and never replayed.
    let hooks = app
        .token_for(&parties.cast.provider, "certificates:read webhooks:write")
        .await;
    let hook = json!({"url": "http://127.0.0.1:9/hooks", "events": ["certificate.shared"]});
    let subscribed = post_once(&app, &hooks, "/v1/webhooks", "hook-1", &hook).await;
    assert_eq!(subscribed.status, StatusCode::CREATED, "{}", subscribed.text);
    let webhook_secret = subscribed.body["secret"].as_str().expect("shown once").to_owned();
    let subscribed_again = post_once(&app, &hooks, "/v1/webhooks", "hook-1", &hook).await;
    assert_eq!(subscribed_again.body["secret"], json!(null));

    let stored = stored_text(&app);
    for plain in [
        crate::certificates::HETU,
        "2004-03-15",
        "1.2.246.562.24.10000000008",
        secret.as_str(),
        webhook_secret.as_str(),
        webhook_secret.trim_start_matches("whsec_"),
    ] {
        assert!(!stored.contains(plain), "{plain} is stored in plain text");
        assert!(
            !stored.contains(&hex(plain)),
            "{plain} is stored in plain text, as bytes"
        );
    }
}

backend_tests!(personal_data_and_secrets_are_never_stored_in_plain_text);

async fn personal_data_keys_rotate_while_the_service_runs(app: TestApp) {
    use opinto_registry::{
        certificates::{protection::PersonalDataKey, sealing},
        db::Db,
    };
    let parties = crate::certificates::parties(&app).await;
    let id = crate::certificates::draft(&app, &parties).await;
    let hooks = app
        .token_for(&parties.cast.provider, "certificates:read webhooks:write")
        .await;
    let subscribed = app
        .post_json_as(
            Some(&hooks),
            "/v1/webhooks",
            &json!({"url": "http://127.0.0.1:9/hooks", "events": ["certificate.shared"]}),
        )
        .await;
    assert_eq!(subscribed.status, StatusCode::CREATED, "{}", subscribed.text);
    let files = tempfile::tempdir().expect("directory");
    let old_key_file = app.files_dir().join("personal-data-key");
    let new_key_file = files.path().join("new-key");
    opinto_registry::certificates::protection::generate_file(&new_key_file).expect("new key");
    let ring = PersonalDataKey::load_ring(&new_key_file, std::slice::from_ref(&old_key_file)).expect("ring");

    let db = Db::connect(&app.database_url, 1).expect("database");
    let mut conn = db.get().expect("connection");
    let done = sealing::rotate(&mut conn, &ring).expect("rotated");
    assert_eq!(done.certificates, 1);
    assert_eq!(
        opinto_registry::webhooks::domain::reseal_secrets(&mut conn, &ring).expect("resealed"),
        1
    );
    assert_eq!(
        sealing::rotate(&mut conn, &ring).expect("again").certificates,
        0,
        "resumes where it ended"
    );
    let stored = stored_text(&app);
    let old_prefix = PersonalDataKey::load(&old_key_file)
        .expect("old key")
        .current_prefix();
    assert!(stored.contains(&ring.current_prefix()));
    assert!(!stored.contains(&old_prefix), "nothing is left under the old key");

    // An instance with the new key (and the old one, for what it may still meet) reads and finds it.
    let mut config = crate::helpers::test_config(&app.database_url, files.path());
    config.personal_data_key_file = new_key_file.clone();
    config.personal_data_previous_key_files = vec![old_key_file];
    config.auth.signing_key_file = app.files_dir().join("jwt-signing-key.pem");
    let instance = opinto_registry::startup::Application::build(config)
        .await
        .expect("starts");
    let address = format!("http://127.0.0.1:{}", instance.port());
    let handle = instance.handle();
    actix_web::rt::spawn(instance.run_until_stopped());
    let read = app
        .client
        .get(format!("{address}/v1/certificates/{id}"))
        .bearer_auth(&parties.workshop)
        .send()
        .await
        .expect("sent");
    let read = Reply::from(read).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.body["holder"]["hetu"], crate::certificates::HETU);
    assert_eq!(read.body["holder"]["date_of_birth"], "2004-03-15");
    let found = app
        .client
        .post(format!("{address}/v1/certificates/search"))
        .bearer_auth(&parties.workshop)
        .send_json(&json!({"holder_hetu": crate::certificates::HETU}))
        .await
        .expect("sent");
    let found = Reply::from(found).await;
    assert_eq!(
        found.body["items"][0]["id"],
        id.as_str(),
        "the rebuilt index finds it"
    );
    handle.stop(false).await;
}

backend_tests!(personal_data_keys_rotate_while_the_service_runs);

const SQLITE_MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/postgres");

/// Applies migrations up to and including `last`, as an older release left the database.
fn migrate_until(conn: &mut opinto_registry::db::DbConnection, last: &str) {
    use diesel_migrations::MigrationHarness;
    use opinto_registry::db::DbConnection;
    loop {
        let version = match conn {
            DbConnection::Sqlite(conn) => {
                let next = conn.pending_migrations(SQLITE_MIGRATIONS).expect("pending");
                conn.run_migration(&*next[0]).expect("applied").to_string()
            }
            DbConnection::Pg(conn) => {
                let next = conn.pending_migrations(POSTGRES_MIGRATIONS).expect("pending");
                conn.run_migration(&*next[0]).expect("applied").to_string()
            }
        };
        if version == last {
            return;
        }
    }
}

async fn birth_dates_stored_in_plain_text_are_sealed_on_upgrade(app: TestApp) {
    use diesel::RunQueryDsl;
    use opinto_registry::{certificates::protection::PersonalDataKey, db::Db, startup::migration_steps};
    let directory = tempfile::tempdir().expect("directory");
    let (url, _database) = if app.database_url.starts_with("sqlite") {
        (
            format!("sqlite://{}", directory.path().join("old.db").display()),
            None,
        )
    } else {
        let admin = crate::helpers::postgres_admin_url().expect("PostgreSQL is configured");
        let (url, database) = crate::helpers::create_postgres_database(&admin);
        (url, Some(database))
    };
    let db = Db::connect(&url, 1).expect("database");
    {
        let mut conn = db.get().expect("connection");
        migrate_until(&mut conn, "20261124000010");
        for statement in [
            "INSERT INTO municipalities (code, name_fi, in_force, placeholder) VALUES ('999', 'Testi', TRUE, FALSE)",
            "INSERT INTO organisations (id, kind, name_fi, name_search, municipality_code, active, version, created_at, updated_at) \
             VALUES ('org', 'workshop', 'Paja', 'paja', '999', TRUE, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            "INSERT INTO certificates (id, issuer_organisation_id, status, holder_given_names, holder_family_name, \
             holder_birth_date, holder_learner_oid, start_date, end_date, coach_name, language, other_competences, \
             version, created_at, updated_at) VALUES ('cert', 'org', 'draft', 'Aino', 'Virtanen', '2004-03-15', \
             '1.2.246.562.24.10000000008', '2026-01-01', '2026-02-01', 'Coach', 'fi', '[]', 1, \
             '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        ] {
            diesel::sql_query(statement).execute(&mut *conn).expect(statement);
        }
    }
    let key = PersonalDataKey::from_master(&[5; 32]);
    let applied = db.migrate(&mut migration_steps(&key)).expect("upgraded");
    assert!(applied.contains(&"20261130000012".to_owned()), "{applied:?}");

    #[derive(diesel::QueryableByName)]
    struct Sealed {
        #[diesel(sql_type = diesel::sql_types::Text)]
        birth: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        oid: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        oid_index: String,
    }
    let mut conn = db.get().expect("connection");
    let row: Sealed = diesel::sql_query(
        "SELECT holder_birth_date_encrypted AS birth, holder_learner_oid AS oid, \
         holder_learner_oid_index AS oid_index FROM certificates",
    )
    .get_result(&mut *conn)
    .expect("the certificate");
    assert_eq!(key.decrypt(&row.birth).expect("sealed"), "2004-03-15");
    assert_eq!(
        key.decrypt(&row.oid).expect("sealed"),
        "1.2.246.562.24.10000000008"
    );
    // Migration 17 gives the learner OID its blind index, so that a search finds it.
    assert!(applied.contains(&"20261206000017".to_owned()), "{applied:?}");
    assert_eq!(row.oid_index, key.blind_index("1.2.246.562.24.10000000008"));
    if let Some(path) = url.strip_prefix("sqlite://") {
        drop(conn);
        let bytes: Vec<u8> = ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::read(format!("{path}{suffix}")).ok())
            .flatten()
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("2004-03-15"),
            "no plain birth date is left in the file"
        );
        assert!(!text.contains("1.2.246.562.24.10000000008"));
    }
}

backend_tests!(birth_dates_stored_in_plain_text_are_sealed_on_upgrade);

/// What an attacker can bound about every count behind one statistics answer: each figure's
/// interval, tightened by every sum the tables' structure implies, until nothing changes.
struct Attack {
    bounds: std::collections::BTreeMap<String, (i64, i64)>,
    /// The figures that count people; organisations and environments are public facts.
    people: std::collections::BTreeSet<String>,
    /// (parts, whole): the parts add up to the whole.
    sums: Vec<(Vec<String>, String)>,
}

impl Attack {
    /// `answer` as shown; `universe` (an exact answer) tells the attacker every row that exists.
    fn new(answer: &serde_json::Value, universe: &serde_json::Value) -> Self {
        let mut attack = Attack {
            bounds: Default::default(),
            people: Default::default(),
            sums: Vec::new(),
        };
        for (table, all) in answer["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .zip(universe["tables"].as_array().expect("tables"))
        {
            attack.add_table(table, all);
        }
        for cross in answer["cross_tables"].as_array().expect("cross tables") {
            attack.add_cross_table(cross);
        }
        // One population behind all the tables of participants, and of ended participations.
        for (counts, first) in [
            ("participants", "participants"),
            ("ended_participations", "next_steps"),
        ] {
            for table in answer["tables"].as_array().expect("tables") {
                if table["counts"] == counts && table["total"].is_object() {
                    let name = table["name"].as_str().expect("name");
                    attack
                        .sums
                        .push((vec![format!("{name}/total")], format!("{first}/total")));
                }
            }
        }
        attack
    }

    fn shown(&mut self, id: String, cell: &serde_json::Value, rounded: bool) {
        let count = cell["count"].as_i64().expect("a count");
        let slack = if rounded { 2 } else { 0 };
        self.bounds.insert(id, ((count - slack).max(0), count + slack));
    }

    fn counts_people(table: &serde_json::Value) -> bool {
        let people = [
            "participants",
            "ended_participations",
            "completed_units",
            "completed_qualifications",
            "certificates",
        ];
        people.iter().any(|kind| table["counts"] == *kind)
    }

    fn add_table(&mut self, table: &serde_json::Value, all: &serde_json::Value) {
        let name = table["name"].as_str().expect("name");
        if Self::counts_people(table) {
            self.people.insert(name.to_owned());
        }
        let rounded = table["rounded"] == true;
        if table["total"].is_object() {
            self.shown(format!("{name}/total"), &table["total"], rounded);
        }
        let mut parts = Vec::new();
        for row in all["rows"].as_array().expect("rows") {
            let key = row["key"].as_str().expect("key");
            let id = format!("{name}/{key}");
            // A subtotal is the sum of the rows it names, not a part of the partition.
            let sum_of: Vec<String> = row["sum_of"]
                .as_array()
                .expect("sum_of")
                .iter()
                .map(|part| format!("{name}/{}", part.as_str().expect("a key")))
                .collect();
            match table["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .find(|shown| shown["key"] == key)
            {
                Some(shown) => self.shown(id.clone(), shown, rounded),
                // A row left out rounds to 0.
                None => {
                    self.bounds.insert(id.clone(), (0, 2));
                }
            }
            if sum_of.is_empty() {
                parts.push(id);
            } else {
                self.sums.push((sum_of, id));
            }
        }
        if table["partition"] == true {
            self.sums.push((parts, format!("{name}/total")));
        }
    }

    fn add_cross_table(&mut self, cross: &serde_json::Value) {
        let name = cross["name"].as_str().expect("name");
        if Self::counts_people(cross) {
            self.people.insert(name.to_owned());
        }
        let rounded = cross["rounded"] == true;
        let columns: Vec<&str> = cross["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|column| column["key"].as_str().expect("key"))
            .collect();
        self.shown(format!("{name}/total"), &cross["total"], rounded);
        let mut row_totals = Vec::new();
        for row in cross["rows"].as_array().expect("rows") {
            let key = row["key"].as_str().expect("key");
            let cells: Vec<String> = columns
                .iter()
                .map(|column| format!("{name}/{key}/{column}"))
                .collect();
            for (id, cell) in cells.iter().zip(row["cells"].as_array().expect("cells")) {
                self.shown(id.clone(), cell, rounded);
            }
            self.shown(format!("{name}/{key}/total"), &row["total"], rounded);
            self.sums.push((cells, format!("{name}/{key}/total")));
            row_totals.push(format!("{name}/{key}/total"));
        }
        self.sums.push((row_totals, format!("{name}/total")));
    }

    /// Tightens every interval by every sum until nothing changes.
    fn solve(mut self) -> std::collections::BTreeMap<String, (i64, i64)> {
        for _ in 0..1000 {
            let mut changed = false;
            for (parts, whole) in &self.sums {
                let (Some(&(whole_lo, whole_hi)), true) = (
                    self.bounds.get(whole),
                    parts.iter().all(|part| self.bounds.contains_key(part)),
                ) else {
                    continue;
                };
                let lo_sum: i64 = parts.iter().map(|part| self.bounds[part].0).sum();
                let hi_sum: i64 = parts.iter().map(|part| self.bounds[part].1).sum();
                let mut tighten = |bounds: &mut std::collections::BTreeMap<String, (i64, i64)>,
                                   id: &str,
                                   lo: i64,
                                   hi: i64| {
                    let bound = bounds.get_mut(id).expect("known");
                    let next = (bound.0.max(lo), bound.1.min(hi));
                    if next != *bound {
                        *bound = next;
                        changed = true;
                    }
                };
                tighten(&mut self.bounds, whole, lo_sum, hi_sum);
                for part in parts {
                    let (part_lo, part_hi) = self.bounds[part];
                    tighten(
                        &mut self.bounds,
                        part,
                        whole_lo - (hi_sum - part_hi),
                        whole_hi - (lo_sum - part_lo),
                    );
                }
            }
            if !changed {
                break;
            }
        }
        self.bounds
    }
}

/// The counts an attacker pins to exactly 1 or 2.
fn recoverable_small_counts(answer: &serde_json::Value, universe: &serde_json::Value) -> Vec<String> {
    let attack = Attack::new(answer, universe);
    let people = attack.people.clone();
    attack
        .solve()
        .into_iter()
        .filter(|(id, _)| people.iter().any(|table| id.starts_with(&format!("{table}/"))))
        .filter(|(_, (lo, hi))| lo == hi && (*lo == 1 || *lo == 2))
        .map(|(id, (lo, _))| format!("{id} = {lo}"))
        .collect()
}

async fn no_count_of_people_under_three_can_be_recovered_from_public_statistics(app: TestApp) {
    let s = crate::programmes::setting(&app).await;
    crate::programmes::build_programme(&app, &s).await;
    let path = format!("/v1/programmes/{}/statistics", s.programme);
    let exact = app.get_as(Some(&s.administrator), &path).await;
    let public = app.get(&path).await;
    assert_eq!(public.body["exact"], false);

    // The attack works: on exact figures it finds the small groups.
    let exposed = recoverable_small_counts(&exact.body, &exact.body);
    assert!(
        exposed.contains(&"participants_by_gender/other = 1".to_owned()),
        "{exposed:?}"
    );
    // On public figures it finds none, though it knows every row that exists.
    assert_eq!(
        recoverable_small_counts(&public.body, &exact.body),
        Vec::<String>::new()
    );
    // And every count of people shown is a multiple of five, so no difference of them is 1 or 2.
    for table in public.body["tables"].as_array().expect("tables") {
        let rounded = table["rounded"] == true;
        for row in table["rows"].as_array().expect("rows") {
            if rounded {
                assert_eq!(
                    row["count"].as_u64().expect("count") % 5,
                    0,
                    "{}: {row}",
                    table["name"]
                );
            }
        }
    }

    let region = app.get("/v1/statistics/regions/04").await;
    let region_exact = app
        .get_as(Some(&app.admin_token), "/v1/statistics/regions/04")
        .await;
    let region_tables = json!({"tables": region.body["tables"], "cross_tables": []});
    let region_universe = json!({"tables": region_exact.body["tables"], "cross_tables": []});
    assert_eq!(
        recoverable_small_counts(&region_tables, &region_universe),
        Vec::<String>::new()
    );
}

backend_tests!(no_count_of_people_under_three_can_be_recovered_from_public_statistics);

async fn a_recognition_of_anothers_environment_is_public_only_with_consent(app: TestApp) {
    use crate::{
        environments::{cast, create_environment},
        recognitions::{agreement, recognise_unanswered},
    };
    let cast = cast(&app).await;
    let environment = create_environment(&app, &cast.workshop_token, json!({})).await;
    let body =
        json!({"units": [{"qualification": "351204", "unit": "SAMPLE-107"}], "valid_from": "2020-01-01"});
    let made = recognise_unanswered(&app, &cast.provider_token, &environment, &body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.body["items"][0]["owner_consent"], "pending");
    let id = made.body["items"][0]["id"].as_str().expect("id").to_owned();
    let catalogue = "/v1/catalogue/learning-environments?unit=SAMPLE-107";
    assert_eq!(
        crate::catalogue::ids(&app.get(catalogue).await),
        Vec::<String>::new(),
        "not public yet"
    );
    assert_eq!(
        crate::catalogue::ids(&app.get("/v1/catalogue/learning-environments").await),
        Vec::<String>::new()
    );

    let path = format!("/v1/learning-environments/{environment}/recognitions/{id}");
    // Unanswered, it is the provider's and the owner's business only.
    let listing = format!("/v1/learning-environments/{environment}/recognitions");
    let listed = |reply: Reply| reply.body["items"].as_array().expect("items").len();
    assert_eq!(listed(app.get(&listing).await), 0);
    assert_eq!(
        listed(app.get_as(Some(&cast.other_provider_token), &listing).await),
        0
    );
    assert_eq!(listed(app.get_as(Some(&cast.provider_token), &listing).await), 1);
    assert_eq!(listed(app.get_as(Some(&cast.workshop_token), &listing).await), 1);
    app.get(&path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(
        app.get_as(Some(&cast.workshop_token), &path).await.status,
        StatusCode::OK
    );
    // Only the owner answers: not the provider that made it, not a stranger.
    for token in [&cast.provider_token, &cast.other_provider_token] {
        app.post_json_as(Some(token), &format!("{path}/accept"), &serde_json::Value::Null)
            .await
            .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    let accepted = app
        .post_json_as(
            Some(&cast.workshop_token),
            &format!("{path}/accept"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    assert_eq!(accepted.body["owner_consent"], "accepted");
    assert_eq!(
        crate::catalogue::ids(&app.get(catalogue).await),
        vec![environment.clone()]
    );

    let declined = app
        .post_json_as(
            Some(&cast.workshop_token),
            &format!("{path}/decline"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(declined.body["owner_consent"], "declined");
    assert_eq!(
        crate::catalogue::ids(&app.get(catalogue).await),
        Vec::<String>::new(),
        "ended for the public"
    );

    // Under an agreement in force that covers the environment, it is public until the owner declines.
    let covered = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Toinen"}})).await;
    let active = agreement(&app, &cast, &[covered.as_str()], true).await;
    let under = json!({"units": [{"qualification": "351204", "unit": "SAMPLE-107"}], "valid_from": "2026-01-01", "agreement_id": active});
    let made = recognise_unanswered(&app, &cast.provider_token, &covered, &under).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.body["items"][0]["owner_consent"], "pending");
    assert_eq!(
        crate::catalogue::ids(&app.get(catalogue).await),
        vec![covered.clone()]
    );
    let id = made.body["items"][0]["id"].as_str().expect("id");
    app.post_json_as(
        Some(&cast.workshop_token),
        &format!("/v1/learning-environments/{covered}/recognitions/{id}/decline"),
        &serde_json::Value::Null,
    )
    .await;
    assert_eq!(
        crate::catalogue::ids(&app.get(catalogue).await),
        Vec::<String>::new()
    );

    // A provider's recognition of its own environment needs no one's consent.
    let owned = create_environment(&app, &cast.provider_token, json!({"name": {"fi": "Oma"}})).await;
    let own = recognise_unanswered(&app, &cast.provider_token, &owned, &body).await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.text);
    assert_eq!(own.body["items"][0]["owner_consent"], "own");
    assert_eq!(crate::catalogue::ids(&app.get(catalogue).await), vec![owned]);
}

async fn a_partner_takes_part_only_after_accepting(app: TestApp) {
    use crate::environments::cast;
    let cast = cast(&app).await;
    let scopes = "programmes:read programmes:write certificates:read certificates:write";
    let administrator = app.token_for(&cast.workshop, scopes).await;
    let partner = app.token_for(&cast.provider, scopes).await;
    let programme = app
        .post_json_as(
            Some(&administrator),
            "/v1/programmes",
            &json!({
                "name": {"fi": "Ohjelma"}, "starts_on": "2025-01-01", "ends_on": "2027-12-31",
                "status": "running", "funders": [{"name": "ESR", "instrument": "esf"}],
                "regions": ["04"], "partners": [cast.provider]
            }),
        )
        .await;
    assert_eq!(programme.status, StatusCode::CREATED, "{}", programme.text);
    let id = programme.body["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/programmes/{id}");
    // Named, not yet a partner: nowhere to be seen by others, and nothing to do as one.
    let public = app.get(&path).await;
    assert_eq!(public.body["partners"], json!([]));
    assert_eq!(public.body["invited_partners"], json!([]));
    let outsider = app.token_for(&cast.other_provider, scopes).await;
    assert_eq!(
        app.get_as(Some(&outsider), &path).await.body["invited_partners"],
        json!([])
    );
    assert_eq!(
        app.get_as(Some(&partner), &path).await.body["invited_partners"][0]["id"],
        cast.provider.as_str()
    );
    let listed = app
        .get(&format!("/v1/programmes?organisation={}", cast.provider))
        .await;
    assert_eq!(listed.body["items"], json!([]));
    let participation = json!({
        "starts_on": "2026-01-10", "municipality": "684", "coach_organisation_id": cast.provider,
        "gender": "female", "age_band": "under_25", "unemployment_duration": "at_least_12_months",
        "education_level": "basic", "immigrant_background": "no"
    });
    let refused = app
        .post_json_as(
            Some(&administrator),
            &format!("{path}/participations"),
            &participation,
        )
        .await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(refused.error_fields(), vec!["coach_organisation_id"]);
    // Someone never named has no partnership to accept.
    app.post_json_as(
        Some(&outsider),
        &format!("{path}/partnership/accept"),
        &serde_json::Value::Null,
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "not-found");

    let accepted = app
        .post_json_as(
            Some(&partner),
            &format!("{path}/partnership/accept"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    assert_eq!(
        app.get(&path).await.body["partners"][0]["id"],
        cast.provider.as_str()
    );
    let recorded = app
        .post_json_as(
            Some(&administrator),
            &format!("{path}/participations"),
            &participation,
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);

    // A certificate the recorder cannot read is refused exactly as one that does not exist.
    let parties = crate::certificates::parties(&app).await;
    let certificate = crate::certificates::draft(&app, &parties).await;
    crate::certificates::issue(&app, &parties.workshop, &certificate).await;
    let mut linking = participation.clone();
    linking["certificate_ids"] = json!([certificate]);
    let unreadable = app
        .post_json_as(Some(&partner), &format!("{path}/participations"), &linking)
        .await;
    linking["certificate_ids"] = json!(["01a22a92-0000-7000-8000-000000000000"]);
    let unknown = app
        .post_json_as(Some(&partner), &format!("{path}/participations"), &linking)
        .await;
    unknown.assert_problem(StatusCode::NOT_FOUND, "not-found");
    unreadable.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(unreadable.body["detail"], unknown.body["detail"]);
    assert_eq!(unreadable.body["title"], unknown.body["title"]);

    let ended = app
        .post_json_as(
            Some(&partner),
            &format!("{path}/partnership/decline"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    assert_eq!(app.get(&path).await.body["partners"], json!([]));
}

backend_tests!(
    a_recognition_of_anothers_environment_is_public_only_with_consent,
    a_partner_takes_part_only_after_accepting,
);
