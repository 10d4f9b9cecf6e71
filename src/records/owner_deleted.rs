//! A user's records when the user is deleted, by each table's
//! `on_owner_deleted`: kept with `created_by` cleared (the default), deleted
//! with the user, or the deletion refused while any exist. Runs in the
//! transaction that deletes the user, so either all of it happens or none.

use serde_json::Value;

use super::error::RecordsError;
use super::fields::{column, describe};
use super::who::Who;
use super::write::delete_checked;
use crate::domain::now_unix;
use crate::query::{Condition, SqlIdent, SqlValue};
use crate::schema::{FieldKind, ObjectType, OwnerDeleted, Snapshot};
use crate::store::objects::{self, Page};
use crate::store::{change_log, object_writes, AnyConnection};

/// The column holding a record's creator.
static CREATED_BY: SqlIdent = SqlIdent::from_static("created_by");

/// Rows handled per round, so a user with many records never loads them all.
const ROUND: i64 = 500;

fn owned_by(user: i64) -> Condition {
    Condition::equals(&CREATED_BY, FieldKind::Integer, SqlValue::Int(user))
}

/// Up to [`ROUND`] ids of `object`'s rows created by `user`.
fn owned_ids(
    conn: &mut AnyConnection,
    object: &ObjectType,
    user: i64,
) -> Result<Vec<String>, RecordsError> {
    let columns: Vec<_> = object.lookup("id").map(column).into_iter().collect();
    let page = Page {
        order: &[],
        tie_breaker: &SqlIdent::ID,
        limit: ROUND,
        offset: 0,
        near: None,
    };
    let rows = objects::select(
        conn,
        &objects::sql_table(object),
        &columns,
        &owned_by(user),
        &page,
    )?;
    Ok(rows
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect())
}

/// Applies every table's policy to the records of `user`, who is being
/// deleted in this transaction.
pub fn on_owner_deleted(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    user: i64,
) -> Result<(), RecordsError> {
    let policy = |t: &ObjectType| t.extension.on_owner_deleted.unwrap_or(OwnerDeleted::Keep);
    for table in snapshot
        .tables()
        .filter(|t| policy(t) == OwnerDeleted::Refuse)
    {
        let n = objects::count(conn, &objects::sql_table(table), &owned_by(user))?;
        if n > 0 {
            return Err(RecordsError::Forbidden(format!(
                "the user still has {n} record(s) in {}, which keeps a user while they exist; \
                 delete them first",
                describe(table)
            )));
        }
    }
    for table in snapshot.tables() {
        let sql = objects::sql_table(table);
        match policy(table) {
            OwnerDeleted::Refuse => {}
            OwnerDeleted::Delete => loop {
                let ids = owned_ids(conn, table, user)?;
                if ids.is_empty() {
                    break;
                }
                for id in ids {
                    delete_checked(conn, table, Who::server(), &SqlValue::Text(id))?;
                }
            },
            OwnerDeleted::Keep => loop {
                let ids = owned_ids(conn, table, user)?;
                if ids.is_empty() {
                    break;
                }
                let orphan = [("created_by".to_owned(), SqlValue::Null)];
                for id in ids {
                    object_writes::update(conn, &sql, &SqlValue::Text(id.clone()), None, &orphan)?;
                    change_log::record(conn, &table.name, &id, false, now_unix())?;
                }
            },
        }
    }
    Ok(())
}
