//! Unit tests of `password`.

use super::*;

#[test]
fn hashes_are_argon2id_salted_and_verify() {
    let h = PasswordHasher::new().unwrap();
    let a = h.hash("correct horse").unwrap();
    let b = h.hash("correct horse").unwrap();
    assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_ne!(a, b, "salts differ");
    assert!(h.verify("correct horse", Some(&a)));
    assert!(!h.verify("wrong horse", Some(&a)));
    assert!(!h.verify("anything", None));
}
