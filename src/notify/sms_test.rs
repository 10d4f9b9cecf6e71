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
fn a_webhook_body_that_is_not_json_is_refused() {
    assert!(SmsSender::webhook("https://sms.example.com/send", "{phone}", "").is_err());
    let sender =
        SmsSender::webhook("https://sms.example.com/send", DEFAULT_WEBHOOK_BODY, "").unwrap();
    assert!(sender.inbox().is_none());
    assert!(SmsSender::Memory(SmsInbox::default()).inbox().is_some());
}
