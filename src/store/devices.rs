//! `devices`: installations bound to users, for device logins.

use diesel::sql_types::BigInt;
use diesel::QueryableByName;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use crate::query::{SqlFragment, SqlValue};

/// The user bound to the device `device_hash`, noting the login.
pub fn login(
    conn: &mut AnyConnection,
    device_hash: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    #[derive(QueryableByName)]
    struct Bound {
        #[diesel(sql_type = BigInt)]
        user_id: i64,
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE devices SET last_login_at = ")
        .push_bind(SqlValue::Int(now))
        .push(" WHERE device_hash = ")
        .push_bind(SqlValue::Text(device_hash.to_owned()))
        .push(" RETURNING user_id");
    Ok(exec::load::<Bound>(conn, &q)?.first().map(|b| b.user_id))
}

/// Binds the device `device_hash` of `platform` to `user_id`.
pub fn bind(
    conn: &mut AnyConnection,
    device_hash: &str,
    user_id: i64,
    platform: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push(
        "INSERT INTO devices (device_hash, user_id, platform, created_at, last_login_at) VALUES (",
    )
    .push_bind(SqlValue::Text(device_hash.to_owned()))
    .push(", ")
    .push_bind(SqlValue::Int(user_id))
    .push(", ")
    .push_bind(SqlValue::Text(platform.to_owned()))
    .push(", ")
    .push_bind(SqlValue::Int(now))
    .push(", ")
    .push_bind(SqlValue::Int(now))
    .push(")");
    exec::execute(conn, &q)?;
    Ok(())
}
