//! The change feed for sync (`GET …/table/:table/changes/?since=&cursor=&limit=`):
//! every record changed after a position, and the deletions, in (time, id)
//! order. The position is a unix time (`since`) or the opaque `cursor` of the
//! previous page.
//!
//! Only changes in fully elapsed seconds are served (up to now − 1), so a
//! record written later in the current second cannot slip behind a cursor.

use serde_json::{Map, Value};

use super::error::RecordsError;
use super::fields::{id_text, readable_columns};
use super::present::present;
use super::relations::read_grants;
use super::service::{named, resolve, Records, Target};
use super::who::{Access, Viewer, Who};
use crate::auth::Principal;
use crate::domain::now_unix;
use crate::query::{Condition, Op, OrderBy, QueryError, QueryField, SqlValue};
use crate::schema::FieldKind;
use crate::store::objects::{self, Page};
use crate::store::tombstones;

/// Largest page of the feed.
pub const MAX_FEED: i64 = 1000;

/// A deleted record in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// Its id.
    pub id: String,
    /// When it was deleted (unix seconds).
    pub deleted_at: i64,
}

/// One page of the change feed.
#[derive(Debug, Clone)]
pub struct ChangePage {
    /// Records changed (created or updated), as the caller sees them.
    pub objects: Vec<Map<String, Value>>,
    /// Records deleted.
    pub deleted: Vec<Deletion>,
    /// Where the next page starts.
    pub cursor: String,
    /// Whether more changes are ready now.
    pub has_more: bool,
}

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

impl Records {
    /// One page of the change feed of `table`.
    #[tracing::instrument(skip(self, caller))]
    pub async fn changes(
        &self,
        caller: &Principal,
        table: &str,
        since: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> Result<ChangePage, RecordsError> {
        let who = Who::of(caller);
        let snapshot = self.live.load();
        let object = resolve(&snapshot, Target::Table(table))?;
        let (t, after_id) = position(since, cursor)?;
        let given = [since, cursor]
            .iter()
            .any(|p| p.is_some_and(|p| !p.trim().is_empty()));
        let horizon = now_unix() - self.feed_horizon;
        // `since=0` (position 1) is a first sync: it needs no deletions.
        if given && t > 1 && t < horizon {
            return Err(RecordsError::Gone(format!(
                "the change feed keeps deletions for {} days and this position is older; \
                 list the table again and follow the feed from now",
                self.feed_horizon / 86_400
            )));
        }
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
        let everything = || Condition::And(Vec::new());
        // Tombstones keep their ACL as JSON; live rows have the ACL index.
        let acl = who
            .acl_filter(Access::Read, None)
            .unwrap_or_else(everything);
        let row_acl = who
            .acl_filter(Access::Read, super::list::acl_index(object))
            .unwrap_or_else(everything);
        let after = Condition::And(vec![
            row_acl,
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
        let columns = readable_columns(object, Viewer::Admin);
        let sql = objects::sql_table(object);
        let object_type = object.name.clone();
        let name = object_type.clone();
        let tomb_after = after_id.clone();
        let snap = snapshot.clone();
        let (rows_found, gone, grants) = self
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
                let found = objects::select(conn, &sql, &columns, &after, &page)?;
                let grants = read_grants(conn, &snap, named(&snap, &object_type)?, who, &found)?;
                let gone =
                    tombstones::after(conn, &object_type, t, &tomb_after, until, &acl, limit + 1)?;
                Ok::<_, RecordsError>((found, gone, grants))
            })
            .await?;
        let object = named(&snapshot, &name)?;
        // Merge the two ordered streams by (time, id) and cut at `limit`.
        enum Item {
            Changed(Map<String, Value>),
            Deleted(Deletion),
        }
        let mut items: Vec<(i64, String, Item)> = rows_found
            .into_iter()
            .map(|mut r| {
                let ts = r
                    .get("updated_at")
                    .and_then(Value::as_i64)
                    .unwrap_or_default();
                let id = id_text(&r);
                present(object, who, &mut r, &grants);
                (ts, id, Item::Changed(r))
            })
            .chain(gone.into_iter().map(|g| {
                let deletion = Deletion {
                    id: g.record_id.clone(),
                    deleted_at: g.deleted_at,
                };
                (g.deleted_at, g.record_id, Item::Deleted(deletion))
            }))
            .collect();
        items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let has_more = items.len() as i64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next = items.last().map_or_else(
            || format!("{t}:{after_id}"),
            |(ts, id, _)| format!("{ts}:{id}"),
        );
        let (mut objects, mut deleted) = (Vec::new(), Vec::new());
        for (_, _, item) in items {
            match item {
                Item::Changed(doc) => objects.push(doc),
                Item::Deleted(d) => deleted.push(d),
            }
        }
        Ok(ChangePage {
            objects,
            deleted,
            cursor: next,
            has_more,
        })
    }
}
