//! `server_secrets`: random keys created once and shared by every node.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::server_secrets;

/// The secret `name`, created from `fresh` when it does not exist yet. Every node
/// reads the same value: the first insert wins, later ones are ignored.
pub fn get_or_create(
    conn: &mut AnyConnection,
    name: &str,
    fresh: &str,
) -> Result<String, StoreError> {
    let existing = server_secrets::table
        .filter(server_secrets::name.eq(name))
        .select(server_secrets::value)
        .first::<String>(conn)
        .optional()?;
    if let Some(value) = existing {
        return Ok(value);
    }
    let inserted = diesel::insert_into(server_secrets::table)
        .values((
            server_secrets::name.eq(name),
            server_secrets::value.eq(fresh),
        ))
        .execute(conn);
    match inserted {
        Ok(_)
        | Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(server_secrets::table
        .filter(server_secrets::name.eq(name))
        .select(server_secrets::value)
        .first::<String>(conn)?)
}
