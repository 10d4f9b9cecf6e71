//! Unit tests of `error`.

use super::unique_field;

#[test]
fn finds_the_field_in_both_backends_messages() {
    let pg = Some("Key (_email)=(a@b.co) already exists.");
    assert_eq!(unique_field(pg, Some("uq.x.y"), ""), "_email");
    assert_eq!(
        unique_field(None, Some("uq._userprofile._email"), ""),
        "_email"
    );
    let lite = "UNIQUE constraint failed: _userprofile._username_key";
    assert_eq!(unique_field(None, None, lite), "_username_key");
    let lite_index = "UNIQUE constraint failed: index 'uq.t.code'";
    assert_eq!(unique_field(None, None, lite_index), "code");
}

#[test]
fn compound_expression_and_rule_indexes() {
    let pg = Some("Key (created_by, name)=(1, x) already exists.");
    assert_eq!(unique_field(pg, Some("ur.t.abc"), ""), "ur.t.abc");
    let pg_lower = Some("Key (lower(name))=(bob) already exists.");
    assert_eq!(unique_field(pg_lower, Some("uc.t.name"), ""), "name");
    let lite = "UNIQUE constraint failed: tbl_t.created_by, tbl_t.name";
    assert_eq!(unique_field(None, None, lite), "created_by, name");
    let lite_rule = "UNIQUE constraint failed: index 'ur.tbl_t.0a1b'";
    assert_eq!(unique_field(None, None, lite_rule), "ur.tbl_t.0a1b");
}
