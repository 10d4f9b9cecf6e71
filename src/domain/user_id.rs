//! User ids: positive integers on the wire.

use super::InvalidInput;

/// The id of a user (`_userprofile.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UserId(i64);

impl UserId {
    /// Wraps an id read from storage.
    pub fn from_db(id: i64) -> Self {
        Self(id)
    }

    /// Parses a path segment.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Self(id)),
            _ => Err(InvalidInput::new("user_id", "must be a positive integer")),
        }
    }

    /// The integer value.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
