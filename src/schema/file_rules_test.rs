use super::*;

fn rules(ext: serde_json::Value) -> FileRules {
    let ext: FileExtension = serde_json::from_value(ext).expect("extension");
    FileRules::compile(&ext).expect("rules")
}

fn png(size: i64, w: i64, h: i64) -> FileFacts<'static> {
    FileFacts {
        size,
        media_type: "image/png",
        dimensions: Some((w, h)),
    }
}

#[test]
fn a_family_pattern_takes_every_type_of_the_family_and_no_other() {
    let p = MediaPattern::parse("Image/*").expect("pattern");
    assert!(p.matches("image/png"));
    assert!(p.matches("image/webp"));
    assert!(!p.matches("application/pdf"));
    let exact = MediaPattern::parse("application/pdf").expect("pattern");
    assert!(exact.matches("application/pdf"));
    assert!(!exact.matches("application/pdfx"));
}

#[test]
fn malformed_media_types_and_empty_limits_are_refused_at_load() {
    for bad in ["image", "/png", "image/", "*/*x", "im age/png"] {
        assert!(MediaPattern::parse(bad).is_err(), "{bad}");
    }
    let empty: FileExtension = serde_json::from_value(serde_json::json!({"types": []})).unwrap();
    assert!(FileRules::compile(&empty).is_err());
    let zero: FileExtension = serde_json::from_value(serde_json::json!({"max_bytes": 0})).unwrap();
    assert!(FileRules::compile(&zero).is_err());
}

#[test]
fn each_broken_rule_is_named_by_its_keyword() {
    let r = rules(serde_json::json!({"max_bytes": 1000, "types": ["image/*"], "max_width": 64}));
    assert!(r.check(png(1000, 64, 500)).is_ok());
    let too_big = r.check(png(1001, 10, 10)).unwrap_err();
    assert!(
        too_big.contains("max_bytes") && too_big.contains("1001"),
        "{too_big}"
    );
    let pdf = FileFacts {
        size: 10,
        media_type: "application/pdf",
        dimensions: None,
    };
    let wrong = r.check(pdf).unwrap_err();
    assert!(
        wrong.contains("(types)") && wrong.contains("application/pdf"),
        "{wrong}"
    );
    let wide = r.check(png(10, 65, 1)).unwrap_err();
    assert!(wide.contains("max_width") && wide.contains("65"), "{wide}");
}

#[test]
fn a_dimension_rule_refuses_files_whose_size_is_unknown() {
    let r = rules(serde_json::json!({"max_height": 100}));
    let unknown = FileFacts {
        size: 10,
        media_type: "image/jpeg",
        dimensions: None,
    };
    assert!(r.check(unknown).unwrap_err().contains("max_height"));
    assert!(rules(serde_json::json!({})).check(unknown).is_ok());
}
