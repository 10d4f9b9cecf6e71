//! Unit tests of `password` and `hash_pool`.

use super::*;
use crate::domain::Password;

fn pw(s: &str) -> Password {
    Password::candidate("password", s).unwrap()
}

#[tokio::test]
async fn hashes_are_argon2id_salted_and_verify() {
    let h = PasswordHasher::new(HashingSettings::default()).unwrap();
    let a = h.hash(&pw("correct horse")).await.unwrap();
    let b = h.hash(&pw("correct horse")).await.unwrap();
    assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
    assert_ne!(a, b, "salts differ");
    assert!(h
        .verify(&pw("correct horse"), Some(a.clone()))
        .await
        .unwrap());
    assert!(!h.verify(&pw("wrong horse"), Some(a)).await.unwrap());
    assert!(!h.verify(&pw("anything"), None).await.unwrap());
}

#[tokio::test]
async fn hashes_made_by_the_argon2_crate_itself_verify() {
    use argon2::password_hash::PasswordHasher as _;
    let reference = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        owasp_params().unwrap(),
    )
    .hash_password(b"s3cret pass")
    .unwrap()
    .to_string();
    let h = PasswordHasher::new(HashingSettings::default()).unwrap();
    assert!(h
        .verify(&pw("s3cret pass"), Some(reference.clone()))
        .await
        .unwrap());
    assert!(!h.verify(&pw("s3cret pasS"), Some(reference)).await.unwrap());
    assert!(!h
        .verify(&pw("x"), Some("not a phc string".into()))
        .await
        .unwrap());
}

#[tokio::test]
async fn a_full_queue_refuses_at_once() {
    let h = PasswordHasher::new(HashingSettings {
        threads: 1,
        queue: 1,
    })
    .unwrap();
    let jobs: Vec<_> = (0..8)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.hash(&pw("password")).await })
        })
        .collect();
    let mut busy = 0;
    let mut done = 0;
    for job in jobs {
        match job.await.unwrap() {
            Ok(_) => done += 1,
            Err(AuthError::Busy) => busy += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(
        busy >= 1,
        "one worker and a queue of one cannot take eight jobs at once"
    );
    assert!(done >= 1);
}
