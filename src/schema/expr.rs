//! Expressions in schema files — computed fields and write guards — written in
//! CEL (the Common Expression Language, as Kubernetes uses it for its JSON
//! Schema rules). Compiled once when the schema loads; evaluated over one
//! record's JSON values, with dates as CEL timestamps and `now` as the time.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// The standard CEL environment, built once (building it registers every
/// standard function).
fn env() -> Arc<cel::Env> {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(cel::Env::stdlib())).clone()
}

/// A compiled expression and the names it reads.
pub struct Expr {
    source: String,
    program: cel::Program,
    variables: Vec<String>,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expr").field(&self.source).finish()
    }
}

impl Expr {
    /// Compiles `source`; the error is the parser's message.
    pub fn compile(source: &str) -> Result<Self, String> {
        let program = env()
            .compile(source)
            .map_err(|e| format!("not a valid CEL expression: {e}"))?;
        let variables = program
            .references()
            .variables()
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok(Self {
            source: source.to_owned(),
            program,
            variables,
        })
    }

    /// The top-level names the expression reads.
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// Evaluates with `vars` bound; the error is the interpreter's message
    /// (a missing field, a null where a value was needed, a type mismatch).
    pub fn eval(&self, vars: BTreeMap<&str, cel::Value>) -> Result<cel::Value, String> {
        let mut context = cel::Context::with_env(env());
        for (name, value) in vars {
            context.add_variable_from_value(name, value);
        }
        self.program.execute(&context).map_err(|e| e.to_string())
    }
}

/// A JSON value as CEL sees it; `date` turns date-time strings (stored as
/// UTC text) into timestamps.
pub fn to_cel(value: &Value, date: bool) -> cel::Value {
    match value {
        Value::String(s) if date => chrono::DateTime::parse_from_rfc3339(s.trim())
            .map_or_else(|_| cel::Value::from(s.clone()), cel::Value::Timestamp),
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => cel::Value::from(s.clone()),
        Value::Array(items) => {
            cel::Value::List(Arc::new(items.iter().map(|v| to_cel(v, false)).collect()))
        }
        Value::Object(map) => {
            let entries: std::collections::HashMap<String, cel::Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), to_cel(v, false)))
                .collect();
            cel::Value::from(entries)
        }
    }
}

/// The current time as a CEL timestamp.
pub fn now() -> cel::Value {
    cel::Value::Timestamp(chrono::Utc::now().fixed_offset())
}

/// A CEL result as JSON: timestamps as RFC 3339 text, durations as whole
/// seconds; `None` for values JSON cannot hold.
pub fn from_cel(value: &cel::Value) -> Option<Value> {
    match value {
        cel::Value::Duration(d) => Some(Value::from(d.num_seconds())),
        cel::Value::Float(f) if !f.is_finite() => None,
        other => other.json().ok(),
    }
}

#[cfg(test)]
#[path = "expr_test.rs"]
mod tests;
