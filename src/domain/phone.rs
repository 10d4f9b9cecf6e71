//! Phone numbers. A full E.164 normaliser with regions comes with SMS sign-in;
//! here a number is kept as digits with an optional leading `+`.

use super::InvalidInput;

/// A phone number: an optional `+` then 5–15 digits; spaces and dashes are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Parses `raw`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = compact.strip_prefix('+').unwrap_or(&compact);
        if !(5..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(InvalidInput::new(
                "phone",
                "must be 5 to 15 digits, optionally starting with '+'",
            ));
        }
        Ok(Self(compact))
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[path = "phone_test.rs"]
mod tests;
