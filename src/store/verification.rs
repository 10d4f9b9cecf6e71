//! Single-use links (`verification_tokens`) and numeric codes (`verification_codes`)
//! sent by mail. Links are stored as SHA-256, codes as HMAC; using either is a
//! conditional update, so each works once even under parallel requests.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::sent::Sent;
use super::tables::{verification_codes, verification_tokens};

/// A link token to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = verification_tokens)]
pub struct NewLinkToken {
    /// Hex SHA-256 of the token in the link.
    pub token_hash: String,
    /// The user it belongs to.
    pub user_id: i64,
    /// `verify_email` or `reset_password`.
    pub purpose: String,
    /// The address the link was sent to.
    pub email: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A stored link token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = verification_tokens)]
pub struct LinkTokenRow {
    /// The user.
    pub user_id: i64,
    /// Purpose.
    pub purpose: String,
    /// Address it was sent to.
    pub email: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// When it was used, if it was.
    pub used_at: Option<i64>,
}

/// Stores a link token.
pub fn insert_link(conn: &mut AnyConnection, token: &NewLinkToken) -> Result<(), StoreError> {
    diesel::insert_into(verification_tokens::table)
        .values(token)
        .execute(conn)?;
    Ok(())
}

/// The link stored under `token_hash`, whatever its state.
pub fn find_link(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<LinkTokenRow>, StoreError> {
    Ok(verification_tokens::table
        .filter(verification_tokens::token_hash.eq(token_hash))
        .select(LinkTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Uses the link once: true only for the first caller while it is unexpired.
pub fn consume_link(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        verification_tokens::table
            .filter(verification_tokens::token_hash.eq(token_hash))
            .filter(verification_tokens::purpose.eq(purpose))
            .filter(verification_tokens::used_at.is_null())
            .filter(verification_tokens::expires_at.gt(now)),
    )
    .set(verification_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// The links and codes of `purpose` sent to `user_id` since `since`.
pub fn sent_since(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: &str,
    since: i64,
) -> Result<Sent, StoreError> {
    let (count, first, last): (i64, Option<i64>, Option<i64>) = verification_tokens::table
        .filter(verification_tokens::user_id.eq(user_id))
        .filter(verification_tokens::purpose.eq(purpose))
        .filter(verification_tokens::created_at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(verification_tokens::created_at),
            diesel::dsl::max(verification_tokens::created_at),
        ))
        .first(conn)?;
    let links = Sent { count, first, last };
    let (count, first, last): (i64, Option<i64>, Option<i64>) = verification_codes::table
        .filter(verification_codes::user_id.eq(user_id))
        .filter(verification_codes::purpose.eq(purpose))
        .filter(verification_codes::created_at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(verification_codes::created_at),
            diesel::dsl::max(verification_codes::created_at),
        ))
        .first(conn)?;
    Ok(links.merge(Sent { count, first, last }))
}

/// A code to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = verification_codes)]
pub struct NewCode {
    /// The user.
    pub user_id: i64,
    /// `verify_email` or `reset_password`.
    pub purpose: String,
    /// The address the code was sent to.
    pub email: String,
    /// Hex HMAC-SHA256 of the code.
    pub code_hmac: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A stored code.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = verification_codes)]
pub struct CodeRow {
    /// Row id.
    pub id: i64,
    /// Address it was sent to.
    pub email: String,
    /// Hex HMAC of the code.
    pub code_hmac: String,
    /// Attempts so far, including this one once counted.
    pub attempts: i32,
}

/// Stores a code.
pub fn insert_code(conn: &mut AnyConnection, code: &NewCode) -> Result<(), StoreError> {
    diesel::insert_into(verification_codes::table)
        .values(code)
        .execute(conn)?;
    Ok(())
}

/// Counts one attempt on the newest live code of `purpose` for `user_id` and
/// returns it; `None` when there is no live code or its attempts are used up.
pub fn attempt_code(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: &str,
    now: i64,
    max_attempts: i32,
) -> Result<Option<CodeRow>, StoreError> {
    let newest = verification_codes::table
        .filter(verification_codes::user_id.eq(user_id))
        .filter(verification_codes::purpose.eq(purpose))
        .filter(verification_codes::used_at.is_null())
        .filter(verification_codes::expires_at.gt(now))
        .order(verification_codes::id.desc())
        .select(verification_codes::id)
        .first::<i64>(conn)
        .optional()?;
    let Some(id) = newest else { return Ok(None) };
    let counted = diesel::update(
        verification_codes::table
            .filter(verification_codes::id.eq(id))
            .filter(verification_codes::attempts.lt(max_attempts)),
    )
    .set(verification_codes::attempts.eq(verification_codes::attempts + 1))
    .execute(conn)?;
    if counted == 0 {
        return Ok(None);
    }
    Ok(verification_codes::table
        .filter(verification_codes::id.eq(id))
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Uses a code once.
pub fn consume_code(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool, StoreError> {
    let n = diesel::update(
        verification_codes::table
            .filter(verification_codes::id.eq(id))
            .filter(verification_codes::used_at.is_null()),
    )
    .set(verification_codes::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}
