//! Unit tests of `secret`.

use super::*;

#[test]
fn debug_hides_the_value() {
    let s = SecretString::new("hunter2".into());
    assert!(!format!("{s:?}").contains("hunter2"));
}
