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
//! This file holds the browser flow (start, callback); `oauth_exchange` its
//! code exchange; `oauth_accounts` what follows it (the `auth_token`,
//! sessions, links); `native_sdk` sign-in with a provider SDK's token or code.
//!
//! Rules: `state`, `auth_token` are 256-bit random values stored as SHA-256 and
//! used once; a `callback_url` must start with an allowed prefix (no open
//! redirect of tokens); one user per provider account, enforced by the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth2::basic::BasicClient;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthUrl, ClientId, ClientSecret, CsrfToken, Nonce, PkceCodeChallenge, RedirectUrl, Scope,
    TokenUrl,
};
use serde_json::Value;

use super::error::{AuthError, Failure};
use super::principal::Principal;
use super::service::AuthService;
use super::token::SessionToken;
use crate::config::{OAuthProviderSettings, ProviderKind};
use crate::domain::{now_unix, InvalidInput};
use crate::schema::LiveSchema;
use crate::store::oauth::{self as store_oauth, StateRow};

/// Seconds a sign-in may take at the provider.
const STATE_TTL: i64 = 600;
/// Seconds the app has to use an `auth_token`.
pub(super) const AUTH_TOKEN_TTL: i64 = 300;

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
    pub(super) auth: AuthService,
    pub(super) http: reqwest::Client,
    pub(super) providers: Arc<HashMap<String, OAuthProviderSettings>>,
    public_url: String,
    callback_prefixes: Arc<Vec<String>>,
    pub(super) live: LiveSchema,
    pub(super) metadata: Arc<Mutex<HashMap<String, CoreProviderMetadata>>>,
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
            .map_err(|e| AuthError::Provider(Failure::of(e)))?;
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

    pub(super) fn provider(&self, name: &str) -> Result<&OAuthProviderSettings, AuthError> {
        self.providers
            .get(name)
            .ok_or_else(|| AuthError::Forbidden(format!("provider '{name}' is not configured")))
    }

    pub(super) fn redirect_uri(&self, name: &str) -> Result<RedirectUrl, AuthError> {
        RedirectUrl::new(format!("{}/oauth/{name}/callback/", self.public_url))
            .map_err(|e| AuthError::Provider(Failure::caused_by(format!("redirect URI: {e}"), e)))
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
        if super::mini_program::MiniPlatform::of_kind(provider.kind).is_some() {
            return Err(InvalidInput::new(
                "provider",
                format!("'{name}' is a mini-program platform: sign in with its login code (silent-login/)"),
            )
            .into());
        }
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
        let url = if provider.kind == ProviderKind::Oidc {
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
                        .map_err(|e| AuthError::Provider(Failure::of(e)))?,
                )
                .set_token_uri(
                    TokenUrl::new(provider.token_url.clone())
                        .map_err(|e| AuthError::Provider(Failure::of(e)))?,
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
                tracing::warn!(error = %e, cause = ?e, provider = name, "sign-in with the provider failed");
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
}

/// Scopes to ask for. For `oidc` the library adds `openid` itself.
fn scopes(provider: &OAuthProviderSettings) -> Vec<String> {
    match provider.kind {
        ProviderKind::Oidc if provider.scopes.is_empty() => vec!["email".into(), "profile".into()],
        ProviderKind::Oidc => provider
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

#[cfg(test)]
#[path = "oauth_test.rs"]
mod tests;
