//! List parameters shared by every list endpoint: `where`, `order_by`, `keys`,
//! `limit`, `offset`, `return_total_count`.

use serde_json::{Map, Value};

use crate::query::{FieldCatalog, QueryError};

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 20;
/// Largest page size.
pub const MAX_LIMIT: i64 = 1000;

/// Raw list parameters as decoded from the query string.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    /// `where` JSON.
    pub where_json: Option<String>,
    /// `order_by` comma list.
    pub order_by: Option<String>,
    /// `keys` comma list.
    pub keys: Option<String>,
    /// `limit`.
    pub limit: Option<String>,
    /// `offset`.
    pub offset: Option<String>,
    /// `return_total_count` was `1`/`true`.
    pub return_total_count: bool,
}

/// A page of records.
#[derive(Debug, Clone)]
pub struct ListResult {
    /// The records.
    pub objects: Vec<Map<String, Value>>,
    /// Total matches, when asked for.
    pub total_count: Option<i64>,
    /// Page size used.
    pub limit: i64,
    /// Offset used.
    pub offset: i64,
}

/// Parses `limit` (default 20, 0..=1000) and `offset` (default 0, ≥ 0).
pub fn parse_page(limit: Option<&str>, offset: Option<&str>) -> Result<(i64, i64), QueryError> {
    let parse =
        |param: &str, raw: Option<&str>, default: i64, max: i64| -> Result<i64, QueryError> {
            match raw.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(default),
                Some(s) => match s.parse::<i64>() {
                    Ok(n) if (0..=max).contains(&n) => Ok(n),
                    _ => Err(QueryError::new(
                        param,
                        format!("must be an integer from 0 to {max}"),
                    )),
                },
            }
        };
    Ok((
        parse("limit", limit, DEFAULT_LIMIT, MAX_LIMIT)?,
        parse("offset", offset, 0, i64::from(i32::MAX))?,
    ))
}

/// Which fields to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys {
    /// Every readable field.
    All,
    /// Only these (plus `id`).
    Include(Vec<String>),
    /// All but these.
    Exclude(Vec<String>),
}

impl Keys {
    /// Parses `keys`; every name must resolve through `catalog`; mixing `a` and `-b` is refused.
    pub fn parse(raw: Option<&str>, catalog: &dyn FieldCatalog) -> Result<Self, QueryError> {
        let parts: Vec<&str> = raw
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if parts.is_empty() {
            return Ok(Keys::All);
        }
        let excluded = parts.iter().filter(|p| p.starts_with('-')).count();
        if excluded != 0 && excluded != parts.len() {
            return Err(QueryError::new(
                "keys",
                "cannot mix included and excluded ('-') keys",
            ));
        }
        let names = parts
            .iter()
            .map(|p| {
                let name = p.trim_start_matches('-');
                catalog.resolve("keys", name).map(|_| name.to_owned())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(if excluded == 0 {
            Keys::Include(names)
        } else {
            Keys::Exclude(names)
        })
    }

    /// Applies the selection to one record.
    pub fn apply(&self, record: &mut Map<String, Value>) {
        match self {
            Keys::All => {}
            Keys::Include(names) => record.retain(|k, _| k == "id" || names.iter().any(|n| n == k)),
            Keys::Exclude(names) => record.retain(|k, _| !names.iter().any(|n| n == k)),
        }
    }
}

#[cfg(test)]
#[path = "list_test.rs"]
mod tests;
