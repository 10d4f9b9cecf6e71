//! Rendering conditions and sort keys as SQL for one dialect.

use super::condition::{Condition, Op};
use super::order::OrderBy;
use super::sql::{SqlFragment, SqlValue};
use super::sql_ident::SqlIdent;
use super::{dialect, render_document, render_geo};
use crate::schema::FieldKind;

/// Appends `cond` as a SQL boolean expression.
pub fn render_condition(cond: &Condition, out: &mut SqlFragment) {
    match cond {
        Condition::And(items) if items.is_empty() => {
            out.push("1=1");
        }
        Condition::Or(items) if items.is_empty() => {
            out.push("1=0");
        }
        Condition::And(items) | Condition::Or(items) => {
            let sep = if matches!(cond, Condition::And(_)) {
                " AND "
            } else {
                " OR "
            };
            out.push("(");
            out.push_list(items, sep, |out, c| render_condition(c, out));
            out.push(")");
        }
        Condition::Field { field, op } => render_op(&field.column, field.kind, op, out),
        Condition::Budget => dialect::budget_guard(out),
        Condition::Acl {
            column,
            owner,
            grants,
            index,
        } => {
            if let Some(index) = index {
                // The rows are the creator's and those whose ACL lists a grant:
                // index lookups on both sides, which every planner can use.
                out.push("\"id\" IN (");
                if let Some(id) = owner {
                    out.push("SELECT \"id\" FROM ")
                        .push_ident(&index.rows)
                        .push(" WHERE \"created_by\" = ")
                        .push_bind(SqlValue::Int(*id))
                        .push(" UNION ALL ");
                }
                out.push("SELECT record_id FROM ")
                    .push_ident(&index.entries)
                    .push(" WHERE access = ")
                    .push_bind(SqlValue::Text(column.to_string()))
                    .push(" AND entry IN (");
                if grants.is_empty() {
                    out.push("NULL");
                }
                out.push_list(grants, ", ", |o, g| {
                    o.push_bind(SqlValue::Text(g.clone()));
                });
                out.push("))");
                return;
            }
            out.push("(");
            if let Some(id) = owner {
                out.push("\"created_by\" = ").push_bind(SqlValue::Int(*id));
                out.push(" OR ");
            }
            dialect::acl_lists_any(&SqlIdent::from_static(column), grants, out);
            out.push(")");
        }
    }
}

fn render_op(column: &SqlIdent, kind: FieldKind, op: &Op, out: &mut SqlFragment) {
    let col = |out: &mut SqlFragment| {
        out.push_ident(column);
    };
    let compare = |out: &mut SqlFragment, sym: &str, v: &SqlValue| {
        col(out);
        out.push(sym).push_bind(v.clone());
    };
    match op {
        Op::Eq(SqlValue::Null) | Op::IsNull(true) => {
            col(out);
            out.push(" IS NULL");
        }
        Op::Ne(SqlValue::Null) | Op::IsNull(false) => {
            col(out);
            out.push(" IS NOT NULL");
        }
        Op::Eq(v) => compare(out, " = ", v),
        Op::Ne(v) => {
            out.push("(");
            compare(out, " <> ", v);
            out.push(" OR ");
            col(out);
            out.push(" IS NULL)");
        }
        Op::Lt(v) => compare(out, " < ", v),
        Op::Lte(v) => compare(out, " <= ", v),
        Op::Gt(v) => compare(out, " > ", v),
        Op::Gte(v) => compare(out, " >= ", v),
        Op::In(values) | Op::Nin(values) if values.is_empty() => {
            out.push(if matches!(op, Op::In(_)) {
                "1=0"
            } else {
                "1=1"
            });
        }
        Op::In(values) => {
            col(out);
            out.push(" IN (").push_list(values, ", ", |o, v| {
                o.push_bind(v.clone());
            });
            out.push(")");
        }
        Op::Nin(values) => {
            out.push("(");
            col(out);
            out.push(" NOT IN (").push_list(values, ", ", |o, v| {
                o.push_bind(v.clone());
            });
            out.push(") OR ");
            col(out);
            out.push(" IS NULL)");
        }
        Op::Contains(s) => dialect::contains(column, s, false, out),
        Op::IContains(s) => dialect::contains(column, s, true, out),
        Op::Regex {
            pattern,
            case_insensitive,
        } => dialect::regex_match(column, pattern, *case_insensitive, out),
        Op::JsonEq(v) => render_document::json_eq(column, v, out),
        Op::ArrayIn(values) => render_document::array_any(column, values, out),
        Op::ArrayNin(values) => {
            out.push("NOT ");
            render_document::array_any(column, values, out);
        }
        Op::All(values) => render_document::array_all(column, values, out),
        Op::HasKey(key) => render_document::has_key(column, key, out),
        Op::Range(start, end) => {
            out.push("(");
            compare(out, " >= ", &SqlValue::Int(*start));
            out.push(" AND ");
            compare(out, " < ", &SqlValue::Int(*end));
            out.push(")");
        }
        Op::Intersects(point) => render_geo::intersects(column, *point, out),
        Op::Within(polygon) => render_geo::within(column, polygon, out),
        Op::Center { center, radius_m } => {
            render_geo::between(column, *center, 0.0, Some(*radius_m), out)
        }
        Op::NearSphere {
            point,
            min_m,
            max_m,
        } => render_geo::between(column, *point, *min_m, *max_m, out),
        Op::Exists(present) => {
            let text = kind == FieldKind::String;
            out.push("(");
            col(out);
            match (present, text) {
                (true, true) => {
                    out.push(" IS NOT NULL AND ");
                    col(out);
                    out.push(" <> '')");
                }
                (true, false) => {
                    out.push(" IS NOT NULL)");
                }
                (false, true) => {
                    out.push(" IS NULL OR ");
                    col(out);
                    out.push(" = '')");
                }
                (false, false) => {
                    out.push(" IS NULL)");
                }
            }
        }
    }
}

/// Appends `ORDER BY …` for `keys`, then `tie_breaker` descending-or-not as the
/// last key so pages are stable. Nulls sort last ascending, first descending, on both backends.
pub fn render_order(keys: &[OrderBy], tie_breaker: &SqlIdent, out: &mut SqlFragment) {
    render_order_near(None, keys, tie_breaker, out);
}

/// [`render_order`] led by the distance from `near` (a `$nearsphere` query:
/// nearest first).
pub fn render_order_near(
    near: Option<(&SqlIdent, crate::domain::GeoPoint)>,
    keys: &[OrderBy],
    tie_breaker: &SqlIdent,
    out: &mut SqlFragment,
) {
    out.push(" ORDER BY ");
    if let Some((column, point)) = near {
        render_geo::distance(column, point, out);
        out.push(" ASC, ");
    }
    for key in keys {
        out.push_ident(&key.field.column);
        out.push(if key.descending {
            " DESC NULLS FIRST, "
        } else {
            " ASC NULLS LAST, "
        });
    }
    out.push_ident(tie_breaker);
    let last_desc = keys.last().is_some_and(|k| k.descending);
    out.push(if last_desc { " DESC" } else { " ASC" });
}

#[cfg(test)]
#[path = "render_test.rs"]
mod tests;

#[cfg(test)]
#[path = "render_snapshot_test.rs"]
mod snapshot_tests;
