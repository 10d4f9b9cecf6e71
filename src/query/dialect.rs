//! The SQL the two dialects write differently for scalar conditions, as named
//! operations on a fragment. (Documents and geometry have their own files,
//! [`super::render_document`] and [`super::render_geo`], built the same way.)
//! [`super::render`] composes these and never matches on the dialect itself;
//! the snapshot tests of every operator show what each writes.

use super::sql::{SqlFragment, SqlValue};
use super::sql_ident::SqlIdent;
use crate::domain::Dialect;

/// The cost guard of a query: SQLite's `protium_budget()` stops a statement
/// that runs past its step budget; PostgreSQL has `statement_timeout`.
pub fn budget_guard(out: &mut SqlFragment) {
    out.push(match out.dialect() {
        Dialect::Sqlite => "protium_budget()",
        Dialect::Postgres => "1=1",
    });
}

/// `column` holds `needle` (optionally ignoring case): its position is above 0.
pub fn contains(column: &SqlIdent, needle: &str, ignore_case: bool, out: &mut SqlFragment) {
    out.push(match out.dialect() {
        Dialect::Sqlite => "instr(",
        Dialect::Postgres => "strpos(",
    });
    if ignore_case {
        out.push("lower(")
            .push_ident(column)
            .push("), lower(")
            .push_bind(SqlValue::Text(needle.to_owned()))
            .push(")");
    } else {
        out.push_ident(column)
            .push(", ")
            .push_bind(SqlValue::Text(needle.to_owned()));
    }
    out.push(") > 0");
}

/// `column` matches the regular expression `pattern`: SQLite's `regexp()`
/// takes the flags inside the pattern, PostgreSQL has `~` and `~*`.
pub fn regex_match(column: &SqlIdent, pattern: &str, ignore_case: bool, out: &mut SqlFragment) {
    match out.dialect() {
        Dialect::Sqlite => {
            let p = super::pattern::with_flags(pattern, ignore_case);
            out.push("regexp(").push_bind(SqlValue::Text(p)).push(", ");
            out.push_ident(column).push(")");
        }
        Dialect::Postgres => {
            out.push_ident(column);
            out.push(if ignore_case { " ~* " } else { " ~ " });
            out.push_bind(SqlValue::Text(pattern.to_owned()));
        }
    }
}

/// The JSON array of plain entries in `column` lists one of `grants`.
pub fn acl_lists_any(column: &SqlIdent, grants: &[String], out: &mut SqlFragment) {
    match out.dialect() {
        Dialect::Sqlite => {
            // ACL columns hold JSON arrays of plain entries (`user:12`,
            // `gid:3`), so an entry is present exactly when its quoted form
            // is: a text search, far cheaper than walking the JSON.
            out.push("(");
            if grants.is_empty() {
                out.push("0");
            }
            out.push_list(grants, " OR ", |o, g| {
                o.push("instr(")
                    .push_ident(column)
                    .push(", ")
                    .push_bind(SqlValue::Text(
                        serde_json::Value::String(g.clone()).to_string(),
                    ))
                    .push(") > 0");
            });
            out.push(")");
        }
        Dialect::Postgres => {
            out.push("jsonb_exists_any(")
                .push_ident(column)
                .push(", ARRAY[");
            out.push_list(grants, ", ", |o, g| {
                o.push_bind(SqlValue::Text(g.clone()));
            });
            out.push("]::text[])");
        }
    }
}
