//! Typed settings, layered: built-in defaults → `protium.toml` (optional) →
//! `PROTIUM_*` environment variables. Read only by `startup`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// Longest session lifetime Hydrogen clients accept: 30 days.
pub const MAX_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;

/// All settings of one Protium node.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server binds (`PROTIUM_LISTEN`).
    pub listen: String,
    /// `sqlite://PATH` or `postgres://…` (`PROTIUM_DATABASE_URL`).
    pub database_url: String,
    /// Directory of JSON Schema files (`PROTIUM_SCHEMA_DIR`).
    pub schema_dir: PathBuf,
    /// Base URL put into links sent to users (`PROTIUM_PUBLIC_URL`).
    pub public_url: String,
    /// Accepted `X-Hydrogen-Client-ID` values, comma separated; empty accepts any
    /// (`PROTIUM_CLIENT_IDS`).
    pub client_ids: String,
    /// Session lifetime in seconds, at most 30 days (`PROTIUM_TOKEN_TTL`).
    pub token_ttl: u64,
    /// Log filter in `tracing` syntax, e.g. `info,protium=debug` (`PROTIUM_LOG`).
    pub log: String,
    /// Log as JSON lines instead of text (`PROTIUM_LOG_JSON`).
    pub log_json: bool,
    /// Secret granting admin rights to requests bearing `Authorization: Bearer <token>`;
    /// empty disables admin access (`PROTIUM_ADMIN_TOKEN`).
    pub admin_token: String,
    /// Largest number of pooled database connections (`PROTIUM_DB_POOL_SIZE`).
    pub db_pool_size: u32,
    /// Seconds given to open requests on shutdown (`PROTIUM_SHUTDOWN_TIMEOUT`).
    pub shutdown_timeout: u64,
    /// Password register/login attempts allowed per client address per minute;
    /// 0 disables the limit (`PROTIUM_AUTH_RATE_PER_MINUTE`).
    pub auth_rate_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/protium.db".into(),
            schema_dir: PathBuf::from("schema"),
            public_url: "http://127.0.0.1:8080".into(),
            client_ids: String::new(),
            token_ttl: MAX_TOKEN_TTL_SECS,
            log: "info".into(),
            log_json: false,
            admin_token: String::new(),
            db_pool_size: 10,
            shutdown_timeout: 10,
            auth_rate_per_minute: 60,
        }
    }
}

/// Settings that cannot be used; the message says which and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file or environment could not be read or has the wrong shape.
    #[error("invalid configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    /// A value is present but unusable.
    #[error("invalid configuration: {key}: {reason}")]
    Invalid {
        /// Setting name as in the environment, e.g. `PROTIUM_LISTEN`.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl Settings {
    /// Loads the layers. `config_path` given explicitly must exist; otherwise
    /// `./protium.toml` is read when present.
    pub fn load(config_path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match config_path {
            Some(path) if !path.exists() => {
                return Err(ConfigError::Invalid {
                    key: "--config",
                    reason: format!("file {} does not exist", path.display()),
                })
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("protium.toml")),
        }
        let settings: Settings = figment
            .merge(Env::prefixed("PROTIUM_"))
            .extract()
            .map_err(Box::new)?;
        settings.check()?;
        Ok(settings)
    }

    /// Checks values that parse but cannot work.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.listen_addr()?;
        if self.token_ttl == 0 || self.token_ttl > MAX_TOKEN_TTL_SECS {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_TOKEN_TTL",
                reason: format!("must be between 1 and {MAX_TOKEN_TTL_SECS} seconds"),
            });
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_PUBLIC_URL",
                reason: "must start with http:// or https://".into(),
            });
        }
        if self.db_pool_size == 0 {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_DB_POOL_SIZE",
                reason: "must be at least 1".into(),
            });
        }
        if !self.admin_token.is_empty() && self.admin_token.len() < 16 {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_ADMIN_TOKEN",
                reason: "must be at least 16 characters (or empty to disable admin access)".into(),
            });
        }
        Ok(())
    }

    /// The parsed listen address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| ConfigError::Invalid {
            key: "PROTIUM_LISTEN",
            reason: format!("'{}' is not an address like 127.0.0.1:8080", self.listen),
        })
    }

    /// The accepted client ids; empty means any.
    pub fn client_id_list(&self) -> Vec<String> {
        self.client_ids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

#[cfg(test)]
#[path = "config_test.rs"]
mod tests;
