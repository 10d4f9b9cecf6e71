//! Unit tests of `token`.

use super::*;

#[test]
fn tokens_are_random_and_hashed() {
    let a = SessionToken::generate();
    let b = SessionToken::generate();
    assert_eq!(a.expose().len(), 64);
    assert_ne!(a.expose(), b.expose());
    assert_eq!(a.hash(), SessionToken::from_client(a.expose()).hash());
    assert_ne!(a.hash(), a.expose());
}
