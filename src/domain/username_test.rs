//! Unit tests of `username`.

use super::*;

#[test]
fn keeps_case_and_accepts_unicode_letters() {
    assert_eq!(Username::parse("Bob_1").unwrap().as_str(), "Bob_1");
    assert!(Username::parse("小明").is_ok());
}

#[test]
fn rejects_empty_long_and_odd_characters() {
    assert!(Username::parse("  ").is_err());
    assert!(Username::parse(&"a".repeat(65)).is_err());
    assert!(Username::parse("a b").is_err());
    assert!(Username::parse("a@b.com").is_err());
}
