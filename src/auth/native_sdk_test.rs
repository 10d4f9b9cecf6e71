use serde_json::{json, Map, Value};

use super::super::provider_answer::error_code;
use super::{as_text, same_account};
use crate::config::OAuthProviderSettings;

fn answer(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("the tests pass objects"),
    }
}

fn wechat() -> OAuthProviderSettings {
    OAuthProviderSettings {
        name: "wechat".into(),
        error_field: "errcode".into(),
        ..Default::default()
    }
}

#[test]
fn an_error_code_other_than_zero_is_an_error() {
    let p = wechat();
    let code = |v: Value| error_code(&p, &answer(v));
    assert_eq!(
        code(json!({"errcode": 40029, "errmsg": "invalid code"})).as_deref(),
        Some("40029")
    );
    assert_eq!(code(json!({"errcode": "40163"})).as_deref(), Some("40163"));
    assert_eq!(code(json!({"errcode": -1})).as_deref(), Some("-1"));
}

#[test]
fn a_zero_or_missing_error_code_is_an_answer() {
    let p = wechat();
    for ok in [
        json!({"errcode": 0, "openid": "o1"}),
        json!({"errcode": "0"}),
        json!({"errcode": null}),
        json!({"openid": "o1"}),
    ] {
        assert_eq!(error_code(&p, &answer(ok.clone())), None, "{ok}");
    }
}

#[test]
fn without_an_error_field_nothing_in_the_body_is_an_error() {
    let p = OAuthProviderSettings::default();
    assert_eq!(error_code(&p, &answer(json!({"errcode": 40029}))), None);
}

#[test]
fn ids_may_come_as_strings_or_numbers() {
    assert_eq!(as_text(&json!("o1")), Some("o1".into()));
    assert_eq!(as_text(&json!(1234567)), Some("1234567".into()));
    assert_eq!(as_text(&json!("")), None);
    assert_eq!(as_text(&json!({"id": 1})), None);
}

#[test]
fn user_info_must_describe_the_account_the_token_belongs_to() {
    let p = wechat();
    let named = || vec![("uid".to_owned(), "1234567".to_owned())];
    let same = same_account(&p, answer(json!({"uid": 1234567, "name": "a"})), named()).unwrap();
    assert_eq!(same["name"], "a");
    let filled = same_account(&p, answer(json!({"name": "a"})), named()).unwrap();
    assert_eq!(filled["uid"], "1234567", "filled in from the owner");
    assert!(same_account(&p, answer(json!({"uid": 7654321})), named()).is_err());
}
