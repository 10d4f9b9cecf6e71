//! Unit tests of `field`.

use super::*;

#[test]
fn field_names_are_sql_safe() {
    assert!(FieldName::parse("nickname").is_ok());
    assert!(FieldName::parse("video_price2").is_ok());
    // Hydrogen's names: any case, double underscores, SQL keywords (quoted).
    for good in ["bookName", "Nick", "cover__URL", "order", "select"] {
        assert!(FieldName::parse(good).is_ok(), "{good} refused");
    }
    for bad in ["", "_email", "1a", "a-b", "a b", "a\"b", "é"] {
        assert!(FieldName::parse(bad).is_err(), "{bad} accepted");
    }
}
