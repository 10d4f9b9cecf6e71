//! `devices`: installations bound to users, for device logins.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::devices;

/// The user bound to the device `device_hash`, noting the login.
pub fn login(
    conn: &mut AnyConnection,
    device_hash: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(
        diesel::update(devices::table.filter(devices::device_hash.eq(device_hash)))
            .set(devices::last_login_at.eq(now))
            .returning(devices::user_id)
            .get_result::<i64>(conn)
            .optional()?,
    )
}

/// Binds the device `device_hash` of `platform` to `user_id`.
pub fn bind(
    conn: &mut AnyConnection,
    device_hash: &str,
    user_id: i64,
    platform: &str,
    now: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(devices::table)
        .values((
            devices::device_hash.eq(device_hash),
            devices::user_id.eq(user_id),
            devices::platform.eq(platform),
            devices::created_at.eq(now),
            devices::last_login_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
