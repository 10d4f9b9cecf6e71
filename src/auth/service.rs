//! Registration, login and anonymous login, and the profile row a new user
//! starts with; sessions and request authentication are in `sessions`.

use sha2::{Digest, Sha256};

use super::error::AuthError;
use super::limits::{lockout_key, Limits, Window};
use super::password::{HashingSettings, PasswordHasher};
use super::principal::Principal;
use super::session_cache::SessionCache;
use super::token::SessionToken;
use crate::domain::{now_unix, Email, Password, Phone, UserId, Username};
use crate::query::SqlValue;
use crate::store::documents::Column;
use crate::store::users::{self, LoginColumn, PROFILE_TABLE};
use crate::store::{self, object_writes, AnyConnection, Store, StoreError};

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
    pub(crate) fn columns(&self) -> Vec<(String, SqlValue)> {
        let text = |s: &str| SqlValue::Text(s.to_owned());
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
    /// A device bound to its user.
    Device,
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
            LoginMethod::Device => "device",
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

pub use crate::store::ProfileInit;

/// Authentication service; cheap to clone.
#[derive(Clone, Debug)]
pub struct AuthService {
    pub(crate) store: Store,
    pub(crate) hasher: PasswordHasher,
    pub(super) ttl: u64,
    pub(super) admin_token_hash: Option<[u8; 32]>,
    pub(super) sessions: SessionCache,
    pub(super) limits: Limits,
    pub(super) lockout: Window,
}

/// The default lockout: 10 wrong passwords for one identifier within 15 minutes.
pub const DEFAULT_LOCKOUT: Window = Window {
    hits: 10,
    seconds: 900,
};

impl AuthService {
    /// Builds the service. `admin_token` empty disables admin access.
    pub fn new(
        store: Store,
        ttl: u64,
        admin_token: &str,
        hashing: HashingSettings,
    ) -> Result<Self, AuthError> {
        let admin_token_hash =
            (!admin_token.is_empty()).then(|| Sha256::digest(admin_token.as_bytes()).into());
        Ok(Self {
            limits: Limits::new(store.clone()),
            store,
            hasher: PasswordHasher::new(hashing)?,
            ttl,
            admin_token_hash,
            sessions: SessionCache::default(),
            lockout: DEFAULT_LOCKOUT,
        })
    }

    /// Sets the login lockout (`hits` 0 turns it off).
    pub fn with_lockout(mut self, lockout: Window) -> Self {
        self.lockout = lockout;
        self
    }

    /// The shared attempt counters.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The SHA-256 of the bootstrap admin token, when one is set.
    pub(super) fn admin_token_hash(&self) -> Option<&[u8; 32]> {
        self.admin_token_hash.as_ref()
    }

    /// The password hasher (shared with the mailed flows).
    pub fn hasher(&self) -> PasswordHasher {
        self.hasher.clone()
    }

    /// Registers a new user with the profile `init` gives, or upgrades the
    /// anonymous `current` user in place; `phone_verified` marks a phone
    /// identifier as verified (the caller consumed an SMS proof for it).
    #[tracing::instrument(skip(self, password, client, init), fields(method = identifier.method().as_str()))]
    pub async fn register(
        &self,
        identifier: Identifier,
        password: Password,
        current: &Principal,
        client: ClientInfo,
        phone_verified: bool,
        init: ProfileInit,
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
        let draft = self.draft_session(identifier.method(), client);
        let proven_phone = match (&identifier, phone_verified) {
            (Identifier::Phone(phone), true) => Some(phone.as_str().to_owned()),
            _ => None,
        };
        let mut identity = identifier.columns();
        if phone_verified {
            identity.push(("_phone_verified".into(), SqlValue::Bool(true)));
        }
        // One transaction: the user, the profile, the password and the session
        // exist together or not at all.
        self.store
            .transaction(move |conn| {
                let now = now_unix();
                // Only a user still anonymous (checked under the row's lock): of two
                // parallel upgrades one wins, the other registers a new user.
                let anonymous = match upgrade {
                    Some(anon) => users::account(conn, anon.get(), true)?
                        .filter(|a| a.anonymous != 0)
                        .map(|_| anon.get()),
                    None => None,
                };
                // A proven number is taken from an account that only typed it in.
                if let Some(phone) = &proven_phone {
                    users::release_unproven(conn, LoginColumn::Phone, phone, anonymous)?;
                }
                let id = match anonymous {
                    Some(anon) => {
                        let mut set = identity;
                        set.push(("_anonymous".into(), SqlValue::Bool(false)));
                        set.extend(init(conn, Some(anon))?);
                        let guard = Some(("_anonymous", SqlValue::Bool(true)));
                        object_writes::update(
                            conn,
                            PROFILE_TABLE,
                            &SqlValue::Int(anon),
                            guard,
                            &set,
                        )?;
                        anon
                    }
                    None => insert_profile(conn, identity, false, now, init)?,
                };
                store::set_password_hash(conn, id, &hash, now)?;
                store::insert_session(conn, &draft.row(id, now))?;
                Ok(draft.session(id))
            })
            .await
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
        // Counted before the password is checked, known account or not, so
        // parallel guesses cannot all be checked against the limit.
        let locked = lockout_key(identifier.method().as_str(), &value);
        let attempt = self
            .limits
            .attempt(locked, self.lockout, "this account")
            .await?;
        let row = self
            .store
            .run(move |conn| users::find_login(conn, column, &value))
            .await?;
        let (user_id, hash, disabled) = match row {
            Some(r) => (Some(r.id), r.password_hash, r.disabled != 0),
            None => (None, None, false),
        };
        // Unknown accounts spend a hash too: same cost, same answer.
        let ok = match self.hasher.verify(&password, hash).await {
            Ok(ok) => ok,
            Err(busy) => {
                // Never checked: it does not count against the account.
                self.limits.take_back(attempt).await;
                return Err(busy);
            }
        };
        match (ok, user_id) {
            // Only the right password learns that the account is disabled.
            (true, Some(_)) if disabled => {
                self.limits.take_back(attempt).await;
                Err(AuthError::Disabled)
            }
            (true, Some(id)) => {
                self.limits.take_back(attempt).await;
                self.open_session(UserId::from_db(id), identifier.method(), client)
                    .await
            }
            // The failure stays counted.
            _ => Err(AuthError::InvalidCredentials),
        }
    }

    /// Creates a new anonymous user with the profile `init` gives and logs them in.
    #[tracing::instrument(skip(self, client, init))]
    pub async fn anonymous_login(
        &self,
        client: ClientInfo,
        init: ProfileInit,
    ) -> Result<Session, AuthError> {
        let draft = self.draft_session(LoginMethod::Anonymous, client);
        self.store
            .transaction(move |conn| {
                let now = now_unix();
                let id = insert_profile(conn, Vec::new(), true, now, init)?;
                store::insert_session(conn, &draft.row(id, now))?;
                Ok(draft.session(id))
            })
            .await
    }

    /// Forgets the cached sessions of a deleted user on this node (their rows
    /// went with the user; other nodes re-check within a second).
    pub fn forget_user(&self, id: i64) {
        self.sessions.forget_user(id);
    }

    /// The user holding `ident`, proven or not (availability checks: a
    /// taken identifier is taken).
    pub async fn user_with(&self, ident: Identifier) -> Result<Option<i64>, AuthError> {
        let (column, key) = ident.login_key();
        Ok(self
            .store
            .run(move |conn| users::find_login(conn, column, &key))
            .await?
            .map(|row| row.id))
    }

    /// The user who proved `ident` (lookups: a number someone merely typed in
    /// finds nobody, so nobody is "found" as the owner of another's number).
    pub async fn proven_user_with(&self, ident: Identifier) -> Result<Option<i64>, AuthError> {
        let (column, key) = ident.login_key();
        Ok(self
            .store
            .run(move |conn| users::find_login(conn, column, &key))
            .await?
            .filter(|row| row.verified != 0)
            .map(|row| row.id))
    }
}

/// Inserts a profile row with built-ins, identifier columns and the columns
/// `init` gives (declared fields with their defaults); the user is their own
/// creator. Returns the new id.
pub(super) fn insert_profile(
    conn: &mut AnyConnection,
    identifier: Vec<(String, SqlValue)>,
    anonymous: bool,
    now: i64,
    init: ProfileInit,
) -> Result<i64, AuthError> {
    let mut values = vec![
        ("created_at".to_owned(), SqlValue::Int(now)),
        ("updated_at".to_owned(), SqlValue::Int(now)),
        ("_anonymous".to_owned(), SqlValue::Bool(anonymous)),
    ];
    values.extend(identifier);
    values.extend(init(conn, None)?);
    let id_column = [Column {
        name: "id".into(),
        kind: crate::schema::FieldKind::Integer,
    }];
    let row = object_writes::insert(conn, PROFILE_TABLE, &values, &id_column)?;
    let id = row
        .get("id")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no user id".into()))?;
    // The same `now`: a new profile's updated_at is its created_at, even when
    // a second boundary falls between the two statements.
    let created_by = [
        ("created_by".to_owned(), SqlValue::Int(id)),
        ("updated_at".to_owned(), SqlValue::Int(now)),
    ];
    object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), None, &created_by)?;
    Ok(id)
}
