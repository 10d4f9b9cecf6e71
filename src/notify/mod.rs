//! Notifications: mail (SMTP in production, `.eml` files in development), text
//! messages (a webhook to any SMS provider, the log, or memory for tests), the
//! development outbox (`outbox.log`: one line per mail or text sent without a
//! real transport), the
//! outbox worker that sends queued mail with retries, and the templates (English
//! and Chinese, overridable by files) for mails and the pages their links open.
//!
//! Rules: nothing is sent on a request path: requests write to the outbox (in the
//! same transaction as the token or code they mail) and wake the worker; a queued
//! message survives a restart; templates are checked at start-up.

mod dev_outbox;
mod error;
mod locale;
mod mail;
mod sms;
mod templates;
mod worker;

pub use dev_outbox::DevOutbox;
pub use error::NotifyError;
pub use locale::Locale;
pub use mail::{MailTransport, Sender};
pub use sms::{SmsInbox, SmsMessage, SmsSender, DEFAULT_WEBHOOK_BODY};
pub use templates::{RenderedMail, Templates};
pub use worker::{spawn_worker, Outbox, RetryPolicy};
