//! The `credentials` table: one argon2id PHC string per user with a password.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::credentials;

/// The stored password hash of `user_id`, if the user has a password.
pub fn get_password_hash(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(credentials::table
        .filter(credentials::user_id.eq(user_id))
        .select(credentials::password_hash)
        .first::<String>(conn)
        .optional()?)
}

/// Sets (inserts or replaces) the password hash of `user_id`.
pub fn set_password_hash(
    conn: &mut AnyConnection,
    user_id: i64,
    hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    let updated = diesel::update(credentials::table.filter(credentials::user_id.eq(user_id)))
        .set((
            credentials::password_hash.eq(hash),
            credentials::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(credentials::table)
            .values((
                credentials::user_id.eq(user_id),
                credentials::password_hash.eq(hash),
                credentials::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes the password of `user_id` (it can then sign in only by other means).
pub fn delete_password_hash(conn: &mut AnyConnection, user_id: i64) -> Result<(), StoreError> {
    diesel::delete(credentials::table.filter(credentials::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}
