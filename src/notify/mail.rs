//! Mail transports: SMTP (`smtp://`, `smtps://`, STARTTLS with `?tls=required`,
//! credentials in the URL) or, when no SMTP is configured, `.eml` files in a
//! directory with the message's first link logged (development).

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::file::FileTransport;
use lettre::{Message, SmtpTransport, Transport};

use super::error::NotifyError;
use crate::store::outbox::QueuedMail;

/// The sender address of every mail.
#[derive(Debug, Clone)]
pub struct Sender(Mailbox);

impl Sender {
    /// Parses `Name <address>` or a bare address.
    pub fn parse(raw: &str) -> Result<Self, NotifyError> {
        raw.parse().map(Sender).map_err(|e| NotifyError::Config {
            key: "PROTIUM_MAIL_FROM",
            reason: format!("'{raw}' is not a mail address: {e}"),
        })
    }
}

/// Where mail goes.
pub enum MailTransport {
    /// A real SMTP server.
    Smtp(SmtpTransport),
    /// `.eml` files in a directory.
    Files(FileTransport, PathBuf),
}

impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailTransport::Smtp(_) => f.write_str("MailTransport::Smtp"),
            MailTransport::Files(_, dir) => write!(f, "MailTransport::Files({})", dir.display()),
        }
    }
}

impl MailTransport {
    /// SMTP from `smtp_url`, or files under `mail_dir` when the URL is empty.
    pub fn new(smtp_url: &str, mail_dir: PathBuf) -> Result<Self, NotifyError> {
        if smtp_url.trim().is_empty() {
            std::fs::create_dir_all(&mail_dir).map_err(|e| NotifyError::Config {
                key: "PROTIUM_DATA_DIR",
                reason: format!("cannot create {}: {e}", mail_dir.display()),
            })?;
            return Ok(MailTransport::Files(
                FileTransport::new(&mail_dir),
                mail_dir,
            ));
        }
        let transport = SmtpTransport::from_url(smtp_url)
            .map_err(|e| NotifyError::Config {
                key: "PROTIUM_SMTP_URL",
                reason: e.to_string(),
            })?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        Ok(MailTransport::Smtp(transport))
    }

    /// Sends one queued mail. Blocking: call from the blocking pool.
    pub fn send(&self, from: &Sender, mail: &QueuedMail) -> Result<(), String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(from.0.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                mail.body_html.clone(),
            ))
            .map_err(|e| e.to_string())?;
        match self {
            MailTransport::Smtp(t) => t.send(&message).map(|_| ()).map_err(|e| e.to_string()),
            MailTransport::Files(t, dir) => {
                let id = t.send(&message).map_err(|e| e.to_string())?;
                let link = mail
                    .body_text
                    .split_whitespace()
                    .find(|w| w.starts_with("http"));
                tracing::info!(
                    to = %mail.recipient,
                    file = %dir.join(format!("{id}.eml")).display(),
                    link = link.unwrap_or("-"),
                    "mail written (no SMTP configured)"
                );
                Ok(())
            }
        }
    }
}
