//! Errors of the storage layer.

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};

/// An underlying error kept as the source of a [`StoreError`].
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// A storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is malformed or unsupported.
    #[error("PROTIUM_DATABASE_URL: {0}")]
    BadUrl(String),
    /// The database cannot be reached or opened (diesel's connection error,
    /// or the pool's when it cannot open its first connections).
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] BoxedError),
    /// No pooled connection became free in time.
    #[error("database pool: {0}")]
    Pool(#[source] diesel::r2d2::PoolError),
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migration(#[source] BoxedError),
    /// A schema change that would rewrite or narrow stored data.
    #[error("schema change refused: {0}")]
    SchemaChange(String),
    /// A unique index refused the write.
    #[error("unique constraint on {column}")]
    Unique {
        /// The column whose value is taken.
        column: String,
    },
    /// The database refused a value the client sent. The text is a fixed
    /// sentence ([`reject_text`]); the database's own message is only logged.
    #[error("{}", reject_text(*reason, column.as_deref()))]
    Rejected {
        /// Why.
        reason: RejectReason,
        /// The column (a field name), or for a check the constraint, when known.
        column: Option<String>,
    },
    /// Stored data could not be decoded.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Another node moved a background job on meanwhile: this node's work on
    /// it is rolled back and stops.
    #[error("the background job was taken over by another node")]
    LeaseLost,
    /// A statement ran past its time budget and was stopped.
    #[error("the query ran longer than its time budget")]
    Timeout,
    /// The blocking task failed.
    #[error("blocking task failed: {0}")]
    Blocking(String),
    /// Any other database error.
    #[error(transparent)]
    Database(DieselError),
}

impl From<DieselError> for StoreError {
    fn from(err: DieselError) -> Self {
        match &err {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Unique {
                    column: unique_field(info.details(), info.constraint_name(), info.message()),
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info) => {
                rejected(RejectReason::Check, info.as_ref())
            }
            DieselError::DatabaseError(DatabaseErrorKind::NotNullViolation, info) => {
                rejected(RejectReason::NotNull, info.as_ref())
            }
            DieselError::DatabaseError(_, info)
                if info.message().contains(super::budget::EXCEEDED)
                    || info
                        .message()
                        .contains("canceling statement due to statement timeout") =>
            {
                StoreError::Timeout
            }
            // Client values the database refuses: a regular expression Postgres
            // cannot compile, a number pushed out of its column's range.
            DieselError::DatabaseError(_, info)
                if info.message().starts_with("invalid regular expression") =>
            {
                rejected(RejectReason::InvalidPattern, info.as_ref())
            }
            DieselError::DatabaseError(_, info) if info.message().contains("out of range") => {
                rejected(RejectReason::OutOfRange, info.as_ref())
            }
            _ => StoreError::Database(err),
        }
    }
}

/// Why the database refused a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// A number does not fit its column (or a sum of it overflowed).
    OutOfRange,
    /// A regular expression the database cannot compile.
    InvalidPattern,
    /// A check constraint refused the row.
    Check,
    /// A required column got no value.
    NotNull,
}

/// The client-facing sentence of a refusal, naming `column` when known.
pub fn reject_text(reason: RejectReason, column: Option<&str>) -> String {
    let sentence = match (reason, column.is_some()) {
        (RejectReason::OutOfRange, true) => "the value is out of range for this field",
        (RejectReason::OutOfRange, false) => "a value is out of range for its field",
        (RejectReason::InvalidPattern, _) => "the regular expression is not valid",
        (RejectReason::Check, true) => "the value is not allowed for this field",
        (RejectReason::Check, false) => "a value is not allowed by the table's rules",
        (RejectReason::NotNull, true) => "a value is required for this field",
        (RejectReason::NotNull, false) => "a required field has no value",
    };
    match column {
        Some(column) => format!("{column}: {sentence}"),
        None => sentence.to_owned(),
    }
}

/// The refusal `info` reports, for `reason`; the database's message goes to
/// the log only.
fn rejected(reason: RejectReason, info: &dyn DatabaseErrorInformation) -> StoreError {
    tracing::debug!(
        ?reason,
        message = info.message(),
        details = info.details(),
        "the database rejected a value"
    );
    StoreError::Rejected {
        reason,
        column: rejected_column(reason, info),
    }
}

/// The field a refusal names: Postgres' column (not-null) or constraint
/// (check), or the end of SQLite's `NOT NULL constraint failed: <table>.<column>`
/// or `CHECK constraint failed: <name>`. Out-of-range numbers and invalid
/// patterns name none on either backend.
fn rejected_column(reason: RejectReason, info: &dyn DatabaseErrorInformation) -> Option<String> {
    let sqlite_prefix = match reason {
        RejectReason::NotNull => "NOT NULL constraint failed: ",
        RejectReason::Check => "CHECK constraint failed: ",
        RejectReason::OutOfRange | RejectReason::InvalidPattern => return None,
    };
    let named = info
        .column_name()
        .or_else(|| {
            (reason == RejectReason::Check)
                .then(|| info.constraint_name())
                .flatten()
        })
        .or_else(|| info.message().strip_prefix(sqlite_prefix))?;
    let column = named.trim().rsplit('.').next()?.trim_matches('"');
    (!column.is_empty()).then(|| column.to_owned())
}

/// Recovers the column of a unique violation: from Postgres' detail
/// (`Key (col)=(value) already exists.`), from our index naming
/// (`uq.<table>.<column>`), or from SQLite's `UNIQUE constraint failed: <table>.<column>`.
fn unique_field(details: Option<&str>, constraint: Option<&str>, message: &str) -> String {
    let unwrap_lower = |col: &str| {
        let col = col.trim();
        col.strip_prefix("lower(")
            .and_then(|c| c.strip_suffix(')'))
            .unwrap_or(col)
            .trim_matches('"')
            .to_owned()
    };
    // A table-level rule's index: the records layer knows its fields.
    let rule_index = constraint
        .map(str::to_owned)
        .or_else(|| {
            message
                .split_once("index '")
                .map(|(_, rest)| rest.trim_end_matches('\'').to_owned())
        })
        .filter(|name| name.starts_with("ur."));
    if let Some(name) = rule_index {
        return name;
    }
    if let Some(columns) = details
        .and_then(|d| d.strip_prefix("Key ("))
        .and_then(|d| d.split_once(")=("))
        .map(|(cols, _)| cols.split(", ").map(unwrap_lower).collect::<Vec<_>>())
    {
        return columns.join(", ");
    }
    let last_segment = |name: &str| {
        name.trim()
            .trim_matches('\'')
            .rsplit('.')
            .next()
            .map(str::to_owned)
    };
    if let Some(column) = constraint
        .filter(|c| c.starts_with("uq.") || c.starts_with("uc."))
        .and_then(last_segment)
    {
        return column;
    }
    message
        .strip_prefix("UNIQUE constraint failed: ")
        .map(|rest| {
            rest.trim_start_matches("index ")
                .split(',')
                .filter_map(last_segment)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "value".to_owned())
}

#[cfg(test)]
#[path = "error_test.rs"]
mod tests;
