//! Unit tests of `who`.

use super::*;

const GUEST: Who = Who {
    user: None,
    anonymous: false,
    role: Role::Client,
};
const DEVICE: Who = Who {
    user: Some(7),
    anonymous: true,
    role: Role::Client,
};
const ALICE: Who = Who {
    user: Some(1),
    anonymous: false,
    role: Role::Client,
};
const ADMIN: Who = Who {
    user: None,
    anonymous: false,
    role: Role::Admin,
};

#[test]
fn user_anonymous_lets_everyone_read_but_only_sessions_write() {
    let acl = [AclEntry::Anonymous];
    assert!(GUEST.may(Access::Read, Some(2), &acl));
    assert!(!GUEST.may(Access::Write, Some(2), &acl));
    assert!(DEVICE.may(Access::Write, Some(2), &acl));
}

#[test]
fn user_star_excludes_guests_and_device_logins() {
    let acl = [AclEntry::AnyUser];
    assert!(ALICE.may(Access::Read, Some(2), &acl));
    assert!(!DEVICE.may(Access::Read, Some(2), &acl));
    assert!(!GUEST.may(Access::Read, Some(2), &acl));
}

#[test]
fn creators_and_admins_always_may() {
    assert!(ALICE.may(Access::Write, Some(1), &[]));
    assert!(!ALICE.may(Access::Write, Some(2), &[]));
    assert!(ADMIN.may(Access::Write, Some(2), &[]));
    assert!(ALICE.may(Access::Write, Some(2), &[AclEntry::User(1)]));
    assert!(!GUEST.may(Access::Read, None, &[]));
}

#[test]
fn default_create_rule_is_registered_users() {
    let create = [AclEntry::AnyUser];
    assert!(ALICE.may_create(&create));
    assert!(!DEVICE.may_create(&create));
    assert!(!GUEST.may_create(&create));
    assert!(ADMIN.may_create(&[]));
    assert!(DEVICE.may_create(&[AclEntry::Anonymous]));
}

#[test]
fn only_the_server_writes_server_managed_fields() {
    assert!(ALICE.may_write_field(WriteRule::Owner));
    assert!(!ALICE.may_write_field(WriteRule::Admin));
    assert!(ADMIN.may_write_field(WriteRule::Admin));
    assert!(!ADMIN.may_write_field(WriteRule::Nobody));
    assert!(Who::server().may_write_field(WriteRule::Nobody));
}

#[test]
fn viewers_of_rows() {
    assert_eq!(Viewer::of_row(ALICE, Some(1)), Viewer::Owner);
    assert_eq!(Viewer::of_row(ALICE, Some(2)), Viewer::Other);
    assert_eq!(Viewer::of_row(ADMIN, Some(2)), Viewer::Admin);
    assert!(!Viewer::Other.may_read(ReadRule::Owner));
    assert!(Viewer::Owner.may_read(ReadRule::Owner));
    assert!(!Viewer::Owner.may_read(ReadRule::Admin));
}
