//! The field keywords beyond access rules and storage: masking, generated
//! values, byte-length limits and computed values. Each is compiled (and
//! checked against the field's kind) when the schema loads.

use encoding_rs::GB18030;
use rand::Rng;

use super::counters::Counter;
use super::expr::Expr;
use super::extension::{
    ByteEncoding, CountExtension, FieldExtension, GeneratedExtension, MaskExtension, ReadRule,
    WriteRule,
};
use super::field::{Field, FieldKind};
use super::relations::{self, Related, ViewerLink};

/// How a masked field is shown to other users: the first `keep_start` and
/// last `keep_end` characters, every other character as `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask {
    keep_start: usize,
    keep_end: usize,
}

impl Mask {
    /// `value` as others see it. A value too short to keep both ends shows
    /// no character at all, so a short value never appears whole.
    pub fn apply(&self, value: &str) -> String {
        let chars: Vec<char> = value.chars().collect();
        let n = chars.len();
        if n <= self.keep_start + self.keep_end {
            return "*".repeat(n);
        }
        chars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < self.keep_start || i >= n - self.keep_end {
                    *c
                } else {
                    '*'
                }
            })
            .collect()
    }
}

/// What the server puts in a generated field of a new record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generator {
    /// A version-4 UUID.
    Uuid,
    /// `length` characters drawn uniformly from `alphabet`.
    Code {
        /// The characters (distinct).
        alphabet: Vec<char>,
        /// How many.
        length: usize,
    },
}

impl Generator {
    /// A fresh value.
    pub fn generate(&self) -> String {
        match self {
            Generator::Uuid => uuid::Uuid::new_v4().to_string(),
            Generator::Code { alphabet, length } => {
                let mut rng = rand::thread_rng();
                (0..*length)
                    .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                    .collect()
            }
        }
    }
}

/// Byte-length limits of a string field in an encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteLimits {
    min: Option<u32>,
    max: Option<u32>,
    encoding: ByteEncoding,
}

impl ByteLimits {
    /// The encoding's name as schema files write it.
    fn encoding_name(&self) -> &'static str {
        match self.encoding {
            ByteEncoding::Utf8 => "UTF-8",
            ByteEncoding::Gb18030 => "GB18030",
        }
    }

    /// How many bytes `value` takes in the encoding.
    pub fn count(&self, value: &str) -> usize {
        match self.encoding {
            ByteEncoding::Utf8 => value.len(),
            ByteEncoding::Gb18030 => GB18030.encode(value).0.len(),
        }
    }

    /// The rule `value` breaks, if any, with (`reveal`) or without its length.
    pub fn check(&self, value: &str, reveal: bool) -> Result<(), String> {
        let n = self.count(value);
        let enc = self.encoding_name();
        let is = |few: bool| {
            if reveal {
                format!("is {n} bytes in {enc}")
            } else {
                let which = if few { "few" } else { "many" };
                format!("the resulting value has too {which} bytes in {enc}")
            }
        };
        match (self.min, self.max) {
            (Some(min), _) if n < min as usize => Err(format!(
                "{}; at least {min} bytes are needed (min_bytes)",
                is(true)
            )),
            (_, Some(max)) if n > max as usize => Err(format!(
                "{}; at most {max} bytes are allowed (max_bytes)",
                is(false)
            )),
            _ => Ok(()),
        }
    }
}

/// The compiled keywords of one field.
#[derive(Debug, Default)]
pub struct Keywords {
    /// `mask`.
    pub mask: Option<Mask>,
    /// `generated`.
    pub generated: Option<Generator>,
    /// `min_bytes` / `max_bytes` / `encoding`.
    pub bytes: Option<ByteLimits>,
    /// `computed`.
    pub computed: Option<Expr>,
    /// `count`.
    pub counter: Option<Counter>,
    /// `viewer_link`.
    pub viewer_link: Option<ViewerLink>,
    /// `related`.
    pub related: Option<Related>,
}

/// A keyword used wrongly: the key under `x-protium` and what is wrong.
pub type KeywordError = (&'static str, String);

/// Compiles the keywords of a field of `kind` with extension `ext`.
pub fn compile(
    kind: FieldKind,
    ext: &FieldExtension,
    has_default: bool,
) -> Result<Keywords, KeywordError> {
    Ok(Keywords {
        mask: ext.mask.as_ref().map(|m| mask(kind, ext, m)).transpose()?,
        generated: ext
            .generated
            .as_ref()
            .map(|g| generated(kind, ext, g, has_default))
            .transpose()?,
        bytes: bytes(kind, ext)?,
        computed: ext
            .computed
            .as_deref()
            .map(|c| computed(kind, ext, c, has_default))
            .transpose()?,
        counter: ext
            .count
            .as_ref()
            .map(|c| counter(kind, ext, c, has_default))
            .transpose()?,
        viewer_link: ext
            .viewer_link
            .as_ref()
            .map(|v| {
                derived(ext, has_default)
                    .and_then(|()| relations::viewer_link(kind, v).map_err(|m| ("viewer_link", m)))
            })
            .transpose()?,
        related: ext
            .related
            .as_ref()
            .map(|r| {
                derived(ext, has_default)
                    .and_then(|()| relations::related(kind, r).map_err(|m| ("related", m)))
            })
            .transpose()?,
    })
}

/// What a field read from other records (a viewer flag, a relation) cannot
/// also be.
fn derived(ext: &FieldExtension, has_default: bool) -> Result<(), KeywordError> {
    let what = if ext.viewer_link.is_some() {
        "viewer_link"
    } else {
        "related"
    };
    let others = [
        ext.computed.is_some(),
        ext.count.is_some(),
        ext.generated.is_some(),
        ext.mask.is_some(),
        ext.viewer_link.is_some() && ext.related.is_some(),
        ext.unique || ext.indexed || ext.pointer.is_some() || has_default,
    ];
    if others.iter().any(|o| *o) {
        return Err((
            what,
            "a field read from another table is not stored: no default, index, pointer, mask, \
             or other computed keyword"
                .into(),
        ));
    }
    if ext.write.is_some_and(|w| w != WriteRule::Nobody) {
        return Err((what, "it is never written: leave write out".into()));
    }
    Ok(())
}

fn counter(
    kind: FieldKind,
    ext: &FieldExtension,
    c: &CountExtension,
    has_default: bool,
) -> Result<Counter, KeywordError> {
    if kind != FieldKind::Integer {
        return Err(("count", "a counter is an integer field".into()));
    }
    if has_default || ext.unique || ext.computed.is_some() || ext.generated.is_some() {
        return Err((
            "count",
            "a counter starts at 0 and is kept by the server: no default, unique, computed or generated"
                .into(),
        ));
    }
    if ext.write.is_some_and(|w| w != WriteRule::Nobody) {
        return Err((
            "write",
            "a counter is written by the server only: leave write out or set \"nobody\"".into(),
        ));
    }
    Ok(Counter::new(c))
}

fn mask(kind: FieldKind, ext: &FieldExtension, m: &MaskExtension) -> Result<Mask, KeywordError> {
    if kind != FieldKind::String {
        return Err(("mask", "only string fields can be masked".into()));
    }
    if ext.read.is_some_and(|r| r != ReadRule::Public) {
        return Err((
            "mask",
            "a masked field is shown masked to everyone: its read rule must be public \
             (an owner-only field is already hidden from others)"
                .into(),
        ));
    }
    if ext.unique || ext.indexed {
        return Err((
            "mask",
            "a masked field cannot be unique or indexed: others may not filter on it".into(),
        ));
    }
    Ok(Mask {
        keep_start: m.keep_start.into(),
        keep_end: m.keep_end.into(),
    })
}

fn generated(
    kind: FieldKind,
    ext: &FieldExtension,
    g: &GeneratedExtension,
    has_default: bool,
) -> Result<Generator, KeywordError> {
    if kind != FieldKind::String {
        return Err(("generated", "only string fields can be generated".into()));
    }
    if has_default {
        return Err((
            "generated",
            "a generated field cannot have a default".into(),
        ));
    }
    if ext.write.is_some_and(|w| w != WriteRule::Nobody) {
        return Err((
            "write",
            "a generated field is written by the server only: leave write out or set \"nobody\""
                .into(),
        ));
    }
    match g {
        GeneratedExtension::Uuid => Ok(Generator::Uuid),
        GeneratedExtension::Code { alphabet, length } => {
            let chars: Vec<char> = alphabet.chars().collect();
            let mut distinct = chars.clone();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() < 2 || distinct.len() != chars.len() {
                return Err((
                    "generated",
                    "a code's alphabet needs at least two characters, none repeated".into(),
                ));
            }
            if !(4..=64).contains(length) {
                return Err(("generated", "a code's length is 4 to 64 characters".into()));
            }
            Ok(Generator::Code {
                alphabet: chars,
                length: (*length).into(),
            })
        }
    }
}

fn bytes(kind: FieldKind, ext: &FieldExtension) -> Result<Option<ByteLimits>, KeywordError> {
    if ext.min_bytes.is_none() && ext.max_bytes.is_none() {
        if ext.encoding.is_some() {
            return Err((
                "encoding",
                "encoding says what min_bytes/max_bytes count in: add one of them".into(),
            ));
        }
        return Ok(None);
    }
    if kind != FieldKind::String {
        return Err(("max_bytes", "byte limits apply to string fields".into()));
    }
    if let (Some(min), Some(max)) = (ext.min_bytes, ext.max_bytes) {
        if min > max {
            return Err(("min_bytes", "min_bytes is larger than max_bytes".into()));
        }
    }
    Ok(Some(ByteLimits {
        min: ext.min_bytes,
        max: ext.max_bytes,
        encoding: ext.encoding.unwrap_or(ByteEncoding::Utf8),
    }))
}

fn computed(
    kind: FieldKind,
    ext: &FieldExtension,
    source: &str,
    has_default: bool,
) -> Result<Expr, KeywordError> {
    let clash = if has_default {
        Some("a default")
    } else if ext.unique || ext.indexed {
        Some("an index (it is not stored)")
    } else if ext.generated.is_some() || ext.mask.is_some() {
        Some("generated or mask")
    } else if ext.pointer.is_some() || kind.is_geo() || kind.is_file() {
        Some("a pointer, geometry or file kind")
    } else {
        None
    };
    if let Some(what) = clash {
        return Err(("computed", format!("a computed field cannot have {what}")));
    }
    if ext.write.is_some_and(|w| w != WriteRule::Nobody) {
        return Err((
            "write",
            "a computed field is never written: leave write out or set \"nobody\"".into(),
        ));
    }
    Expr::compile(source).map_err(|e| ("computed", e))
}

/// How hidden a read rule keeps a value: public 0, owner 1, admin 2.
pub fn strictness(rule: ReadRule) -> u8 {
    match rule {
        ReadRule::Public => 0,
        ReadRule::Owner => 1,
        ReadRule::Admin => 2,
    }
}

/// Every name a computed field reads is `now` or a stored field of the same
/// type that is no more hidden than the computed field — and not masked
/// unless the computed field is itself hidden from others — so a computed
/// value never reveals what its reader may not see. Errors are
/// `(json pointer, message)`.
pub fn check_computed_inputs(builtins: &[Field], fields: &[Field]) -> Result<(), (String, String)> {
    for field in fields {
        let Some(expr) = &field.computed else {
            continue;
        };
        let at = format!("/properties/{}/x-protium/computed", field.name.as_str());
        for name in expr.variables() {
            if name == "now" {
                continue;
            }
            let Some(input) = builtins
                .iter()
                .chain(fields)
                .find(|f| f.name.as_str() == name)
            else {
                return Err((
                    at,
                    format!(
                        "unknown name '{name}': a computed field reads the record's fields and now"
                    ),
                ));
            };
            if !input.is_stored() {
                return Err((
                    at,
                    format!("'{name}' is computed too: a computed field reads stored fields only"),
                ));
            }
            let hidden = strictness(input.read) > strictness(field.read)
                || (input.mask.is_some() && field.read == ReadRule::Public);
            if hidden {
                return Err((
                    at,
                    format!(
                        "'{name}' is more hidden than '{}' (its read rule or mask): the computed \
                         value would reveal it; give '{}' a stricter read rule",
                        field.name.as_str(),
                        field.name.as_str()
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "field_keywords_test.rs"]
mod tests;
