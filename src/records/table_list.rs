//! Lists of records: `where`, `order_by` (default `-created_at`), `keys`,
//! `expand`, `limit`/`offset`, `return_total_count`, and keyset paging with
//! `since` (the rows after a given record in the current order).

use serde_json::Value;

use super::access::Viewer;
use super::acl::{Access, Who};
use super::error::RecordsError;
use super::list::{parse_page, ListParams, ListResult};
use super::present::Shape;
use super::table::{acl_of, created_by, query_viewer, restore, TableService};
use super::table_fields::{readable_columns, TableCatalog};
use crate::auth::Principal;
use crate::domain::RecordId;
use crate::query::{
    parse_order_by, parse_where, Condition, Op, OrderBy, QueryError, QueryField, SqlValue,
};
use crate::schema::FieldKind;
use crate::store::records as store_records;
use crate::store::rows::{self, Column, Page};

/// List parameters of records: the common ones plus `expand` and `since`.
#[derive(Debug, Clone, Default)]
pub struct RecordListParams {
    /// `where`, `order_by`, `keys`, `limit`, `offset`, `return_total_count`.
    pub list: ListParams,
    /// `expand`.
    pub expand: Option<String>,
    /// `since`: id of the record after which the page starts.
    pub since: Option<String>,
}

impl TableService {
    /// A page of the records of `table` the caller may read.
    #[tracing::instrument(skip(self, caller))]
    pub async fn list(
        &self,
        caller: &Principal,
        table: &str,
        params: RecordListParams,
    ) -> Result<ListResult, RecordsError> {
        let who = Who::of(caller);
        let entry = self.catalog.resolve(table)?;
        let viewer = query_viewer(who);
        let catalog = TableCatalog {
            object: &entry.object,
            viewer,
        };
        let cond = parse_where(params.list.where_json.as_deref(), &catalog)?;
        let mut order = parse_order_by(params.list.order_by.as_deref(), &catalog)?;
        if order.is_empty() {
            order.push(OrderBy {
                field: QueryField {
                    column: "created_at".into(),
                    kind: FieldKind::Integer,
                },
                descending: true,
            });
        }
        let near = cond.near_sphere().map(|(c, p)| (c.to_owned(), p));
        let shape = Shape::parse(
            &entry.object,
            viewer,
            params.list.keys.as_deref(),
            params.expand.as_deref(),
        )?;
        let (limit, offset) =
            parse_page(params.list.limit.as_deref(), params.list.offset.as_deref())?;
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
            Some(raw) => Some(
                RecordId::parse(raw)
                    .map_err(|_| QueryError::new("since", "must be a record id"))?,
            ),
        };
        let mut parts = Vec::with_capacity(3);
        if let Some(acl) = who.filter(Access::Read) {
            parts.push(acl);
        }
        parts.push(cond);
        let columns = readable_columns(&entry.object, Viewer::Admin);
        let want_total = params.list.return_total_count;
        let sql = entry.sql.clone();
        let (mut objects, total_count) =
            self.store
                .run(move |conn| {
                    let filter = Condition::And(parts);
                    let total = if want_total {
                        Some(rows::count(conn, &sql, &filter)?)
                    } else {
                        None
                    };
                    let filter = match &since {
                        None => filter,
                        Some(anchor) => {
                            let sort: Vec<Column> = order
                                .iter()
                                .map(|o| Column {
                                    name: o.field.column.clone(),
                                    kind: o.field.kind,
                                })
                                .chain(
                                    [
                                        ("id", FieldKind::String),
                                        ("created_by", FieldKind::Integer),
                                        ("read_perm", FieldKind::Array),
                                    ]
                                    .map(|(n, k)| Column {
                                        name: n.into(),
                                        kind: k,
                                    }),
                                )
                                .collect();
                            // An anchor the caller may not read counts as missing, so
                            // `since` cannot reveal where a hidden record sorts.
                            let anchor_row =
                                store_records::get(conn, &sql, &sort, anchor.as_str(), false)?
                                    .filter(|row| {
                                        who.may(
                                            Access::Read,
                                            created_by(row),
                                            &acl_of(row, Access::Read),
                                        )
                                    });
                            match anchor_row {
                                Some(row) => Condition::And(vec![filter, after(&order, &row)]),
                                None => Condition::Or(Vec::new()),
                            }
                        }
                    };
                    let page = Page {
                        order: &order,
                        tie_breaker: "id",
                        limit,
                        offset,
                        near: near.as_ref().map(|(c, p)| (c.as_str(), *p)),
                    };
                    let objects = rows::select(conn, &sql, &columns, &filter, &page)?;
                    Ok((objects, total))
                })
                .await
                .map_err(|e| restore(e, entry))?;
        self.finish(who, entry, &mut objects, &shape).await?;
        Ok(ListResult {
            objects,
            total_count,
            limit,
            offset,
        })
    }
}

/// Rows strictly after `anchor` in the order `keys` then `id` (which follows
/// the last key's direction). Nulls sort last ascending and first descending,
/// as [`crate::query::render_order`] writes them.
fn after(keys: &[OrderBy], anchor: &serde_json::Map<String, Value>) -> Condition {
    let id_desc = keys.last().is_some_and(|k| k.descending);
    let mut all: Vec<(QueryField, bool)> = keys
        .iter()
        .map(|k| (k.field.clone(), k.descending))
        .collect();
    all.push((
        QueryField {
            column: "id".into(),
            kind: FieldKind::String,
        },
        id_desc,
    ));
    let value_of = |f: &QueryField| -> SqlValue {
        match anchor.get(&f.column).unwrap_or(&Value::Null) {
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
            (false, v) => Condition::Or(vec![field(f, Op::Gt(v)), field(f, Op::IsNull(true))]),
            (true, SqlValue::Null) => field(f, Op::IsNull(false)),
            (true, v) => field(f, Op::Lt(v)),
        });
        alternatives.push(Condition::And(conj));
    }
    Condition::Or(alternatives)
}
