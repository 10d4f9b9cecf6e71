//! Date fields: ISO-8601 date-times, stored normalised to UTC with microseconds
//! (`2018-09-26T03:22:51.100000Z`) so that text order is time order on every backend.

use chrono::{DateTime, SecondsFormat, Utc};

use super::InvalidInput;

/// An instant from a `date` field or a date query operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IsoDate(DateTime<Utc>);

impl IsoDate {
    /// Parses an RFC 3339 date-time (with `Z` or an offset) for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, InvalidInput> {
        DateTime::parse_from_rfc3339(raw.trim())
            .map(|d| Self(d.with_timezone(&Utc)))
            .map_err(|_| {
                InvalidInput::new(
                    field,
                    "must be an ISO-8601 date-time such as 2018-09-26T11:22:51.100000+08:00",
                )
            })
    }

    /// The stored (and returned) form: UTC, six fractional digits, `Z`.
    pub fn stored(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

#[cfg(test)]
#[path = "date_test.rs"]
mod tests;
