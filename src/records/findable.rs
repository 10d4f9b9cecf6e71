//! Whether a user may be found by an identifier: the profile's switches
//! declared `allows_find_by` (a user who turned one off is not found by that
//! identifier).

use serde_json::Value;

use super::error::RecordsError;
use super::fields::column;
use super::service::Records;
use crate::query::SqlValue;
use crate::schema::FindBy;
use crate::store::objects;

impl Records {
    /// Whether user `id` lets others find them by `by`: false when a switch
    /// for it is off, or the user does not exist.
    pub async fn findable(&self, id: i64, by: FindBy) -> Result<bool, RecordsError> {
        let snapshot = self.live.load();
        let profile = snapshot.profile();
        let switches: Vec<_> = profile
            .fields
            .iter()
            .filter(|f| f.allows_find_by == Some(by))
            .map(column)
            .collect();
        let table = objects::sql_table(profile);
        let row = self
            .store
            .run(move |conn| objects::get(conn, &table, &switches, &SqlValue::Int(id), false))
            .await?;
        Ok(row.is_some_and(|r| !r.values().any(|v| v == &Value::Bool(false))))
    }
}
