//! Audit entries of writes made for an admin (or the server on an admin's
//! behalf): which fields changed, with their old and new values, written in
//! the transaction of the write.

use serde_json::{json, Map, Value};

use super::error::RecordsError;
use super::fields::id_text;
use crate::schema::ObjectType;
use crate::store::audit::{self, Actor};
use crate::store::AnyConnection;

/// Fields that change on every write: not worth an audit line.
const NOISE: &[&str] = &["updated_at"];

/// `{field: {"old": …, "new": …}}` for every field whose value differs.
pub fn changes(before: Option<&Map<String, Value>>, after: Option<&Map<String, Value>>) -> Value {
    let empty = Map::new();
    let (old, new) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut out = Map::new();
    for key in old.keys().chain(new.keys()) {
        if NOISE.contains(&key.as_str()) || out.contains_key(key) {
            continue;
        }
        let (a, b) = (
            old.get(key).unwrap_or(&Value::Null),
            new.get(key).unwrap_or(&Value::Null),
        );
        if a != b {
            out.insert(key.clone(), json!({"old": a, "new": b}));
        }
    }
    Value::Object(out)
}

/// Records `verb` (`create`, `update`, `delete`) of a row of `object`.
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    verb: &str,
    object: &ObjectType,
    before: Option<&Map<String, Value>>,
    after: Option<&Map<String, Value>>,
) -> Result<(), RecordsError> {
    let noun = if object.is_profile() {
        "user"
    } else {
        "record"
    };
    let id = after.or(before).map(id_text);
    let entry = actor.entry(
        &format!("{noun}.{verb}"),
        &object.name,
        id,
        &changes(before, after),
    );
    Ok(audit::insert(conn, &entry)?)
}

#[cfg(test)]
#[path = "audit_test.rs"]
mod tests;
