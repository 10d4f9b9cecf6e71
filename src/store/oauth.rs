//! `oauth_states`, `oauth_auth_tokens` and `oauth_identities`: third-party
//! sign-in in flight, its one-time results, and the accounts linked to users.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::{oauth_auth_tokens, oauth_identities, oauth_states};

/// An authorization request in flight.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = oauth_states)]
pub struct StateRow {
    /// Hex SHA-256 of the `state` parameter.
    pub state_hash: String,
    /// Provider name.
    pub provider: String,
    /// PKCE code verifier.
    pub pkce_verifier: String,
    /// OpenID Connect nonce.
    pub nonce: String,
    /// Where the browser returns to in the app.
    pub callback_url: String,
    /// The signed-in user who started the flow, if any.
    pub user_id: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// The provider's authorization URL, opened from Protium's start page.
    pub authorize_url: String,
    /// Hex SHA-256 of the cookie of the browser that opened the start page.
    pub browser_hash: Option<String>,
}

/// Stores a state.
pub fn insert_state(conn: &mut AnyConnection, row: &StateRow) -> Result<(), StoreError> {
    diesel::insert_into(oauth_states::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Binds the state to a browser, once: records the hash of its cookie and
/// returns the provider's authorization URL, when the state exists for
/// `provider`, is unexpired, unused and not bound yet.
pub fn bind_browser(
    conn: &mut AnyConnection,
    state_hash: &str,
    provider: &str,
    browser_hash: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let bound = diesel::update(
        oauth_states::table
            .filter(oauth_states::state_hash.eq(state_hash))
            .filter(oauth_states::provider.eq(provider))
            .filter(oauth_states::used_at.is_null())
            .filter(oauth_states::browser_hash.is_null())
            .filter(oauth_states::expires_at.gt(now)),
    )
    .set(oauth_states::browser_hash.eq(Some(browser_hash)))
    .execute(conn)?;
    if bound == 0 {
        return Ok(None);
    }
    Ok(oauth_states::table
        .filter(oauth_states::state_hash.eq(state_hash))
        .select(oauth_states::authorize_url)
        .first(conn)
        .optional()?)
}

/// Uses the state once: the row when it exists for `provider`, is unexpired,
/// unused, and bound to the browser whose cookie hashes to `browser_hash`.
pub fn take_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    provider: &str,
    browser_hash: &str,
    now: i64,
) -> Result<Option<StateRow>, StoreError> {
    let used = diesel::update(
        oauth_states::table
            .filter(oauth_states::state_hash.eq(state_hash))
            .filter(oauth_states::provider.eq(provider))
            .filter(oauth_states::browser_hash.eq(browser_hash))
            .filter(oauth_states::used_at.is_null())
            .filter(oauth_states::expires_at.gt(now)),
    )
    .set(oauth_states::used_at.eq(Some(now)))
    .execute(conn)?;
    if used == 0 {
        return Ok(None);
    }
    Ok(oauth_states::table
        .filter(oauth_states::state_hash.eq(state_hash))
        .select(StateRow::as_select())
        .first(conn)
        .optional()?)
}

/// A provider login's result, waiting for the app.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = oauth_auth_tokens)]
pub struct AuthTokenRow {
    /// Hex SHA-256 of the `auth_token`.
    pub token_hash: String,
    /// Provider name.
    pub provider: String,
    /// The provider's id of the account.
    pub subject: String,
    /// Mapped profile data (JSON object).
    pub profile: String,
    /// The signed-in user who started the flow, if any: only they may link it.
    pub user_id: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Stores an auth token.
pub fn insert_auth_token(conn: &mut AnyConnection, row: &AuthTokenRow) -> Result<(), StoreError> {
    diesel::insert_into(oauth_auth_tokens::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Uses an auth token once.
pub fn take_auth_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    provider: &str,
    now: i64,
) -> Result<Option<AuthTokenRow>, StoreError> {
    let used = diesel::update(
        oauth_auth_tokens::table
            .filter(oauth_auth_tokens::token_hash.eq(token_hash))
            .filter(oauth_auth_tokens::provider.eq(provider))
            .filter(oauth_auth_tokens::used_at.is_null())
            .filter(oauth_auth_tokens::expires_at.gt(now)),
    )
    .set(oauth_auth_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    if used == 0 {
        return Ok(None);
    }
    Ok(oauth_auth_tokens::table
        .filter(oauth_auth_tokens::token_hash.eq(token_hash))
        .select(AuthTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// The user linked to `(provider, subject)`.
pub fn find_identity(
    conn: &mut AnyConnection,
    provider: &str,
    subject: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(oauth_identities::table
        .filter(oauth_identities::provider.eq(provider))
        .filter(oauth_identities::subject.eq(subject))
        .select(oauth_identities::user_id)
        .first(conn)
        .optional()?)
}

/// Links `(provider, subject)` to `user_id`; the database refuses a second link
/// of the same account or a second account of the same provider.
pub fn link_identity(
    conn: &mut AnyConnection,
    provider: &str,
    subject: &str,
    user_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(oauth_identities::table)
        .values((
            oauth_identities::provider.eq(provider),
            oauth_identities::subject.eq(subject),
            oauth_identities::user_id.eq(user_id),
            oauth_identities::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Removes the link of `provider` from `user_id`; returns whether one existed.
pub fn unlink_identity(
    conn: &mut AnyConnection,
    provider: &str,
    user_id: i64,
) -> Result<bool, StoreError> {
    Ok(diesel::delete(
        oauth_identities::table
            .filter(oauth_identities::provider.eq(provider))
            .filter(oauth_identities::user_id.eq(user_id)),
    )
    .execute(conn)?
        > 0)
}

/// How many providers are linked to `user_id`.
pub fn identity_count(conn: &mut AnyConnection, user_id: i64) -> Result<i64, StoreError> {
    Ok(oauth_identities::table
        .filter(oauth_identities::user_id.eq(user_id))
        .count()
        .get_result(conn)?)
}

/// The account of `provider` linked to `user_id`, if any.
pub fn identity_of(
    conn: &mut AnyConnection,
    user_id: i64,
    provider: &str,
) -> Result<Option<String>, StoreError> {
    Ok(oauth_identities::table
        .filter(oauth_identities::user_id.eq(user_id))
        .filter(oauth_identities::provider.eq(provider))
        .select(oauth_identities::subject)
        .first(conn)
        .optional()?)
}
