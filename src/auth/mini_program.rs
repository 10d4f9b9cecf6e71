//! Sign-in from a mini-program: the app gets a one-time login `code` from its
//! platform (`wx.login`, `qq.login`, `tt.login`, `swan.getLoginCode`) and the
//! server exchanges it with the platform for the user's `openid` (and
//! `unionid`, where the platform has one) and a `session_key`. The openid is
//! the account at that provider, as for any third-party sign-in: the
//! exchange ends in the one-time `auth_token` of `oauth_accounts`, traded for
//! a session or linked to the signed-in user.
//!
//! A platform is configured as a provider (`[[oauth_providers]]`) of kind
//! `wechat_miniapp`, `qq_miniapp`, `bytedance_miniapp` or `baidu_miniapp`:
//! `client_id` is the app id, `client_secret` the app secret, and `token_url`
//! may replace the platform's code-to-session endpoint (tests, proxies).
//!
//! Rules: the account is what the platform says the code belongs to, never
//! what the body names; a code works once (the platform refuses it twice, a
//! 400 naming `code`); our own credentials refused or the platform down is a
//! 502 whose message carries no URL. Profile data the app sends (`rawData`)
//! is taken only with its `signature` — `sha1(rawData + session_key)`, which
//! only the platform and this server can make — and never names the account.

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use super::alipay_gateway::{self, GatewayError};
use super::error::AuthError;
use super::oauth::OAuthService;
use super::provider_answer::{as_text, failed, request_failed, Step};
use super::token::SessionToken;
use crate::config::{OAuthProviderSettings, ProviderKind};
use crate::domain::InvalidInput;

/// A mini-program platform: how it exchanges a login code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MiniPlatform {
    /// WeChat: `GET sns/jscode2session?appid&secret&js_code&grant_type`.
    WeChat,
    /// QQ: the same call on QQ's host.
    Qq,
    /// ByteDance (Douyin, Toutiao): `POST api/apps/v2/jscode2session` with
    /// JSON `{appid, secret, code}`, the answer under `data`.
    ByteDance,
    /// Baidu: `POST oauth/jscode2sessionkey` with a form `{code, client_id, sk}`.
    Baidu,
    /// Alipay: `alipay.system.oauth.token` on its open gateway, signed with
    /// the app's RSA key, its answer checked against Alipay's
    /// ([`super::alipay_gateway`]); the account is the `user_id`.
    Alipay,
}

impl MiniPlatform {
    /// The platform of a provider `kind`, if it is a mini-program kind.
    pub fn of_kind(kind: ProviderKind) -> Option<Self> {
        match kind {
            ProviderKind::WechatMiniapp => Some(Self::WeChat),
            ProviderKind::QqMiniapp => Some(Self::Qq),
            ProviderKind::BytedanceMiniapp => Some(Self::ByteDance),
            ProviderKind::BaiduMiniapp => Some(Self::Baidu),
            ProviderKind::AlipayMiniapp => Some(Self::Alipay),
            ProviderKind::Oidc | ProviderKind::Oauth2 => None,
        }
    }

    /// The platform's code-to-session endpoint.
    fn session_url(self) -> &'static str {
        match self {
            Self::WeChat => "https://api.weixin.qq.com/sns/jscode2session",
            Self::Qq => "https://api.q.qq.com/sns/jscode2session",
            Self::ByteDance => "https://developer.toutiao.com/api/apps/v2/jscode2session",
            Self::Baidu => "https://spapi.baidu.com/oauth/jscode2sessionkey",
            Self::Alipay => "https://openapi.alipay.com/gateway.do",
        }
    }

    /// The answer's field that carries an error code (absent or 0: none).
    fn error_field(self) -> &'static str {
        match self {
            Self::WeChat | Self::Qq => "errcode",
            Self::ByteDance => "err_no",
            Self::Baidu => "errno",
            Self::Alipay => "",
        }
    }

    /// Codes that mean our configuration or the platform failed (a 502),
    /// not the app's code: busy, a wrong app id or secret, a rate limit.
    fn fault_codes(self) -> &'static [&'static str] {
        match self {
            Self::WeChat | Self::Qq => &["-1", "40013", "40125", "41002", "41004", "45011"],
            Self::ByteDance => &["-1", "40014", "40015", "40017"],
            Self::Baidu | Self::Alipay => &[],
        }
    }
}

/// The provider account a login code stood for.
#[derive(Debug, Clone)]
pub struct MiniAccount {
    /// The platform that named the account.
    pub platform: MiniPlatform,
    /// The user's id at this app (Alipay's `user_id`).
    pub openid: String,
    /// The user's id across the developer's apps, where the platform gives one.
    pub unionid: Option<String>,
}

/// Profile data the app sends from the platform's `getUserInfo`, with the
/// signature that proves the platform produced it.
#[derive(Debug, Clone)]
pub struct SignedProfile {
    /// The platform's `rawData`: a JSON object as text.
    pub raw_data: String,
    /// `sha1(rawData + session_key)`, hex.
    pub signature: String,
}

impl OAuthService {
    /// Whether provider `name` is configured as a mini-program platform (its
    /// sign-ins and links take the platform's login `code`).
    pub fn is_mini_program(&self, name: &str) -> bool {
        self.provider(name)
            .is_ok_and(|p| MiniPlatform::of_kind(p.kind).is_some())
    }

    /// Exchanges a mini-program login `code` with the platform of provider
    /// `name`: the one-time `auth_token` of that account (bound to
    /// `link_user` when linking) and the account's ids. `profile`, when sent,
    /// must carry the platform's signature; its fields join the claims the
    /// provider's `mapping` copies into the profile.
    pub async fn mini_program_code(
        &self,
        name: &str,
        code: &str,
        profile: Option<SignedProfile>,
        link_user: Option<i64>,
    ) -> Result<(SessionToken, MiniAccount), AuthError> {
        let provider = self.provider(name)?.clone();
        let platform = mini_platform(&provider)?;
        if code.trim().is_empty() || code.len() > 512 {
            return Err(InvalidInput::new(
                "code",
                "is required: the code from the platform's login",
            )
            .into());
        }
        let session = if platform == MiniPlatform::Alipay {
            self.alipay_session(&provider, code).await?
        } else {
            self.code_to_session(&provider, platform, code).await?
        };
        let Some(openid) = session.get("openid").and_then(as_text) else {
            return Err(failed(
                &provider,
                Step::TokenExchange.name(),
                "the answer has no 'openid'".into(),
            ));
        };
        let unionid = session.get("unionid").and_then(as_text);
        let mut claims = Map::new();
        if let Some(signed) = profile {
            let key = session
                .get("session_key")
                .and_then(as_text)
                .unwrap_or_default();
            claims.extend(verified_profile(&signed, &key)?);
        }
        // The ids come from the platform, whatever the profile data says.
        claims.insert("openid".into(), Value::String(openid.clone()));
        for key in ["user_id", "open_id"] {
            if let Some(value) = session.get(key).and_then(as_text) {
                claims.insert(key.into(), Value::String(value));
            }
        }
        if let Some(unionid) = &unionid {
            claims.insert("unionid".into(), Value::String(unionid.clone()));
        }
        let token = self
            .issue_auth_token(&provider, &claims, link_user)
            .await?
            .ok_or_else(|| InvalidInput::new("code", "the platform's answer names no account"))?;
        Ok((
            token,
            MiniAccount {
                platform,
                openid,
                unionid,
            },
        ))
    }

    /// Alipay's answer to the code, as the other platforms': its `user_id` as
    /// `openid` (the account), `open_id` beside it.
    async fn alipay_session(
        &self,
        provider: &OAuthProviderSettings,
        code: &str,
    ) -> Result<Map<String, Value>, AuthError> {
        let fault = |detail: String| failed(provider, Step::TokenExchange.name(), detail);
        let china =
            chrono::FixedOffset::east_opt(8 * 3600).ok_or_else(|| fault("time zone".into()))?;
        let now = chrono::Utc::now()
            .with_timezone(&china)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        let form = alipay_gateway::signed_request(
            &provider.client_id,
            &provider.client_secret,
            code,
            &now,
        )
        .map_err(gateway_error(provider))?;
        let url = if provider.token_url.is_empty() {
            MiniPlatform::Alipay.session_url().to_owned()
        } else {
            provider.token_url.clone()
        };
        let response = self
            .http
            .post(url)
            .form(&form)
            .send()
            .await
            .map_err(|e| request_failed(provider, Step::TokenExchange.name(), e))?;
        if !response.status().is_success() {
            return Err(fault(format!("HTTP {}", response.status())));
        }
        let text = response
            .text()
            .await
            .map_err(|e| request_failed(provider, Step::TokenExchange.name(), e))?;
        let (user_id, open_id) = alipay_gateway::read_answer(&text, &provider.platform_public_key)
            .map_err(gateway_error(provider))?;
        let mut session = Map::new();
        if let Some(account) = user_id.clone().or_else(|| open_id.clone()) {
            session.insert("openid".into(), Value::String(account));
        }
        if let Some(user_id) = user_id {
            session.insert("user_id".into(), Value::String(user_id));
        }
        if let Some(open_id) = open_id {
            session.insert("open_id".into(), Value::String(open_id));
        }
        Ok(session)
    }

    /// The platform's answer to the code: `openid`, `session_key`, `unionid`.
    async fn code_to_session(
        &self,
        provider: &OAuthProviderSettings,
        platform: MiniPlatform,
        code: &str,
    ) -> Result<Map<String, Value>, AuthError> {
        let url = if provider.token_url.is_empty() {
            platform.session_url().to_owned()
        } else {
            provider.token_url.clone()
        };
        let (id, secret) = (provider.client_id.as_str(), provider.client_secret.as_str());
        let request = match platform {
            MiniPlatform::WeChat | MiniPlatform::Qq => self.http.get(url).query(&[
                ("appid", id),
                ("secret", secret),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ]),
            MiniPlatform::ByteDance => self.http.post(url).json(&serde_json::json!({
                "appid": id, "secret": secret, "code": code,
            })),
            MiniPlatform::Baidu => {
                self.http
                    .post(url)
                    .form(&[("code", code), ("client_id", id), ("sk", secret)])
            }
            MiniPlatform::Alipay => {
                return Err(failed(
                    provider,
                    Step::TokenExchange.name(),
                    "signed gateway".into(),
                ))
            }
        };
        let mut reading = provider.clone();
        if reading.error_field.is_empty() {
            reading.error_field = platform.error_field().to_owned();
        }
        if reading.provider_fault_codes.is_empty() {
            reading.provider_fault_codes = platform
                .fault_codes()
                .iter()
                .map(|c| (*c).to_owned())
                .collect();
        }
        let answer = self
            .answer(&reading, request, Step::TokenExchange, "code")
            .await?;
        Ok(match (platform, answer.get("data")) {
            (MiniPlatform::ByteDance, Some(Value::Object(data))) => data.clone(),
            _ => answer,
        })
    }
}

/// A gateway error as this layer's: the app's code refused (400), or ours (502).
fn gateway_error(provider: &OAuthProviderSettings) -> impl Fn(GatewayError) -> AuthError + '_ {
    move |e| match e {
        GatewayError::CodeRefused(why) => {
            tracing::info!(provider = %provider.name, %why, "Alipay refused a code");
            InvalidInput::new("code", "the provider did not accept it").into()
        }
        GatewayError::Fault(detail) => failed(provider, Step::TokenExchange.name(), detail),
    }
}

/// The platform of a mini-program provider, or a 400 for other kinds.
pub fn mini_platform(provider: &OAuthProviderSettings) -> Result<MiniPlatform, AuthError> {
    MiniPlatform::of_kind(provider.kind).ok_or_else(|| {
        InvalidInput::new(
            "provider",
            format!(
                "'{}' is not a mini-program provider (kind wechat_miniapp, qq_miniapp, \
                 bytedance_miniapp, baidu_miniapp or alipay_miniapp)",
                provider.name
            ),
        )
        .into()
    })
}

/// The fields of `signed.raw_data` when its signature is the platform's.
fn verified_profile(
    signed: &SignedProfile,
    session_key: &str,
) -> Result<Map<String, Value>, AuthError> {
    let mut hasher = Sha1::new();
    hasher.update(signed.raw_data.as_bytes());
    hasher.update(session_key.as_bytes());
    let expected = hex::encode(hasher.finalize());
    let given = signed.signature.trim().to_ascii_lowercase();
    if session_key.is_empty() || !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        return Err(InvalidInput::new(
            "signature",
            "does not match rawData: send both as the platform's getUserInfo gave them",
        )
        .into());
    }
    match serde_json::from_str(&signed.raw_data) {
        Ok(Value::Object(fields)) => Ok(fields),
        _ => Err(InvalidInput::new("rawData", "is not a JSON object").into()),
    }
}

#[cfg(test)]
#[path = "mini_program_test.rs"]
mod tests;
