//! `where` on file and category lists, in the query language records use:
//! the fields a list may be filtered on, each with the operators of its
//! kind, so `File.find` and `FileCategory.find` with a `Query`
//! (`contains('name', …)`, `FileCategory.getFileList`'s `category_id $in`)
//! work as in Hydrogen.

use crate::query::{parse_where, Condition, FieldCatalog, QueryError, QueryField, SqlIdent};
use crate::schema::FieldKind;

/// The columns of `uploaded_files` a file list's `where` may name.
const FILE_FIELDS: &[(&str, FieldKind)] = &[
    ("id", FieldKind::String),
    ("name", FieldKind::String),
    ("size", FieldKind::Integer),
    ("category_id", FieldKind::String),
    ("category_name", FieldKind::String),
    ("created_at", FieldKind::Integer),
];

/// The columns of `file_categories` a category list's `where` may name.
const CATEGORY_FIELDS: &[(&str, FieldKind)] = &[
    ("id", FieldKind::String),
    ("name", FieldKind::String),
    ("created_at", FieldKind::Integer),
    ("updated_at", FieldKind::Integer),
];

/// Resolves the fields of a list's `where` among `fields`.
struct Columns {
    fields: &'static [(&'static str, FieldKind)],
    what: &'static str,
}

impl FieldCatalog for Columns {
    fn resolve(&self, param: &str, name: &str) -> Result<QueryField, QueryError> {
        let (column, kind) = self
            .fields
            .iter()
            .find(|(f, _)| *f == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.fields.iter().map(|(f, _)| *f).collect();
                QueryError::new(
                    param,
                    format!(
                        "{} are filtered on {}; not on '{name}'",
                        self.what,
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
    let columns = Columns {
        fields: FILE_FIELDS,
        what: "files",
    };
    parse_where(raw, &columns)
}

/// The condition of a category list's `where` (none: every category).
pub fn parse_category_where(raw: Option<&str>) -> Result<Condition, QueryError> {
    let columns = Columns {
        fields: CATEGORY_FIELDS,
        what: "file categories",
    };
    parse_where(raw, &columns)
}

#[cfg(test)]
#[path = "filter_test.rs"]
mod tests;
