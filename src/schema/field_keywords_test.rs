use super::*;

fn ext(json: serde_json::Value) -> FieldExtension {
    serde_json::from_value(json).expect("extension parses")
}

#[test]
fn a_mask_keeps_the_ends_and_hides_the_middle() {
    let m = Mask {
        keep_start: 3,
        keep_end: 2,
    };
    assert_eq!(m.apply("18712345682"), "187******82");
    assert_eq!(m.apply("张三丰李四"), "*****");
    assert_eq!(m.apply("12345"), "*****", "too short to keep both ends");
    assert_eq!(m.apply(""), "");
}

#[test]
fn codes_use_the_alphabet_and_length() {
    let g = compile(
        FieldKind::String,
        &ext(serde_json::json!({"generated": {"code": {"alphabet": "AB", "length": 6}}})),
        false,
    )
    .expect("compiles")
    .generated
    .expect("a generator");
    let code = g.generate();
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c == 'A' || c == 'B'), "{code}");
    let uuid = Generator::Uuid.generate();
    assert_eq!(uuid.len(), 36);
    assert_ne!(uuid, Generator::Uuid.generate());
}

#[test]
fn bytes_count_in_the_declared_encoding() {
    let limits = |json| {
        bytes(FieldKind::String, &ext(json))
            .expect("ok")
            .expect("limits")
    };
    let gb = limits(serde_json::json!({"max_bytes": 4, "encoding": "gb18030"}));
    assert_eq!(gb.count("张三"), 4);
    assert!(gb.check("张三", true).is_ok());
    let err = gb.check("张三丰", true).expect_err("too long");
    assert_eq!(
        err,
        "is 6 bytes in GB18030; at most 4 bytes are allowed (max_bytes)"
    );
    let utf8 = limits(serde_json::json!({"min_bytes": 7}));
    assert_eq!(utf8.count("张三"), 6);
    assert!(utf8
        .check("张三", false)
        .expect_err("too short")
        .contains("too few bytes"));
}

#[test]
fn keywords_used_wrongly_are_refused() {
    let refuse = |kind, json: serde_json::Value, default| {
        compile(kind, &ext(json), default).expect_err("refused").0
    };
    assert_eq!(
        refuse(FieldKind::Integer, serde_json::json!({"mask": {}}), false),
        "mask"
    );
    assert_eq!(
        refuse(
            FieldKind::String,
            serde_json::json!({"mask": {}, "read": "owner"}),
            false
        ),
        "mask"
    );
    assert_eq!(
        refuse(
            FieldKind::String,
            serde_json::json!({"generated": "uuid"}),
            true
        ),
        "generated"
    );
    assert_eq!(
        refuse(
            FieldKind::String,
            serde_json::json!({"generated": "uuid", "write": "owner"}),
            false
        ),
        "write"
    );
    assert_eq!(
        refuse(
            FieldKind::String,
            serde_json::json!({"generated": {"code": {"alphabet": "AA", "length": 6}}}),
            false
        ),
        "generated"
    );
    assert_eq!(
        refuse(
            FieldKind::Integer,
            serde_json::json!({"max_bytes": 3}),
            false
        ),
        "max_bytes"
    );
    assert_eq!(
        refuse(
            FieldKind::String,
            serde_json::json!({"min_bytes": 5, "max_bytes": 3}),
            false
        ),
        "min_bytes"
    );
    assert_eq!(
        refuse(
            FieldKind::String,
            serde_json::json!({"encoding": "gb18030"}),
            false
        ),
        "encoding"
    );
    assert_eq!(
        refuse(
            FieldKind::Integer,
            serde_json::json!({"computed": "a +"}),
            false
        ),
        "computed"
    );
    assert_eq!(
        refuse(
            FieldKind::Integer,
            serde_json::json!({"computed": "a", "indexed": true}),
            false
        ),
        "computed"
    );
}
