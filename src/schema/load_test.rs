//! Unit tests of `load`.

use super::*;
use crate::schema::{FindBy, ReadRule, WriteRule};

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
fn the_profile_declares_fields_named_like_sign_up_keys() {
    // As on Hydrogen, whose account identifiers are `_phone` and `_email`.
    for key in ["email", "phone", "nickname", "region"] {
        let t = compile(&format!(
            r#"{{"properties":{{"{key}":{{"type":"string"}}}}}}"#
        ))
        .unwrap();
        assert!(t.field(key).is_some(), "{key}");
    }
    let e =
        compile(r#"{"properties":{"bookName":{"type":"string"},"bookname":{"type":"string"}}}"#)
            .unwrap_err();
    assert!(e.message.contains("differ only in case"), "{}", e.message);
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

#[test]
fn vocabulary_keywords_used_wrongly_point_at_the_keyword() {
    let cases = [
        (
            r#"{"properties":{"a":{"type":"integer","x-protium":{"mask":{"keep_start":1}}}}}"#,
            "/properties/a/x-protium/mask",
        ),
        (
            r#"{"properties":{"a":{"type":"string","x-protium":{"generated":"serial"}}}}"#,
            "/properties/a/x-protium",
        ),
        (
            r#"{"properties":{"a":{"type":"string","x-protium":{"max_bytes":4,"encoding":"latin1"}}}}"#,
            "/properties/a/x-protium",
        ),
        (
            r#"{"properties":{"a":{"type":"integer","x-protium":{"computed":"b +"}}}}"#,
            "/properties/a/x-protium/computed",
        ),
        (
            r#"{"properties":{"a":{"type":"integer","x-protium":{"computed":"nope * 2"}}}}"#,
            "/properties/a/x-protium/computed",
        ),
        (
            r#"{"properties":{"secret":{"type":"integer","x-protium":{"read":"owner"}},
               "a":{"type":"integer","x-protium":{"computed":"secret * 2"}}}}"#,
            "/properties/a/x-protium/computed",
        ),
        (
            r#"{"required":["a"],"properties":{"a":{"type":"string","x-protium":{"generated":"uuid"}}}}"#,
            "/properties/a",
        ),
        (
            r#"{"properties":{"a":{"type":"integer"}},"x-protium":{"guards":[{"rule":"a > 1","message":"m"}]}}"#,
            "/x-protium/guards/0/rule",
        ),
        (
            r#"{"properties":{"a":{"type":"integer"}},"x-protium":{"guards":[{"rule":"new.a > 1","message":" "}]}}"#,
            "/x-protium/guards/0/message",
        ),
        (
            r#"{"properties":{"a":{"type":"integer"}},"x-protium":{"guards":[{"rule":"true","message":"m","field":"b"}]}}"#,
            "/x-protium/guards/0/field",
        ),
    ];
    for (text, pointer) in cases {
        let e = compile(text).expect_err(text);
        assert_eq!(e.pointer, pointer, "{text}: {}", e.message);
        assert!(e.to_string().contains("_userprofile.json"), "{e}");
    }
}

#[test]
fn a_computed_field_reading_a_public_field_compiles() {
    let t = compile(
        r#"{"properties":{"price":{"type":"integer"},
            "double":{"type":"integer","x-protium":{"computed":"price * 2"}}}}"#,
    )
    .unwrap();
    let f = t.field("double").unwrap();
    assert!(!f.is_stored() && f.write == WriteRule::Nobody);
}

/// Loads a directory of `files` (name, text).
fn load_files(files: &[(&str, &str)]) -> Result<Registry, SchemaError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    load_dir(dir.path())
}

#[test]
fn counters_must_count_a_pointer_to_their_own_type() {
    let follow = r#"{"properties":{"followee":{"type":"string","x-protium":{"pointer":"_userprofile"}},
        "post":{"type":"string","x-protium":{"pointer":"post"}},"hidden":{"type":"boolean"}}}"#;
    let post = r#"{"properties":{"title":{"type":"string"}}}"#;
    let profile = |count: &str| {
        format!(r#"{{"properties":{{"n":{{"type":"integer","x-protium":{{"count":{count}}}}}}}}}"#)
    };
    let ok = load_files(&[
        ("follow.json", follow),
        ("post.json", post),
        (
            "_userprofile.json",
            &profile(r#"{"table":"follow","pointer":"followee","where":{"hidden":false}}"#),
        ),
    ])
    .unwrap();
    let links = &ok.tables["follow"].counted_by;
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].target.as_str(), links[0].field.as_str()),
        ("_userprofile", "n")
    );
    for (count, key) in [
        (r#"{"table":"nope","pointer":"followee"}"#, "table"),
        (r#"{"table":"follow","pointer":"post"}"#, "pointer"),
        (r#"{"table":"follow","pointer":"missing"}"#, "pointer"),
        (
            r#"{"table":"follow","pointer":"followee","where":{"hidden":"no"}}"#,
            "where",
        ),
        (
            r#"{"table":"_userprofile","pointer":"created_by"}"#,
            "table",
        ),
    ] {
        let e = load_files(&[
            ("follow.json", follow),
            ("post.json", post),
            ("_userprofile.json", &profile(count)),
        ])
        .expect_err(count);
        assert_eq!(
            e.pointer,
            format!("/properties/n/x-protium/count/{key}"),
            "{count}: {e}"
        );
        assert!(e.to_string().contains("_userprofile.json"), "{e}");
    }
    let e = compile(r#"{"properties":{"n":{"type":"string","x-protium":{"count":{"table":"t","pointer":"p"}}}}}"#)
        .expect_err("a string counter");
    assert_eq!(e.pointer, "/properties/n/x-protium/count");
}

#[test]
fn relations_must_read_pointers_to_their_own_type() {
    let follow = r#"{"properties":{"followee":{"type":"string","x-protium":{"pointer":"_userprofile"}},
        "secret":{"type":"integer","x-protium":{"read":"owner"}}}}"#;
    let profile = |ext: &str, ty: &str| {
        format!(r#"{{"properties":{{"f":{{"type":"{ty}","x-protium":{ext}}}}}}}"#)
    };
    let good = [
        (
            r#"{"viewer_link":{"table":"follow","viewer":"created_by","record":"followee"}}"#,
            "boolean",
        ),
        (
            r#"{"related":{"table":"follow","pointer":"followee","limit":5}}"#,
            "array",
        ),
    ];
    for (ext, ty) in good {
        load_files(&[
            ("follow.json", follow),
            ("_userprofile.json", &profile(ext, ty)),
        ])
        .unwrap_or_else(|e| panic!("{ext}: {e}"));
    }
    let bad = [
        (
            r#"{"viewer_link":{"table":"nope","viewer":"created_by","record":"followee"}}"#,
            "boolean",
            "viewer_link/table",
        ),
        (
            r#"{"viewer_link":{"table":"follow","viewer":"followee","record":"secret"}}"#,
            "boolean",
            "viewer_link/record",
        ),
        (
            r#"{"related":{"table":"follow","pointer":"followee","order_by":"secret"}}"#,
            "array",
            "related/order_by",
        ),
        (
            r#"{"related":{"table":"follow","pointer":"id"}}"#,
            "array",
            "related/pointer",
        ),
    ];
    for (ext, ty, key) in bad {
        let e = load_files(&[
            ("follow.json", follow),
            ("_userprofile.json", &profile(ext, ty)),
        ])
        .expect_err(ext);
        assert_eq!(
            e.pointer,
            format!("/properties/f/x-protium/{key}"),
            "{ext}: {e}"
        );
    }
    for (ext, ty) in [
        (
            r#"{"viewer_link":{"table":"follow","viewer":"created_by","record":"followee"}}"#,
            "string",
        ),
        (
            r#"{"related":{"table":"follow","pointer":"followee","limit":1000}}"#,
            "array",
        ),
    ] {
        let e = compile(&profile(ext, ty)).expect_err(ext);
        assert!(
            e.pointer.starts_with("/properties/f/x-protium/"),
            "{ext}: {e}"
        );
    }
}

#[test]
fn last_active_is_one_profile_time_field() {
    let ok =
        compile(r#"{"properties":{"seen":{"type":"integer","x-protium":{"last_active":true}}}}"#)
            .unwrap();
    assert!(ok.field("seen").unwrap().last_active);
    for (text, pointer) in [
        (
            r#"{"properties":{"seen":{"type":"string","x-protium":{"last_active":true}}}}"#,
            "/properties/seen/x-protium/last_active",
        ),
        (
            r#"{"properties":{"a":{"type":"integer","x-protium":{"last_active":true}},"b":{"type":"integer","x-protium":{"last_active":true}}}}"#,
            "/properties/b/x-protium/last_active",
        ),
    ] {
        assert_eq!(compile(text).expect_err(text).pointer, pointer);
    }
    let table = compile_file(
        Path::new("post.json"),
        "post",
        r#"{"properties":{"seen":{"type":"integer","x-protium":{"last_active":true}}}}"#,
    )
    .expect_err("a table");
    assert_eq!(table.pointer, "/properties/seen/x-protium/last_active");
}

#[test]
fn a_switch_may_gate_finding_by_a_declared_find_key() {
    let t = compile(
        r#"{"properties":{
            "handle":{"type":"string","x-protium":{"unique":true,"find_key":true}},
            "findable":{"type":"boolean","default":true,"x-protium":{"allows_find_by":"handle"}},
            "by_phone":{"type":"boolean","x-protium":{"allows_find_by":"phone"}}}}"#,
    )
    .unwrap();
    assert!(t.field("handle").unwrap().find_key);
    assert_eq!(
        t.field("findable").unwrap().allows_find_by,
        Some(FindBy::Field("handle".into()))
    );
    assert_eq!(
        t.field("by_phone").unwrap().allows_find_by,
        Some(FindBy::Phone)
    );
}

#[test]
fn a_find_key_is_a_unique_string() {
    let e = compile(r#"{"properties":{"handle":{"type":"string","x-protium":{"find_key":true}}}}"#)
        .unwrap_err();
    assert_eq!(e.pointer, "/properties/handle/x-protium/find_key");
    assert!(e.message.contains("unique"), "{}", e.message);
}

#[test]
fn a_switch_names_a_built_in_identifier_or_a_find_key() {
    let e = compile(
        r#"{"properties":{
            "handle":{"type":"string","x-protium":{"unique":true}},
            "findable":{"type":"boolean","x-protium":{"allows_find_by":"handle"}}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.pointer, "/properties/findable/x-protium/allows_find_by");
    assert!(e.message.contains("find_key"), "{}", e.message);
}

#[test]
fn the_device_platform_is_one_server_kept_string_of_the_profile() {
    let t = compile(
        r#"{"properties":{"device_type":{"type":"string","x-protium":{"device_platform":true}}}}"#,
    )
    .unwrap();
    let f = t.field("device_type").unwrap();
    assert!(f.device_platform);
    assert_eq!(f.write, WriteRule::Nobody, "the server keeps it");
    let e =
        compile(r#"{"properties":{"d":{"type":"integer","x-protium":{"device_platform":true}}}}"#)
            .unwrap_err();
    assert_eq!(e.pointer, "/properties/d/x-protium/device_platform");
    let e = compile(
        r#"{"properties":{
            "a":{"type":"string","x-protium":{"device_platform":true}},
            "b":{"type":"string","x-protium":{"device_platform":true}}}}"#,
    )
    .unwrap_err();
    assert!(e.message.contains("only one"), "{}", e.message);
    let table = compile_file(
        Path::new("device.json"),
        "device",
        r#"{"properties":{"d":{"type":"string","x-protium":{"device_platform":true}}}}"#,
    )
    .unwrap_err();
    assert!(table.message.contains("user profile"), "{}", table.message);
}

#[test]
fn a_list_in_a_where_means_any_one_of_for_relations_but_not_for_counters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("post.json"),
        r#"{"type":"object","properties":{"kind":{"type":"string","enum":["video","picture","audio"]}}}"#,
    )
    .unwrap();
    let profile = |keyword: &str| {
        format!(
            r#"{{"type":"object","properties":{{"posts":{{"type":"{}","x-protium":{{"{keyword}":
            {{"table":"post","pointer":"created_by","where":{{"kind":["video","picture"]}}}}}}}}}}}}"#,
            if keyword == "related" {
                "array"
            } else {
                "integer"
            }
        )
    };
    std::fs::write(dir.path().join("_userprofile.json"), profile("related")).unwrap();
    load_dir(dir.path()).unwrap();
    std::fs::write(dir.path().join("_userprofile.json"), profile("count")).unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(err.message.contains("a literal of its type"), "{err}");
}

#[test]
fn a_find_key_is_public() {
    let e = compile(
        r#"{"properties":{"handle":{"type":"string","x-protium":{"unique":true,"find_key":true,"read":"owner"}}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.pointer, "/properties/handle/x-protium/find_key");
    assert!(e.message.contains("public"), "{}", e.message);
    // The lookup's own parameters cannot name a find_key.
    let e = compile(
        r#"{"properties":{"region":{"type":"string","x-protium":{"unique":true,"find_key":true}}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.pointer, "/properties/region/x-protium/find_key");
}

#[test]
fn the_device_platform_field_is_not_computed_or_masked() {
    let e = compile(
        r#"{"properties":{"d":{"type":"string","x-protium":{"device_platform":true,"computed":"'x'"}}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.pointer, "/properties/d/x-protium/device_platform");
}

#[test]
fn a_guest_view_shows_only_public_unmasked_profile_fields() {
    let ok = compile(
        r#"{"properties":{"nickname":{"type":"string"}},"x-protium":{"guest_view":["nickname"]}}"#,
    )
    .unwrap();
    assert_eq!(ok.rules.guest_view, ["nickname"]);
    for bad in [
        r#"{"properties":{"mobile":{"type":"string","x-protium":{"read":"owner"}}},"x-protium":{"guest_view":["mobile"]}}"#,
        r#"{"properties":{"nickname":{"type":"string"}},"x-protium":{"guest_view":["_email"]}}"#,
    ] {
        let e = compile(bad).unwrap_err();
        assert_eq!(e.pointer, "/x-protium/guest_view/0", "{bad}");
    }
    let table = compile_file(
        Path::new("post.json"),
        "post",
        r#"{"properties":{"t":{"type":"string"}},"x-protium":{"guest_view":["t"]}}"#,
    )
    .unwrap_err();
    assert_eq!(table.pointer, "/x-protium/guest_view");
}
