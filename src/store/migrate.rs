//! Embedded migrations for the system tables, one set per backend.
//!
//! On Postgres several nodes may start at once: migrations run under an advisory
//! lock, held by the same connection until they finish.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::connection::AnyConnection;
use super::error::StoreError;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the Postgres advisory lock serialising start-up schema work.
pub const STARTUP_LOCK: i64 = 0x0070_726f_7469_756d;

/// Applies pending migrations.
pub fn run(conn: &mut AnyConnection) -> Result<(), StoreError> {
    match conn {
        AnyConnection::Sqlite(c) => {
            c.run_pending_migrations(SQLITE)
                .map_err(StoreError::Migration)?;
            c.batch_execute("PRAGMA journal_mode = WAL;")?;
        }
        AnyConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({STARTUP_LOCK})"))?;
            let result = c
                .run_pending_migrations(POSTGRES)
                .map(|_| ())
                .map_err(StoreError::Migration);
            c.batch_execute(&format!("SELECT pg_advisory_unlock({STARTUP_LOCK})"))?;
            result?;
        }
    }
    Ok(())
}

/// How many migrations `conn` has not applied yet.
pub fn pending(conn: &mut AnyConnection) -> Result<usize, StoreError> {
    let count = match conn {
        AnyConnection::Sqlite(c) => c.pending_migrations(SQLITE).map(|m| m.len()),
        AnyConnection::Postgresql(c) => c.pending_migrations(POSTGRES).map(|m| m.len()),
    };
    count.map_err(StoreError::Migration)
}
