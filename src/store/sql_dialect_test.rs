//! Unit tests of `sql_dialect`: the statements each dialect writes.

use super::*;

fn texts(statements: &[SqlFragment]) -> Vec<&str> {
    statements.iter().map(SqlFragment::sql).collect()
}

#[test]
fn the_sqlite_acl_index_is_a_table_without_rowid_kept_by_three_triggers() {
    let ddl = acl_index_ddl(
        Dialect::Sqlite,
        &SqlIdent::from_static("tbl_books"),
        &SqlIdent::from_static("acl_books"),
    );
    assert_eq!(texts(&ddl), [
        "CREATE TABLE \"acl_books\" (record_id TEXT NOT NULL, access TEXT NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (access, entry, record_id)) WITHOUT ROWID",
        "CREATE INDEX \"ix.acl_books.record_id\" ON \"acl_books\" (record_id)",
        "CREATE TRIGGER \"acl_books.insert\" AFTER INSERT ON \"tbl_books\" BEGIN INSERT OR IGNORE INTO \"acl_books\" (record_id, access, entry) SELECT NEW.id, 'read_perm', value FROM json_each(NEW.read_perm); INSERT OR IGNORE INTO \"acl_books\" (record_id, access, entry) SELECT NEW.id, 'write_perm', value FROM json_each(NEW.write_perm); END",
        "CREATE TRIGGER \"acl_books.update\" AFTER UPDATE OF read_perm, write_perm ON \"tbl_books\" BEGIN DELETE FROM \"acl_books\" WHERE record_id = OLD.id; INSERT OR IGNORE INTO \"acl_books\" (record_id, access, entry) SELECT NEW.id, 'read_perm', value FROM json_each(NEW.read_perm); INSERT OR IGNORE INTO \"acl_books\" (record_id, access, entry) SELECT NEW.id, 'write_perm', value FROM json_each(NEW.write_perm); END",
        "CREATE TRIGGER \"acl_books.delete\" AFTER DELETE ON \"tbl_books\" BEGIN DELETE FROM \"acl_books\" WHERE record_id = OLD.id; END",
        "INSERT OR IGNORE INTO \"acl_books\" (record_id, access, entry) SELECT t.id, 'read_perm', j.value FROM \"tbl_books\" t, json_each(t.read_perm) j",
        "INSERT OR IGNORE INTO \"acl_books\" (record_id, access, entry) SELECT t.id, 'write_perm', j.value FROM \"tbl_books\" t, json_each(t.write_perm) j",
    ]);
}

#[test]
fn the_postgres_acl_index_is_kept_by_one_trigger_function() {
    let ddl = acl_index_ddl(
        Dialect::Postgres,
        &SqlIdent::from_static("tbl_books"),
        &SqlIdent::from_static("acl_books"),
    );
    assert_eq!(texts(&ddl), [
        "CREATE TABLE \"acl_books\" (record_id TEXT NOT NULL, access TEXT NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (access, entry, record_id))",
        "CREATE INDEX \"ix.acl_books.record_id\" ON \"acl_books\" (record_id)",
        "CREATE OR REPLACE FUNCTION \"acl_books_sync\"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP <> 'INSERT' THEN DELETE FROM \"acl_books\" WHERE record_id = OLD.id; END IF; IF TG_OP <> 'DELETE' THEN INSERT INTO \"acl_books\" (record_id, access, entry) SELECT NEW.id, 'read_perm', e FROM jsonb_array_elements_text(NEW.read_perm) AS e UNION SELECT NEW.id, 'write_perm', e FROM jsonb_array_elements_text(NEW.write_perm) AS e ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER \"acl_books_sync\" AFTER INSERT OR DELETE OR UPDATE OF read_perm, write_perm ON \"tbl_books\" FOR EACH ROW EXECUTE FUNCTION \"acl_books_sync\"()",
        "INSERT INTO \"acl_books\" (record_id, access, entry) SELECT t.id, 'read_perm', e FROM \"tbl_books\" t, jsonb_array_elements_text(t.read_perm) AS e UNION SELECT t.id, 'write_perm', e FROM \"tbl_books\" t, jsonb_array_elements_text(t.write_perm) AS e ON CONFLICT DO NOTHING",
    ]);
}

#[test]
fn a_row_document_is_one_json_object_on_sqlite() {
    let mut q = SqlFragment::new(Dialect::Sqlite);
    push_json_object(&mut q, &["a", "b"], |o, k| {
        o.push("'").push(k).push("', 1");
    });
    assert_eq!(q.sql(), "json_object('a', 1, 'b', 1)");
}

#[test]
fn a_wide_row_document_joins_objects_of_fifty_pairs_on_postgres() {
    let keys: Vec<String> = (0..51).map(|i| format!("k{i}")).collect();
    let mut q = SqlFragment::new(Dialect::Postgres);
    push_json_object(&mut q, &keys, |o, k| {
        o.push("'").push(k).push("', 1");
    });
    assert!(q.sql().starts_with("(jsonb_build_object('k0', 1, "));
    assert!(q
        .sql()
        .ends_with(") || jsonb_build_object('k50', 1))::text"));
    let mut empty = SqlFragment::new(Dialect::Postgres);
    push_json_object(&mut empty, &[] as &[String], |_, _| {});
    assert_eq!(empty.sql(), "'{}'");
}

#[test]
fn booleans_in_ddl_are_integers_on_sqlite() {
    assert_eq!(bool_literal(Dialect::Sqlite, true), "1");
    assert_eq!(bool_literal(Dialect::Postgres, false), "FALSE");
}

#[test]
fn only_postgres_needs_a_lock_statement_for_a_key() {
    assert!(key_lock(Dialect::Sqlite, "tbl_books", "k").is_none());
    let lock = key_lock(Dialect::Postgres, "tbl_books", "k").map(|q| q.sql().to_owned());
    assert_eq!(
        lock.as_deref(),
        Some("SELECT CAST(1 AS BIGINT) AS n FROM (SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))) AS locked")
    );
}
