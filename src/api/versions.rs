//! The API versions each endpoint family answers under: every prefix that a
//! `minapp-sdk` build from 1.x to the current 3.x sends for it (read from each
//! build's endpoint table), so an app answers the same whichever build it
//! ships. The shapes do not differ between these versions, with one exception
//! the SDK depends on: builds older than 3.0 read a list's `total_count`
//! without asking for it ([`counts_by_default`]).
//!
//! Each endpoint names its list in its table ([`super::route_table`]); an
//! unknown version is a 404 that names the versions served.

/// `POST …/register/<kind>/`, `…/login/<kind>/` (v2.0 up to SDK 2.2, v2.1 after),
/// and the kind-less `…/register/`, `…/login/` of SDK 2.0.0–2.0.2 (v2.0).
pub const SIGN_IN: &[&str] = &["v2.0", "v2.1"];
/// `POST …/session/destroy/`: v1 in SDK 1.x, v2.0 since.
pub const SIGN_OUT: &[&str] = &["v1", "v2.0", "v2.1"];
/// `PUT …/user/account/`: v2.0 up to SDK 2.2, v2.1 up to 3.2, v2.2 since.
pub const ACCOUNT: &[&str] = &["v2.0", "v2.1", "v2.2"];
/// `GET …/user/info/:id/`: v1 and v1.3 (SDK 1.x), v2.0 (SDK 2.0 to 3.15.0,
/// fetched right after every sign-in), v2.5 since; v2.2 as documented.
pub const USER_DETAIL: &[&str] = &["v1", "v1.3", "v2.0", "v2.2", "v2.4", "v2.5"];
/// `GET …/user/info/`: v1.3, v2.0 (up to SDK 2.9), v2.2 since 3.0; v2.5 too.
pub const USER_LIST: &[&str] = &["v1", "v1.3", "v2.0", "v2.2", "v2.5"];
/// `PUT …/user/info/`: v1.3, v2.0 (up to 3.12), v2.4 (3.13 to 3.15.0), v2.5 since.
pub const USER_UPDATE: &[&str] = &["v1", "v1.3", "v2.0", "v2.2", "v2.4", "v2.5"];
/// `…/table/:table/record/…`: v1 to v1.9 (SDK 1.x), v2.0 (2.x and 3.0 to 3.4),
/// v2.2 to v2.5 since.
pub const RECORDS: &[&str] = &[
    "v1", "v1.1", "v1.2", "v1.4", "v1.5", "v1.7", "v1.8", "v1.9", "v2.0", "v2.2", "v2.3", "v2.4",
    "v2.5",
];
/// `GET …/table/` and `…/table/:table/`: v1, v1.4, v1.8, v1.9 (SDK 1.x), v2.0 since.
pub const TABLES: &[&str] = &["v1", "v1.4", "v1.8", "v1.9", "v2.0"];
/// `GET …/bulk-operation/:id/`.
pub const BULK_OPERATION: &[&str] = &["v1"];
/// `GET …/server/time/` (SDK 3.2 and later).
pub const SERVER_TIME: &[&str] = &["v2.0", "v2.2"];

/// `…/user/find/` and `…/user/available/`.
pub const USER_LOOKUP: &[&str] = &["v2.0"];
/// The mailed-link and mailed-code endpoints.
pub const EMAIL: &[&str] = &["v2.0", "v2.1"];
/// The texted-code endpoints (`sms-verification-code/` since v1.8).
pub const SMS: &[&str] = &["v1.8", "v2.0", "v2.1", "v2.2"];
/// `…/idp/…`: mini-program sign-in moved through v2.0, v2.1, v2.4, v2.5,
/// v2.6 and v2.7 across the builds; v2.3 as documented.
pub const IDP: &[&str] = &["v2.0", "v2.1", "v2.3", "v2.4", "v2.5", "v2.6", "v2.7"];
/// `…/content/…`: v1 (SDK 1.x), v2.0, v2.2 since 3.0.
pub const CONTENT: &[&str] = &["v1", "v2.0", "v2.2"];
/// `POST …/upload/`: v1 in SDK 2.0, v2.1 since 2.1.
pub const UPLOAD: &[&str] = &["v1", "v2.1"];
/// `…/uploaded-file/`: v1.3 in SDK 2.0, v2.1 (detail, delete; lists up to
/// 2.9), v2.2 (lists since 3.0; detail and delete as documented).
pub const UPLOADED_FILE: &[&str] = &["v1.3", "v2.1", "v2.2"];
/// `…/file-category/`: v2.2 (lists) and v1.3 (detail) in SDK 3.x; the other
/// prefixes of the File API as well, as older builds send them.
pub const FILE_CATEGORY: &[&str] = &["v1.3", "v2.1", "v2.2"];
/// The kind-less `…/register/` and `…/login/` of SDK 2.0.0–2.0.2.
pub const SIGN_IN_BY_BODY: &[&str] = &["v2.0"];

/// Whether a list under `version` carries `total_count` without
/// `return_total_count`: SDK builds before 3.0 (versions before v2.2) count
/// by reading it.
pub fn counts_by_default(version: &str) -> bool {
    let number = version.trim_start_matches('v');
    let mut parts = number.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) < (2, 2)
}

#[cfg(test)]
#[path = "versions_test.rs"]
mod tests;
