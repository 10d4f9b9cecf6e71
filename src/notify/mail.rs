//! Mail transports: SMTP (`smtp://`, `smtps://`, STARTTLS with `?tls=required`,
//! credentials in the URL) or, when no SMTP is configured, `.eml` files in a
//! directory (development): named so they sort by time, each with its text
//! as a plain `.txt` beside it (a link copied from it works) and a line in the
//! development outbox.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};

use super::dev_outbox::{link_or_code, DevOutbox};
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
    /// `.eml` files in a directory, listed in the development outbox.
    Files(MailFiles),
}

/// The development mail transport.
pub struct MailFiles {
    dir: PathBuf,
    outbox: DevOutbox,
    written: AtomicU64,
}

impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailTransport::Smtp(_) => f.write_str("MailTransport::Smtp"),
            MailTransport::Files(files) => {
                write!(f, "MailTransport::Files({})", files.dir.display())
            }
        }
    }
}

impl MailTransport {
    /// SMTP from `smtp_url`, or files under `mail_dir` (and lines in `outbox`)
    /// when the URL is empty.
    pub fn new(smtp_url: &str, mail_dir: PathBuf, outbox: DevOutbox) -> Result<Self, NotifyError> {
        if smtp_url.trim().is_empty() {
            std::fs::create_dir_all(&mail_dir).map_err(|e| NotifyError::Config {
                key: "PROTIUM_DATA_DIR",
                reason: format!("cannot create {}: {e}", mail_dir.display()),
            })?;
            return Ok(MailTransport::Files(MailFiles {
                dir: mail_dir,
                outbox,
                written: AtomicU64::new(0),
            }));
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
        let builder = Message::builder()
            .from(from.0.clone())
            .to(to)
            .subject(mail.subject.clone());
        match self {
            MailTransport::Smtp(t) => {
                let message = builder
                    .multipart(MultiPart::alternative_plain_html(
                        mail.body_text.clone(),
                        mail.body_html.clone(),
                    ))
                    .map_err(|e| e.to_string())?;
                t.send(&message).map(|_| ()).map_err(|e| e.to_string())
            }
            MailTransport::Files(files) => files.write(builder, mail),
        }
    }
}

impl MailFiles {
    /// Writes the mail as `<time>-<n>.eml` with its text beside it as
    /// `<time>-<n>.txt` (plain UTF-8: an `.eml` wraps long lines, so a link
    /// copied from it breaks), and lists it in the outbox.
    fn write(
        &self,
        builder: lettre::message::MessageBuilder,
        mail: &QueuedMail,
    ) -> Result<(), String> {
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                mail.body_html.clone(),
            ))
            .map_err(|e| e.to_string())?;
        let n = self.written.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "{}-{n:04}.eml",
            chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f")
        );
        let path = self.dir.join(name);
        std::fs::write(&path, message.formatted())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let text = path.with_extension("txt");
        let plain = format!(
            "To: {}\nSubject: {}\n\n{}\n",
            mail.recipient, mail.subject, mail.body_text
        );
        std::fs::write(&text, plain).map_err(|e| format!("{}: {e}", text.display()))?;
        self.outbox.record(
            "mail",
            &mail.recipient,
            link_or_code(&mail.body_text).unwrap_or_default(),
            &mail.subject,
        );
        Ok(())
    }
}
