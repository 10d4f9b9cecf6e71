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
mod tests {
    use super::FileName;

    #[test]
    fn a_path_keeps_only_its_last_segment() {
        assert_eq!(
            FileName::parse("../../etc/passwd").unwrap().as_str(),
            "passwd"
        );
        assert_eq!(
            FileName::parse("C:\\photos\\me.jpg").unwrap().as_str(),
            "me.jpg"
        );
        assert_eq!(FileName::parse("a\u{0}b\n.txt").unwrap().as_str(), "ab.txt");
    }

    #[test]
    fn nothing_left_is_refused() {
        for raw in ["", "   ", "..", "a/..", "/"] {
            let e = FileName::parse(raw).unwrap_err();
            assert_eq!(e.to_string(), "filename: must name a file", "{raw:?}");
        }
        assert!(FileName::parse(&"x".repeat(256)).is_err());
    }
}
