//! Write guards: rules over the record before and after a write and the
//! caller (`old`, `new`, `caller`, `now`), compiled from a type's
//! `x-protium.guards` when the schema loads.

use super::expr::Expr;
use super::extension::{GuardExtension, GuardOn, GuardRefusal};
use super::field::Field;

/// The names a guard may read.
pub const GUARD_VARIABLES: &[&str] = &["old", "new", "caller", "now"];

/// One compiled guard.
#[derive(Debug)]
pub struct Guard {
    /// The rule; the write goes ahead only when it is `true`.
    pub rule: Expr,
    /// What a refused caller is told.
    pub message: String,
    /// The field named in the refusal.
    pub field: Option<String>,
    /// Checked on creates.
    pub on_create: bool,
    /// Checked on updates.
    pub on_update: bool,
    /// 400 (`Invalid`) or 403 (`Forbidden`).
    pub refuse: GuardRefusal,
}

/// Compiles `guards`; errors are `(json pointer, message)`.
pub fn compile_guards(
    guards: &[GuardExtension],
    fields: &[Field],
) -> Result<Vec<Guard>, (String, String)> {
    guards
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let at = |key: &str| format!("/x-protium/guards/{i}/{key}");
            let rule = Expr::compile(&g.rule).map_err(|e| (at("rule"), e))?;
            if let Some(bad) = rule
                .variables()
                .iter()
                .find(|v| !GUARD_VARIABLES.contains(&v.as_str()))
            {
                return Err((
                    at("rule"),
                    format!(
                        "unknown name '{bad}': a guard reads old, new, caller and now \
                         (write new.{bad} for the field)"
                    ),
                ));
            }
            if g.message.trim().is_empty() {
                return Err((at("message"), "say what a refused caller is told".into()));
            }
            if let Some(f) = &g.field {
                if !fields.iter().any(|d| d.name.as_str() == f) {
                    return Err((at("field"), format!("'{f}' is not a declared field")));
                }
            }
            Ok(Guard {
                rule,
                message: g.message.clone(),
                field: g.field.clone(),
                on_create: g.on != Some(GuardOn::Update),
                on_update: g.on != Some(GuardOn::Create),
                refuse: g.refuse.unwrap_or(GuardRefusal::Forbidden),
            })
        })
        .collect()
}
