//! Unit tests of `config`.

use super::*;

#[test]
fn defaults_are_valid() {
    Settings::default().check().unwrap();
}

#[test]
fn rejects_ttl_above_thirty_days() {
    let s = Settings {
        token_ttl: MAX_TOKEN_TTL_SECS + 1,
        ..Settings::default()
    };
    assert!(s
        .check()
        .unwrap_err()
        .to_string()
        .contains("PROTIUM_TOKEN_TTL"));
}

#[test]
fn rejects_bad_listen_address() {
    let s = Settings {
        listen: "nowhere".into(),
        ..Settings::default()
    };
    assert!(s
        .check()
        .unwrap_err()
        .to_string()
        .contains("PROTIUM_LISTEN"));
}

#[test]
fn forbidden_password_characters_can_name_a_space() {
    let s = Settings {
        password_forbidden_chars: "\\s#".into(),
        ..Settings::default()
    };
    assert_eq!(s.password_policy().forbidden, " #");
}

#[test]
fn splits_client_ids() {
    let s = Settings {
        client_ids: "a, b,,c".into(),
        ..Settings::default()
    };
    assert_eq!(s.client_id_list(), ["a", "b", "c"]);
}

#[test]
fn provider_kinds_are_read_by_name_and_an_unknown_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("protium.toml");
    let provider = |kind: &str| {
        format!(
            "[[oauth_providers]]\nname = \"wechat\"\nkind = \"{kind}\"\nclient_id = \"wx\"\nclient_secret = \"s\"\n"
        )
    };
    std::fs::write(&file, provider("wechat_miniapp")).unwrap();
    let settings = Settings::load(Some(&file)).unwrap();
    assert_eq!(
        settings.oauth_providers[0].kind,
        ProviderKind::WechatMiniapp
    );
    std::fs::write(&file, provider("saml")).unwrap();
    let err = Settings::load(Some(&file)).unwrap_err().to_string();
    assert!(
        err.contains("saml") && err.contains("wechat_miniapp"),
        "{err}"
    );
}

#[test]
fn object_storage_needs_an_endpoint_a_bucket_and_a_key_pair() {
    let s3 = |endpoint: &str, bucket: &str| Settings {
        file_storage: FileStorageKind::S3,
        s3_endpoint: endpoint.into(),
        s3_bucket: bucket.into(),
        s3_access_key_id: "id".into(),
        s3_secret_access_key: "secret".into(),
        ..Settings::default()
    };
    let no_endpoint = s3("", "files").check().unwrap_err().to_string();
    assert!(no_endpoint.contains("PROTIUM_S3_ENDPOINT"), "{no_endpoint}");
    let ftp = s3("ftp://store", "files").check().unwrap_err().to_string();
    assert!(ftp.contains("PROTIUM_S3_ENDPOINT"), "{ftp}");
    let no_bucket = s3("http://127.0.0.1:8333", " ")
        .check()
        .unwrap_err()
        .to_string();
    assert!(no_bucket.contains("PROTIUM_S3_BUCKET"), "{no_bucket}");
    s3("https://s3.eu-west-1.amazonaws.com", "files")
        .check()
        .unwrap();
}
