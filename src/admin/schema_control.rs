//! The live schema's lifecycle on a running node: the first load at start,
//! reloads (files changed on disk, `SIGHUP`, `POST /admin/api/schema/reload/`),
//! the last reload error, and the history of applied versions.
//!
//! Rules: a reload compiles every file and applies the additive DDL before it
//! swaps the snapshot, so requests in flight finish on the old version and new
//! ones see the new one; a broken edit (bad JSON, an unknown keyword, a
//! narrowing or type change) changes nothing, and its error stays visible until
//! a later reload succeeds. Reloads run one at a time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::domain::now_unix;
use crate::schema::{self, LiveSchema, Registry, SchemaError, Snapshot};
use crate::store::audit::{self, Actor, AuditEntry};
use crate::store::schema_history::{self, VersionRow};
use crate::store::schema_sync::{self, ApplyOptions, NarrowingPolicy};
use crate::store::{Store, StoreError};

/// Why loading a schema failed: a file (with the JSON pointer of the fault)
/// or the database (a refused change).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadError {
    /// Unix seconds.
    pub at: i64,
    /// The file at fault, when one is.
    pub file: Option<String>,
    /// JSON pointer inside the file (`""` for the whole document).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) if file.ends_with(".json") => write!(
                f,
                "schema file {file}: at '{}': {}",
                self.pointer, self.message
            ),
            Some(dir) => write!(f, "schema directory {dir}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<SchemaError> for LoadError {
    fn from(e: SchemaError) -> Self {
        Self {
            at: now_unix(),
            file: Some(e.file.display().to_string()),
            pointer: e.pointer,
            message: e.message,
        }
    }
}

impl From<StoreError> for LoadError {
    fn from(e: StoreError) -> Self {
        Self {
            at: now_unix(),
            file: None,
            pointer: String::new(),
            message: e.to_string(),
        }
    }
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    /// The live version now.
    pub version: u64,
    /// Whether the files had changed (a new snapshot was swapped in).
    pub changed: bool,
    /// The DDL statements run.
    pub ddl: Vec<String>,
}

/// The schema of one node; cheap to clone.
#[derive(Debug, Clone)]
pub struct SchemaControl {
    store: Store,
    live: LiveSchema,
    dir: PathBuf,
    node: String,
    last_error: Arc<Mutex<Option<LoadError>>>,
    reloading: Arc<tokio::sync::Mutex<()>>,
}

/// How this node names itself in the schema history: `node:<host>:<pid>`.
pub fn node_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("node:{host}:{}", std::process::id())
}

/// Compiles `dir` and applies it with the additive policy; the snapshot to serve.
fn load(store: &Store, dir: &Path, applied_by: &str) -> Result<(Snapshot, Vec<String>), LoadError> {
    let registry: Registry = schema::load_dir(dir)?;
    let options = ApplyOptions {
        narrowing: NarrowingPolicy::Refuse,
        applied_by: applied_by.to_owned(),
        dry_run: false,
    };
    let applied = store.run_blocking(|conn| schema_sync::apply(conn, &registry, &options))?;
    Ok((Snapshot::new(registry, applied.ids), applied.ddl))
}

impl SchemaControl {
    /// Loads `dir` at start: a broken schema stops start-up.
    pub fn start(store: Store, dir: PathBuf) -> Result<Self, LoadError> {
        let node = node_name();
        let (snapshot, _) = load(&store, &dir, &node)?;
        Ok(Self {
            store,
            live: LiveSchema::new(snapshot),
            dir,
            node,
            last_error: Arc::default(),
            reloading: Arc::default(),
        })
    }

    /// The live schema.
    pub fn live(&self) -> &LiveSchema {
        &self.live
    }

    /// The schema directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The error of the last reload, until one succeeds.
    pub fn last_error(&self) -> Option<LoadError> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    /// Reloads the schema directory for `actor` (`node:…` for the file watcher
    /// and `SIGHUP`, an admin for the API): compiles, applies, swaps, and audits
    /// the reload. On failure nothing changes and the error is kept.
    pub async fn reload(&self, actor: &str) -> Result<Reloaded, LoadError> {
        let _one_at_a_time = self.reloading.lock().await;
        let store = self.store.clone();
        let dir = self.dir.clone();
        let current = self.live.load().digest.clone();
        let applied_by = actor.to_owned();
        let result = tokio::task::spawn_blocking(move || {
            let (snapshot, ddl) = load(&store, &dir, &applied_by)?;
            let changed = snapshot.digest != current;
            store.run_blocking(|conn| {
                audit::insert(
                    conn,
                    &AuditEntry {
                        at: now_unix(),
                        actor: applied_by.clone(),
                        action: "schema.reload".into(),
                        target_type: "schema".into(),
                        target_id: Some(snapshot.digest.clone()),
                        changes: json!({"changed": changed, "ddl": ddl}).to_string(),
                        ip: None,
                        request_id: None,
                    },
                )
            })?;
            Ok::<_, LoadError>((snapshot, ddl, changed))
        })
        .await
        .map_err(|e| LoadError::from(StoreError::Blocking(e.to_string())))
        .and_then(|r| r);
        match result {
            Ok((snapshot, ddl, changed)) => {
                let version = if changed {
                    self.live.swap(snapshot)
                } else {
                    self.live.load().version
                };
                if let Ok(mut e) = self.last_error.lock() {
                    *e = None;
                }
                tracing::info!(version, changed, actor, "schema reloaded");
                Ok(Reloaded {
                    version,
                    changed,
                    ddl,
                })
            }
            Err(e) => {
                tracing::error!(error = %e, actor, "schema reload refused; the last good schema keeps serving");
                if let Ok(mut last) = self.last_error.lock() {
                    *last = Some(e.clone());
                }
                Err(e)
            }
        }
    }

    /// Recounts every counter field from the rows it counts (after a restore
    /// or a hand edit of the database), in one transaction with its audit
    /// entry. Returns each counter (`type.field`) with the rows it changed.
    pub async fn recount(&self, actor: Actor) -> Result<Vec<(String, usize)>, StoreError> {
        let snapshot = self.live.load();
        self.store
            .transaction(move |conn| {
                let types = std::iter::once(snapshot.profile()).chain(snapshot.tables());
                super::schema_ops::recount_audited(conn, types, &actor)
            })
            .await
    }

    /// The newest `limit` applied versions, newest first.
    pub async fn history(&self, limit: i64) -> Result<Vec<VersionRow>, StoreError> {
        self.store
            .run(move |conn| schema_history::list(conn, limit))
            .await
    }

    /// Reloads whenever a `.json` file of the schema directory changes
    /// (debounced by `debounce`); the watcher lives as long as the returned handle.
    pub fn watch(&self, debounce: Duration) -> Result<FileWatcher, LoadError> {
        use notify::event::ModifyKind;
        use notify::{EventKind, RecursiveMode};
        let control = self.clone();
        let runtime = tokio::runtime::Handle::current();
        let mut debouncer = notify_debouncer_full::new_debouncer(
            debounce,
            None,
            move |result: notify_debouncer_full::DebounceEventResult| {
                // Changes only: reading the files (a reload does) is no reason to reload.
                let relevant = result.is_ok_and(|events| {
                    events.iter().any(|e| {
                        let change = match e.kind {
                            EventKind::Modify(ModifyKind::Metadata(_)) => false,
                            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => {
                                true
                            }
                            _ => false,
                        };
                        change
                            && e.paths
                                .iter()
                                .any(|p| p.extension().is_some_and(|x| x == "json"))
                    })
                });
                if relevant {
                    let control = control.clone();
                    runtime.spawn(async move {
                        let actor = control.node.clone();
                        let _ = control.reload(&actor).await;
                    });
                }
            },
        )
        .map_err(|e| self.watch_error(&e))?;
        debouncer
            .watch(&self.dir, RecursiveMode::NonRecursive)
            .map_err(|e| self.watch_error(&e))?;
        Ok(FileWatcher {
            _debouncer: Box::new(debouncer),
        })
    }

    fn watch_error(&self, e: &dyn std::fmt::Display) -> LoadError {
        LoadError {
            at: now_unix(),
            file: Some(self.dir.display().to_string()),
            pointer: String::new(),
            message: format!("cannot watch the schema directory: {e}"),
        }
    }

    /// Reloads on every `SIGHUP`, until the process ends.
    pub fn reload_on_sighup(&self) -> Result<(), LoadError> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangups = signal(SignalKind::hangup()).map_err(|e| self.watch_error(&e))?;
        let control = self.clone();
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                let actor = format!("{} (SIGHUP)", control.node);
                let _ = control.reload(&actor).await;
            }
        });
        Ok(())
    }
}

/// Keeps the schema directory watched while alive.
pub struct FileWatcher {
    _debouncer: Box<dyn std::any::Any + Send + Sync>,
}

impl std::fmt::Debug for FileWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileWatcher")
    }
}
