//! Admin accounts, their sessions, and API keys (system tables). Secrets are
//! stored only as hashes: argon2id for passwords, SHA-256 for tokens and keys.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::{admin_accounts, admin_sessions, api_keys};

/// An admin account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = admin_accounts)]
pub struct AdminRow {
    /// Id.
    pub id: i64,
    /// Sign-in address.
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// Creates an admin account; returns its id.
pub fn insert_admin(
    conn: &mut AnyConnection,
    email: &str,
    password_hash: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(admin_accounts::table)
        .values((
            admin_accounts::email.eq(email),
            admin_accounts::password_hash.eq(password_hash),
            admin_accounts::created_at.eq(now),
        ))
        .returning(admin_accounts::id)
        .get_result(conn)?)
}

/// The admin signing in with `email`.
pub fn find_admin(conn: &mut AnyConnection, email: &str) -> Result<Option<AdminRow>, StoreError> {
    Ok(admin_accounts::table
        .filter(admin_accounts::email.eq(email))
        .select(AdminRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores an admin session.
pub fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    admin_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(admin_sessions::table)
        .values((
            admin_sessions::token_hash.eq(token_hash),
            admin_sessions::admin_id.eq(admin_id),
            admin_sessions::created_at.eq(now),
            admin_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The admin (id, email) of an unexpired session.
pub fn session_admin(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(admin_sessions::table
        .inner_join(admin_accounts::table.on(admin_accounts::id.eq(admin_sessions::admin_id)))
        .filter(admin_sessions::token_hash.eq(token_hash))
        .filter(admin_sessions::expires_at.gt(now))
        .select((admin_accounts::id, admin_accounts::email))
        .first(conn)
        .optional()?)
}

/// Ends an admin session; unknown tokens are ignored.
pub fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> Result<(), StoreError> {
    diesel::delete(admin_sessions::table.filter(admin_sessions::token_hash.eq(token_hash)))
        .execute(conn)?;
    Ok(())
}

/// An API key as listed (never its secret).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct KeyRow {
    /// Id.
    pub id: i64,
    /// Name given by its creator.
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    /// JSON array of scopes.
    pub scopes: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Who created it.
    pub created_by: String,
    /// Unix seconds, if it expires.
    pub expires_at: Option<i64>,
    /// Unix seconds, last authenticated request.
    pub last_used_at: Option<i64>,
    /// Unix seconds, if revoked.
    pub revoked_at: Option<i64>,
}

/// A key to store.
#[derive(Debug)]
pub struct NewKey<'a> {
    /// Name.
    pub name: &'a str,
    /// Recognisable prefix.
    pub prefix: &'a str,
    /// SHA-256 of the key.
    pub key_hash: &'a str,
    /// JSON array of scopes.
    pub scopes: &'a str,
    /// Unix seconds.
    pub created_at: i64,
    /// Who created it.
    pub created_by: &'a str,
    /// Expiry.
    pub expires_at: Option<i64>,
}

/// Stores a key; returns its id.
pub fn insert_key(conn: &mut AnyConnection, key: &NewKey<'_>) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(api_keys::table)
        .values((
            api_keys::name.eq(key.name),
            api_keys::prefix.eq(key.prefix),
            api_keys::key_hash.eq(key.key_hash),
            api_keys::scopes.eq(key.scopes),
            api_keys::created_at.eq(key.created_at),
            api_keys::created_by.eq(key.created_by),
            api_keys::expires_at.eq(key.expires_at),
        ))
        .returning(api_keys::id)
        .get_result(conn)?)
}

/// The key whose secret hashes to `key_hash`, revoked or expired or not.
pub fn find_key(conn: &mut AnyConnection, key_hash: &str) -> Result<Option<KeyRow>, StoreError> {
    Ok(api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Notes that key `id` was used now (at most once a minute, so a busy key does
/// not write on every request).
pub fn touch_key(conn: &mut AnyConnection, id: i64, now: i64) -> Result<(), StoreError> {
    diesel::update(
        api_keys::table.filter(api_keys::id.eq(id)).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(now - 60)),
        ),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Every key, newest first.
pub fn list_keys(conn: &mut AnyConnection) -> Result<Vec<KeyRow>, StoreError> {
    Ok(api_keys::table
        .order(api_keys::id.desc())
        .select(KeyRow::as_select())
        .load(conn)?)
}

/// The key `id`.
pub fn get_key(conn: &mut AnyConnection, id: i64) -> Result<Option<KeyRow>, StoreError> {
    Ok(api_keys::table
        .filter(api_keys::id.eq(id))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Revokes key `id`; returns whether it was live.
pub fn revoke_key(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool, StoreError> {
    Ok(diesel::update(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)?
        > 0)
}
