//! Write guards at work: each create and update of a type with
//! `x-protium.guards` is checked against its rules, with the row before
//! (`old`, null on create) and after (`new`), the `caller` and `now`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::error::RecordsError;
use super::who::Who;
use crate::domain::InvalidInput;
use crate::schema::{cel_now, to_cel, FieldKind, GuardRefusal, ObjectType};

/// Refuses the write unless every guard of `object` that applies holds. A
/// rule that cannot be evaluated (it reads a field the row lacks) refuses too.
pub fn check_guards(
    object: &ObjectType,
    who: Who,
    old: Option<&Map<String, Value>>,
    new: &Map<String, Value>,
) -> Result<(), RecordsError> {
    let applies = |g: &&crate::schema::Guard| {
        if old.is_some() {
            g.on_update
        } else {
            g.on_create
        }
    };
    for guard in object.guards.iter().filter(applies) {
        let mut vars = BTreeMap::new();
        for name in guard.rule.variables() {
            let value = match name.as_str() {
                "old" => old.map_or(cel::Value::Null, |r| row_value(object, r)),
                "new" => row_value(object, new),
                "caller" => to_cel(
                    &json!({
                        "id": who.user,
                        "admin": who.is_admin(),
                        "anonymous": who.anonymous,
                    }),
                    false,
                ),
                _ => cel_now(),
            };
            vars.insert(name.as_str(), value);
        }
        if guard.rule.eval(vars).ok() == Some(cel::Value::Bool(true)) {
            continue;
        }
        let message = match &guard.field {
            Some(f) => format!("{f}: {}", guard.message),
            None => guard.message.clone(),
        };
        return Err(match guard.refuse {
            GuardRefusal::Forbidden => RecordsError::Forbidden(message),
            GuardRefusal::Invalid => InvalidInput::new(
                guard.field.clone().unwrap_or_else(|| "body".into()),
                guard.message.clone(),
            )
            .into(),
        });
    }
    Ok(())
}

/// A stored row as a CEL map, dates as timestamps.
fn row_value(object: &ObjectType, row: &Map<String, Value>) -> cel::Value {
    let entries: std::collections::HashMap<String, cel::Value> = row
        .iter()
        .map(|(k, v)| {
            let date = object.lookup(k).is_some_and(|f| f.kind == FieldKind::Date);
            (k.clone(), to_cel(v, date))
        })
        .collect();
    cel::Value::from(entries)
}
