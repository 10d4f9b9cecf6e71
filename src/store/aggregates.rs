//! Counts and sums by group over a schema-driven table: one `GROUP BY`
//! query, its groups built into JSON documents by the database.

use serde_json::{Map, Value};

use super::connection::AnyConnection;
use super::documents::{decode, push_document, Column};
use super::error::StoreError;
use super::exec::{self, DocRow};
use crate::query::{render_condition, Condition, SqlFragment, SqlValue};
use crate::schema::FieldKind;

/// The alias of the row count in each group's document.
pub const COUNT: &str = "__count";

/// The alias of the sum of `field` in each group's document.
pub fn sum_alias(field: &str) -> String {
    format!("__sum_{field}")
}

/// One sort key of the groups: a group column or [`COUNT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOrder {
    /// Column or alias.
    pub key: String,
    /// Descending.
    pub descending: bool,
}

/// The groups of the rows of `table` matching `cond` by the `group`
/// columns, each with its row count and the sums of `sums`, in `order`, at
/// most `limit`. Each group is a document of the group columns, [`COUNT`] and
/// [`sum_alias`] of each summed column.
pub fn aggregate(
    conn: &mut AnyConnection,
    table: &str,
    cond: &Condition,
    group: &[Column],
    sums: &[Column],
    order: &[GroupOrder],
    limit: i64,
) -> Result<Vec<Map<String, Value>>, StoreError> {
    let mut out: Vec<Column> = group.to_vec();
    out.push(Column {
        name: COUNT.into(),
        kind: FieldKind::Integer,
    });
    out.extend(sums.iter().map(|s| Column {
        name: sum_alias(&s.name),
        kind: FieldKind::Number,
    }));
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    push_document(&mut q, &out);
    q.push(" AS doc FROM (SELECT ");
    for g in group {
        q.push_ident(&g.name).push(", ");
    }
    q.push("COUNT(*) AS ").push_ident(COUNT);
    for s in sums {
        q.push(", SUM(")
            .push_ident(&s.name)
            .push(") AS ")
            .push_ident(&sum_alias(&s.name));
    }
    q.push(" FROM ").push_ident(table).push(" WHERE ");
    render_condition(cond, &mut q);
    if !group.is_empty() {
        q.push(" GROUP BY ");
        q.push_list(group, ", ", |o, g| {
            o.push_ident(&g.name);
        });
    }
    push_order(&mut q, order);
    q.push(" LIMIT ").push_bind(SqlValue::Int(limit));
    q.push(") AS agg");
    push_order(&mut q, order);
    exec::load::<DocRow>(conn, &q)?
        .iter()
        .map(|row| decode(&row.doc, &out))
        .collect()
}

fn push_order(q: &mut SqlFragment, order: &[GroupOrder]) {
    if order.is_empty() {
        return;
    }
    q.push(" ORDER BY ");
    q.push_list(order, ", ", |o, k| {
        o.push_ident(&k.key);
        o.push(if k.descending { " DESC" } else { " ASC" });
    });
}
