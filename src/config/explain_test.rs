//! Unit tests of `explain`.

use super::*;

#[test]
fn a_misspelt_name_gets_a_guess() {
    let known = ["listen", "database_url", "log", "log_json"];
    assert_eq!(nearest("lsiten", &known), Some("listen"));
    assert_eq!(nearest("databse_url", &known), Some("database_url"));
    assert_eq!(nearest("completely_else", &known), None);
}

#[test]
fn numbers_and_flags_are_asked_for_in_words() {
    assert_eq!(
        expectation("u64"),
        "a whole number of 0 or more, for example 60"
    );
    assert_eq!(expectation("a boolean"), "true or false");
}

#[test]
fn unknown_names_are_answered_with_the_accepted_ones() {
    assert_eq!(one_of(&["GET", "POST"]), "'GET' or 'POST'");
    assert_eq!(one_of(&["a", "b", "c"]), "one of 'a', 'b', 'c'");
}
