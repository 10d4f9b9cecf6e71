//! Unit tests of `pattern`.

use super::*;

#[test]
fn ordinary_patterns_compile() {
    for p in [
        "^a",
        "(?i)hello",
        r"^\w+@\w+\.\w+$",
        r"\p{Han}+",
        "^(x|y)+z$",
    ] {
        assert!(compile(p).is_ok(), "{p}");
    }
}

#[test]
fn short_patterns_that_compile_to_megabytes_are_too_complex() {
    assert_eq!(compile(r"\w{200}N").unwrap_err(), PatternError::TooComplex);
    assert_eq!(
        compile(r"(?i)\w{10}").unwrap_err(),
        PatternError::TooComplex
    );
}

#[test]
fn long_and_invalid_patterns_are_refused() {
    assert_eq!(
        compile(&"a".repeat(MAX_PATTERN + 5)).unwrap_err(),
        PatternError::TooLong
    );
    assert!(matches!(compile("("), Err(PatternError::Invalid(_))));
}

#[test]
fn the_case_flag_is_written_in_front() {
    assert_eq!(with_flags("^a", true), "(?i)^a");
    assert_eq!(with_flags("^a", false), "^a");
}
