//! Asynchronous batch operations: a batch update or delete matching more than
//! 1000 records (without triggers) becomes a job worked through in chunks of
//! 1000 in id order. Each chunk is one transaction that also saves the job's
//! cursor, so a job survives restarts and never applies a chunk twice.

use serde_json::{json, Map, Value};

use super::acl::{Access, Who};
use super::batch::MAX_BATCH;
use super::catalog::TableEntry;
use super::error::RecordsError;
use super::table::{
    delete_checked, prepare_update, query_viewer, refuse, update_checked, TableService,
};
use super::table_fields::TableCatalog;
use crate::auth::Principal;
use crate::domain::now_unix;
use crate::query::{parse_where, Condition};
use crate::store::bulk_ops::{self, BulkJob, NewJob};
use crate::store::{records as store_records, savepoint, StoreError};

/// How long a worker holds a job between chunks before another node may take it over.
const LEASE_SECS: i64 = 120;

impl TableService {
    /// Records a job and starts working on it; returns its id.
    pub(super) async fn start_bulk(
        &self,
        who: Who,
        entry: &TableEntry,
        operation: &'static str,
        where_json: String,
        body: String,
    ) -> Result<i64, RecordsError> {
        let object_type = entry.object.name.clone();
        let (kind, id) = match (who.admin, who.user, who.anonymous) {
            (true, _, _) => ("admin", None),
            (false, Some(id), true) => ("anonymous", Some(id)),
            (false, id, _) => ("user", id),
        };
        let job_id = self
            .store
            .run(move |conn| {
                bulk_ops::insert(
                    conn,
                    &NewJob {
                        object_type: &object_type,
                        operation,
                        caller_kind: kind,
                        caller_id: id,
                        where_json: &where_json,
                        body: &body,
                        now: now_unix(),
                    },
                )
            })
            .await?;
        self.spawn_job(job_id);
        Ok(job_id)
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
            if let Err(e) = service.run_job(job_id).await {
                tracing::error!(job_id, error = %e, "bulk operation failed");
                let message = e.to_string();
                let _ = service
                    .store
                    .run(move |conn| bulk_ops::finish(conn, job_id, Some(&message), now_unix()))
                    .await;
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
            admin: job.caller_kind == "admin",
        };
        let entry = self.catalog.resolve(&job.object_type)?;
        let catalog_view = TableCatalog {
            object: &entry.object,
            viewer: query_viewer(who),
        };
        let cond = parse_where(Some(&job.where_json), &catalog_view)?;
        let changes = if job.operation == "update" {
            let body: Map<String, Value> = serde_json::from_str(&job.body)
                .map_err(|e| RecordsError::Store(StoreError::Corrupt(e.to_string())))?;
            Some(prepare_update(entry, who, &body)?)
        } else {
            None
        };
        let mut parts = Vec::with_capacity(2);
        if let Some(acl) = who.filter(Access::Read) {
            parts.push(acl);
        }
        parts.push(cond);
        let filter = Condition::And(parts);
        let mut cursor = job.cursor.clone();
        loop {
            let catalog = self.catalog.clone();
            let name = entry.object.name.clone();
            let filter = filter.clone();
            let changes = changes.clone();
            let after = cursor.clone();
            let (last, done) = self
                .store
                .transaction(move |conn| {
                    let entry = catalog.resolve(&name).map_err(refuse)?;
                    let ids = store_records::ids_after(
                        conn,
                        &entry.sql,
                        &filter,
                        after.as_deref(),
                        MAX_BATCH,
                    )?;
                    let mut modified = 0;
                    for id in &ids {
                        let ok = savepoint(conn, |conn| match &changes {
                            Some(c) => {
                                update_checked(conn, &catalog, entry, who, id, c).map(|_| ())
                            }
                            None => delete_checked(conn, entry, who, id),
                        });
                        match ok {
                            Ok(()) => modified += 1,
                            Err(
                                StoreError::Refused(..)
                                | StoreError::Unique { .. }
                                | StoreError::Rejected(_),
                            ) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    let last = ids.last().cloned();
                    if let Some(last) = &last {
                        bulk_ops::progress(
                            conn,
                            job_id,
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
                    Ok((last, done))
                })
                .await?;
            if done {
                return Ok(());
            }
            cursor = last;
        }
    }

    /// The status of job `id`, for its creator or an admin (404 for others).
    pub async fn bulk_status(&self, caller: &Principal, id: i64) -> Result<Value, RecordsError> {
        let who = Who::of(caller);
        let job: BulkJob = self
            .store
            .run(move |conn| bulk_ops::get(conn, id))
            .await?
            .ok_or(RecordsError::NotFound)?;
        if !who.admin && (who.user.is_none() || who.user != job.caller_id) {
            return Err(RecordsError::NotFound);
        }
        let schema_id = self.catalog.tables.get(&job.object_type).map(|t| t.id);
        let mut out = json!({
            "id": job.id,
            "schema_id": schema_id,
            "schema_name": job.object_type,
            "operation": job.operation,
            "status": job.status,
            "created_at": job.created_at,
            "updated_at": job.updated_at,
        });
        if job.operation == "delete" {
            out["deleted_count"] = json!(job.modified_count);
        } else {
            out["matched_count"] = json!(job.matched_count);
            out["modified_count"] = json!(job.modified_count);
        }
        if let Some(e) = job.error {
            out["error"] = json!(e);
        }
        Ok(out)
    }
}
