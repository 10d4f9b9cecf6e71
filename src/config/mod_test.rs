//! Unit tests of `config`.

use super::*;

#[test]
fn defaults_are_valid() {
    Settings::default().check().unwrap();
}

#[test]
fn rejects_ttl_above_thirty_days() {
    let s = Settings {
        token_ttl: MAX_TOKEN_TTL_SECS + 1,
        ..Settings::default()
    };
    assert!(s
        .check()
        .unwrap_err()
        .to_string()
        .contains("PROTIUM_TOKEN_TTL"));
}

#[test]
fn rejects_bad_listen_address() {
    let s = Settings {
        listen: "nowhere".into(),
        ..Settings::default()
    };
    assert!(s
        .check()
        .unwrap_err()
        .to_string()
        .contains("PROTIUM_LISTEN"));
}

#[test]
fn forbidden_password_characters_can_name_a_space() {
    let s = Settings {
        password_forbidden_chars: "\\s#".into(),
        ..Settings::default()
    };
    assert_eq!(s.password_policy().forbidden, " #");
}

#[test]
fn splits_client_ids() {
    let s = Settings {
        client_ids: "a, b,,c".into(),
        ..Settings::default()
    };
    assert_eq!(s.client_id_list(), ["a", "b", "c"]);
}
