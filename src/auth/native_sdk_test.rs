use serde_json::{json, Map, Value};

use super::{as_text, is_refusal};
use crate::config::OAuthProviderSettings;

fn answer(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("the tests pass objects"),
    }
}

fn wechat() -> OAuthProviderSettings {
    OAuthProviderSettings {
        error_field: "errcode".into(),
        ..Default::default()
    }
}

#[test]
fn an_error_code_other_than_zero_is_a_refusal() {
    let p = wechat();
    assert!(is_refusal(
        &p,
        &answer(json!({"errcode": 40029, "errmsg": "invalid code"}))
    ));
    assert!(is_refusal(&p, &answer(json!({"errcode": "40163"}))));
    assert!(is_refusal(&p, &answer(json!({"errcode": true}))));
}

#[test]
fn a_zero_or_missing_error_code_is_an_answer() {
    let p = wechat();
    assert!(!is_refusal(
        &p,
        &answer(json!({"errcode": 0, "openid": "o1"}))
    ));
    assert!(!is_refusal(&p, &answer(json!({"errcode": "0"}))));
    assert!(!is_refusal(&p, &answer(json!({"errcode": null}))));
    assert!(!is_refusal(&p, &answer(json!({"openid": "o1"}))));
}

#[test]
fn without_an_error_field_nothing_in_the_body_is_a_refusal() {
    let p = OAuthProviderSettings::default();
    assert!(!is_refusal(&p, &answer(json!({"errcode": 40029}))));
}

#[test]
fn ids_may_come_as_strings_or_numbers() {
    assert_eq!(as_text(&json!("o1")), Some("o1".into()));
    assert_eq!(as_text(&json!(1234567)), Some("1234567".into()));
    assert_eq!(as_text(&json!("")), None);
    assert_eq!(as_text(&json!({"id": 1})), None);
}
