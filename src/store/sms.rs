//! `sms_codes` and `phone_tokens`: codes sent by SMS (as HMACs, with try
//! counters) and the one-time proofs a verified code can be exchanged for.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::sent::Sent;
use super::tables::{phone_tokens, sms_codes};

/// Serialises work on one phone number for the rest of the transaction
/// (Postgres advisory lock; SQLite's write transactions are already exclusive).
pub fn lock_phone(conn: &mut AnyConnection, phone: &str) -> Result<(), StoreError> {
    if let AnyConnection::Postgresql(c) = conn {
        let key: i64 = phone.bytes().fold(0x5350_u64, |h, b| {
            h.wrapping_mul(31).wrapping_add(u64::from(b))
        }) as i64;
        c.batch_execute(&format!("SELECT pg_advisory_xact_lock({key})"))?;
    }
    Ok(())
}

/// Codes sent to `phone` since `since` (unix seconds).
pub fn sent_since(conn: &mut AnyConnection, phone: &str, since: i64) -> Result<Sent, StoreError> {
    let (count, first, last): (i64, Option<i64>, Option<i64>) = sms_codes::table
        .filter(sms_codes::phone.eq(phone))
        .filter(sms_codes::created_at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(sms_codes::created_at),
            diesel::dsl::max(sms_codes::created_at),
        ))
        .first(conn)?;
    Ok(Sent { count, first, last })
}

/// Stores a code.
pub fn insert_code(
    conn: &mut AnyConnection,
    phone: &str,
    code_hmac: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(sms_codes::table)
        .values((
            sms_codes::phone.eq(phone),
            sms_codes::code_hmac.eq(code_hmac),
            sms_codes::created_at.eq(now),
            sms_codes::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A code after one try was counted: `(id, hmac, tries so far)`.
pub type CountedCode = (i64, String, i32);

/// Counts one try on the newest live code of `phone`; `None` when there is none
/// or its tries are used up.
pub fn attempt_code(
    conn: &mut AnyConnection,
    phone: &str,
    now: i64,
    max_attempts: i32,
) -> Result<Option<CountedCode>, StoreError> {
    let newest = sms_codes::table
        .filter(sms_codes::phone.eq(phone))
        .filter(sms_codes::used_at.is_null())
        .filter(sms_codes::expires_at.gt(now))
        .order(sms_codes::id.desc())
        .select(sms_codes::id)
        .first::<i64>(conn)
        .optional()?;
    let Some(id) = newest else { return Ok(None) };
    let counted = diesel::update(
        sms_codes::table
            .filter(sms_codes::id.eq(id))
            .filter(sms_codes::attempts.lt(max_attempts)),
    )
    .set(sms_codes::attempts.eq(sms_codes::attempts + 1))
    .execute(conn)?;
    if counted == 0 {
        return Ok(None);
    }
    Ok(sms_codes::table
        .filter(sms_codes::id.eq(id))
        .select((sms_codes::id, sms_codes::code_hmac, sms_codes::attempts))
        .first(conn)
        .optional()?)
}

/// Why a number has no code to try, from its newest code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpentCode {
    /// No code was ever sent to it.
    Never,
    /// The newest code worked once already.
    Used,
    /// The newest code was tried too often.
    TriedOut,
    /// The newest code expired.
    Expired,
}

/// What became of the newest code of `phone` (called when none is live).
pub fn spent_code(
    conn: &mut AnyConnection,
    phone: &str,
    max_attempts: i32,
) -> Result<SpentCode, StoreError> {
    let newest: Option<(Option<i64>, i32)> = sms_codes::table
        .filter(sms_codes::phone.eq(phone))
        .order(sms_codes::id.desc())
        .select((sms_codes::used_at, sms_codes::attempts))
        .first(conn)
        .optional()?;
    Ok(match newest {
        None => SpentCode::Never,
        Some((Some(_), _)) => SpentCode::Used,
        Some((None, attempts)) if attempts >= max_attempts => SpentCode::TriedOut,
        Some(_) => SpentCode::Expired,
    })
}

/// Uses a code once.
pub fn consume_code(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool, StoreError> {
    Ok(diesel::update(
        sms_codes::table
            .filter(sms_codes::id.eq(id))
            .filter(sms_codes::used_at.is_null()),
    )
    .set(sms_codes::used_at.eq(Some(now)))
    .execute(conn)?
        == 1)
}

/// Stores a verification token for `phone`.
pub fn insert_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    phone: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(phone_tokens::table)
        .values((
            phone_tokens::token_hash.eq(token_hash),
            phone_tokens::phone.eq(phone),
            phone_tokens::created_at.eq(now),
            phone_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Uses the token once, if it is for `phone` and unexpired.
pub fn use_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    phone: &str,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(diesel::update(
        phone_tokens::table
            .filter(phone_tokens::token_hash.eq(token_hash))
            .filter(phone_tokens::phone.eq(phone))
            .filter(phone_tokens::used_at.is_null())
            .filter(phone_tokens::expires_at.gt(now)),
    )
    .set(phone_tokens::used_at.eq(Some(now)))
    .execute(conn)?
        == 1)
}
