//! Unit tests of `field`.

use super::*;

#[test]
fn field_names_are_sql_safe() {
    assert!(FieldName::parse("nickname").is_ok());
    assert!(FieldName::parse("video_price2").is_ok());
    for bad in ["", "_email", "Nick", "1a", "a-b", "a b", "a\"b"] {
        assert!(FieldName::parse(bad).is_err(), "{bad} accepted");
    }
}
