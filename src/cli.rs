//! The command line: `serve` (the default), `migrate`, `openapi`, `import-reference FILE`, and
//! `healthcheck` for container health probes.

use std::{
    io::{Read, Write},
    net::{TcpStream, ToSocketAddrs},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use clap::{Parser, Subcommand};

use validator::Validate;

use crate::{
    audit::{self, Actor},
    auth::parse_scopes,
    certificates::{
        credential::Signer,
        protection::{generate_file, PersonalDataKey},
        resigning, sealing,
    },
    clients::{
        domain as client_domain,
        dto::{Client, ClientInput, CreatedClient},
        repo as client_repo,
    },
    config::Config,
    db::write_transaction,
    db::Db,
    error::ApiError,
    extract::flatten_validation_errors,
    issuers::keys::CredentialKeys,
    openapi,
    reference::import,
    startup::{migration_steps, personal_data_key, prepare_database, Application},
};

#[derive(Debug, Parser)]
#[command(
    name = "opinto-registry",
    version,
    about = "The registry of work-based learning: HTTP API and maintenance commands"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the API (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Import reference data (regions, municipalities, qualifications, units) from a JSON file.
    ImportReference {
        /// The file, in the format described in reference/README.md.
        file: PathBuf,
        /// The file is a qualification's requirements document as ePerusteet publishes it.
        #[arg(long)]
        eperusteet: bool,
    },
    /// Manage API clients.
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// Manage the keys that protect personal data.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Exit 0 when the service at URL answers its readiness check, 1 otherwise.
    Healthcheck {
        #[arg(long, default_value = "http://127.0.0.1:8080/health/ready")]
        url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write a new random personal data key to FILE (which must not exist).
    NewPersonalDataKey { file: PathBuf },
    /// Re-encrypt every stored identity code, birth date, learner OID and kept answer under the
    /// current key (PERSONAL_DATA_KEY_FILE) and rebuild the identity codes' blind index, in
    /// batches, while the service runs. The keys that sealed them must be listed in
    /// PERSONAL_DATA_PREVIOUS_KEY_FILES. Run it again after a crash: it resumes.
    RotatePersonalData,
    /// Re-sign every issued certificate's credential that the current credential key did not sign:
    /// those signed before credentials followed Open Badges 3.0 section 8.2, and those an earlier
    /// key signed, after a rotation. Certificates keep their ids, codes and status bits. Credentials
    /// name PUBLIC_URL, which must be the address the service is reached at. Resumable.
    ResignCredentials,
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Create a client and print it with its secret (shown this once).
    Create {
        /// A name people recognise, e.g. the system's name.
        #[arg(long)]
        name: String,
        /// The organisation the client acts for.
        #[arg(long, conflicts_with = "admin", required_unless_present = "admin")]
        org: Option<String>,
        /// Space-separated scopes, e.g. "organisations:write audit:read".
        #[arg(long, default_value = "")]
        scopes: String,
        /// A platform administrator instead, acting for no organisation.
        #[arg(long)]
        admin: bool,
    },
    /// List clients.
    List,
    /// Revoke a client: its tokens stop working at once.
    Revoke { id: String },
}

pub async fn run(cli: Cli) -> ExitCode {
    crate::telemetry::init();
    crate::memory::tune_allocator();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Migrate => migrate(),
        Command::Openapi => {
            print!("{}", openapi::document_json());
            Ok(())
        }
        Command::ImportReference { file, eperusteet } => import_reference(&file, eperusteet),
        Command::Clients { command } => clients(command),
        Command::Keys { command } => keys(command),
        Command::Healthcheck { url } => healthcheck(&url),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn config() -> Result<Config, String> {
    Config::from_env().map_err(|error| error.to_string())
}

async fn serve() -> Result<(), String> {
    let config = config()?;
    let application = Application::build(config.clone())
        .await
        .map_err(|error| error.to_string())?;
    tracing::info!(
        "serving on port {} (bind {}), API docs at /docs",
        application.port(),
        config.bind_addr
    );
    application
        .run_until_stopped()
        .await
        .map_err(|error| error.to_string())
}

fn migrate() -> Result<(), String> {
    let config = config()?;
    let key = personal_data_key(&config).map_err(|error| error.to_string())?;
    let db = Db::connect(&config.database_url, 1).map_err(|error| error.to_string())?;
    let applied = db
        .migrate(&mut migration_steps(&key))
        .map_err(|error| error.to_string())?;
    if applied.is_empty() {
        println!("no pending migrations");
    } else {
        println!("applied: {}", applied.join(", "));
    }
    Ok(())
}

fn import_reference(file: &std::path::Path, eperusteet: bool) -> Result<(), String> {
    let shown = file.display();
    let json = std::fs::read(file).map_err(|error| format!("{shown}: {error}"))?;
    let parsed = if eperusteet {
        None
    } else {
        Some(import::parse(&json).map_err(|error| prefix_lines(&shown.to_string(), &error.to_string()))?)
    };
    let db = database(&config()?)?;
    let mut conn = db.get().map_err(|error| error.to_string())?;
    let actor = Actor::command_line();
    let report = write_transaction(&mut conn, |conn| {
        let report = match &parsed {
            Some(parsed) => import::import(conn, parsed)?,
            None => crate::reference::eperusteet::import(conn, &json)?,
        };
        audit::record(
            conn,
            &actor,
            audit::Change::new("reference-data.import", "reference-data", "all", None),
        )?;
        Ok::<_, import::ImportError>(report)
    })
    .map_err(|error| prefix_lines(&shown.to_string(), &error.to_string()))?;
    let report = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
    println!("{report}");
    Ok(())
}

/// The database, migrated, for a maintenance command.
fn database(config: &Config) -> Result<Db, String> {
    let key = personal_data_key(config).map_err(|error| error.to_string())?;
    command_database(config, &key)
}

/// A pool of one connection, for a command that exits when its work is done. A larger pool makes
/// a spare connection on a thread of its own once the first is taken; were the process to exit
/// while that one is being made over TLS, OpenSSL's exit handler would free what the thread still
/// uses, and the command would crash (SIGSEGV) after its work was done.
fn command_database(config: &Config, key: &PersonalDataKey) -> Result<Db, String> {
    prepare_database(config, key, 1).map_err(|error| error.to_string())
}

fn keys(command: KeysCommand) -> Result<(), String> {
    match command {
        KeysCommand::NewPersonalDataKey { file } => {
            if file.exists() {
                return Err(format!("{} exists already: choose a new file", file.display()));
            }
            generate_file(&file).map_err(|error| error.to_string())?;
            println!("wrote a new personal data key to {}", file.display());
            Ok(())
        }
        KeysCommand::RotatePersonalData => {
            let config = config()?;
            let key = personal_data_key(&config).map_err(|error| error.to_string())?;
            let db = command_database(&config, &key)?;
            let mut conn = db.get().map_err(|error| error.to_string())?;
            let done = sealing::rotate(&mut conn, &key).map_err(|error| describe_problem(&error))?;
            let secrets = crate::webhooks::domain::reseal_secrets(&mut conn, &key)
                .map_err(|error| describe_problem(&error))?;
            println!(
                "re-encrypted {} certificates, {} kept answers and {secrets} webhook secrets under key {}",
                done.certificates,
                done.stored_responses,
                key.current_id()
            );
            Ok(())
        }
        KeysCommand::ResignCredentials => resign_credentials(),
    }
}

/// `keys resign-credentials`.
fn resign_credentials() -> Result<(), String> {
    let config = config()?;
    let public_url = config
        .public_url
        .clone()
        .ok_or("set PUBLIC_URL to the address the service is reached at: credentials name it")?;
    let key = personal_data_key(&config).map_err(|error| error.to_string())?;
    let db = command_database(&config, &key)?;
    let keys = CredentialKeys::load(&config.credentials).map_err(|error| error.to_string())?;
    let signer = Signer {
        keys: actix_web::web::Data::new(keys),
        public_url,
    };
    let mut conn = db.get().map_err(|error| error.to_string())?;
    let done = resigning::resign_stale(&mut conn, &Actor::command_line(), (&signer, &key))
        .map_err(|error| describe_problem(&error))?;
    println!(
        "re-signed {done} credentials with {}",
        signer.keys.jwt_signer(&signer.public_url).1
    );
    Ok(())
}

fn clients(command: ClientsCommand) -> Result<(), String> {
    let db = database(&config()?)?;
    let mut conn = db.get().map_err(|error| error.to_string())?;
    let actor = Actor::command_line();
    let output = match command {
        ClientsCommand::Create {
            name,
            org,
            scopes,
            admin,
        } => {
            let scopes = parse_scopes(&scopes).map_err(|scope| format!("unknown scope {scope:?}"))?;
            let input = ClientInput {
                name,
                organisation_id: org,
                admin,
                scopes,
            };
            input.validate().map_err(|errors| {
                describe_problem(&ApiError::Validation(flatten_validation_errors(&errors)))
            })?;
            let (row, secret) =
                write_transaction(&mut conn, |conn| client_domain::create(conn, &actor, input))
                    .map_err(|error| describe_problem(&error))?;
            serde_json::to_string_pretty(&CreatedClient {
                client: Client::from(row),
                client_secret: Some(secret),
            })
        }
        ClientsCommand::List => {
            let rows = client_repo::list_all(&mut conn).map_err(|error| error.to_string())?;
            serde_json::to_string_pretty(&rows.into_iter().map(Client::from).collect::<Vec<_>>())
        }
        ClientsCommand::Revoke { id } => {
            let row = write_transaction(&mut conn, |conn| client_domain::revoke(conn, &actor, &id))
                .map_err(|error| describe_problem(&error))?;
            serde_json::to_string_pretty(&Client::from(row))
        }
    };
    println!("{}", output.map_err(|error| error.to_string())?);
    Ok(())
}

/// An error as a person at a terminal reads it: the problem's detail and each field at fault.
fn describe_problem(error: &ApiError) -> String {
    let problem = error.to_problem(None, None);
    let mut text = problem.detail.unwrap_or(problem.title);
    for field in problem.errors {
        text.push_str(&format!("\n  {}: {}", field.field, field.message));
    }
    text
}

fn prefix_lines(prefix: &str, text: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}: {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A minimal HTTP/1.1 GET, so that container images need no curl.
fn healthcheck(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs are supported"))?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let address = authority
        .to_socket_addrs()
        .map_err(|error| format!("{authority}: {error}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let timeout = Duration::from_secs(5);
    let mut stream =
        TcpStream::connect_timeout(&address, timeout).map_err(|error| format!("{url}: {error}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|error| error.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|error| format!("{url}: {error}"))?;
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .map_err(|error| format!("{url}: {error}"))?;
    let status_line = String::from_utf8_lossy(&head);
    if status_line.ends_with(" 200") {
        Ok(())
    } else {
        Err(format!("{url} answered {status_line}"))
    }
}
