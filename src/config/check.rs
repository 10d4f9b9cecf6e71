//! Checks of values that parse but cannot work. `protium check` and start-up
//! run the same ones; each error names the setting, the value (secrets
//! redacted), what is expected and an example.

use super::{redact_url, ConfigError, FileStorageKind, ProviderKind, Settings, MAX_TOKEN_TTL_SECS};

impl Settings {
    /// Checks values that parse but cannot work.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.listen_addr()?;
        self.check_services()?;
        self.check_server()?;
        self.check_accounts()?;
        self.check_durations()?;
        self.check_providers()?;
        self.check_admin_token()
    }

    /// Sessions, the public URL, the pool and the password hashing threads.
    fn check_server(&self) -> Result<(), ConfigError> {
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
        if self.hash_threads > 256 {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_HASH_THREADS",
                reason: "must be at most 256 (each thread holds 19 MiB while hashing)".into(),
            });
        }
        if self.hash_queue == 0 || self.hash_queue > 100_000 {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_HASH_QUEUE",
                reason: "must be between 1 and 100000".into(),
            });
        }
        Ok(())
    }

    /// The password policy and the default phone region.
    fn check_accounts(&self) -> Result<(), ConfigError> {
        if let Err(reason) = self.password_policy().check() {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_PASSWORD_MIN_BYTES",
                reason,
            });
        }
        crate::domain::PhoneRegion::parse(&self.phone_default_region).map_err(|e| {
            ConfigError::Invalid {
                key: "PROTIUM_PHONE_DEFAULT_REGION",
                reason: e.rule,
            }
        })?;
        Ok(())
    }

    /// Lifetimes, cool-downs and tries: at least 1, at most a year.
    fn check_durations(&self) -> Result<(), ConfigError> {
        const YEAR: u64 = 365 * 24 * 3600;
        for (key, value) in [
            ("PROTIUM_EMAIL_LINK_TTL", self.email_link_ttl),
            ("PROTIUM_RESET_LINK_TTL", self.reset_link_ttl),
            ("PROTIUM_EMAIL_CODE_TTL", self.email_code_ttl),
            ("PROTIUM_EMAIL_RESEND_COOLDOWN", self.email_resend_cooldown),
            ("PROTIUM_SMS_CODE_TTL", self.sms_code_ttl),
            ("PROTIUM_PHONE_TOKEN_TTL", self.phone_token_ttl),
            ("PROTIUM_MAIL_RETRY_BASE_SECS", self.mail_retry_base_secs),
        ] {
            if value > YEAR {
                return Err(ConfigError::Invalid {
                    key,
                    reason: format!("must be at most {YEAR} seconds (a year)"),
                });
            }
        }
        for (key, value) in [
            ("PROTIUM_SMS_CODE_TTL", self.sms_code_ttl),
            (
                "PROTIUM_SMS_CODE_ATTEMPTS",
                u64::from(self.sms_code_attempts),
            ),
            (
                "PROTIUM_SMS_PER_NUMBER_PER_MINUTE",
                u64::from(self.sms_per_number_per_minute),
            ),
            (
                "PROTIUM_SMS_PER_NUMBER_PER_DAY",
                u64::from(self.sms_per_number_per_day),
            ),
            ("PROTIUM_PHONE_TOKEN_TTL", self.phone_token_ttl),
            ("PROTIUM_EMAIL_LINK_TTL", self.email_link_ttl),
            ("PROTIUM_RESET_LINK_TTL", self.reset_link_ttl),
            ("PROTIUM_EMAIL_CODE_TTL", self.email_code_ttl),
            (
                "PROTIUM_EMAIL_CODE_ATTEMPTS",
                u64::from(self.email_code_attempts),
            ),
            ("PROTIUM_MAIL_RETRY_BASE_SECS", self.mail_retry_base_secs),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    key,
                    reason: "must be at least 1".into(),
                });
            }
        }
        Ok(())
    }

    /// Each third-party provider: a unique name and what its kind needs.
    fn check_providers(&self) -> Result<(), ConfigError> {
        for (i, p) in self.oauth_providers.iter().enumerate() {
            let bad = |reason: String| ConfigError::Invalid {
                key: "oauth_providers",
                reason: format!("#{i} ({}): {reason}", p.name),
            };
            let name_ok = !p.name.is_empty()
                && p.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !name_ok {
                return Err(bad(
                    "name must be lower-case letters, digits, '-' or '_'".into()
                ));
            }
            if self
                .oauth_providers
                .iter()
                .filter(|q| q.name == p.name)
                .count()
                > 1
            {
                return Err(bad("names must be unique".into()));
            }
            match p.kind {
                ProviderKind::Oidc if p.issuer.is_empty() => {
                    return Err(bad("an oidc provider needs issuer".into()))
                }
                ProviderKind::Oauth2
                    if p.authorize_url.is_empty()
                        || p.token_url.is_empty()
                        || p.userinfo_url.is_empty() =>
                {
                    return Err(bad(
                        "an oauth2 provider needs authorize_url, token_url and userinfo_url".into(),
                    ))
                }
                ProviderKind::AlipayMiniapp if p.platform_public_key.is_empty() => {
                    return Err(bad(
                        "an alipay_miniapp provider needs platform_public_key (Alipay's public key, PEM)"
                            .into(),
                    ))
                }
                _ => {}
            }
            if (p.native_code || p.code_exchange.is_some()) && p.kind != ProviderKind::Oauth2 {
                return Err(bad(
                    "native_code and code_exchange need kind = 'oauth2'".into()
                ));
            }
            if p.token_owner_url.is_empty() != p.token_owner_field.is_empty() {
                return Err(bad(
                    "token_owner_url and token_owner_field go together".into()
                ));
            }
            if p.token_app_url.is_empty() != p.token_app_field.is_empty() {
                return Err(bad("token_app_url and token_app_field go together".into()));
            }
            if !p.owner_param.is_empty() && p.token_owner_url.is_empty() {
                return Err(bad(
                    "owner_param is filled from token_owner_url: declare it too".into(),
                ));
            }
        }
        Ok(())
    }

    /// The bootstrap admin token: long enough, or empty.
    fn check_admin_token(&self) -> Result<(), ConfigError> {
        if !self.admin_token.is_empty() && self.admin_token.len() < 16 {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_ADMIN_TOKEN",
                reason: "must be at least 16 characters (or empty to disable admin access)".into(),
            });
        }
        Ok(())
    }

    /// The database, mail, SMS, proxy and log settings: right schemes and names.
    fn check_services(&self) -> Result<(), ConfigError> {
        self.check_proxies()?;
        self.check_ranges()?;
        self.check_database()?;
        self.check_mail()?;
        self.check_sms()?;
        self.check_file_storage()?;
        self.check_log()
    }

    /// With `s3` storage: an http(s) endpoint, a bucket and a key pair.
    fn check_file_storage(&self) -> Result<(), ConfigError> {
        if self.file_storage != FileStorageKind::S3 {
            return Ok(());
        }
        let endpoint = self.s3_endpoint.trim();
        if url::Url::parse(endpoint)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .is_none()
        {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_S3_ENDPOINT",
                reason: format!(
                    "'{}' is not an object store's URL: with PROTIUM_FILE_STORAGE=s3 set it to \
                     https://HOST (or http://HOST:PORT on a private network)",
                    redact_url(endpoint)
                ),
            });
        }
        for (key, value) in [
            ("PROTIUM_S3_BUCKET", &self.s3_bucket),
            ("PROTIUM_S3_ACCESS_KEY_ID", &self.s3_access_key_id),
            ("PROTIUM_S3_SECRET_ACCESS_KEY", &self.s3_secret_access_key),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::Invalid {
                    key,
                    reason: "is required with PROTIUM_FILE_STORAGE=s3".into(),
                });
            }
        }
        Ok(())
    }

    /// Trusted proxies: addresses or networks.
    fn check_proxies(&self) -> Result<(), ConfigError> {
        for entry in self
            .trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if entry.parse::<ipnet::IpNet>().is_err() && entry.parse::<std::net::IpAddr>().is_err()
            {
                return Err(ConfigError::Invalid {
                    key: "PROTIUM_TRUSTED_PROXIES",
                    reason: format!(
                        "'{entry}' is not an address or a network: expected a comma list such as \
                         127.0.0.1, 10.0.0.0/8"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Numbers that must fall in a range.
    fn check_ranges(&self) -> Result<(), ConfigError> {
        in_range(
            "PROTIUM_QUERY_BUDGET_MS",
            self.query_budget_ms,
            100,
            3_600_000,
            "milliseconds",
            30_000,
        )?;
        in_range(
            "PROTIUM_QUERIES_PER_CALLER",
            self.queries_per_caller as u64,
            1,
            1000,
            "queries",
            4,
        )?;
        in_range(
            "PROTIUM_JANITOR_INTERVAL",
            self.janitor_interval,
            1,
            86_400,
            "seconds",
            600,
        )?;
        in_range(
            "PROTIUM_FEED_HORIZON_DAYS",
            u64::from(self.feed_horizon_days),
            1,
            3650,
            "days",
            30,
        )?;
        in_range(
            "PROTIUM_FILE_MAX_BYTES",
            self.file_max_bytes,
            1,
            1 << 40,
            "bytes",
            50 * 1024 * 1024,
        )?;
        in_range(
            "PROTIUM_UPLOAD_TTL",
            self.upload_ttl,
            60,
            86_400,
            "seconds",
            3600,
        )?;
        in_range(
            "PROTIUM_DETACHED_FILE_TTL",
            self.detached_file_ttl,
            0,
            365 * 86_400,
            "seconds",
            86_400,
        )?;
        in_range(
            "PROTIUM_LOGIN_LOCKOUT_SECONDS",
            self.login_lockout_seconds,
            1,
            86_400,
            "seconds",
            900,
        )?;
        Ok(())
    }

    /// The database URL's scheme.
    fn check_database(&self) -> Result<(), ConfigError> {
        let db = self.database_url.trim();
        let db_ok = db
            .strip_prefix("sqlite://")
            .is_some_and(|p| !p.is_empty() && p != ":memory:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://");
        if !db_ok {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_DATABASE_URL",
                reason: format!(
                    "'{}' is not a database Protium can use: expected sqlite://PATH or \
                     postgres://USER@HOST:PORT/DATABASE, for example sqlite://data/protium.db",
                    redact_url(db)
                ),
            });
        }
        Ok(())
    }

    /// The SMTP URL and the sender address.
    fn check_mail(&self) -> Result<(), ConfigError> {
        let smtp = self.smtp_url.trim();
        if !smtp.is_empty() {
            let parsed = url::Url::parse(smtp).ok().filter(|u| {
                matches!(u.scheme(), "smtp" | "smtps")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
            if parsed.is_none() {
                return Err(ConfigError::Invalid {
                    key: "PROTIUM_SMTP_URL",
                    reason: format!(
                        "'{}' is not an SMTP server URL: expected smtp://HOST:PORT, \
                         smtps://USER:PASSWORD@HOST or smtp://HOST:587?tls=required \
                         (leave it empty to write mail to files in development)",
                        redact_url(smtp)
                    ),
                });
            }
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_MAIL_FROM",
                reason: format!(
                    "'{}' is not a mail address: expected an address or Name <address>, \
                     for example \"My App <no-reply@example.com>\"",
                    self.mail_from
                ),
            });
        }
        Ok(())
    }

    /// The SMS webhook's URL and body.
    fn check_sms(&self) -> Result<(), ConfigError> {
        let webhook = self.sms_webhook_url.trim();
        if !webhook.is_empty()
            && !url::Url::parse(webhook)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_SMS_WEBHOOK_URL",
                reason: format!(
                    "'{}' is not an http:// or https:// URL, for example https://sms.example.com/send",
                    redact_url(webhook)
                ),
            });
        }
        Ok(())
    }

    /// The log filter.
    fn check_log(&self) -> Result<(), ConfigError> {
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log) {
            return Err(ConfigError::Invalid {
                key: "PROTIUM_LOG",
                reason: format!(
                    "'{}' is not a log filter ({e}): expected a level (error, warn, info, \
                     debug, trace) or directives such as info,protium=debug",
                    self.log
                ),
            });
        }
        Ok(())
    }
}

/// Refuses `value` for setting `key` unless `lo <= value <= hi`, naming the
/// range, its `unit` and a sensible `example`.
fn in_range(
    key: &'static str,
    value: u64,
    lo: u64,
    hi: u64,
    unit: &str,
    example: u64,
) -> Result<(), ConfigError> {
    if (lo..=hi).contains(&value) {
        return Ok(());
    }
    Err(ConfigError::Invalid {
        key,
        reason: format!("'{value}' must be between {lo} and {hi} {unit}, for example {example}"),
    })
}
