//! The `sessions` table. Rows are keyed by the SHA-256 of the token.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::sessions;

/// A session to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Owner.
    pub user_id: i64,
    /// `email`, `username`, `phone`, `anonymous`, …
    pub login_method: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Client address as seen by the server.
    pub ip_address: Option<String>,
    /// `User-Agent` header.
    pub user_agent: Option<String>,
}

/// A stored session.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    /// Owner.
    pub user_id: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// How the session was opened.
    pub login_method: String,
}

/// Stores a new session.
pub fn insert_session(conn: &mut AnyConnection, session: &NewSession) -> Result<(), StoreError> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)?;
    Ok(())
}

/// The session whose token hashes to `token_hash`, expired or not.
pub fn find_session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes one session; returns whether it existed.
pub fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> Result<bool, StoreError> {
    Ok(
        diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash)))
            .execute(conn)?
            > 0,
    )
}

/// Deletes every session of `user_id` except the one hashing to `keep` (if given).
pub fn delete_sessions_of_user(
    conn: &mut AnyConnection,
    user_id: i64,
    keep: Option<&str>,
) -> Result<usize, StoreError> {
    let mine = sessions::table.filter(sessions::user_id.eq(user_id));
    Ok(match keep {
        Some(k) => diesel::delete(mine.filter(sessions::token_hash.ne(k))).execute(conn)?,
        None => diesel::delete(mine).execute(conn)?,
    })
}
