//! Settings that take one of a few names. Each is an enum read by name, so a
//! wrong name is refused while the settings are read, with a message that
//! names the accepted values; the code then matches on variants.
//!
//! The names are read as the `text` settings are (a number or flag given
//! where a name is meant is taken as its text), so the refusal can quote
//! what was given whatever its type.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A setting whose value is one of a few names.
trait Choice: Sized + Copy + PartialEq + 'static {
    /// Every accepted name with its variant; each variant once.
    const NAMES: &'static [(&'static str, Self)];

    /// Why `given` is refused, naming the accepted values.
    fn refusal(given: &str) -> String;
}

/// The name of `choice` as settings write it.
fn name_of<T: Choice>(choice: T) -> &'static str {
    T::NAMES
        .iter()
        .find(|(_, variant)| *variant == choice)
        .map_or("", |(name, _)| name)
}

/// Reads a [`Choice`] by its name, refusing any other text with
/// [`Choice::refusal`].
fn choose<'de, T: Choice, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    let given = super::text(d)?;
    T::NAMES
        .iter()
        .find(|(name, _)| *name == given)
        .map(|(_, variant)| *variant)
        .ok_or_else(|| D::Error::custom(T::refusal(&given)))
}

/// Reads and writes a [`Choice`] by its name, and gives it `as_str`.
macro_rules! by_name {
    ($choice:ty) => {
        impl $choice {
            /// The name settings write for this value.
            pub fn as_str(self) -> &'static str {
                name_of(self)
            }
        }

        impl Serialize for $choice {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $choice {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                choose(d)
            }
        }

        impl std::fmt::Display for $choice {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Where text messages go when no SMS webhook is set (`PROTIUM_SMS_SENDER`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SmsSenderKind {
    /// `log`: written to the log and `data_dir/outbox.log` (development).
    #[default]
    Log,
    /// `memory`: kept in memory, readable by tests.
    Memory,
}

impl Choice for SmsSenderKind {
    const NAMES: &'static [(&'static str, Self)] = &[("log", Self::Log), ("memory", Self::Memory)];

    fn refusal(given: &str) -> String {
        format!(
            "'{given}' is not a sender: expected log (development) or memory (tests); \
             to send through a provider set PROTIUM_SMS_WEBHOOK_URL instead"
        )
    }
}

by_name!(SmsSenderKind);

/// How a password reset for an unknown or unverified address is answered
/// (`PROTIUM_PASSWORD_RESET_UNKNOWN`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PasswordResetUnknown {
    /// `accepted`: the same 201 as for a real account (no account enumeration).
    #[default]
    Accepted,
    /// `not_found`: a 404, as Hydrogen does.
    NotFound,
}

impl Choice for PasswordResetUnknown {
    const NAMES: &'static [(&'static str, Self)] =
        &[("accepted", Self::Accepted), ("not_found", Self::NotFound)];

    fn refusal(_given: &str) -> String {
        "must be 'accepted' or 'not_found'".into()
    }
}

by_name!(PasswordResetUnknown);

/// How a provider's `token_url` takes a code under a `code_exchange`
/// mapping (`code_exchange.method`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExchangeMethod {
    /// `GET`: the parameters in the query (WeChat).
    Get,
    /// `POST`: the parameters as a form body.
    #[default]
    Post,
}

impl Choice for ExchangeMethod {
    const NAMES: &'static [(&'static str, Self)] = &[("GET", Self::Get), ("POST", Self::Post)];

    fn refusal(given: &str) -> String {
        format!("'{given}' is not 'GET' or 'POST'")
    }
}

by_name!(ExchangeMethod);

/// Where uploaded files' bytes are kept (`PROTIUM_FILE_STORAGE`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FileStorageKind {
    /// `local`: under `data_dir/files` (one node).
    #[default]
    Local,
    /// `s3`: in a bucket of an S3-compatible object store (any number of nodes).
    S3,
}

impl Choice for FileStorageKind {
    const NAMES: &'static [(&'static str, Self)] = &[("local", Self::Local), ("s3", Self::S3)];

    fn refusal(given: &str) -> String {
        format!("'{given}' is not a file storage: expected local or s3")
    }
}

by_name!(FileStorageKind);

#[cfg(test)]
#[path = "choices_test.rs"]
mod tests;
