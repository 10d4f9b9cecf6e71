//! Unit tests of `file_compile`: when a file has several faults, the one
//! reported is the one its earliest pass finds.

use std::path::Path;

use super::*;

/// The JSON pointer of the fault reported for the data table `name`.
fn fault_in_table(name: &str, text: &str) -> String {
    match compile_file(Path::new("post.json"), name, text) {
        Ok(_) => panic!("{text} compiled"),
        Err(e) => e.pointer,
    }
}

#[test]
fn the_file_name_is_checked_before_the_document_is_read() {
    let e = compile_file(Path::new("Bad-Name.json"), "Bad-Name", "not JSON").unwrap_err();
    assert_eq!(e.pointer, "");
    assert!(e.message.starts_with("object type names"), "{}", e.message);
}

#[test]
fn top_level_faults_come_before_field_faults_and_placement_faults_after() {
    // Each step removes the fault reported by the step before.
    let steps = [
        (
            r#"{"x-foo":1,"required":["ghost"],"x-protium":{"guest_view":["title"]},
                "properties":{"Title":{"type":"string"},"title":{"type":"string"}}}"#,
            "/x-foo",
        ),
        (
            r#"{"required":["ghost"],"x-protium":{"guest_view":["title"]},
                "properties":{"Title":{"type":"string"},"title":{"type":"string"}}}"#,
            "/required/0",
        ),
        (
            r#"{"x-protium":{"guest_view":["title"]},
                "properties":{"Title":{"type":"string"},"title":{"type":"string"}}}"#,
            "/properties/Title",
        ),
        (
            r#"{"x-protium":{"guest_view":["title"]},"properties":{"title":{"type":"string"}}}"#,
            "/x-protium/guest_view",
        ),
    ];
    for (text, pointer) in steps {
        assert_eq!(fault_in_table("post", text), pointer, "{text}");
    }
}

#[test]
fn a_property_is_checked_for_indexes_then_profile_keywords_then_its_default() {
    let steps = [
        (
            r#"{"case_insensitive":true,"last_active":true}"#,
            "/properties/seen/x-protium/case_insensitive",
        ),
        (
            r#"{"last_active":true}"#,
            "/properties/seen/x-protium/last_active",
        ),
        (r#"{}"#, "/properties/seen/default"),
    ];
    for (ext, pointer) in steps {
        let text = format!(
            r#"{{"properties":{{"seen":{{"type":"integer","default":"never","x-protium":{ext}}}}}}}"#
        );
        let e = compile_file(Path::new("_userprofile.json"), PROFILE_TYPE, &text).unwrap_err();
        assert_eq!(e.pointer, pointer, "{text}: {}", e.message);
    }
}

#[test]
fn a_file_field_is_an_object_or_an_array_whose_shape_the_server_owns() {
    let field = |schema: &str| format!(r#"{{"properties":{{"pic":{schema}}}}}"#);
    let compiled = compile_file(
        Path::new("post.json"),
        "post",
        &field(r#"{"type":"array","maxItems":3,"x-protium":{"file":{"types":["image/*"]}}}"#),
    )
    .expect("a file list compiles");
    let pic = compiled.field("pic").expect("the field");
    assert_eq!(pic.kind, crate::schema::FieldKind::Files);
    assert!(pic.file.as_ref().is_some_and(|r| r.types.len() == 1));
    for (schema, pointer) in [
        (
            r#"{"type":"string","x-protium":{"file":{}}}"#,
            "/properties/pic/x-protium/file",
        ),
        (
            r#"{"type":"object","properties":{"url":{"type":"string"}},"x-protium":{"file":{}}}"#,
            "/properties/pic/properties",
        ),
        (
            r#"{"type":"object","x-protium":{"file":{},"indexed":true}}"#,
            "/properties/pic/x-protium",
        ),
        (
            r#"{"type":"object","x-protium":{"file":{"types":["png"]}}}"#,
            "/properties/pic/x-protium/file",
        ),
        (
            r#"{"type":"object","x-protium":{"file":{"max_pixels":9}}}"#,
            "/properties/pic/x-protium",
        ),
    ] {
        assert_eq!(fault_in_table("post", &field(schema)), pointer, "{schema}");
    }
}
