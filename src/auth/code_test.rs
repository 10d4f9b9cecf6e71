//! Unit tests of `code`.

use super::*;

#[test]
fn codes_are_six_digits() {
    for _ in 0..100 {
        let c = new_code();
        assert_eq!(c.len(), 6);
        assert!(c.chars().all(|d| d.is_ascii_digit()));
    }
}

#[test]
fn a_digest_binds_the_code_to_its_context() {
    let key = CodeKey(<Hmac<Sha256> as Mac>::new_from_slice(b"test key").unwrap());
    let stored = key.digest("+8613800000000", "123456");
    assert_ne!(stored, "123456");
    assert!(key.matches("+8613800000000", " 123456 ", &stored));
    assert!(!key.matches("+8613800000001", "123456", &stored));
    assert!(!key.matches("+8613800000000", "123457", &stored));
}
