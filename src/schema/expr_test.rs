use std::collections::BTreeMap;

use serde_json::json;

use super::*;

fn eval(
    source: &str,
    vars: &[(&str, serde_json::Value, bool)],
) -> Result<serde_json::Value, String> {
    let expr = Expr::compile(source)?;
    let mut bound = BTreeMap::new();
    for (name, value, date) in vars {
        bound.insert(*name, to_cel(value, *date));
    }
    bound.insert("now", now());
    expr.eval(bound)
        .map(|v| from_cel(&v).unwrap_or(serde_json::Value::Null))
}

#[test]
fn reads_fields_and_does_arithmetic() {
    let out = eval(
        "price * count + 1",
        &[("price", json!(3), false), ("count", json!(4), false)],
    );
    assert_eq!(out, Ok(json!(13)));
}

#[test]
fn dates_are_timestamps_and_differences_durations() {
    let out = eval(
        "(ends - timestamp('2026-01-01T00:00:00Z')).getHours() / 24",
        &[("ends", json!("2026-01-11T00:00:00.000000Z"), true)],
    );
    assert_eq!(out, Ok(json!(10)));
    let future = eval(
        "ends > now",
        &[("ends", json!("2999-01-01T00:00:00Z"), true)],
    );
    assert_eq!(future, Ok(json!(true)));
}

#[test]
fn lists_the_names_it_reads() {
    let expr = Expr::compile("a + b.c > now.getFullYear()").expect("compiles");
    let mut names = expr.variables().to_vec();
    names.sort();
    assert_eq!(names, vec!["a", "b", "now"]);
}

#[test]
fn a_null_operand_is_an_error_not_a_panic() {
    assert!(eval("a + 1", &[("a", serde_json::Value::Null, false)]).is_err());
    assert!(eval("missing + 1", &[]).is_err());
}

#[test]
fn bad_syntax_is_refused_with_a_message() {
    let err = Expr::compile("a +").expect_err("refused");
    assert!(err.contains("not a valid CEL expression"), "{err}");
}

#[test]
fn maps_read_by_member() {
    let out = eval(
        "old == null || old.status == 0",
        &[("old", json!({"status": 0}), false)],
    );
    assert_eq!(out, Ok(json!(true)));
    let created = eval("old == null", &[("old", serde_json::Value::Null, false)]);
    assert_eq!(created, Ok(json!(true)));
}
