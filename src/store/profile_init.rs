//! The hand-over between the records layer and a sign-up transaction: the
//! records layer checks the profile fields sent with a sign-up and returns a
//! [`ProfileInit`]; the account flow runs it inside its own transaction, so an
//! invalid field means no user is created.

use super::{AnyConnection, StoreError};
use crate::domain::ProfileRefusal;
use crate::query::SqlValue;

/// Computes a new profile's columns inside the sign-up transaction, given the
/// connection and, for an anonymous user who registers, their id.
pub type ProfileInit = Box<
    dyn FnOnce(&mut AnyConnection, Option<i64>) -> Result<Vec<(String, SqlValue)>, InitError>
        + Send,
>;

/// Why a profile's first columns could not be made: the fields were refused,
/// or the database failed. Either rolls the sign-up back.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The records layer refused a field.
    #[error(transparent)]
    Refused(#[from] ProfileRefusal),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
