//! SQL text with bind values for one dialect, built piece by piece.
//!
//! Identifiers go through [`SqlFragment::push_ident`] as [`SqlIdent`]s (quoted;
//! only names of the schema or this crate can be one) and values through
//! [`SqlFragment::push_bind`], never into the text.

use super::sql_ident::SqlIdent;
use crate::domain::Dialect;

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// SQL NULL.
    Null,
    /// A boolean (an integer 0/1 on SQLite).
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Float(f64),
    /// Text.
    Text(String),
    /// A JSON document (TEXT on SQLite, JSONB on Postgres).
    Json(serde_json::Value),
}

/// SQL being built for one dialect, with its binds in placeholder order.
#[derive(Debug, Clone)]
pub struct SqlFragment {
    dialect: Dialect,
    sql: String,
    binds: Vec<SqlValue>,
}

impl SqlFragment {
    /// Starts an empty statement.
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            sql: String::new(),
            binds: Vec::new(),
        }
    }

    /// The target dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Appends trusted SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends `name` quoted, `"name"`: written as it stands, because an
    /// [`SqlIdent`] holds no quote (nor anything else that could end it).
    pub fn push_ident(&mut self, name: &SqlIdent) -> &mut Self {
        self.sql.push('"');
        self.sql.push_str(name.as_str());
        self.sql.push('"');
        self
    }

    /// Appends `name` as a string literal, `'name'`: the key of a column in a
    /// JSON object the database builds (`json_object('title', "title")`),
    /// where SQL wants text rather than an identifier. Safe for the same
    /// reason as [`SqlFragment::push_ident`]: an [`SqlIdent`] holds no `'`
    /// (nor `"`), so the literal cannot end early.
    pub fn push_ident_text(&mut self, name: &SqlIdent) -> &mut Self {
        self.sql.push('\'');
        self.sql.push_str(name.as_str());
        self.sql.push('\'');
        self
    }

    /// Appends a placeholder bound to `value` (`NULL` is written as a literal so
    /// Postgres need not guess the type of an untyped null parameter).
    pub fn push_bind(&mut self, value: SqlValue) -> &mut Self {
        if value == SqlValue::Null {
            self.sql.push_str("NULL");
            return self;
        }
        let is_json = matches!(value, SqlValue::Json(_));
        self.binds.push(value);
        match self.dialect {
            Dialect::Sqlite => self.sql.push('?'),
            Dialect::Postgres => {
                let n = self.binds.len();
                if is_json {
                    self.sql.push_str(&format!("CAST(${n} AS jsonb)"));
                } else {
                    self.sql.push_str(&format!("${n}"));
                }
            }
        }
        self
    }

    /// Appends `items` separated by `sep`, each written by `write`.
    pub fn push_list<T>(
        &mut self,
        items: &[T],
        sep: &str,
        mut write: impl FnMut(&mut Self, &T),
    ) -> &mut Self {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(sep);
            }
            write(self, item);
        }
        self
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The bind values in order.
    pub fn binds(&self) -> &[SqlValue] {
        &self.binds
    }
}

#[cfg(test)]
#[path = "sql_test.rs"]
mod tests;
