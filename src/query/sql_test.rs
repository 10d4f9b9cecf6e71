//! Unit tests of `sql`.

use super::*;

#[test]
fn placeholders_follow_the_dialect() {
    let mut pg = SqlFragment::new(Dialect::Postgres);
    pg.push("a = ")
        .push_bind(SqlValue::Int(1))
        .push(" AND b = ")
        .push_bind(SqlValue::Json(serde_json::json!({})));
    assert_eq!(pg.sql(), "a = $1 AND b = CAST($2 AS jsonb)");
    let mut lite = SqlFragment::new(Dialect::Sqlite);
    lite.push("a = ").push_bind(SqlValue::Int(1));
    assert_eq!(lite.sql(), "a = ?");
}

#[test]
fn identifiers_are_quoted() {
    let mut f = SqlFragment::new(Dialect::Sqlite);
    f.push_ident(&SqlIdent::from_static("weird_name"));
    assert_eq!(f.sql(), "\"weird_name\"");
}

#[test]
fn a_name_that_could_break_its_quotes_never_reaches_the_text() {
    assert!(SqlIdent::parse("we\"ird").is_err());
}

#[test]
fn an_identifier_can_be_written_as_a_text_literal() {
    let mut f = SqlFragment::new(Dialect::Postgres);
    f.push_ident_text(&SqlIdent::from_static("title"));
    assert_eq!(f.sql(), "'title'");
}
