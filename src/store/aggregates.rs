//! Counts and sums by group over a schema-driven table: one `GROUP BY`
//! query, its groups built into JSON documents by the database.
//!
//! Sums never fail on the values stored. SQLite's `SUM` of integers raises
//! "integer overflow" past 64 bits and PostgreSQL's `SUM` of doubles raises
//! "value out of range", so one stored value (`i64::MAX` twice) would break
//! every sum over its field. Instead an integer column is summed as two
//! halves (`value >> 32` and `value & 0xFFFFFFFF`, each sum far from the
//! 64-bit range below 2^31 rows) joined here exactly in 128 bits: the total is
//! exact when it fits 64 bits, else the nearest double. A number column is
//! summed as it is on SQLite and as `NUMERIC` on PostgreSQL, and a total past
//! ±1e308 is [`Total::OutOfRange`].

use serde_json::{Map, Value};

use super::connection::AnyConnection;
use super::documents::{decode, push_document, Column};
use super::error::StoreError;
use super::exec::{self, DocRow};
use super::sql_dialect as sql;
use crate::query::{render_condition, Condition, SqlFragment, SqlIdent, SqlValue};
use crate::schema::FieldKind;

/// The alias of the row count in each group's document.
pub const COUNT: &str = "__count";

/// Largest total of a number column answered; past it the sum is out of range.
const MAX_FLOAT_SUM: &str = "1e308";

/// The alias of the sum of `field` in the query.
fn sum_alias(field: &SqlIdent) -> SqlIdent {
    field.prefixed("__sum_")
}

/// The alias saying a number column's sum is out of range (or not a number).
fn over_alias(field: &SqlIdent) -> SqlIdent {
    field.prefixed("__sumx_")
}

/// The aliases of the sums of an integer column's high and low 32 bits.
fn half_aliases(field: &SqlIdent) -> (SqlIdent, SqlIdent) {
    (field.prefixed("__sumh_"), field.prefixed("__suml_"))
}

/// One sort key of the groups: a group column or [`COUNT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOrder {
    /// Column or alias.
    pub key: String,
    /// Descending.
    pub descending: bool,
}

/// The total of one summed column in one group.
#[derive(Debug, Clone, PartialEq)]
pub enum Total {
    /// A JSON number (exact for integers that fit 64 bits), or null when the
    /// group holds no value.
    Number(Value),
    /// The sum of a number column is beyond ±1e308 (a double cannot hold it).
    OutOfRange,
}

/// One group: its group columns and [`COUNT`], and the total of each summed
/// column in the order asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The group columns' values and [`COUNT`].
    pub doc: Map<String, Value>,
    /// The totals, one per summed column.
    pub totals: Vec<Total>,
}

/// The groups of the rows of `table` matching `cond` by the `group`
/// columns, each with its row count and the totals of `sums`, in `order`, at
/// most `limit`.
pub fn aggregate(
    conn: &mut AnyConnection,
    table: &str,
    cond: &Condition,
    group: &[Column],
    sums: &[Column],
    order: &[GroupOrder],
    limit: i64,
) -> Result<Vec<Group>, StoreError> {
    let group_names = exec::idents(group.iter().map(|g| g.name.as_str()))?;
    let sums: Vec<(&Column, SqlIdent)> = sums
        .iter()
        .zip(exec::idents(sums.iter().map(|s| s.name.as_str()))?)
        .collect();
    let order_keys = exec::idents(order.iter().map(|k| k.key.as_str()))?;
    let mut out: Vec<Column> = group.to_vec();
    let column = |name: &SqlIdent, kind| Column {
        name: name.as_str().to_owned(),
        kind,
    };
    out.push(Column {
        name: COUNT.into(),
        kind: FieldKind::Integer,
    });
    for (s, name) in &sums {
        if s.kind == FieldKind::Integer {
            let (high, low) = half_aliases(name);
            for name in [high, low] {
                out.push(column(&name, FieldKind::Integer));
            }
        } else {
            out.push(column(&sum_alias(name), FieldKind::Number));
            out.push(column(&over_alias(name), FieldKind::Boolean));
        }
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    push_document(&mut q, &out)?;
    q.push(" AS doc FROM (SELECT ");
    for g in &group_names {
        q.push_ident(g).push(", ");
    }
    q.push("COUNT(*) AS ")
        .push_ident(&SqlIdent::from_static(COUNT));
    for (s, name) in &sums {
        q.push(", ");
        push_sum(&mut q, s.kind, name);
    }
    q.push(" FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE ");
    render_condition(cond, &mut q);
    if !group.is_empty() {
        q.push(" GROUP BY ");
        q.push_list(&group_names, ", ", |o, g| {
            o.push_ident(g);
        });
    }
    push_order(&mut q, order, &order_keys);
    q.push(" LIMIT ").push_bind(SqlValue::Int(limit));
    q.push(") AS agg");
    push_order(&mut q, order, &order_keys);
    exec::load::<DocRow>(conn, &q)?
        .iter()
        .map(|row| -> Result<Group, StoreError> {
            let mut doc = decode(&row.doc, &out)?;
            let totals = sums
                .iter()
                .map(|(s, name)| total(&mut doc, s.kind, name))
                .collect();
            Ok(Group { doc, totals })
        })
        .collect()
}

/// The select items summing the column `name` of `kind`: the two halves of an integer column, or a
/// number column's sum and whether it is out of range.
fn push_sum(q: &mut SqlFragment, kind: FieldKind, name: &SqlIdent) {
    if kind == FieldKind::Integer {
        let (high, low) = half_aliases(name);
        // Both shifts are arithmetic on 64-bit integers: value = high * 2^32 + low.
        q.push("SUM(CAST(")
            .push_ident(name)
            .push(" AS BIGINT) >> 32) AS ")
            .push_ident(&high);
        q.push(", SUM(CAST(")
            .push_ident(name)
            .push(" AS BIGINT) & 4294967295) AS ")
            .push_ident(&low);
        return;
    }
    let sum = |q: &mut SqlFragment| {
        q.push("SUM(");
        sql::push_exact_number(q, name);
        q.push(")");
    };
    sql::push_as_double(q, |q| {
        q.push("CASE WHEN abs(");
        sum(q);
        q.push(") > ").push(MAX_FLOAT_SUM).push(" THEN NULL ELSE ");
        sum(q);
        q.push(" END");
    });
    q.push(" AS ").push_ident(&sum_alias(name));
    // Out of range, or no number although the group holds values (SQLite
    // answers a sum that is not a number as NULL).
    q.push(", COALESCE(abs(");
    sum(q);
    q.push(") > ").push(MAX_FLOAT_SUM).push(", COUNT(");
    q.push_ident(name).push(") > 0) AS ");
    q.push_ident(&over_alias(name));
}

/// The total of `s` in a decoded group document (its aliases taken out).
fn total(doc: &mut Map<String, Value>, kind: FieldKind, name: &SqlIdent) -> Total {
    if kind == FieldKind::Integer {
        let (high, low) = half_aliases(name);
        let (high, low) = (
            doc.remove(high.as_str()).unwrap_or(Value::Null),
            doc.remove(low.as_str()).unwrap_or(Value::Null),
        );
        if high.is_null() && low.is_null() {
            return Total::Number(Value::Null);
        }
        let half = |v: &Value| -> Option<i128> {
            match v {
                Value::Null => Some(0),
                other => other.as_i64().map(i128::from),
            }
        };
        return match (half(&high), half(&low)) {
            (Some(high), Some(low)) => {
                let sum = high * (1_i128 << 32) + low;
                Total::Number(match i64::try_from(sum) {
                    Ok(exact) => Value::from(exact),
                    // Beyond 64 bits: the nearest double (finite: at most
                    // 2^95 in magnitude).
                    Err(_) => Value::from(sum as f64),
                })
            }
            // A half past 64 bits: more than 2^31 rows of extreme values.
            _ => Total::OutOfRange,
        };
    }
    let over = doc.remove(over_alias(name).as_str());
    let value = doc.remove(sum_alias(name).as_str()).unwrap_or(Value::Null);
    if over == Some(Value::Bool(true)) {
        Total::OutOfRange
    } else {
        Total::Number(value)
    }
}

/// ` ORDER BY` the group keys `order`, whose columns are `keys`.
fn push_order(q: &mut SqlFragment, order: &[GroupOrder], keys: &[SqlIdent]) {
    if order.is_empty() {
        return;
    }
    let keys: Vec<(&SqlIdent, &GroupOrder)> = keys.iter().zip(order).collect();
    q.push(" ORDER BY ");
    q.push_list(&keys, ", ", |o, (key, k)| {
        o.push_ident(key);
        o.push(if k.descending { " DESC" } else { " ASC" });
    });
}
