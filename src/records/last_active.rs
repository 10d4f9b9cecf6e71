//! The last-active time of users: a profile field declared `last_active` is
//! set on an authenticated request when it is a minute old or more. Each node
//! remembers when it last wrote each user, so a busy user costs one
//! statement a minute per node, not one per request; the statement itself
//! writes only when the stored time is older than a minute, so several nodes
//! do not move it more often either. It is not a change of the profile
//! (`updated_at` stays).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::fields::column;
use super::service::Records;
use crate::domain::{now_unix, IsoDate};
use crate::query::SqlValue;
use crate::schema::FieldKind;
use crate::store::{object_writes, objects};

/// How often one user's last-active time is written at most.
pub const EVERY: Duration = Duration::from_secs(60);

/// Users this node wrote recently, with when.
#[derive(Debug, Clone, Default)]
pub struct ActiveTracker(Arc<Mutex<HashMap<i64, Instant>>>);

impl ActiveTracker {
    /// Whether `user` is due a write now (and if so, counts it as written).
    fn due(&self, user: i64) -> bool {
        let Ok(mut seen) = self.0.lock() else {
            return false;
        };
        let now = Instant::now();
        if seen
            .get(&user)
            .is_some_and(|at| now.duration_since(*at) < EVERY)
        {
            return false;
        }
        // Keep the map to the users active in the last minute.
        if seen.len() > 10_000 {
            seen.retain(|_, at| now.duration_since(*at) < EVERY);
        }
        seen.insert(user, now);
        true
    }
}

impl Records {
    /// Notes that `user` made an authenticated request: writes the profile's
    /// `last_active` field (if one is declared) when it is due, in the
    /// background; a failure is logged, never the request's.
    pub fn touch_active(&self, user: i64) {
        let snapshot = self.live.load();
        let Some(field) = snapshot.profile().fields.iter().find(|f| f.last_active) else {
            return;
        };
        if !self.active.due(user) {
            return;
        }
        let now = now_unix();
        let stale = now - EVERY.as_secs() as i64;
        let (value, older) = match field.kind {
            FieldKind::Date => {
                let at = |t: i64| {
                    chrono::DateTime::from_timestamp(t, 0)
                        .and_then(|d| IsoDate::parse("", &d.to_rfc3339()).ok())
                        .map_or(SqlValue::Null, |d| SqlValue::Text(d.stored()))
                };
                (at(now), at(stale))
            }
            _ => (SqlValue::Int(now), SqlValue::Int(stale)),
        };
        let col = column(field);
        let table = objects::sql_table(snapshot.profile());
        let store = self.store.clone();
        tokio::spawn(async move {
            let done = store
                .run(move |conn| {
                    object_writes::set_if_older(
                        conn,
                        &table,
                        &SqlValue::Int(user),
                        &col.name,
                        value,
                        older,
                    )
                })
                .await;
            if let Err(e) = done {
                tracing::warn!(error = %e, user, "could not record the last-active time");
            }
        });
    }
}
