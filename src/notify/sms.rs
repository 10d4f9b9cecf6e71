//! SMS senders: the log and the development outbox (development), an HTTP webhook that posts a JSON body
//! built from a template (plug in any SMS provider), and memory (tests).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::dev_outbox::DevOutbox;
use super::error::NotifyError;

/// One text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    /// E.164 number.
    pub phone: String,
    /// The text.
    pub text: String,
}

/// Messages kept by the memory sender, readable by tests.
#[derive(Debug, Clone, Default)]
pub struct SmsInbox(Arc<Mutex<Vec<SmsMessage>>>);

impl SmsInbox {
    /// Every message sent so far.
    pub fn messages(&self) -> Vec<SmsMessage> {
        self.0
            .lock()
            .map(|m| m.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    fn push(&self, message: SmsMessage) {
        match self.0.lock() {
            Ok(mut m) => m.push(message),
            Err(e) => e.into_inner().push(message),
        }
    }
}

/// Where text messages go.
#[derive(Debug, Clone)]
pub enum SmsSender {
    /// Written to the log and the development outbox.
    Log(DevOutbox),
    /// Kept in memory (tests).
    Memory(SmsInbox),
    /// Posted to a provider's HTTP endpoint.
    Http(HttpSms),
}

/// The webhook sender.
#[derive(Debug, Clone)]
pub struct HttpSms {
    client: reqwest::Client,
    url: String,
    body: Value,
    authorization: Option<String>,
}

/// The default webhook body.
pub const DEFAULT_WEBHOOK_BODY: &str = r#"{"phone": "{{phone}}", "message": "{{message}}"}"#;

impl SmsSender {
    /// The webhook sender: posts `webhook_body`, filled in, to `webhook_url`
    /// with `authorization` (if not empty) as its `Authorization` header.
    pub fn webhook(
        webhook_url: &str,
        webhook_body: &str,
        authorization: &str,
    ) -> Result<Self, NotifyError> {
        let body: Value = serde_json::from_str(webhook_body).map_err(|e| NotifyError::Config {
            key: "PROTIUM_SMS_WEBHOOK_BODY",
            reason: format!("not JSON: {e}"),
        })?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| NotifyError::Config {
                key: "PROTIUM_SMS_WEBHOOK_URL",
                reason: e.to_string(),
            })?;
        Ok(SmsSender::Http(HttpSms {
            client,
            url: webhook_url.trim().to_owned(),
            body,
            authorization: Some(authorization.to_owned()).filter(|a| !a.is_empty()),
        }))
    }

    /// The inbox of the memory sender.
    pub fn inbox(&self) -> Option<SmsInbox> {
        match self {
            SmsSender::Memory(inbox) => Some(inbox.clone()),
            _ => None,
        }
    }

    /// Sends `text` (which contains `code`) to `phone`.
    pub async fn send(&self, phone: &str, text: &str, code: &str) -> Result<(), String> {
        match self {
            SmsSender::Log(outbox) => {
                outbox.record("sms", phone, code, text);
                Ok(())
            }
            SmsSender::Memory(inbox) => {
                inbox.push(SmsMessage {
                    phone: phone.to_owned(),
                    text: text.to_owned(),
                });
                Ok(())
            }
            SmsSender::Http(http) => {
                let body = fill(
                    &http.body,
                    &[("phone", phone), ("message", text), ("code", code)],
                );
                let mut request = http.client.post(&http.url).json(&body);
                if let Some(auth) = &http.authorization {
                    request = request.header("Authorization", auth);
                }
                // The URL may carry the provider's key: keep it out of errors and logs.
                let response = request
                    .send()
                    .await
                    .map_err(|e| e.without_url().to_string())?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("SMS provider answered {}", response.status()))
                }
            }
        }
    }
}

/// Replaces `{{name}}` in every string of the template (values stay JSON-safe:
/// they are inserted into parsed strings, never into JSON text).
fn fill(template: &Value, values: &[(&str, &str)]) -> Value {
    match template {
        Value::String(s) => Value::String(values.iter().fold(s.clone(), |acc, (k, v)| {
            acc.replace(&format!("{{{{{k}}}}}"), v)
                .replace(&format!("{{{{ {k} }}}}"), v)
        })),
        Value::Array(items) => Value::Array(items.iter().map(|i| fill(i, values)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
#[path = "sms_test.rs"]
mod tests;
