//! Batch writes on data tables: create many rows at once, and update or delete
//! every row a `where` matches — synchronously up to 1000 rows, otherwise as an
//! asynchronous operation (see `bulk.rs`). Each row succeeds or fails on its own
//! (a savepoint each); the outcome is typed, the API layer writes the wire form.

use serde_json::{Map, Value};

use super::error::RecordsError;
use super::fields::{owner_of, QueryFields};
use super::list::visible;
use super::prepare::{prepare_create, prepare_update, PreparedChange};
use super::service::{may_create, named, resolve, Records, Target};
use super::who::{Access, Viewer, Who};
use super::write::{check_pointers, delete_checked, explain_taken, insert_row, update_checked};
use crate::domain::InvalidInput;
use crate::domain::Principal;
use crate::query::{parse_where, QueryError, SqlValue};
use crate::schema::ObjectType;
use crate::store::{object_writes, objects, savepoint, AnyConnection};

/// Most rows one synchronous batch request writes.
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
    /// `enable_trigger` (default on): caps a request at 1000 rows.
    pub enable_trigger: bool,
}

/// What happened to one row of a batch.
#[derive(Debug)]
pub enum RowOutcome {
    /// Created (batch create).
    Created {
        /// Its id.
        id: String,
        /// Its `created_at`.
        created_at: i64,
    },
    /// Updated or deleted (batch update and delete).
    Written {
        /// Its id.
        id: String,
        /// Its new `updated_at` (updates).
        updated_at: Option<i64>,
    },
    /// Refused, with why.
    Failed(RecordsError),
}

/// What a batch create did.
#[derive(Debug)]
pub struct CreateOutcome {
    /// Rows created.
    pub succeed: usize,
    /// Rows sent.
    pub total: usize,
    /// One outcome per row sent, in order.
    pub results: Vec<RowOutcome>,
}

/// Update or delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOperation {
    /// `PUT …/record/?where=`.
    Update,
    /// `DELETE …/record/?where=`.
    Delete,
}

impl BatchOperation {
    /// `update` or `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchOperation::Update => "update",
            BatchOperation::Delete => "delete",
        }
    }
}

/// One page of a batch update or delete, done.
#[derive(Debug)]
pub struct BatchPage {
    /// Update or delete.
    pub operation: BatchOperation,
    /// Rows written.
    pub succeed: i64,
    /// Offset used.
    pub offset: i64,
    /// Limit used.
    pub limit: i64,
    /// Whether matches remain after this page.
    pub more: bool,
    /// Per-row outcomes.
    pub results: Vec<RowOutcome>,
    /// Every match, when asked for.
    pub total_count: Option<i64>,
}

/// What a batch update or delete did.
#[derive(Debug)]
pub enum BatchOutcome {
    /// Done now.
    Done(BatchPage),
    /// Handed to a background job.
    Queued {
        /// The job id.
        operation_id: i64,
    },
}

/// With a per-owner limit, takes every owner's lock of a batch up front, in
/// owner order: two batches naming the same owners in different orders then
/// wait for each other instead of deadlocking.
fn lock_owners_in_order(
    conn: &mut AnyConnection,
    object: &ObjectType,
    rows: &[&Map<String, Value>],
) -> Result<(), RecordsError> {
    if object.rules.max_per_owner.is_none() {
        return Ok(());
    }
    let owners: std::collections::BTreeSet<i64> =
        rows.iter().filter_map(|r| owner_of(object, r)).collect();
    let table = objects::sql_table(object);
    for owner in owners {
        object_writes::lock_owner(conn, &table, owner)?;
    }
    Ok(())
}

impl Records {
    /// Creates up to 1000 rows of a data table; each succeeds or fails on its own.
    #[tracing::instrument(skip(self, caller, rows))]
    pub async fn create_many(
        &self,
        caller: &Principal,
        table: &str,
        rows: Vec<Value>,
    ) -> Result<CreateOutcome, RecordsError> {
        let who = Who::of(caller);
        let snapshot = self.live.load();
        let object = resolve(&snapshot, Target::Table(table))?;
        may_create(who, object)?;
        if rows.len() as i64 > MAX_BATCH {
            return Err(InvalidInput::new(
                "body",
                format!("at most {MAX_BATCH} records per batch create"),
            )
            .into());
        }
        let total = rows.len();
        let prepared: Vec<_> = rows
            .iter()
            .map(|r| prepare_create(object, who, r))
            .collect();
        let name = object.name.clone();
        let links = self.links.clone();
        let results = self
            .store
            .transaction(move |conn| {
                let object = named(&snapshot, &name)?;
                let ready: Vec<&Map<String, Value>> =
                    prepared.iter().filter_map(|r| r.as_ref().ok()).collect();
                lock_owners_in_order(conn, object, &ready)?;
                let mut pointers =
                    check_pointers(conn, &snapshot, object, who, &ready)?.into_iter();
                let mut results = Vec::with_capacity(prepared.len());
                for row in prepared {
                    let outcome = row.and_then(|row| {
                        pointers.next().unwrap_or(Ok(()))?;
                        let created_at = row.get("created_at").and_then(Value::as_i64);
                        savepoint(conn, |conn| insert_row(conn, object, who, &links, row))
                            .map_err(|e| explain_taken(object, e))
                            .map(|stored| RowOutcome::Created {
                                id: super::fields::id_text(&stored),
                                created_at: created_at.unwrap_or_default(),
                            })
                    });
                    results.push(match outcome {
                        Ok(created) => created,
                        Err(RecordsError::Store(e)) => return Err(e.into()),
                        Err(e) => RowOutcome::Failed(e),
                    });
                }
                Ok::<_, RecordsError>(results)
            })
            .await?;
        let succeed = results
            .iter()
            .filter(|r| matches!(r, RowOutcome::Created { .. }))
            .count();
        Ok(CreateOutcome {
            succeed,
            total,
            results,
        })
    }

    /// Updates the matching rows with a `{$set, $unset}` (or flat) body.
    pub async fn batch_update(
        &self,
        caller: &Principal,
        table: &str,
        params: BatchParams,
        body: Map<String, Value>,
    ) -> Result<BatchOutcome, RecordsError> {
        let snapshot = self.live.load();
        let object = resolve(&snapshot, Target::Table(table))?;
        let changes = prepare_update(object, Who::of(caller), &body)?;
        self.batch(caller, table, params, Some((changes, body)))
            .await
    }

    /// Deletes the matching rows.
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
        update: Option<(Vec<PreparedChange>, Map<String, Value>)>,
    ) -> Result<BatchOutcome, RecordsError> {
        let who = Who::of(caller);
        let snapshot = self.live.load();
        let object = resolve(&snapshot, Target::Table(table))?;
        if who.is_guest() {
            return Err(RecordsError::Unauthorized);
        }
        let fields = QueryFields {
            object,
            viewer: Viewer::for_queries(who),
        };
        let cond = parse_where(params.where_json.as_deref(), &fields)?;
        let limit = parse_limit(params.limit.as_deref(), params.enable_trigger)?;
        let offset = parse_offset(params.offset.as_deref())?;
        let filter = visible(object, who, Access::Read, cond);
        let sql = objects::sql_table(object);
        let counted = filter.clone();
        let matched = self
            .store
            .run(move |conn| objects::count(conn, &sql, &counted))
            .await?;
        let operation = if update.is_some() {
            BatchOperation::Update
        } else {
            BatchOperation::Delete
        };
        let asynchronous =
            !params.enable_trigger && matched > MAX_BATCH && limit.is_none_or(|l| l > MAX_BATCH);
        if asynchronous {
            let body =
                update.map_or_else(|| "{}".to_owned(), |(_, b)| Value::Object(b).to_string());
            let where_json = params.where_json.clone().unwrap_or_else(|| "{}".into());
            let operation_id = self
                .start_bulk(who, object, operation, where_json, body)
                .await?;
            return Ok(BatchOutcome::Queued { operation_id });
        }
        let limit = limit.unwrap_or(MAX_BATCH).min(MAX_BATCH);
        let name = object.name.clone();
        let changes = update.map(|(c, _)| c);
        let links = self.links.clone();
        let (succeed, results) = self
            .store
            .transaction(move |conn| {
                let object = named(&snapshot, &name)?;
                let table = objects::sql_table(object);
                let ids = objects::ids_after(conn, &table, &filter, None, limit, offset)?;
                let mut succeed = 0;
                let mut results = Vec::with_capacity(ids.len());
                for id in ids {
                    let key = SqlValue::Text(id.clone());
                    let outcome = savepoint(conn, |conn| match &changes {
                        Some(changes) => {
                            update_checked(conn, &snapshot, object, who, &links, &key, changes)
                                .map(|u| u.after.get("updated_at").and_then(Value::as_i64))
                        }
                        None => delete_checked(conn, object, who, &key).map(|_| None),
                    })
                    .map_err(|e| explain_taken(object, e));
                    match outcome {
                        Ok(updated_at) => {
                            succeed += 1;
                            results.push(RowOutcome::Written { id, updated_at });
                        }
                        Err(RecordsError::Store(e)) => return Err(e.into()),
                        Err(e) => results.push(RowOutcome::Failed(e)),
                    }
                }
                Ok::<_, RecordsError>((succeed, results))
            })
            .await?;
        let more = match operation {
            BatchOperation::Delete => matched - succeed > offset && succeed > 0,
            BatchOperation::Update => offset + limit < matched,
        };
        Ok(BatchOutcome::Done(BatchPage {
            operation,
            succeed,
            offset,
            limit,
            more,
            results,
            total_count: params.return_total_count.then_some(matched),
        }))
    }
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
