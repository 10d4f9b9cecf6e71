//! Generated fields: the server fills them when a row is created, with a value
//! no other row holds (a unique index backs the check, so a value taken by a
//! concurrent write fails the insert rather than being stored twice).

use serde_json::{Map, Value};

use super::error::RecordsError;
use super::fields::describe;
use crate::query::{Condition, SqlIdent, SqlValue};
use crate::schema::ObjectType;
use crate::store::{objects, AnyConnection};

/// How many fresh values are tried before giving up: with an alphabet and
/// length leaving at least half the codes free, all failing has a chance
/// below one in a million.
const ATTEMPTS: usize = 20;

/// Fills each generated field of `object` that `row` lacks with a value no
/// stored row holds yet.
pub fn fill_generated(
    conn: &mut AnyConnection,
    object: &ObjectType,
    row: &mut Map<String, Value>,
) -> Result<(), RecordsError> {
    let table = objects::sql_table(object);
    for field in &object.fields {
        let Some(generator) = &field.generated else {
            continue;
        };
        let name = field.name.as_str();
        if row.get(name).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let mut fresh = None;
        for _ in 0..ATTEMPTS {
            let candidate = generator.generate();
            let taken = Condition::equals(
                &SqlIdent::from(&field.name),
                field.kind,
                SqlValue::Text(candidate.clone()),
            );
            if objects::count(conn, &table, &taken)? == 0 {
                fresh = Some(candidate);
                break;
            }
        }
        let value = fresh.ok_or_else(|| {
            RecordsError::Limit(format!(
                "{name}: no free value left after {ATTEMPTS} tries; the codes of {} are nearly \
                 used up (lengthen the code in the schema)",
                describe(object)
            ))
        })?;
        row.insert(name.to_owned(), Value::String(value));
    }
    Ok(())
}
