//! Third-party sign-in: OpenID Connect providers (discovery, id_token checked)
//! and plain OAuth2 providers (user-info endpoint), authorization code with PKCE.
//!
//! Flow: the app asks for a `redirect_url` (we store a hashed `state` with the PKCE
//! verifier, the nonce and the app's `callback_url`); the browser signs in at the
//! provider and returns to `/oauth/<provider>/callback/`; we exchange the code,
//! read the account, and send the browser back to the app with a one-time
//! `auth_token`; the app trades it for a session (`authenticate`) or links the
//! account to the current user (`user-association`).
//!
//! Rules: `state`, `auth_token` are 256-bit random values stored as SHA-256 and
//! used once; a `callback_url` must start with an allowed prefix (no open
//! redirect of tokens); one user per provider account, enforced by the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth2::basic::BasicClient;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    TokenUrl,
};
use serde_json::{Map, Value};

use super::error::AuthError;
use super::principal::{registered_user, Principal};
use super::service::{insert_profile, AuthService, ClientInfo, LoginMethod, ProfileInit, Session};
use super::token::SessionToken;
use crate::config::OAuthProviderSettings;
use crate::domain::{now_unix, InvalidInput, UserId};
use crate::query::SqlValue;
use crate::schema::{FieldKind, LiveSchema};
use crate::store::documents::{to_sql_value, Column};
use crate::store::oauth::{self as store_oauth, AuthTokenRow, StateRow};
use crate::store::users::{self, PROFILE_TABLE};
use crate::store::{self, AnyConnection, StoreError};
use crate::store::{object_writes, objects};

/// Seconds a sign-in may take at the provider.
const STATE_TTL: i64 = 600;
/// Seconds the app has to use an `auth_token`.
const AUTH_TOKEN_TTL: i64 = 300;

/// How provider data updates an existing profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileUpdate {
    /// Fill only empty fields (the default).
    SetIfEmpty,
    /// Replace the fields.
    Overwrite,
    /// Leave the profile alone.
    Keep,
}

impl ProfileUpdate {
    /// Reads Hydrogen's `update_userprofile`: `setnx`, `overwrite`, `false`.
    pub fn parse(value: Option<&Value>) -> Result<Self, InvalidInput> {
        match value {
            None | Some(Value::Null) => Ok(Self::SetIfEmpty),
            Some(Value::String(s)) if s == "setnx" => Ok(Self::SetIfEmpty),
            Some(Value::String(s)) if s == "overwrite" => Ok(Self::Overwrite),
            Some(Value::String(s)) if s == "false" => Ok(Self::Keep),
            Some(Value::Bool(false)) => Ok(Self::Keep),
            _ => Err(InvalidInput::new(
                "update_userprofile",
                "must be 'setnx', 'overwrite' or 'false'",
            )),
        }
    }
}

/// Where the browser goes after the provider sends it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// To the app's callback URL (with `auth_token` or `error`).
    Redirect(String),
    /// The `state` is unknown, used or expired: there is nowhere safe to go.
    BadState,
}

/// The cookie that binds a sign-in to the browser that started it, and where
/// the browser goes next.
#[derive(Debug, Clone)]
pub struct BrowserBinding {
    /// The cookie's name (one per flow, so parallel sign-ins do not clash).
    pub cookie_name: String,
    /// Its value (only its hash is stored).
    pub cookie_value: String,
    /// Seconds it lives: as long as the flow.
    pub max_age: i64,
    /// Whether to mark it `Secure` (the public URL is https).
    pub secure: bool,
    /// The provider's authorization URL.
    pub authorize_url: String,
}

/// The name of the browser cookie of the flow `state`.
pub fn browser_cookie(state: &str) -> String {
    let digest = SessionToken::from_client(state).hash();
    format!("protium_oauth_{}", &digest[..16])
}

/// The third-party sign-in flows; cheap to clone.
#[derive(Clone)]
pub struct OAuthService {
    auth: AuthService,
    http: reqwest::Client,
    providers: Arc<HashMap<String, OAuthProviderSettings>>,
    public_url: String,
    callback_prefixes: Arc<Vec<String>>,
    live: LiveSchema,
    metadata: Arc<Mutex<HashMap<String, CoreProviderMetadata>>>,
}

impl std::fmt::Debug for OAuthService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&String> = self.providers.keys().collect();
        f.debug_struct("OAuthService")
            .field("providers", &names)
            .finish_non_exhaustive()
    }
}

impl OAuthService {
    /// Builds the service.
    pub fn new(
        auth: AuthService,
        providers: Vec<OAuthProviderSettings>,
        public_url: &str,
        callback_prefixes: Vec<String>,
        live: LiveSchema,
    ) -> Result<Self, AuthError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AuthError::Provider(e.to_string()))?;
        Ok(Self {
            auth,
            http,
            providers: Arc::new(providers.into_iter().map(|p| (p.name.clone(), p)).collect()),
            public_url: public_url.trim_end_matches('/').to_owned(),
            callback_prefixes: Arc::new(callback_prefixes),
            live,
            metadata: Arc::default(),
        })
    }

    fn provider(&self, name: &str) -> Result<&OAuthProviderSettings, AuthError> {
        self.providers
            .get(name)
            .ok_or_else(|| AuthError::Forbidden(format!("provider '{name}' is not configured")))
    }

    fn redirect_uri(&self, name: &str) -> Result<RedirectUrl, AuthError> {
        RedirectUrl::new(format!("{}/oauth/{name}/callback/", self.public_url))
            .map_err(|e| AuthError::Provider(format!("redirect URI: {e}")))
    }

    /// Starts a sign-in: the URL to send the browser to. A signed-in `caller`
    /// is recorded: only they may link the resulting account to a user.
    #[tracing::instrument(skip(self, caller))]
    pub async fn redirect(
        &self,
        name: &str,
        callback_url: &str,
        caller: &Principal,
    ) -> Result<String, AuthError> {
        let provider = self.provider(name)?.clone();
        let callback_url =
            allowed_callback(callback_url, &self.callback_prefixes).ok_or_else(|| {
                InvalidInput::new(
                    "callback_url",
                    "is not an allowed callback URL (see oauth_callback_prefixes)",
                )
            })?;
        let initiator = match caller {
            Principal::User {
                id,
                anonymous: false,
                ..
            } => Some(id.get()),
            _ => None,
        };
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = SessionToken::generate();
        let nonce = SessionToken::generate().expose().to_owned();
        let redirect_uri = self.redirect_uri(name)?;
        let state_value = state.expose().to_owned();
        let secret = Some(ClientSecret::new(provider.client_secret.clone()));
        let url = if provider.kind == "oidc" {
            let client = CoreClient::from_provider_metadata(
                self.oidc_metadata(&provider).await?,
                ClientId::new(provider.client_id.clone()),
                secret,
            )
            .set_redirect_uri(redirect_uri);
            let nonce_value = nonce.clone();
            let mut request = client.authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state_value),
                move || Nonce::new(nonce_value),
            );
            for scope in scopes(&provider) {
                request = request.add_scope(Scope::new(scope));
            }
            request.set_pkce_challenge(challenge).url().0
        } else {
            let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
                .set_client_secret(ClientSecret::new(provider.client_secret.clone()))
                .set_auth_uri(
                    AuthUrl::new(provider.authorize_url.clone())
                        .map_err(|e| AuthError::Provider(e.to_string()))?,
                )
                .set_token_uri(
                    TokenUrl::new(provider.token_url.clone())
                        .map_err(|e| AuthError::Provider(e.to_string()))?,
                )
                .set_redirect_uri(redirect_uri);
            let mut request = client.authorize_url(move || CsrfToken::new(state_value));
            for scope in scopes(&provider) {
                request = request.add_scope(Scope::new(scope));
            }
            request.set_pkce_challenge(challenge).url().0
        };
        let now = now_unix();
        let row = StateRow {
            state_hash: state.hash(),
            provider: name.to_owned(),
            pkce_verifier: verifier.secret().clone(),
            nonce,
            callback_url,
            user_id: initiator,
            created_at: now,
            expires_at: now + STATE_TTL,
            authorize_url: url.to_string(),
            browser_hash: None,
        };
        self.auth
            .store
            .run(move |conn| store_oauth::insert_state(conn, &row))
            .await?;
        // The browser goes to the provider through Protium's start page, which
        // binds the flow to it (a cookie the return must bring).
        Ok(format!(
            "{}/oauth/{name}/start/?state={}",
            self.public_url,
            state.expose()
        ))
    }

    /// The browser opens the start page of a flow: binds the flow to it, once.
    /// Returns the cookie to set and the provider URL to send it on to, or
    /// `None` for a state that is unknown, used, expired or bound already.
    pub async fn start(
        &self,
        name: &str,
        state: &str,
    ) -> Result<Option<BrowserBinding>, AuthError> {
        self.provider(name)?;
        let state_hash = SessionToken::from_client(state).hash();
        let browser = SessionToken::generate();
        let browser_hash = browser.hash();
        let provider = name.to_owned();
        let url = self
            .auth
            .store
            .run(move |conn| {
                store_oauth::bind_browser(conn, &state_hash, &provider, &browser_hash, now_unix())
            })
            .await?;
        Ok(url.map(|authorize_url| BrowserBinding {
            cookie_name: browser_cookie(state),
            cookie_value: browser.expose().to_owned(),
            max_age: STATE_TTL,
            secure: self.public_url.starts_with("https://"),
            authorize_url,
        }))
    }

    /// The browser is back from the provider: exchange the code, read the account,
    /// and send the browser to the app with a one-time `auth_token`.
    #[tracing::instrument(skip(self, code, state))]
    pub async fn callback(
        &self,
        name: &str,
        code: Option<String>,
        state: &str,
        error: Option<String>,
        browser: Option<&str>,
    ) -> Result<CallbackOutcome, AuthError> {
        let provider = self.provider(name)?.clone();
        let Some(browser) = browser else {
            return Ok(CallbackOutcome::BadState);
        };
        let state_hash = SessionToken::from_client(state).hash();
        let browser_hash = SessionToken::from_client(browser).hash();
        let provider_name = name.to_owned();
        let taken = self
            .auth
            .store
            .run(move |conn| {
                store_oauth::take_state(
                    conn,
                    &state_hash,
                    &provider_name,
                    &browser_hash,
                    now_unix(),
                )
            })
            .await?;
        let Some(flow) = taken else {
            return Ok(CallbackOutcome::BadState);
        };
        let back = |params: &[(&str, &str)]| {
            CallbackOutcome::Redirect(with_query(&flow.callback_url, params))
        };
        if let Some(error) = error {
            return Ok(back(&[("error", &error), ("provider", name)]));
        }
        let Some(code) = code else {
            return Ok(back(&[("error", "missing_code"), ("provider", name)]));
        };
        let claims = match self.exchange(&provider, code, &flow).await {
            Ok(claims) => claims,
            Err(e) => {
                tracing::warn!(error = %e, provider = name, "sign-in with the provider failed");
                return Ok(back(&[("error", "provider_error"), ("provider", name)]));
            }
        };
        match self
            .issue_auth_token(&provider, &claims, flow.user_id)
            .await?
        {
            Some(token) => Ok(back(&[("auth_token", token.expose()), ("provider", name)])),
            None => Ok(back(&[("error", "no_subject"), ("provider", name)])),
        }
    }

    /// The one-time `auth_token` for the provider account `claims` describe
    /// (`user_id`: who started a linking flow); `None` when the claims name
    /// no account.
    async fn issue_auth_token(
        &self,
        provider: &OAuthProviderSettings,
        claims: &Map<String, Value>,
        user_id: Option<i64>,
    ) -> Result<Option<SessionToken>, AuthError> {
        let subject_claim = if provider.subject_claim.is_empty() {
            if provider.kind == "oidc" {
                "sub"
            } else {
                "id"
            }
        } else {
            provider.subject_claim.as_str()
        };
        let subject = match claims.get(subject_claim) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Ok(None),
        };
        let mut profile = Map::new();
        profile.insert("id".into(), Value::String(subject.clone()));
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

    /// An access token an app got from the provider's own SDK, checked by
    /// calling the provider's user-info endpoint with it (and the body's
    /// `userinfo_params`): the one-time `auth_token` of that account, to trade
    /// for a session like a browser sign-in's.
    pub async fn native_token(
        &self,
        name: &str,
        access_token: &str,
        body: &Map<String, Value>,
    ) -> Result<SessionToken, AuthError> {
        let provider = self.provider(name)?.clone();
        if !provider.native_token || provider.userinfo_url.is_empty() {
            return Err(InvalidInput::new(
                "access_token",
                format!("provider '{name}' does not take tokens from apps (native_token)"),
            )
            .into());
        }
        let mut request = self.http.get(&provider.userinfo_url);
        request = if provider.token_param.is_empty() {
            request.bearer_auth(access_token)
        } else {
            request.query(&[(provider.token_param.as_str(), access_token)])
        };
        let extra: Vec<(&str, String)> = provider
            .userinfo_params
            .iter()
            .filter_map(|k| {
                let v = match body.get(k)? {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((k.as_str(), v))
            })
            .collect();
        let response = request
            .query(&extra)
            .send()
            .await
            .map_err(|e| AuthError::Provider(format!("{name}: user info: {e}")))?;
        if response.status().is_client_error() {
            return Err(InvalidInput::new("access_token", "the provider did not accept it").into());
        }
        let info: Value = response
            .error_for_status()
            .map_err(|e| AuthError::Provider(format!("{name}: user info: {e}")))?
            .json()
            .await
            .map_err(|e| AuthError::Provider(format!("{name}: user info: {e}")))?;
        let Value::Object(claims) = info else {
            return Err(AuthError::Provider(format!(
                "{name}: user info is not a JSON object"
            )));
        };
        self.issue_auth_token(&provider, &claims, None)
            .await?
            .ok_or_else(|| {
                InvalidInput::new("access_token", "the provider's answer names no account").into()
            })
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
                    return Ok(Err(bad_auth_token()));
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
                    None => return Ok(Err(AuthError::NotFound)),
                };
                this.apply_profile(conn, id, &provider, &token.profile, update)?;
                store::insert_session(conn, &draft.row(id, now))?;
                Ok::<_, AuthError>(Ok(draft.session(id)))
            })
            .await?
    }

    /// Links the account behind `auth_token` to the caller.
    pub async fn associate(
        &self,
        caller: &Principal,
        name: &str,
        auth_token: &str,
        update: ProfileUpdate,
    ) -> Result<UserId, AuthError> {
        self.provider(name)?;
        let me = registered_user(caller, "linking accounts")?;
        let this = self.clone();
        let provider = name.to_owned();
        let hash = SessionToken::from_client(auth_token).hash();
        let outcome = self
            .auth
            .store
            .transaction(move |conn| -> Result<_, StoreError> {
                let now = now_unix();
                let Some(token) = store_oauth::take_auth_token(conn, &hash, &provider, now)? else {
                    return Ok(Err(bad_auth_token()));
                };
                if token.user_id != Some(me) {
                    // A token from a flow someone else started (a link sent to the
                    // victim) must not attach a stranger's account to this user.
                    return Ok(Err(InvalidInput::new(
                        "auth_token",
                        "was not issued to this user: start the link with redirect/ while signed in",
                    )
                    .into()));
                }
                // The lock makes the checks below and the insert one step.
                users::account(conn, me, true)?;
                match store_oauth::find_identity(conn, &provider, &token.subject)? {
                    Some(owner) if owner != me => {
                        return Ok(Err(InvalidInput::new(
                            "auth_token",
                            format!("this {provider} account is already linked to another user"),
                        )
                        .into()))
                    }
                    Some(_) => {}
                    None if store_oauth::identity_of(conn, me, &provider)?.is_some() => {
                        return Ok(Err(InvalidInput::new(
                            "provider",
                            format!("another {provider} account is already linked; unlink it first"),
                        )
                        .into()))
                    }
                    None => store_oauth::link_identity(conn, &provider, &token.subject, me, now)?,
                }
                this.apply_profile(conn, me, &provider, &token.profile, update)?;
                Ok(Ok(()))
            })
            .await?;
        outcome.map(|()| UserId::from_db(me))
    }

    /// Unlinks the caller's account at `name`, unless it is their only way to sign in.
    pub async fn dissociate(&self, caller: &Principal, name: &str) -> Result<UserId, AuthError> {
        self.provider(name)?;
        let me = registered_user(caller, "linking accounts")?;
        let provider = name.to_owned();
        let outcome = self
            .auth
            .store
            .transaction(move |conn| -> Result<_, StoreError> {
                let account = users::account(conn, me, true)?.ok_or(StoreError::Corrupt("user vanished".into()))?;
                if store_oauth::identity_of(conn, me, &provider)?.is_none() {
                    return Ok(Err(InvalidInput::new("provider", format!("no {provider} account is linked")).into()));
                }
                let has_password = store::get_password_hash(conn, me)?.is_some();
                let has_identifier = account.username.is_some() || account.email.is_some();
                let others = store_oauth::identity_count(conn, me)? - 1;
                // Ways to sign in that remain: a password with a login name, another
                // provider, or the phone (SMS login).
                if !(has_password && has_identifier) && others < 1 && account.phone.is_none() {
                    return Ok(Err(InvalidInput::new(
                        "provider",
                        format!("{provider} is your only way to sign in; set a password or link another account first"),
                    )
                    .into()));
                }
                if !store_oauth::unlink_identity(conn, &provider, me)? {
                    return Ok(Err(InvalidInput::new("provider", format!("no {provider} account is linked")).into()));
                }
                let columns = [Column { name: "_provider".into(), kind: FieldKind::Object }];
                let row = objects::get(conn, PROFILE_TABLE, &columns, &SqlValue::Int(me), false)?.unwrap_or_default();
                let mut blocks = row.get("_provider").and_then(Value::as_object).cloned().unwrap_or_default();
                blocks.remove(&provider);
                let set = [("_provider".to_owned(), SqlValue::Json(Value::Object(blocks)))];
                object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(me), None, &set)?;
                Ok(Ok(()))
            })
            .await?;
        outcome.map(|()| UserId::from_db(me))
    }

    // ---- helpers ----

    async fn oidc_metadata(
        &self,
        provider: &OAuthProviderSettings,
    ) -> Result<CoreProviderMetadata, AuthError> {
        if let Some(found) = self
            .metadata
            .lock()
            .ok()
            .and_then(|m| m.get(&provider.name).cloned())
        {
            return Ok(found);
        }
        let issuer = IssuerUrl::new(provider.issuer.clone())
            .map_err(|e| AuthError::Provider(format!("issuer: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                AuthError::Provider(format!("discovery at {} failed: {e}", provider.issuer))
            })?;
        if let Ok(mut cache) = self.metadata.lock() {
            cache.insert(provider.name.clone(), metadata.clone());
        }
        Ok(metadata)
    }

    /// Exchanges the code (with the PKCE verifier) and returns the account's claims.
    async fn exchange(
        &self,
        provider: &OAuthProviderSettings,
        code: String,
        flow: &StateRow,
    ) -> Result<Map<String, Value>, AuthError> {
        let fail = |what: &str, e: String| AuthError::Provider(format!("{what}: {e}"));
        let redirect_uri = self.redirect_uri(&provider.name)?;
        let secret = Some(ClientSecret::new(provider.client_secret.clone()));
        if provider.kind == "oidc" {
            let client = CoreClient::from_provider_metadata(
                self.oidc_metadata(provider).await?,
                ClientId::new(provider.client_id.clone()),
                secret,
            )
            .set_redirect_uri(redirect_uri);
            let response = client
                .exchange_code(AuthorizationCode::new(code))
                .map_err(|e| fail("token endpoint", e.to_string()))?
                .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
                .request_async(&self.http)
                .await
                .map_err(|e| fail("token exchange", e.to_string()))?;
            let id_token = response
                .id_token()
                .ok_or_else(|| fail("token exchange", "no id_token".into()))?;
            let claims = id_token
                .claims(&client.id_token_verifier(), &Nonce::new(flow.nonce.clone()))
                .map_err(|e| {
                    // The provider may have rotated its keys: rediscover next time.
                    if let Ok(mut cache) = self.metadata.lock() {
                        cache.remove(&provider.name);
                    }
                    fail("id_token", e.to_string())
                })?;
            let subject = claims.subject().clone();
            let Ok(Value::Object(mut map)) = serde_json::to_value(claims) else {
                return Err(fail("id_token", "claims are not an object".into()));
            };
            // Profile claims usually come from the user-info endpoint; the
            // library checks that its `sub` matches the verified id_token.
            if let Ok(request) = client.user_info(response.access_token().clone(), Some(subject)) {
                let info: Result<CoreUserInfoClaims, _> = request.request_async(&self.http).await;
                match info {
                    Ok(info) => {
                        if let Ok(Value::Object(extra)) = serde_json::to_value(info) {
                            for (key, value) in extra {
                                map.entry(key).or_insert(value);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "user-info request failed; using the id_token only")
                    }
                }
            }
            Ok(map)
        } else {
            let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
                .set_client_secret(ClientSecret::new(provider.client_secret.clone()))
                .set_auth_uri(
                    AuthUrl::new(provider.authorize_url.clone())
                        .map_err(|e| fail("authorize_url", e.to_string()))?,
                )
                .set_token_uri(
                    TokenUrl::new(provider.token_url.clone())
                        .map_err(|e| fail("token_url", e.to_string()))?,
                )
                .set_redirect_uri(redirect_uri);
            let response = client
                .exchange_code(AuthorizationCode::new(code))
                .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
                .request_async(&self.http)
                .await
                .map_err(|e| fail("token exchange", e.to_string()))?;
            let info: Value = self
                .http
                .get(&provider.userinfo_url)
                .bearer_auth(response.access_token().secret())
                .send()
                .await
                .map_err(|e| fail("user info", e.to_string()))?
                .error_for_status()
                .map_err(|e| fail("user info", e.to_string()))?
                .json()
                .await
                .map_err(|e| fail("user info", e.to_string()))?;
            match info {
                Value::Object(map) => Ok(map),
                _ => Err(fail("user info", "not a JSON object".into())),
            }
        }
    }

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

/// Scopes to ask for. For `oidc` the library adds `openid` itself.
fn scopes(provider: &OAuthProviderSettings) -> Vec<String> {
    match provider.kind.as_str() {
        "oidc" if provider.scopes.is_empty() => vec!["email".into(), "profile".into()],
        "oidc" => provider
            .scopes
            .iter()
            .filter(|s| s.as_str() != "openid")
            .cloned()
            .collect(),
        _ => provider.scopes.clone(),
    }
}

/// The normalised `candidate` when it falls under one of `prefixes`: same
/// scheme, host and port, and a path inside the prefix's path (compared by
/// whole segments, so `https://a.example` does not admit `https://a.example.evil`).
fn allowed_callback(candidate: &str, prefixes: &[String]) -> Option<String> {
    let url = reqwest::Url::parse(candidate).ok()?;
    if url.cannot_be_a_base() || url.host_str().is_none() {
        return None;
    }
    let admitted = prefixes
        .iter()
        .filter_map(|p| reqwest::Url::parse(p).ok())
        .any(|prefix| {
            let base = prefix.path().trim_end_matches('/');
            let path = url.path();
            prefix.scheme() == url.scheme()
                && prefix.host_str() == url.host_str()
                && prefix.port_or_known_default() == url.port_or_known_default()
                && (path == base || path.starts_with(&format!("{base}/")))
        });
    // The serialised form percent-encodes anything unsafe in a header.
    admitted.then(|| url.to_string())
}

fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}

fn bad_auth_token() -> AuthError {
    InvalidInput::new("auth_token", "is unknown, expired or already used").into()
}

#[cfg(test)]
#[path = "oauth_test.rs"]
mod tests;
