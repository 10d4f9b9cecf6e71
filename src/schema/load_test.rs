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

#[test]
fn the_profile_cannot_declare_a_sign_up_key() {
    for key in ["email", "password", "code", "region"] {
        let e = compile(&format!(
            r#"{{"properties":{{"{key}":{{"type":"string"}}}}}}"#
        ))
        .unwrap_err();
        assert_eq!(e.pointer, format!("/properties/{key}"));
        assert!(e.message.contains("sign-up"), "{}", e.message);
    }
    let table = compile_file(
        Path::new("contact.json"),
        "contact",
        r#"{"properties":{"email":{"type":"string"}}}"#,
    );
    assert!(table.is_ok(), "data tables may have an email field");
}

#[test]
fn every_type_carries_its_built_ins_and_raw_schema() {
    let profile =
        compile(r#"{"properties":{"nickname":{"type":"string","maxLength":3}}}"#).unwrap();
    let names: Vec<&str> = profile.builtins.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"_email") && names.contains(&"id") && !names.contains(&"read_perm"));
    assert_eq!(profile.lookup("user_id").unwrap().name.as_str(), "id");
    assert_eq!(profile.id_kind(), FieldKind::Integer);
    assert_eq!(profile.field("nickname").unwrap().raw["maxLength"], 3);
    let table = compile_file(Path::new("post.json"), "post", r#"{"properties":{}}"#).unwrap();
    assert!(table.lookup("read_perm").is_some() && table.lookup("_email").is_none());
    assert_eq!(table.lookup("_id").unwrap().name.as_str(), "id");
    assert_eq!(table.id_kind(), FieldKind::String);
}

#[test]
fn a_type_field_may_not_be_less_readable_than_its_pointer() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("post.json"),
        r#"{"type":"object","properties":{}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("like.json"),
        r#"{"type":"object","properties":{
            "kind":{"type":"string","enum":["post"],"x-protium":{"read":"owner"}},
            "target":{"type":"string","x-protium":{"pointer":"*","type_field":"kind"}}}}"#,
    )
    .unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(err.file.ends_with("like.json"), "{err}");
    assert_eq!(err.pointer, "/properties/kind/x-protium/read");
    assert!(err.message.contains("less readable than 'target'"), "{err}");
}
