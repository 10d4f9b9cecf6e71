//! Unit tests of `session_cache`.

use super::*;

fn session(user_id: i64) -> CachedSession {
    CachedSession {
        user_id,
        anonymous: false,
        expires_at: i64::MAX,
    }
}

#[test]
fn entries_are_trusted_for_less_than_a_second() {
    let cache = SessionCache::new(10);
    cache.put("a".into(), session(1));
    assert_eq!(cache.get("a"), Some(session(1)));
    std::thread::sleep(SessionCache::TTL + Duration::from_millis(20));
    assert_eq!(cache.get("a"), None, "re-checked after the TTL");
}

#[test]
fn forgetting_a_user_drops_every_session_of_theirs() {
    let cache = SessionCache::new(10);
    cache.put("a".into(), session(1));
    cache.put("b".into(), session(1));
    cache.put("c".into(), session(2));
    cache.forget_user(1);
    assert_eq!((cache.get("a"), cache.get("b")), (None, None));
    assert_eq!(cache.get("c"), Some(session(2)));
    cache.forget("c");
    assert_eq!(cache.get("c"), None);
}

#[test]
fn the_cache_stays_bounded() {
    let cache = SessionCache::new(3);
    for i in 0..10 {
        cache.put(format!("t{i}"), session(i));
    }
    assert!(cache.entries.lock().unwrap().len() <= 3);
    assert_eq!(cache.get("t9"), Some(session(9)));
}
