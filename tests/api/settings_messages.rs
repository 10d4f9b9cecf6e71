//! Settings as a newcomer meets them: `protium check` refuses every setting
//! start-up refuses, with the same words; each message names the setting, the
//! value (passwords hidden) and what is expected; a misspelt name gets a
//! guess; a closed output is no crash.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::helpers::{run_cli, Backend, TestDb};

/// Runs the binary in `dir` with only the given `PROTIUM_*` variables set.
fn protium(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_protium"));
    command
        .args(args)
        .current_dir(dir)
        .env("PROTIUM_LOG", "off");
    for (key, _) in std::env::vars() {
        if key.starts_with("PROTIUM_") && key != "PROTIUM_LOG" {
            command.env_remove(key);
        }
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.stdin(Stdio::null()).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A working directory with the default schema and a data directory.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/_userprofile.json"),
        schema.join("_userprofile.json"),
    )
    .unwrap();
    dir
}

#[test]
fn check_passes_on_a_fresh_directory_and_says_what_it_checked() {
    let dir = workdir();
    let (code, out) = protium(dir.path(), &["check"], &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("settings: ok"), "{out}");
    assert!(out.contains("data/outbox.log"), "where mail goes: {out}");
    assert!(
        out.contains("does not exist yet; start-up creates it"),
        "{out}"
    );
    assert!(
        !dir.path().join("data/protium.db").exists(),
        "a check creates nothing"
    );
}

#[test]
fn check_refuses_what_start_up_refuses() {
    let dir = workdir();
    for (key, value, wanted) in [
        (
            "PROTIUM_DATABASE_URL",
            "mysql://app:s3cret@db/app",
            "'mysql://app:***@db/app' is not a database Protium can use",
        ),
        (
            "PROTIUM_SMTP_URL",
            "http://x",
            "PROTIUM_SMTP_URL: 'http://x' is not an SMTP server URL",
        ),
        (
            "PROTIUM_SMS_SENDER",
            "twilio",
            "PROTIUM_SMS_SENDER: 'twilio' is not a sender",
        ),
        (
            "PROTIUM_LOG",
            "protium=verbose",
            "PROTIUM_LOG: 'protium=verbose' is not a log filter",
        ),
        (
            "PROTIUM_MAIL_FROM",
            "not an address",
            "PROTIUM_MAIL_FROM: 'not an address' is not a mail address",
        ),
    ] {
        let (code, out) = protium(dir.path(), &["check"], &[(key, value)]);
        assert_ne!(code, 0, "{key}={value} passed the check: {out}");
        assert!(out.contains(wanted), "{key}={value}: {out}");
        assert!(!out.contains("s3cret"), "the password is hidden: {out}");
        assert!(
            out.contains("for example") || out.contains("expected"),
            "{out}"
        );
        let (code, start) = protium(dir.path(), &[], &[(key, value)]);
        assert_ne!(code, 0, "{key}={value} started: {start}");
        assert!(start.contains(wanted), "start-up says the same: {start}");
    }
}

#[test]
fn a_port_alone_is_explained_not_a_type_error() {
    let dir = workdir();
    let (code, out) = protium(dir.path(), &["check"], &[("PROTIUM_LISTEN", "8080")]);
    assert_ne!(code, 0);
    assert!(
        out.contains("PROTIUM_LISTEN: '8080' is not an address and port")
            && out.contains("127.0.0.1:8080")
            && !out.contains("unsigned int"),
        "{out}"
    );
    // Text settings take digits as text.
    let (code, out) = protium(dir.path(), &["check"], &[("PROTIUM_CLIENT_IDS", "12345")]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_misspelt_setting_gets_a_guess() {
    let dir = workdir();
    let (code, out) = protium(dir.path(), &["check"], &[("PROTIUM_LSITEN", "127.0.0.1:1")]);
    assert_ne!(code, 0);
    assert!(
        out.contains("unknown setting PROTIUM_LSITEN; did you mean PROTIUM_LISTEN?"),
        "{out}"
    );
    assert!(out.lines().count() <= 2, "one short message: {out}");
    let (_, out) = protium(dir.path(), &["check"], &[("PROTIUM_TOKEN_TTL", "soon")]);
    assert!(
        out.contains("PROTIUM_TOKEN_TTL: 'soon' is not a whole number"),
        "{out}"
    );
}

#[test]
fn a_missing_schema_directory_says_where_it_looked_and_how_to_set_it() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = protium(dir.path(), &["check"], &[]);
    assert_ne!(code, 0);
    assert!(
        out.contains("schema directory schema:")
            && out.contains(&dir.path().display().to_string())
            && out.contains("PROTIUM_SCHEMA_DIR"),
        "{out}"
    );
}

#[test]
fn a_closed_output_is_not_a_crash() {
    let dir = workdir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_protium"))
        .arg("schema-vocabulary")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read nothing: close the pipe at once, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

on_both_backends!(check_gives_the_refusal_start_up_would_give);

/// A stored database and a type change: `check` refuses it as start-up does,
/// and says what to do, trying another schema set included.
async fn check_gives_the_refusal_start_up_would_give(backend: Backend) {
    let db = TestDb::new(backend);
    let schema = tempfile::tempdir().unwrap();
    let write = |kind: &str| {
        std::fs::write(
            schema.path().join("_userprofile.json"),
            format!(r#"{{"type":"object","properties":{{"gender":{{"type":"{kind}"}}}}}}"#),
        )
        .unwrap();
    };
    write("integer");
    let (code, out, err) = run_cli(&db, schema.path(), &["schema", "apply"], "");
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run_cli(&db, schema.path(), &["check"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("accepts the schema"), "{out}");
    write("string");
    let (code, out, err) = run_cli(&db, schema.path(), &["check"], "");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("_userprofile.gender")
            && err.contains("its own database (PROTIUM_DATABASE_URL=sqlite://data/<set>.db)"),
        "{err}"
    );
}
