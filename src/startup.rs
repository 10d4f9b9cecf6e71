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

use crate::admin::{FileWatcher, Janitor, LoadError, SchemaControl};
use crate::api::{self, AppState};
use crate::config::Settings;
use crate::domain::FileLinks;
use crate::files::FilesService;
use crate::notify::{
    self, DevOutbox, MailTransport, Outbox, RetryPolicy, Sender, SmsInbox, Templates,
};
use crate::records::Records;
use crate::schema;
use crate::store::{Existing, Store};

mod services;

use services::{app_state, Services};

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
    /// The file storage cannot be opened.
    #[error(transparent)]
    Files(#[from] crate::files::FilesError),
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
        schema.reload_on_sighup()?;
        let watcher = if settings.schema_watch {
            Some(schema.watch(Duration::from_millis(400))?)
        } else {
            None
        };
        let feed_horizon = i64::from(settings.feed_horizon_days) * 86_400;
        let records = Records::new(
            store.clone(),
            schema.live().clone(),
            FileLinks::new(&settings.public_url),
        )
        .with_feed_horizon(feed_horizon);
        let templates = Arc::new(Templates::load(settings.templates_dir.clone())?);
        let dev_outbox = DevOutbox::new(&settings.data_dir)?;
        let outbox = Outbox::new();
        let files = services::files(settings, &store)?;
        let mail_worker =
            background_work(settings, &store, &records, &files, &outbox, &dev_outbox)?;
        let services = Services::start(settings, &store, &schema, &templates, outbox, dev_outbox)?;
        let sms_inbox = services.sms_inbox.clone();
        let state = app_state(
            settings, services, &store, &records, &schema, templates, files,
        )?;
        let (server, port) = serve(settings, state)?;
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

/// The node's background work: the mail worker, the janitor and the sweep
/// for bulk jobs a stopped node left pending.
fn background_work(
    settings: &Settings,
    store: &Store,
    records: &Records,
    files: &FilesService,
    outbox: &Outbox,
    dev_outbox: &DevOutbox,
) -> Result<tokio::task::JoinHandle<()>, StartupError> {
    let feed_horizon = i64::from(settings.feed_horizon_days) * 86_400;
    let janitor = Janitor::new(
        store.clone(),
        Duration::from_secs(settings.janitor_interval),
        feed_horizon,
    )
    .spawn();
    // Jobs left pending by this node's last run or by a stopped node.
    let orphan_sweep = records.sweep_orphaned_jobs(Duration::from_secs(10));
    let upload_sweep = sweep_uploads(
        files.clone(),
        Duration::from_secs(settings.janitor_interval),
    );
    let transport = MailTransport::new(
        &settings.smtp_url,
        settings.data_dir.join("mail"),
        dev_outbox.clone(),
    )?;
    let sender = Sender::parse(&settings.mail_from)?;
    let retry = RetryPolicy {
        base_secs: settings.mail_retry_base_secs,
        max_delay_secs: 3600,
        max_attempts: 10,
    };
    Ok(background(vec![
        notify::spawn_worker(store.clone(), Arc::new(transport), sender, outbox, retry),
        janitor,
        orphan_sweep,
        upload_sweep,
    ]))
}

/// Every `interval`, removes what unfinished uploads left behind.
fn sweep_uploads(files: FilesService, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            match files.sweep().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(files = n, "unfinished uploads removed"),
                Err(e) => tracing::warn!(error = %e, cause = ?e, "the upload sweep failed"),
            }
        }
    })
}

/// Binds the listener and builds the HTTP server around `state`: the
/// middleware (outermost first: compression, trailing slashes, CORS, the
/// request span) and the API. Answers the server and its port.
fn serve(settings: &Settings, state: AppState) -> Result<(Server, u16), StartupError> {
    let bind_error = |source| StartupError::Bind {
        addr: settings.listen.clone(),
        source,
    };
    let listener = TcpListener::bind(&settings.listen).map_err(bind_error)?;
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
    .map_err(bind_error)?
    .run();
    Ok((server, port))
}
