//! Counter fields kept exact: every insert, update and delete of a row that a
//! counter counts moves that counter by one, in the same transaction, with
//! the addition done by the database under the counting row's lock.

use serde_json::{Map, Value};

use super::error::RecordsError;
use crate::query::SqlValue;
use crate::schema::{ObjectType, TypeClass};
use crate::store::{counters, objects, AnyConnection};

/// Moves the counters `object`'s rows feed for a write that turned `before`
/// (`None`: created) into `after` (`None`: deleted).
pub fn on_write(
    conn: &mut AnyConnection,
    object: &ObjectType,
    before: Option<&Map<String, Value>>,
    after: Option<&Map<String, Value>>,
) -> Result<(), RecordsError> {
    for link in &object.counted_by {
        let was = before.and_then(|r| link.counted_in(r));
        let is = after.and_then(|r| link.counted_in(r));
        if was == is {
            continue;
        }
        let table = objects::sql_table_of(&link.target, link.target_class)?;
        for (id, delta) in [(was, -1), (is, 1)] {
            let Some(key) = id
                .as_deref()
                .and_then(|id| target_key(link.target_class, id))
            else {
                continue;
            };
            counters::add(conn, &table, &link.field, &key, delta)?;
        }
    }
    Ok(())
}

/// The stored id of a counting row given as pointer text.
fn target_key(class: TypeClass, id: &str) -> Option<SqlValue> {
    match class {
        TypeClass::Profile => id.parse().ok().map(SqlValue::Int),
        TypeClass::Table => Some(SqlValue::Text(id.to_owned())),
    }
}
