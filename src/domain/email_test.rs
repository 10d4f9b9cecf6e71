//! Unit tests of `email`.

use super::*;

#[test]
fn lower_cases_and_trims() {
    assert_eq!(
        Email::parse(" Ann@Example.COM ").unwrap().as_str(),
        "ann@example.com"
    );
}

#[test]
fn rejects_malformed_addresses() {
    for bad in [
        "",
        "ann",
        "ann@",
        "@example.com",
        "ann@example",
        "a b@example.com",
        "a@b@c.com",
        "ann@.com",
    ] {
        assert!(Email::parse(bad).is_err(), "{bad} accepted");
    }
}
