//! Settings errors as people read them: figment's errors in terms of the
//! setting's name where it was given (`PROTIUM_LISTEN` in the environment,
//! `listen` in `protium.toml`), with a guess for a misspelt name.

use figment::error::{Actual, Kind};

use super::ConfigError;

/// One message per fault figment found, joined by new lines.
pub(super) fn explain(error: figment::Error) -> ConfigError {
    let messages: Vec<String> = error.into_iter().map(|e| describe(&e)).collect();
    ConfigError::Load(messages.join("\n"))
}

fn describe(e: &figment::Error) -> String {
    let from_env = e
        .metadata
        .as_ref()
        .is_some_and(|m| m.name.contains("environment"));
    let shown = |path: &[String]| -> String {
        if from_env {
            format!("PROTIUM_{}", path.join("_").to_uppercase())
        } else {
            path.join(".")
        }
    };
    let key = shown(&e.path);
    match &e.kind {
        Kind::UnknownField(name, known) => {
            // The path ends with the unknown name itself.
            let parent = &e.path[..e.path.len().saturating_sub(1)];
            let with = |last: &str| {
                let mut path = parent.to_vec();
                path.push(last.to_owned());
                shown(&path)
            };
            let given = with(name);
            match nearest(name, known) {
                Some(guess) => format!("unknown setting {given}; did you mean {}?", with(guess)),
                None => format!(
                    "unknown setting {given}; the settings are listed in the README (Configuration)"
                ),
            }
        }
        Kind::InvalidType(actual, expected) | Kind::InvalidValue(actual, expected) => {
            format!("{key}: {} is not {}", value(actual), expectation(expected))
        }
        Kind::UnknownVariant(given, names) => format!("{key}: '{given}' is not {}", one_of(names)),
        other => format!("{key}: {other}"),
    }
}

/// The known name closest to `name`, when it is close enough to be a typo.
fn nearest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), *k))
        .filter(|(distance, k)| *distance <= 3.max(k.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// The accepted names in words: `'a' or 'b'`, or `one of 'a', 'b', 'c'`.
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.as_slice() {
        [only] => only.clone(),
        [first, second] => format!("{first} or {second}"),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

fn value(actual: &Actual) -> String {
    match actual {
        Actual::Str(s) => format!("'{s}'"),
        Actual::Unsigned(n) => format!("'{n}'"),
        Actual::Signed(n) => format!("'{n}'"),
        Actual::Float(n) => format!("'{n}'"),
        Actual::Bool(b) => format!("'{b}'"),
        other => other.to_string(),
    }
}

fn expectation(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => {
            "a whole number of 0 or more, for example 60".into()
        }
        "i32" | "i64" => "a whole number, for example 60".into(),
        "a boolean" => "true or false".into(),
        "a string" => "text".into(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
#[path = "explain_test.rs"]
mod tests;
