//! What the console's overview shows: users (totals and sign-ups per day), the
//! mail outbox, and the schema's state. Table counts come from the record engine.

use crate::domain::now_unix;
use crate::store::{outbox, users, Store, StoreError};

/// Sign-ups of one day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DayCount {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Users created that day.
    pub count: i64,
}

/// The numbers of the overview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Overview {
    /// Every user.
    pub users: i64,
    /// Anonymous (device) users among them.
    pub anonymous: i64,
    /// Disabled users among them.
    pub disabled: i64,
    /// Sign-ups per day over the last 30 days, oldest first, every day listed.
    pub signups: Vec<DayCount>,
    /// Mails waiting to be sent.
    pub outbox_queued: i64,
    /// Mails given up on.
    pub outbox_failed: i64,
}

/// Reads the overview; cheap to clone.
#[derive(Debug, Clone)]
pub struct OverviewService {
    store: Store,
}

impl OverviewService {
    /// Over the application's store.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The numbers now.
    pub async fn get(&self) -> Result<Overview, StoreError> {
        let today = now_unix() / 86_400;
        let first = today - 29;
        self.store
            .run(move |conn| {
                let (total, anonymous, disabled) = users::user_counts(conn)?;
                let per_day = users::signups_per_day(conn, first * 86_400)?;
                let signups = (first..=today)
                    .map(|day| DayCount {
                        day: day_name(day),
                        count: per_day
                            .iter()
                            .find(|(d, _)| *d == day)
                            .map_or(0, |(_, n)| *n),
                    })
                    .collect();
                Ok(Overview {
                    users: total,
                    anonymous,
                    disabled,
                    signups,
                    outbox_queued: outbox::pending_count(conn)?,
                    outbox_failed: outbox::failed_count(conn)?,
                })
            })
            .await
    }
}

/// `YYYY-MM-DD` of a day counted from the epoch.
fn day_name(day: i64) -> String {
    chrono::DateTime::from_timestamp(day * 86_400, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
