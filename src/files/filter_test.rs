use super::*;

#[test]
fn the_sdks_file_queries_parse() {
    for raw in [
        r#"{"$and":[{"name":{"$contains":"cat"}}]}"#,
        r#"{"category_id":{"$in":["a1"]}}"#,
        r#"{"size":{"$lte":1024},"created_at":{"$gt":0}}"#,
        "{}",
    ] {
        assert!(parse_file_where(Some(raw)).is_ok(), "{raw}");
    }
}

#[test]
fn other_fields_and_wrong_operators_are_refused_naming_them() {
    let unknown = parse_file_where(Some(r#"{"storage_key":"x"}"#)).unwrap_err();
    assert!(unknown.to_string().contains("storage_key"), "{unknown}");
    let wrong = parse_file_where(Some(r#"{"size":{"$contains":"1"}}"#)).unwrap_err();
    assert!(wrong.to_string().contains("size"), "{wrong}");
}

#[test]
fn categories_are_filtered_on_their_own_fields() {
    assert!(parse_category_where(Some(r#"{"name":{"$contains":"pic"}}"#)).is_ok());
    let e = parse_category_where(Some(r#"{"size":1}"#)).unwrap_err();
    assert!(e.to_string().contains("file categories"), "{e}");
}
