//! The documentation runs as written. Every shell block marked ` ```sh run `
//! in the README, `docs/records.md` and `docs/admin.md` is executed, in order, against a fresh server
//! (a fresh database per document and server setting), and every answer the
//! text shows (`# => 201 {"status":"ok"}` under a command) must still match.
//!
//! The rules a marked block follows:
//! - `S=http://127.0.0.1:8080` is the server; the harness puts the test
//!   server's address in its place, and `cargo run --` runs the built binary
//!   on the same database, schema and data directory.
//! - `# => STATUS JSON` under a command states its answer: the status, and
//!   JSON that must be contained in the body (`"…"` stands for any value).
//!   A `curl` without a stated answer must get a 2xx.
//! - ` ```sh run schema=schema/examples/dating admin_token=… ` runs the
//!   block (and the document's other blocks with the same words) on a server
//!   with that schema directory and admin token.
//! - Mail and text messages reach `data/outbox.log` (no SMTP server or SMS
//!   provider is set), where the blocks read links and codes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{start, test_settings, Backend, TestDb};

on_both_backends!(
    the_readme_runs_as_written,
    the_records_guide_runs_as_written,
    the_admin_guide_runs_as_written,
);

async fn the_readme_runs_as_written(backend: Backend) {
    run_document(backend, "README.md").await;
}

async fn the_records_guide_runs_as_written(backend: Backend) {
    run_document(backend, "docs/records.md").await;
}

async fn the_admin_guide_runs_as_written(backend: Backend) {
    run_document(backend, "docs/admin.md").await;
}

/// One command of a block, with the answer the text shows for it.
#[derive(Debug)]
struct Step {
    /// Where the command starts (file:line).
    at: String,
    command: String,
    status: Option<u16>,
    body: Option<Value>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The marked blocks of `document`, as steps grouped by the block's words
/// after `run` (its server setting), in document order.
fn sessions(document: &str) -> BTreeMap<String, Vec<Step>> {
    let text = std::fs::read_to_string(root().join(document)).unwrap();
    let mut sessions: BTreeMap<String, Vec<Step>> = BTreeMap::new();
    let mut lines = text.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        let Some(words) = line.trim_start().strip_prefix("```sh run") else {
            continue;
        };
        let steps = sessions.entry(words.trim().to_owned()).or_default();
        let mut pending: Option<(usize, String)> = None;
        for (n, line) in lines.by_ref() {
            let line = line.trim_end();
            if line.trim_start().starts_with("```") {
                break;
            }
            if let Some((start, mut command)) = pending.take() {
                command.push('\n');
                command.push_str(line);
                if line.ends_with('\\') {
                    pending = Some((start, command));
                } else {
                    steps.push(step(document, start, command));
                }
                continue;
            }
            let trimmed = line.trim_start();
            if let Some(answer) = trimmed.strip_prefix("# =>") {
                let last = steps
                    .last_mut()
                    .unwrap_or_else(|| panic!("{document}:{}: an answer with no command", n + 1));
                let answer = answer.trim();
                let (status, json) = match answer.split_once(' ') {
                    Some((code, rest)) if code.parse::<u16>().is_ok() => {
                        (Some(code.parse().unwrap()), rest.trim())
                    }
                    _ if answer.parse::<u16>().is_ok() => (Some(answer.parse().unwrap()), ""),
                    _ => (None, answer),
                };
                last.status = status;
                if !json.is_empty() {
                    last.body = Some(serde_json::from_str(json).unwrap_or_else(|e| {
                        panic!("{document}:{}: the answer is not JSON: {e}", n + 1)
                    }));
                }
                continue;
            }
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if line.ends_with('\\') {
                pending = Some((n, line.to_owned()));
            } else {
                steps.push(step(document, n, line.to_owned()));
            }
        }
    }
    assert!(!sessions.is_empty(), "{document} has no ```sh run block");
    sessions
}

fn step(document: &str, line: usize, command: String) -> Step {
    Step {
        at: format!("{document}:{}", line + 1),
        command,
        status: None,
        body: None,
    }
}

/// What every script starts with: `curl` records each answer, `__check`
/// files it under the step's number and stops at an unexpected status.
const PRELUDE: &str = r#"set -euo pipefail
curl() {
  local out
  out=$(command curl -sS -w '\n%{http_code}' "$@") || return 1
  printf '%s' "${out##*$'\n'}" > "$__DIR/last.status"
  printf '%s' "${out%$'\n'*}" > "$__DIR/last.body"
  printf '%s\n' "${out%$'\n'*}"
}
__check() { # step, where, wanted status ('-' for any 2xx)
  if [ -f "$__DIR/last.status" ]; then
    local got; got=$(cat "$__DIR/last.status")
    mv "$__DIR/last.status" "$__DIR/$1.status"; mv "$__DIR/last.body" "$__DIR/$1.body"
    if { [ "$3" = - ] && [ "${got:0:1}" != 2 ]; } || { [ "$3" != - ] && [ "$got" != "$3" ]; }; then
      echo "$2: wanted ${3/-/a 2xx}, got $got: $(cat "$__DIR/$1.body")" >&2
      exit 1
    fi
  fi
}
"#;

/// Whether `actual` holds everything `expected` shows (`"…"`: any value).
fn contains(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(s), _) if s == "…" => true,
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|got| contains(v, got))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| contains(x, y))
        }
        _ => expected == actual,
    }
}

/// Runs every session of `document`, each on its own fresh server.
async fn run_document(backend: Backend, document: &str) {
    for (words, steps) in sessions(document) {
        let word = |key: &str| {
            words
                .split_whitespace()
                .find_map(|w| w.strip_prefix(key).map(str::to_owned))
        };
        let schema_dir =
            word("schema=").map_or_else(|| root().join("schema"), |dir| root().join(dir));
        let admin_token = word("admin_token=").unwrap_or_default();
        run_session(backend, document, &schema_dir, &admin_token, &steps).await;
    }
}

async fn run_session(
    backend: Backend,
    document: &str,
    schema_dir: &Path,
    admin_token: &str,
    steps: &[Step],
) {
    let db = TestDb::new(backend);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let mut settings = test_settings(&db, schema_dir);
    settings.listen = format!("127.0.0.1:{port}");
    settings.public_url = address.clone();
    settings.data_dir = data.clone();
    settings.sms_sender = protium::config::SmsSenderKind::Log;
    settings.admin_token = admin_token.to_owned();
    // The guides walk through many sign-ins in a minute; the limits have tests of their own.
    settings.auth_rate_per_minute = 0;
    settings.sms_per_number_per_minute = 100;
    settings.email_resend_cooldown = 0;
    let database_url = settings.database_url.clone();
    let db = std::sync::Arc::new(db);
    let _app = start(db.clone(), settings, backend);

    let mut script = String::from(PRELUDE);
    for (n, step) in steps.iter().enumerate() {
        let command = step
            .command
            .replace("http://127.0.0.1:8080", &address)
            .replace("cargo run -- ", "\"$PROTIUM\" ");
        script.push_str(&command);
        script.push('\n');
        let status = step.status.map_or("-".to_owned(), |s| s.to_string());
        script.push_str(&format!("__check {n} '{}' {status}\n", step.at));
    }
    let run = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(work.path())
        .env("__DIR", work.path())
        .env("PROTIUM", env!("CARGO_BIN_EXE_protium"))
        .env("PROTIUM_DATABASE_URL", &database_url)
        .env("PROTIUM_SCHEMA_DIR", schema_dir)
        .env("PROTIUM_DATA_DIR", &data)
        .env("PROTIUM_LOG", "warn")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .unwrap_or_else(|_| panic!("{document}: the examples took over 3 minutes"))
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{document} ({}): an example failed\n--- stderr\n{stderr}\n--- stdout\n{stdout}",
        schema_dir.display()
    );
    for (n, step) in steps.iter().enumerate() {
        let Some(expected) = &step.body else { continue };
        let body = std::fs::read_to_string(work.path().join(format!("{n}.body")))
            .unwrap_or_else(|_| panic!("{}: the command made no request", step.at));
        let actual: Value = serde_json::from_str(&body)
            .unwrap_or_else(|_| panic!("{}: the answer is not JSON: {body}", step.at));
        assert!(
            contains(expected, &actual),
            "{}: the text shows\n  {expected}\nbut the server answered\n  {actual}",
            step.at
        );
    }
}
