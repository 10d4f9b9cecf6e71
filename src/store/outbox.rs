//! The `outbox` table: queued mail, claimed by one worker at a time.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::outbox;

/// A message to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMail {
    /// One address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: String,
    /// Unix seconds.
    pub created_at: i64,
    /// First attempt (usually now).
    pub next_attempt_at: i64,
}

/// A queued message claimed for sending.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct QueuedMail {
    /// Row id.
    pub id: i64,
    /// One address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: String,
    /// Attempts so far (before this one).
    pub attempts: i32,
}

/// Queues a message.
pub fn enqueue(conn: &mut AnyConnection, mail: &NewMail) -> Result<(), StoreError> {
    diesel::insert_into(outbox::table)
        .values(mail)
        .execute(conn)?;
    Ok(())
}

/// Claims the oldest due message for `lease` seconds; `None` when nothing is due.
/// The claim is a conditional update, so two workers never take the same row.
pub fn claim_due(
    conn: &mut AnyConnection,
    now: i64,
    lease: i64,
) -> Result<Option<QueuedMail>, StoreError> {
    let due = outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .filter(outbox::next_attempt_at.le(now))
        .filter(outbox::locked_until.le(now))
        .order(outbox::id.asc())
        .select(outbox::id)
        .first::<i64>(conn)
        .optional()?;
    let Some(id) = due else { return Ok(None) };
    let claimed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::locked_until.le(now)),
    )
    .set(outbox::locked_until.eq(now + lease))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(None);
    }
    Ok(outbox::table
        .filter(outbox::id.eq(id))
        .select(QueuedMail::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a message sent and blanks its bodies: they carry live links and codes,
/// which must not outlive the mail in the database.
pub fn mark_sent(conn: &mut AnyConnection, id: i64, now: i64) -> Result<(), StoreError> {
    diesel::update(outbox::table.filter(outbox::id.eq(id)))
        .set((
            outbox::sent_at.eq(Some(now)),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::body_text.eq(""),
            outbox::body_html.eq(""),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt; `retry_at` `None` gives up on the message.
pub fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    now: i64,
    retry_at: Option<i64>,
) -> Result<(), StoreError> {
    let target = outbox::table.filter(outbox::id.eq(id));
    let common = (
        outbox::attempts.eq(outbox::attempts + 1),
        outbox::last_error.eq(Some(error)),
        outbox::locked_until.eq(0),
    );
    match retry_at {
        Some(at) => diesel::update(target)
            .set((common, outbox::next_attempt_at.eq(at)))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                common,
                outbox::failed_at.eq(Some(now)),
                outbox::body_text.eq(""),
                outbox::body_html.eq(""),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Messages not yet sent nor given up on.
pub fn pending_count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Messages given up on.
pub fn failed_count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(outbox::table
        .filter(outbox::failed_at.is_not_null())
        .count()
        .get_result(conn)?)
}
