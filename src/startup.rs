//! The composition root: settings in, a running HTTP server out. Tests build the
//! application through the same [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::api::{self, AppState, AuthRateLimit};
use crate::auth::AuthService;
use crate::config::Settings;
use crate::records::ProfileService;
use crate::schema::{self, Registry};
use crate::store::ddl::{self, ColumnDecl};
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
}

/// A built, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
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
        let state = AppState {
            auth: AuthService::new(
                store.clone(),
                &profile,
                settings.token_ttl,
                &settings.admin_token,
            )?,
            profiles: ProfileService::new(store, profile),
            auth_limit: AuthRateLimit::new(settings.auth_rate_per_minute),
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
        Ok(Self { port, server })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server future, for tests that spawn it.
    pub fn into_server(self) -> Server {
        self.server
    }
}

/// Adds missing profile columns and indexes; reports hidden (removed) fields.
fn sync_profile(store: &Store, registry: &Registry) -> Result<(), StartupError> {
    let decls: Vec<ColumnDecl> = registry
        .profile
        .fields
        .iter()
        .map(|f| ColumnDecl {
            name: f.name.as_str().to_owned(),
            kind: f.kind,
            unique: f.unique,
            indexed: f.indexed,
            default: f.default.as_ref().map(|d| to_sql_value(f.kind, d)),
        })
        .collect();
    let report = store.run_blocking(|conn| ddl::sync_columns(conn, PROFILE_TABLE, &decls))?;
    if !report.added.is_empty() {
        tracing::info!(columns = ?report.added, "added profile columns");
    }
    if !report.hidden.is_empty() {
        tracing::warn!(columns = ?report.hidden, "profile fields no longer declared: kept with their data, hidden");
    }
    Ok(())
}
