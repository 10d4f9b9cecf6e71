//! Queries: Hydrogen's `where` JSON → a closed condition AST → SQL text plus bind
//! values for one dialect. Pure: no database access.
//!
//! Rules: field names resolve only through a [`FieldCatalog`] the caller supplies
//! (the schema's allow-list, filtered by what the caller may read); every value is
//! a bind parameter; depth, size, pattern length and compiled pattern size are
//! bounded.

mod condition;
mod dialect;
mod error;
mod operands;
mod order;
mod parse;
mod pattern;
mod render;
mod render_document;
mod render_geo;
mod sql;
mod sql_ident;

pub use condition::{AclIndex, Condition, Op};
pub use error::QueryError;
pub use operands::{operators_for, Operand, Operator, OPERATORS};
pub use order::{parse_order_by, OrderBy};
pub use parse::parse_where;
pub use pattern::{
    compile as compile_pattern, PatternError, MAX_COMPILED, MAX_DFA_CACHE, MAX_PATTERN, MAX_REGEXES,
};
pub use render::{render_condition, render_order, render_order_near};
pub use sql::{SqlFragment, SqlValue};
pub use sql_ident::{InvalidIdent, SqlIdent};

use crate::schema::FieldKind;

/// A field a query may name: its column and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryField {
    /// Column name (from the schema's allow-list).
    pub column: SqlIdent,
    /// Storage kind, which decides the operators and value types allowed.
    pub kind: FieldKind,
}

/// Resolves the field names a query uses. Implementations refuse fields that do
/// not exist and fields the caller may not read, with a message saying which.
pub trait FieldCatalog {
    /// Resolves `name` for use in `param` (`where`, `order_by`, `keys`).
    fn resolve(&self, param: &str, name: &str) -> Result<QueryField, QueryError>;
}
