//! The closed condition AST that `where` parses into.

use super::sql::SqlValue;
use super::QueryField;

/// A boolean condition over one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// All must hold (an empty list always holds).
    And(Vec<Condition>),
    /// At least one must hold (an empty list never holds).
    Or(Vec<Condition>),
    /// One operator applied to one field.
    Field {
        /// The resolved field.
        field: QueryField,
        /// The operator and its operand.
        op: Op,
    },
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
}
