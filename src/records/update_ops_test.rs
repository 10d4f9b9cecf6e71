//! Unit tests of `update_ops`.

use serde_json::json;

use super::*;

fn run(kind: FieldKind, current: Value, op: Value) -> Result<Value, InvalidInput> {
    let change = parse_change("f", kind, &op)?;
    apply("f", &current, &change)
}

#[test]
fn array_operators() {
    let a = json!(["a", "b", "a"]);
    assert_eq!(
        run(FieldKind::Array, a.clone(), json!({"$append": ["c"]})).unwrap(),
        json!(["a", "b", "a", "c"])
    );
    assert_eq!(
        run(
            FieldKind::Array,
            a.clone(),
            json!({"$append_unique": ["a","d"]})
        )
        .unwrap(),
        json!(["a", "b", "a", "d"])
    );
    assert_eq!(
        run(FieldKind::Array, a.clone(), json!({"$remove": "a"})).unwrap(),
        json!(["b"])
    );
    assert_eq!(
        run(FieldKind::Array, a.clone(), json!({"$pop": 1})).unwrap(),
        json!(["a", "b"])
    );
    assert_eq!(
        run(FieldKind::Array, a, json!({"$pop": -1})).unwrap(),
        json!(["b", "a"])
    );
    assert_eq!(
        run(FieldKind::Array, Value::Null, json!({"$append": [1]})).unwrap(),
        json!([1])
    );
}

#[test]
fn numbers_and_objects() {
    assert_eq!(
        run(FieldKind::Integer, json!(5), json!({"$incr_by": -2})).unwrap(),
        json!(3)
    );
    assert_eq!(
        run(FieldKind::Integer, Value::Null, json!({"$incr_by": 2})).unwrap(),
        json!(2)
    );
    assert_eq!(
        run(FieldKind::Number, json!(1.5), json!({"$incr_by": 1})).unwrap(),
        json!(2.5)
    );
    assert!(run(FieldKind::Integer, json!(i64::MAX), json!({"$incr_by": 1})).is_err());
    assert_eq!(
        run(
            FieldKind::Object,
            json!({"a":1,"b":2}),
            json!({"$update": {"b":3,"c":4}})
        )
        .unwrap(),
        json!({"a":1,"b":3,"c":4})
    );
}

#[test]
fn operators_on_the_wrong_kind_name_the_field_and_operator() {
    for (kind, op) in [
        (FieldKind::String, json!({"$incr_by": 1})),
        (FieldKind::Integer, json!({"$append": [1]})),
        (FieldKind::Array, json!({"$update": {}})),
        (FieldKind::Array, json!({"$pop": 2})),
        (FieldKind::Integer, json!({"$incr_by": 1.5})),
        (FieldKind::Array, json!({"$push": [1]})),
    ] {
        let e = parse_change("f", kind, &op).unwrap_err();
        assert_eq!(e.field, "f", "{op}");
    }
}

#[test]
fn update_bodies_are_set_unset_or_flat() {
    let flat = split_update_body(json!({"a": 1}).as_object().unwrap()).unwrap();
    assert_eq!(flat, vec![("a".into(), json!(1), false)]);
    let both = split_update_body(
        json!({"$set": {"a": 1}, "$unset": {"b": ""}})
            .as_object()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(both.len(), 2);
    assert!(both.contains(&("b".into(), json!(""), true)));
    assert!(split_update_body(
        json!({"$set": {"a": 1}, "$unset": {"a": ""}})
            .as_object()
            .unwrap()
    )
    .is_err());
    assert!(split_update_body(json!({"$set": {"a": 1}, "b": 2}).as_object().unwrap()).is_err());
    assert!(split_update_body(json!({"$inc": {"a": 1}}).as_object().unwrap()).is_err());
}
