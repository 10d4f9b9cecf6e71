//! Unit tests of `list`.

use super::*;

#[test]
fn page_defaults_and_bounds() {
    assert_eq!(parse_page(None, None).unwrap(), (20, 0));
    assert_eq!(parse_page(Some("1000"), Some("5")).unwrap(), (1000, 5));
    assert_eq!(parse_page(Some("1001"), None).unwrap_err().param, "limit");
    assert_eq!(parse_page(None, Some("-1")).unwrap_err().param, "offset");
    assert_eq!(parse_page(Some("x"), None).unwrap_err().param, "limit");
}

fn profile() -> ObjectType {
    crate::schema::compile_file(
        std::path::Path::new("_userprofile.json"),
        crate::schema::PROFILE_TYPE,
        r#"{"type":"object","properties":{"age":{"type":"integer"}}}"#,
    )
    .unwrap()
}

fn key(column: &str, kind: FieldKind, descending: bool) -> OrderBy {
    OrderBy {
        field: QueryField {
            column: SqlIdent::parse(column).unwrap(),
            kind,
        },
        descending,
    }
}

fn sql_after(keys: &[OrderBy], anchor: Value) -> String {
    let anchor = anchor.as_object().unwrap().clone();
    let mut out = crate::query::SqlFragment::new(crate::domain::Dialect::Sqlite);
    crate::query::render_condition(&after(&profile(), keys, &anchor), &mut out);
    out.sql().to_owned()
}

#[test]
fn keyset_after_an_id_seeks_the_primary_key() {
    let sql = sql_after(
        &[key("id", FieldKind::Integer, false)],
        serde_json::json!({"id": 7}),
    );
    assert_eq!(
        sql, "((\"id\" > ?))",
        "one range on the key, no repeated tie-breaker"
    );
}

#[test]
fn keyset_after_a_date_bounds_the_date_and_breaks_ties_by_id() {
    let sql = sql_after(
        &[key("created_at", FieldKind::Date, true)],
        serde_json::json!({"id": 7, "created_at": 1700000000}),
    );
    assert!(sql.starts_with("(\"created_at\" <= ?"), "{sql}");
    assert!(
        sql.contains("\"created_at\" = ?") && sql.contains("\"id\" < ?"),
        "{sql}"
    );
    assert!(!sql.contains("IS NULL"), "{sql}");
}

#[test]
fn keyset_after_a_nullable_field_keeps_the_nulls() {
    let sql = sql_after(
        &[key("age", FieldKind::Integer, false)],
        serde_json::json!({"id": 7, "age": 30}),
    );
    assert!(
        sql.contains("\"age\" IS NULL"),
        "nulls sort last ascending: {sql}"
    );
}
