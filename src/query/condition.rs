//! The closed condition AST that `where` parses into.

use serde_json::Value;

use super::sql::SqlValue;
use super::sql_ident::SqlIdent;
use super::QueryField;
use crate::domain::{GeoPoint, GeoPolygon};
use crate::schema::FieldKind;

/// A boolean condition over one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// All must hold (an empty list always holds).
    And(Vec<Condition>),
    /// At least one must hold (an empty list never holds).
    Or(Vec<Condition>),
    /// Row-level access: the row's creator is `owner`, or its ACL (the
    /// `read_perm`/`write_perm` column) holds one of `grants`. Built by the
    /// records layer, never parsed from client input.
    Acl {
        /// `read_perm` or `write_perm`.
        column: &'static str,
        /// The caller's user id, if logged in.
        owner: Option<i64>,
        /// ACL entries that grant the caller access (`user:anonymous`, …).
        grants: Vec<String>,
        /// Where the rows' ACL entries are indexed, so the check is index
        /// lookups; `None` reads each row's JSON column.
        index: Option<AclIndex>,
    },
    /// True while the work is within its time budget (SQLite checks it on
    /// every row it examines; PostgreSQL has `statement_timeout`). Built by
    /// the records layer for reads.
    Budget,
    /// One operator applied to one field.
    Field {
        /// The resolved field.
        field: QueryField,
        /// The operator and its operand.
        op: Op,
    },
}

/// The tables of an indexed row-ACL check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclIndex {
    /// The checked table (`tbl_<name>`), for its creator index.
    pub rows: SqlIdent,
    /// The table of its ACL entries (`acl_<name>`, kept by triggers).
    pub entries: SqlIdent,
}

/// The operators of Hydrogen's query language supported here.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `$eq` (a null operand means "is null").
    Eq(SqlValue),
    /// `$ne` (also matches rows where the field is null).
    Ne(SqlValue),
    /// `$lt`.
    Lt(SqlValue),
    /// `$lte`.
    Lte(SqlValue),
    /// `$gt`.
    Gt(SqlValue),
    /// `$gte`.
    Gte(SqlValue),
    /// `$in`.
    In(Vec<SqlValue>),
    /// `$nin` (also matches null).
    Nin(Vec<SqlValue>),
    /// `$contains`: case-sensitive substring.
    Contains(String),
    /// `$icontains`: case-insensitive substring.
    IContains(String),
    /// `$regex` with `$options` containing `i` or not.
    Regex {
        /// The pattern (checked to compile).
        pattern: String,
        /// `$options` contained `i`.
        case_insensitive: bool,
    },
    /// `$exists`: for strings, true means present and non-empty.
    Exists(bool),
    /// `$isnull`.
    IsNull(bool),
    /// `$eq` on an array or object field: the whole document equals this one.
    JsonEq(Value),
    /// `$in` on an array field: some element is one of these scalars.
    ArrayIn(Vec<Value>),
    /// `$nin` on an array field: no element is one of these scalars.
    ArrayNin(Vec<Value>),
    /// `$all`: the array holds every one of these scalars.
    All(Vec<Value>),
    /// `$has_key`: the object has this top-level key.
    HasKey(String),
    /// `$range`: `start <= value < end`.
    Range(i64, i64),
    /// `$intersects`: the polygon field contains the point.
    Intersects(GeoPoint),
    /// `$within`: the point field lies inside the polygon.
    Within(GeoPolygon),
    /// `$center`: the point field lies within `radius_m` metres of `center`.
    Center {
        /// Centre of the circle.
        center: GeoPoint,
        /// Radius in metres (the wire gives kilometres).
        radius_m: f64,
    },
    /// `$nearsphere`: the point field lies between `min_m` and `max_m` metres
    /// of `point`; results are sorted nearest first.
    NearSphere {
        /// The reference point.
        point: GeoPoint,
        /// Least distance in metres.
        min_m: f64,
        /// Greatest distance in metres, if any.
        max_m: Option<f64>,
    },
}

impl Condition {
    /// `column = value` on a column of `kind` (`Op::Eq`).
    pub fn equals(column: &SqlIdent, kind: FieldKind, value: SqlValue) -> Self {
        Condition::Field {
            field: QueryField {
                column: column.clone(),
                kind,
            },
            op: Op::Eq(value),
        }
    }

    /// The `$nearsphere` that decides the sort order: one at the top level or
    /// directly inside a top-level `$and` (the first one found).
    pub fn near_sphere(&self) -> Option<(&SqlIdent, GeoPoint)> {
        match self {
            Condition::Field {
                field,
                op: Op::NearSphere { point, .. },
            } => Some((&field.column, *point)),
            Condition::And(items) => items.iter().find_map(|c| match c {
                Condition::And(_) => c.near_sphere(),
                Condition::Field { .. } => c.near_sphere(),
                Condition::Or(_) | Condition::Acl { .. } | Condition::Budget => None,
            }),
            _ => None,
        }
    }
}
