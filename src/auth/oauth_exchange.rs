//! The browser flow's code exchange: OpenID Connect (discovery cached per
//! provider, the id_token checked, user-info claims added) and plain OAuth2
//! (a standard exchange with the PKCE verifier, or the provider's own
//! `code_exchange`, then user info read as for tokens from apps).

use oauth2::basic::BasicClient;
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreUserInfoClaims};
use openidconnect::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeVerifier, TokenResponse, TokenUrl,
};
use serde_json::{Map, Value};

use super::error::{AuthError, Failure};
use super::oauth::OAuthService;
use crate::config::OAuthProviderSettings;
use crate::store::oauth::StateRow;

impl OAuthService {
    pub(super) async fn oidc_metadata(
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
            .map_err(|e| AuthError::Provider(Failure::caused_by(format!("issuer: {e}"), e)))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                // Words only: the library error may hold the provider's answer.
                let text = format!("discovery at {} failed: {e}", provider.issuer);
                AuthError::Provider(Failure::new(text))
            })?;
        if let Ok(mut cache) = self.metadata.lock() {
            cache.insert(provider.name.clone(), metadata.clone());
        }
        Ok(metadata)
    }

    /// Exchanges the code (with the PKCE verifier) and returns the account's claims.
    pub(super) async fn exchange(
        &self,
        provider: &OAuthProviderSettings,
        code: String,
        flow: &StateRow,
    ) -> Result<Map<String, Value>, AuthError> {
        // Words only: the library errors may hold the provider's answer.
        let fail =
            |what: &str, e: String| AuthError::Provider(Failure::new(format!("{what}: {e}")));
        let redirect_uri = self.redirect_uri(&provider.name)?;
        let secret = Some(ClientSecret::new(provider.client_secret.clone()));
        if provider.kind == crate::config::ProviderKind::Oidc {
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
        } else if let Some(mapping) = &provider.code_exchange {
            // A token endpoint of the provider's own (WeChat): as for codes
            // from apps, without PKCE, which such endpoints do not take.
            let (token, named) = self.mapped_exchange(provider, mapping, &code).await?;
            self.claims(provider, &token, named, "code").await
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
            // User info as for tokens from apps: `token_param`, the token's
            // owner where declared, `error_field`.
            self.claims(
                provider,
                response.access_token().secret(),
                Vec::new(),
                "code",
            )
            .await
        }
    }
}
