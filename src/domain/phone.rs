//! Phone numbers, normalised to E.164 (`+8613800000000`).
//!
//! A number without a `+` is read in a region: the request's `region` (a calling
//! code such as `86`, or an ISO code such as `CN`), else the configured default.

use phonenumber::country::Id;
use phonenumber::Mode;

use super::InvalidInput;

/// The region numbers without a country code belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRegion(Id);

impl PhoneRegion {
    /// Parses an ISO 3166 code such as `CN` (the `phone_default_region` setting).
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        raw.trim()
            .to_ascii_uppercase()
            .parse::<Id>()
            .map(PhoneRegion)
            .map_err(|_| InvalidInput::new("region", "must be a country code such as CN or US"))
    }
}

impl Default for PhoneRegion {
    fn default() -> Self {
        PhoneRegion(Id::CN)
    }
}

/// A valid phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// A number read back from storage, where only parsed numbers are kept.
    pub fn stored(e164: String) -> Self {
        Self(e164)
    }

    /// Parses `raw`. `region` is the request's optional `region` field (calling
    /// code like `86` or `+86`, or ISO code like `CN`); `default` applies otherwise.
    pub fn parse(
        raw: &str,
        region: Option<&str>,
        default: PhoneRegion,
    ) -> Result<Self, InvalidInput> {
        let invalid = || InvalidInput::new("phone", "is not a valid phone number");
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        if compact.is_empty()
            || compact.len() > 20
            || compact.chars().skip(1).any(|c| !c.is_ascii_digit())
        {
            return Err(invalid());
        }
        let region = region.map(str::trim).filter(|r| !r.is_empty());
        let (country, text) = match region {
            _ if compact.starts_with('+') => (None, compact),
            Some(r)
                if r.trim_start_matches('+')
                    .chars()
                    .all(|c| c.is_ascii_digit()) =>
            {
                (
                    None,
                    format!(
                        "+{}{}",
                        r.trim_start_matches('+'),
                        compact.trim_start_matches('0')
                    ),
                )
            }
            Some(r) => (Some(PhoneRegion::parse(r)?.0), compact),
            None => (Some(default.0), compact),
        };
        let number = phonenumber::parse(country, &text).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        Ok(Self(number.format().mode(Mode::E164).to_string()))
    }

    /// Wraps a number read from storage (already E.164).
    pub fn from_db(e164: String) -> Self {
        Self(e164)
    }

    /// The E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[path = "phone_test.rs"]
mod tests;
