//! Unit tests of `load`.

use super::*;

fn compile(text: &str) -> Result<ObjectType, SchemaError> {
    compile_file(Path::new("_userprofile.json"), PROFILE_TYPE, text)
}

#[test]
fn compiles_fields_with_rules_and_defaults() {
    let t = compile(
        r#"{"type":"object","required":["age"],"properties":{
            "nickname":{"type":"string","maxLength":5},
            "age":{"type":"integer","default":18,"x-protium":{"read":"owner","indexed":true}},
            "vip":{"type":"boolean","x-protium":{"write":"nobody"}}}}"#,
    )
    .unwrap();
    let age = t.field("age").unwrap();
    assert_eq!(
        (age.kind, age.read, age.required, age.indexed),
        (FieldKind::Integer, ReadRule::Owner, true, true)
    );
    assert_eq!(t.field("nickname").unwrap().read, ReadRule::Public);
    assert_eq!(t.field("vip").unwrap().write, WriteRule::Nobody);
}

#[test]
fn bad_json_names_the_file() {
    let e = compile("{").unwrap_err();
    assert!(e.to_string().contains("_userprofile.json") && e.message.contains("invalid JSON"));
}

#[test]
fn unknown_keyword_of_ours_points_at_it() {
    let e = compile(r#"{"properties":{"a":{"type":"string","x-protium":{"raed":"owner"}}}}"#)
        .unwrap_err();
    assert_eq!(e.pointer, "/properties/a/x-protium");
    assert!(e.message.contains("raed"));
}

#[test]
fn unsupported_type_points_at_type() {
    let e = compile(r#"{"properties":{"a":{"type":"null"}}}"#).unwrap_err();
    assert_eq!(e.pointer, "/properties/a/type");
}

#[test]
fn misspelt_extension_keyword_is_refused() {
    let e = compile(r#"{"properties":{"a":{"type":"string","x-protum":{}}}}"#).unwrap_err();
    assert_eq!(e.pointer, "/properties/a/x-protum");
}

#[test]
fn default_must_fit() {
    let e =
        compile(r#"{"properties":{"a":{"type":"integer","minimum":1,"default":0}}}"#).unwrap_err();
    assert_eq!(e.pointer, "/properties/a/default");
}

#[test]
fn unique_fields_have_no_default() {
    let e = compile(
        r#"{"properties":{"a":{"type":"string","default":"x","x-protium":{"unique":true}}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.pointer, "/properties/a/default");
}

#[test]
fn builtin_names_cannot_be_declared() {
    let e = compile(r#"{"properties":{"created_at":{"type":"integer"}}}"#).unwrap_err();
    assert_eq!(e.pointer, "/properties/created_at");
}

#[test]
fn field_validation_names_field_and_rule() {
    let t = compile(r#"{"properties":{"nickname":{"type":"string","maxLength":3}}}"#).unwrap();
    let e = t
        .field("nickname")
        .unwrap()
        .validate(&serde_json::json!("abcd"))
        .unwrap_err();
    assert_eq!(e.field, "nickname");
    assert!(e.rule.contains("maxLength"), "{}", e.rule);
}

#[test]
fn formats_are_enforced() {
    let t = compile(r#"{"properties":{"site":{"type":"string","format":"email"}}}"#).unwrap();
    assert!(t
        .field("site")
        .unwrap()
        .validate(&serde_json::json!("nope"))
        .is_err());
}
