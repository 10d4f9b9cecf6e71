//! The change feed for sync (`GET …/table/:table/changes/?since=&cursor=&limit=`):
//! every record changed after a position, and the deletions, in (time, id)
//! order. The position is a unix time (`since`) or the opaque `cursor` of the
//! previous page.
//!
//! Only changes in fully elapsed seconds are served (up to now − 1), so a
//! record written later in the current second cannot slip behind a cursor.

use serde_json::{json, Value};

use super::access::Viewer;
use super::acl::{Access, Who};
use super::error::RecordsError;
use super::present::present;
use super::table::{restore, TableService};
use super::table_fields::readable_columns;
use crate::auth::Principal;
use crate::domain::now_unix;
use crate::query::{Condition, Op, OrderBy, QueryError, QueryField, SqlValue};
use crate::schema::FieldKind;
use crate::store::records as store_records;
use crate::store::rows::{self, Page};

/// Largest page of the feed.
pub const MAX_FEED: i64 = 1000;

fn field(column: &str, kind: FieldKind, op: Op) -> Condition {
    Condition::Field {
        field: QueryField {
            column: column.into(),
            kind,
        },
        op,
    }
}

/// Parses the position: `cursor` (`<unix>:<id>`) wins over `since` (`<unix>`).
fn position(since: Option<&str>, cursor: Option<&str>) -> Result<(i64, String), QueryError> {
    if let Some(c) = cursor.map(str::trim).filter(|c| !c.is_empty()) {
        let (t, id) = c
            .split_once(':')
            .ok_or_else(|| QueryError::new("cursor", "is not a cursor this server returned"))?;
        let t = t
            .parse::<i64>()
            .map_err(|_| QueryError::new("cursor", "is not a cursor this server returned"))?;
        if !(id.is_empty() || crate::domain::RecordId::parse(id).is_ok()) {
            return Err(QueryError::new(
                "cursor",
                "is not a cursor this server returned",
            ));
        }
        return Ok((t, id.to_owned()));
    }
    let t = match since.map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| QueryError::new("since", "must be a unix time in seconds"))?,
    };
    // Strictly after `since`: the position just before second `since + 1`.
    Ok((t.saturating_add(1), String::new()))
}

impl TableService {
    /// One page of the change feed of `table`.
    #[tracing::instrument(skip(self, caller))]
    pub async fn changes(
        &self,
        caller: &Principal,
        table: &str,
        since: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> Result<Value, RecordsError> {
        let who = Who::of(caller);
        let entry = self.catalog.resolve(table)?;
        let (t, after_id) = position(since, cursor)?;
        let limit = match limit.map(str::trim).filter(|s| !s.is_empty()) {
            None => 100,
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_FEED).contains(n))
                .ok_or_else(|| {
                    QueryError::new("limit", format!("must be an integer from 1 to {MAX_FEED}"))
                })?,
        };
        let until = now_unix() - 1;
        let acl = who
            .filter(Access::Read)
            .unwrap_or(Condition::And(Vec::new()));
        let after = Condition::And(vec![
            acl.clone(),
            Condition::Or(vec![
                field("updated_at", FieldKind::Integer, Op::Gt(SqlValue::Int(t))),
                Condition::And(vec![
                    field("updated_at", FieldKind::Integer, Op::Eq(SqlValue::Int(t))),
                    field(
                        "id",
                        FieldKind::String,
                        Op::Gt(SqlValue::Text(after_id.clone())),
                    ),
                ]),
            ]),
            field(
                "updated_at",
                FieldKind::Integer,
                Op::Lte(SqlValue::Int(until)),
            ),
        ]);
        let columns = readable_columns(&entry.object, Viewer::Admin);
        let sql = entry.sql.clone();
        let object_type = entry.object.name.clone();
        let tomb_after = after_id.clone();
        let (rows_found, tombstones) = self
            .store
            .run(move |conn| {
                let order = [OrderBy {
                    field: QueryField {
                        column: "updated_at".into(),
                        kind: FieldKind::Integer,
                    },
                    descending: false,
                }];
                let page = Page {
                    order: &order,
                    tie_breaker: "id",
                    limit: limit + 1,
                    offset: 0,
                    near: None,
                };
                let found = rows::select(conn, &sql, &columns, &after, &page)?;
                let gone = store_records::tombstones_after(
                    conn,
                    &object_type,
                    t,
                    &tomb_after,
                    until,
                    &acl,
                    limit + 1,
                )?;
                Ok((found, gone))
            })
            .await
            .map_err(|e| restore(e, entry))?;
        // Merge the two ordered streams by (time, id) and cut at `limit`.
        let mut items: Vec<(i64, String, Value, bool)> = rows_found
            .into_iter()
            .map(|mut r| {
                let ts = r
                    .get("updated_at")
                    .and_then(Value::as_i64)
                    .unwrap_or_default();
                let id = r
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                present(&entry.object, who, &mut r);
                (ts, id, Value::Object(r), false)
            })
            .chain(tombstones.into_iter().map(|g| {
                let doc = json!({"id": g.record_id, "deleted_at": g.deleted_at});
                (g.deleted_at, g.record_id, doc, true)
            }))
            .collect();
        items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let has_more = items.len() as i64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next = items.last().map_or_else(
            || format!("{t}:{after_id}"),
            |(ts, id, _, _)| format!("{ts}:{id}"),
        );
        let (mut objects, mut deleted) = (Vec::new(), Vec::new());
        for (_, _, doc, gone) in items {
            if gone {
                deleted.push(doc);
            } else {
                objects.push(doc);
            }
        }
        Ok(json!({
            "objects": objects,
            "deleted": deleted,
            "cursor": next,
            "has_more": has_more,
        }))
    }
}
