//! Unit tests of `date`.

use super::*;

#[test]
fn offsets_are_normalised_to_utc_so_text_order_is_time_order() {
    let a = IsoDate::parse("d", "2018-09-26T11:22:51.1+08:00").unwrap();
    let b = IsoDate::parse("d", "2018-09-26T04:00:00Z").unwrap();
    assert_eq!(a.stored(), "2018-09-26T03:22:51.100000Z");
    assert!(a < b && a.stored() < b.stored());
}

#[test]
fn other_shapes_are_refused_naming_the_field() {
    for bad in ["2018-09-26", "yesterday", "2018-13-01T00:00:00Z", ""] {
        let e = IsoDate::parse("when", bad).unwrap_err();
        assert_eq!(e.field, "when", "{bad}");
    }
}
