//! Unit tests of `choices`: every name is read, a wrong one is refused with
//! the message people see, naming the setting where it was given.

use figment::providers::{Data, Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};

use super::*;
use crate::config::Settings;

/// One `PROTIUM_*` variable, read as figment reads the environment: the
/// value parsed (digits become a number), the source named "environment".
struct OneVariable(&'static str, &'static str);

impl Provider for OneVariable {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment variable(s)")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let value: Value = self.1.parse().unwrap();
        let mut dict = Dict::new();
        dict.insert(self.0.to_lowercase(), value);
        Ok(Profile::Default.collect(dict))
    }
}

/// The settings over the defaults, or the message start-up prints.
fn read(layer: impl Provider) -> Result<Settings, String> {
    Figment::from(Serialized::defaults(Settings::default()))
        .merge(layer)
        .extract::<Settings>()
        .map_err(|e| super::super::explain::explain(e).to_string())
}

fn from_env(key: &'static str, value: &'static str) -> Result<Settings, String> {
    read(OneVariable(key, value))
}

#[test]
fn every_sender_is_read_by_name() {
    for (name, kind) in [
        ("log", SmsSenderKind::Log),
        ("memory", SmsSenderKind::Memory),
    ] {
        assert_eq!(from_env("SMS_SENDER", name).unwrap().sms_sender, kind);
        assert_eq!(kind.as_str(), name);
    }
    let file = read(Toml::string("sms_sender = \"memory\"")).unwrap();
    assert_eq!(file.sms_sender, SmsSenderKind::Memory);
}

#[test]
fn a_wrong_sender_is_refused_with_the_accepted_ones() {
    assert_eq!(
        from_env("SMS_SENDER", "twilio").unwrap_err(),
        "invalid configuration: PROTIUM_SMS_SENDER: 'twilio' is not a sender: expected log \
         (development) or memory (tests); to send through a provider set \
         PROTIUM_SMS_WEBHOOK_URL instead"
    );
    // Digits are a number to figment; the message still quotes them.
    assert!(from_env("SMS_SENDER", "42")
        .unwrap_err()
        .contains("PROTIUM_SMS_SENDER: '42' is not a sender: expected log"));
    assert!(read(Toml::string("sms_sender = \"Log\""))
        .unwrap_err()
        .contains("sms_sender: 'Log' is not a sender: expected log (development)"));
}

#[test]
fn every_answer_to_an_unknown_reset_address_is_read_by_name() {
    for (name, answer) in [
        ("accepted", PasswordResetUnknown::Accepted),
        ("not_found", PasswordResetUnknown::NotFound),
    ] {
        let settings = from_env("PASSWORD_RESET_UNKNOWN", name).unwrap();
        assert_eq!(settings.password_reset_unknown, answer);
        assert_eq!(answer.as_str(), name);
    }
}

#[test]
fn a_wrong_answer_to_an_unknown_reset_address_is_refused() {
    assert_eq!(
        from_env("PASSWORD_RESET_UNKNOWN", "404").unwrap_err(),
        "invalid configuration: PROTIUM_PASSWORD_RESET_UNKNOWN: must be 'accepted' or 'not_found'"
    );
    assert_eq!(
        read(Toml::string("password_reset_unknown = \"notfound\"")).unwrap_err(),
        "invalid configuration: password_reset_unknown: must be 'accepted' or 'not_found'"
    );
}

/// A provider entry with `code_exchange.method = <method>`.
fn exchange(method: &str) -> Data<Toml> {
    let text = format!(
        "[[oauth_providers]]\nname = \"wechat\"\nkind = \"oauth2\"\nclient_id = \"wx\"\n\
         client_secret = \"s\"\nauthorize_url = \"https://a\"\ntoken_url = \"https://t\"\n\
         userinfo_url = \"https://u\"\nnative_code = true\n\
         code_exchange = {{ method = \"{method}\" }}\n"
    );
    Toml::string(&text)
}

#[test]
fn every_exchange_method_is_read_by_name() {
    for (name, method) in [("GET", ExchangeMethod::Get), ("POST", ExchangeMethod::Post)] {
        let settings = read(exchange(name)).unwrap();
        let mapping = settings.oauth_providers[0].code_exchange.as_ref().unwrap();
        assert_eq!(mapping.method, method);
        assert_eq!(method.as_str(), name);
    }
    let standard = read(Toml::string(
        "[[oauth_providers]]\nname = \"x\"\nkind = \"oauth2\"\nclient_id = \"c\"\n\
         client_secret = \"s\"\ncode_exchange = {}\n",
    ))
    .unwrap();
    let mapping = standard.oauth_providers[0].code_exchange.as_ref().unwrap();
    assert_eq!(mapping.method, ExchangeMethod::Post, "POST unless said");
}

#[test]
fn a_wrong_exchange_method_is_refused() {
    assert_eq!(
        read(exchange("get")).unwrap_err(),
        "invalid configuration: oauth_providers.0.code_exchange.method: 'get' is not 'GET' or 'POST'"
    );
}

#[test]
fn a_wrong_provider_kind_names_the_accepted_ones() {
    let err = read(Toml::string(
        "[[oauth_providers]]\nname = \"x\"\nkind = \"saml\"\nclient_id = \"c\"\nclient_secret = \"s\"\n",
    ))
    .unwrap_err();
    assert!(
        err.contains(
            "oauth_providers.0.kind: 'saml' is not one of 'oidc', 'oauth2', 'wechat_miniapp'"
        ),
        "{err}"
    );
}

#[test]
fn the_defaults_are_written_and_read_back_by_name() {
    let settings = read(Toml::string("")).unwrap();
    assert_eq!(settings.sms_sender, SmsSenderKind::Log);
    assert_eq!(
        settings.password_reset_unknown,
        PasswordResetUnknown::Accepted
    );
    assert_eq!(
        serde_json::to_value(ExchangeMethod::default()).unwrap(),
        "POST"
    );
}
