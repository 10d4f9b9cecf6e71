//! Unit tests of `phone`.

use super::*;

#[test]
fn strips_separators() {
    assert_eq!(
        Phone::parse("138-0000 0000").unwrap().as_str(),
        "13800000000"
    );
    assert_eq!(
        Phone::parse("+8613800000000").unwrap().as_str(),
        "+8613800000000"
    );
}

#[test]
fn rejects_letters_and_wrong_lengths() {
    assert!(Phone::parse("12ab5").is_err());
    assert!(Phone::parse("1234").is_err());
    assert!(Phone::parse("1234567890123456").is_err());
}
