//! The composition root: settings in, a running HTTP server out. Tests build the
//! application through the same [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::admin::{AuditLog, FileWatcher, Janitor, LoadError, OverviewService, SchemaControl};
use crate::api::{self, AppState, RateLimit};
use crate::auth::{
    AuthService, EmailService, EmailSettings, HashingSettings, OAuthService, SmsService,
    SmsSettings, Window,
};
use crate::config::{PasswordResetUnknown, Settings, SmsSenderKind};
use crate::notify::{
    self, DevOutbox, MailTransport, Outbox, RetryPolicy, Sender, SmsInbox, SmsSender, Templates,
};
use crate::records::Records;
use crate::schema;
use crate::store::{Existing, Store};

/// Why the application could not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A schema file is broken.
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    /// The database is unusable.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The schema cannot be applied (or watched).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Services could not be built.
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Invalid settings.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// Mail settings or templates are unusable.
    #[error(transparent)]
    Notify(#[from] notify::NotifyError),
}

/// What `protium check` verifies, without serving and without changing
/// anything: every check start-up runs before it binds — the settings, the
/// mail sender and templates, the SMS sender, the schema files, and, when the
/// database exists and is migrated, the schema against its stored columns and
/// rows (the refusal start-up would give). Returns one line per check.
pub fn preflight(settings: &Settings) -> Result<Vec<String>, StartupError> {
    settings.check()?;
    let mut report = vec!["settings: ok".to_owned()];
    Templates::load(settings.templates_dir.clone())?;
    Sender::parse(&settings.mail_from)?;
    report.push(if settings.smtp_url.trim().is_empty() {
        format!(
            "mail: no SMTP server set; mail is written to {}/mail and listed in {}/outbox.log",
            settings.data_dir.display(),
            settings.data_dir.display()
        )
    } else {
        format!(
            "mail: SMTP {}",
            crate::domain::redact_url(&settings.smtp_url)
        )
    });
    report.push(if settings.sms_webhook_url.trim().is_empty() {
        format!(
            "sms: '{}' sender (no provider set)",
            settings.sms_sender.as_str()
        )
    } else {
        "sms: webhook".to_owned()
    });
    report.push(crate::admin::schema_ops::check(&settings.schema_dir)?);
    let db = crate::domain::redact_url(&settings.database_url);
    report.push(match Store::open_existing(&settings.database_url)? {
        Existing::Missing => format!("database: {db} does not exist yet; start-up creates it"),
        Existing::NeedsMigrations(n) => format!(
            "database: {db} needs {n} system migration(s), which start-up applies; \
             the schema is compared once they ran"
        ),
        Existing::Ready(store) => {
            let applied = crate::admin::schema_ops::preflight(&store, &settings.schema_dir)?;
            if let Some(refusal) = applied.refusal {
                return Err(StartupError::Store(crate::store::StoreError::SchemaChange(
                    refusal,
                )));
            }
            format!("database: {db} accepts the schema")
        }
    });
    Ok(report)
}

/// A built, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    mail_worker: tokio::task::JoinHandle<()>,
    sms_inbox: Option<SmsInbox>,
    schema: SchemaControl,
    records: Records,
    watcher: Option<FileWatcher>,
}

impl Application {
    /// Loads the schema, opens and migrates the database, syncs the profile's
    /// columns and binds the listener.
    pub fn build(settings: &Settings) -> Result<Self, StartupError> {
        settings.check()?;
        if !settings.admin_token.is_empty() {
            tracing::warn!(
                "PROTIUM_ADMIN_TOKEN is set: it grants every admin right. Use it to bootstrap, then \
                 create admin accounts (`protium admin create`) and API keys, and unset it"
            );
        }
        // A broken schema file is reported before the database is touched.
        schema::load_dir(&settings.schema_dir)?;
        let store = Store::connect(
            &settings.database_url,
            settings.db_pool_size,
            Duration::from_millis(settings.query_budget_ms),
        )?;
        let schema = SchemaControl::start(store.clone(), settings.schema_dir.clone())?;
        let live = schema.live().clone();
        schema.reload_on_sighup()?;
        let watcher = if settings.schema_watch {
            Some(schema.watch(Duration::from_millis(400))?)
        } else {
            None
        };
        let feed_horizon = i64::from(settings.feed_horizon_days) * 86_400;
        let records = Records::new(store.clone(), live.clone()).with_feed_horizon(feed_horizon);
        let janitor = Janitor::new(
            store.clone(),
            Duration::from_secs(settings.janitor_interval),
            feed_horizon,
        )
        .spawn();
        // Jobs left pending by this node's last run or by a stopped node.
        let orphan_sweep = records.sweep_orphaned_jobs(Duration::from_secs(10));
        let templates = Arc::new(Templates::load(settings.templates_dir.clone())?);
        let dev_outbox = DevOutbox::new(&settings.data_dir)?;
        let transport = MailTransport::new(
            &settings.smtp_url,
            settings.data_dir.join("mail"),
            dev_outbox.clone(),
        )?;
        let sender = Sender::parse(&settings.mail_from)?;
        let outbox = Outbox::new();
        let retry = RetryPolicy {
            base_secs: settings.mail_retry_base_secs,
            max_delay_secs: 3600,
            max_attempts: 10,
        };
        let mail_worker = background(vec![
            notify::spawn_worker(store.clone(), Arc::new(transport), sender, &outbox, retry),
            janitor,
            orphan_sweep,
        ]);
        let auth = AuthService::new(
            store.clone(),
            settings.token_ttl,
            &settings.admin_token,
            HashingSettings {
                threads: settings.hash_threads,
                queue: settings.hash_queue,
            },
        )?
        .with_lockout(Window {
            hits: settings.login_lockout_failures,
            seconds: i64::try_from(settings.login_lockout_seconds).unwrap_or(900),
        });
        let email = EmailService::new(
            store.clone(),
            templates.clone(),
            outbox,
            auth.hasher(),
            email_settings(settings),
            live.clone(),
            auth.session_cache(),
        )?;
        let sms_sender = if settings.sms_webhook_url.trim().is_empty() {
            match settings.sms_sender {
                SmsSenderKind::Log => SmsSender::Log(dev_outbox),
                SmsSenderKind::Memory => SmsSender::Memory(SmsInbox::default()),
            }
        } else {
            SmsSender::webhook(
                &settings.sms_webhook_url,
                &settings.sms_webhook_body,
                &settings.sms_webhook_authorization,
            )?
        };
        let sms_inbox = sms_sender.inbox();
        let sms = SmsService::new(
            auth.clone(),
            Arc::new(sms_sender),
            templates.clone(),
            sms_settings(settings),
        )?;
        let oauth = OAuthService::new(
            auth.clone(),
            settings.oauth_providers.clone(),
            &settings.public_url,
            settings.oauth_callback_prefix_list(),
            live,
        )?;
        let limits = auth.limits().clone();
        let proxies =
            crate::api::TrustedProxies::parse(&settings.trusted_proxies).map_err(|reason| {
                crate::config::ConfigError::Invalid {
                    key: "PROTIUM_TRUSTED_PROXIES",
                    reason,
                }
            })?;
        let public_path = reqwest::Url::parse(&settings.public_url)
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        let state = AppState {
            public_path,
            oauth,
            sms,
            sms_ip_limit: RateLimit::new(
                "sms-address",
                Window {
                    hits: settings.sms_per_ip_per_hour,
                    seconds: 3600,
                },
                limits.clone(),
                proxies.clone(),
            ),
            phone_region: settings.phone_region(),
            auth,
            records: records.clone(),
            schema: schema.clone(),
            audit: AuditLog::new(store.clone()),
            overview: OverviewService::new(store.clone()),
            openapi: crate::api::DocumentCache::default(),
            auth_limit: RateLimit::new(
                "auth-address",
                Window {
                    hits: settings.auth_rate_per_minute,
                    seconds: 60,
                },
                limits.clone(),
                proxies.clone(),
            ),
            query_gate: crate::api::QueryGate::new(settings.queries_per_caller, proxies.clone()),
            lookup_limit: RateLimit::new(
                "lookup-address",
                Window {
                    hits: settings.lookups_per_minute,
                    seconds: 60,
                },
                limits.clone(),
                proxies.clone(),
            ),
            availability_check: settings.availability_check,
            find_by_contact: settings.find_by_contact,
            reauth_account_changes: settings.reauth_account_changes,
            reauth_needs_code: settings.reauth_needs_code,
            email_change_needs_code: settings.email_change_needs_code,
            phone_change_needs_code: settings
                .phone_change_needs_code
                .unwrap_or(settings.reauth_account_changes),
            proxies,
            email,
            password_policy: settings.password_policy(),
            templates,
            app_name: settings.app_name.clone(),
        };
        let listener =
            TcpListener::bind(&settings.listen).map_err(|source| StartupError::Bind {
                addr: settings.listen.clone(),
                source,
            })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let client_ids = settings.client_id_list();
        let data = web::Data::new(state);
        let server = HttpServer::new(move || {
            let cors = Cors::default()
                .allow_any_origin()
                .allow_any_method()
                .allow_any_header()
                .max_age(3600);
            let client_ids = client_ids.clone();
            App::new()
                .wrap(Compress::default())
                .wrap(NormalizePath::new(TrailingSlash::Always))
                .wrap(cors)
                .wrap(TracingLogger::<api::RequestSpan>::new())
                .app_data(data.clone())
                .configure(move |cfg| api::configure(cfg, client_ids))
        })
        .shutdown_timeout(settings.shutdown_timeout)
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            addr: settings.listen.clone(),
            source,
        })?
        .run();
        tracing::info!(port, schema_dir = %settings.schema_dir.display(), "protium is listening");
        Ok(Self {
            port,
            server,
            mail_worker,
            sms_inbox,
            schema,
            records,
            watcher,
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop, then stops the mail worker
    /// (queued mail stays in the outbox for the next start).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let _watching = self.watcher;
        let result = self.server.await;
        self.mail_worker.abort();
        result
    }

    /// The messages of the memory SMS sender (`sms_sender = "memory"`), for tests.
    pub fn sms_inbox(&self) -> Option<SmsInbox> {
        self.sms_inbox.clone()
    }

    /// The object engine of this application (for the server's own writes, tests).
    pub fn records(&self) -> Records {
        self.records.clone()
    }

    /// The schema of this application (reloads, tests).
    pub fn schema(&self) -> SchemaControl {
        self.schema.clone()
    }

    /// The server future, the mail worker and the schema watcher, for tests
    /// that spawn them.
    pub fn into_parts(self) -> (Server, tokio::task::JoinHandle<()>, Option<FileWatcher>) {
        (self.server, self.mail_worker, self.watcher)
    }
}

/// One handle for the node's background tasks (the mail worker, the
/// janitor): aborting it aborts them all.
fn background(tasks: Vec<tokio::task::JoinHandle<()>>) -> tokio::task::JoinHandle<()> {
    struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            for task in &self.0 {
                task.abort();
            }
        }
    }
    tokio::spawn(async move {
        let _tasks = AbortOnDrop(tasks);
        std::future::pending::<()>().await;
    })
}

fn email_settings(settings: &Settings) -> EmailSettings {
    EmailSettings {
        public_url: settings.public_url.trim_end_matches('/').to_owned(),
        app_name: settings.app_name.clone(),
        link_ttl: secs(settings.email_link_ttl),
        reset_ttl: secs(settings.reset_link_ttl),
        code_ttl: secs(settings.email_code_ttl),
        code_attempts: i32::try_from(settings.email_code_attempts).unwrap_or(i32::MAX),
        cooldown: secs(settings.email_resend_cooldown),
        reset_unknown_is_404: settings.password_reset_unknown == PasswordResetUnknown::NotFound,
    }
}

fn sms_settings(settings: &Settings) -> SmsSettings {
    SmsSettings {
        app_name: settings.app_name.clone(),
        code_ttl: secs(settings.sms_code_ttl),
        code_attempts: i32::try_from(settings.sms_code_attempts).unwrap_or(i32::MAX),
        per_minute: i64::from(settings.sms_per_number_per_minute),
        per_day: i64::from(settings.sms_per_number_per_day),
        token_ttl: secs(settings.phone_token_ttl),
    }
}

/// Seconds from settings as the `i64` used for unix-time arithmetic (settings
/// are capped at a year, so this never saturates in practice).
fn secs(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
