//! The janitor: every few minutes the node holding the `janitor` lease
//! deletes what has expired — sessions, links, codes, tokens, OAuth states,
//! attempt counters, mail sent a week ago, and deletions older than the change
//! feed keeps ([`crate::store::janitor`]). One node sweeps at a time; when it
//! stops, its lease lapses and another node takes over.

use std::time::Duration;

use crate::domain::now_unix;
use crate::store::janitor::{self, Swept};
use crate::store::{leases, Store, StoreError};

/// The lease every node competes for.
const LEASE: &str = "janitor";

/// The sweeping service of one node.
#[derive(Debug, Clone)]
pub struct Janitor {
    store: Store,
    holder: String,
    every: Duration,
    feed_horizon: i64,
}

impl Janitor {
    /// Sweeps `store` every `every`, keeping deletions `feed_horizon` seconds.
    pub fn new(store: Store, every: Duration, feed_horizon: i64) -> Self {
        Self {
            store,
            holder: super::node_name(),
            every,
            feed_horizon,
        }
    }

    /// One sweep, if this node holds (or takes) the lease; `None` when another
    /// node holds it.
    pub async fn sweep(&self) -> Result<Option<Swept>, StoreError> {
        let holder = self.holder.clone();
        let lease_for = i64::try_from(self.every.as_secs()).unwrap_or(600).max(1) * 2;
        let horizon = self.feed_horizon;
        self.store
            .transaction(move |conn| {
                let now = now_unix();
                if !leases::acquire(conn, LEASE, &holder, now, now + lease_for)? {
                    return Ok(None);
                }
                janitor::sweep(conn, now, now - horizon).map(Some)
            })
            .await
    }

    /// Sweeps until the process ends.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(self.every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match self.sweep().await {
                    Ok(Some(swept)) if !swept.deleted.is_empty() => {
                        tracing::info!(deleted = ?swept.deleted, "janitor swept expired rows");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "janitor sweep failed"),
                }
            }
        })
    }
}
