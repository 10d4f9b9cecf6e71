//! A time budget for the statements of one piece of work, so a costly query
//! (a regular expression over a big table, a wide `$within`, a count through
//! row ACLs) cannot hold a pooled connection for long.
//!
//! PostgreSQL enforces it itself (`statement_timeout`, set on every
//! connection). SQLite has no such setting, and diesel does not expose its
//! progress handler, so reads carry a condition `protium_budget()` that SQLite
//! evaluates for each row it examines: past the deadline of the work running
//! on this thread, the function fails and the statement stops.

use std::cell::Cell;
use std::time::{Duration, Instant};

use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Bool;
use diesel::sqlite::Sqlite;

/// The message of a statement stopped by the budget (matched to map the
/// database error back to [`super::StoreError::Timeout`]).
pub const EXCEEDED: &str = "protium: statement budget exceeded";

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The budget of the work on this thread; cleared when dropped.
#[must_use = "the budget holds only while the guard lives"]
pub struct BudgetGuard(());

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(None));
    }
}

/// Gives the work that follows on this thread `limit` to run its statements.
pub fn start(limit: Duration) -> BudgetGuard {
    DEADLINE.with(|d| d.set(Some(Instant::now() + limit)));
    BudgetGuard(())
}

/// What `protium_budget()` returns: true, or an error once the deadline passed.
#[derive(Debug, Clone, Copy)]
pub(super) struct WithinBudget;

impl ToSql<Bool, Sqlite> for WithinBudget {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        let over = DEADLINE.with(|d| d.get().is_some_and(|at| Instant::now() > at));
        if over {
            return Err(EXCEEDED.into());
        }
        <bool as ToSql<Bool, Sqlite>>::to_sql(&true, out)
    }
}
