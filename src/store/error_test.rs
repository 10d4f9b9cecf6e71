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
