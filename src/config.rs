//! Configuration from the environment, every setting with an explicit default.

use std::{env, path::PathBuf};

use crate::{
    client_address::TrustedProxies,
    db::{Backend, DatabaseUrl},
};

/// Where the service keeps its files (the SQLite database by default, later its keys).
pub const DEFAULT_DATA_DIR: &str = "data";
pub const DEFAULT_BIND_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_LOG_FILTER: &str = "info";

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` / `postgresql://…` for PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a plain path for SQLite.
    pub database_url: String,
    /// A streaming replica of the PostgreSQL primary for anonymous public reads (`replica.rs`).
    pub database_read_url: Option<String>,
    pub data_dir: PathBuf,
    pub bind_addr: String,
    /// Origins whose pages may call authenticated endpoints from a browser; any origin may read
    /// public endpoints without credentials.
    pub cors_allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub database_pool_size: u32,
    /// HTTP worker threads; `None` lets actix-web use one per core.
    pub workers: Option<usize>,
    pub auth: AuthConfig,
    pub credentials: CredentialKeyConfig,
    /// The 32-byte key (base64) that encrypts personal identity codes and keys their look-up
    /// hashes; generated on first start when missing.
    pub personal_data_key_file: PathBuf,
    /// Earlier personal data keys, which still open what they sealed until a rotation is done.
    pub personal_data_previous_key_files: Vec<PathBuf>,
    /// The service's public address, which credentials and verification links name; by default
    /// `http://` and the bound address.
    pub public_url: Option<String>,
    /// Reverse proxies whose `Forwarded`/`X-Forwarded-For` name the client's address.
    pub trusted_proxies: TrustedProxies,
    pub rate_limits: crate::auth::rate_limit::Configured,
    pub koodisto_versions: KoodistoVersions,
    pub wallet: WalletConfig,
    pub webhooks: WebhookConfig,
}

/// How webhooks are delivered, and where they may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Whether this instance delivers (`WEBHOOK_DELIVERY`, true); instances that only serve
    /// requests may leave it to others.
    pub deliver: bool,
    /// Plain `http://` URLs (`WEBHOOK_ALLOW_HTTP`, false).
    pub allow_http: bool,
    /// Loopback, private and link-local addresses (`WEBHOOK_ALLOW_PRIVATE_ADDRESSES`, false): a
    /// webhook must not become a way into the operator's own network.
    pub allow_private_addresses: bool,
    /// How often an instance looks for work (`WEBHOOK_POLL_MILLISECONDS`, 1000).
    pub poll_ms: u64,
    /// The wait after a first failure, multiplied by four after each next one up to 12 hours
    /// (`WEBHOOK_RETRY_BASE_MILLISECONDS`, 5000).
    pub retry_base_ms: u64,
    /// Failed attempts in a row after which a subscription is disabled
    /// (`WEBHOOK_DISABLE_AFTER_FAILURES`, 15: about four days).
    pub disable_after_failures: u32,
    /// How long a receiver may take to answer (`WEBHOOK_TIMEOUT_SECONDS`, 10).
    pub timeout_secs: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            deliver: true,
            allow_http: false,
            allow_private_addresses: false,
            poll_ms: 1000,
            retry_base_ms: 5000,
            disable_after_failures: 15,
            timeout_secs: 10,
        }
    }
}

impl WebhookConfig {
    fn from_env() -> Result<Self, ConfigError> {
        let defaults = Self::default();
        Ok(Self {
            deliver: parse_flag("WEBHOOK_DELIVERY", defaults.deliver)?,
            allow_http: parse_flag("WEBHOOK_ALLOW_HTTP", defaults.allow_http)?,
            allow_private_addresses: parse_flag(
                "WEBHOOK_ALLOW_PRIVATE_ADDRESSES",
                defaults.allow_private_addresses,
            )?,
            poll_ms: parse_number("WEBHOOK_POLL_MILLISECONDS", defaults.poll_ms)?.max(10),
            retry_base_ms: parse_number("WEBHOOK_RETRY_BASE_MILLISECONDS", defaults.retry_base_ms)?,
            disable_after_failures: parse_number(
                "WEBHOOK_DISABLE_AFTER_FAILURES",
                defaults.disable_after_failures,
            )?
            .max(1),
            timeout_secs: parse_number("WEBHOOK_TIMEOUT_SECONDS", defaults.timeout_secs)?.max(1),
        })
    }
}

/// Lifetimes and limits of issuance to wallets (OpenID for Verifiable Credential Issuance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletConfig {
    /// How long an offer's pre-authorized code can be redeemed (`WALLET_OFFER_TTL_SECONDS`, 600).
    pub offer_ttl_secs: u32,
    /// How long a wallet's access token lasts (`WALLET_ACCESS_TOKEN_TTL_SECONDS`, 300).
    pub access_token_ttl_secs: u32,
    /// How long a `c_nonce` can be used in a proof (`WALLET_NONCE_TTL_SECONDS`, 300).
    pub nonce_ttl_secs: u32,
    /// Wrong PINs after which an offer is dead (`WALLET_PIN_TRIES`, 5).
    pub pin_tries: u32,
}

impl Default for WalletConfig {
    fn default() -> Self {
        Self {
            offer_ttl_secs: 600,
            access_token_ttl_secs: 300,
            nonce_ttl_secs: 300,
            pin_tries: 5,
        }
    }
}

impl WalletConfig {
    fn from_env() -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let positive = |name: &'static str, default: u32| {
            parse_number(name, default).and_then(|value| {
                if value == 0 {
                    Err(ConfigError {
                        name,
                        message: "must be at least 1".to_owned(),
                    })
                } else {
                    Ok(value)
                }
            })
        };
        Ok(Self {
            offer_ttl_secs: positive("WALLET_OFFER_TTL_SECONDS", defaults.offer_ttl_secs)?,
            access_token_ttl_secs: positive(
                "WALLET_ACCESS_TOKEN_TTL_SECONDS",
                defaults.access_token_ttl_secs,
            )?,
            nonce_ttl_secs: positive("WALLET_NONCE_TTL_SECONDS", defaults.nonce_ttl_secs)?,
            pin_tries: positive("WALLET_PIN_TRIES", defaults.pin_tries)?,
        })
    }
}

/// The versions of the national code lists that eHOKS wants beside each code (`…-koodi-versio`).
/// ePerusteet documents leave them out, so a deployment sets them as the code lists stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KoodistoVersions {
    /// `tutkinnonosat` (`KOODISTO_VERSION_TUTKINNONOSAT`, default 1).
    pub units: i32,
    /// `osaamisentodentamisenprosessi` (`KOODISTO_VERSION_OSAAMISENTODENTAMISENPROSESSI`, default 1).
    pub verification_process: i32,
}

impl Default for KoodistoVersions {
    fn default() -> Self {
        Self {
            units: 1,
            verification_process: 1,
        }
    }
}

impl KoodistoVersions {
    fn from_env() -> Result<Self, ConfigError> {
        let defaults = Self::default();
        Ok(Self {
            units: parse_number("KOODISTO_VERSION_TUTKINNONOSAT", defaults.units)?,
            verification_process: parse_number(
                "KOODISTO_VERSION_OSAAMISENTODENTAMISENPROSESSI",
                defaults.verification_process,
            )?,
        })
    }
}

pub const DEFAULT_JWT_ISSUER: &str = "urn:opinto-registry";
pub const DEFAULT_JWT_AUDIENCE: &str = "opinto-registry-api";
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 15 * 60;

/// How access tokens are issued and which ones are accepted.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub issuer: String,
    pub audience: String,
    pub token_ttl_secs: u64,
    /// The Ed25519 private key (PKCS#8 PEM) that signs tokens; generated on first start when missing.
    pub signing_key_file: PathBuf,
    /// Keys that signed earlier tokens and still verify them during a rotation (private or public PEM).
    pub previous_key_files: Vec<PathBuf>,
    /// Another issuer whose tokens are accepted too.
    pub external: Option<ExternalIssuer>,
}

/// The algorithm that signs VC-JWTs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialAlgorithm {
    /// RSA with SHA-256: what Open Badges 3.0 requires every verifier to accept.
    Rs256,
    /// Ed25519: shorter, but not every Open Badges verifier accepts it.
    EdDsa,
}

/// The keys that sign credentials, apart from the access-token key.
#[derive(Debug, Clone)]
pub struct CredentialKeyConfig {
    pub algorithm: CredentialAlgorithm,
    /// The RSA private key (PKCS#8 PEM); generated on first start when missing.
    pub rsa_key_file: PathBuf,
    /// The Ed25519 private key (PKCS#8 PEM) for EdDSA credentials and status list proofs;
    /// generated on first start when missing.
    pub ed25519_key_file: PathBuf,
    /// The P-256 private key (PKCS#8 PEM) for ES256: SD-JWT VCs delivered to wallets and token
    /// status lists; generated on first start when missing.
    pub es256_key_file: PathBuf,
    /// Keys that signed earlier credentials (RSA or Ed25519, private or public PEM): published so
    /// that those credentials still verify after a rotation.
    pub previous_key_files: Vec<PathBuf>,
}

impl CredentialKeyConfig {
    pub fn defaults(data_dir: &std::path::Path) -> Self {
        Self {
            algorithm: CredentialAlgorithm::Rs256,
            rsa_key_file: data_dir.join("credential-rsa-key.pem"),
            ed25519_key_file: data_dir.join("credential-ed25519-key.pem"),
            es256_key_file: data_dir.join("credential-p256-key.pem"),
            previous_key_files: Vec::new(),
        }
    }

    fn from_env(data_dir: &std::path::Path) -> Result<Self, ConfigError> {
        let defaults = Self::defaults(data_dir);
        let algorithm = match var("CREDENTIAL_SIGNING_ALGORITHM").as_deref() {
            None | Some("RS256") => CredentialAlgorithm::Rs256,
            Some("EdDSA") => CredentialAlgorithm::EdDsa,
            Some(other) => {
                return Err(ConfigError {
                    name: "CREDENTIAL_SIGNING_ALGORITHM",
                    message: format!("{other:?} is neither RS256 nor EdDSA"),
                })
            }
        };
        Ok(Self {
            algorithm,
            rsa_key_file: var("CREDENTIAL_RSA_KEY_FILE").map_or(defaults.rsa_key_file, PathBuf::from),
            ed25519_key_file: var("CREDENTIAL_ED25519_KEY_FILE")
                .map_or(defaults.ed25519_key_file, PathBuf::from),
            es256_key_file: var("CREDENTIAL_ES256_KEY_FILE").map_or(defaults.es256_key_file, PathBuf::from),
            previous_key_files: var("CREDENTIAL_PREVIOUS_KEY_FILES")
                .map(|files| split_list(&files).into_iter().map(PathBuf::from).collect())
                .unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ExternalIssuer {
    pub issuer: String,
    pub audience: String,
    /// Its public key, Ed25519 or P-256, as PEM.
    pub public_key_file: PathBuf,
}

impl AuthConfig {
    pub fn defaults(data_dir: &std::path::Path) -> Self {
        Self {
            issuer: DEFAULT_JWT_ISSUER.into(),
            audience: DEFAULT_JWT_AUDIENCE.into(),
            token_ttl_secs: DEFAULT_TOKEN_TTL_SECS,
            signing_key_file: data_dir.join("jwt-signing-key.pem"),
            previous_key_files: Vec::new(),
            external: None,
        }
    }

    fn from_env(data_dir: &std::path::Path) -> Result<Self, ConfigError> {
        let defaults = Self::defaults(data_dir);
        let external = match (
            var("JWT_EXTERNAL_ISSUER"),
            var("JWT_EXTERNAL_AUDIENCE"),
            var("JWT_EXTERNAL_PUBLIC_KEY_FILE"),
        ) {
            (None, None, None) => None,
            (Some(issuer), Some(audience), Some(file)) => Some(ExternalIssuer {
                issuer,
                audience,
                public_key_file: file.into(),
            }),
            _ => return Err(ConfigError {
                name: "JWT_EXTERNAL_ISSUER",
                message:
                    "JWT_EXTERNAL_ISSUER, JWT_EXTERNAL_AUDIENCE and JWT_EXTERNAL_PUBLIC_KEY_FILE go together"
                        .into(),
            }),
        };
        Ok(Self {
            issuer: var("JWT_ISSUER").unwrap_or(defaults.issuer),
            audience: var("JWT_AUDIENCE").unwrap_or(defaults.audience),
            token_ttl_secs: parse_number("TOKEN_TTL_SECONDS", DEFAULT_TOKEN_TTL_SECS)?,
            signing_key_file: var("JWT_SIGNING_KEY_FILE").map_or(defaults.signing_key_file, PathBuf::from),
            previous_key_files: var("JWT_PREVIOUS_KEY_FILES")
                .map(|files| split_list(&files).into_iter().map(PathBuf::from).collect())
                .unwrap_or_default(),
            external,
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid value for {name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| default_database_url(&data_dir));
        let database_read_url = var("DATABASE_READ_URL").filter(|url| !url.trim().is_empty());
        if let Some(url) = &database_read_url {
            let (primary, replica) = (DatabaseUrl::parse(&database_url), DatabaseUrl::parse(url));
            if primary.backend != Backend::Postgres || replica.backend != Backend::Postgres {
                return Err(ConfigError {
                    name: "DATABASE_READ_URL",
                    message: "a read replica is a PostgreSQL server beside a PostgreSQL DATABASE_URL"
                        .to_owned(),
                });
            }
        }
        Ok(Self {
            database_url,
            database_read_url,
            bind_addr: var("BIND_ADDR").unwrap_or_else(|| DEFAULT_BIND_ADDR.into()),
            cors_allowed_origins: allowed_origins(var("CORS_ALLOWED_ORIGINS").as_deref().unwrap_or(""))?,
            max_body_bytes: parse_number("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)?,
            database_pool_size: parse_number("DATABASE_POOL_SIZE", 10)?,
            workers: var("WORKERS").map(|_| parse_number("WORKERS", 1)).transpose()?,
            auth: AuthConfig::from_env(&data_dir)?,
            credentials: CredentialKeyConfig::from_env(&data_dir)?,
            personal_data_key_file: var("PERSONAL_DATA_KEY_FILE")
                .map_or_else(|| default_personal_data_key_file(&data_dir), PathBuf::from),
            personal_data_previous_key_files: var("PERSONAL_DATA_PREVIOUS_KEY_FILES")
                .map(|files| split_list(&files).into_iter().map(PathBuf::from).collect())
                .unwrap_or_default(),
            public_url: var("PUBLIC_URL").map(|url| url.trim_end_matches('/').to_owned()),
            koodisto_versions: KoodistoVersions::from_env()?,
            wallet: WalletConfig::from_env()?,
            webhooks: WebhookConfig::from_env()?,
            rate_limits: crate::auth::rate_limit::Configured {
                failures_per_address: parse_number("AUTH_FAILURES_PER_ADDRESS", 200)?,
                tokens_per_client_per_minute: parse_number("TOKENS_PER_CLIENT_PER_MINUTE", 30)?,
            },
            trusted_proxies: TrustedProxies::parse(&var("TRUSTED_PROXIES").unwrap_or_default()).map_err(
                |item| ConfigError {
                    name: "TRUSTED_PROXIES",
                    message: format!("{item:?} is not an IP address or a CIDR range"),
                },
            )?,
            data_dir,
        })
    }

    /// A configuration for the database at `database_url` and files in `data_dir`, everything else
    /// at its default.
    pub fn for_database(database_url: impl Into<String>, data_dir: impl Into<PathBuf>) -> Self {
        let data_dir = data_dir.into();
        Self {
            database_url: database_url.into(),
            database_read_url: None,
            auth: AuthConfig::defaults(&data_dir),
            credentials: CredentialKeyConfig::defaults(&data_dir),
            personal_data_key_file: default_personal_data_key_file(&data_dir),
            personal_data_previous_key_files: Vec::new(),
            public_url: None,
            trusted_proxies: TrustedProxies::default(),
            rate_limits: Default::default(),
            koodisto_versions: KoodistoVersions::default(),
            wallet: WalletConfig::default(),
            webhooks: WebhookConfig::default(),
            data_dir,
            bind_addr: DEFAULT_BIND_ADDR.into(),
            cors_allowed_origins: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            database_pool_size: 10,
            workers: None,
        }
    }
}

fn default_database_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("registry.db").display())
}

fn default_personal_data_key_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("personal-data-key")
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// Splits a comma-separated list, dropping empty items.
fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Exact origins (`https://host[:port]`): a wildcard would hand every site the callers' tokens.
fn allowed_origins(value: &str) -> Result<Vec<String>, ConfigError> {
    let origins = split_list(value);
    match origins
        .iter()
        .find(|origin| !(origin.starts_with("https://") || origin.starts_with("http://")) || origin.ends_with('/'))
    {
        Some(bad) => Err(ConfigError {
            name: "CORS_ALLOWED_ORIGINS",
            message: format!(
                "{bad:?} is not an origin: list exact origins such as https://app.example.fi (public reads are open to every origin anyway)"
            ),
        }),
        None => Ok(origins),
    }
}

fn parse_flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).map(|value| value.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(value) if matches!(value.as_str(), "true" | "1" | "yes" | "on") => Ok(true),
        Some(value) if matches!(value.as_str(), "false" | "0" | "no" | "off") => Ok(false),
        Some(value) => Err(ConfigError {
            name,
            message: format!("expected true or false, got {value:?}"),
        }),
    }
}

fn parse_number<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|_| ConfigError {
            name,
            message: format!("expected a positive whole number, got {value:?}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_split_and_trimmed() {
        assert_eq!(
            split_list(" https://a.example , https://b.example,,"),
            vec!["https://a.example", "https://b.example"]
        );
        assert!(split_list("").is_empty());
    }

    #[test]
    fn default_database_is_a_file_in_the_data_dir() {
        assert_eq!(
            default_database_url(std::path::Path::new("data")),
            "sqlite://data/registry.db"
        );
    }
}
