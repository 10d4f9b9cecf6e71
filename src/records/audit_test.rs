//! Unit tests of `audit`.

use super::*;

#[test]
fn changes_list_only_what_differs() {
    let before = json!({"a": 1, "b": "x", "updated_at": 1})
        .as_object()
        .cloned();
    let after = json!({"a": 2, "b": "x", "c": true, "updated_at": 2})
        .as_object()
        .cloned();
    assert_eq!(
        changes(before.as_ref(), after.as_ref()),
        json!({"a": {"old": 1, "new": 2}, "c": {"old": null, "new": true}})
    );
    assert_eq!(
        changes(before.as_ref(), None),
        json!({"a": {"old": 1, "new": null}, "b": {"old": "x", "new": null}})
    );
}
