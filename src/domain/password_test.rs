//! Unit tests of `password`.

use super::*;

#[test]
fn default_policy_is_6_to_256_bytes() {
    let p = PasswordPolicy::default();
    assert!(p.parse("password", "12345").is_err());
    assert!(p.parse("password", "123456").is_ok());
    assert!(p.parse("password", &"x".repeat(257)).is_err());
}

#[test]
fn sealtalk_policy_refuses_spaces_and_long_passwords() {
    let p = PasswordPolicy {
        min_bytes: 6,
        max_bytes: 20,
        forbidden: " ".into(),
    };
    let e = p.parse("password", "has a space").unwrap_err();
    assert_eq!(e.field, "password");
    assert_eq!(e.rule, "must be 6 to 20 bytes long and not contain ' '");
    assert!(p.parse("password", &"x".repeat(21)).is_err());
    assert!(p.parse("password", "密码密码").is_ok(), "12 bytes");
}

#[test]
fn policy_is_checked() {
    assert!(PasswordPolicy {
        min_bytes: 8,
        max_bytes: 6,
        forbidden: String::new()
    }
    .check()
    .is_err());
    assert!(PasswordPolicy::default().check().is_ok());
}
