//! Relations read with a record: viewer-relative flags and reverse relations
//! (`schema::relations`). Both read the related table as the caller may —
//! its row ACLs and field rules — so neither reveals a record the caller
//! could not list.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::fields::{id_text, owner_of, readable_columns, QueryFields};
use super::list::visible;
use super::present::present;
use super::shape::Shape;
use super::who::{Access, Viewer, Who};
use crate::query::{parse_order_by, Condition, Op, QueryField, SqlIdent, SqlValue};
use crate::schema::{Builtin, FieldKind, ObjectType, ReadLinked, Snapshot};
use crate::store::documents::to_sql_value;
use crate::store::objects::{self, Page};
use crate::store::{AnyConnection, StoreError};

/// `field = value` on `source`, with the value typed as the column stores it
/// (`created_by` holds numbers, pointers hold text).
fn equals(source: &ObjectType, field: &str, values: &[String]) -> Result<Condition, StoreError> {
    let column = SqlIdent::parse(field).map_err(StoreError::from)?;
    let integer = source
        .lookup(field)
        .is_some_and(|f| f.builtin == Some(Builtin::CreatedBy));
    let typed = |v: &String| match (integer, v.parse::<i64>()) {
        (true, Ok(n)) => SqlValue::Int(n),
        _ => SqlValue::Text(v.clone()),
    };
    let kind = if integer {
        FieldKind::Integer
    } else {
        FieldKind::Pointer
    };
    Ok(Condition::Field {
        field: QueryField { column, kind },
        op: match values {
            [one] => Op::Eq(typed(one)),
            many => Op::In(many.iter().map(typed).collect()),
        },
    })
}

/// The literal conditions of a declared `where`: a list is "any one of".
fn literals(source: &ObjectType, filter: &[(String, Value)]) -> Vec<Condition> {
    filter
        .iter()
        .filter_map(|(name, literal)| {
            let field = source.field(name)?;
            Some(match literal {
                Value::Array(items) => Condition::Field {
                    field: QueryField {
                        column: SqlIdent::from(&field.name),
                        kind: field.kind,
                    },
                    op: Op::In(items.iter().map(|v| to_sql_value(field.kind, v)).collect()),
                },
                single => Condition::equals(
                    &SqlIdent::from(&field.name),
                    field.kind,
                    to_sql_value(field.kind, single),
                ),
            })
        })
        .collect()
}

/// Sets each viewer-relative flag of `object` on `records` (stored rows):
/// one query per flag for all of them. Guests get `false`.
pub fn add_viewer_flags(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    object: &ObjectType,
    who: Who,
    records: &mut [Map<String, Value>],
) -> Result<(), StoreError> {
    for field in &object.fields {
        let Some(link) = &field.viewer_link else {
            continue;
        };
        let (Some(source), Some(viewer)) = (snapshot.get(&link.table), who.user) else {
            for r in records.iter_mut() {
                r.insert(field.name.as_str().to_owned(), Value::Bool(false));
            }
            continue;
        };
        let ids: Vec<String> = records.iter().map(id_text).collect();
        if ids.is_empty() {
            continue;
        }
        let mut parts = vec![
            equals(source, &link.viewer, &[viewer.to_string()])?,
            equals(source, &link.record, &ids)?,
        ];
        parts.extend(literals(source, &link.filter));
        let cond = visible(source, who, Access::Read, Condition::And(parts));
        let linked =
            objects::distinct_texts(conn, &objects::sql_table(source), &link.record, &cond)?;
        for r in records.iter_mut() {
            let on = linked.contains(&id_text(r));
            r.insert(field.name.as_str().to_owned(), Value::Bool(on));
        }
    }
    Ok(())
}

/// Sets each reverse relation named in `shape.expand` on `records` (stored
/// rows): the related records the caller may read, presented, in the
/// declared order, at most the declared number (one query per record).
pub fn add_related(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    object: &ObjectType,
    who: Who,
    records: &mut [Map<String, Value>],
    shape: &Shape,
) -> Result<(), StoreError> {
    for name in &shape.expand {
        let Some(rel) = object.field(name).and_then(|f| f.related.as_ref()) else {
            continue;
        };
        let Some(source) = snapshot.get(&rel.table) else {
            continue;
        };
        let fields = QueryFields {
            object: source,
            viewer: Viewer::Admin,
        };
        let order = parse_order_by(Some(&rel.order_by), &fields)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let columns = readable_columns(source, Viewer::widest(who));
        let table = objects::sql_table(source);
        for r in records.iter_mut() {
            let mut parts = vec![equals(source, &rel.pointer, &[id_text(r)])?];
            parts.extend(literals(source, &rel.filter));
            let cond = visible(source, who, Access::Read, Condition::And(parts));
            let page = Page {
                order: &order,
                tie_breaker: &SqlIdent::ID,
                limit: i64::from(rel.limit),
                offset: 0,
                near: None,
            };
            let mut rows = objects::select(conn, &table, &columns, &cond, &page)?;
            for row in rows.iter_mut() {
                present(source, who, row, &Grants::none());
            }
            let list = rows.into_iter().map(Value::Object).collect();
            r.insert(name.clone(), Value::Array(list));
        }
    }
    Ok(())
}

/// For each field granted through links (`read_linked`), the owners whose
/// value the caller may read although it is theirs only.
#[derive(Debug, Default)]
pub struct Grants(BTreeMap<String, BTreeSet<i64>>);

impl Grants {
    /// No grants (where they were not computed, the fields stay hidden).
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether the caller may read `field` of a row owned by `owner`.
    pub fn allows(&self, field: &str, owner: Option<i64>) -> bool {
        owner.is_some_and(|o| self.0.get(field).is_some_and(|set| set.contains(&o)))
    }
}

/// The grants `object`'s `read_linked` fields give the caller over the
/// owners of `records`: per field one query (two when `mutual`). Only links
/// the owner made count (the schema requires `owner` to be `created_by`).
pub fn read_grants(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    object: &ObjectType,
    who: Who,
    records: &[Map<String, Value>],
) -> Result<Grants, StoreError> {
    let mut grants = Grants::none();
    let (Some(me), false) = (who.user, who.is_admin()) else {
        return Ok(grants);
    };
    let owners: BTreeSet<String> = records
        .iter()
        .filter_map(|r| owner_of(object, r))
        .filter(|o| *o != me)
        .map(|o| o.to_string())
        .collect();
    if owners.is_empty() {
        return Ok(grants);
    }
    let owners: Vec<String> = owners.into_iter().collect();
    for field in &object.fields {
        let Some(link) = &field.read_linked else {
            continue;
        };
        let Some(source) = snapshot.get(&link.table) else {
            continue;
        };
        let table = objects::sql_table(source);
        // Links the owners made to the caller; with `mutual`, only those the
        // caller answered with a link of their own.
        let mut linked = linked_owners(
            conn,
            source,
            &table,
            link,
            (&link.viewer, &link.owner),
            me,
            &owners,
        )?;
        if link.mutual && !linked.is_empty() {
            let answered = linked_owners(
                conn,
                source,
                &table,
                link,
                (&link.owner, &link.viewer),
                me,
                &owners,
            )?;
            linked.retain(|owner| answered.contains(owner));
        }
        grants.0.insert(field.name.as_str().to_owned(), linked);
    }
    Ok(grants)
}

/// The users among `owners` linked to `me` in `source` with `mine` on me and
/// `theirs` on them, and the grant's `where` values.
fn linked_owners(
    conn: &mut AnyConnection,
    source: &ObjectType,
    table: &str,
    link: &ReadLinked,
    (mine, theirs): (&String, &String),
    me: i64,
    owners: &[String],
) -> Result<BTreeSet<i64>, StoreError> {
    let mut parts = vec![
        equals(source, mine, &[me.to_string()])?,
        equals(source, theirs, owners)?,
    ];
    parts.extend(literals(source, &link.filter));
    let found = objects::distinct_texts(conn, table, theirs, &Condition::And(parts))?;
    Ok(found
        .iter()
        .filter_map(|id| id.parse::<i64>().ok())
        .collect())
}
