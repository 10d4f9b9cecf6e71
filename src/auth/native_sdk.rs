//! Sign-in with what an app got from a provider's own SDK: an access token,
//! checked by calling the provider's user-info endpoint with it, or an
//! authorization code, first exchanged at the token endpoint — by standard
//! OAuth2, or by the provider's declared mapping (`code_exchange`: WeChat's
//! `GET` with `appid` and `secret`, an `openid` passed on to user info, errors
//! as `errcode` under HTTP 200). Either ends in the one-time `auth_token` of
//! the account (`oauth_accounts`), traded for a session like a browser sign-in's.
//!
//! Rules: the account is what the provider says the token or code belongs
//! to, never what the app's body names: where user info takes an account id
//! (Weibo's `uid`), the id comes from `token_owner_url` or the code exchange,
//! and user info naming another account is refused. Where the provider says
//! which app a token was issued to (`token_app_url`, Weibo's
//! `get_token_info` and its `appkey`), a token of another app is refused: it
//! proves only that its holder signed in to that app. What the provider refuses
//! is a 400 naming the app's field; a provider that fails, or refuses our own
//! credentials, is a 502 whose message never carries a URL (the query may
//! hold the client secret or the token).

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthorizationCode, ClientId, ClientSecret, RequestTokenError, TokenResponse, TokenUrl,
};
use serde_json::{Map, Value};

use super::error::AuthError;
use super::oauth::OAuthService;
use super::oauth_accounts::subject_claim;
use super::provider_answer::{as_text, failed, refused, Step};
use super::token::SessionToken;
use crate::config::{CodeExchangeSettings, ExchangeMethod, OAuthProviderSettings};
use crate::domain::InvalidInput;

impl OAuthService {
    /// An access token an app got from the provider's own SDK, checked by
    /// calling the provider's user-info endpoint with it (after asking
    /// `token_owner_url` whose it is, where declared): the one-time
    /// `auth_token` of that account.
    pub async fn native_token(
        &self,
        name: &str,
        access_token: &str,
    ) -> Result<SessionToken, AuthError> {
        let provider = self.provider(name)?.clone();
        if !provider.native_token || provider.userinfo_url.is_empty() {
            return Err(InvalidInput::new(
                "access_token",
                format!("provider '{name}' does not take tokens from apps (native_token)"),
            )
            .into());
        }
        self.token_app(&provider, access_token, "access_token")
            .await?;
        let claims = self
            .claims(&provider, access_token, Vec::new(), "access_token")
            .await?;
        self.account_token(&provider, &claims, "access_token").await
    }

    /// An authorization code an app got from the provider's own SDK (WeChat's
    /// `code`), exchanged for an access token and then read like
    /// [`Self::native_token`]'s: the one-time `auth_token` of that account.
    pub async fn native_code(&self, name: &str, code: &str) -> Result<SessionToken, AuthError> {
        let provider = self.provider(name)?.clone();
        if !provider.native_code {
            return Err(InvalidInput::new(
                "code",
                format!("provider '{name}' does not take codes from apps (native_code)"),
            )
            .into());
        }
        let (access_token, named) = match &provider.code_exchange {
            None => (self.standard_exchange(&provider, code).await?, Vec::new()),
            Some(mapping) => self.mapped_exchange(&provider, mapping, code).await?,
        };
        let claims = self.claims(&provider, &access_token, named, "code").await?;
        self.account_token(&provider, &claims, "code").await
    }

    /// The claims of the account `access_token` belongs to: user info, asked
    /// with `named` (what the code exchange said of the account) and the
    /// token's owner from `token_owner_url` where declared, and checked to
    /// describe that account.
    pub(super) async fn claims(
        &self,
        provider: &OAuthProviderSettings,
        access_token: &str,
        mut named: Vec<(String, String)>,
        field: &'static str,
    ) -> Result<Map<String, Value>, AuthError> {
        let mut params = named.clone();
        if let Some(owner) = self.token_owner(provider, access_token, field).await? {
            if !provider.owner_param.is_empty() {
                params.push((provider.owner_param.clone(), owner.clone()));
            }
            named.push((subject_claim(provider).to_owned(), owner));
        }
        let claims = self
            .user_info(provider, access_token, &params, field)
            .await?;
        same_account(provider, claims, named)
    }

    /// The code exchanged by standard OAuth2 (a form POST, the client's
    /// credentials in a Basic header), through the oauth2 library.
    async fn standard_exchange(
        &self,
        provider: &OAuthProviderSettings,
        code: &str,
    ) -> Result<String, AuthError> {
        let step = Step::TokenExchange.name();
        let token_url = TokenUrl::new(provider.token_url.clone())
            .map_err(|e| failed(provider, "token_url", e.to_string()))?;
        let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
            .set_client_secret(ClientSecret::new(provider.client_secret.clone()))
            .set_token_uri(token_url);
        match client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.http)
            .await
        {
            Ok(response) => Ok(response.access_token().secret().clone()),
            Err(RequestTokenError::ServerResponse(answer)) => match answer.error() {
                BasicErrorResponseType::InvalidGrant | BasicErrorResponseType::InvalidRequest => {
                    tracing::info!(provider = %provider.name, error = %answer, "the provider refused a code");
                    Err(refused("code"))
                }
                other => Err(failed(
                    provider,
                    step,
                    format!("the provider answered {other}"),
                )),
            },
            Err(RequestTokenError::Request(_)) => Err(failed(
                provider,
                step,
                "the provider could not be reached".into(),
            )),
            Err(e) => Err(failed(provider, step, e.to_string())),
        }
    }

    /// The code exchanged as the provider's `code_exchange` mapping says: the
    /// access token and the answer's `pass_to_userinfo` fields.
    pub(super) async fn mapped_exchange(
        &self,
        provider: &OAuthProviderSettings,
        mapping: &CodeExchangeSettings,
        code: &str,
    ) -> Result<(String, Vec<(String, String)>), AuthError> {
        let params = [
            (
                mapping.client_id_param.as_str(),
                provider.client_id.as_str(),
            ),
            (
                mapping.client_secret_param.as_str(),
                provider.client_secret.as_str(),
            ),
            ("code", code),
            ("grant_type", "authorization_code"),
        ];
        let request = match mapping.method {
            ExchangeMethod::Get => self.http.get(&provider.token_url).query(&params),
            ExchangeMethod::Post => self.http.post(&provider.token_url).form(&params),
        };
        let answer = self
            .answer(provider, request, Step::TokenExchange, "code")
            .await?;
        let Some(token) = answer.get(&mapping.token_field).and_then(as_text) else {
            return Err(failed(
                provider,
                Step::TokenExchange.name(),
                format!("the answer has no '{}'", mapping.token_field),
            ));
        };
        let named = mapping
            .pass_to_userinfo
            .iter()
            .filter_map(|key| Some((key.clone(), answer.get(key).and_then(as_text)?)))
            .collect();
        Ok((token, named))
    }

    /// The account `token_owner_url` says owns `access_token`, where declared.
    async fn token_owner(
        &self,
        provider: &OAuthProviderSettings,
        access_token: &str,
        field: &'static str,
    ) -> Result<Option<String>, AuthError> {
        if provider.token_owner_url.is_empty() {
            return Ok(None);
        }
        let request = with_token(
            provider,
            self.http.get(&provider.token_owner_url),
            access_token,
        );
        let answer = self
            .answer(provider, request, Step::TokenOwner, field)
            .await?;
        answer
            .get(&provider.token_owner_field)
            .and_then(as_text)
            .map(Some)
            .ok_or_else(|| {
                failed(
                    provider,
                    Step::TokenOwner.name(),
                    format!("the answer has no '{}'", provider.token_owner_field),
                )
            })
    }

    /// Refuses `access_token` unless `token_app_url` (where declared) says
    /// it was issued to this provider's `client_id`: a token another app got
    /// from the provider's SDK signs in to that app only.
    async fn token_app(
        &self,
        provider: &OAuthProviderSettings,
        access_token: &str,
        field: &'static str,
    ) -> Result<(), AuthError> {
        if provider.token_app_url.is_empty() {
            return Ok(());
        }
        let request = self.http.post(&provider.token_app_url);
        let request = if provider.token_param.is_empty() {
            request.bearer_auth(access_token)
        } else {
            request.form(&[(provider.token_param.as_str(), access_token)])
        };
        let answer = self
            .answer(provider, request, Step::TokenApp, field)
            .await?;
        let Some(app) = answer.get(&provider.token_app_field).and_then(as_text) else {
            return Err(failed(
                provider,
                Step::TokenApp.name(),
                format!("the answer has no '{}'", provider.token_app_field),
            ));
        };
        if app != provider.client_id {
            tracing::info!(provider = %provider.name, "a token issued to another app was refused");
            return Err(InvalidInput::new(field, "was issued to another app, not this one").into());
        }
        Ok(())
    }

    /// The provider's user info for `access_token` (as a Bearer header, or the
    /// query parameter `token_param`), with `params` in the query.
    async fn user_info(
        &self,
        provider: &OAuthProviderSettings,
        access_token: &str,
        params: &[(String, String)],
        field: &'static str,
    ) -> Result<Map<String, Value>, AuthError> {
        let request = with_token(
            provider,
            self.http.get(&provider.userinfo_url),
            access_token,
        );
        self.answer(provider, request.query(params), Step::UserInfo, field)
            .await
    }

    /// The `auth_token` of the account the claims name.
    async fn account_token(
        &self,
        provider: &OAuthProviderSettings,
        claims: &Map<String, Value>,
        field: &'static str,
    ) -> Result<SessionToken, AuthError> {
        self.issue_auth_token(provider, claims, None)
            .await?
            .ok_or_else(|| {
                InvalidInput::new(field, "the provider's answer names no account").into()
            })
    }
}

/// `request` carrying the token as a Bearer header, or as the query
/// parameter `token_param`.
fn with_token(
    provider: &OAuthProviderSettings,
    request: reqwest::RequestBuilder,
    access_token: &str,
) -> reqwest::RequestBuilder {
    if provider.token_param.is_empty() {
        request.bearer_auth(access_token)
    } else {
        request.query(&[(provider.token_param.as_str(), access_token)])
    }
}

/// The claims, with each `named` key (what the token's owner or the code
/// exchange said) filled in where user info left it out; user info naming
/// another account is the provider failing, never a sign-in.
fn same_account(
    provider: &OAuthProviderSettings,
    mut claims: Map<String, Value>,
    named: Vec<(String, String)>,
) -> Result<Map<String, Value>, AuthError> {
    for (key, expected) in named {
        match claims.get(&key).and_then(as_text) {
            Some(found) if found != expected => {
                return Err(failed(
                    provider,
                    Step::UserInfo.name(),
                    format!("it describes another account than the token's ('{key}' differs)"),
                ))
            }
            Some(_) => {}
            None => {
                claims.insert(key, Value::String(expected));
            }
        }
    }
    Ok(claims)
}

#[cfg(test)]
#[path = "native_sdk_test.rs"]
mod tests;
