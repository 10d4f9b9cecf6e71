//! Record ids: 24 lower-case hex digits, ObjectId-style (seconds, then random bytes),
//! so ids made later mostly sort later.

use super::InvalidInput;

/// The id of a data-table record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RecordId(String);

impl RecordId {
    /// A fresh id: 4 bytes of the current unix time, 8 random bytes.
    pub fn generate() -> Self {
        let seconds = u32::try_from(super::now_unix()).unwrap_or(u32::MAX);
        let random: [u8; 8] = rand::random();
        Self(format!("{seconds:08x}{}", hex::encode(random)))
    }

    /// Parses an id from a path or a body (upper-case hex is folded).
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let lower = raw.trim().to_ascii_lowercase();
        if lower.len() == 24 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(lower))
        } else {
            Err(InvalidInput::new("id", "must be 24 hexadecimal digits"))
        }
    }

    /// Wraps an id read from storage.
    pub fn from_db(id: String) -> Self {
        Self(id)
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
#[path = "record_id_test.rs"]
mod tests;
