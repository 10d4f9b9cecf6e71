//! What was sent in a time window: the basis of every sending limit.

/// Messages (mails, codes) sent to one recipient since a moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// How many.
    pub count: i64,
    /// When the oldest was sent (unix seconds).
    pub first: Option<i64>,
    /// When the newest was sent (unix seconds).
    pub last: Option<i64>,
}

impl Sent {
    /// Both windows together.
    pub fn merge(self, other: Sent) -> Sent {
        Sent {
            count: self.count + other.count,
            first: match (self.first, other.first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            last: self.last.max(other.last),
        }
    }

    /// Seconds until a window of `window` seconds ending now holds one message
    /// fewer (the oldest leaves it); at least 1.
    pub fn frees_in(&self, window: i64, now: i64) -> i64 {
        self.first.map_or(1, |first| (first + window - now).max(1))
    }
}
