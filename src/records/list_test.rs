//! Unit tests of `list`.

use super::*;

#[test]
fn page_defaults_and_bounds() {
    assert_eq!(parse_page(None, None).unwrap(), (20, 0));
    assert_eq!(parse_page(Some("1000"), Some("5")).unwrap(), (1000, 5));
    assert_eq!(parse_page(Some("1001"), None).unwrap_err().param, "limit");
    assert_eq!(parse_page(None, Some("-1")).unwrap_err().param, "offset");
    assert_eq!(parse_page(Some("x"), None).unwrap_err().param, "limit");
}
