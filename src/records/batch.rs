//! Batch writes: create many records at once, and update or delete every
//! record a `where` matches — synchronously up to 1000 records, otherwise as an
//! asynchronous operation (see `bulk.rs`).

use serde_json::{json, Map, Value};

use super::acl::{Access, Who};
use super::error::RecordsError;
use super::table::{
    delete_checked, insert_checked, may_create, prepare_create, prepare_update, query_viewer,
    restore, update_checked, TableService,
};
use super::table_fields::TableCatalog;
use crate::auth::Principal;
use crate::query::{parse_where, Condition, QueryError};
use crate::store::{records as store_records, rows, savepoint, StoreError};

/// Most records one synchronous batch request writes.
pub const MAX_BATCH: i64 = 1000;

/// Query parameters of batch update and delete.
#[derive(Debug, Clone, Default)]
pub struct BatchParams {
    /// `where` JSON (from the URL).
    pub where_json: Option<String>,
    /// `limit` (absent means every match).
    pub limit: Option<String>,
    /// `offset`.
    pub offset: Option<String>,
    /// `return_total_count=1`.
    pub return_total_count: bool,
    /// `enable_trigger` (default on): caps a request at 1000 records.
    pub enable_trigger: bool,
}

/// What a batch update or delete did.
#[derive(Debug, Clone)]
pub enum BatchOutcome {
    /// Done now.
    Done {
        /// `update` or `delete`.
        operation: &'static str,
        /// Records written.
        succeed: i64,
        /// Offset used.
        offset: i64,
        /// Limit used.
        limit: i64,
        /// Whether matches remain after this page.
        more: bool,
        /// Per-record results (updates).
        results: Vec<Value>,
        /// Every match, when asked for.
        total_count: Option<i64>,
    },
    /// Handed to a background job.
    Queued {
        /// The job id.
        operation_id: i64,
    },
}

impl BatchOutcome {
    /// The wire form; `next` repeats the request (its `path` and
    /// `query_string`) with the next offset.
    pub fn to_wire(&self, path: &str, query_string: &str) -> Value {
        match self {
            BatchOutcome::Queued { operation_id } => {
                json!({"status": "ok", "operation_id": operation_id})
            }
            BatchOutcome::Done {
                operation,
                succeed,
                offset,
                limit,
                more,
                results,
                total_count,
            } => {
                let next_offset = if *operation == "delete" {
                    *offset
                } else {
                    offset + limit
                };
                let next = if *more {
                    let mut pairs: Vec<(String, String)> =
                        serde_urlencoded::from_str(query_string).unwrap_or_default();
                    pairs.retain(|(k, _)| k != "offset" && k != "limit");
                    pairs.push(("limit".into(), limit.to_string()));
                    pairs.push(("offset".into(), next_offset.to_string()));
                    serde_urlencoded::to_string(&pairs)
                        .map(|qs| json!(format!("{path}?{qs}")))
                        .unwrap_or(Value::Null)
                } else {
                    Value::Null
                };
                let mut out = Map::new();
                out.insert("succeed".into(), json!(succeed));
                out.insert("offset".into(), json!(offset));
                out.insert("limit".into(), json!(limit));
                out.insert("next".into(), next);
                if *operation == "update" {
                    out.insert("operation_result".into(), Value::Array(results.clone()));
                }
                if let Some(t) = total_count {
                    out.insert("total_count".into(), json!(t));
                }
                Value::Object(out)
            }
        }
    }
}

fn error_entry(e: &RecordsError) -> Value {
    let code = match e {
        RecordsError::Forbidden(_) => 403,
        RecordsError::Unauthorized => 401,
        RecordsError::NotFound => 404,
        _ => 400,
    };
    json!({"error": {"code": code, "err_msg": e.to_string()}})
}

impl TableService {
    /// Creates up to 1000 records; each succeeds or fails on its own.
    #[tracing::instrument(skip(self, caller, rows))]
    pub async fn create_many(
        &self,
        caller: &Principal,
        table: &str,
        rows: Vec<Value>,
    ) -> Result<Value, RecordsError> {
        let who = Who::of(caller);
        let entry = self.catalog.resolve(table)?;
        may_create(who, entry)?;
        if rows.len() as i64 > MAX_BATCH {
            return Err(crate::domain::InvalidInput::new(
                "body",
                format!("at most {MAX_BATCH} records per batch create"),
            )
            .into());
        }
        let total = rows.len();
        let prepared: Vec<Result<Map<String, Value>, RecordsError>> =
            rows.iter().map(|r| prepare_create(entry, who, r)).collect();
        let catalog = self.catalog.clone();
        let name = entry.object.name.clone();
        let results = self
            .store
            .transaction(move |conn| {
                let entry = catalog.resolve(&name).map_err(super::table::refuse)?;
                let mut results = Vec::with_capacity(prepared.len());
                for row in prepared {
                    let outcome = match row {
                        Err(e) => Err(e),
                        Ok(row) => {
                            let created_at = row.get("created_at").cloned().unwrap_or(Value::Null);
                            savepoint(conn, |conn| insert_checked(conn, &catalog, entry, row))
                                .map(|id| json!({"success": {"id": id, "created_at": created_at}}))
                                .map_err(|e| restore(e, entry))
                        }
                    };
                    results.push(match outcome {
                        Ok(v) => v,
                        Err(RecordsError::Store(e)) => return Err(e),
                        Err(e) => error_entry(&e),
                    });
                }
                Ok(results)
            })
            .await
            .map_err(|e| restore(e, entry))?;
        let succeed = results
            .iter()
            .filter(|r| r.get("success").is_some())
            .count();
        Ok(json!({"succeed": succeed, "total_count": total, "operation_result": results}))
    }

    /// Updates the matching records with a `{$set, $unset}` (or flat) body.
    pub async fn batch_update(
        &self,
        caller: &Principal,
        table: &str,
        params: BatchParams,
        body: Map<String, Value>,
    ) -> Result<BatchOutcome, RecordsError> {
        let entry = self.catalog.resolve(table)?;
        let who = Who::of(caller);
        let changes = prepare_update(entry, who, &body)?;
        self.batch(caller, table, params, Some((changes, body)))
            .await
    }

    /// Deletes the matching records.
    pub async fn batch_delete(
        &self,
        caller: &Principal,
        table: &str,
        params: BatchParams,
    ) -> Result<BatchOutcome, RecordsError> {
        self.batch(caller, table, params, None).await
    }

    async fn batch(
        &self,
        caller: &Principal,
        table: &str,
        params: BatchParams,
        update: Option<(Vec<super::table::PreparedChange>, Map<String, Value>)>,
    ) -> Result<BatchOutcome, RecordsError> {
        let who = Who::of(caller);
        let entry = self.catalog.resolve(table)?;
        if who.user.is_none() && !who.admin {
            return Err(RecordsError::Unauthorized);
        }
        let catalog_view = TableCatalog {
            object: &entry.object,
            viewer: query_viewer(who),
        };
        let cond = parse_where(params.where_json.as_deref(), &catalog_view)?;
        let limit = parse_limit(params.limit.as_deref(), params.enable_trigger)?;
        let offset = parse_offset(params.offset.as_deref())?;
        let mut parts = Vec::with_capacity(2);
        if let Some(acl) = who.filter(Access::Read) {
            parts.push(acl);
        }
        parts.push(cond);
        let filter = Condition::And(parts);
        let sql = entry.sql.clone();
        let counted = filter.clone();
        let matched = self
            .store
            .run(move |conn| rows::count(conn, &sql, &counted))
            .await?;
        let operation = if update.is_some() { "update" } else { "delete" };
        let asynchronous =
            !params.enable_trigger && matched > MAX_BATCH && limit.is_none_or(|l| l > MAX_BATCH);
        if asynchronous {
            let body =
                update.map_or_else(|| "{}".to_owned(), |(_, b)| Value::Object(b).to_string());
            let where_json = params.where_json.clone().unwrap_or_else(|| "{}".into());
            let operation_id = self
                .start_bulk(who, entry, operation, where_json, body)
                .await?;
            return Ok(BatchOutcome::Queued { operation_id });
        }
        let limit = limit.unwrap_or(MAX_BATCH).min(MAX_BATCH);
        let catalog = self.catalog.clone();
        let name = entry.object.name.clone();
        let changes = update.map(|(c, _)| c);
        let (succeed, results) = self
            .store
            .transaction(move |conn| {
                let entry = catalog.resolve(&name).map_err(super::table::refuse)?;
                let ids = page_ids(conn, &entry.sql, &filter, limit, offset)?;
                let mut succeed = 0;
                let mut results = Vec::with_capacity(ids.len());
                for id in ids {
                    let outcome = savepoint(conn, |conn| match &changes {
                        Some(changes) => update_checked(conn, &catalog, entry, who, &id, changes)
                            .map(|row| row.get("updated_at").cloned().unwrap_or(Value::Null)),
                        None => delete_checked(conn, entry, who, &id).map(|()| Value::Null),
                    })
                    .map_err(|e| restore(e, entry));
                    match outcome {
                        Ok(updated_at) => {
                            succeed += 1;
                            results.push(json!({"success": {"id": id, "updated_at": updated_at}}));
                        }
                        Err(RecordsError::Store(e)) => return Err(e),
                        Err(e) => results.push(error_entry(&e)),
                    }
                }
                Ok((succeed, results))
            })
            .await
            .map_err(|e| restore(e, entry))?;
        let processed_to = offset + limit;
        let more = if operation == "delete" {
            matched - succeed > offset && succeed > 0
        } else {
            processed_to < matched
        };
        Ok(BatchOutcome::Done {
            operation,
            succeed,
            offset,
            limit,
            more,
            results,
            total_count: params.return_total_count.then_some(matched),
        })
    }
}

/// Ids of one page of matches in id order.
fn page_ids(
    conn: &mut crate::store::AnyConnection,
    sql: &str,
    filter: &Condition,
    limit: i64,
    offset: i64,
) -> Result<Vec<String>, StoreError> {
    let ids = store_records::ids_after(conn, sql, filter, None, limit + offset)?;
    Ok(ids
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .collect())
}

fn parse_limit(raw: Option<&str>, triggers: bool) -> Result<Option<i64>, QueryError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 0 && (!triggers || n <= MAX_BATCH) => Ok(Some(n)),
            Ok(n) if n >= 0 => Err(QueryError::new(
                "limit",
                format!("at most {MAX_BATCH} with enable_trigger=1; send enable_trigger=0 for larger batches"),
            )),
            _ => Err(QueryError::new("limit", "must be a non-negative integer")),
        },
    }
}

fn parse_offset(raw: Option<&str>) -> Result<i64, QueryError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(0),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=i64::from(i32::MAX)).contains(n))
            .ok_or_else(|| QueryError::new("offset", "must be a non-negative integer")),
    }
}
