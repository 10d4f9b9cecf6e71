//! Authentication: passwords (argon2id, off the executor), session tokens (random,
//! stored as SHA-256), registration, login, logout and account changes; mailed
//! links and codes (`email`); SMS codes and phone flows (`sms`).
//!
//! Rules: no actix types; no secret in logs or `Debug`; a login for an unknown
//! account spends one hash like a real one; uniqueness of identifiers is left to
//! the database so parallel registrations cannot both succeed.

mod account;
mod admin_access;
mod admin_grant;
mod alipay_gateway;
mod code;
mod device_login;
mod email;
mod email_change;
mod email_codes;
mod email_links;
mod error;
mod hash_pool;
mod limits;
mod mini_program;
mod native_sdk;
mod oauth;
mod oauth_accounts;
mod oauth_exchange;
mod password;
mod principal;
mod provider_answer;
mod service;
mod session_cache;
mod sessions;
mod sms;
mod token;
mod user_admin;
mod verdict;

pub use account::{AccountChange, AccountProof, AccountUpdate, CodeChannel};
pub use admin_access::{AdminSession, NewApiKey, KEY_PREFIX, SESSION_PREFIX};
pub use admin_grant::{AdminGrant, Scope};
pub use email::{EmailService, EmailSettings, LinkProblem, Purpose};
pub use error::{AuthError, Failure};
pub use limits::{Limits, Window};
pub use mini_program::{MiniAccount, MiniPlatform, SignedProfile};
pub use oauth::{browser_cookie, BrowserBinding, CallbackOutcome, OAuthService, ProfileUpdate};
pub use password::{HashingSettings, PasswordHasher};
pub use principal::{AdminIdentity, Principal};
pub use service::{AuthService, ClientInfo, Identifier, LoginMethod, ProfileInit, Session};
pub use sms::{PhoneProof, PhoneToken, SmsService, SmsSettings};
pub use token::SessionToken;
