//! Unit tests of `dev_outbox`.

use super::*;

#[test]
fn finds_the_link_before_any_number() {
    let text = "Hi 2026\nOpen https://x.example/verify/?token=abc to confirm.\nCode 123456";
    assert_eq!(
        link_or_code(text),
        Some("https://x.example/verify/?token=abc")
    );
}

#[test]
fn finds_a_code_in_punctuation() {
    assert_eq!(link_or_code("Your code is 654321."), Some("654321"));
    assert_eq!(
        link_or_code("验证码：(123456)，10 分钟内有效"),
        Some("123456")
    );
    assert_eq!(link_or_code("in 2026, 12 tries"), None);
}

#[test]
fn appends_one_line_per_message_with_the_key_fourth() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = DevOutbox::new(dir.path()).unwrap();
    outbox.record(
        "sms",
        "+8613800000000",
        "123456",
        "Your code is 123456\nvalid 10 minutes",
    );
    outbox.record("mail", "ann@example.com", "https://x/", "Verify");
    outbox.record("mail", "bob@example.com", "", "Notice");
    let text = std::fs::read_to_string(outbox.path()).unwrap();
    let fourth: Vec<&str> = text.lines().map(|l| l.split(' ').nth(3).unwrap()).collect();
    assert_eq!(fourth, ["123456", "https://x/", "-"]);
    assert!(text
        .lines()
        .next()
        .unwrap()
        .ends_with(" Your code is 123456 valid 10 minutes"));
}
