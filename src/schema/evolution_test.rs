//! Unit tests of `evolution`.

use std::path::Path;

use serde_json::json;

use super::*;
use crate::schema::compile_file;

fn steps(old: serde_json::Value, new: serde_json::Value) -> Vec<Narrowing> {
    let compiled = compile_file(Path::new("post.json"), "post", &new.to_string()).unwrap();
    narrowings(&old, &compiled)
        .into_iter()
        .map(|s| s.rule)
        .collect()
}

#[test]
fn tighter_limits_are_narrowing_looser_ones_are_not() {
    let old = json!({"properties": {"t": {"type": "string", "maxLength": 64}, "n": {"type": "integer", "minimum": 0, "maximum": 10}}});
    assert_eq!(
        steps(
            old.clone(),
            json!({"properties": {"t": {"type": "string", "maxLength": 32}, "n": {"type": "integer", "minimum": 0, "maximum": 10}}})
        ),
        vec![Narrowing::MaxLength(32)]
    );
    assert!(steps(
        old.clone(),
        json!({"properties": {"t": {"type": "string", "maxLength": 128}, "n": {"type": "integer"}}})
    )
    .is_empty());
    assert_eq!(
        steps(
            old,
            json!({"properties": {"t": {"type": "string"}, "n": {"type": "integer", "minimum": 1, "maximum": 5}}})
        ),
        vec![Narrowing::Maximum(5.0), Narrowing::Minimum(1.0)]
    );
}

#[test]
fn enums_required_fields_and_type_changes() {
    let old = json!({"properties": {"g": {"type": "string", "enum": ["a", "b"]}, "x": {"type": "string"}}});
    assert!(steps(old.clone(), json!({"properties": {"g": {"type": "string", "enum": ["a", "b", "c"]}, "x": {"type": "string"}}})).is_empty());
    assert_eq!(
        steps(
            old.clone(),
            json!({"required": ["x"], "properties": {"g": {"type": "string", "enum": ["a"]}, "x": {"type": "string"}}})
        ),
        vec![Narrowing::Enum(vec![json!("a")]), Narrowing::Required]
    );
    assert_eq!(
        steps(
            old.clone(),
            json!({"properties": {"g": {"type": "string"}, "x": {"type": "string", "format": "date-time"}}})
        ),
        vec![Narrowing::TypeChange(
            "string".into(),
            "string (date-time)".into()
        )]
    );
    let added = compile_file(
        Path::new("post.json"),
        "post",
        r#"{"required":["y"],"properties":{"g":{"type":"string"},"x":{"type":"string"},"y":{"type":"integer"}}}"#,
    )
    .unwrap();
    let new = narrowings(&old, &added);
    assert_eq!(new.len(), 1);
    assert!(new[0].new_field && new[0].rule == Narrowing::Required);
    assert_eq!(new[0].describe(), "post.y: required");
}
