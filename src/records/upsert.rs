//! Create-or-update by a unique key in one request (`POST …/record/?upsert=`),
//! atomic under concurrency: the key is locked for the transaction, then the
//! row holding it is updated, or a new one created.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::error::RecordsError;
use super::fields::{column, describe};
use super::prepare::{prepare_create, prepare_update};
use super::service::{may_create, resolve, Records, Target};
use super::shape::Shape;
use super::who::{Viewer, Who};
use super::write::{insert_checked, update_checked};
use crate::domain::Principal;
use crate::query::{Condition, QueryError, SqlIdent};
use crate::schema::ObjectType;
use crate::store::documents::to_sql_value;
use crate::store::object_writes;
use crate::store::objects;

/// Fields an upsert body never changes on an existing row: the key, and what
/// only a create sets.
const CREATE_ONLY: &[&str] = &["created_by", "created_at", "updated_at"];

/// The key fields named by `raw`, when they are a uniqueness of `object`: a
/// unique field, the fields of a unique rule without `where`, or `created_by`
/// on a table of one record per owner.
fn upsert_key(object: &ObjectType, raw: &str) -> Result<Vec<String>, QueryError> {
    let names: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let unique_field =
        matches!(names.as_slice(), [one] if object.field(one).is_some_and(|f| f.unique));
    let unique_rule = object.rules.uniques.iter().any(|u| {
        u.filter.is_empty() && u.fields.iter().map(String::as_str).collect::<BTreeSet<_>>() == set
    });
    let one_per_owner = names == ["created_by"] && object.rules.max_per_owner == Some(1);
    if names.is_empty() || !(unique_field || unique_rule || one_per_owner) {
        return Err(QueryError::new(
            "upsert",
            format!(
                "'{raw}' is not a unique key of {}: name a unique field, the fields of a unique \
                 rule, or created_by on a table of one record per user",
                describe(object)
            ),
        ));
    }
    Ok(names)
}

impl Records {
    /// Updates the row of `table` whose `key` fields hold the body's values
    /// (`created_by`: the caller), or creates it. Returns the row as the
    /// caller sees it and whether it was created.
    #[tracing::instrument(skip(self, caller, body))]
    pub async fn upsert(
        &self,
        caller: &Principal,
        table: &str,
        key: &str,
        body: Value,
        expand: Option<&str>,
    ) -> Result<(Map<String, Value>, bool), RecordsError> {
        let who = Who::of(caller);
        let snapshot = self.live.load();
        let object = resolve(&snapshot, Target::Table(table))?;
        let shape = Shape::parse(object, Viewer::for_queries(who), None, expand)?;
        let names = upsert_key(object, key)?;
        let fields = body
            .as_object()
            .cloned()
            .ok_or_else(|| QueryError::new("body", "a record is a JSON object of field values"))?;
        let row = prepare_create(object, who, &body)?;
        let mut key_values = Vec::with_capacity(names.len());
        for name in &names {
            let value = row.get(name).cloned().unwrap_or(Value::Null);
            if value.is_null() {
                return Err(QueryError::new(
                    "upsert",
                    format!("the key field '{name}' needs a value in the body"),
                )
                .into());
            }
            key_values.push((name.clone(), value));
        }
        // On an existing row the body is an update: without the key and what
        // only a create sets.
        let update_body: Map<String, Value> = fields
            .into_iter()
            .filter(|(k, _)| !names.contains(k) && !CREATE_ONLY.contains(&k.as_str()))
            .collect();
        let changes = prepare_update(object, who, &update_body)?;
        let may_insert = may_create(who, object);
        let name = object.name.clone();
        let links = self.links.clone();
        self.write_one_reporting(
            snapshot,
            name,
            who,
            shape,
            None,
            move |conn, snapshot, object| {
                let table = objects::sql_table(object);
                let lock: Vec<String> = key_values.iter().map(|(_, v)| v.to_string()).collect();
                object_writes::lock_key(conn, &table, &lock.join("\u{1f}"))?;
                let cond = Condition::And(
                    key_values
                        .iter()
                        .filter_map(|(n, v)| {
                            let f = object.lookup(n)?;
                            Some(SqlIdent::parse(n).map(|column| {
                                Condition::equals(&column, f.kind, to_sql_value(f.kind, v))
                            }))
                        })
                        .collect::<Result<_, _>>()
                        .map_err(crate::store::StoreError::from)?,
                );
                let id_column = object
                    .lookup("id")
                    .map(column)
                    .into_iter()
                    .collect::<Vec<_>>();
                let found = objects::select_first(conn, &table, &id_column, &cond)?;
                match found
                    .as_ref()
                    .and_then(|r| r.get("id"))
                    .and_then(Value::as_str)
                {
                    Some(id) => {
                        let id = crate::query::SqlValue::Text(id.to_owned());
                        let updated =
                            update_checked(conn, snapshot, object, who, &links, &id, &changes)?;
                        Ok((Some(updated.before), updated.after))
                    }
                    None => {
                        may_insert?;
                        Ok((
                            None,
                            insert_checked(conn, snapshot, object, who, &links, row)?,
                        ))
                    }
                }
            },
        )
        .await
    }
}
