//! Unit tests of `ddl`.

use super::index_name;

#[test]
fn index_names_fit_postgres_and_stay_distinct() {
    assert_eq!(
        index_name("uq", "_userprofile", "nickname"),
        "uq._userprofile.nickname"
    );
    let a = index_name("ix", "_userprofile", &format!("{}a", "x".repeat(60)));
    let b = index_name("ix", "_userprofile", &format!("{}b", "x".repeat(60)));
    assert!(a.len() <= 63 && b.len() <= 63);
    assert_ne!(a, b);
}
