//! Wrong settings and broken schema files stop start-up with a precise message.

use std::time::{Duration, Instant};

use protium::config::Settings;
use protium::startup::Application;

fn settings_with_schema(
    files: &[(&str, &str)],
) -> (tempfile::TempDir, tempfile::TempDir, Settings) {
    let schema = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(schema.path().join(name), text).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let settings = Settings {
        listen: "127.0.0.1:0".into(),
        database_url: format!("sqlite://{}/p.db", data.path().display()),
        schema_dir: schema.path().to_path_buf(),
        ..Settings::default()
    };
    (schema, data, settings)
}

fn build_error(settings: &Settings) -> String {
    Application::build(settings)
        .err()
        .expect("start-up must fail")
        .to_string()
}

#[tokio::test]
async fn broken_json_names_the_file() {
    let (_s, _d, settings) = settings_with_schema(&[("_userprofile.json", "{ nope")]);
    let err = build_error(&settings);
    assert!(
        err.contains("_userprofile.json") && err.contains("invalid JSON"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_extension_key_names_file_and_pointer() {
    let (_s, _d, settings) = settings_with_schema(&[(
        "_userprofile.json",
        r#"{"properties":{"nick":{"type":"string","x-protium":{"visible":"owner"}}}}"#,
    )]);
    let err = build_error(&settings);
    assert!(
        err.contains("_userprofile.json")
            && err.contains("/properties/nick/x-protium")
            && err.contains("visible"),
        "{err}"
    );
}

#[tokio::test]
async fn unsupported_type_names_the_pointer() {
    let (_s, _d, settings) = settings_with_schema(&[(
        "_userprofile.json",
        r#"{"properties":{"n":{"type":"null"}}}"#,
    )]);
    assert!(build_error(&settings).contains("/properties/n/type"));
}

#[tokio::test]
async fn unsupported_database_url_is_named() {
    let (_s, _d, mut settings) = settings_with_schema(&[]);
    settings.database_url = "mysql://localhost/x".into();
    assert!(build_error(&settings).contains("PROTIUM_DATABASE_URL"));
}

#[tokio::test]
async fn unreachable_database_fails_within_seconds() {
    let (_s, _d, mut settings) = settings_with_schema(&[]);
    settings.database_url = "postgres://postgres@127.0.0.1:1/nothing".into();
    let started = Instant::now();
    let err = build_error(&settings);
    assert!(err.contains("cannot connect to the database"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn token_ttl_above_thirty_days_is_refused() {
    let (_s, _d, mut settings) = settings_with_schema(&[]);
    settings.token_ttl = 31 * 24 * 3600;
    assert!(build_error(&settings).contains("PROTIUM_TOKEN_TTL"));
}
