//! Unit tests of `acl`.

use serde_json::json;

use super::*;

#[test]
fn entries_round_trip() {
    for raw in ["user:anonymous", "user:*", "user:42", "gid:7"] {
        assert_eq!(AclEntry::parse("read_perm", raw).unwrap().to_wire(), raw);
    }
}

#[test]
fn bad_entries_name_the_field_and_the_entry() {
    for raw in ["user:", "user:0", "user:-1", "admin", "gid:x", "user:**"] {
        let e = AclEntry::parse("write_perm", raw).unwrap_err();
        assert_eq!(e.field, "write_perm");
        assert!(e.rule.contains(raw), "{e}");
    }
    assert!(AclEntry::parse_list("read_perm", &json!("user:*")).is_err());
    assert!(AclEntry::parse_list("read_perm", &json!([1])).is_err());
}

#[test]
fn lists_drop_duplicates() {
    let list = AclEntry::parse_list("read_perm", &json!(["user:*", "user:1", "user:*"])).unwrap();
    assert_eq!(list, vec![AclEntry::AnyUser, AclEntry::User(1)]);
    assert_eq!(acl_json(&list), json!(["user:*", "user:1"]));
}
