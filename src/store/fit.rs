//! Which stored rows would not fit a narrowing schema change: counted in the
//! database, with a few ids to look at.

use diesel::sql_types::Text;
use diesel::QueryableByName;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec::{self, IntRow};
use crate::query::{SqlFragment, SqlValue};
use crate::schema::Narrowing;

/// Rows that would not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfits {
    /// How many.
    pub count: i64,
    /// Up to five of their ids.
    pub sample: Vec<String>,
}

/// The rows of `table` whose `column` breaks `rule`; `column_exists` is false
/// for a field not added yet (then every row lacks it).
pub fn misfits(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    rule: &Narrowing,
    column_exists: bool,
) -> Result<Misfits, StoreError> {
    let dialect = conn.dialect();
    let table = exec::ident(table)?;
    let column = exec::ident(column)?;
    let condition = |q: &mut SqlFragment| {
        if !column_exists {
            q.push("1 = 1");
            return;
        }
        let col = |q: &mut SqlFragment| {
            q.push_ident(&column);
        };
        match rule {
            Narrowing::TypeChange(..) => {
                col(q);
                q.push(" IS NOT NULL");
            }
            Narrowing::MaxLength(n) => {
                q.push("length(");
                col(q);
                q.push(") > ").push_bind(SqlValue::Int(*n as i64));
            }
            Narrowing::MinLength(n) => {
                q.push("length(");
                col(q);
                q.push(") < ").push_bind(SqlValue::Int(*n as i64));
            }
            Narrowing::Maximum(n) => {
                col(q);
                q.push(" > ").push_bind(SqlValue::Float(*n));
            }
            Narrowing::Minimum(n) => {
                col(q);
                q.push(" < ").push_bind(SqlValue::Float(*n));
            }
            Narrowing::Enum(values) => {
                col(q);
                q.push(" IS NOT NULL AND ");
                col(q);
                q.push(" NOT IN (");
                q.push_list(values, ", ", |o, v| {
                    o.push_bind(match v {
                        serde_json::Value::String(s) => SqlValue::Text(s.clone()),
                        serde_json::Value::Number(n) if n.is_i64() => {
                            SqlValue::Int(n.as_i64().unwrap_or_default())
                        }
                        serde_json::Value::Number(n) => {
                            SqlValue::Float(n.as_f64().unwrap_or_default())
                        }
                        serde_json::Value::Bool(b) => SqlValue::Bool(*b),
                        other => SqlValue::Text(other.to_string()),
                    });
                });
                q.push(")");
            }
            Narrowing::Required => {
                col(q);
                q.push(" IS NULL");
            }
        }
    };
    let mut count = SqlFragment::new(dialect);
    count
        .push("SELECT COUNT(*) AS n FROM ")
        .push_ident(&table)
        .push(" WHERE ");
    condition(&mut count);
    let n = exec::load::<IntRow>(conn, &count)?
        .first()
        .map_or(0, |r| r.n);
    if n == 0 {
        return Ok(Misfits {
            count: 0,
            sample: Vec::new(),
        });
    }
    #[derive(QueryableByName)]
    struct IdRow {
        #[diesel(sql_type = Text)]
        id: String,
    }
    let mut ids = SqlFragment::new(dialect);
    ids.push("SELECT CAST(id AS TEXT) AS id FROM ")
        .push_ident(&table)
        .push(" WHERE ");
    condition(&mut ids);
    ids.push(" ORDER BY id LIMIT 5");
    Ok(Misfits {
        count: n,
        sample: exec::load::<IdRow>(conn, &ids)?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    })
}
