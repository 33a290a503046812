//! Configuration from the environment, every setting with an explicit default.

use std::{env, path::PathBuf};

/// Where the service keeps its files (the SQLite database by default, later its keys).
pub const DEFAULT_DATA_DIR: &str = "data";
pub const DEFAULT_BIND_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_LOG_FILTER: &str = "info";

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` / `postgresql://…` for PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a plain path for SQLite.
    pub database_url: String,
    pub data_dir: PathBuf,
    pub bind_addr: String,
    /// Origins allowed to call from a browser; `*` allows any. Empty disables CORS.
    pub cors_allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub database_pool_size: u32,
    /// HTTP worker threads; `None` lets actix-web use one per core.
    pub workers: Option<usize>,
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
        Ok(Self {
            database_url,
            data_dir,
            bind_addr: var("BIND_ADDR").unwrap_or_else(|| DEFAULT_BIND_ADDR.into()),
            cors_allowed_origins: parse_origins(var("CORS_ALLOWED_ORIGINS").as_deref().unwrap_or("*")),
            max_body_bytes: parse_number("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)?,
            database_pool_size: parse_number("DATABASE_POOL_SIZE", 10)?,
            workers: var("WORKERS").map(|_| parse_number("WORKERS", 1)).transpose()?,
        })
    }

    /// A configuration for an embedded database at `database_url`, everything else at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            bind_addr: DEFAULT_BIND_ADDR.into(),
            cors_allowed_origins: vec!["*".into()],
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            database_pool_size: 10,
            workers: None,
        }
    }
}

fn default_database_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("registry.db").display())
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|value| !value.trim().is_empty())
}

fn parse_origins(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(str::to_owned)
        .collect()
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
            parse_origins(" https://a.example , https://b.example,,"),
            vec!["https://a.example", "https://b.example"]
        );
        assert!(parse_origins("").is_empty());
    }

    #[test]
    fn default_database_is_a_file_in_the_data_dir() {
        assert_eq!(
            default_database_url(std::path::Path::new("data")),
            "sqlite://data/registry.db"
        );
    }
}
