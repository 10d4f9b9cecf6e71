//! Wire shapes of the record API's typed results: batch outcomes (with their
//! per-row results and `next` links), bulk job status, change feed pages.

use actix_web::http::StatusCode;
use actix_web::ResponseError;
use serde_json::{json, Map, Value};

use super::error::ApiError;
use crate::records::{
    BatchOperation, BatchOutcome, BatchPage, BulkStatus, ChangePage, CreateOutcome, MultiPage,
    RecordsError, RowOutcome,
};

/// `{"error": {"code", "err_msg"}}` for a row refused inside a batch, with the
/// status the same error gets on its own.
fn error_entry(e: RecordsError) -> Value {
    let e = ApiError::from(e);
    let status = e.status_code();
    let code = if status.is_server_error() {
        StatusCode::BAD_REQUEST.as_u16()
    } else {
        status.as_u16()
    };
    json!({"error": {"code": code, "err_msg": e.to_string()}})
}

fn row_entry(outcome: RowOutcome) -> Value {
    match outcome {
        RowOutcome::Created { id, created_at } => {
            json!({"success": {"id": id, "created_at": created_at}})
        }
        RowOutcome::Written { id, updated_at } => {
            json!({"success": {"id": id, "updated_at": updated_at}})
        }
        RowOutcome::Failed(e) => error_entry(e),
    }
}

/// `{succeed, total_count, operation_result}` of a batch create.
pub fn created(outcome: CreateOutcome) -> Value {
    let results: Vec<Value> = outcome.results.into_iter().map(row_entry).collect();
    json!({"succeed": outcome.succeed, "total_count": outcome.total, "operation_result": results})
}

/// The answer to a batch update or delete; `next` repeats the request (its
/// `path` and `query_string`) with the next offset.
pub fn batch(outcome: BatchOutcome, path: &str, query_string: &str) -> Value {
    let page = match outcome {
        BatchOutcome::Queued { operation_id } => {
            return json!({"status": "ok", "operation_id": operation_id})
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
    let next = if page.more {
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
    out.insert("succeed".into(), json!(page.succeed));
    out.insert("offset".into(), json!(offset));
    out.insert("limit".into(), json!(limit));
    out.insert("next".into(), next);
    if operation == BatchOperation::Update {
        let results: Vec<Value> = page.results.into_iter().map(row_entry).collect();
        out.insert("operation_result".into(), Value::Array(results));
    }
    if let Some(t) = page.total_count {
        out.insert("total_count".into(), json!(t));
    }
    Value::Object(out)
}

/// The status of a bulk job.
pub fn bulk_status(status: BulkStatus) -> Value {
    let job = status.job;
    let mut out = json!({
        "id": job.id,
        "schema_id": status.schema_id,
        "schema_name": job.object_type,
        "operation": job.operation,
        "status": job.status,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
    });
    if job.operation == BatchOperation::Delete.as_str() {
        out["deleted_count"] = json!(job.modified_count);
    } else {
        out["matched_count"] = json!(job.matched_count);
        out["modified_count"] = json!(job.modified_count);
    }
    if let Some(e) = job.error {
        out["error"] = json!(e);
    }
    out
}

/// One page of the change feed.
pub fn change_page(page: ChangePage) -> Value {
    let deleted: Vec<Value> = page
        .deleted
        .into_iter()
        .map(|d| json!({"id": d.id, "deleted_at": d.deleted_at}))
        .collect();
    json!({
        "objects": page.objects,
        "deleted": deleted,
        "cursor": page.cursor,
        "has_more": page.has_more,
    })
}

/// A page of the feed over several tables: each record and deletion names
/// its `_table`.
pub fn multi_change_page(page: MultiPage) -> Value {
    let objects: Vec<Value> = page
        .objects
        .into_iter()
        .map(|(table, mut row)| {
            row.insert("_table".into(), Value::String(table));
            Value::Object(row)
        })
        .collect();
    let deleted: Vec<Value> = page
        .deleted
        .into_iter()
        .map(|(table, d)| json!({"_table": table, "id": d.id, "deleted_at": d.deleted_at}))
        .collect();
    json!({
        "objects": objects,
        "deleted": deleted,
        "profile": page.profile,
        "cursor": page.cursor,
        "has_more": page.has_more,
    })
}
