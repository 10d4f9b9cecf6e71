//! Parsing `order_by` (`a,-b`).

use super::error::QueryError;
use super::{FieldCatalog, QueryField};

/// One sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// The resolved field.
    pub field: QueryField,
    /// `-` prefix given.
    pub descending: bool,
}

/// Most sort keys accepted.
pub const MAX_SORT_KEYS: usize = 8;

/// Parses a comma list; empty entries are ignored. An empty list keeps the default order.
pub fn parse_order_by(
    raw: Option<&str>,
    catalog: &dyn FieldCatalog,
) -> Result<Vec<OrderBy>, QueryError> {
    let mut keys = Vec::new();
    for part in raw
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let (descending, name) = match part.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, part),
        };
        let field = catalog.resolve("order_by", name)?;
        if field.kind.is_json() {
            return Err(QueryError::new(
                "order_by",
                format!("cannot sort by '{name}' ({} field)", field.kind.type_name()),
            ));
        }
        keys.push(OrderBy { field, descending });
    }
    if keys.len() > MAX_SORT_KEYS {
        return Err(QueryError::new(
            "order_by",
            format!("at most {MAX_SORT_KEYS} sort keys"),
        ));
    }
    Ok(keys)
}
