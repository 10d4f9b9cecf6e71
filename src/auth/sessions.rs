//! Sessions: one opened for a sign-in (drafted before the user id is known,
//! so it is written in the sign-in's own transaction), a request's
//! `Authorization` header resolved into a [`Principal`] (session tokens,
//! admin sessions and API keys, the bootstrap token), logout, and the cached
//! sessions forgotten when they end.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::AuthError;
use super::principal::{AdminIdentity, Principal};
use super::service::{AuthService, ClientInfo, LoginMethod, Session};
use super::session_cache::{CachedSession, SessionCache};
use super::token::SessionToken;
use crate::domain::{now_unix, UserId};
use crate::store::users;
use crate::store::{self, NewSession};

impl AuthService {
    /// Ends the session of `token`; unknown tokens are ignored.
    pub async fn logout(&self, token: &SessionToken) -> Result<(), AuthError> {
        let hash = token.hash();
        self.sessions.forget(&hash);
        let key = hash.clone();
        self.store
            .run(move |conn| store::delete_session(conn, &key))
            .await?;
        // A request resolving the token meanwhile may have cached it again.
        self.sessions.forget(&hash);
        Ok(())
    }

    /// Resolves an `Authorization` header value. `None` is a guest; a bad or
    /// expired token is [`AuthError::Unauthorized`].
    pub async fn authenticate(&self, header: Option<&str>) -> Result<Principal, AuthError> {
        let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(Principal::Guest);
        };
        if let Some(secret) = header.strip_prefix("Bearer ") {
            let given: [u8; 32] = Sha256::digest(secret.trim().as_bytes()).into();
            return match &self.admin_token_hash {
                Some(expected) if bool::from(expected.ct_eq(&given)) => {
                    Ok(Principal::Admin(AdminIdentity::SharedToken))
                }
                _ => Err(AuthError::Unauthorized),
            };
        }
        let raw = header
            .strip_prefix("Hydrogen-r1 ")
            .ok_or(AuthError::Unauthorized)?
            .trim();
        let hash = SessionToken::from_client(raw).hash();
        let session = match self.sessions.get(&hash) {
            Some(cached) => cached,
            None => {
                let key = hash.clone();
                let found = self
                    .store
                    .run(move |conn| users::session_user(conn, &key))
                    .await?;
                match found {
                    Some(s) if s.disabled != 0 => return Err(AuthError::Disabled),
                    Some(s) => {
                        let session = CachedSession {
                            user_id: s.user_id,
                            anonymous: s.anonymous != 0,
                            expires_at: s.expires_at,
                        };
                        self.sessions.put(hash.clone(), session);
                        session
                    }
                    None => return Err(AuthError::Unauthorized),
                }
            }
        };
        if session.expires_at <= now_unix() {
            return Err(AuthError::Unauthorized);
        }
        Ok(Principal::User {
            id: UserId::from_db(session.user_id),
            anonymous: session.anonymous,
            session_hash: hash,
        })
    }

    /// The cache of resolved sessions (shared with the mailed flows).
    pub(crate) fn session_cache(&self) -> SessionCache {
        self.sessions.clone()
    }

    pub(super) async fn open_session(
        &self,
        user_id: UserId,
        method: LoginMethod,
        client: ClientInfo,
    ) -> Result<Session, AuthError> {
        let draft = self.draft_session(method, client);
        let id = user_id.get();
        self.store
            .run(move |conn| {
                store::insert_session(conn, &draft.row(id, now_unix()))?;
                Ok::<_, AuthError>(draft.session(id))
            })
            .await
    }

    pub(super) fn draft_session(&self, method: LoginMethod, client: ClientInfo) -> SessionDraft {
        SessionDraft {
            token: SessionToken::generate(),
            method,
            client,
            ttl: self.ttl,
        }
    }
}

/// A session about to be stored, before its user id is known.
pub(super) struct SessionDraft {
    token: SessionToken,
    method: LoginMethod,
    client: ClientInfo,
    ttl: u64,
}

impl SessionDraft {
    pub(super) fn row(&self, user_id: i64, now: i64) -> NewSession {
        NewSession {
            token_hash: self.token.hash(),
            user_id,
            login_method: self.method.as_str().to_owned(),
            created_at: now,
            expires_at: now + self.ttl as i64,
            ip_address: self.client.ip.clone(),
            user_agent: self
                .client
                .user_agent
                .as_ref()
                .map(|ua| ua.chars().take(512).collect()),
        }
    }

    pub(super) fn session(self, user_id: i64) -> Session {
        Session {
            token: self.token,
            expires_in: self.ttl,
            user_id: UserId::from_db(user_id),
            method: self.method,
        }
    }
}
