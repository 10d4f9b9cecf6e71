//! Running [`SqlFragment`]s on whichever backend the connection holds.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text};
use diesel::sqlite::Sqlite;

use super::connection::AnyConnection;
use super::error::StoreError;
use crate::query::{InvalidIdent, SqlFragment, SqlIdent, SqlValue};

/// A name handed to the store as text, as an identifier for SQL text.
/// Callers pass names of the compiled schema or of this crate, which always
/// are; anything else stops the statement before it is built.
pub fn ident(name: &str) -> Result<SqlIdent, StoreError> {
    Ok(SqlIdent::parse(name)?)
}

/// The identifiers of `names`, in order (see [`ident`]).
pub fn idents<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<SqlIdent>, StoreError> {
    names.into_iter().map(ident).collect()
}

impl From<InvalidIdent> for StoreError {
    /// A statement that cannot be built: a database error like any other
    /// (a 500 to the client, the cause logged).
    fn from(err: InvalidIdent) -> Self {
        StoreError::Database(diesel::result::Error::QueryBuilderError(Box::new(err)))
    }
}

/// One JSON document per row, from a `SELECT … AS doc`.
#[derive(QueryableByName)]
pub struct DocRow {
    /// The row as JSON text.
    #[diesel(sql_type = Text)]
    pub doc: String,
}

/// One integer per row, from a `SELECT … AS n` or `RETURNING id AS n`.
#[derive(QueryableByName)]
pub struct IntRow {
    /// The value.
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

macro_rules! bound {
    ($db:ty, $frag:expr) => {{
        let mut q: BoxedSqlQuery<'static, $db, SqlQuery> =
            diesel::sql_query($frag.sql()).into_boxed();
        for value in $frag.binds() {
            q = match value.clone() {
                SqlValue::Null => q.bind::<Nullable<Text>, Option<String>>(None),
                SqlValue::Bool(b) => q.bind::<Bool, _>(b),
                SqlValue::Int(i) => q.bind::<BigInt, _>(i),
                SqlValue::Float(f) => q.bind::<Double, _>(f),
                SqlValue::Text(s) => q.bind::<Text, _>(s),
                SqlValue::Json(j) => q.bind::<Text, _>(j.to_string()),
            };
        }
        q
    }};
}

/// Executes a statement; returns the number of affected rows.
pub fn execute(conn: &mut AnyConnection, frag: &SqlFragment) -> Result<usize, StoreError> {
    Ok(match conn {
        AnyConnection::Sqlite(c) => bound!(Sqlite, frag).execute(c)?,
        AnyConnection::Postgresql(c) => bound!(Pg, frag).execute(c)?,
    })
}

/// Loads rows of `T`.
pub fn load<T>(conn: &mut AnyConnection, frag: &SqlFragment) -> Result<Vec<T>, StoreError>
where
    T: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
{
    Ok(match conn {
        AnyConnection::Sqlite(c) => bound!(Sqlite, frag).load::<T>(c)?,
        AnyConnection::Postgresql(c) => bound!(Pg, frag).load::<T>(c)?,
    })
}
