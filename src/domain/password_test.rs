//! Unit tests of `password`.

use super::*;

#[test]
fn enforces_length_policy() {
    assert!(Password::parse("password", "12345").is_err());
    assert!(Password::parse("password", "123456").is_ok());
    assert!(Password::parse("password", &"x".repeat(257)).is_err());
}
