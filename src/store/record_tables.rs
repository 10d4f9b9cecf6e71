//! Data tables declared in `schema/`: one SQL table `tbl_<name>` each, with the
//! system columns every record has, the declared fields as columns (through
//! [`super::ddl`]) and the table-level uniqueness rules as (partial) unique indexes.
//!
//! Only additive changes happen: a missing table or column is created, rules
//! become indexes. Nothing is dropped here: an index of a rule no longer
//! declared stays until an admin prunes it ([`super::prune`]).

use super::connection::AnyConnection;
use super::ddl::{self, index_name, ColumnDecl, SyncReport};
use super::error::StoreError;
use super::exec::{self, IntRow};
use super::objects::{acl_table, data_table};
use super::sql_dialect as sql;
use crate::domain::{now_unix, Dialect};
use crate::query::{SqlFragment, SqlIdent, SqlValue};
use crate::schema::UniqueRule;

/// Creates or extends the table of `object_type`; returns its numeric id and
/// what changed. Runs inside the caller's schema transaction.
pub fn ensure_table(
    conn: &mut AnyConnection,
    object_type: &str,
    columns: &[ColumnDecl],
    rules: &[UniqueRule],
) -> Result<(i64, SyncReport), StoreError> {
    let name = exec::ident(object_type)?;
    let table = data_table(&name);
    let dialect = conn.dialect();
    {
        let mut created = create_table(conn, dialect, &table)?;
        created.extend(ensure_acl_index(conn, dialect, &table, &acl_table(&name))?);
        let id = register(conn, dialect, object_type)?;
        let mut report = ddl::sync_columns(conn, &table, columns)?;
        report.ddl.splice(0..0, created);
        report.ddl.extend(sync_rules(conn, dialect, &table, rules)?);
        Ok((id, report))
    }
}

/// Creates the table and its built-in indexes when missing; returns the DDL run.
fn create_table(
    conn: &mut AnyConnection,
    dialect: Dialect,
    table: &SqlIdent,
) -> Result<Vec<String>, StoreError> {
    // Every existing table has at least its primary key's index.
    if !ddl::existing_indexes(conn, table)?.is_empty() {
        return Ok(Vec::new());
    }
    let mut done = Vec::new();
    let json = sql::json_type(dialect);
    let mut create = SqlFragment::new(dialect);
    create.push("CREATE TABLE IF NOT EXISTS ")
        .push_ident(table)
        .push(" (id TEXT PRIMARY KEY NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, created_by BIGINT, ")
        .push(&format!("read_perm {json} NOT NULL, write_perm {json} NOT NULL)"));
    exec::execute(conn, &create)?;
    done.push(create.sql().to_owned());
    for (column, key) in [
        ("created_at", "created_at, id"),
        ("updated_at", "updated_at, id"),
        ("created_by", "created_by, created_at"),
    ] {
        let name = SqlIdent::parse_dotted(&index_name("ix", table, column))?;
        let mut ix = SqlFragment::new(dialect);
        ix.push("CREATE INDEX IF NOT EXISTS ")
            .push_ident(&name)
            .push(" ON ")
            .push_ident(table)
            .push(&format!(" ({key})"));
        exec::execute(conn, &ix)?;
        done.push(ix.sql().to_owned());
    }
    Ok(done)
}

/// Gives `object_type` a numeric id (kept across restarts).
fn register(
    conn: &mut AnyConnection,
    dialect: Dialect,
    object_type: &str,
) -> Result<i64, StoreError> {
    let mut insert = SqlFragment::new(dialect);
    insert
        .push("INSERT INTO object_types (name, created_at) VALUES (")
        .push_bind(SqlValue::Text(object_type.to_owned()))
        .push(", ")
        .push_bind(SqlValue::Int(now_unix()))
        .push(") ON CONFLICT (name) DO NOTHING");
    exec::execute(conn, &insert)?;
    let mut select = SqlFragment::new(dialect);
    select
        .push("SELECT id AS n FROM object_types WHERE name = ")
        .push_bind(SqlValue::Text(object_type.to_owned()));
    exec::load::<IntRow>(conn, &select)?
        .first()
        .map(|r| r.n)
        .ok_or_else(|| StoreError::Corrupt(format!("object type {object_type} not registered")))
}

/// The index name of a table-level rule.
pub fn rule_index_name(table: &str, rule: &UniqueRule) -> String {
    use sha2::{Digest, Sha256};
    let digest = hex::encode(Sha256::digest(rule.key().as_bytes()));
    let short_table: String = table.chars().take(40).collect();
    format!("ur.{short_table}.{}", &digest[..16])
}

/// Creates the unique index of each rule that lacks one; returns the DDL run.
fn sync_rules(
    conn: &mut AnyConnection,
    dialect: Dialect,
    table: &SqlIdent,
    rules: &[UniqueRule],
) -> Result<Vec<String>, StoreError> {
    let wanted: Vec<String> = rules.iter().map(|r| rule_index_name(table, r)).collect();
    let existing = ddl::existing_indexes(conn, table)?;
    let mut done = Vec::new();
    for (rule, name) in rules.iter().zip(&wanted) {
        if existing.contains(name) {
            continue;
        }
        let index = SqlIdent::parse_dotted(name)?;
        let fields = exec::idents(rule.fields.iter().map(String::as_str))?;
        let filter = exec::idents(rule.filter.iter().map(|(f, _)| f.as_str()))?
            .into_iter()
            .zip(rule.filter.iter().map(|(_, v)| v))
            .collect::<Vec<_>>();
        let mut sql = SqlFragment::new(dialect);
        sql.push("CREATE UNIQUE INDEX IF NOT EXISTS ")
            .push_ident(&index)
            .push(" ON ")
            .push_ident(table)
            .push(" (");
        sql.push_list(&fields, ", ", |o, f| {
            if rule.case_insensitive && f != "created_by" {
                o.push("lower(CAST(").push_ident(f).push(" AS TEXT))");
            } else {
                o.push_ident(f);
            }
        });
        sql.push(")");
        if !filter.is_empty() {
            sql.push(" WHERE ");
            sql.push_list(&filter, " AND ", |o, (f, v)| {
                o.push_ident(f).push(" = ").push(&literal(dialect, v));
            });
        }
        exec::execute(conn, &sql).map_err(|e| match e {
            StoreError::Unique { .. } => StoreError::SchemaChange(format!(
                "{table}: stored rows already break the unique rule on {}",
                rule.fields.join(", ")
            )),
            other => other,
        })?;
        done.push(sql.sql().to_owned());
    }
    Ok(done)
}

/// A SQL literal for a partial index's predicate (DDL takes no bind
/// parameters). Only booleans, integers and strings reach here (checked when
/// the schema was compiled); strings are quoted with `'` doubled.
fn literal(dialect: Dialect, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Bool(b) => sql::bool_literal(dialect, *b),
        serde_json::Value::Number(n) => n.as_i64().unwrap_or_default().to_string(),
        serde_json::Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        _ => "NULL".to_owned(),
    }
}

/// Whether the table `name` exists.
fn table_exists(
    conn: &mut AnyConnection,
    dialect: Dialect,
    name: &SqlIdent,
) -> Result<bool, StoreError> {
    let mut q = SqlFragment::new(dialect);
    sql::push_count_tables_named(&mut q);
    q.push_bind(SqlValue::Text(name.as_str().to_owned()));
    Ok(exec::load::<IntRow>(conn, &q)?
        .first()
        .is_some_and(|r| r.n > 0))
}

/// The ACL index of a data table: `acl_<name>` holds one row per entry of each
/// record's `read_perm` and `write_perm`, keyed `(access, entry, record_id)`,
/// and triggers on the table keep it in step with every write — whoever makes
/// it. Row-ACL checks then look entries up instead of reading every row's JSON.
/// Created (and filled from the stored rows) once; returns the DDL run.
fn ensure_acl_index(
    conn: &mut AnyConnection,
    dialect: Dialect,
    table: &SqlIdent,
    acl: &SqlIdent,
) -> Result<Vec<String>, StoreError> {
    if table_exists(conn, dialect, acl)? {
        return Ok(Vec::new());
    }
    let mut done = Vec::new();
    for statement in sql::acl_index_ddl(dialect, table, acl) {
        exec::execute(conn, &statement)?;
        done.push(statement.sql().to_owned());
    }
    Ok(done)
}
