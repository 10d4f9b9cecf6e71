//! Profile fields sent with a sign-up: every `register/*` body, and the first
//! SMS or third-party sign-in that creates a user, may carry initial profile
//! fields as top-level keys beside the credentials. They are checked exactly as
//! an update is, before anything is stored; inside the sign-up transaction the
//! defaults are added, required fields checked and pointers resolved, so an
//! invalid field means no user is created.

use serde_json::{Map, Value};

use super::attach::attach_files;
use super::error::RecordsError;
use super::fields::readable_columns;
use super::generated::fill_generated;
use super::guards::check_guards;
use super::prepare::{check_required, fill_defaults, prepare_sent};
use super::service::Records;
use super::who::{Viewer, Who};
use super::write::{check_pointers, sql_values};
use crate::domain::{FileLinks, InvalidInput, ProfileRefusal};
use crate::query::SqlValue;
use crate::schema::Snapshot;
use crate::store::{objects, AnyConnection, InitError, ProfileInit};

/// Whether a sign-up must bring every `required` profile field (registered
/// users) or may leave them empty for now (anonymous device logins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// Required fields without a default must be sent (or already set, for an
    /// anonymous user who registers).
    Enforced,
    /// Required fields may stay empty until the user registers.
    Deferred,
}

impl Records {
    /// Checks `fields` as the initial profile of a new user and returns what
    /// the sign-up transaction applies.
    pub fn signup_profile(
        &self,
        fields: Map<String, Value>,
        required: Required,
    ) -> Result<ProfileInit, RecordsError> {
        let snapshot = self.live.load();
        let sent = prepare_sent(snapshot.profile(), Who::client(None, false), &fields)?;
        let row = sent.row;
        let links = self.links.clone();
        Ok(Box::new(move |conn, upgraded| {
            initial_columns(conn, &snapshot, &links, row, upgraded, required).map_err(refusal)
        }))
    }
}

/// The columns of a new profile (`upgraded` is `None`), or those to set on an
/// anonymous user who registers.
fn initial_columns(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    links: &FileLinks,
    mut row: Map<String, Value>,
    upgraded: Option<i64>,
    required: Required,
) -> Result<Vec<(String, SqlValue)>, RecordsError> {
    let profile = snapshot.profile();
    let merged = match upgraded {
        None => {
            fill_defaults(profile, &mut row)?;
            row.clone()
        }
        Some(id) => {
            let columns = readable_columns(profile, Viewer::Admin);
            let table = objects::sql_table(profile);
            let mut current =
                objects::get(conn, &table, &columns, &SqlValue::Int(id), true)?.unwrap_or_default();
            current.extend(row.clone());
            current
        }
    };
    if required == Required::Enforced {
        check_required(profile, &merged)?;
    }
    if upgraded.is_none() {
        fill_generated(conn, profile, &mut row)?;
        check_guards(profile, Who::client(None, false), None, &row)?;
    }
    // Pointers must name records the signing-up user may read (a new user:
    // what guests may read), as for any write.
    check_pointers(
        conn,
        snapshot,
        profile,
        Who::client(upgraded, false),
        &[&row],
    )?
    .pop()
    .unwrap_or(Ok(()))?;
    let signing_up = Who::client(upgraded, false);
    attach_files(conn, profile, signing_up, links, &mut row, None)?;
    Ok(sql_values(profile, &row))
}

/// A records error as the hand-over to the sign-up transaction carries it.
fn refusal(e: RecordsError) -> InitError {
    match e {
        RecordsError::Invalid(i) => ProfileRefusal::Invalid(i).into(),
        RecordsError::Forbidden(m) => ProfileRefusal::Forbidden(m).into(),
        RecordsError::Taken { field } => ProfileRefusal::Taken { field }.into(),
        RecordsError::Store(s) => InitError::Store(s),
        other => ProfileRefusal::Invalid(InvalidInput::new("profile", other.to_string())).into(),
    }
}
