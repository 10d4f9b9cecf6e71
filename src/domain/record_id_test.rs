//! Unit tests of `record_id`.

use super::*;

#[test]
fn generated_ids_are_24_hex_and_distinct() {
    let a = RecordId::generate();
    let b = RecordId::generate();
    assert_eq!(a.as_str().len(), 24);
    assert!(RecordId::parse(a.as_str()).is_ok());
    assert_ne!(a, b);
}

#[test]
fn parse_folds_case_and_refuses_other_shapes() {
    assert_eq!(
        RecordId::parse("5CBE89E7F1EC740AF442A1FA")
            .unwrap()
            .as_str(),
        "5cbe89e7f1ec740af442a1fa"
    );
    for bad in [
        "",
        "5cbe89e7",
        "5cbe89e7f1ec740af442a1fz",
        "1' OR 1=1 --xxxxxxxxxxxxx",
    ] {
        assert!(RecordId::parse(bad).is_err(), "{bad} accepted");
    }
}
