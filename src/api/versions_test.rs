//! Unit tests of `versions`.

use super::*;

#[test]
fn lists_before_v2_2_count_by_default() {
    for old in ["v1", "v1.9", "v2.0", "v2.1"] {
        assert!(counts_by_default(old), "{old}");
    }
    for new in ["v2.2", "v2.4", "v2.5", "v3"] {
        assert!(!counts_by_default(new), "{new}");
    }
}

#[test]
fn an_unknown_version_names_the_served_ones() {
    assert!(require("v2.0", USER_DETAIL).is_ok());
    let Err(ApiError::UnknownVersion { version, served }) = require("v9.9", RECORDS) else {
        panic!("v9.9 served");
    };
    assert_eq!(version, "v9.9");
    assert!(
        served.starts_with("v1, v1.1") && served.ends_with("v2.5"),
        "{served}"
    );
}
