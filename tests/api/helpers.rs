//! The test harness: every test gets the application on a free port with a database of its own,
//! a temporary SQLite file or, when `TEST_DATABASE_URL` is set, a new PostgreSQL database that is
//! dropped afterwards.

use std::future::Future;

use awc::{http::StatusCode, Client, ClientResponse};
use diesel::{Connection, PgConnection, RunQueryDsl};
use opinto_registry::{
    audit::Actor,
    clients::{domain as clients, dto::ClientInput},
    config::Config,
    db::{write_transaction, Db},
    startup::Application,
};
use serde_json::Value;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub client: Client,
    /// A platform administrator's access token.
    pub admin_token: String,
    files: std::path::PathBuf,
    /// Whether each exchange is held against the OpenAPI document (see `contract`).
    on_contract: bool,
}

/// What outlives a test's body: the server, stopped before its files and database are removed, so
/// that no worker or pool thread is left reconnecting to a dropped database when the process exits.
pub struct TestEnvironment {
    server: actix_web::dev::ServerHandle,
    files: tempfile::TempDir,
    _database: TestDatabase,
}

impl TestEnvironment {
    pub async fn shut_down(self) {
        self.server.stop(false).await;
    }
}

pub enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                // The stopped server's pool closes its connections as its worker winds down; dropping
                // the database under a live pool would leave it reconnecting in the background.
                for _ in 0..50 {
                    if connections_to(&mut conn, name) == 0 {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

fn connections_to(conn: &mut PgConnection, database: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    diesel::sql_query("SELECT count(*) AS count FROM pg_stat_activity WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(database)
        .get_result::<Count>(conn)
        .map_or(0, |row| row.count)
}

/// Generates, for each named `async fn(TestApp)`, one test on SQLite and one on PostgreSQL. The
/// PostgreSQL one is ignored, and reported so, when `TEST_DATABASE_URL` was not set at build time.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    $crate::helpers::run_on($crate::helpers::Backend::Sqlite, super::$name).await
                }

                #[actix_web::test]
                #[cfg_attr(
                    not(postgres_tests),
                    ignore = "a PostgreSQL variant: set TEST_DATABASE_URL to run it"
                )]
                async fn postgres() {
                    $crate::helpers::run_on($crate::helpers::Backend::Postgres, super::$name).await
                }
            }
        )*
    };
}

pub async fn run_on<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    match spawn_app(backend).await {
        Some((app, environment)) => {
            test(app).await;
            environment.shut_down().await;
        }
        None => eprintln!("skipped on PostgreSQL: TEST_DATABASE_URL is not set"),
    }
}

/// The service's command line with `args`, to run as a script would.
pub fn command_line(args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_opinto-registry"));
    command.args(args);
    command
}

/// Runs `command`, failing the test with its standard error unless it succeeds.
pub fn succeeds(command: &mut std::process::Command) -> std::process::Output {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        Some(url) => Some(url),
        None if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI")
        }
        None => None,
    }
}

pub fn create_postgres_database(admin_url: &str) -> (String, TestDatabase) {
    let mut conn = PgConnection::establish(admin_url)
        .unwrap_or_else(|error| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}"));
    let name = format!("test_{}", uuid::Uuid::now_v7().simple());
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .expect("test database can be created");
    let (server, _) = admin_url
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL names a database");
    (
        format!("{server}/{name}"),
        TestDatabase::Postgres {
            admin_url: admin_url.to_owned(),
            name,
        },
    )
}

/// An RSA credential key shared by every test of this run: generating one takes a while, and what
/// is tested is how it is used. Tests of rotation make their own.
pub fn shared_rsa_key() -> &'static std::path::Path {
    static KEY: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> = std::sync::OnceLock::new();
    let (_, path) = KEY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("credential-rsa-key.pem");
        let pem = opinto_registry::issuers::keys::generate_rsa_pem().expect("an RSA key");
        std::fs::write(&path, pem).expect("the key is saved");
        (dir, path)
    });
    path
}

pub fn test_config(database_url: &str, data_dir: &std::path::Path) -> Config {
    let mut config = Config::for_database(database_url, data_dir);
    config.credentials.rsa_key_file = shared_rsa_key().to_path_buf();
    config.bind_addr = "127.0.0.1:0".into();
    config.workers = Some(1);
    config.database_pool_size = 4;
    config.max_body_bytes = 64 * 1024;
    config.cors_allowed_origins = vec!["https://frontend.example".into()];
    // Tests speak for many clients through forwarding headers, as a reverse proxy would.
    config.trusted_proxies =
        opinto_registry::client_address::TrustedProxies::parse("127.0.0.1").expect("valid");
    // Tests' webhook receivers listen on loopback, without TLS; retries come fast.
    config.webhooks = opinto_registry::config::WebhookConfig {
        allow_http: true,
        allow_private_addresses: true,
        poll_ms: 50,
        retry_base_ms: 20,
        disable_after_failures: 5,
        ..Default::default()
    };
    config
}

pub async fn spawn_app(backend: Backend) -> Option<(TestApp, TestEnvironment)> {
    spawn_app_with(backend, |_| {}).await
}

/// The application with its configuration adjusted first (`files` is where it keeps its keys).
pub async fn spawn_app_with(
    backend: Backend,
    adjust: impl FnOnce(&mut Config),
) -> Option<(TestApp, TestEnvironment)> {
    let (database_url, database) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("registry.db").display());
            (url, TestDatabase::Sqlite(dir))
        }
        Backend::Postgres => create_postgres_database(&postgres_admin_url()?),
    };
    crate::logs::capture();
    let files = tempfile::tempdir().expect("temporary directory");
    let mut config = test_config(&database_url, files.path());
    adjust(&mut config);
    let application = Application::build(config).await.expect("the application starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    let environment = TestEnvironment {
        server: application.handle(),
        files,
        _database: database,
    };
    actix_web::rt::spawn(application.run_until_stopped());
    let mut app = TestApp {
        address,
        database_url,
        client: Client::builder().disable_redirects().finish(),
        admin_token: String::new(),
        files: environment.files.path().to_owned(),
        on_contract: true,
    };
    let (admin_id, admin_secret) = app.create_client(None, "").await;
    app.admin_token = app.token(&admin_id, &admin_secret, None).await;
    Some((app, environment))
}

impl TestApp {
    /// Where the service keeps its key files.
    pub fn files_dir(&self) -> &std::path::Path {
        &self.files
    }

    /// The same application, its exchanges not held against the document: for requests made to
    /// see what the service does off the contract (unknown paths, methods, media types).
    pub fn off_contract(&self) -> TestApp {
        TestApp {
            on_contract: false,
            ..self.clone()
        }
    }

    /// Holds an exchange against the document (unless off contract) and hands the reply back.
    pub fn exchanged(&self, method: &str, path: &str, body: Option<&Value>, reply: Reply) -> Reply {
        if self.on_contract {
            crate::contract::Exchange {
                method,
                path,
                body,
                reply: &reply,
            }
            .check();
        }
        reply
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    fn with_token(&self, request: awc::ClientRequest, token: Option<&str>) -> awc::ClientRequest {
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// A GET without a token.
    pub async fn get(&self, path: &str) -> Reply {
        self.get_as(None, path).await
    }

    pub async fn get_as(&self, token: Option<&str>, path: &str) -> Reply {
        let request = self.with_token(self.client.get(self.url(path)), token);
        let reply = Reply::from(request.send().await.expect("request is sent")).await;
        self.exchanged("GET", path, None, reply)
    }

    /// A GET asking for a representation with `Accept`.
    pub async fn get_accepting(&self, token: Option<&str>, path: &str, accept: &str) -> Reply {
        self.get_with(token, path, &[("accept", accept)]).await
    }

    /// A GET with the given request headers.
    pub async fn get_with(&self, token: Option<&str>, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.with_token(self.client.get(self.url(path)), token);
        for &(name, value) in headers {
            request = request.insert_header((name, value));
        }
        let reply = Reply::from(request.send().await.expect("request is sent")).await;
        self.exchanged("GET", path, None, reply)
    }

    /// A POST as the platform administrator.
    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.post_json_as(Some(&self.admin_token), path, body).await
    }

    pub async fn post_json_as(&self, token: Option<&str>, path: &str, body: &Value) -> Reply {
        let request = self.with_token(self.client.post(self.url(path)), token);
        self.send_post(request, path, body).await
    }

    /// A POST with an `Idempotency-Key`.
    pub async fn post_json_with_key(&self, token: &str, path: &str, key: &str, body: &Value) -> Reply {
        let request = self
            .with_token(self.client.post(self.url(path)), Some(token))
            .insert_header(("idempotency-key", key));
        self.send_post(request, path, body).await
    }

    /// A POST of a conditional action, with `If-Match`.
    pub async fn post_if_match(&self, token: Option<&str>, path: &str, etag: &str, body: &Value) -> Reply {
        let request = self
            .with_token(self.client.post(self.url(path)), token)
            .insert_header(("if-match", etag));
        self.send_post(request, path, body).await
    }

    /// Sends a POST with a JSON body, or with none when `body` is `Null` (the actions that take none).
    async fn send_post(&self, request: awc::ClientRequest, path: &str, body: &Value) -> Reply {
        let (response, sent) = match body {
            Value::Null => (request.send().await, None),
            body => (request.send_json(body).await, Some(body)),
        };
        let reply = Reply::from(response.expect("request is sent")).await;
        self.exchanged("POST", path, sent, reply)
    }

    /// A PATCH as the platform administrator.
    pub async fn patch_json(&self, path: &str, if_match: Option<&str>, body: &Value) -> Reply {
        self.patch_json_as(Some(&self.admin_token), path, if_match, body)
            .await
    }

    pub async fn patch_json_as(
        &self,
        token: Option<&str>,
        path: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Reply {
        let mut request = self
            .with_token(self.client.patch(self.url(path)), token)
            .insert_header(("content-type", "application/merge-patch+json"));
        if let Some(etag) = if_match {
            request = request.insert_header(("if-match", etag));
        }
        let reply = Reply::from(
            request
                .send_body(body.to_string())
                .await
                .expect("request is sent"),
        )
        .await;
        self.exchanged("PATCH", path, Some(body), reply)
    }

    pub async fn delete_as(&self, token: Option<&str>, path: &str, if_match: Option<&str>) -> Reply {
        let mut request = self.with_token(self.client.delete(self.url(path)), token);
        if let Some(etag) = if_match {
            request = request.insert_header(("if-match", etag));
        }
        let reply = Reply::from(request.send().await.expect("request is sent")).await;
        self.exchanged("DELETE", path, None, reply)
    }

    /// Creates an API client straight in the database, as the command line does, and returns its
    /// id and secret. Without an organisation it is an administrator.
    pub async fn create_client(&self, organisation_id: Option<&str>, scopes: &str) -> (String, String) {
        let db = Db::connect(&self.database_url, 1).expect("database");
        let mut conn = db.get().expect("connection");
        let input = ClientInput {
            name: "test client".into(),
            organisation_id: organisation_id.map(str::to_owned),
            admin: organisation_id.is_none(),
            scopes: opinto_registry::auth::parse_scopes(scopes).expect("known scopes"),
        };
        let (row, secret) = write_transaction(&mut conn, |conn| {
            clients::create(conn, &Actor::command_line(), input)
        })
        .expect("client is created");
        (row.id, secret)
    }

    /// The token endpoint's answer for these credentials, sent as form fields.
    pub async fn request_token(&self, client_id: &str, secret: &str, scope: Option<&str>) -> Reply {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let request = self.client.post(self.url("/oauth/token"));
        let reply = Reply::from(request.send_form(&form).await.expect("request is sent")).await;
        self.exchanged("POST", "/oauth/token", None, reply)
    }

    /// A form POST without a token, as OAuth token requests are sent.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        let request = self.client.post(self.url(path));
        let reply = Reply::from(request.send_form(&form).await.expect("request is sent")).await;
        self.exchanged("POST", path, None, reply)
    }

    pub async fn token(&self, client_id: &str, secret: &str, scope: Option<&str>) -> String {
        let reply = self.request_token(client_id, secret, scope).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A token of a new client acting for `organisation_id` with these scopes.
    pub async fn token_for(&self, organisation_id: &str, scopes: &str) -> String {
        let (id, secret) = self.create_client(Some(organisation_id), scopes).await;
        self.token(&id, &secret, None).await
    }

    /// The service's token signing key, for tests that forge tokens with it.
    pub fn signing_key_pem(&self) -> Vec<u8> {
        std::fs::read(self.files.join("jwt-signing-key.pem")).expect("the signing key was generated")
    }

    /// Registers an organisation and returns its body.
    pub async fn create_organisation(&self, body: &Value) -> Value {
        let reply = self.post_json("/v1/organisations", body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }
}

/// A response read whole: status, headers and the body as JSON (`Null` when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body as it came, for documents that are not text.
    pub bytes: Vec<u8>,
}

impl Reply {
    pub async fn from<S>(mut response: ClientResponse<S>) -> Self
    where
        S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
    {
        let bytes = response
            .body()
            .limit(8 * 1024 * 1024)
            .await
            .expect("body is read");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Self {
            status: response.status(),
            headers: response.headers().clone(),
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text,
            bytes: bytes.to_vec(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts a problem+json response with this status and problem type slug.
    pub fn assert_problem(&self, status: StatusCode, slug: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(self.body["type"], format!("/problems/{slug}"), "{}", self.text);
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.text);
        assert!(self.body["title"].is_string(), "{}", self.text);
    }

    /// The fields named in a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|error| error["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A valid organisation body; `overrides` replaces members.
pub fn organisation_body(overrides: Value) -> Value {
    let mut body = serde_json::json!({
        "kind": "workshop",
        "name": {"fi": "Rauman nuorten työpaja", "sv": "Raumo ungdomsverkstad"},
        "municipality": "684"
    });
    if let (Some(body), Some(overrides)) = (body.as_object_mut(), overrides.as_object()) {
        for (key, value) in overrides {
            body.insert(key.clone(), value.clone());
        }
    }
    body
}

/// A statement the connection keeps prepared on PostgreSQL, with how often it ran on a plan kept
/// for any values (generic) and on one made for the values given (custom).
#[derive(diesel::QueryableByName, Debug)]
pub struct Plans {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub statement: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub generic_plans: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub custom_plans: i64,
}

/// The statements `conn` keeps prepared, in the order of their text.
pub fn prepared_plans(conn: &mut opinto_registry::db::DbConnection) -> Vec<Plans> {
    diesel::sql_query(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY statement",
    )
    .load(conn)
    .expect("the connection's statements")
}
