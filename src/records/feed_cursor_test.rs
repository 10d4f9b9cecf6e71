//! Unit tests of `feed_cursor`.

use sha2::Digest;

use super::*;

fn key(secret: &str) -> CursorKey {
    CursorKey::from_secret(&hex::encode(sha2::Sha256::digest(secret.as_bytes()))).unwrap()
}

#[test]
fn a_sealed_cursor_opens_to_its_position_and_time() {
    let k = key("one secret");
    let p = Position {
        xid: 77,
        seq: 12345,
    };
    let c = k.seal(p, 1_732_179_800);
    assert_eq!(k.open(&c), Some((p, 1_732_179_800)));
    assert_eq!(c.len(), 2 * (NONCE + BODY + TAG));
    assert!(
        c.bytes().all(|b| b.is_ascii_hexdigit()),
        "safe in a URL: {c}"
    );
}

#[test]
fn cursors_reveal_nothing_not_even_whether_they_moved() {
    let k = key("one secret");
    let p = Position { xid: 0, seq: 57 };
    let (a, b) = (k.seal(p, 1_732_179_800), k.seal(p, 1_732_179_800));
    assert_ne!(a, b, "a fresh nonce each time");
    // What a readable cursor would carry, long enough not to turn up by
    // chance in 112 random hex digits.
    for shown in [
        "1732179800".to_owned(),
        hex::encode(1_732_179_800_i64.to_be_bytes()),
        hex::encode(57_i64.to_be_bytes()),
    ] {
        for cursor in [&a, &b] {
            assert!(!cursor.contains(&shown), "{cursor} shows {shown}");
        }
    }
}

#[test]
fn changed_cut_or_foreign_cursors_are_refused() {
    let k = key("one secret");
    let c = k.seal(Position { xid: 3, seq: 4 }, 5);
    for i in 0..c.len() {
        let mut bytes = c.clone().into_bytes();
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        let changed = String::from_utf8(bytes).unwrap();
        assert_eq!(k.open(&changed), None, "changed at {i}");
    }
    assert_eq!(k.open(&c[..c.len() - 2]), None);
    assert_eq!(k.open(""), None);
    assert_eq!(k.open("0.57.1732179800"), None);
    assert_eq!(key("another secret").open(&c), None);
}
