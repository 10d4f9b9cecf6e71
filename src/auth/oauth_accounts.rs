//! Third-party accounts once the provider has answered: the one-time
//! `auth_token` for a provider account (from the browser flow in `oauth`, or
//! from a token or code an app got from the provider's own SDK, `native_sdk`), traded for a session
//! or linked to the signed-in user, and the provider's profile copied into the
//! user's.

use serde_json::{Map, Value};

use super::error::AuthError;
use super::oauth::{OAuthService, ProfileUpdate, AUTH_TOKEN_TTL};
use super::principal::{registered_user, Principal};
use super::service::{insert_profile, ClientInfo, LoginMethod, ProfileInit, Session};
use super::token::SessionToken;
use super::verdict::Verdict;
use crate::config::OAuthProviderSettings;
use crate::domain::{now_unix, InvalidInput, UserId};
use crate::query::SqlValue;
use crate::schema::FieldKind;
use crate::store::documents::{to_sql_value, Column};
use crate::store::oauth::{self as store_oauth, AuthTokenRow};
use crate::store::users::{self, PROFILE_TABLE};
use crate::store::{self, object_writes, objects, AnyConnection, StoreError};

impl OAuthService {
    /// The one-time `auth_token` for the provider account `claims` describe
    /// (`user_id`: who started a linking flow); `None` when the claims name
    /// no account.
    pub(super) async fn issue_auth_token(
        &self,
        provider: &OAuthProviderSettings,
        claims: &Map<String, Value>,
        user_id: Option<i64>,
    ) -> Result<Option<SessionToken>, AuthError> {
        let subject = match claims.get(subject_claim(provider)) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Ok(None),
        };
        let mut profile = Map::new();
        profile.insert("id".into(), Value::String(subject.clone()));
        // A mini-program platform's ids stay in `_provider.<name>`, as the
        // SDK and Hydrogen apps read them there.
        if super::mini_program::MiniPlatform::of_kind(provider.kind).is_some() {
            for key in ["openid", "unionid", "user_id", "open_id"] {
                if let Some(value) = claims.get(key).filter(|v| !v.is_null()) {
                    profile.insert(key.into(), value.clone());
                }
            }
        }
        for (field, claim) in &provider.mapping {
            if let Some(value) = claims.get(claim).filter(|v| !v.is_null()) {
                profile.insert(field.clone(), value.clone());
            }
        }
        let token = SessionToken::generate();
        let now = now_unix();
        let row = AuthTokenRow {
            token_hash: token.hash(),
            provider: provider.name.clone(),
            subject,
            profile: Value::Object(profile).to_string(),
            user_id,
            created_at: now,
            expires_at: now + AUTH_TOKEN_TTL,
        };
        self.auth
            .store
            .run(move |conn| store_oauth::insert_auth_token(conn, &row))
            .await?;
        Ok(Some(token))
    }

    /// Trades an `auth_token` for a session; creates the user with the profile
    /// `init` gives when `create_user` (else [`AuthError::NotFound`] for an
    /// unknown account).
    pub async fn authenticate(
        &self,
        name: &str,
        auth_token: &str,
        create_user: bool,
        update: ProfileUpdate,
        client: ClientInfo,
        init: ProfileInit,
    ) -> Result<Session, AuthError> {
        self.provider(name)?;
        let this = self.clone();
        let provider = name.to_owned();
        let hash = SessionToken::from_client(auth_token).hash();
        let draft = self.auth.draft_session(LoginMethod::OAuth, client);
        self.auth
            .store
            .transaction(move |conn| {
                let now = now_unix();
                let Some(token) = store_oauth::take_auth_token(conn, &hash, &provider, now)? else {
                    return Ok(Verdict::Refuse(bad_auth_token()));
                };
                let id = match store_oauth::find_identity(conn, &provider, &token.subject)? {
                    Some(id)
                        if users::account(conn, id, false)?.is_some_and(|a| a.disabled != 0) =>
                    {
                        return Err(AuthError::Disabled)
                    }
                    Some(id) => id,
                    None if create_user => {
                        let id = insert_profile(conn, Vec::new(), false, now, init)?;
                        store_oauth::link_identity(conn, &provider, &token.subject, id, now)?;
                        id
                    }
                    None => return Ok(Verdict::Refuse(AuthError::NotFound)),
                };
                this.apply_profile(conn, id, &provider, &token.profile, update)?;
                store::insert_session(conn, &draft.row(id, now))?;
                Ok::<_, AuthError>(Verdict::Proceed(draft.session(id)))
            })
            .await?
            .into_result()
    }

    /// Links the account behind `auth_token` to the caller; a refusal names
    /// `field`, what the app sent for it (`auth_token`, or a mini-program's
    /// `code`).
    pub async fn associate(
        &self,
        caller: &Principal,
        name: &str,
        auth_token: &str,
        field: &'static str,
        update: ProfileUpdate,
    ) -> Result<UserId, AuthError> {
        self.provider(name)?;
        let me = registered_user(caller, "linking accounts")?;
        let this = self.clone();
        let provider = name.to_owned();
        let hash = SessionToken::from_client(auth_token).hash();
        let verdict = self
            .auth
            .store
            .transaction(move |conn| -> Result<Verdict<_>, StoreError> {
                let now = now_unix();
                let Some(token) = store_oauth::take_auth_token(conn, &hash, &provider, now)? else {
                    return Ok(Verdict::Refuse(bad_auth_token()));
                };
                if token.user_id != Some(me) {
                    // A token from a flow someone else started (a link sent to the
                    // victim) must not attach a stranger's account to this user.
                    return Ok(Verdict::refuse(InvalidInput::new(
                        field,
                        "was not issued to this user: start the link with redirect/ while signed in",
                    )));
                }
                // The lock makes the checks below and the insert one step.
                users::account(conn, me, true)?;
                match store_oauth::find_identity(conn, &provider, &token.subject)? {
                    Some(owner) if owner != me => {
                        return Ok(Verdict::refuse(InvalidInput::new(
                            field,
                            format!("this {provider} account is already linked to another user"),
                        )))
                    }
                    Some(_) => {}
                    None if store_oauth::identity_of(conn, me, &provider)?.is_some() => {
                        return Ok(Verdict::refuse(InvalidInput::new(
                            "provider",
                            format!("another {provider} account is already linked; unlink it first"),
                        )))
                    }
                    None => store_oauth::link_identity(conn, &provider, &token.subject, me, now)?,
                }
                this.apply_profile(conn, me, &provider, &token.profile, update)?;
                Ok(Verdict::Proceed(()))
            })
            .await?;
        verdict.into_result().map(|()| UserId::from_db(me))
    }

    /// Unlinks the caller's account at `name`, unless it is their only way to sign in.
    pub async fn dissociate(&self, caller: &Principal, name: &str) -> Result<UserId, AuthError> {
        self.provider(name)?;
        let me = registered_user(caller, "linking accounts")?;
        let provider = name.to_owned();
        let verdict = self
            .auth
            .store
            .transaction(move |conn| -> Result<Verdict<_>, StoreError> {
                let Some(account) = users::account(conn, me, true)? else {
                    return Ok(Verdict::Refuse(AuthError::Unauthorized));
                };
                if store_oauth::identity_of(conn, me, &provider)?.is_none() {
                    return Ok(Verdict::refuse(InvalidInput::new("provider", format!("no {provider} account is linked"))));
                }
                let has_password = store::get_password_hash(conn, me)?.is_some();
                let has_identifier = account.username.is_some() || account.email.is_some();
                let others = store_oauth::identity_count(conn, me)? - 1;
                // Ways to sign in that remain: a password with a login name, another
                // provider, or a proven phone (SMS login).
                let sms_login = account.phone.is_some() && account.phone_verified != 0;
                if !(has_password && has_identifier) && others < 1 && !sms_login {
                    return Ok(Verdict::refuse(InvalidInput::new(
                        "provider",
                        format!("{provider} is your only way to sign in; set a password or link another account first"),
                    )));
                }
                if !store_oauth::unlink_identity(conn, &provider, me)? {
                    return Ok(Verdict::refuse(InvalidInput::new("provider", format!("no {provider} account is linked"))));
                }
                let columns = [Column { name: "_provider".into(), kind: FieldKind::Object }];
                let row = objects::get(conn, PROFILE_TABLE, &columns, &SqlValue::Int(me), false)?.unwrap_or_default();
                let mut blocks = row.get("_provider").and_then(Value::as_object).cloned().unwrap_or_default();
                blocks.remove(&provider);
                let set = [("_provider".to_owned(), SqlValue::Json(Value::Object(blocks)))];
                object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(me), None, &set)?;
                Ok(Verdict::Proceed(()))
            })
            .await?;
        verdict.into_result().map(|()| UserId::from_db(me))
    }

    // ---- helpers ----

    /// Records the provider block in `_provider` and copies mapped fields that
    /// the profile declares (and that fit it) per `update`.
    fn apply_profile(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        provider: &str,
        profile: &str,
        update: ProfileUpdate,
    ) -> Result<(), StoreError> {
        // Hold the row: `_provider` is read, changed and written back.
        users::account(conn, id, true)?;
        let data: Map<String, Value> = serde_json::from_str(profile).unwrap_or_default();
        let snapshot = self.live.load();
        let fields: Vec<_> = data
            .keys()
            .filter_map(|k| snapshot.profile().field(k))
            .collect();
        let mut columns = vec![Column {
            name: "_provider".into(),
            kind: FieldKind::Object,
        }];
        columns.extend(fields.iter().map(|f| Column {
            name: f.name.as_str().to_owned(),
            kind: f.kind,
        }));
        let current = objects::get(conn, PROFILE_TABLE, &columns, &SqlValue::Int(id), false)?
            .unwrap_or_default();
        let mut blocks = current
            .get("_provider")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        blocks.insert(provider.to_owned(), Value::Object(data.clone()));
        let mut set = vec![(
            "_provider".to_owned(),
            SqlValue::Json(Value::Object(blocks)),
        )];
        for field in fields {
            let name = field.name.as_str();
            let Some(value) = data.get(name) else {
                continue;
            };
            let empty = current.get(name).is_none_or(Value::is_null);
            let wanted = match update {
                ProfileUpdate::Overwrite => true,
                ProfileUpdate::SetIfEmpty => empty,
                ProfileUpdate::Keep => false,
            };
            if wanted
                && field.write != crate::schema::WriteRule::Nobody
                && field.validate(value).is_ok()
            {
                set.push((name.to_owned(), to_sql_value(field.kind, value)));
            }
        }
        object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), None, &set)?;
        Ok(())
    }
}

fn bad_auth_token() -> AuthError {
    InvalidInput::new("auth_token", "is unknown, expired or already used").into()
}

/// The claim holding the provider's account id: `subject_claim`, else `sub`
/// for OpenID Connect, `openid` for mini-program platforms and `id` for plain
/// OAuth2.
pub(super) fn subject_claim(provider: &OAuthProviderSettings) -> &str {
    match provider.subject_claim.as_str() {
        "" if provider.kind == crate::config::ProviderKind::Oidc => "sub",
        "" if super::mini_program::MiniPlatform::of_kind(provider.kind).is_some() => "openid",
        "" => "id",
        declared => declared,
    }
}
