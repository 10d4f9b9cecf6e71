//! A file's name as uploaders give it, made safe to store and to show.

use crate::domain::InvalidInput;

/// Longest name kept, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// The last path segment of an uploaded file's name, without control
/// characters, never `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    /// Reads the `filename` an upload announces.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let clean: String = last.chars().filter(|c| !c.is_control()).collect();
        let clean = clean.trim();
        if clean.is_empty() || clean == "." || clean == ".." {
            return Err(InvalidInput::new("filename", "must name a file"));
        }
        if clean.len() > MAX_NAME_BYTES {
            return Err(InvalidInput::new(
                "filename",
                format!("must be at most {MAX_NAME_BYTES} bytes"),
            ));
        }
        Ok(Self(clean.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[path = "name_test.rs"]
mod tests;
