//! `where` on file lists, in the query language records use: the fields a
//! file list may be filtered on (`id`, `name`, `size`, `category_id`,
//! `category_name`, `created_at`), each with the operators of its kind, so
//! `File.find` with a `Query` (`contains('name', …)`,
//! `FileCategory.getFileList`'s `category_id $in`) works as in Hydrogen.

use crate::query::{parse_where, Condition, FieldCatalog, QueryError, QueryField, SqlIdent};
use crate::schema::FieldKind;

/// The columns of `uploaded_files` a `where` may name, with their kinds.
const FIELDS: [(&str, FieldKind); 6] = [
    ("id", FieldKind::String),
    ("name", FieldKind::String),
    ("size", FieldKind::Integer),
    ("category_id", FieldKind::String),
    ("category_name", FieldKind::String),
    ("created_at", FieldKind::Integer),
];

/// Resolves the fields of a file list's `where`.
struct FileFields;

impl FieldCatalog for FileFields {
    fn resolve(&self, param: &str, name: &str) -> Result<QueryField, QueryError> {
        let (column, kind) = FIELDS.iter().find(|(f, _)| *f == name).ok_or_else(|| {
            let names: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
            QueryError::new(
                param,
                format!(
                    "files are filtered on {}; not on '{name}'",
                    names.join(", ")
                ),
            )
        })?;
        Ok(QueryField {
            column: SqlIdent::from_static(column),
            kind: *kind,
        })
    }
}

/// The condition of a file list's `where` (none: every file).
pub fn parse_file_where(raw: Option<&str>) -> Result<Condition, QueryError> {
    parse_where(raw, &FileFields)
}

#[cfg(test)]
#[path = "filter_test.rs"]
mod tests;
