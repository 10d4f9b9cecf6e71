//! Registration, login, anonymous login, logout and request authentication.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::AuthError;
use super::password::{HashingSettings, PasswordHasher};
use super::principal::Principal;
use super::token::SessionToken;
use crate::domain::{now_unix, Email, Password, Phone, UserId, Username};
use crate::query::SqlValue;
use crate::schema::ObjectType;
use crate::store::rows::{self, Assign};
use crate::store::users::{self, LoginColumn, PROFILE_TABLE};
use crate::store::{self, NewSession, Store};

/// A login identifier.
#[derive(Debug, Clone)]
pub enum Identifier {
    /// By email.
    Email(Email),
    /// By username.
    Username(Username),
    /// By phone number.
    Phone(Phone),
}

impl Identifier {
    /// Columns and values that store this identifier on a profile.
    pub(crate) fn columns(&self) -> Vec<(String, Assign)> {
        let text = |s: &str| Assign::Value(SqlValue::Text(s.to_owned()));
        match self {
            Identifier::Email(e) => vec![("_email".into(), text(e.as_str()))],
            Identifier::Phone(p) => vec![("_phone".into(), text(p.as_str()))],
            Identifier::Username(u) => vec![
                ("_username".into(), text(u.as_str())),
                ("_username_key".into(), text(&u.as_str().to_lowercase())),
            ],
        }
    }

    fn login_key(&self) -> (LoginColumn, String) {
        match self {
            Identifier::Email(e) => (LoginColumn::Email, e.as_str().to_owned()),
            Identifier::Username(u) => (LoginColumn::Username, u.as_str().to_lowercase()),
            Identifier::Phone(p) => (LoginColumn::Phone, p.as_str().to_owned()),
        }
    }

    fn method(&self) -> LoginMethod {
        match self {
            Identifier::Email(_) => LoginMethod::Email,
            Identifier::Username(_) => LoginMethod::Username,
            Identifier::Phone(_) => LoginMethod::Phone,
        }
    }
}

/// How a session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMethod {
    /// Email + password.
    Email,
    /// Phone + SMS code.
    Sms,
    /// Username + password.
    Username,
    /// Phone + password.
    Phone,
    /// Device login without credentials.
    Anonymous,
    /// A third-party account.
    OAuth,
}

impl LoginMethod {
    /// Stored and reported name.
    pub fn as_str(self) -> &'static str {
        match self {
            LoginMethod::Email => "email",
            LoginMethod::Sms => "sms",
            LoginMethod::Username => "username",
            LoginMethod::Phone => "phone",
            LoginMethod::Anonymous => "anonymous",
            LoginMethod::OAuth => "oauth",
        }
    }
}

/// Request metadata kept with a session.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// Peer address.
    pub ip: Option<String>,
    /// `User-Agent`, truncated.
    pub user_agent: Option<String>,
}

/// A new session, as returned to the client.
#[derive(Debug, Clone)]
pub struct Session {
    /// The bearer token (only ever shown here).
    pub token: SessionToken,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// The user.
    pub user_id: UserId,
    /// How it was opened.
    pub method: LoginMethod,
}

/// Authentication service; cheap to clone.
#[derive(Clone, Debug)]
pub struct AuthService {
    pub(crate) store: Store,
    pub(crate) hasher: PasswordHasher,
    ttl: u64,
    pub(super) profile_defaults: Arc<Vec<(String, SqlValue)>>,
    admin_token_hash: Option<[u8; 32]>,
}

impl AuthService {
    /// Builds the service. `admin_token` empty disables admin access.
    pub fn new(
        store: Store,
        profile: &ObjectType,
        ttl: u64,
        admin_token: &str,
        hashing: HashingSettings,
    ) -> Result<Self, AuthError> {
        let profile_defaults = profile
            .fields
            .iter()
            .filter_map(|f| {
                f.default
                    .as_ref()
                    .map(|d| (f.name.as_str().to_owned(), rows::to_sql_value(f.kind, d)))
            })
            .collect();
        let admin_token_hash =
            (!admin_token.is_empty()).then(|| Sha256::digest(admin_token.as_bytes()).into());
        Ok(Self {
            store,
            hasher: PasswordHasher::new(hashing)?,
            ttl,
            profile_defaults: Arc::new(profile_defaults),
            admin_token_hash,
        })
    }

    /// The password hasher (shared with the mailed flows).
    pub fn hasher(&self) -> PasswordHasher {
        self.hasher.clone()
    }

    /// Registers a new user, or upgrades the anonymous `current` user in place.
    #[tracing::instrument(skip(self, password, client), fields(method = identifier.method().as_str()))]
    pub async fn register(
        &self,
        identifier: Identifier,
        password: Password,
        current: &Principal,
        client: ClientInfo,
    ) -> Result<Session, AuthError> {
        self.register_with(identifier, password, current, client, false)
            .await
    }

    /// [`Self::register`]; `phone_verified` marks a phone identifier as verified
    /// (the caller consumed an SMS proof for it).
    pub(crate) async fn register_with(
        &self,
        identifier: Identifier,
        password: Password,
        current: &Principal,
        client: ClientInfo,
        phone_verified: bool,
    ) -> Result<Session, AuthError> {
        let hash = self.hasher.hash(&password).await?;
        let upgrade = match current {
            Principal::User {
                id,
                anonymous: true,
                ..
            } => Some(*id),
            _ => None,
        };
        let defaults = self.profile_defaults.clone();
        let draft = self.draft_session(identifier.method(), client);
        let mut identity = identifier.columns();
        if phone_verified {
            identity.push((
                "_phone_verified".into(),
                Assign::Value(SqlValue::Bool(true)),
            ));
        }
        // One transaction: the user, the password and the session exist together or not at all.
        self.store
            .transaction(move |conn| {
                let now = now_unix();
                let mut id = None;
                if let Some(anon) = upgrade {
                    let mut set = identity.clone();
                    set.push(("_anonymous".into(), Assign::Value(SqlValue::Bool(false))));
                    set.push(("updated_at".into(), Assign::Value(SqlValue::Int(now))));
                    // Only while still anonymous: of two parallel upgrades one wins,
                    // the other registers a new user.
                    let guard = Some(("_anonymous", SqlValue::Bool(true)));
                    if rows::update_where(conn, PROFILE_TABLE, anon.get(), guard, &set)? {
                        id = Some(anon.get());
                    }
                }
                let id = match id {
                    Some(id) => id,
                    None => insert_profile(conn, &defaults, identity, false, now)?,
                };
                store::set_password_hash(conn, id, &hash, now)?;
                store::insert_session(conn, &draft.row(id, now))?;
                Ok(draft.session(id))
            })
            .await
            .map_err(AuthError::from)
    }

    /// Logs in with an identifier and password.
    #[tracing::instrument(skip(self, password, client), fields(method = identifier.method().as_str()))]
    pub async fn login(
        &self,
        identifier: Identifier,
        password: Password,
        client: ClientInfo,
    ) -> Result<Session, AuthError> {
        let (column, value) = identifier.login_key();
        let row = self
            .store
            .run(move |conn| users::find_login(conn, column, &value))
            .await?;
        let (user_id, hash) = match row {
            Some(r) => (Some(r.id), r.password_hash),
            None => (None, None),
        };
        // Unknown accounts verify against the dummy hash: same cost, same answer.
        let ok = self.hasher.verify(&password, hash).await?;
        match (ok, user_id) {
            (true, Some(id)) => {
                self.open_session(UserId::from_db(id), identifier.method(), client)
                    .await
            }
            _ => Err(AuthError::InvalidCredentials),
        }
    }

    /// Creates a new anonymous user and logs them in.
    #[tracing::instrument(skip(self, client))]
    pub async fn anonymous_login(&self, client: ClientInfo) -> Result<Session, AuthError> {
        let defaults = self.profile_defaults.clone();
        let draft = self.draft_session(LoginMethod::Anonymous, client);
        self.store
            .transaction(move |conn| {
                let now = now_unix();
                let id = insert_profile(conn, &defaults, Vec::new(), true, now)?;
                store::insert_session(conn, &draft.row(id, now))?;
                Ok(draft.session(id))
            })
            .await
            .map_err(AuthError::from)
    }

    /// Ends the session of `token`; unknown tokens are ignored.
    pub async fn logout(&self, token: &SessionToken) -> Result<(), AuthError> {
        let hash = token.hash();
        self.store
            .run(move |conn| store::delete_session(conn, &hash))
            .await?;
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
                Some(expected) if bool::from(expected.ct_eq(&given)) => Ok(Principal::Admin),
                _ => Err(AuthError::Unauthorized),
            };
        }
        let raw = header
            .strip_prefix("Hydrogen-r1 ")
            .ok_or(AuthError::Unauthorized)?
            .trim();
        let hash = SessionToken::from_client(raw).hash();
        let key = hash.clone();
        let found = self
            .store
            .run(move |conn| users::session_user(conn, &key))
            .await?;
        match found {
            Some(s) if s.expires_at > now_unix() => Ok(Principal::User {
                id: UserId::from_db(s.user_id),
                anonymous: s.anonymous != 0,
                session_hash: hash,
            }),
            _ => Err(AuthError::Unauthorized),
        }
    }

    async fn open_session(
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
                Ok(draft.session(id))
            })
            .await
            .map_err(AuthError::from)
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

/// Inserts a profile row with built-ins, identifier columns and field defaults;
/// the user is their own creator.
pub(super) fn insert_profile(
    conn: &mut store::AnyConnection,
    defaults: &[(String, SqlValue)],
    identifier: Vec<(String, Assign)>,
    anonymous: bool,
    now: i64,
) -> Result<i64, store::StoreError> {
    let mut values = vec![
        ("created_at".to_owned(), SqlValue::Int(now)),
        ("updated_at".to_owned(), SqlValue::Int(now)),
        ("_anonymous".to_owned(), SqlValue::Bool(anonymous)),
    ];
    values.extend(identifier.into_iter().filter_map(|(c, a)| match a {
        Assign::Value(v) => Some((c, v)),
        Assign::IncrBy(_) => None,
    }));
    values.extend(defaults.iter().cloned());
    let id = rows::insert(conn, PROFILE_TABLE, &values)?;
    rows::update(
        conn,
        PROFILE_TABLE,
        id,
        &[("created_by".into(), Assign::Value(SqlValue::Int(id)))],
    )?;
    Ok(id)
}
