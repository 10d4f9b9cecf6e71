//! The outbox worker: claims due mail, sends it off the executor, and retries
//! failures with exponential back-off until it gives up.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::mail::{MailTransport, Sender};
use crate::domain::now_unix;
use crate::store::outbox::{self, NewMail};
use crate::store::{AnyConnection, Store, StoreError};

/// How failed sends are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Delay before the second attempt, doubled for each further one.
    pub base_secs: u64,
    /// Longest delay between attempts.
    pub max_delay_secs: u64,
    /// Attempts before the message is given up on.
    pub max_attempts: i32,
}

impl RetryPolicy {
    /// Seconds to wait after `attempts` failed attempts; `None` to give up.
    pub fn delay_after(&self, attempts: i32) -> Option<u64> {
        if attempts >= self.max_attempts {
            return None;
        }
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        Some(
            self.base_secs
                .saturating_mul(1u64 << exponent)
                .min(self.max_delay_secs),
        )
    }
}

/// Seconds a claimed message stays reserved for one worker.
const LEASE_SECS: i64 = 120;

/// Handle for queueing mail and waking the worker. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    /// A handle whose worker is started with [`spawn_worker`].
    pub fn new() -> Self {
        Self {
            wake: Arc::new(Notify::new()),
        }
    }

    /// Queues `mail` on `conn` (call it inside the transaction that creates what
    /// the mail carries); call [`Outbox::wake`] after the commit.
    pub fn enqueue(&self, conn: &mut AnyConnection, mail: &NewMail) -> Result<(), StoreError> {
        outbox::enqueue(conn, mail)
    }

    /// Tells the worker that mail is waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

/// Starts the worker on the current tokio runtime. It polls every second and
/// whenever [`Outbox::wake`] is called.
pub fn spawn_worker(
    store: Store,
    transport: Arc<MailTransport>,
    from: Sender,
    outbox: &Outbox,
    retry: RetryPolicy,
) -> tokio::task::JoinHandle<()> {
    let wake = outbox.wake.clone();
    tokio::spawn(async move {
        loop {
            let now = now_unix();
            match store
                .run(move |conn| outbox::claim_due(conn, now, LEASE_SECS))
                .await
            {
                Ok(Some(mail)) => deliver(&store, &transport, &from, mail, retry).await,
                Ok(None) => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: cannot read queued mail");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    })
}

async fn deliver(
    store: &Store,
    transport: &Arc<MailTransport>,
    from: &Sender,
    mail: outbox::QueuedMail,
    retry: RetryPolicy,
) {
    let id = mail.id;
    let attempts = mail.attempts + 1;
    let recipient = mail.recipient.clone();
    let t = transport.clone();
    let f = from.clone();
    let result = tokio::task::spawn_blocking(move || t.send(&f, &mail))
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    let now = now_unix();
    let outcome = match result {
        Ok(()) => {
            tracing::info!(to = %recipient, attempts, "mail sent");
            store
                .run(move |conn| outbox::mark_sent(conn, id, now))
                .await
        }
        Err(error) => {
            let retry_at = retry.delay_after(attempts).map(|d| now + d as i64);
            match retry_at {
                Some(at) => {
                    tracing::warn!(to = %recipient, attempts, %error, retry_in = at - now, "mail not sent; will retry")
                }
                None => {
                    tracing::error!(to = %recipient, attempts, %error, "mail not sent; giving up")
                }
            }
            store
                .run(move |conn| outbox::mark_failed(conn, id, &error, now, retry_at))
                .await
        }
    };
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "outbox: cannot record the attempt");
    }
}

#[cfg(test)]
#[path = "worker_test.rs"]
mod tests;
