//! Who may use the admin API: admin accounts (argon2id passwords, short-lived
//! sessions), API keys for machines (shown once, stored as SHA-256, scoped,
//! optionally expiring, revocable, recognisable by their `ptk_` prefix), and the
//! bootstrap token of the settings. Each resolves to an [`AdminGrant`]: which
//! credential acted, which scopes it holds and until when.
//!
//! Rules: a credential grants no more than it holds — a new key's scopes are
//! a subset of its creator's, and a key made by an expiring key expires no
//! later (an admin session and the bootstrap token hold every scope, without
//! end). Admin sign-in counts every attempt per address before checking it
//! ([`ADMIN_LOCKOUT`], in the database every node shares), and every failed
//! sign-in — unknown address, wrong password or locked — is audited, while
//! the answer never says which.

use std::collections::BTreeSet;

use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::admin_grant::{AdminGrant, Scope};
use super::error::AuthError;
use super::limits::Window;
use super::principal::AdminIdentity;
use super::service::AuthService;
use super::token::SessionToken;
use crate::domain::{now_unix, Email, InvalidInput, Password};
use crate::store::admins::{self, KeyRow, NewKey};
use crate::store::audit::{self, Actor};
use crate::store::rate_counters;

/// Prefix of API keys, so a leaked key is recognisable (and greppable).
pub const KEY_PREFIX: &str = "ptk_";
/// Prefix of admin session tokens.
pub const SESSION_PREFIX: &str = "pts_";
/// How long an admin session lasts: 12 hours.
pub const ADMIN_SESSION_SECS: i64 = 12 * 3600;
/// The admin sign-in lockout: past 10 attempts on one address within a
/// 15-minute window (successful sign-ins clear the count), that address's
/// sign-in is refused — even with the right password — until the window ends.
pub const ADMIN_LOCKOUT: Window = Window {
    hits: 10,
    seconds: 900,
};
/// The audit actor of a failed admin sign-in: nobody is authenticated yet.
pub const SIGN_IN_FAILED_ACTOR: &str = "guest";
/// The audit action of a failed admin sign-in.
pub const SIGN_IN_FAILED_ACTION: &str = "admin.sign_in_failed";

/// The counter of sign-in attempts on one admin address (`rate_counters`),
/// kept whether or not an account has the address.
fn admin_lockout_key(email: &str) -> String {
    format!("admin-sign-in:{email}")
}

/// A new admin session.
#[derive(Debug, Clone)]
pub struct AdminSession {
    /// The bearer token (shown once).
    pub token: SessionToken,
    /// Seconds it lasts.
    pub expires_in: i64,
    /// The admin's address.
    pub email: String,
}

/// A new API key: its row, and its secret (shown once).
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// The stored key.
    pub key: KeyRow,
    /// The key itself.
    pub secret: SessionToken,
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl AuthService {
    /// Creates an admin account (command line: `protium admin create`).
    pub async fn create_admin(&self, email: Email, password: Password) -> Result<i64, AuthError> {
        let hash = self.hasher.hash(&password).await?;
        self.store
            .run(move |conn| admins::insert_admin(conn, email.as_str(), &hash, now_unix()))
            .await
            .map_err(|e| match AuthError::from(e) {
                AuthError::Taken { .. } => AuthError::Taken {
                    field: "email".into(),
                },
                other => other,
            })
    }

    /// Signs an admin in. An unknown address costs a hash like a known one.
    ///
    /// Every attempt is counted on the address first, in one atomic upsert
    /// every node shares, and refused past [`ADMIN_LOCKOUT`] before the
    /// password is checked, so parallel attempts cannot all slip through; a
    /// success clears the count. Every failure is audited
    /// ([`SIGN_IN_FAILED_ACTION`], with the address tried, the reason, and
    /// `origin`'s client address and request id); the answer is the same for
    /// an unknown address and a wrong password. `origin`'s name is not used.
    pub async fn admin_login(
        &self,
        email: Email,
        password: Password,
        origin: Actor,
    ) -> Result<AdminSession, AuthError> {
        let address = email.as_str().to_owned();
        let lock = admin_lockout_key(&address);
        if let Err(err) = self
            .limits()
            .count(lock.clone(), ADMIN_LOCKOUT, "this account")
            .await
        {
            if matches!(err, AuthError::TooManyAttempts { .. }) {
                self.audit_failed_sign_in(&origin, &address, None, "locked")
                    .await?;
            }
            return Err(err);
        }
        let lookup = address.clone();
        let found = self
            .store
            .run(move |conn| admins::find_admin(conn, &lookup))
            .await?;
        let hash = found.as_ref().map(|a| a.password_hash.clone());
        let ok = self.hasher.verify(&password, hash).await?;
        let admin = match found {
            Some(admin) if ok => admin,
            other => {
                let (id, reason) = match other {
                    Some(a) => (Some(a.id), "wrong_password"),
                    None => (None, "unknown_account"),
                };
                self.audit_failed_sign_in(&origin, &address, id, reason)
                    .await?;
                return Err(AuthError::InvalidCredentials);
            }
        };
        let token = SessionToken::prefixed(SESSION_PREFIX);
        let (hash, now) = (token.hash(), now_unix());
        let id = admin.id;
        let actor = Actor {
            name: format!("admin:{}", admin.email),
            ..origin
        };
        self.store
            .transaction(move |conn| {
                // A success ends the run of failures on this address.
                rate_counters::clear(conn, &lock)?;
                admins::insert_session(conn, &hash, id, now, now + ADMIN_SESSION_SECS)?;
                audit::insert(
                    conn,
                    &actor.entry("admin.sign_in", "admin", Some(id.to_string()), &json!({})),
                )
            })
            .await?;
        Ok(AdminSession {
            token,
            expires_in: ADMIN_SESSION_SECS,
            email: admin.email,
        })
    }

    /// Audits one failed admin sign-in on `email`: `admin_id` when the
    /// address is an account's and its password was checked, `reason`
    /// `unknown_account`, `wrong_password` or `locked`.
    async fn audit_failed_sign_in(
        &self,
        origin: &Actor,
        email: &str,
        admin_id: Option<i64>,
        reason: &'static str,
    ) -> Result<(), AuthError> {
        let actor = Actor {
            name: SIGN_IN_FAILED_ACTOR.to_owned(),
            ..origin.clone()
        };
        let entry = actor.entry(
            SIGN_IN_FAILED_ACTION,
            "admin",
            admin_id.map(|id| id.to_string()),
            &json!({"email": email, "reason": reason}),
        );
        self.store
            .run(move |conn| audit::insert(conn, &entry))
            .await?;
        Ok(())
    }

    /// Ends an admin session.
    pub async fn admin_logout(&self, token: &str) -> Result<(), AuthError> {
        let hash = digest(token);
        Ok(self
            .store
            .run(move |conn| admins::delete_session(conn, &hash))
            .await?)
    }

    /// Resolves the `Authorization: Bearer …` of an admin API request: an API
    /// key, an admin session, or the bootstrap token. Unknown, expired and
    /// revoked credentials are a 401.
    pub async fn authenticate_admin(&self, header: Option<&str>) -> Result<AdminGrant, AuthError> {
        let secret = header
            .and_then(|h| h.trim().strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(AuthError::Unauthorized)?;
        let hash = digest(secret);
        let now = now_unix();
        if secret.starts_with(KEY_PREFIX) {
            let key = self
                .store
                .run(move |conn| {
                    let key = admins::find_key(conn, &hash)?;
                    if let Some(k) = &key {
                        admins::touch_key(conn, k.id, now)?;
                    }
                    Ok::<_, AuthError>(key)
                })
                .await?
                .filter(|k| k.revoked_at.is_none() && k.expires_at.is_none_or(|e| e > now))
                .ok_or(AuthError::Unauthorized)?;
            let raw: Vec<String> = serde_json::from_str(&key.scopes).unwrap_or_default();
            return Ok(AdminGrant {
                identity: AdminIdentity::Key {
                    id: key.id,
                    name: key.name,
                },
                scopes: Scope::parse_list("scopes", &raw).unwrap_or_default(),
                expires_at: key.expires_at,
            });
        }
        if secret.starts_with(SESSION_PREFIX) {
            let (id, email) = self
                .store
                .run(move |conn| admins::session_admin(conn, &hash, now))
                .await?
                .ok_or(AuthError::Unauthorized)?;
            return Ok(AdminGrant {
                identity: AdminIdentity::Account { id, email },
                scopes: Scope::ALL.into_iter().collect(),
                expires_at: None,
            });
        }
        match self.admin_token_hash() {
            Some(expected)
                if bool::from(
                    expected.ct_eq(&<[u8; 32]>::from(Sha256::digest(secret.as_bytes()))),
                ) =>
            {
                Ok(AdminGrant {
                    identity: AdminIdentity::SharedToken,
                    scopes: Scope::ALL.into_iter().collect(),
                    expires_at: None,
                })
            }
            _ => Err(AuthError::Unauthorized),
        }
    }

    /// Creates an API key for the credential `grant` (audited): 403 unless
    /// it holds `keys:write` and every scope it grants, and a key made by an
    /// expiring key expires no later (without `expires_at`, when its creator
    /// does). The secret is in the answer only.
    pub async fn create_key_as(
        &self,
        grant: &AdminGrant,
        name: &str,
        scopes: &BTreeSet<Scope>,
        expires_at: Option<i64>,
        actor: Actor,
    ) -> Result<NewApiKey, AuthError> {
        grant.require(Scope::KeysWrite)?;
        grant.may_grant(scopes)?;
        let expires_at = grant.expiry_for_new_key(expires_at)?;
        self.create_key(name, scopes, expires_at, actor).await
    }

    /// Creates an API key (audited) with no check of who asks: the command
    /// line's `protium admin create-key`, run by whoever holds the database.
    /// The admin API goes through [`Self::create_key_as`]. The secret is in
    /// the answer only.
    pub async fn create_key(
        &self,
        name: &str,
        scopes: &BTreeSet<Scope>,
        expires_at: Option<i64>,
        actor: Actor,
    ) -> Result<NewApiKey, AuthError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(InvalidInput::new("name", "must be 1 to 100 characters").into());
        }
        if expires_at.is_some_and(|e| e <= now_unix()) {
            return Err(InvalidInput::new("expires_at", "must be in the future").into());
        }
        let secret = SessionToken::prefixed(KEY_PREFIX);
        let prefix: String = secret.expose().chars().take(KEY_PREFIX.len() + 8).collect();
        let hash = secret.hash();
        let scope_names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        let scopes_json = json!(scope_names).to_string();
        let name = name.to_owned();
        let key = self
            .store
            .transaction(move |conn| {
                let now = now_unix();
                let id = admins::insert_key(
                    conn,
                    &NewKey {
                        name: &name,
                        prefix: &prefix,
                        key_hash: &hash,
                        scopes: &scopes_json,
                        created_at: now,
                        created_by: &actor.name,
                        expires_at,
                    },
                )?;
                let details = json!({"name": name, "prefix": prefix, "scopes": scope_names, "expires_at": expires_at});
                audit::insert(conn, &actor.entry("key.create", "api_key", Some(id.to_string()), &details))?;
                admins::get_key(conn, id)?
                    .ok_or_else(|| crate::store::StoreError::Corrupt("key vanished".into()))
            })
            .await?;
        Ok(NewApiKey { key, secret })
    }

    /// Every API key, newest first (never their secrets).
    pub async fn list_keys(&self) -> Result<Vec<KeyRow>, AuthError> {
        Ok(self.store.run(admins::list_keys).await?)
    }

    /// Revokes key `id` (audited); 404 for an unknown or already revoked key.
    pub async fn revoke_key(&self, id: i64, actor: Actor) -> Result<(), AuthError> {
        self.store
            .transaction(move |conn| {
                if !admins::revoke_key(conn, id, now_unix())? {
                    return Err(AuthError::Missing(format!("no live API key {id}")));
                }
                audit::insert(
                    conn,
                    &actor.entry("key.revoke", "api_key", Some(id.to_string()), &json!({})),
                )?;
                Ok(())
            })
            .await
    }
}
