//! Counts and sums by group (`GET …/table/{t}/aggregate/`): a read-only
//! query over the rows the caller may read, grouping and summing only fields
//! the caller may query, bounded like lists. Sums never overflow: an integer
//! field's sum is exact when it fits 64 bits and the nearest double beyond;
//! a number field's sum past ±1e308 is a 400 naming the field
//! ([`crate::store::aggregates`]).

use serde_json::{json, Map, Value};

use super::error::RecordsError;
use super::fields::{column, QueryFields};
use super::list::{parse_page, visible};
use super::service::{named, resolve, Records, Target};
use super::who::{Access, Viewer, Who};
use crate::domain::Principal;
use crate::query::{parse_where, FieldCatalog, QueryError};
use crate::store::aggregates::{self, Group, GroupOrder, Total, COUNT};
use crate::store::documents::Column;
use crate::store::objects;

/// Most fields one aggregate may group by.
pub const MAX_GROUP_FIELDS: usize = 4;
/// Most fields one aggregate may sum.
pub const MAX_SUM_FIELDS: usize = 8;

/// Raw aggregate parameters as decoded from the query string.
#[derive(Debug, Clone, Default)]
pub struct AggregateParams {
    /// `where` JSON.
    pub where_json: Option<String>,
    /// `group_by` comma list.
    pub group_by: Option<String>,
    /// `sum` comma list of numeric fields.
    pub sum: Option<String>,
    /// `order_by`: `count`, `-count` (the default) or a grouped field, `-` for descending.
    pub order_by: Option<String>,
    /// `limit` (groups, at most 1000) and `offset` is not supported.
    pub limit: Option<String>,
}

fn names(raw: Option<&str>) -> impl Iterator<Item = &str> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl Records {
    /// The groups of `target`'s rows the caller may read: each group's field
    /// values, its row count and the sums asked for.
    #[tracing::instrument(skip(self, caller))]
    pub async fn aggregate(
        &self,
        caller: &Principal,
        target: Target<'_>,
        params: AggregateParams,
    ) -> Result<Vec<Value>, RecordsError> {
        let who = Who::of(caller);
        let snapshot = self.live.load();
        let object = resolve(&snapshot, target)?;
        let fields = QueryFields {
            object,
            viewer: Viewer::for_queries(who),
        };
        let cond = parse_where(params.where_json.as_deref(), &fields)?;
        let resolve_all = |param: &str, raw: Option<&str>, max: usize| {
            let mut out: Vec<Column> = Vec::new();
            for name in names(raw) {
                let f = fields.resolve(param, name)?;
                let field = object.lookup(name).map(column).unwrap_or(Column {
                    name: f.column.as_str().to_owned(),
                    kind: f.kind,
                });
                if out.iter().any(|c| c.name == field.name) {
                    continue;
                }
                out.push(field);
            }
            if out.len() > max {
                return Err(QueryError::new(param, format!("at most {max} fields")));
            }
            Ok(out)
        };
        let group = resolve_all("group_by", params.group_by.as_deref(), MAX_GROUP_FIELDS)?;
        if let Some(bad) = group.iter().find(|c| c.kind.is_json()) {
            return Err(QueryError::new(
                "group_by",
                format!(
                    "cannot group by '{}' ({} field)",
                    bad.name,
                    bad.kind.type_name()
                ),
            )
            .into());
        }
        let sums = resolve_all("sum", params.sum.as_deref(), MAX_SUM_FIELDS)?;
        if let Some(bad) = sums.iter().find(|c| !c.kind.is_numeric()) {
            return Err(
                QueryError::new("sum", format!("'{}' is not a number field", bad.name)).into(),
            );
        }
        let order = group_order(params.order_by.as_deref(), &group)?;
        let (limit, _) = parse_page(params.limit.as_deref(), None)?;
        let filter = visible(object, who, Access::Read, cond);
        let name = object.name.clone();
        let rows = self
            .store
            .run(move |conn| {
                let object = named(&snapshot, &name)?;
                let table = objects::sql_table(object);
                aggregates::aggregate(conn, &table, &filter, &group, &sums, &order, limit)?
                    .into_iter()
                    .map(|g| group_wire(g, &group, &sums))
                    .collect::<Result<Vec<_>, RecordsError>>()
            })
            .await?;
        Ok(rows)
    }
}

/// The order of the groups: `-count` by default, then the grouped fields.
fn group_order(raw: Option<&str>, group: &[Column]) -> Result<Vec<GroupOrder>, QueryError> {
    let mut order = Vec::new();
    for part in names(raw) {
        let (descending, key) = match part.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, part),
        };
        let key = if key == "count" {
            COUNT.to_owned()
        } else if group.iter().any(|g| g.name == key) {
            key.to_owned()
        } else {
            return Err(QueryError::new(
                "order_by",
                format!("'{key}' is neither count nor a group_by field"),
            ));
        };
        order.push(GroupOrder { key, descending });
    }
    if order.is_empty() {
        order.push(GroupOrder {
            key: COUNT.into(),
            descending: true,
        });
    }
    for g in group {
        if !order.iter().any(|o| o.key == g.name) {
            order.push(GroupOrder {
                key: g.name.clone(),
                descending: false,
            });
        }
    }
    Ok(order)
}

/// One group as the API shows it: `{"group": {...}, "count": n, "sum": {...}}`.
/// A sum of a number field beyond ±1e308 is a 400 naming the field.
fn group_wire(g: Group, group: &[Column], sums: &[Column]) -> Result<Value, RecordsError> {
    let Group { mut doc, totals } = g;
    let mut by = Map::new();
    for c in group {
        by.insert(c.name.clone(), doc.remove(&c.name).unwrap_or(Value::Null));
    }
    let mut total = Map::new();
    for (s, t) in sums.iter().zip(totals) {
        let v = match t {
            Total::Number(v) if v.is_null() => json!(0),
            Total::Number(v) => v,
            Total::OutOfRange => {
                return Err(QueryError::new(
                    "sum",
                    format!(
                        "the sum of '{}' is beyond the range of numbers (±1e308)",
                        s.name
                    ),
                )
                .into())
            }
        };
        total.insert(s.name.clone(), v);
    }
    Ok(json!({
        "group": by,
        "count": doc.remove(COUNT).unwrap_or(json!(0)),
        "sum": total,
    }))
}
