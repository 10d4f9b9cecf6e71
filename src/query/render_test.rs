//! Unit tests of `render`.

use super::*;
use crate::domain::Dialect;
use crate::query::{QueryField, SqlIdent};

fn field(name: &str, kind: FieldKind) -> QueryField {
    QueryField {
        column: SqlIdent::parse(name).unwrap(),
        kind,
    }
}

#[test]
fn values_are_binds_never_text() {
    let cond = Condition::Field {
        field: field("nickname", FieldKind::String),
        op: Op::Eq(SqlValue::Text("x' OR 1=1".into())),
    };
    let mut out = SqlFragment::new(Dialect::Postgres);
    render_condition(&cond, &mut out);
    assert_eq!(out.sql(), "\"nickname\" = $1");
    assert_eq!(out.binds(), &[SqlValue::Text("x' OR 1=1".into())]);
}

#[test]
fn ne_matches_nulls_too() {
    let cond = Condition::Field {
        field: field("age", FieldKind::Integer),
        op: Op::Ne(SqlValue::Int(1)),
    };
    let mut out = SqlFragment::new(Dialect::Sqlite);
    render_condition(&cond, &mut out);
    assert_eq!(out.sql(), "(\"age\" <> ? OR \"age\" IS NULL)");
}

#[test]
fn regex_uses_each_dialects_operator() {
    let op = Op::Regex {
        pattern: "^a".into(),
        case_insensitive: true,
    };
    let cond = Condition::Field {
        field: field("n", FieldKind::String),
        op,
    };
    let mut pg = SqlFragment::new(Dialect::Postgres);
    render_condition(&cond, &mut pg);
    assert_eq!(pg.sql(), "\"n\" ~* $1");
    let mut lite = SqlFragment::new(Dialect::Sqlite);
    render_condition(&cond, &mut lite);
    assert_eq!(lite.sql(), "regexp(?, \"n\")");
    assert_eq!(lite.binds(), &[SqlValue::Text("(?i)^a".into())]);
}

#[test]
fn sqlite_row_acls_are_matched_by_their_quoted_entries() {
    let cond = Condition::Acl {
        column: "read_perm",
        owner: Some(7),
        grants: vec!["user:anonymous".into(), "user:7".into()],
        index: None,
    };
    let mut out = SqlFragment::new(Dialect::Sqlite);
    render_condition(&cond, &mut out);
    assert_eq!(
        out.sql(),
        "(\"created_by\" = ? OR (instr(\"read_perm\", ?) > 0 OR instr(\"read_perm\", ?) > 0))"
    );
    // The closing quote keeps user:7 from matching user:70.
    assert_eq!(out.binds()[2], SqlValue::Text("\"user:7\"".into()));
}
