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
use super::objects::data_table;
use crate::domain::{now_unix, Dialect};
use crate::query::{SqlFragment, SqlValue};
use crate::schema::UniqueRule;

/// Creates or extends the table of `object_type`; returns its numeric id and
/// what changed. Runs inside the caller's schema transaction.
pub fn ensure_table(
    conn: &mut AnyConnection,
    object_type: &str,
    columns: &[ColumnDecl],
    rules: &[UniqueRule],
) -> Result<(i64, SyncReport), StoreError> {
    let table = data_table(object_type);
    let dialect = conn.dialect();
    {
        let mut created = create_table(conn, dialect, &table)?;
        created.extend(ensure_acl_index(conn, dialect, &table, object_type)?);
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
    table: &str,
) -> Result<Vec<String>, StoreError> {
    // Every existing table has at least its primary key's index.
    if !ddl::existing_indexes(conn, table)?.is_empty() {
        return Ok(Vec::new());
    }
    let mut done = Vec::new();
    let json = match dialect {
        Dialect::Sqlite => "TEXT",
        Dialect::Postgres => "JSONB",
    };
    let mut sql = SqlFragment::new(dialect);
    sql.push("CREATE TABLE IF NOT EXISTS ")
        .push_ident(table)
        .push(" (id TEXT PRIMARY KEY NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, created_by BIGINT, ")
        .push(&format!("read_perm {json} NOT NULL, write_perm {json} NOT NULL)"));
    exec::execute(conn, &sql)?;
    done.push(sql.sql().to_owned());
    for (column, key) in [
        ("created_at", "created_at, id"),
        ("updated_at", "updated_at, id"),
        ("created_by", "created_by, created_at"),
    ] {
        let mut ix = SqlFragment::new(dialect);
        ix.push("CREATE INDEX IF NOT EXISTS ")
            .push_ident(&index_name("ix", table, column))
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
    table: &str,
    rules: &[UniqueRule],
) -> Result<Vec<String>, StoreError> {
    let wanted: Vec<String> = rules.iter().map(|r| rule_index_name(table, r)).collect();
    let existing = ddl::existing_indexes(conn, table)?;
    let mut done = Vec::new();
    for (rule, name) in rules.iter().zip(&wanted) {
        if existing.contains(name) {
            continue;
        }
        let mut sql = SqlFragment::new(dialect);
        sql.push("CREATE UNIQUE INDEX IF NOT EXISTS ")
            .push_ident(name)
            .push(" ON ")
            .push_ident(table)
            .push(" (");
        sql.push_list(&rule.fields, ", ", |o, f| {
            if rule.case_insensitive && f != "created_by" {
                o.push("lower(CAST(").push_ident(f).push(" AS TEXT))");
            } else {
                o.push_ident(f);
            }
        });
        sql.push(")");
        if !rule.filter.is_empty() {
            sql.push(" WHERE ");
            sql.push_list(&rule.filter, " AND ", |o, (f, v)| {
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
    match (v, dialect) {
        (serde_json::Value::Bool(b), Dialect::Sqlite) => i32::from(*b).to_string(),
        (serde_json::Value::Bool(b), Dialect::Postgres) => b.to_string().to_uppercase(),
        (serde_json::Value::Number(n), _) => n.as_i64().unwrap_or_default().to_string(),
        (serde_json::Value::String(s), _) => format!("'{}'", s.replace('\'', "''")),
        _ => "NULL".to_owned(),
    }
}

/// Whether the table `name` exists.
fn table_exists(
    conn: &mut AnyConnection,
    dialect: Dialect,
    name: &str,
) -> Result<bool, StoreError> {
    let mut q = SqlFragment::new(dialect);
    match dialect {
        Dialect::Sqlite => q.push("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = "),
        Dialect::Postgres => q.push("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = "),
    };
    q.push_bind(SqlValue::Text(name.to_owned()));
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
    table: &str,
    object_type: &str,
) -> Result<Vec<String>, StoreError> {
    let acl = super::objects::acl_table(object_type);
    if table_exists(conn, dialect, &acl)? {
        return Ok(Vec::new());
    }
    let statements: Vec<String> = match dialect {
        Dialect::Sqlite => {
            let fill = |row: &str| {
                format!(
                    "INSERT OR IGNORE INTO \"{acl}\" (record_id, access, entry) \
                     SELECT {row}.id, 'read_perm', value FROM json_each({row}.read_perm); \
                     INSERT OR IGNORE INTO \"{acl}\" (record_id, access, entry) \
                     SELECT {row}.id, 'write_perm', value FROM json_each({row}.write_perm);"
                )
            };
            vec![
                format!("CREATE TABLE \"{acl}\" (record_id TEXT NOT NULL, access TEXT NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (access, entry, record_id)) WITHOUT ROWID"),
                format!("CREATE INDEX \"ix.{acl}.record_id\" ON \"{acl}\" (record_id)"),
                format!("CREATE TRIGGER \"{acl}.insert\" AFTER INSERT ON \"{table}\" BEGIN {} END", fill("NEW")),
                format!(
                    "CREATE TRIGGER \"{acl}.update\" AFTER UPDATE OF read_perm, write_perm ON \"{table}\" BEGIN \
                     DELETE FROM \"{acl}\" WHERE record_id = OLD.id; {} END",
                    fill("NEW")
                ),
                format!("CREATE TRIGGER \"{acl}.delete\" AFTER DELETE ON \"{table}\" BEGIN DELETE FROM \"{acl}\" WHERE record_id = OLD.id; END"),
                format!(
                    "INSERT OR IGNORE INTO \"{acl}\" (record_id, access, entry) SELECT t.id, 'read_perm', j.value FROM \"{table}\" t, json_each(t.read_perm) j"
                ),
                format!(
                    "INSERT OR IGNORE INTO \"{acl}\" (record_id, access, entry) SELECT t.id, 'write_perm', j.value FROM \"{table}\" t, json_each(t.write_perm) j"
                ),
            ]
        }
        Dialect::Postgres => vec![
            format!("CREATE TABLE \"{acl}\" (record_id TEXT NOT NULL, access TEXT NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (access, entry, record_id))"),
            format!("CREATE INDEX \"ix.{acl}.record_id\" ON \"{acl}\" (record_id)"),
            format!(
                "CREATE OR REPLACE FUNCTION \"{acl}_sync\"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF TG_OP <> 'INSERT' THEN DELETE FROM \"{acl}\" WHERE record_id = OLD.id; END IF; \
                 IF TG_OP <> 'DELETE' THEN \
                   INSERT INTO \"{acl}\" (record_id, access, entry) \
                   SELECT NEW.id, 'read_perm', e FROM jsonb_array_elements_text(NEW.read_perm) AS e \
                   UNION SELECT NEW.id, 'write_perm', e FROM jsonb_array_elements_text(NEW.write_perm) AS e \
                   ON CONFLICT DO NOTHING; \
                 END IF; RETURN NULL; END $$"
            ),
            format!(
                "CREATE TRIGGER \"{acl}_sync\" AFTER INSERT OR DELETE OR UPDATE OF read_perm, write_perm ON \"{table}\" \
                 FOR EACH ROW EXECUTE FUNCTION \"{acl}_sync\"()"
            ),
            format!(
                "INSERT INTO \"{acl}\" (record_id, access, entry) \
                 SELECT t.id, 'read_perm', e FROM \"{table}\" t, jsonb_array_elements_text(t.read_perm) AS e \
                 UNION SELECT t.id, 'write_perm', e FROM \"{table}\" t, jsonb_array_elements_text(t.write_perm) AS e \
                 ON CONFLICT DO NOTHING"
            ),
        ],
    };
    for statement in &statements {
        let mut q = SqlFragment::new(dialect);
        q.push(statement);
        exec::execute(conn, &q)?;
    }
    Ok(statements)
}
