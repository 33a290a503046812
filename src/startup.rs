//! Building and running the HTTP server.

use std::{net::TcpListener, sync::Arc};

use actix_web::{
    dev::Server,
    http::{header, Method},
    middleware::from_fn,
    web, App, HttpResponse, HttpServer,
};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::{
    auth::{
        active_clients::ActiveClients,
        keys::{KeyError, KeySet},
        middleware::authenticate,
        verified_tokens::VerifiedTokens,
    },
    catalogue::cache::CatalogueCache,
    certificates::{self, protection::PersonalDataKey},
    config::Config,
    db::{Db, DbConnection, DbSetupError},
    error::ApiError,
    extract::{path_config, BodyLimit},
    hardening,
    idempotency::idempotency,
    issuers::{keys::CredentialKeys, PublicUrl},
    openapi,
    reference::{self, import::ImportError},
    replica::ReadDb,
    request_context::request_context,
    route_table::{self, RouteTable},
    routes,
    telemetry::RequestSpan,
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error("cannot load the keys: {0}")]
    Keys(#[from] KeyError),
    #[error("cannot load the shipped reference data: {0}")]
    ReferenceData(#[from] ImportError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
}

/// A built server, listening and ready to run.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects to the database, applies migrations, loads reference data into an empty database,
    /// and binds the listener (`BIND_ADDR` port 0 picks a free port, for tests).
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let personal_data_key = personal_data_key(&config)?;
        let db = prepare_database(&config, &personal_data_key, config.database_pool_size)?;
        let keys = KeySet::load(&config.auth)?;
        let credential_keys = CredentialKeys::load(&config.credentials)?;
        // The fonts of printed documents are parsed now, so that a broken one stops start-up.
        crate::pdf::font::load();
        let listener = TcpListener::bind(&config.bind_addr).map_err(|source| StartupError::Bind {
            addr: config.bind_addr.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                addr: config.bind_addr.clone(),
                source,
            })?
            .port();
        if config.public_url.is_none() && !binds_loopback(&config.bind_addr) {
            tracing::warn!(
                "PUBLIC_URL is not set while the service listens on {}: signed credentials and \
                 verification links will name http://{} for good; set PUBLIC_URL to the address \
                 people and systems reach the service at",
                config.bind_addr,
                public_address(&config.bind_addr, port)
            );
        }
        let public_url = PublicUrl(
            config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", public_address(&config.bind_addr, port))),
        );
        let secrets = Secrets {
            keys,
            credential_keys,
            personal_data_key,
            public_url,
        };
        let server = run(listener, db, secrets, &config).map_err(|source| StartupError::Bind {
            addr: config.bind_addr.clone(),
            source,
        })?;
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server: tests stop theirs before their database goes away.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The personal data key ring: the current key (generated on first start) and previous ones.
pub fn personal_data_key(config: &Config) -> Result<PersonalDataKey, StartupError> {
    Ok(PersonalDataKey::load_ring(
        &config.personal_data_key_file,
        &config.personal_data_previous_key_files,
    )?)
}

/// Migrations, with the data steps only Rust can take between two of them.
pub fn migration_steps(
    key: &PersonalDataKey,
) -> impl FnMut(&str, &mut DbConnection) -> Result<(), String> + '_ {
    move |version, conn| {
        if version == certificates::sealing::SEALING_MIGRATION {
            let sealed = certificates::sealing::seal_plain(conn, key).map_err(|error| error.to_string())?;
            if sealed > 0 {
                tracing::info!("sealed the birth dates and learner OIDs of {sealed} certificates");
            }
        }
        if version == certificates::sealing::LEARNER_OID_INDEX_MIGRATION {
            let indexed =
                certificates::sealing::index_learner_oids(conn, key).map_err(|error| error.to_string())?;
            if indexed > 0 {
                tracing::info!("indexed the learner OIDs of {indexed} certificates");
            }
        }
        Ok(())
    }
}

/// Opens a pool of `pool_size` connections to the database, migrates it and loads the shipped
/// reference data on first start.
pub fn prepare_database(config: &Config, key: &PersonalDataKey, pool_size: u32) -> Result<Db, StartupError> {
    let db = Db::connect(&config.database_url, pool_size)?;
    let (applied, loaded) = db.migrate_then(
        &mut migration_steps(key),
        reference::import::load_shipped_if_empty,
    )?;
    if !applied.is_empty() {
        tracing::info!("applied migrations: {}", applied.join(", "));
    }
    if let Some(report) = loaded? {
        tracing::info!(
            "loaded the shipped reference data: {} regions, {} municipalities, {} qualifications, {} units",
            report.regions.created,
            report.municipalities.created,
            report.qualifications.created,
            report.qualification_units.created
        );
    }
    Ok(db)
}

/// `/docs` without the slash, which Swagger UI's relative asset paths need.
async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

async fn route_not_found(
    request: actix_web::HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    match routes.allowed(request.path()) {
        Some(allow) if request.method() == Method::OPTIONS => Ok(HttpResponse::NoContent()
            .insert_header((header::ALLOW, allow))
            .finish()),
        Some(allow) => Err(ApiError::MethodNotAllowed { allow }),
        None => Err(ApiError::RouteNotFound),
    }
}

/// The bound address with the port actually bound (`BIND_ADDR` may name port 0), and a
/// loopback name for an address bound on every interface.
fn public_address(bind_addr: &str, port: u16) -> String {
    let host = bind_addr.rsplit_once(':').map_or(bind_addr, |(host, _)| host);
    let host = match host {
        "0.0.0.0" | "[::]" | "" => "localhost",
        host => host,
    };
    format!("{host}:{port}")
}

/// Whether the service listens only on this machine, where its own address is a fine public one.
fn binds_loopback(bind_addr: &str) -> bool {
    let host = bind_addr.rsplit_once(':').map_or(bind_addr, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// The keys and the address the service signs and links with.
pub struct Secrets {
    pub keys: KeySet,
    pub credential_keys: CredentialKeys,
    pub personal_data_key: PersonalDataKey,
    pub public_url: PublicUrl,
}

pub fn run(listener: TcpListener, db: Db, secrets: Secrets, config: &Config) -> std::io::Result<Server> {
    let read_db = web::Data::new(match &config.database_read_url {
        Some(url) => ReadDb::with_replica(db.for_public_reads(), url, config.database_pool_size),
        None => ReadDb::primary(db.for_public_reads()),
    });
    let db = web::Data::new(db);
    let keys = web::Data::new(secrets.keys);
    let credential_keys = web::Data::new(secrets.credential_keys);
    let personal_data_key = web::Data::new(secrets.personal_data_key);
    let public_url = web::Data::new(secrets.public_url);
    let auth_config = web::Data::new(config.auth.clone());
    let document = openapi::document();
    let route_table = web::Data::new(RouteTable::from_document(&document));
    // Serialized once and shared by the workers, instead of a copy of the document each.
    let document = web::Bytes::from(serde_json::to_vec(&document).map_err(std::io::Error::other)?);
    let catalogue_cache = web::Data::new(CatalogueCache::default());
    let status_list_cache = web::Data::new(certificates::status_list::StatusListCache::default());
    let lookups = web::Data::new(crate::lookups::Lookups::default());
    let body_limit = BodyLimit(config.max_body_bytes);
    let allowed_origins = config.cors_allowed_origins.clone();
    let trusted_proxies = config.trusted_proxies.clone();
    let rate_limits = web::Data::new(config.rate_limits);
    let koodisto_versions = web::Data::new(config.koodisto_versions);
    let wallet_config = web::Data::new(config.wallet);
    let webhook_config = web::Data::new(config.webhooks);
    let dispatcher = crate::webhooks::dispatcher::Dispatcher::new(
        db.get_ref().clone(),
        personal_data_key.clone(),
        public_url.0.clone(),
        config.webhooks,
    );
    let active_clients = Arc::new(ActiveClients::default());
    let verified_tokens = web::Data::new(VerifiedTokens::default());
    let listen_url = config.database_url.clone();
    let hashing = web::Data::new(crate::clients::token_endpoint::SecretChecker::new(
        std::thread::available_parallelism().map_or(2, usize::from),
    ));
    let mut server = HttpServer::new(move || {
        // Runs on this worker, so that it stops with the server.
        dispatcher.start_here();
        active_clients.listen_here(&listen_url);
        App::new()
            .into_utoipa_app()
            .app_data(db.clone())
            .app_data(read_db.clone())
            .app_data(keys.clone())
            .app_data(credential_keys.clone())
            .app_data(personal_data_key.clone())
            .app_data(public_url.clone())
            .app_data(auth_config.clone())
            .app_data(route_table.clone())
            .app_data(catalogue_cache.clone())
            .app_data(status_list_cache.clone())
            .app_data(lookups.clone())
            .app_data(hashing.clone())
            .app_data(web::Data::from(Arc::clone(&active_clients)))
            .app_data(verified_tokens.clone())
            .app_data(trusted_proxies.clone())
            .app_data(rate_limits.clone())
            .app_data(koodisto_versions.clone())
            .app_data(wallet_config.clone())
            .app_data(webhook_config.clone())
            .app_data(body_limit)
            .app_data(web::PayloadConfig::new(body_limit.0))
            .app_data(path_config())
            .configure(routes::routes)
            .into_app()
            .route("/docs", web::get().to(docs_redirect))
            .route("/openapi.json", web::get().to(served_document(document.clone())))
            .service(SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::new(["/openapi.json"])))
            .default_service(web::to(route_not_found))
            .wrap(from_fn(idempotency))
            .wrap(from_fn(route_table::refuse_unacceptable))
            .wrap(from_fn(authenticate))
            .wrap(hardening::cors(&allowed_origins))
            .wrap(from_fn(hardening::hardening))
            .wrap(from_fn(request_context))
            .wrap(TracingLogger::<RequestSpan>::new())
    })
    .listen(listener)?
    .shutdown_timeout(30);
    if let Some(workers) = config.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// The handler of `/openapi.json`: the document as serialized at start.
fn served_document(document: web::Bytes) -> impl Fn() -> std::future::Ready<HttpResponse> + Clone + 'static {
    move || {
        std::future::ready(
            HttpResponse::Ok()
                .content_type(actix_web::http::header::ContentType::json())
                .body(document.clone()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::binds_loopback;

    #[test]
    fn only_loopback_binds_need_no_public_url() {
        assert!(binds_loopback("127.0.0.1:8080"));
        assert!(binds_loopback("[::1]:8080"));
        assert!(binds_loopback("localhost:8080"));
        assert!(!binds_loopback("0.0.0.0:8080"));
        assert!(!binds_loopback("10.1.2.3:8080"));
    }
}
