//! Unit tests of `sql_ident`: which names can become an identifier, and how
//! one is written.

use super::*;

#[test]
fn names_of_letters_digits_and_underscores_are_identifiers() {
    for name in ["title", "bookName", "_userprofile", "tbl_books", "a1_b2"] {
        assert_eq!(
            SqlIdent::parse(name).map(|i| i.quoted()),
            Ok(format!("\"{name}\""))
        );
    }
}

#[test]
fn a_name_with_a_quote_cannot_become_an_identifier() {
    assert_eq!(
        SqlIdent::parse("we\"ird"),
        Err(InvalidIdent("we\"ird".to_owned()))
    );
    assert!(SqlIdent::parse("x\"; DROP TABLE users; --").is_err());
    assert!(SqlIdent::parse("it's").is_err());
}

#[test]
fn a_name_with_a_space_or_other_punctuation_cannot_become_an_identifier() {
    for name in ["two words", " lead", "trail ", "a.b", "a-b", "a;b", "ü", ""] {
        assert!(SqlIdent::parse(name).is_err(), "{name:?} was accepted");
    }
}

#[test]
fn a_name_starting_with_a_digit_cannot_become_an_identifier() {
    assert!(SqlIdent::parse("1st").is_err());
}

#[test]
fn the_refusal_names_the_name_and_the_rule() {
    let err = SqlIdent::parse("a b")
        .map(|_| ())
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("'a b' is not an SQL identifier (letters, digits and '_', starting with a letter or '_')")
    );
}

#[test]
fn an_identifier_renders_quoted() {
    assert_eq!(
        SqlIdent::from_static("created_at").quoted(),
        "\"created_at\""
    );
    assert_eq!(SqlIdent::ID.quoted(), "\"id\"");
}

#[test]
fn derived_names_join_their_parts() {
    let table = SqlIdent::from_static("tbl_books");
    let column = SqlIdent::from_static("title");
    assert_eq!(
        SqlIdent::dotted("uq", &[&table, &column]).as_str(),
        "uq.tbl_books.title"
    );
    assert_eq!(
        SqlIdent::from_static("books").prefixed("acl_").as_str(),
        "acl_books"
    );
    assert_eq!(table.suffixed("_sync").as_str(), "tbl_books_sync");
}

#[test]
fn dotted_index_names_are_identifiers_when_every_part_is_plain() {
    for name in [
        "uq.tbl_books.title",
        "ur.tbl_books.0f3a9c",
        "acl_books.insert",
    ] {
        assert_eq!(
            SqlIdent::parse_dotted(name).map(|i| i.quoted()),
            Ok(format!("\"{name}\""))
        );
    }
    for name in ["uq..title", ".x", "x.", "uq.tbl\".x", "uq.a b"] {
        assert!(
            SqlIdent::parse_dotted(name).is_err(),
            "{name:?} was accepted"
        );
    }
}

#[test]
fn a_schema_field_name_is_an_identifier() {
    let name = FieldName::parse("bookName").map(|n| SqlIdent::from(&n));
    assert_eq!(
        name.map(|i| i.quoted()).ok().as_deref(),
        Some("\"bookName\"")
    );
}
