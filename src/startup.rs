//! The composition root: settings in, a running HTTP server out. Tests build the
//! application through the same [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::api::{self, AppState, RateLimit};
use crate::auth::{
    AuthService, EmailService, EmailSettings, HashingSettings, OAuthService, SmsService,
    SmsSettings,
};
use crate::config::Settings;
use crate::notify::{
    self, MailTransport, Outbox, RetryPolicy, Sender, SmsInbox, SmsSender, Templates,
};
use crate::records::{Catalog, ProfileService, TableEntry, TableService};
use crate::schema::{self, Registry};
use crate::store::ddl::{self, ColumnDecl};
use crate::store::record_tables;
use crate::store::rows::to_sql_value;
use crate::store::users::PROFILE_TABLE;
use crate::store::Store;

/// Why the application could not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A schema file is broken.
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    /// The database is unusable or a schema change was refused.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
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

/// A built, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    mail_worker: tokio::task::JoinHandle<()>,
    sms_inbox: Option<SmsInbox>,
}

impl Application {
    /// Loads the schema, opens and migrates the database, syncs the profile's
    /// columns and binds the listener.
    pub fn build(settings: &Settings) -> Result<Self, StartupError> {
        settings.check()?;
        let registry = schema::load_dir(&settings.schema_dir)?;
        let store = Store::connect(&settings.database_url, settings.db_pool_size)?;
        sync_profile(&store, &registry)?;
        let profile = Arc::new(registry.profile);
        let catalog = Arc::new(sync_tables(&store, registry.tables, profile.clone())?);
        let tables = TableService::new(store.clone(), catalog);
        let resumer = tables.clone();
        tokio::spawn(async move {
            match resumer.resume_bulk_jobs().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(jobs = n, "resumed pending bulk operations"),
                Err(e) => tracing::error!(error = %e, "cannot resume bulk operations"),
            }
        });
        let templates = Arc::new(Templates::load(settings.templates_dir.clone())?);
        let transport = MailTransport::new(&settings.smtp_url, settings.data_dir.join("mail"))?;
        let sender = Sender::parse(&settings.mail_from)?;
        let outbox = Outbox::new();
        let retry = RetryPolicy {
            base_secs: settings.mail_retry_base_secs,
            max_delay_secs: 3600,
            max_attempts: 10,
        };
        let mail_worker =
            notify::spawn_worker(store.clone(), Arc::new(transport), sender, &outbox, retry);
        let auth = AuthService::new(
            store.clone(),
            &profile,
            settings.token_ttl,
            &settings.admin_token,
            HashingSettings {
                threads: settings.hash_threads,
                queue: settings.hash_queue,
            },
        )?;
        let has_language = profile
            .field("language")
            .is_some_and(|f| f.kind == crate::schema::FieldKind::String);
        let email = EmailService::new(
            store.clone(),
            templates.clone(),
            outbox,
            auth.hasher(),
            email_settings(settings),
            has_language,
        )?;
        let sms_sender = SmsSender::new(
            &settings.sms_sender,
            &settings.sms_webhook_url,
            &settings.sms_webhook_body,
            &settings.sms_webhook_authorization,
        )?;
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
            profile.clone(),
        )?;
        let public_path = reqwest::Url::parse(&settings.public_url)
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        let state = AppState {
            public_path,
            oauth,
            sms,
            sms_ip_limit: RateLimit::per_hour(settings.sms_per_ip_per_hour),
            phone_region: settings.phone_region(),
            auth,
            profiles: ProfileService::new(store, profile),
            tables,
            auth_limit: RateLimit::new(settings.auth_rate_per_minute),
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
                .wrap(NormalizePath::new(TrailingSlash::Always))
                .wrap(cors)
                .wrap(TracingLogger::default())
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
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop, then stops the mail worker
    /// (queued mail stays in the outbox for the next start).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.mail_worker.abort();
        result
    }

    /// The messages of the memory SMS sender (`sms_sender = "memory"`), for tests.
    pub fn sms_inbox(&self) -> Option<SmsInbox> {
        self.sms_inbox.clone()
    }

    /// The server future and the mail worker, for tests that spawn them.
    pub fn into_parts(self) -> (Server, tokio::task::JoinHandle<()>) {
        (self.server, self.mail_worker)
    }
}

/// Adds missing profile columns and indexes; reports hidden (removed) fields.
fn sync_profile(store: &Store, registry: &Registry) -> Result<(), StartupError> {
    let decls = column_decls(&registry.profile);
    let report = store.run_blocking(|conn| ddl::sync_columns(conn, PROFILE_TABLE, &decls))?;
    if !report.added.is_empty() {
        tracing::info!(columns = ?report.added, "added profile columns");
    }
    if !report.hidden.is_empty() {
        tracing::warn!(columns = ?report.hidden, "profile fields no longer declared: kept with their data, hidden");
    }
    Ok(())
}

/// Creates or extends the table of every declared object type.
fn sync_tables(
    store: &Store,
    declared: std::collections::BTreeMap<String, schema::ObjectType>,
    profile: Arc<schema::ObjectType>,
) -> Result<Catalog, StartupError> {
    let mut tables = std::collections::BTreeMap::new();
    for (name, object) in declared {
        let decls = column_decls(&object);
        let (id, report) = store.run_blocking(|conn| {
            record_tables::ensure_table(conn, &name, &decls, &object.rules.uniques)
        })?;
        if !report.added.is_empty() {
            tracing::info!(table = %name, columns = ?report.added, "added columns");
        }
        if !report.hidden.is_empty() {
            tracing::warn!(table = %name, columns = ?report.hidden, "fields no longer declared: kept with their data, hidden");
        }
        tables.insert(
            name.clone(),
            TableEntry {
                sql: record_tables::sql_table(&name),
                id,
                object,
            },
        );
    }
    Ok(Catalog { tables, profile })
}

/// The columns of an object type's declared fields. Pointers are always indexed.
fn column_decls(object: &schema::ObjectType) -> Vec<ColumnDecl> {
    object
        .fields
        .iter()
        .map(|f| ColumnDecl {
            name: f.name.as_str().to_owned(),
            kind: f.kind,
            unique: f.unique,
            indexed: f.indexed || f.pointer.is_some(),
            case_insensitive: f.case_insensitive,
            default: f.default.as_ref().map(|d| to_sql_value(f.kind, d)),
        })
        .collect()
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
        reset_unknown_is_404: settings.password_reset_unknown == "not_found",
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
