//! Mail and page templates (minijinja). Built-in English and Chinese templates are
//! compiled into the binary; a file with the same relative path under
//! `PROTIUM_TEMPLATES_DIR` overrides one. `.html` templates are auto-escaped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use minijinja::Environment;
use serde::Serialize;

use super::error::NotifyError;
use super::locale::Locale;

macro_rules! embedded {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("templates/", $path)))),*]
    };
}

/// Built-in templates by relative path.
const EMBEDDED: &[(&str, &str)] = embedded!(
    "mail_layout.html",
    "page_layout.html",
    "en/strings.json",
    "en/verify_email.subject.txt",
    "en/verify_email.txt",
    "en/verify_email.html",
    "en/reset_password.subject.txt",
    "en/reset_password.txt",
    "en/reset_password.html",
    "en/email_code.subject.txt",
    "en/email_code.txt",
    "en/email_code.html",
    "en/email_changed.subject.txt",
    "en/email_changed.txt",
    "en/email_changed.html",
    "en/page_verified.html",
    "en/page_verify_confirm.html",
    "en/page_link_invalid.html",
    "en/page_reset_form.html",
    "en/page_reset_done.html",
    "en/sms_code.txt",
    "zh/strings.json",
    "zh/verify_email.subject.txt",
    "zh/verify_email.txt",
    "zh/verify_email.html",
    "zh/reset_password.subject.txt",
    "zh/reset_password.txt",
    "zh/reset_password.html",
    "zh/email_code.subject.txt",
    "zh/email_code.txt",
    "zh/email_code.html",
    "zh/email_changed.subject.txt",
    "zh/email_changed.txt",
    "zh/email_changed.html",
    "zh/page_verified.html",
    "zh/page_verify_confirm.html",
    "zh/page_link_invalid.html",
    "zh/page_reset_form.html",
    "zh/page_reset_done.html",
    "zh/sms_code.txt",
);

/// Mails every locale must provide (subject, text and HTML each).
pub const MAILS: &[&str] = &[
    "verify_email",
    "reset_password",
    "email_code",
    "email_changed",
];
/// Pages every locale must provide.
pub const PAGES: &[&str] = &[
    "page_verified",
    "page_verify_confirm",
    "page_link_invalid",
    "page_reset_form",
    "page_reset_done",
];

/// A mail ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// One-line subject.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// The loaded templates and UI strings.
pub struct Templates {
    env: Environment<'static>,
    strings: HashMap<Locale, HashMap<String, String>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

fn read_source(dir: Option<&Path>, name: &str) -> Option<String> {
    if let Some(dir) = dir {
        if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
            return Some(text);
        }
    }
    EMBEDDED
        .iter()
        .find(|(path, _)| *path == name)
        .map(|(_, text)| (*text).to_owned())
}

impl Templates {
    /// Loads the templates (overrides from `override_dir`) and renders each once
    /// with sample values, so a broken override stops start-up instead of a mail.
    pub fn load(override_dir: Option<PathBuf>) -> Result<Self, NotifyError> {
        let mut env = Environment::new();
        let dir = override_dir.clone();
        env.set_loader(move |name| Ok(read_source(dir.as_deref(), name)));
        let mut strings = HashMap::new();
        for locale in Locale::ALL {
            let name = format!("{}/strings.json", locale.code());
            let text = read_source(override_dir.as_deref(), &name).unwrap_or_default();
            let map: HashMap<String, String> =
                serde_json::from_str(&text).map_err(|e| NotifyError::Template {
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
            strings.insert(locale, map);
        }
        let templates = Self { env, strings };
        templates.check()?;
        Ok(templates)
    }

    fn check(&self) -> Result<(), NotifyError> {
        let sample = serde_json::json!({
            "app_name": "App", "email": "a@example.com", "new_email": "b@example.com",
            "link": "https://example.com/x", "code": "123456", "minutes": 10, "hours": 24,
            "action": "act", "reason": "r", "token": "t", "policy": "p", "min": 6, "max": 20, "error": "e",
        });
        for locale in Locale::ALL {
            for mail in MAILS {
                self.mail(locale, mail, &sample)?;
            }
            for page in PAGES {
                self.page(locale, page, &sample)?;
            }
            self.text(locale, "sms_code", &sample)?;
        }
        Ok(())
    }

    fn render(
        &self,
        name: &str,
        locale: Locale,
        ctx: &impl Serialize,
    ) -> Result<String, NotifyError> {
        let err = |reason: String| NotifyError::Template {
            name: name.to_owned(),
            reason,
        };
        let template = self
            .env
            .get_template(name)
            .map_err(|e| err(e.to_string()))?;
        let mut value = serde_json::to_value(ctx).map_err(|e| err(e.to_string()))?;
        if let Some(map) = value.as_object_mut() {
            map.insert("lang".into(), locale.code().into());
        }
        template.render(value).map_err(|e| err(e.to_string()))
    }

    /// Renders mail `name` (`verify_email`, …) in `locale`.
    pub fn mail(
        &self,
        locale: Locale,
        name: &str,
        ctx: &impl Serialize,
    ) -> Result<RenderedMail, NotifyError> {
        let base = format!("{}/{name}", locale.code());
        Ok(RenderedMail {
            subject: self
                .render(&format!("{base}.subject.txt"), locale, ctx)?
                .trim()
                .to_owned(),
            text: self.render(&format!("{base}.txt"), locale, ctx)?,
            html: self.render(&format!("{base}.html"), locale, ctx)?,
        })
    }

    /// Renders page `name` (`page_verified`, …) in `locale`.
    pub fn page(
        &self,
        locale: Locale,
        name: &str,
        ctx: &impl Serialize,
    ) -> Result<String, NotifyError> {
        self.render(&format!("{}/{name}.html", locale.code()), locale, ctx)
    }

    /// Renders the plain-text message `name` (`sms_code`) in `locale`.
    pub fn text(
        &self,
        locale: Locale,
        name: &str,
        ctx: &impl Serialize,
    ) -> Result<String, NotifyError> {
        Ok(self
            .render(&format!("{}/{name}.txt", locale.code()), locale, ctx)?
            .trim()
            .to_owned())
    }

    /// A UI string of `locale` with `{name}` placeholders filled from `args`.
    pub fn string(&self, locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
        let raw = self
            .strings
            .get(&locale)
            .and_then(|m| m.get(key))
            .or_else(|| self.strings.get(&Locale::En).and_then(|m| m.get(key)))
            .cloned()
            .unwrap_or_else(|| key.to_owned());
        args.iter()
            .fold(raw, |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
    }
}

#[cfg(test)]
#[path = "templates_test.rs"]
mod tests;
