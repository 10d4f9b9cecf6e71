//! The development log a person reads: the binary as `cargo run` starts it,
//! on a fresh directory. Client errors are one short debug line (no warning
//! buried in detail), each mailed link and each text message is one marked
//! line, and a reset asked for an address no account has verified says so —
//! in the log only.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(dir: &Path, log: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
        let child = Command::new(env!("CARGO_BIN_EXE_protium"))
            .current_dir(dir)
            .env("PROTIUM_LISTEN", format!("127.0.0.1:{port}"))
            .env("PROTIUM_SCHEMA_DIR", schema)
            .env("PROTIUM_LOG", log)
            .env("PROTIUM_SCHEMA_WATCH", "false")
            .env_remove("PROTIUM_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Stops the server and returns everything it logged.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let mut text = String::new();
        for stream in [
            self.child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read>),
            self.child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read>),
        ]
        .into_iter()
        .flatten()
        {
            let mut stream = stream;
            let _ = stream.read_to_string(&mut text);
        }
        let _ = self.child.wait();
        text
    }
}

async fn post(client: &reqwest::Client, url: String, body: serde_json::Value) -> u16 {
    client
        .post(url)
        .header("X-Hydrogen-Client-ID", "dev")
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn up(client: &reqwest::Client, address: &str) {
    for _ in 0..100 {
        if client
            .get(format!("{address}/health/"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

#[tokio::test]
async fn the_development_log_shows_links_codes_and_short_client_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), "info,protium=debug");
    let client = reqwest::Client::new();
    up(&client, &server.address).await;
    let s = &server.address;
    let wrong = post(
        &client,
        format!("{s}/hserve/v2.1/login/email/"),
        json!({"email": "nobody@example.com", "password": "wrong-password"}),
    )
    .await;
    assert_eq!(wrong, 400);
    let reset = post(
        &client,
        format!("{s}/hserve/v2.0/user/password/reset/"),
        json!({"email": "nobody@example.com"}),
    )
    .await;
    assert_eq!(reset, 201, "the answer does not tell");
    let sms = post(
        &client,
        format!("{s}/hserve/v2.2/sms-verification-code/"),
        json!({"phone": "13800000000"}),
    )
    .await;
    assert_eq!(sms, 200);
    let log = server.stop();

    let lines: Vec<&str> = log.lines().collect();
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("WARN") && l.contains("400")),
        "a client error is not a warning:\n{log}"
    );
    let client_error = lines
        .iter()
        .find(|l| l.contains("DEBUG") && l.contains("status=400"))
        .unwrap_or_else(|| panic!("no line for the 400:\n{log}"));
    assert!(client_error.len() < 250, "one short line: {client_error}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("no reset mail sent: no account has this address verified")),
        "{log}"
    );
    let sms_line = lines
        .iter()
        .find(|l| l.contains("SMS to +8613800000000: "))
        .unwrap_or_else(|| panic!("no SMS line:\n{log}"));
    let code = sms_line.rsplit(' ').next().unwrap();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{sms_line}"
    );
    let outbox = std::fs::read_to_string(dir.path().join("data/outbox.log")).unwrap();
    assert_eq!(outbox.lines().last().unwrap().split(' ').nth(3), Some(code));
}
