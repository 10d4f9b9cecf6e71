//! The regular expressions of `$regex`, bounded: a client's pattern is short
//! (at most [`MAX_PATTERN`] bytes) and compiles to a bounded program
//! ([`MAX_COMPILED`], Rust `regex`'s `size_limit`) with a bounded lazy-DFA
//! cache ([`MAX_DFA_CACHE`], `dfa_size_limit`). A few bytes of pattern can
//! otherwise compile to megabytes (`\w{200}N`: about 10 MB of program and
//! 17 MB kept after a search), and SQLite keeps compiled patterns per thread.
//!
//! The query parser compiles each pattern under these bounds (a pattern past
//! them is a 400 on both backends); SQLite's `regexp()` compiles with the same
//! bounds again ([`compile`]), so nothing larger is ever built. Matching time
//! is linear in the subject (`regex` never backtracks) and bounded by the
//! compiled size, so no bound on the subject is needed beyond the field's own.

/// Longest `$regex` pattern, in bytes.
pub const MAX_PATTERN: usize = 256;

/// Most bytes the compiled program of a pattern may take (each direction).
/// `\w` alone needs about 50 KB (Unicode), so a pattern may hold about five
/// Unicode classes; ASCII classes and literals are a few hundred bytes.
pub const MAX_COMPILED: usize = 256 * 1024;

/// Most bytes of the lazy DFA's transition cache of one compiled pattern.
pub const MAX_DFA_CACHE: usize = 256 * 1024;

/// Most `$regex` conditions in one query: SQLite keeps as many compiled
/// patterns per thread, so one statement never recompiles per row.
pub const MAX_REGEXES: usize = 8;

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// Longer than [`MAX_PATTERN`] bytes.
    TooLong,
    /// Compiles past [`MAX_COMPILED`].
    TooComplex,
    /// Not a regular expression `regex` accepts; the parser's message.
    Invalid(String),
}

/// The pattern as SQLite's `regexp()` receives it: `(?i)` in front for a
/// case-insensitive match.
pub fn with_flags(pattern: &str, case_insensitive: bool) -> String {
    if case_insensitive {
        format!("(?i){pattern}")
    } else {
        pattern.to_owned()
    }
}

/// Compiles `pattern` (as [`with_flags`] writes it) under the size bounds.
pub fn compile(pattern: &str) -> Result<regex::Regex, PatternError> {
    // `(?i)` adds four bytes to a pattern of at most MAX_PATTERN.
    if pattern.len() > MAX_PATTERN + 4 {
        return Err(PatternError::TooLong);
    }
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_COMPILED)
        .dfa_size_limit(MAX_DFA_CACHE)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => PatternError::TooComplex,
            other => PatternError::Invalid(other.to_string()),
        })
}

#[cfg(test)]
#[path = "pattern_test.rs"]
mod tests;
