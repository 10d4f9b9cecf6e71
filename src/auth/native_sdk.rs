//! Sign-in with what an app got from a provider's own SDK: an access token,
//! checked by calling the provider's user-info endpoint with it, or an
//! authorization code, first exchanged at the token endpoint — by standard
//! OAuth2, or by the provider's declared mapping (`code_exchange`: WeChat's
//! `GET` with `appid` and `secret`, an `openid` passed on to user info, errors
//! as `errcode` under HTTP 200). Either ends in the one-time `auth_token` of
//! the account (`oauth_accounts`), traded for a session like a browser sign-in's.
//!
//! Rules: what the provider refuses is a 400 naming the app's field; a provider
//! that fails is a 502 whose message never carries a URL (the query may hold
//! the client secret or the token).

use oauth2::basic::BasicClient;
use oauth2::{
    AuthorizationCode, ClientId, ClientSecret, RequestTokenError, TokenResponse, TokenUrl,
};
use serde_json::{Map, Value};

use super::error::AuthError;
use super::oauth::OAuthService;
use super::token::SessionToken;
use crate::config::{CodeExchangeSettings, OAuthProviderSettings};
use crate::domain::InvalidInput;

impl OAuthService {
    /// An access token an app got from the provider's own SDK, checked by
    /// calling the provider's user-info endpoint with it (and the body's
    /// `userinfo_params`): the one-time `auth_token` of that account.
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
        let params = body_params(&provider, body);
        let claims = self
            .user_info(&provider, access_token, &params, "access_token")
            .await?;
        self.account_token(&provider, &claims, "access_token").await
    }

    /// An authorization code an app got from the provider's own SDK (WeChat's
    /// `code`), exchanged for an access token and then read like
    /// [`Self::native_token`]'s: the one-time `auth_token` of that account.
    pub async fn native_code(
        &self,
        name: &str,
        code: &str,
        body: &Map<String, Value>,
    ) -> Result<SessionToken, AuthError> {
        let provider = self.provider(name)?.clone();
        if !provider.native_code {
            return Err(InvalidInput::new(
                "code",
                format!("provider '{name}' does not take codes from apps (native_code)"),
            )
            .into());
        }
        let (access_token, passed) = match &provider.code_exchange {
            None => (self.standard_exchange(&provider, code).await?, Vec::new()),
            Some(mapping) => self.mapped_exchange(&provider, mapping, code).await?,
        };
        let mut params = body_params(&provider, body);
        params.extend(passed.iter().cloned());
        let mut claims = self
            .user_info(&provider, &access_token, &params, "code")
            .await?;
        for (key, value) in passed {
            claims.entry(key).or_insert(Value::String(value));
        }
        self.account_token(&provider, &claims, "code").await
    }

    /// The code exchanged by standard OAuth2 (a form POST with the client's
    /// credentials), through the oauth2 library.
    async fn standard_exchange(
        &self,
        provider: &OAuthProviderSettings,
        code: &str,
    ) -> Result<String, AuthError> {
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
            Err(RequestTokenError::ServerResponse(answer)) => {
                tracing::info!(provider = %provider.name, error = %answer, "the provider refused a code");
                Err(refused("code"))
            }
            Err(RequestTokenError::Request(_)) => Err(failed(
                provider,
                "token exchange",
                "the provider could not be reached".into(),
            )),
            Err(e) => Err(failed(provider, "token exchange", e.to_string())),
        }
    }

    /// The code exchanged as the provider's `code_exchange` mapping says: the
    /// access token and the answer's `pass_to_userinfo` fields.
    async fn mapped_exchange(
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
        let request = if mapping.method == "GET" {
            self.http.get(&provider.token_url).query(&params)
        } else {
            self.http.post(&provider.token_url).form(&params)
        };
        let answer = self
            .answer(provider, request, "token exchange", "code")
            .await?;
        let Some(token) = answer.get(&mapping.token_field).and_then(as_text) else {
            return Err(failed(
                provider,
                "token exchange",
                format!("the answer has no '{}'", mapping.token_field),
            ));
        };
        let passed = mapping
            .pass_to_userinfo
            .iter()
            .filter_map(|key| Some((key.clone(), answer.get(key).and_then(as_text)?)))
            .collect();
        Ok((token, passed))
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
        let mut request = self.http.get(&provider.userinfo_url);
        request = if provider.token_param.is_empty() {
            request.bearer_auth(access_token)
        } else {
            request.query(&[(provider.token_param.as_str(), access_token)])
        };
        self.answer(provider, request.query(params), "user info", field)
            .await
    }

    /// Sends `request` and reads a JSON object: a 4xx or the provider's
    /// `error_field` is a refusal of the app's `field`; anything else that is
    /// not a JSON object is the provider failing.
    async fn answer(
        &self,
        provider: &OAuthProviderSettings,
        request: reqwest::RequestBuilder,
        step: &str,
        field: &'static str,
    ) -> Result<Map<String, Value>, AuthError> {
        let response = request
            .send()
            .await
            .map_err(|e| failed(provider, step, e.without_url().to_string()))?;
        let status = response.status();
        if status.is_client_error() {
            tracing::info!(provider = %provider.name, step, %status, "the provider refused");
            return Err(refused(field));
        }
        if !status.is_success() {
            return Err(failed(provider, step, format!("HTTP {status}")));
        }
        // Some providers answer JSON as text/plain: read the bytes ourselves.
        let bytes = response
            .bytes()
            .await
            .map_err(|e| failed(provider, step, e.without_url().to_string()))?;
        let Ok(Value::Object(answer)) = serde_json::from_slice(&bytes) else {
            return Err(failed(
                provider,
                step,
                "the answer is not a JSON object".into(),
            ));
        };
        if is_refusal(provider, &answer) {
            let error = answer
                .get(&provider.error_field)
                .cloned()
                .unwrap_or_default();
            tracing::info!(provider = %provider.name, step, %error, "the provider refused");
            return Err(refused(field));
        }
        Ok(answer)
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

/// The body's `userinfo_params`, as text.
fn body_params(
    provider: &OAuthProviderSettings,
    body: &Map<String, Value>,
) -> Vec<(String, String)> {
    provider
        .userinfo_params
        .iter()
        .filter_map(|key| Some((key.clone(), body.get(key).and_then(as_text)?)))
        .collect()
}

/// A string or a number as text.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether the answer carries the provider's error field with a value other
/// than "no error" (`0`, `"0"`, empty, null or false).
fn is_refusal(provider: &OAuthProviderSettings, answer: &Map<String, Value>) -> bool {
    if provider.error_field.is_empty() {
        return false;
    }
    match answer.get(&provider.error_field) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !(s.is_empty() || s == "0"),
        Some(_) => true,
    }
}

fn refused(field: &'static str) -> AuthError {
    InvalidInput::new(field, "the provider did not accept it").into()
}

fn failed(provider: &OAuthProviderSettings, step: &str, detail: String) -> AuthError {
    AuthError::Provider(format!("{}: {step}: {detail}", provider.name))
}

#[cfg(test)]
#[path = "native_sdk_test.rs"]
mod tests;
