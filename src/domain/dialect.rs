//! The SQL flavours Protium speaks; shared vocabulary of the schema, query and store layers.

/// Which database a statement is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite 3.35+ (bundled).
    Sqlite,
    /// PostgreSQL 13+.
    Postgres,
}
