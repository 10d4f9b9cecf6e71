//! Snapshot tests of the generated SQL: every operator of the table
//! ([`OPERATORS`]) on every field kind it applies to, rendered for each
//! dialect with its binds. A new operator without a sample operand here fails;
//! a change to the SQL of any operator shows as a snapshot diff.

use serde_json::{json, Value};

use super::*;
use crate::domain::Dialect;
use crate::query::{
    operators_for, parse_where, FieldCatalog, Operand, Operator, QueryError, QueryField, SqlIdent,
};

/// One field per kind, named for its kind.
struct EveryKind;

impl FieldCatalog for EveryKind {
    fn resolve(&self, _param: &str, name: &str) -> Result<QueryField, QueryError> {
        let kind = FieldKind::ALL
            .into_iter()
            .find(|k| column_of(*k) == name)
            .expect("a kind's field");
        Ok(QueryField {
            column: SqlIdent::parse(name).expect("a kind's column"),
            kind,
        })
    }
}

fn column_of(kind: FieldKind) -> String {
    kind.type_name().replace(' ', "_")
}

/// A value of `kind`.
fn sample(kind: FieldKind, second: bool) -> Value {
    match (kind, second) {
        (FieldKind::String, false) => json!("a"),
        (FieldKind::String, true) => json!("b"),
        (FieldKind::Integer, false) => json!(3),
        (FieldKind::Integer, true) => json!(4),
        (FieldKind::Number, false) => json!(1.5),
        (FieldKind::Number, true) => json!(2.5),
        (FieldKind::Date, false) => json!("2024-01-02T03:04:05Z"),
        (FieldKind::Date, true) => json!("2024-02-03T04:05:06Z"),
        (FieldKind::Boolean, _) => json!(true),
        (FieldKind::Pointer, false) => json!("abc"),
        (FieldKind::Pointer, true) => json!("def"),
        (FieldKind::Array, false) => json!("a"),
        (FieldKind::Array, true) => json!(2),
        (FieldKind::Object, _) => json!({"k": 1}),
        (FieldKind::Point, _) => json!({"type": "Point", "coordinates": [1, 2]}),
        (FieldKind::Polygon, _) => {
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
        }
        // File fields take only $exists and $isnull, whose operand is a flag.
        (FieldKind::File | FieldKind::Files, _) => json!({"id": "f"}),
    }
}

/// The operand of `op` on a field of `kind`.
fn operand(op: &Operator, kind: FieldKind) -> Value {
    match (op.operand, op.name) {
        (Operand::Value, _) if kind == FieldKind::Array => json!(["a", 2]),
        (Operand::Value, _) => sample(kind, false),
        (Operand::Values, _) => json!([sample(kind, false), sample(kind, true)]),
        (Operand::Range, _) => json!([1, 5]),
        (Operand::Flag, _) => json!(true),
        (Operand::Text, _) => json!("ab"),
        (Operand::Pattern, _) => json!("^a.c"),
        (Operand::Key, _) => json!("k"),
        (Operand::Geometry, "$within") => sample(FieldKind::Polygon, false),
        (Operand::Geometry, "$center") => json!({"radius": 2, "coordinates": [1, 2]}),
        (Operand::Geometry, "$nearsphere") => json!({
            "geometry": {"type": "Point", "coordinates": [1, 2]},
            "min_distance": 10,
            "max_distance": 100,
        }),
        (Operand::Geometry, "$intersects") => sample(FieldKind::Point, false),
        (Operand::Geometry, other) => panic!("add a sample operand for {other}"),
    }
}

/// Every operator on every kind it applies to, as `where → SQL | binds` lines.
fn rendered(dialect: Dialect) -> String {
    let mut lines = Vec::new();
    for kind in FieldKind::ALL {
        for op in operators_for(kind) {
            let column = column_of(kind);
            let query = json!({ column.clone(): { op.name: operand(op, kind) } }).to_string();
            let cond =
                parse_where(Some(&query), &EveryKind).unwrap_or_else(|e| panic!("{query}: {e:?}"));
            let mut out = SqlFragment::new(dialect);
            render_condition(&cond, &mut out);
            lines.push(format!("{query}\n    {}\n    {:?}", out.sql(), out.binds()));
        }
    }
    lines.join("\n")
}

#[test]
fn every_operator_renders_for_sqlite() {
    insta::assert_snapshot!(rendered(Dialect::Sqlite));
}

#[test]
fn every_operator_renders_for_postgres() {
    insta::assert_snapshot!(rendered(Dialect::Postgres));
}
