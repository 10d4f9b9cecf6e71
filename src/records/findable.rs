//! Finding users: the profile's switches declared `allows_find_by` (a user who
//! turned one off is not found by that identifier), the fields declared
//! `find_key` users may be found by, and the field declared `device_platform`
//! the server keeps.

use serde_json::Value;

use super::error::RecordsError;
use super::fields::column;
use super::service::Records;
use crate::domain::InvalidInput;
use crate::query::{Condition, SqlIdent, SqlValue};
use crate::schema::{FieldKind, FindBy};
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
            .filter(|f| f.allows_find_by.as_ref() == Some(&by))
            .map(column)
            .collect();
        let table = objects::sql_table(profile);
        let row = self
            .store
            .run(move |conn| objects::get(conn, &table, &switches, &SqlValue::Int(id), false))
            .await?;
        Ok(row.is_some_and(|r| !r.values().any(|v| v == &Value::Bool(false))))
    }

    /// The profile fields declared `find_key`.
    pub fn find_keys(&self) -> Vec<String> {
        let snapshot = self.live.load();
        snapshot
            .profile()
            .fields
            .iter()
            .filter(|f| f.find_key)
            .map(|f| f.name.as_str().to_owned())
            .collect()
    }

    /// The user whose `find_key` field `key` holds exactly `value`.
    pub async fn user_with_key(&self, key: &str, value: &str) -> Result<Option<i64>, RecordsError> {
        let snapshot = self.live.load();
        let profile = snapshot.profile();
        let Some(key_field) = profile.field(key).filter(|f| f.find_key) else {
            return Ok(None);
        };
        let table = objects::sql_table(profile);
        let id_column: Vec<_> = profile.lookup("id").map(column).into_iter().collect();
        let cond = Condition::equals(
            &SqlIdent::from(&key_field.name),
            FieldKind::String,
            SqlValue::Text(value.to_owned()),
        );
        let row = self
            .store
            .run(move |conn| objects::select_first(conn, &table, &id_column, &cond))
            .await?;
        Ok(row
            .as_ref()
            .and_then(|r| r.get("id"))
            .and_then(|v| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            }))
    }

    /// The profile table and the column declared `device_platform`, if any,
    /// once `platform` fits that field's rules (an `enum`, say).
    pub fn device_platform_column(
        &self,
        platform: &str,
    ) -> Result<Option<(String, String)>, InvalidInput> {
        let snapshot = self.live.load();
        let profile = snapshot.profile();
        let Some(field) = profile.fields.iter().find(|f| f.device_platform) else {
            return Ok(None);
        };
        let name = field.name.as_str();
        field
            .validate(&Value::String(platform.to_owned()))
            .map_err(|e| {
                InvalidInput::new(
                    "platform",
                    format!("does not fit the profile's '{name}': {}", e.rule),
                )
            })?;
        Ok(Some((
            objects::sql_table(profile).to_string(),
            name.to_owned(),
        )))
    }
}
