//! Unit tests of `mini_program`.

use sha1::{Digest, Sha1};

use super::*;

fn signed(raw: &str, key: &str) -> SignedProfile {
    let mut h = Sha1::new();
    h.update(raw.as_bytes());
    h.update(key.as_bytes());
    SignedProfile {
        raw_data: raw.into(),
        signature: hex::encode(h.finalize()),
    }
}

#[test]
fn profile_data_is_taken_only_with_the_platforms_signature() {
    let raw = r#"{"nickName":"Ann","avatarUrl":"https://img.test/a.png"}"#;
    let fields = verified_profile(&signed(raw, "session-key"), "session-key").unwrap();
    assert_eq!(fields["nickName"], "Ann");
    assert!(verified_profile(&signed(raw, "another-key"), "session-key").is_err());
    assert!(
        verified_profile(&signed(raw, ""), "").is_err(),
        "no key, no proof"
    );
    let forged = SignedProfile {
        raw_data: r#"{"nickName":"Mallory"}"#.into(),
        ..signed(raw, "session-key")
    };
    assert!(verified_profile(&forged, "session-key").is_err());
}

#[test]
fn kinds_name_their_platforms() {
    assert_eq!(
        MiniPlatform::of_kind(ProviderKind::WechatMiniapp),
        Some(MiniPlatform::WeChat)
    );
    assert_eq!(
        MiniPlatform::of_kind(ProviderKind::BaiduMiniapp),
        Some(MiniPlatform::Baidu)
    );
    assert_eq!(MiniPlatform::of_kind(ProviderKind::Oauth2), None);
}
