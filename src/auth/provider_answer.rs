//! Reading what a sign-in provider answers, for every call the app-SDK and
//! mini-program sign-ins make: which answers are the provider refusing the
//! app's token or code (a 400 naming the app's field) and which are the
//! provider or our own configuration failing (a 502 whose message never
//! carries a URL).

use serde_json::{Map, Value};

use super::error::{AuthError, Failure};
use super::oauth::OAuthService;
use crate::config::OAuthProviderSettings;
use crate::domain::InvalidInput;

/// A call to the provider, for its error messages and how refusals read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// The token endpoint: 401 and 403 refuse our client credentials.
    TokenExchange,
    /// The endpoint naming the token's owner.
    TokenOwner,
    /// The endpoint naming the app the token was issued to.
    TokenApp,
    /// The user-info endpoint.
    UserInfo,
}

impl Step {
    pub(super) fn name(self) -> &'static str {
        match self {
            Step::TokenExchange => "token exchange",
            Step::TokenOwner => "token owner",
            Step::TokenApp => "token app",
            Step::UserInfo => "user info",
        }
    }
}

impl OAuthService {
    /// Sends `request` and reads a JSON object. The provider's own fault, a
    /// 502: an `error_field` value listed in `provider_fault_codes` (under any
    /// status), a 429, a 5xx, and at the token endpoint a 401/403 or an
    /// `invalid_client`/`unauthorized_client` error (our credentials). A
    /// refusal of the app's `field`, a 400: any other 4xx, or `error_field`.
    pub(super) async fn answer(
        &self,
        provider: &OAuthProviderSettings,
        request: reqwest::RequestBuilder,
        step: Step,
        field: &'static str,
    ) -> Result<Map<String, Value>, AuthError> {
        let response = request
            .send()
            .await
            .map_err(|e| request_failed(provider, step.name(), e))?;
        let status = response.status();
        // Some providers answer JSON as text/plain: read the bytes ourselves.
        let bytes = response
            .bytes()
            .await
            .map_err(|e| request_failed(provider, step.name(), e))?;
        let body = match serde_json::from_slice(&bytes) {
            Ok(Value::Object(body)) => Some(body),
            _ => None,
        };
        let code = body.as_ref().and_then(|b| error_code(provider, b));
        if let Some(code) = code
            .as_ref()
            .filter(|c| provider.provider_fault_codes.contains(c))
        {
            return Err(failed(
                provider,
                step.name(),
                format!("{} {code}", provider.error_field),
            ));
        }
        if status.is_client_error() {
            let oauth_error = body
                .as_ref()
                .and_then(|b| b.get("error"))
                .and_then(Value::as_str);
            let ours = status.as_u16() == 429
                || (step == Step::TokenExchange
                    && (matches!(status.as_u16(), 401 | 403)
                        || matches!(oauth_error, Some("invalid_client" | "unauthorized_client"))));
            if ours {
                return Err(failed(provider, step.name(), format!("HTTP {status}")));
            }
            tracing::info!(provider = %provider.name, step = step.name(), %status, "the provider refused");
            return Err(refused(field));
        }
        if !status.is_success() {
            return Err(failed(provider, step.name(), format!("HTTP {status}")));
        }
        let Some(answer) = body else {
            return Err(failed(
                provider,
                step.name(),
                "the answer is not a JSON object".into(),
            ));
        };
        if let Some(code) = code {
            tracing::info!(provider = %provider.name, step = step.name(), %code, "the provider refused");
            return Err(refused(field));
        }
        Ok(answer)
    }
}

/// A string or a number as text.
pub(super) fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The provider's error code in `answer`, as text: `None` when `error_field`
/// is absent or says "no error" (`0`, `"0"`, empty, null or false).
pub(super) fn error_code(
    provider: &OAuthProviderSettings,
    answer: &Map<String, Value>,
) -> Option<String> {
    if provider.error_field.is_empty() {
        return None;
    }
    match answer.get(&provider.error_field)? {
        Value::Null | Value::Bool(false) => None,
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        Value::String(s) if s.is_empty() || s == "0" => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

pub(super) fn refused(field: &'static str) -> AuthError {
    InvalidInput::new(field, "the provider did not accept it").into()
}

/// A 502 for a `step` of `provider` that failed as `detail` says.
pub(super) fn failed(provider: &OAuthProviderSettings, step: &str, detail: String) -> AuthError {
    AuthError::Provider(Failure::new(format!("{}: {step}: {detail}", provider.name)))
}

/// A 502 for a request to `provider` that got no readable answer; the
/// request's error is kept as the cause, without its URL (which may carry the
/// app's secret).
pub(super) fn request_failed(
    provider: &OAuthProviderSettings,
    step: &str,
    e: reqwest::Error,
) -> AuthError {
    let e = e.without_url();
    let text = format!("{}: {step}: {e}", provider.name);
    AuthError::Provider(Failure::caused_by(text, e))
}
