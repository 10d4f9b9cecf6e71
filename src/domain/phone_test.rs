//! Unit tests of `phone`.

use super::*;

fn cn() -> PhoneRegion {
    PhoneRegion::default()
}

#[test]
fn national_numbers_take_the_default_region() {
    assert_eq!(
        Phone::parse("138 0000 0000", None, cn()).unwrap().as_str(),
        "+8613800000000"
    );
    assert_eq!(
        Phone::parse("+86-138-0000-0000", None, cn())
            .unwrap()
            .as_str(),
        "+8613800000000"
    );
}

#[test]
fn a_region_field_may_be_a_calling_code_or_an_iso_code() {
    assert_eq!(
        Phone::parse("13800000000", Some("86"), cn())
            .unwrap()
            .as_str(),
        "+8613800000000"
    );
    assert_eq!(
        Phone::parse("2025550123", Some("1"), cn())
            .unwrap()
            .as_str(),
        "+12025550123"
    );
    assert_eq!(
        Phone::parse("(202) 555-0123", Some("US"), cn())
            .unwrap()
            .as_str(),
        "+12025550123"
    );
    assert!(Phone::parse("2025550123", Some("Atlantis"), cn()).is_err());
}

#[test]
fn invalid_numbers_are_refused() {
    for bad in [
        "",
        "12ab5",
        "1234",
        "+86 12",
        "00000000000",
        "+999123456789",
    ] {
        let e = Phone::parse(bad, None, cn()).unwrap_err();
        assert_eq!(e.field, "phone", "{bad}");
    }
}
