//! Record ids: 24 lower-case hex digits laid out like MongoDB ObjectIds: 4 bytes
//! of unix seconds, 5 random bytes fixed per process, a 3-byte counter. Ids one
//! server makes sort in creation order, also within one second (the tie-breaker
//! of `-created_at` lists).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use super::InvalidInput;

/// The id of a data-table record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RecordId(String);

impl RecordId {
    /// A fresh id.
    pub fn generate() -> Self {
        static PROCESS: OnceLock<[u8; 5]> = OnceLock::new();
        static COUNTER: OnceLock<AtomicU32> = OnceLock::new();
        let process = PROCESS.get_or_init(rand::random);
        let counter = COUNTER
            .get_or_init(|| AtomicU32::new(rand::random::<u32>() & 0x00ff_ffff))
            .fetch_add(1, Ordering::Relaxed)
            & 0x00ff_ffff;
        let seconds = u32::try_from(super::now_unix()).unwrap_or(u32::MAX);
        Self(format!(
            "{seconds:08x}{}{counter:06x}",
            hex::encode(process)
        ))
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
