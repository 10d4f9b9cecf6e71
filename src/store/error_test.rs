//! Unit tests of `error`.

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};

use super::{unique_field, RejectReason, StoreError};

#[test]
fn finds_the_field_in_both_backends_messages() {
    let pg = Some("Key (_email)=(a@b.co) already exists.");
    assert_eq!(unique_field(pg, Some("uq.x.y"), ""), "_email");
    assert_eq!(
        unique_field(None, Some("uq._userprofile._email"), ""),
        "_email"
    );
    let lite = "UNIQUE constraint failed: _userprofile._username_key";
    assert_eq!(unique_field(None, None, lite), "_username_key");
    let lite_index = "UNIQUE constraint failed: index 'uq.t.code'";
    assert_eq!(unique_field(None, None, lite_index), "code");
}

#[test]
fn compound_expression_and_rule_indexes() {
    let pg = Some("Key (created_by, name)=(1, x) already exists.");
    assert_eq!(unique_field(pg, Some("ur.t.abc"), ""), "ur.t.abc");
    let pg_lower = Some("Key (lower(name))=(bob) already exists.");
    assert_eq!(unique_field(pg_lower, Some("uc.t.name"), ""), "name");
    let lite = "UNIQUE constraint failed: tbl_t.created_by, tbl_t.name";
    assert_eq!(unique_field(None, None, lite), "created_by, name");
    let lite_rule = "UNIQUE constraint failed: index 'ur.tbl_t.0a1b'";
    assert_eq!(unique_field(None, None, lite_rule), "ur.tbl_t.0a1b");
}

/// What a database reports about an error, as a test sets it.
#[derive(Default)]
struct Info {
    message: &'static str,
    column: Option<&'static str>,
    constraint: Option<&'static str>,
}

impl DatabaseErrorInformation for Info {
    fn message(&self) -> &str {
        self.message
    }
    fn details(&self) -> Option<&str> {
        None
    }
    fn hint(&self) -> Option<&str> {
        None
    }
    fn table_name(&self) -> Option<&str> {
        None
    }
    fn column_name(&self) -> Option<&str> {
        self.column
    }
    fn constraint_name(&self) -> Option<&str> {
        self.constraint
    }
    fn statement_position(&self) -> Option<i32> {
        None
    }
}

/// The store error a database error of `kind` described by `info` becomes.
fn mapped(kind: DatabaseErrorKind, info: Info) -> StoreError {
    StoreError::from(DieselError::DatabaseError(kind, Box::new(info)))
}

/// The reason, column and client text of a rejection.
fn rejection(e: &StoreError) -> (RejectReason, Option<&str>, String) {
    match e {
        StoreError::Rejected { reason, column } => (*reason, column.as_deref(), e.to_string()),
        other => panic!("not a rejection: {other:?}"),
    }
}

#[test]
fn out_of_range_numbers_are_rejected_without_the_database_text() {
    for message in [
        "bigint out of range",
        "value \"99999999999\" is out of range for type integer",
        "integer out of range",
    ] {
        let e = mapped(
            DatabaseErrorKind::Unknown,
            Info {
                message,
                ..Info::default()
            },
        );
        let (reason, column, text) = rejection(&e);
        assert_eq!((reason, column), (RejectReason::OutOfRange, None));
        assert_eq!(text, "a value is out of range for its field");
    }
}

#[test]
fn invalid_patterns_are_rejected_without_the_database_text() {
    let e = mapped(
        DatabaseErrorKind::Unknown,
        Info {
            message: "invalid regular expression: invalid escape \\ sequence",
            ..Info::default()
        },
    );
    let (reason, column, text) = rejection(&e);
    assert_eq!((reason, column), (RejectReason::InvalidPattern, None));
    assert_eq!(text, "the regular expression is not valid");
}

#[test]
fn not_null_violations_name_the_field_on_both_backends() {
    let pg = mapped(
        DatabaseErrorKind::NotNullViolation,
        Info {
            message:
                "null value in column \"score\" of relation \"tbl_t\" violates not-null constraint",
            column: Some("score"),
            constraint: None,
        },
    );
    let lite = mapped(
        DatabaseErrorKind::NotNullViolation,
        Info {
            message: "NOT NULL constraint failed: tbl_t.score",
            ..Info::default()
        },
    );
    for e in [pg, lite] {
        let (reason, column, text) = rejection(&e);
        assert_eq!((reason, column), (RejectReason::NotNull, Some("score")));
        assert_eq!(text, "score: a value is required for this field");
    }
    let unnamed = mapped(
        DatabaseErrorKind::NotNullViolation,
        Info {
            message: "something else",
            ..Info::default()
        },
    );
    assert_eq!(
        rejection(&unnamed),
        (
            RejectReason::NotNull,
            None,
            "a required field has no value".into()
        )
    );
}

#[test]
fn check_violations_name_the_constraint_on_both_backends() {
    let pg = mapped(
        DatabaseErrorKind::CheckViolation,
        Info {
            message: "new row for relation \"tbl_t\" violates check constraint \"score_positive\"",
            column: None,
            constraint: Some("score_positive"),
        },
    );
    let lite = mapped(
        DatabaseErrorKind::CheckViolation,
        Info {
            message: "CHECK constraint failed: score_positive",
            ..Info::default()
        },
    );
    for e in [pg, lite] {
        let (reason, column, text) = rejection(&e);
        assert_eq!(
            (reason, column),
            (RejectReason::Check, Some("score_positive"))
        );
        assert_eq!(
            text,
            "score_positive: the value is not allowed for this field"
        );
    }
}

#[test]
fn other_database_errors_are_not_rejections() {
    let e = mapped(
        DatabaseErrorKind::Unknown,
        Info {
            message: "disk I/O error",
            ..Info::default()
        },
    );
    assert!(matches!(e, StoreError::Database(_)), "{e:?}");
}

#[test]
fn connection_failures_keep_their_cause() {
    use std::error::Error as _;
    let err = super::super::Store::connect_for_command("postgres://nobody@127.0.0.1:1/none")
        .expect_err("nothing listens on port 1");
    assert!(matches!(err, StoreError::Connect(_)), "{err:?}");
    let cause = err
        .source()
        .expect("the connection error is kept")
        .to_string();
    assert_eq!(
        err.to_string(),
        format!("cannot connect to the database: {cause}")
    );
}
