//! Asynchronous batch operations: a batch update or delete matching more than
//! 1000 rows (without triggers) becomes a job worked through in chunks of 1000
//! in id order. Each chunk is one transaction that also moves the job's cursor
//! on — only if it is still where the chunk started, so when two nodes meet on
//! one job the second commit of a chunk is rolled back. A job survives
//! restarts: every node looks for jobs whose lease lapsed and takes them over.

use serde_json::{Map, Value};

use super::batch::{BatchOperation, MAX_BATCH};
use super::error::RecordsError;
use super::fields::QueryFields;
use super::list::visible;
use super::prepare::prepare_update;
use super::service::{named, Records};
use super::who::{Access, Role, Viewer, Who};
use super::write::{delete_checked, update_checked};
use crate::domain::now_unix;
use crate::domain::Principal;
use crate::query::{parse_where, SqlValue};
use crate::schema::ObjectType;
use crate::store::bulk_ops::{self, BulkJob, NewJob};
use crate::store::{objects, savepoint, StoreError};

/// How long a worker holds a job between chunks before another node may take
/// it over (a chunk that runs longer is safe: its commit is fenced).
const LEASE_SECS: i64 = 20;

/// Background jobs one caller may have pending at once.
const MAX_PENDING_PER_CALLER: i64 = 3;

/// A job as its creator (or an admin) may see it.
#[derive(Debug, Clone)]
pub struct BulkStatus {
    /// The job.
    pub job: BulkJob,
    /// The numeric id of its table.
    pub schema_id: Option<i64>,
}

impl Records {
    /// Records a job and starts working on it; returns its id.
    pub(super) async fn start_bulk(
        &self,
        who: Who,
        object: &ObjectType,
        operation: BatchOperation,
        where_json: String,
        body: String,
    ) -> Result<i64, RecordsError> {
        let object_type = object.name.clone();
        let (kind, id) = match (who.is_admin(), who.user, who.anonymous) {
            (true, _, _) => ("admin", None),
            (false, Some(id), true) => ("anonymous", Some(id)),
            (false, id, _) => ("user", id),
        };
        let job_id = self
            .store
            .transaction(move |conn| {
                if !who.is_admin() && bulk_ops::pending_of(conn, kind, id)? >= MAX_PENDING_PER_CALLER {
                    return Err(RecordsError::Limit(format!(
                        "enable_trigger: at most {MAX_PENDING_PER_CALLER} background jobs may be pending per caller; wait for one to finish"
                    )));
                }
                Ok(bulk_ops::insert(
                    conn,
                    &NewJob {
                        object_type: &object_type,
                        operation: operation.as_str(),
                        caller_kind: kind,
                        caller_id: id,
                        where_json: &where_json,
                        body: &body,
                        now: now_unix(),
                    },
                )?)
            })
            .await?;
        self.spawn_job(job_id);
        Ok(job_id)
    }

    /// Looks for jobs left by a stopped node every `every`, on every node;
    /// the job's lease decides which node takes each one.
    pub fn sweep_orphaned_jobs(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let service = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match service.resume_bulk_jobs().await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(jobs = n, "resumed bulk operations left by a stopped node")
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot look for orphaned bulk operations")
                    }
                }
            }
        })
    }

    /// Starts working on jobs left pending by a stopped node.
    pub async fn resume_bulk_jobs(&self) -> Result<usize, RecordsError> {
        let ids = self
            .store
            .run(|conn| bulk_ops::orphaned(conn, now_unix()))
            .await?;
        for id in &ids {
            self.spawn_job(*id);
        }
        Ok(ids.len())
    }

    fn spawn_job(&self, job_id: i64) {
        let service = self.clone();
        tokio::spawn(async move {
            match service.run_job(job_id).await {
                Ok(()) => {}
                Err(RecordsError::Store(StoreError::LeaseLost)) => {
                    tracing::info!(job_id, "bulk operation taken over by another node");
                }
                Err(e) => {
                    tracing::error!(job_id, error = %e, "bulk operation failed");
                    let message = e.to_string();
                    let _ = service
                        .store
                        .run(move |conn| bulk_ops::finish(conn, job_id, Some(&message), now_unix()))
                        .await;
                }
            }
        });
    }

    async fn run_job(&self, job_id: i64) -> Result<(), RecordsError> {
        let leased = self
            .store
            .run(move |conn| bulk_ops::lease(conn, job_id, now_unix(), now_unix() + LEASE_SECS))
            .await?;
        if !leased {
            return Ok(());
        }
        let job = self
            .store
            .run(move |conn| bulk_ops::get(conn, job_id))
            .await?
            .ok_or(RecordsError::NotFound)?;
        let who = Who {
            user: job.caller_id,
            anonymous: job.caller_kind == "anonymous",
            role: if job.caller_kind == "admin" {
                Role::Admin
            } else {
                Role::Client
            },
        };
        let snapshot = self.live.load();
        let object = named(&snapshot, &job.object_type)?;
        let fields = QueryFields {
            object,
            viewer: Viewer::for_queries(who),
        };
        let cond = parse_where(Some(&job.where_json), &fields)?;
        let changes = if job.operation == BatchOperation::Update.as_str() {
            let body: Map<String, Value> = serde_json::from_str(&job.body)
                .map_err(|e| RecordsError::Store(StoreError::Corrupt(e.to_string())))?;
            Some(prepare_update(object, who, &body)?)
        } else {
            None
        };
        let filter = visible(object, who, Access::Read, cond);
        let mut cursor = job.cursor.clone();
        loop {
            let snapshot = snapshot.clone();
            let name = object.name.clone();
            let filter = filter.clone();
            let changes = changes.clone();
            let after = cursor.clone();
            let links = self.links.clone();
            let (last, done) = self
                .store
                .transaction(move |conn| {
                    let object = named(&snapshot, &name)?;
                    let table = objects::sql_table(object);
                    let ids =
                        objects::ids_after(conn, &table, &filter, after.as_deref(), MAX_BATCH, 0)?;
                    let mut modified = 0;
                    for id in &ids {
                        let key = SqlValue::Text(id.clone());
                        let ok = savepoint(conn, |conn| match &changes {
                            Some(c) => {
                                update_checked(conn, &snapshot, object, who, &links, &key, c)
                                    .map(|_| ())
                            }
                            None => delete_checked(conn, object, who, &key).map(|_| ()),
                        });
                        match ok {
                            Ok(()) => modified += 1,
                            // A value the database refuses skips the row, as a rule does.
                            Err(RecordsError::Store(StoreError::Rejected { .. })) => {}
                            Err(RecordsError::Store(e)) => return Err(e.into()),
                            Err(_) => {}
                        }
                    }
                    let last = ids.last().cloned();
                    if let Some(last) = &last {
                        bulk_ops::progress(
                            conn,
                            job_id,
                            after.as_deref(),
                            last,
                            ids.len() as i64,
                            modified,
                            now_unix(),
                            now_unix() + LEASE_SECS,
                        )?;
                    }
                    let done = (ids.len() as i64) < MAX_BATCH;
                    if done {
                        bulk_ops::finish(conn, job_id, None, now_unix())?;
                    }
                    Ok::<_, RecordsError>((last, done))
                })
                .await?;
            if done {
                return Ok(());
            }
            cursor = last;
        }
    }

    /// The job `id`, for its creator or an admin (404 for others).
    pub async fn bulk_status(
        &self,
        caller: &Principal,
        id: i64,
    ) -> Result<BulkStatus, RecordsError> {
        let who = Who::of(caller);
        let job: BulkJob = self
            .store
            .run(move |conn| bulk_ops::get(conn, id))
            .await?
            .ok_or(RecordsError::NotFound)?;
        if !who.is_admin() && (who.user.is_none() || who.user != job.caller_id) {
            return Err(RecordsError::NotFound);
        }
        let schema_id = self.live.load().table_id(&job.object_type);
        Ok(BulkStatus { job, schema_id })
    }
}
