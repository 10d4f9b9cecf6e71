//! Unit tests of `sms`.

use super::*;

#[test]
fn the_webhook_template_is_filled_safely() {
    let t: Value = serde_json::from_str(r#"{"to": "{{phone}}", "sms": {"text": "{{ message }}", "tags": ["otp", "{{code}}"]}, "n": 1}"#).unwrap();
    let body = fill(
        &t,
        &[
            ("phone", "+8613800000000"),
            ("message", "say \"hi\""),
            ("code", "123456"),
        ],
    );
    assert_eq!(
        body,
        serde_json::json!({"to": "+8613800000000", "sms": {"text": "say \"hi\"", "tags": ["otp", "123456"]}, "n": 1})
    );
}

#[test]
fn unknown_sender_kinds_are_refused() {
    assert!(SmsSender::new("carrier-pigeon", "", DEFAULT_WEBHOOK_BODY, "", outbox()).is_err());
    assert!(
        SmsSender::new("memory", "", DEFAULT_WEBHOOK_BODY, "", outbox())
            .unwrap()
            .inbox()
            .is_some()
    );
}

fn outbox() -> DevOutbox {
    DevOutbox::new(&std::env::temp_dir().join("protium-sms-test")).unwrap()
}
