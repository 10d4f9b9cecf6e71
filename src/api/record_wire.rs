//! Wire shapes of the record API's typed results: batch outcomes (with their
//! per-row results and `next` links), bulk job status, change feed pages.

use actix_web::http::StatusCode;
use actix_web::ResponseError;
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::wire::StatusOk;
use crate::records::{
    BatchOperation, BatchOutcome, BatchPage, BulkStatus, ChangePage, CreateOutcome, MultiPage,
    RowOutcome,
};

/// What happened to one row of a batch: `{"success": …}` or `{"error": …}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
enum RowEntry {
    /// Created or written.
    Success(RowDone),
    /// Refused, with the status the same error gets on its own.
    Error(RowError),
}

/// A row a batch created (`created_at`) or wrote (`updated_at`, `null` for
/// a deletion).
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum RowDone {
    Created { id: String, created_at: i64 },
    Written { id: String, updated_at: Option<i64> },
}

/// A refused row's status and message.
#[derive(Debug, Serialize)]
struct RowError {
    code: u16,
    err_msg: String,
}

impl From<RowOutcome> for RowEntry {
    fn from(outcome: RowOutcome) -> Self {
        match outcome {
            RowOutcome::Created { id, created_at } => {
                RowEntry::Success(RowDone::Created { id, created_at })
            }
            RowOutcome::Written { id, updated_at } => {
                RowEntry::Success(RowDone::Written { id, updated_at })
            }
            RowOutcome::Failed(e) => {
                let e = ApiError::from(e);
                let status = e.status_code();
                let code = if status.is_server_error() {
                    StatusCode::BAD_REQUEST
                } else {
                    status
                };
                RowEntry::Error(RowError {
                    code: code.as_u16(),
                    err_msg: e.to_string(),
                })
            }
        }
    }
}

/// `{succeed, total_count, operation_result}` of a batch create.
#[derive(Debug, Serialize)]
pub struct Created {
    succeed: usize,
    total_count: usize,
    operation_result: Vec<RowEntry>,
}

/// The answer to a batch create.
pub fn created(outcome: CreateOutcome) -> Created {
    Created {
        succeed: outcome.succeed,
        total_count: outcome.total,
        operation_result: outcome.results.into_iter().map(RowEntry::from).collect(),
    }
}

/// The answer to a batch update or delete: done now, or queued as a job.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Batch {
    /// Handed to a background job.
    Queued(StatusOk<QueuedJob>),
    /// Done now.
    Done(BatchDone),
}

/// The id of a background job.
#[derive(Debug, Serialize)]
pub struct QueuedJob {
    operation_id: i64,
}

/// A page of a batch done now; `next` repeats the request with the next offset.
#[derive(Debug, Serialize)]
pub struct BatchDone {
    succeed: i64,
    offset: i64,
    limit: i64,
    next: Option<String>,
    /// Per-row results (updates only).
    #[serde(skip_serializing_if = "Option::is_none")]
    operation_result: Option<Vec<RowEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_count: Option<i64>,
}

/// The answer to a batch update or delete; `next` repeats the request (its
/// `path` and `query_string`) with the next offset.
pub fn batch(outcome: BatchOutcome, path: &str, query_string: &str) -> Batch {
    let page = match outcome {
        BatchOutcome::Queued { operation_id } => {
            return Batch::Queued(StatusOk::with(QueuedJob { operation_id }))
        }
        BatchOutcome::Done(page) => page,
    };
    let BatchPage {
        operation,
        offset,
        limit,
        ..
    } = page;
    // Deleted rows leave the match set, so the next page starts where this one did.
    let next_offset = match operation {
        BatchOperation::Delete => offset,
        BatchOperation::Update => offset + limit,
    };
    let next = page.more.then(|| {
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query_string).unwrap_or_default();
        pairs.retain(|(k, _)| k != "offset" && k != "limit");
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("offset".into(), next_offset.to_string()));
        serde_urlencoded::to_string(&pairs)
            .ok()
            .map(|qs| format!("{path}?{qs}"))
    });
    Batch::Done(BatchDone {
        succeed: page.succeed,
        offset,
        limit,
        next: next.flatten(),
        operation_result: (operation == BatchOperation::Update)
            .then(|| page.results.into_iter().map(RowEntry::from).collect()),
        total_count: page.total_count,
    })
}

/// The status of a bulk job: `deleted_count` for a deletion,
/// `matched_count` and `modified_count` for an update, and its `error`.
#[derive(Debug, Serialize)]
pub struct BulkView {
    id: i64,
    schema_id: Option<i64>,
    schema_name: String,
    operation: String,
    status: String,
    created_at: i64,
    updated_at: i64,
    #[serde(flatten)]
    counts: BulkCounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// How many rows a bulk job touched, as its operation counts them.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum BulkCounts {
    Deleted {
        deleted_count: i64,
    },
    Updated {
        matched_count: i64,
        modified_count: i64,
    },
}

/// The status of a bulk job.
pub fn bulk_status(status: BulkStatus) -> BulkView {
    let job = status.job;
    let counts = if job.operation == BatchOperation::Delete.as_str() {
        BulkCounts::Deleted {
            deleted_count: job.modified_count,
        }
    } else {
        BulkCounts::Updated {
            matched_count: job.matched_count,
            modified_count: job.modified_count,
        }
    };
    BulkView {
        id: job.id,
        schema_id: status.schema_id,
        schema_name: job.object_type,
        operation: job.operation,
        status: job.status,
        created_at: job.created_at,
        updated_at: job.updated_at,
        counts,
        error: job.error,
    }
}

/// A record deleted since the cursor; `_table` names its table in a feed
/// over several tables.
#[derive(Debug, Serialize)]
pub struct Deleted {
    #[serde(rename = "_table", skip_serializing_if = "Option::is_none")]
    table: Option<String>,
    id: String,
    deleted_at: i64,
}

/// One page of the change feed.
#[derive(Debug, Serialize)]
pub struct Changes {
    objects: Vec<Map<String, Value>>,
    deleted: Vec<Deleted>,
    /// The caller's own profile, in a feed over several tables that asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<Option<Map<String, Value>>>,
    cursor: String,
    has_more: bool,
}

/// One page of the change feed.
pub fn change_page(page: ChangePage) -> Changes {
    Changes {
        objects: page.objects,
        deleted: page
            .deleted
            .into_iter()
            .map(|d| Deleted {
                table: None,
                id: d.id,
                deleted_at: d.deleted_at,
            })
            .collect(),
        profile: None,
        cursor: page.cursor,
        has_more: page.has_more,
    }
}

/// A page of the feed over several tables: each record and deletion names
/// its `_table`.
pub fn multi_change_page(page: MultiPage) -> Changes {
    Changes {
        objects: page
            .objects
            .into_iter()
            .map(|(table, mut row)| {
                row.insert("_table".into(), Value::String(table));
                row
            })
            .collect(),
        deleted: page
            .deleted
            .into_iter()
            .map(|(table, d)| Deleted {
                table: Some(table),
                id: d.id,
                deleted_at: d.deleted_at,
            })
            .collect(),
        profile: Some(page.profile),
        cursor: page.cursor,
        has_more: page.has_more,
    }
}
