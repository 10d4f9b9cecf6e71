//! Unit tests of `secret`.

use super::*;

#[test]
fn debug_hides_the_value() {
    let s = SecretString::new("hunter2".into());
    assert!(!format!("{s:?}").contains("hunter2"));
}

#[test]
fn urls_are_shown_without_passwords() {
    assert_eq!(
        redact_url("postgres://app:s3cret@db:5432/app"),
        "postgres://app:***@db:5432/app"
    );
    assert_eq!(redact_url("smtps://user@mail"), "smtps://user@mail");
    assert_eq!(
        redact_url("sqlite://data/protium.db"),
        "sqlite://data/protium.db"
    );
    assert_eq!(redact_url("mysql://u:p@a:b@host/x"), "mysql://u:***@host/x");
}
