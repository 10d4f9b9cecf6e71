//! The development outbox: with no SMTP server and no SMS provider set, every
//! mail and text is also one line of `<data dir>/outbox.log` and one short log
//! line, so a developer (or a script: `tail -n 1 data/outbox.log | cut -d' ' -f4`)
//! finds the link or code at once. The fields are the time, the channel, the
//! recipient, the link or code (`-` when there is none) and the subject or text:
//!
//! ```text
//! 2026-11-25T19:30:02Z mail ann@example.com http://127.0.0.1:8080/verify-email/?token=… Verify your email address
//! 2026-11-25T19:31:10Z sms +8613800000000 123456 Your code is 123456 …
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::error::NotifyError;

/// Appends one line per message to `outbox.log`.
#[derive(Debug, Clone)]
pub struct DevOutbox {
    path: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl DevOutbox {
    /// The outbox file in `dir` (created when missing).
    pub fn new(dir: &Path) -> Result<Self, NotifyError> {
        std::fs::create_dir_all(dir).map_err(|e| NotifyError::Config {
            key: "PROTIUM_DATA_DIR",
            reason: format!("cannot create {}: {e}", dir.display()),
        })?;
        Ok(Self {
            path: dir.join("outbox.log"),
            lock: Arc::new(Mutex::new(())),
        })
    }

    /// Where the lines go.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records one message: `channel` is `mail` or `sms`, `key` the link or
    /// code it carries, `summary` its subject or text (flattened to one line).
    pub fn record(&self, channel: &str, to: &str, key: &str, summary: &str) {
        let summary: String = summary
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let key = if key.is_empty() { "-" } else { key };
        tracing::info!("{} to {to}: {key}", channel.to_uppercase());
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        let line = format!("{now} {channel} {to} {key} {summary}\n");
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::warn!(file = %self.path.display(), "cannot write the development outbox: {e}");
        }
    }
}

/// The first link in `text`, else its first run of exactly six digits (the
/// codes Protium sends).
pub fn link_or_code(text: &str) -> Option<&str> {
    text.split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .or_else(|| {
            text.split(|c: char| !c.is_ascii_digit())
                .find(|run| run.len() == 6)
        })
}

#[cfg(test)]
#[path = "dev_outbox_test.rs"]
mod tests;
