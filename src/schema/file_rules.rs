//! The compiled rules of a file field (`"x-protium": {"file": {…}}`): the
//! largest file, the media types and the image dimensions it accepts. They
//! are checked against what the server measured when the bytes arrived —
//! the sniffed type, the stored size, the image header — never against what
//! the client said.

use super::extension::FileExtension;

/// A media type a file field accepts: one type (`image/png`) or a family
/// (`image/*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaPattern(String);

impl MediaPattern {
    /// Parses `type/subtype` or `type/*` (lower-cased).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let lower = raw.trim().to_ascii_lowercase();
        let token = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
        };
        match lower.split_once('/') {
            Some((family, "*")) if token(family) => Ok(Self(lower)),
            Some((family, sub)) if token(family) && token(sub) => Ok(Self(lower)),
            _ => Err(format!(
                "'{raw}' is not a media type: write 'image/png' or a family such as 'image/*'"
            )),
        }
    }

    /// Whether `media_type` is this type or of this family.
    pub fn matches(&self, media_type: &str) -> bool {
        match self.0.strip_suffix("/*") {
            Some(family) => media_type
                .split_once('/')
                .is_some_and(|(f, _)| f.eq_ignore_ascii_case(family)),
            None => self.0.eq_ignore_ascii_case(media_type),
        }
    }

    /// The pattern as written in the schema (lower-cased).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the server knows of a stored file that a field's rules look at.
#[derive(Debug, Clone, Copy)]
pub struct FileFacts<'a> {
    /// Bytes stored.
    pub size: i64,
    /// The media type sniffed from the content.
    pub media_type: &'a str,
    /// Width and height in pixels, when the file is an image whose header
    /// could be read.
    pub dimensions: Option<(i64, i64)>,
}

/// The rules of one file field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileRules {
    /// The largest file, in bytes.
    pub max_bytes: Option<u64>,
    /// The media types accepted; empty accepts any.
    pub types: Vec<MediaPattern>,
    /// The widest image, in pixels.
    pub max_width: Option<u32>,
    /// The tallest image, in pixels.
    pub max_height: Option<u32>,
}

impl FileRules {
    /// Compiles the extension's `file` object; the error is the fault.
    pub fn compile(ext: &FileExtension) -> Result<Self, String> {
        let types = ext
            .types
            .iter()
            .flatten()
            .map(|t| MediaPattern::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        if ext.types.as_ref().is_some_and(Vec::is_empty) {
            return Err(
                "'types' lists at least one media type (leave it out to accept any)".into(),
            );
        }
        if ext.max_bytes == Some(0) || ext.max_width == Some(0) || ext.max_height == Some(0) {
            return Err("a file limit is at least 1".into());
        }
        Ok(Self {
            max_bytes: ext.max_bytes,
            types,
            max_width: ext.max_width,
            max_height: ext.max_height,
        })
    }

    /// `Ok` when the file meets every rule; otherwise the rule it breaks, in
    /// words that name the rule's keyword.
    pub fn check(&self, file: FileFacts<'_>) -> Result<(), String> {
        if let Some(max) = self.max_bytes {
            if u64::try_from(file.size).unwrap_or(u64::MAX) > max {
                return Err(format!(
                    "the file has {} bytes; this field takes at most {max} (max_bytes)",
                    file.size
                ));
            }
        }
        if !self.types.is_empty() && !self.types.iter().any(|t| t.matches(file.media_type)) {
            let accepted: Vec<&str> = self.types.iter().map(MediaPattern::as_str).collect();
            return Err(format!(
                "the file is {}; this field takes {} (types)",
                file.media_type,
                accepted.join(", ")
            ));
        }
        if self.max_width.is_none() && self.max_height.is_none() {
            return Ok(());
        }
        let Some((width, height)) = file.dimensions else {
            return Err(
                "this field takes images within a size (max_width, max_height), and the file \
                 is not an image whose size could be read"
                    .into(),
            );
        };
        for (value, limit, keyword, what) in [
            (width, self.max_width, "max_width", "wide"),
            (height, self.max_height, "max_height", "tall"),
        ] {
            if let Some(max) = limit {
                if value > i64::from(max) {
                    return Err(format!(
                        "the image is {value} pixels {what}; this field takes at most {max} \
                         ({keyword})"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "file_rules_test.rs"]
mod tests;
