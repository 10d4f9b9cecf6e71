//! Third-party sign-in providers as `protium.toml` declares them
//! (`[[oauth_providers]]`): OpenID Connect or plain OAuth2, what apps may
//! bring from a provider's own SDK, and the mappings for providers that
//! depart from OAuth2 (WeChat's code exchange, Weibo's token owner and the
//! app its tokens were issued to).

use serde::{Deserialize, Serialize};

use super::ExchangeMethod;

/// What kind of sign-in provider a `[[oauth_providers]]` entry is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// OpenID Connect: discovery from `issuer`, the id_token checked.
    Oidc,
    /// Plain OAuth2 with a user-info endpoint.
    #[default]
    Oauth2,
    /// WeChat mini-programs (`jscode2session`).
    WechatMiniapp,
    /// QQ mini-programs (`jscode2session`).
    QqMiniapp,
    /// ByteDance mini-programs (Douyin, Toutiao).
    BytedanceMiniapp,
    /// Baidu smart programs (`jscode2sessionkey`).
    BaiduMiniapp,
    /// Alipay mini-programs (`alipay.system.oauth.token`, signed).
    AlipayMiniapp,
}

/// One third-party sign-in provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthProviderSettings {
    /// Name in the API paths (`/hserve/v2.0/idp/<name>/…`).
    pub name: String,
    /// What kind of provider: `oidc`, `oauth2` or a mini-program platform.
    pub kind: ProviderKind,
    /// Client id registered with the provider.
    pub client_id: String,
    /// Client secret registered with the provider.
    pub client_secret: String,
    /// OpenID Connect issuer URL (`oidc`).
    #[serde(default)]
    pub issuer: String,
    /// Authorization endpoint (`oauth2`).
    #[serde(default)]
    pub authorize_url: String,
    /// Token endpoint (`oauth2`).
    #[serde(default)]
    pub token_url: String,
    /// User-info endpoint (`oauth2`).
    #[serde(default)]
    pub userinfo_url: String,
    /// Scopes to ask for (default `openid email profile` for `oidc`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The claim holding the account id (default `sub` for `oidc`, `id` for `oauth2`).
    #[serde(default)]
    pub subject_claim: String,
    /// Profile field ← provider claim, e.g. `{ nickname = "name", avatar = "picture" }`.
    #[serde(default)]
    pub mapping: std::collections::BTreeMap<String, String>,
    /// Whether apps may sign in with an access token they got from the
    /// provider's own SDK (`POST /hserve/v2.0/idp/<name>/token/`), checked by
    /// calling `userinfo_url` with it.
    #[serde(default)]
    pub native_token: bool,
    /// How `userinfo_url` takes the token: empty for an `Authorization:
    /// Bearer` header, else the query parameter's name (Weibo: `access_token`).
    #[serde(default)]
    pub token_param: String,
    /// An endpoint that names the token's owner, for providers whose
    /// `userinfo_url` describes whichever account it is asked about (Weibo:
    /// `https://api.weibo.com/2/account/get_uid.json`); called with the token
    /// as `userinfo_url` is. The account is never taken from the app's body.
    #[serde(default)]
    pub token_owner_url: String,
    /// The field of `token_owner_url`'s answer holding the account id (Weibo:
    /// `uid`); it must equal the user info's `subject_claim`.
    #[serde(default)]
    pub token_owner_field: String,
    /// The query parameter of `userinfo_url` that takes that account id
    /// (Weibo: `uid`); empty when user info needs none.
    #[serde(default)]
    pub owner_param: String,
    /// An endpoint that names the app a token was issued to, for providers
    /// whose tokens any app's SDK gets would otherwise sign in here too
    /// (Weibo: `https://api.weibo.com/oauth2/get_token_info`). Called with a
    /// `POST` carrying the token as the form field `token_param` (a Bearer
    /// header when `token_param` is empty) before anything else; a token the
    /// answer does not say was issued to `client_id` is refused (400).
    #[serde(default)]
    pub token_app_url: String,
    /// The field of `token_app_url`'s answer holding the app's id (Weibo:
    /// `appkey`); it must equal `client_id`.
    #[serde(default)]
    pub token_app_field: String,
    /// Whether apps may sign in with an authorization code they got from the
    /// provider's own SDK (`POST /hserve/v2.0/idp/<name>/token/` `{code}`),
    /// exchanged at `token_url` (`oauth2` providers only).
    #[serde(default)]
    pub native_code: bool,
    /// How `token_url` takes such a code when the provider does not speak
    /// standard OAuth2 there (WeChat); absent: a standard form POST.
    #[serde(default)]
    pub code_exchange: Option<CodeExchangeSettings>,
    /// A key whose presence (with a value other than `0`) in the provider's
    /// JSON answer means a refusal even under HTTP 200 (WeChat: `errcode`).
    #[serde(default)]
    pub error_field: String,
    /// Values of `error_field` that mean the provider or our configuration
    /// failed, not the app's token or code: answered 502 instead of 400
    /// (WeChat: `-1` busy, `40001`/`40013`/`40125` bad credentials).
    #[serde(default)]
    pub provider_fault_codes: Vec<String>,
    /// The platform's public key (PEM) that signs its answers (Alipay's
    /// `alipay_miniapp`, whose `client_secret` is the app's RSA private key).
    #[serde(default)]
    pub platform_public_key: String,
}

/// A provider's non-standard code exchange, mapped onto standard terms
/// (WeChat: `GET …/sns/oauth2/access_token?appid=…&secret=…&code=…&grant_type=authorization_code`,
/// answering `{access_token, openid, unionid}` or `{errcode, errmsg}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeExchangeSettings {
    /// `GET` (parameters in the query) or `POST` (a form body, the default).
    #[serde(default)]
    pub method: ExchangeMethod,
    /// The client id parameter's name (WeChat: `appid`).
    #[serde(default = "CodeExchangeSettings::default_client_id_param")]
    pub client_id_param: String,
    /// The client secret parameter's name (WeChat: `secret`).
    #[serde(default = "CodeExchangeSettings::default_client_secret_param")]
    pub client_secret_param: String,
    /// The answer's field holding the access token.
    #[serde(default = "CodeExchangeSettings::default_token_field")]
    pub token_field: String,
    /// Fields of the answer passed on to `userinfo_url` as query parameters
    /// and kept as claims when user info lacks them (WeChat: `openid`).
    #[serde(default)]
    pub pass_to_userinfo: Vec<String>,
}

impl CodeExchangeSettings {
    fn default_client_id_param() -> String {
        "client_id".into()
    }
    fn default_client_secret_param() -> String {
        "client_secret".into()
    }
    fn default_token_field() -> String {
        "access_token".into()
    }
}
