//! Unit tests of `oauth`.

use super::*;

#[test]
fn callbacks_must_stay_inside_an_allowed_prefix() {
    let prefixes = vec![
        "https://app.example.com/auth".to_string(),
        "myapp://auth/".to_string(),
    ];
    let ok = |u: &str| allowed_callback(u, &prefixes).is_some();
    assert!(ok("https://app.example.com/auth"));
    assert!(ok("https://app.example.com/auth/done?x=1"));
    assert!(ok("myapp://auth/done"));
    assert!(
        !ok("https://app.example.com.evil.net/auth"),
        "host must match exactly"
    );
    assert!(!ok("https://app.example.com/authx"), "whole path segments");
    assert!(!ok("http://app.example.com/auth"), "scheme must match");
    assert!(!ok("https://app.example.com:8443/auth"), "port must match");
    assert!(!ok("myapp://auth.evil/x"));
    assert!(!ok("not a url"));
}

#[test]
fn unsafe_characters_are_encoded_before_use_in_a_header() {
    let prefixes = vec!["https://app.example.com/".to_string()];
    let url = allowed_callback("https://app.example.com/a b\"c", &prefixes).unwrap();
    assert!(!url.contains(' ') && !url.contains('"'), "{url}");
}

#[test]
fn update_userprofile_values() {
    assert_eq!(
        ProfileUpdate::parse(None).unwrap(),
        ProfileUpdate::SetIfEmpty
    );
    assert_eq!(
        ProfileUpdate::parse(Some(&Value::from("overwrite"))).unwrap(),
        ProfileUpdate::Overwrite
    );
    assert_eq!(
        ProfileUpdate::parse(Some(&Value::Bool(false))).unwrap(),
        ProfileUpdate::Keep
    );
    assert!(ProfileUpdate::parse(Some(&Value::from("sometimes"))).is_err());
}
