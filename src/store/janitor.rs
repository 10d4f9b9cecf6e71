//! What the janitor deletes: rows whose use is over. Each statement is a
//! plain `DELETE … WHERE <time> < ?`, safe to run on any node at any time;
//! [`super::leases`] keeps it to one node at a time.
//!
//! Rows that limits count (links, codes and texts sent in the last day, the
//! attempt counters) are kept two days past their creation, so deleting them
//! can never reset a limit early.

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use crate::query::{SqlFragment, SqlValue};

/// Seconds every sent-message row is kept for the daily limits to count it.
const COUNTED_FOR: i64 = 2 * 86_400;

/// Seconds a sent mail stays in the outbox (for support questions).
const SENT_MAIL_KEPT: i64 = 7 * 86_400;

/// How many rows of each kind one sweep deleted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    /// `(table, rows deleted)`, only tables that lost rows.
    pub deleted: Vec<(&'static str, usize)>,
}

/// Deletes everything expired at `now`; tombstones and change-log entries
/// older than `tombstones_before` go too.
pub fn sweep(
    conn: &mut AnyConnection,
    now: i64,
    tombstones_before: i64,
) -> Result<Swept, StoreError> {
    let counted = now - COUNTED_FOR;
    let steps: [(&'static str, &str, i64); 13] = [
        ("sessions", "expires_at", now),
        ("admin_sessions", "expires_at", now),
        ("phone_tokens", "expires_at", now),
        ("oauth_states", "expires_at", now),
        ("oauth_auth_tokens", "expires_at", now),
        ("verification_tokens", "created_at", counted),
        ("verification_codes", "created_at", counted),
        ("sms_codes", "created_at", counted),
        ("rate_counters", "window_start", counted),
        ("outbox", "sent_at", now - SENT_MAIL_KEPT),
        ("record_tombstones", "deleted_at", tombstones_before),
        ("change_log", "at", tombstones_before),
        ("leases", "until", now - 86_400),
    ];
    let mut swept = Swept::default();
    for (table, column, before) in steps {
        let mut q = SqlFragment::new(conn.dialect());
        q.push("DELETE FROM ")
            .push_ident(table)
            .push(" WHERE ")
            .push_ident(column)
            .push(" < ")
            .push_bind(SqlValue::Int(before));
        if table == "verification_tokens" || table == "verification_codes" || table == "sms_codes" {
            // Still usable ones stay, however old (a long link TTL).
            q.push(" AND expires_at < ").push_bind(SqlValue::Int(now));
        }
        let n = exec::execute(conn, &q)?;
        if n > 0 {
            swept.deleted.push((table, n));
        }
    }
    Ok(swept)
}
