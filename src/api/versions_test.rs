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
