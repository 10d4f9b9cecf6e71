//! Typed settings, layered: built-in defaults → `protium.toml` (optional) →
//! `PROTIUM_*` environment variables. Read only by `startup`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Deserializer, Serialize};

mod check;
mod choices;
mod explain;
mod providers;

pub use crate::domain::redact_url;
pub use choices::{ExchangeMethod, FileStorageKind, PasswordResetUnknown, SmsSenderKind};
pub use providers::{CodeExchangeSettings, OAuthProviderSettings, ProviderKind};

/// Longest session lifetime Hydrogen clients accept: 30 days.
pub const MAX_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;

/// Accepts text, or a number or flag written where text is meant
/// (`PROTIUM_LISTEN=8080`, `PROTIUM_CLIENT_IDS=12345`), as its text, so the
/// setting's own check can say what it wants.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Text(String),
        Unsigned(u64),
        Signed(i64),
        Float(f64),
        Flag(bool),
    }
    Ok(match Given::deserialize(d)? {
        Given::Text(s) => s,
        Given::Unsigned(n) => n.to_string(),
        Given::Signed(n) => n.to_string(),
        Given::Float(n) => n.to_string(),
        Given::Flag(b) => b.to_string(),
    })
}

/// All settings of one Protium node.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server binds (`PROTIUM_LISTEN`).
    #[serde(deserialize_with = "text")]
    pub listen: String,
    /// `sqlite://PATH` or `postgres://…` (`PROTIUM_DATABASE_URL`).
    #[serde(deserialize_with = "text")]
    pub database_url: String,
    /// Directory of JSON Schema files (`PROTIUM_SCHEMA_DIR`).
    pub schema_dir: PathBuf,
    /// Reload the schema when a file of the directory changes (`PROTIUM_SCHEMA_WATCH`).
    pub schema_watch: bool,
    /// Base URL put into links sent to users (`PROTIUM_PUBLIC_URL`).
    #[serde(deserialize_with = "text")]
    pub public_url: String,
    /// Accepted `X-Hydrogen-Client-ID` values, comma separated; empty accepts any
    /// (`PROTIUM_CLIENT_IDS`).
    #[serde(deserialize_with = "text")]
    pub client_ids: String,
    /// Session lifetime in seconds, at most 30 days (`PROTIUM_TOKEN_TTL`).
    pub token_ttl: u64,
    /// Log filter in `tracing` syntax, e.g. `info,protium=debug` (`PROTIUM_LOG`).
    #[serde(deserialize_with = "text")]
    pub log: String,
    /// Log as JSON lines instead of text (`PROTIUM_LOG_JSON`).
    pub log_json: bool,
    /// Secret granting admin rights to requests bearing `Authorization: Bearer <token>`;
    /// empty disables admin access (`PROTIUM_ADMIN_TOKEN`).
    #[serde(deserialize_with = "text")]
    pub admin_token: String,
    /// Largest number of pooled database connections (`PROTIUM_DB_POOL_SIZE`).
    pub db_pool_size: u32,
    /// Threads that hash passwords, each holding 19 MiB while in use; 0 means
    /// one per core but one, at least one (`PROTIUM_HASH_THREADS`).
    pub hash_threads: usize,
    /// Password hashes that may wait for a thread; beyond, register and login
    /// answer 503 with `Retry-After` (`PROTIUM_HASH_QUEUE`).
    pub hash_queue: usize,
    /// Seconds given to open requests on shutdown (`PROTIUM_SHUTDOWN_TIMEOUT`).
    pub shutdown_timeout: u64,
    /// Seconds between two sweeps of expired sessions, links, codes, tokens
    /// and old deletions (`PROTIUM_JANITOR_INTERVAL`).
    pub janitor_interval: u64,
    /// Milliseconds a request's statements may run before they are stopped
    /// with a 503 (`PROTIUM_QUERY_BUDGET_MS`).
    pub query_budget_ms: u64,
    /// List queries one caller may run at once on a node; more get a 429
    /// (`PROTIUM_QUERIES_PER_CALLER`).
    pub queries_per_caller: usize,
    /// Whether `POST /hserve/v2.0/user/available/` answers; off by default
    /// since it tells whether an account exists (`PROTIUM_AVAILABILITY_CHECK`).
    pub availability_check: bool,
    /// Whether changing how the account signs in — a username, email or
    /// phone, through the account endpoint or the code-proven switches, or
    /// linking a provider account — needs the current password (or, for an
    /// account without one, a code from its verified phone or address)
    /// (`PROTIUM_REAUTH_ACCOUNT_CHANGES`).
    pub reauth_account_changes: bool,
    /// Whether signed-up users may find another user by email address or
    /// phone number (`GET …/user/find/?email=|phone=`, verified identifiers
    /// only); off by default, since it tells whether an address has an
    /// account (`PROTIUM_FIND_BY_CONTACT`).
    pub find_by_contact: bool,
    /// Whether a sensitive change (account deletion, and identifier changes
    /// under `reauth_account_changes`) needs a fresh code as well as the
    /// password: texted to the verified phone or mailed to the verified
    /// address (`PROTIUM_REAUTH_NEEDS_CODE`).
    pub reauth_needs_code: bool,
    /// Whether a new email address must be proven by a code mailed to it
    /// before the account switches (`PROTIUM_EMAIL_CHANGE_NEEDS_CODE`); when
    /// off, `PUT …/user/account/` switches at once and mails a link.
    pub email_change_needs_code: bool,
    /// Whether a new phone number must be proven by a code texted to it
    /// (`POST /hserve/v2.1/user/phone/ {phone, code}`) instead of being set
    /// through the account endpoint (`PROTIUM_PHONE_CHANGE_NEEDS_CODE`);
    /// unset, it follows `reauth_account_changes`.
    pub phone_change_needs_code: Option<bool>,
    /// User lookups and availability checks per client address and minute
    /// (`PROTIUM_LOOKUPS_PER_MINUTE`).
    pub lookups_per_minute: u32,
    /// Days deletions stay in the change feed; a feed position older than
    /// that gets 410 and the client resyncs (`PROTIUM_FEED_HORIZON_DAYS`).
    pub feed_horizon_days: u32,
    /// Largest file one upload may send, in bytes (`PROTIUM_FILE_MAX_BYTES`).
    pub file_max_bytes: u64,
    /// Seconds an upload's single-use authorization stays usable
    /// (`PROTIUM_UPLOAD_TTL`).
    pub upload_ttl: u64,
    /// Seconds a file stays stored after the last record holding it let go
    /// of it, before the janitor removes it (`PROTIUM_DETACHED_FILE_TTL`).
    pub detached_file_ttl: u64,
    /// Bytes of stored files one user may keep; 0: no limit
    /// (`PROTIUM_FILE_QUOTA_USER_BYTES`).
    pub file_quota_user_bytes: u64,
    /// Bytes of stored files the whole app may keep; 0: no limit
    /// (`PROTIUM_FILE_QUOTA_APP_BYTES`).
    pub file_quota_app_bytes: u64,
    /// `local` or `s3` (`PROTIUM_FILE_STORAGE`).
    pub file_storage: FileStorageKind,
    /// The S3-compatible store's URL, e.g. `https://s3.eu-west-1.amazonaws.com`
    /// or `http://127.0.0.1:8333` (`PROTIUM_S3_ENDPOINT`).
    #[serde(deserialize_with = "text")]
    pub s3_endpoint: String,
    /// The bucket files go to; it must exist (`PROTIUM_S3_BUCKET`).
    #[serde(deserialize_with = "text")]
    pub s3_bucket: String,
    /// The bucket's region (`PROTIUM_S3_REGION`).
    #[serde(deserialize_with = "text")]
    pub s3_region: String,
    /// Access key id (`PROTIUM_S3_ACCESS_KEY_ID`).
    #[serde(deserialize_with = "text")]
    pub s3_access_key_id: String,
    /// Secret access key (`PROTIUM_S3_SECRET_ACCESS_KEY`).
    #[serde(deserialize_with = "text")]
    pub s3_secret_access_key: String,
    /// Prefix of every object's key, e.g. `protium/` (`PROTIUM_S3_PREFIX`).
    #[serde(deserialize_with = "text")]
    pub s3_prefix: String,
    /// Comma list of proxy addresses or networks (`10.0.0.0/8, 127.0.0.1`)
    /// whose `Forwarded` / `X-Forwarded-For` headers name the client; empty
    /// trusts none and counts every request under its peer address
    /// (`PROTIUM_TRUSTED_PROXIES`).
    #[serde(deserialize_with = "text")]
    pub trusted_proxies: String,
    /// Wrong passwords for one login identifier (email, username, phone)
    /// before its logins are refused for the rest of the window; 0 turns the
    /// lockout off (`PROTIUM_LOGIN_LOCKOUT_FAILURES`).
    pub login_lockout_failures: u32,
    /// The lockout window in seconds: the longest a lockout lasts
    /// (`PROTIUM_LOGIN_LOCKOUT_SECONDS`).
    pub login_lockout_seconds: u64,
    /// Password register/login attempts allowed per client address per minute;
    /// 0 disables the limit (`PROTIUM_AUTH_RATE_PER_MINUTE`).
    pub auth_rate_per_minute: u32,
    /// The app's name shown in mails and pages (`PROTIUM_APP_NAME`).
    #[serde(deserialize_with = "text")]
    pub app_name: String,
    /// Directory for files the server writes, e.g. `.eml` mail when no SMTP is
    /// configured (`PROTIUM_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `smtp://host:port`, `smtps://user:pass@host`, `smtp://host:587?tls=required`;
    /// empty writes mail as files (`PROTIUM_SMTP_URL`).
    #[serde(deserialize_with = "text")]
    pub smtp_url: String,
    /// Sender of every mail (`PROTIUM_MAIL_FROM`).
    #[serde(deserialize_with = "text")]
    pub mail_from: String,
    /// Directory whose files override the built-in templates (`PROTIUM_TEMPLATES_DIR`).
    pub templates_dir: Option<PathBuf>,
    /// Seconds a verification link stays valid (`PROTIUM_EMAIL_LINK_TTL`).
    pub email_link_ttl: u64,
    /// Seconds a password-reset link stays valid (`PROTIUM_RESET_LINK_TTL`).
    pub reset_link_ttl: u64,
    /// Seconds a mailed code stays valid (`PROTIUM_EMAIL_CODE_TTL`).
    pub email_code_ttl: u64,
    /// Wrong tries allowed per mailed code (`PROTIUM_EMAIL_CODE_ATTEMPTS`).
    pub email_code_attempts: u32,
    /// Seconds before another link or code of the same kind may be mailed to a
    /// user (`PROTIUM_EMAIL_RESEND_COOLDOWN`).
    pub email_resend_cooldown: u64,
    /// `accepted`: a reset request for an unknown or unverified address gets the
    /// same 201 as a real one (no account enumeration); `not_found`: a 404, as
    /// Hydrogen does (`PROTIUM_PASSWORD_RESET_UNKNOWN`).
    pub password_reset_unknown: PasswordResetUnknown,
    /// Delay before the first retry of a failed mail, doubled each time
    /// (`PROTIUM_MAIL_RETRY_BASE_SECS`).
    pub mail_retry_base_secs: u64,
    /// Shortest password in bytes (`PROTIUM_PASSWORD_MIN_BYTES`).
    pub password_min_bytes: usize,
    /// Longest password in bytes (`PROTIUM_PASSWORD_MAX_BYTES`).
    pub password_max_bytes: usize,
    /// Region of phone numbers given without a country code, ISO code
    /// (`PROTIUM_PHONE_DEFAULT_REGION`).
    #[serde(deserialize_with = "text")]
    pub phone_default_region: String,
    /// `log` or `memory` (tests); not used when a webhook is set (`PROTIUM_SMS_SENDER`).
    pub sms_sender: SmsSenderKind,
    /// URL the SMS webhook posts to; setting it selects the webhook sender
    /// (`PROTIUM_SMS_WEBHOOK_URL`).
    #[serde(deserialize_with = "text")]
    pub sms_webhook_url: String,
    /// JSON body template of the webhook; `{{phone}}`, `{{message}}` and `{{code}}`
    /// are filled in (`PROTIUM_SMS_WEBHOOK_BODY`).
    #[serde(deserialize_with = "text")]
    pub sms_webhook_body: String,
    /// `Authorization` header value sent to the webhook, if any (`PROTIUM_SMS_WEBHOOK_AUTHORIZATION`).
    #[serde(deserialize_with = "text")]
    pub sms_webhook_authorization: String,
    /// Seconds an SMS code works (`PROTIUM_SMS_CODE_TTL`).
    pub sms_code_ttl: u64,
    /// Tries per SMS code (`PROTIUM_SMS_CODE_ATTEMPTS`).
    pub sms_code_attempts: u32,
    /// Codes per number per minute (`PROTIUM_SMS_PER_NUMBER_PER_MINUTE`).
    pub sms_per_number_per_minute: u32,
    /// Codes per number per day (`PROTIUM_SMS_PER_NUMBER_PER_DAY`).
    pub sms_per_number_per_day: u32,
    /// Code requests per client address per hour; 0 disables (`PROTIUM_SMS_PER_IP_PER_HOUR`).
    pub sms_per_ip_per_hour: u32,
    /// Seconds a `verification_token` from a verified code works (`PROTIUM_PHONE_TOKEN_TTL`).
    pub phone_token_ttl: u64,
    /// Third-party sign-in providers (`[[oauth_providers]]` in `protium.toml`).
    pub oauth_providers: Vec<OAuthProviderSettings>,
    /// Comma list of URL prefixes an app's `callback_url` may start with; empty
    /// allows only URLs under `public_url` (`PROTIUM_OAUTH_CALLBACK_PREFIXES`).
    #[serde(deserialize_with = "text")]
    pub oauth_callback_prefixes: String,
    /// Characters a password may not contain; `\s` stands for a space and `\t`
    /// for a tab, since environment values are trimmed (`PROTIUM_PASSWORD_FORBIDDEN_CHARS`).
    #[serde(deserialize_with = "text")]
    pub password_forbidden_chars: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/protium.db".into(),
            schema_dir: PathBuf::from("schema"),
            schema_watch: true,
            public_url: "http://127.0.0.1:8080".into(),
            client_ids: String::new(),
            token_ttl: MAX_TOKEN_TTL_SECS,
            log: "info".into(),
            log_json: false,
            admin_token: String::new(),
            db_pool_size: 10,
            hash_threads: 0,
            hash_queue: 64,
            shutdown_timeout: 10,
            auth_rate_per_minute: 60,
            trusted_proxies: String::new(),
            janitor_interval: 600,
            query_budget_ms: 30_000,
            queries_per_caller: 4,
            availability_check: false,
            reauth_account_changes: false,
            find_by_contact: false,
            reauth_needs_code: false,
            email_change_needs_code: false,
            phone_change_needs_code: None,
            lookups_per_minute: 30,
            feed_horizon_days: 30,
            file_max_bytes: 50 * 1024 * 1024,
            upload_ttl: 3600,
            detached_file_ttl: 86_400,
            file_quota_user_bytes: 0,
            file_quota_app_bytes: 0,
            file_storage: FileStorageKind::Local,
            s3_endpoint: String::new(),
            s3_bucket: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_prefix: String::new(),
            login_lockout_failures: 10,
            login_lockout_seconds: 900,
            app_name: "Protium".into(),
            data_dir: PathBuf::from("data"),
            smtp_url: String::new(),
            mail_from: "Protium <no-reply@localhost>".into(),
            templates_dir: None,
            email_link_ttl: 24 * 3600,
            reset_link_ttl: 3600,
            email_code_ttl: 600,
            email_code_attempts: 5,
            email_resend_cooldown: 60,
            password_reset_unknown: PasswordResetUnknown::Accepted,
            mail_retry_base_secs: 5,
            password_min_bytes: 6,
            password_max_bytes: 256,
            password_forbidden_chars: String::new(),
            oauth_providers: Vec::new(),
            oauth_callback_prefixes: String::new(),
            phone_default_region: "CN".into(),
            sms_sender: SmsSenderKind::Log,
            sms_webhook_url: String::new(),
            sms_webhook_body: crate::notify::DEFAULT_WEBHOOK_BODY.into(),
            sms_webhook_authorization: String::new(),
            sms_code_ttl: 300,
            sms_code_attempts: 5,
            sms_per_number_per_minute: 1,
            sms_per_number_per_day: 10,
            sms_per_ip_per_hour: 30,
            phone_token_ttl: 900,
        }
    }
}

/// Settings that cannot be used; the message says which and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file or environment could not be read or has the wrong shape
    /// (one line per fault).
    #[error("invalid configuration: {0}")]
    Load(String),
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
            .map_err(explain::explain)?;
        settings.check()?;
        Ok(settings)
    }

    /// The parsed listen address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| {
            let hint = match self.listen.parse::<u16>() {
                Ok(port) => format!(
                    "; for port {port} write 127.0.0.1:{port} (this machine only) or 0.0.0.0:{port} (every interface)"
                ),
                Err(_) => String::new(),
            };
            ConfigError::Invalid {
                key: "PROTIUM_LISTEN",
                reason: format!(
                    "'{}' is not an address and port, for example 127.0.0.1:8080{hint}",
                    self.listen
                ),
            }
        })
    }

    /// The password policy from the `password_*` settings.
    pub fn password_policy(&self) -> crate::domain::PasswordPolicy {
        crate::domain::PasswordPolicy {
            min_bytes: self.password_min_bytes,
            max_bytes: self.password_max_bytes,
            forbidden: self
                .password_forbidden_chars
                .replace("\\s", " ")
                .replace("\\t", "\t"),
        }
    }

    /// The default phone region (checked by [`Settings::check`]).
    pub fn phone_region(&self) -> crate::domain::PhoneRegion {
        crate::domain::PhoneRegion::parse(&self.phone_default_region).unwrap_or_default()
    }

    /// URL prefixes an OAuth `callback_url` may start with.
    pub fn oauth_callback_prefix_list(&self) -> Vec<String> {
        let listed: Vec<String> = self
            .oauth_callback_prefixes
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if listed.is_empty() {
            vec![format!("{}/", self.public_url.trim_end_matches('/'))]
        } else {
            listed
        }
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
#[path = "mod_test.rs"]
mod tests;
