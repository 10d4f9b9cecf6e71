//! Unit tests of `parse`.

use super::*;
use crate::query::{SqlIdent, SqlValue};

struct Catalog;
impl FieldCatalog for Catalog {
    fn resolve(&self, param: &str, name: &str) -> Result<QueryField, QueryError> {
        let kind = match name {
            "age" => FieldKind::Integer,
            "nickname" => FieldKind::String,
            "vip" => FieldKind::Boolean,
            "tags" => FieldKind::Array,
            _ => return Err(QueryError::new(param, format!("unknown field '{name}'"))),
        };
        Ok(QueryField {
            column: SqlIdent::parse(name).unwrap(),
            kind,
        })
    }
}

fn parse(s: &str) -> Result<Condition, QueryError> {
    parse_where(Some(s), &Catalog)
}

#[test]
fn empty_where_matches_everything() {
    assert_eq!(parse("{}").unwrap(), Condition::And(vec![]));
    assert_eq!(parse_where(None, &Catalog).unwrap(), Condition::And(vec![]));
}

#[test]
fn sdk_shape_nests_and_or() {
    let c = parse(
        r#"{"$or":[{"$and":[{"age":{"$gte":18}}]},{"nickname":{"$regex":"^a","$options":"i"}}]}"#,
    )
    .unwrap();
    let Condition::Or(items) = c else {
        panic!("not an or")
    };
    assert_eq!(items.len(), 2);
}

#[test]
fn bare_value_means_eq() {
    let c = parse(r#"{"age": 3}"#).unwrap();
    assert!(matches!(
        c,
        Condition::Field {
            op: Op::Eq(SqlValue::Int(3)),
            ..
        }
    ));
}

#[test]
fn errors_name_field_and_operator() {
    assert!(parse(r#"{"nope":{"$eq":1}}"#)
        .unwrap_err()
        .message
        .contains("nope"));
    assert!(parse(r#"{"age":{"$bogus":1}}"#)
        .unwrap_err()
        .message
        .contains("$bogus"));
    assert!(parse(r#"{"age":{"$contains":"1"}}"#)
        .unwrap_err()
        .message
        .contains("$contains"));
    assert!(parse(r#"{"age":{"$gt":"x"}}"#)
        .unwrap_err()
        .message
        .contains("integer"));
    assert!(parse(r#"{"nickname":{"$regex":"("}}"#)
        .unwrap_err()
        .message
        .contains("pattern"));
    assert!(parse(r#"{"tags":{"$contains":"x"}}"#).is_err());
    assert!(matches!(
        parse(r#"{"tags":{"$eq":[1]}}"#),
        Ok(Condition::Field {
            op: Op::JsonEq(_),
            ..
        })
    ));
    assert!(parse("not json").is_err());
    assert!(parse(r#"{"nickname":"a\u0000b"}"#)
        .unwrap_err()
        .message
        .contains("NUL"));
}

#[test]
fn total_values_are_bounded() {
    let list: Vec<i64> = (0..1000).collect();
    let items: Vec<String> = (0..6)
        .map(|_| format!(r#"{{"age":{{"$in":{list:?}}}}}"#))
        .collect();
    let q = format!(r#"{{"$or":[{}]}}"#, items.join(","));
    assert!(parse(&q)
        .unwrap_err()
        .message
        .contains("values in one query"));
}

#[test]
fn depth_is_bounded() {
    let deep = (0..12).fold(r#"{"age":1}"#.to_string(), |acc, _| {
        format!(r#"{{"$and":[{acc}]}}"#)
    });
    assert!(parse(&deep).unwrap_err().message.contains("nesting"));
}

#[test]
fn patterns_that_compile_too_big_are_refused_naming_the_field() {
    let e = parse(r#"{"nickname":{"$regex":"\\w{200}N"}}"#).unwrap_err();
    assert!(
        e.message.contains("'nickname'") && e.message.contains("too complex"),
        "{}",
        e.message
    );
    // The case flag is part of what compiles: `(?i)` doubles some classes.
    assert!(parse(r#"{"nickname":{"$regex":"\\w{4}","$options":"i"}}"#).is_ok());
    assert!(parse(r#"{"nickname":{"$regex":"^[a-z]+@example\\.com$"}}"#).is_ok());
}

#[test]
fn regexes_per_query_are_bounded() {
    let items: Vec<String> = (0..=MAX_REGEXES)
        .map(|i| format!(r#"{{"nickname":{{"$regex":"^a{i}"}}}}"#))
        .collect();
    let q = format!(r#"{{"$or":[{}]}}"#, items.join(","));
    assert!(parse(&q)
        .unwrap_err()
        .message
        .contains("'$regex' conditions"));
}
