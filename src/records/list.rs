//! Lists of rows of any object type: `where`, `order_by` (default
//! `-created_at`), `keys`, `expand`, `limit`/`offset`, `return_total_count`, and
//! keyset paging with `since` (the rows after a given row in the current order).

use serde_json::{Map, Value};

use super::error::RecordsError;
use super::fields::{acl_of, owner_of, parse_id, readable_columns, QueryFields};
use super::present::finish;
use super::service::{named, resolve, Records, Target};
use super::shape::Shape;
use super::who::{Access, Viewer, Who};
use crate::domain::AclEntry;
use crate::domain::Principal;
use crate::query::{
    parse_order_by, parse_where, AclIndex, Condition, Op, OrderBy, QueryError, QueryField,
    SqlIdent, SqlValue,
};
use crate::schema::{FieldKind, ObjectType};
use crate::store::documents::Column;
use crate::store::objects::{self, Page};

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 20;
/// Largest page size.
pub const MAX_LIMIT: i64 = 1000;

/// Raw list parameters as decoded from the query string.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    /// `where` JSON.
    pub where_json: Option<String>,
    /// `order_by` comma list.
    pub order_by: Option<String>,
    /// `keys` comma list.
    pub keys: Option<String>,
    /// `expand` comma list.
    pub expand: Option<String>,
    /// `limit`.
    pub limit: Option<String>,
    /// `offset`.
    pub offset: Option<String>,
    /// `since`: id of the row after which the page starts.
    pub since: Option<String>,
    /// `return_total_count` was `1`/`true`.
    pub return_total_count: bool,
}

/// A page of rows.
#[derive(Debug, Clone)]
pub struct ListResult {
    /// The rows.
    pub objects: Vec<Map<String, Value>>,
    /// Total matches, when asked for.
    pub total_count: Option<i64>,
    /// Page size used.
    pub limit: i64,
    /// Offset used.
    pub offset: i64,
}

/// Parses `limit` (default 20, 0..=1000) and `offset` (default 0, ≥ 0).
pub fn parse_page(limit: Option<&str>, offset: Option<&str>) -> Result<(i64, i64), QueryError> {
    let parse =
        |param: &str, raw: Option<&str>, default: i64, max: i64| -> Result<i64, QueryError> {
            match raw.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(default),
                Some(s) => match s.parse::<i64>() {
                    Ok(n) if (0..=max).contains(&n) => Ok(n),
                    _ => Err(QueryError::new(
                        param,
                        format!("must be an integer from 0 to {max}"),
                    )),
                },
            }
        };
    Ok((
        parse("limit", limit, DEFAULT_LIMIT, MAX_LIMIT)?,
        parse("offset", offset, 0, i64::from(i32::MAX))?,
    ))
}

/// How to check row ACLs of `object`: on tables whose rows are private by
/// default (their `read` permission admits neither everyone nor every user),
/// through the ACL index, so a caller's few rows are found by index lookups; on
/// tables whose rows are mostly public, by reading each row's ACL, so the
/// newest rows come first in index order and a page stops early.
pub(super) fn acl_index(object: &ObjectType) -> Option<AclIndex> {
    let public = object
        .rules
        .default_read
        .iter()
        .any(|e| matches!(e, AclEntry::Anonymous | AclEntry::AnyUser));
    (!public).then(|| AclIndex {
        rows: objects::sql_table(object),
        entries: objects::acl_table(&SqlIdent::from(object)),
    })
}

/// The conditions selecting the rows `who` may `access` among rows matching
/// `cond` (profiles have no row ACL: every profile is readable), within the
/// request's time budget.
pub(super) fn visible(object: &ObjectType, who: Who, access: Access, cond: Condition) -> Condition {
    let mut parts = Vec::with_capacity(3);
    parts.push(Condition::Budget);
    if object.has_row_acl() {
        parts.extend(who.acl_filter(access, acl_index(object)));
    }
    parts.push(cond);
    Condition::And(parts)
}

impl Records {
    /// A page of the rows of `target` the caller may read. Filters, sorting,
    /// keys and expand may name only fields public on every row (all fields
    /// for admins); each row still shows its owner fields to its owner.
    #[tracing::instrument(skip(self, caller))]
    pub async fn list(
        &self,
        caller: &Principal,
        target: Target<'_>,
        params: ListParams,
    ) -> Result<ListResult, RecordsError> {
        let who = Who::of(caller);
        let snapshot = self.live.load();
        let object = resolve(&snapshot, target)?;
        let viewer = Viewer::for_queries(who);
        let fields = QueryFields { object, viewer };
        let cond = parse_where(params.where_json.as_deref(), &fields)?;
        let mut order = parse_order_by(params.order_by.as_deref(), &fields)?;
        if order.is_empty() {
            order.push(OrderBy {
                field: QueryField {
                    column: SqlIdent::from_static("created_at"),
                    kind: FieldKind::Integer,
                },
                descending: true,
            });
        }
        let near = cond.near_sphere().map(|(c, p)| (c.clone(), p));
        let shape = Shape::parse(
            object,
            viewer,
            params.keys.as_deref(),
            params.expand.as_deref(),
        )?;
        let (limit, offset) = parse_page(params.limit.as_deref(), params.offset.as_deref())?;
        let since = match params
            .since
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(_) if near.is_some() => {
                return Err(QueryError::new("since", "cannot be combined with $nearsphere").into())
            }
            Some(raw) => Some(parse_id(object, raw).ok_or_else(|| {
                QueryError::new(
                    "since",
                    format!("must be an id of {}", super::fields::describe(object)),
                )
            })?),
        };
        let filter = visible(object, who, Access::Read, cond);
        let want_total = params.return_total_count;
        let name = object.name.clone();
        let (objects, total_count) = self
            .store
            .run(move |conn| {
                let object = named(&snapshot, &name)?;
                let table = objects::sql_table(object);
                let total = if want_total {
                    Some(objects::count(conn, &table, &filter)?)
                } else {
                    None
                };
                let filter = match &since {
                    None => filter,
                    Some(anchor) => {
                        // An anchor the caller may not read counts as missing, so
                        // `since` cannot reveal where a hidden row sorts.
                        let columns = anchor_columns(object, &order);
                        let anchor_row = objects::get(conn, &table, &columns, anchor, false)?
                            .filter(|row| {
                                let owner = owner_of(object, row);
                                who.may(Access::Read, owner, &acl_of(object, row, Access::Read))
                            });
                        match anchor_row {
                            Some(row) => Condition::And(vec![filter, after(object, &order, &row)]),
                            None => Condition::Or(Vec::new()),
                        }
                    }
                };
                let page = Page {
                    order: &order,
                    tie_breaker: &SqlIdent::ID,
                    limit,
                    offset,
                    near: near.as_ref().map(|(c, p)| (c, *p)),
                };
                let columns = readable_columns(object, Viewer::widest(who));
                let mut rows = objects::select(conn, &table, &columns, &filter, &page)?;
                finish(conn, &snapshot, object, who, &mut rows, &shape)?;
                Ok::<_, RecordsError>((rows, total))
            })
            .await?;
        Ok(ListResult {
            objects,
            total_count,
            limit,
            offset,
        })
    }
}

/// What an anchor row must show: the sort keys, its id, and what decides
/// whether the caller may read it.
fn anchor_columns(object: &ObjectType, order: &[OrderBy]) -> Vec<Column> {
    let mut columns: Vec<Column> = order
        .iter()
        .map(|o| Column {
            name: o.field.column.as_str().to_owned(),
            kind: o.field.kind,
        })
        .collect();
    for field in object.builtins.iter() {
        if !columns.iter().any(|c| c.name == field.name.as_str()) {
            columns.push(super::fields::column(field));
        }
    }
    columns
}

/// Columns every row has a value in (so no `IS NULL` alternative is needed).
const NEVER_NULL: [&str; 3] = ["id", "created_at", "updated_at"];

/// Rows strictly after `anchor` in the order `keys` then `id` (which follows
/// the last key's direction). Nulls sort last ascending and first descending,
/// as [`crate::query::render_order`] writes them.
///
/// Written so both planners can seek an index instead of scanning from the
/// start: keys after `id` are dropped (they cannot matter), columns that are
/// never null get no `IS NULL` alternative, and a first key that is never null
/// also bounds the range on its own (`created_at <= a AND (…)`).
fn after(object: &ObjectType, keys: &[OrderBy], anchor: &Map<String, Value>) -> Condition {
    let id_desc = keys.last().is_some_and(|k| k.descending);
    let mut all: Vec<(QueryField, bool)> = Vec::with_capacity(keys.len() + 1);
    for key in keys {
        all.push((key.field.clone(), key.descending));
        if key.field.column == "id" {
            break;
        }
    }
    if all.last().is_none_or(|(f, _)| f.column != "id") {
        all.push((
            QueryField {
                column: SqlIdent::ID,
                kind: object.id_kind(),
            },
            id_desc,
        ));
    }
    let value_of = |f: &QueryField| -> SqlValue {
        match anchor.get(f.column.as_str()).unwrap_or(&Value::Null) {
            Value::Null => SqlValue::Null,
            Value::Bool(b) => SqlValue::Bool(*b),
            Value::Number(n) if f.kind == FieldKind::Integer => {
                SqlValue::Int(n.as_i64().unwrap_or_default())
            }
            Value::Number(n) => SqlValue::Float(n.as_f64().unwrap_or_default()),
            Value::String(s) => SqlValue::Text(s.clone()),
            other => SqlValue::Text(other.to_string()),
        }
    };
    let never_null = |f: &QueryField| NEVER_NULL.contains(&f.column.as_str());
    let field = |f: &QueryField, op: Op| Condition::Field {
        field: f.clone(),
        op,
    };
    let mut alternatives = Vec::with_capacity(all.len());
    for (i, (f, desc)) in all.iter().enumerate() {
        let mut conj: Vec<Condition> = all[..i]
            .iter()
            .map(|(g, _)| match value_of(g) {
                SqlValue::Null => field(g, Op::IsNull(true)),
                v => field(g, Op::Eq(v)),
            })
            .collect();
        let v = value_of(f);
        conj.push(match (desc, v) {
            (false, SqlValue::Null) => Condition::Or(Vec::new()),
            (false, v) if never_null(f) => field(f, Op::Gt(v)),
            (false, v) => Condition::Or(vec![field(f, Op::Gt(v)), field(f, Op::IsNull(true))]),
            (true, SqlValue::Null) => field(f, Op::IsNull(false)),
            (true, v) => field(f, Op::Lt(v)),
        });
        alternatives.push(Condition::And(conj));
    }
    let rest = Condition::Or(alternatives);
    match all.first() {
        Some((first, desc)) if never_null(first) && all.len() > 1 => {
            let bound = match (desc, value_of(first)) {
                (_, SqlValue::Null) => return rest,
                (false, v) => field(first, Op::Gte(v)),
                (true, v) => field(first, Op::Lte(v)),
            };
            Condition::And(vec![bound, rest])
        }
        _ => rest,
    }
}

#[cfg(test)]
#[path = "list_test.rs"]
mod tests;
