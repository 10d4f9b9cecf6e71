//! Parse-don't-validate newtypes for values that cross the API edge.
//!
//! Every constructor checks its input once; code behind the edge holds only
//! valid values. Errors carry the field name and the rule that failed so the
//! API layer can answer a precise 400.

mod acl;
mod date;
mod device;
mod dialect;
mod email;
mod error;
mod file_links;
pub mod geo;
mod password;
mod phone;
mod principal;
mod record_id;
mod secret;
mod user_id;
mod username;

pub use acl::{acl_json, AclEntry};
pub use date::IsoDate;
pub use device::{DeviceId, Platform};
pub use dialect::Dialect;
pub use email::Email;
pub use error::{InvalidInput, ProfileRefusal};
pub use file_links::FileLinks;
pub use geo::{GeoPoint, GeoPolygon};
pub use password::{Password, PasswordPolicy};
pub use phone::{Phone, PhoneRegion};
pub use principal::{AdminIdentity, Principal};
pub use record_id::RecordId;
pub use secret::{redact_url, SecretString};
pub use user_id::UserId;
pub use username::Username;

/// Current time as unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
