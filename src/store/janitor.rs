//! What the janitor deletes: rows whose use is over. Each statement is a
//! plain `DELETE … WHERE <time> < ?`, safe to run on any node at any time;
//! [`super::leases`] keeps it to one node at a time.
//!
//! Rows that limits count (links, codes and texts sent in the last day, the
//! attempt counters) are kept two days past their creation, so deleting them
//! can never reset a limit early.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use super::tables::{
    admin_sessions, leases, oauth_auth_tokens, oauth_states, outbox, phone_tokens, rate_counters,
    sessions, sms_codes, verification_codes, verification_tokens,
};
use crate::query::{SqlFragment, SqlIdent, SqlValue};

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

/// Deletes the rows of `$table` whose `$column` is before `$before` (and
/// that match the optional further filter), noting the count in `$swept`.
macro_rules! delete_before {
    ($conn:expr, $swept:expr, $table:ident, $column:ident < $before:expr $(, $also:expr)?) => {{
        let n = diesel::delete(
            $table::table
                .filter($table::$column.lt($before))
                $(.filter($also))?,
        )
        .execute($conn)?;
        $swept.note(stringify!($table), n);
    }};
}

impl Swept {
    /// Notes that `n` rows of `table` went (only when some did).
    fn note(&mut self, table: &'static str, n: usize) {
        if n > 0 {
            self.deleted.push((table, n));
        }
    }
}

/// Deletes everything expired at `now`; tombstones and change-log entries
/// older than `tombstones_before` go too. Codes and links still usable stay,
/// however old (a long link TTL).
pub fn sweep(
    conn: &mut AnyConnection,
    now: i64,
    tombstones_before: i64,
) -> Result<Swept, StoreError> {
    let counted = now - COUNTED_FOR;
    let mut swept = Swept::default();
    delete_before!(conn, swept, sessions, expires_at < now);
    delete_before!(conn, swept, admin_sessions, expires_at < now);
    delete_before!(conn, swept, phone_tokens, expires_at < now);
    delete_before!(conn, swept, oauth_states, expires_at < now);
    delete_before!(conn, swept, oauth_auth_tokens, expires_at < now);
    delete_before!(
        conn,
        swept,
        verification_tokens,
        created_at < counted,
        verification_tokens::expires_at.lt(now)
    );
    delete_before!(
        conn,
        swept,
        verification_codes,
        created_at < counted,
        verification_codes::expires_at.lt(now)
    );
    delete_before!(
        conn,
        swept,
        sms_codes,
        created_at < counted,
        sms_codes::expires_at.lt(now)
    );
    delete_before!(conn, swept, rate_counters, window_start < counted);
    delete_before!(conn, swept, outbox, sent_at < now - SENT_MAIL_KEPT);
    // Not diesel tables (see `super::tables`): their types differ per backend.
    for (table, column) in [("record_tombstones", "deleted_at"), ("change_log", "at")] {
        let mut q = SqlFragment::new(conn.dialect());
        q.push("DELETE FROM ")
            .push_ident(&SqlIdent::from_static(table))
            .push(" WHERE ")
            .push_ident(&SqlIdent::from_static(column))
            .push(" < ")
            .push_bind(SqlValue::Int(tombstones_before));
        swept.note(table, exec::execute(conn, &q)?);
    }
    delete_before!(conn, swept, leases, until < now - 86_400);
    Ok(swept)
}
