//! Unit tests of `relations`: who a read grant through links may come from.

use super::*;

fn grant(owner: &str, viewer: &str) -> ReadLinkedExtension {
    ReadLinkedExtension {
        table: "friendship".into(),
        viewer: viewer.into(),
        owner: owner.into(),
        ..ReadLinkedExtension::default()
    }
}

#[test]
fn a_grant_comes_from_links_the_owner_made() {
    let ok = read_linked(Some(ReadRule::Owner), &grant("created_by", "friend")).unwrap();
    assert!(!ok.mutual);
    let err = read_linked(Some(ReadRule::Owner), &grant("friend", "created_by")).unwrap_err();
    assert!(err.contains("created_by"), "{err}");
    let err = read_linked(Some(ReadRule::Owner), &grant("friend", "other")).unwrap_err();
    assert!(err.contains("owner is 'friend'"), "{err}");
}

#[test]
fn both_ways_is_refused_for_mutual() {
    let ext = ReadLinkedExtension {
        both_ways: true,
        ..grant("created_by", "friend")
    };
    let err = read_linked(Some(ReadRule::Owner), &ext).unwrap_err();
    assert!(err.contains("mutual"), "{err}");
    let ext = ReadLinkedExtension {
        mutual: true,
        ..grant("created_by", "friend")
    };
    assert!(read_linked(Some(ReadRule::Owner), &ext).unwrap().mutual);
}

#[test]
fn a_grant_widens_only_owner_fields() {
    let err = read_linked(Some(ReadRule::Public), &grant("created_by", "friend")).unwrap_err();
    assert!(err.contains("owner"), "{err}");
}
