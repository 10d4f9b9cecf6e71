//! The DDL of a data table's ACL index in each dialect: the table `acl`,
//! its `record_id` index, the triggers on `table` that keep it in step with
//! every write, and the statements filling it from the stored rows.

use crate::domain::Dialect;
use crate::query::{SqlFragment, SqlIdent};

/// The columns of an ACL index row.
const ACL_COLUMNS: &str = " (record_id, access, entry)";

/// The ACL index table's definition, up to its primary key.
const ACL_TABLE_BODY: &str = " (record_id TEXT NOT NULL, access TEXT NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (access, entry, record_id))";

/// The statements creating and filling the ACL index `acl` of `table`, in
/// order.
pub fn acl_index_ddl(dialect: Dialect, table: &SqlIdent, acl: &SqlIdent) -> Vec<SqlFragment> {
    let statement = |write: &dyn Fn(&mut SqlFragment)| {
        let mut q = SqlFragment::new(dialect);
        write(&mut q);
        q
    };
    let create_table = statement(&|q| {
        q.push("CREATE TABLE ").push_ident(acl).push(ACL_TABLE_BODY);
        if dialect == Dialect::Sqlite {
            q.push(" WITHOUT ROWID");
        }
    });
    let record_index = statement(&|q| {
        q.push("CREATE INDEX ")
            .push_ident(&SqlIdent::dotted("ix", &[acl]).suffixed(".record_id"))
            .push(" ON ")
            .push_ident(acl)
            .push(" (record_id)");
    });
    let mut all = vec![create_table, record_index];
    match dialect {
        Dialect::Sqlite => all.extend(
            sqlite_triggers(table, acl)
                .into_iter()
                .map(|f| statement(&f)),
        ),
        Dialect::Postgres => all.extend(
            postgres_triggers(table, acl)
                .into_iter()
                .map(|f| statement(&f)),
        ),
    }
    all
}

/// A statement written into a fresh fragment.
type Write<'a> = Box<dyn Fn(&mut SqlFragment) + 'a>;

/// `DELETE FROM acl WHERE record_id = OLD.id;`
fn delete_old(q: &mut SqlFragment, acl: &SqlIdent) {
    q.push("DELETE FROM ")
        .push_ident(acl)
        .push(" WHERE record_id = OLD.id;");
}

/// SQLite: a trigger per kind of write, then the fill from stored rows.
fn sqlite_triggers<'a>(table: &'a SqlIdent, acl: &'a SqlIdent) -> Vec<Write<'a>> {
    // Inserts the entries of row `NEW`'s ACL columns.
    let fill = move |q: &mut SqlFragment| {
        for access in ["read_perm", "write_perm"] {
            if access == "write_perm" {
                q.push(" ");
            }
            q.push("INSERT OR IGNORE INTO ")
                .push_ident(acl)
                .push(ACL_COLUMNS)
                .push(" SELECT NEW.id, '")
                .push(access)
                .push("', value FROM json_each(NEW.")
                .push(access)
                .push(");");
        }
    };
    let trigger = move |q: &mut SqlFragment, suffix: &'static str, when: &str| {
        q.push("CREATE TRIGGER ")
            .push_ident(&acl.suffixed(suffix))
            .push(" AFTER ")
            .push(when)
            .push(" ON ")
            .push_ident(table)
            .push(" BEGIN ");
    };
    let from_rows = move |access: &'static str| -> Write<'a> {
        Box::new(move |q: &mut SqlFragment| {
            q.push("INSERT OR IGNORE INTO ")
                .push_ident(acl)
                .push(ACL_COLUMNS)
                .push(" SELECT t.id, '")
                .push(access)
                .push("', j.value FROM ")
                .push_ident(table)
                .push(" t, json_each(t.")
                .push(access)
                .push(") j");
        })
    };
    vec![
        Box::new(move |q: &mut SqlFragment| {
            trigger(q, ".insert", "INSERT");
            fill(q);
            q.push(" END");
        }),
        Box::new(move |q: &mut SqlFragment| {
            trigger(q, ".update", "UPDATE OF read_perm, write_perm");
            delete_old(q, acl);
            q.push(" ");
            fill(q);
            q.push(" END");
        }),
        Box::new(move |q: &mut SqlFragment| {
            trigger(q, ".delete", "DELETE");
            delete_old(q, acl);
            q.push(" END");
        }),
        from_rows("read_perm"),
        from_rows("write_perm"),
    ]
}

/// PostgreSQL: one trigger function for every kind of write, its trigger,
/// then the fill from stored rows.
fn postgres_triggers<'a>(table: &'a SqlIdent, acl: &'a SqlIdent) -> Vec<Write<'a>> {
    let sync = acl.suffixed("_sync");
    let sync_fn = sync.clone();
    vec![
        Box::new(move |q: &mut SqlFragment| {
            q.push("CREATE OR REPLACE FUNCTION ")
                .push_ident(&sync_fn)
                .push("() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP <> 'INSERT' THEN ");
            delete_old(q, acl);
            q.push(" END IF; IF TG_OP <> 'DELETE' THEN INSERT INTO ")
                .push_ident(acl)
                .push(ACL_COLUMNS)
                .push(
                    " SELECT NEW.id, 'read_perm', e FROM jsonb_array_elements_text(NEW.read_perm) AS e \
                     UNION SELECT NEW.id, 'write_perm', e FROM jsonb_array_elements_text(NEW.write_perm) AS e \
                     ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $$",
                );
        }),
        Box::new(move |q: &mut SqlFragment| {
            q.push("CREATE TRIGGER ")
                .push_ident(&sync)
                .push(" AFTER INSERT OR DELETE OR UPDATE OF read_perm, write_perm ON ")
                .push_ident(table)
                .push(" FOR EACH ROW EXECUTE FUNCTION ")
                .push_ident(&sync)
                .push("()");
        }),
        Box::new(move |q: &mut SqlFragment| {
            q.push("INSERT INTO ")
                .push_ident(acl)
                .push(ACL_COLUMNS)
                .push(" SELECT t.id, 'read_perm', e FROM ")
                .push_ident(table)
                .push(" t, jsonb_array_elements_text(t.read_perm) AS e UNION SELECT t.id, 'write_perm', e FROM ")
                .push_ident(table)
                .push(" t, jsonb_array_elements_text(t.write_perm) AS e ON CONFLICT DO NOTHING");
        }),
    ]
}
